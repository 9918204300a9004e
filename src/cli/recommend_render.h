#pragma once
// `llmsize recommend`'s result and its renderers: they format the report and compute nothing.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "assumption.h"
#include "build_eval.h"
#include "pipeline.h"

namespace llmsize::cli {

/// One hardware configuration that runs the model, evaluated once.
struct RecommendOption {
  HardwareConfig hardware;
  BuildEval eval;
  std::string vendor;  ///< normalized catalog vendor, for --vendor
  engine::FormFactor form_factor = engine::FormFactor::desktop;
  std::string label;             ///< "GeForce RTX 3090", "2× ...", "AMD Ryzen 9 7950X + 64 GB RAM"
  std::string kind;              ///< gpu | system | cpu
  std::uint64_t used_bytes = 0;  ///< the deciding memory's used bytes (GPUs, or the one host/unified memory)
  std::uint64_t memory_bytes = 0;  ///< what placement may use of that memory
};

/// `--sort value`: decode tokens/s per 1,000 of the price (the currency of the prices); none without a price.
[[nodiscard]] std::optional<double> value(const RecommendOption& o);
/// `--sort efficiency`: decode tokens/s per watt drawn decoding.
[[nodiscard]] double efficiency(const RecommendOption& o);

/// The ranked options for one model.
struct RecommendReport {
  Sizing sizing;
  CostOptions cost;
  std::uint32_t max_gpus = 0;
  std::string sort;
  std::size_t candidates = 0;  ///< configurations that run it entirely in memory, before the filters
  std::size_t matching = 0;    ///< of those, the ones the filters kept, before --top
  std::vector<RecommendOption> options;  ///< sorted, at most --top
  PriceBook prices;                      ///< the user's prices in force (inputs.prices)
  Assumptions assumptions;
};

[[nodiscard]] std::string recommend_text(const RecommendReport& r, const Style& style);
[[nodiscard]] Json recommend_json(const RecommendReport& r);
/// The options table as CSV (header and one line per option).
[[nodiscard]] std::string recommend_csv(const RecommendReport& r);

}  // namespace llmsize::cli
