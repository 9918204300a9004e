#pragma once
// `llmsize check`'s result and its renderers: they format the report and compute nothing.
#include <string>

#include "assumption.h"
#include "build_eval.h"
#include "extras.h"
#include "run_options.h"
#include "pipeline.h"

namespace llmsize::cli {

/// One model on one planned build, evaluated once.
struct CheckReport {
  Sizing sizing;
  Extras extras;  ///< a draft model, a vision projector (none by default)
  HardwareConfig hardware;
  BuildEval eval;
  engine::PlacementTotals totals;
  CostOptions cost;
  std::uint64_t prompt_tokens = 0;
  RunChoice run;  ///< -ngl, --n-cpu-moe, -ts, -t, -d, engine as given
  PriceBook prices;  ///< the user's prices in force
  bool require_gpu = false;
  Assumptions assumptions;
};

[[nodiscard]] std::string check_text(const CheckReport& r, const Style& style);
[[nodiscard]] Json check_json(const CheckReport& r);

}  // namespace llmsize::cli
