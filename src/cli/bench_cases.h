#pragma once
// Every catalog benchmark row predicted as `check` would predict it, with the configuration the row
// states given on the command line's terms (-ngl, --n-cpu-moe, -ts, -sm, -t, -d): the per-case accuracy
// table of docs/calibration.md (`llmsize catalog calibration --cases`, bench/cases.py).
#include <string>
#include <vector>

#include "context.h"

namespace llmsize::cli {

struct CasePrediction {
  const engine::Benchmark* bench = nullptr;
  std::string case_name;   ///< "GPU resident, dense", "MoE experts in RAM", "multi-GPU row", ...
  bool predicted = false;  ///< false: the configuration cannot be given yet (`why_not` says why)
  std::string why_not;
  double tokens_per_s = 0;  ///< predicted, for the row's test
  double low = 0;
  double high = 0;
};

/// Predicts every benchmark row with the calibration fitted on the "fit" rows.
[[nodiscard]] std::vector<CasePrediction> predict_benchmarks(Context& ctx);

/// Accuracy of one case on one test over one set of rows.
struct CaseScore {
  std::string case_name;
  bool decode = true;
  std::size_t rows = 0;
  double median_abs_pct = 0;
  double p90_abs_pct = 0;
  double within_band_share = 0;
};
/// Scores per case and test on the held-back rows (`holdout`) or on all rows.
[[nodiscard]] std::vector<CaseScore> score_cases(const std::vector<CasePrediction>& rows, bool holdout_only);

/// Whether llmsize orders two devices as measured: over pairs of predicted rows of the same model, quant,
/// test, depth and configuration on different hardware whose measurements differ by more than 5%
/// (closer ones are a tie within run-to-run noise), the share predicted in the measured order. What
/// `recommend` users act on.
struct OrderingScore {
  std::size_t pairs = 0;
  double agree_share = 0;
};
[[nodiscard]] OrderingScore score_ordering(const std::vector<CasePrediction>& rows);

}  // namespace llmsize::cli
