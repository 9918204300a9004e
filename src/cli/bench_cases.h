#pragma once
// Every catalog benchmark row predicted as `check` would predict it, with the configuration the row
// states given on the command line's terms (-ngl, --n-cpu-moe, -ts, -sm, -t, -d): the per-case accuracy
// table of docs/calibration.md (`llmsize catalog calibration --cases`, bench/cases.py).
#include <optional>
#include <string>
#include <vector>

#include "context.h"

namespace llmsize::cli {

struct CasePrediction {
  const engine::Benchmark* bench = nullptr;
  std::string case_name;   ///< "one GPU, dense", "MoE experts in RAM", ...; "ik_llama.cpp: " before another engine's
  /// The case the engine gives the prediction's placement (speed_case), whose band the prediction prints.
  std::optional<engine::SpeedCase> speed_case;
  bool predicted = false;  ///< false: the configuration cannot be given yet (`why_not` says why)
  std::string why_not;
  double tokens_per_s = 0;  ///< predicted, for the row's test
  double low = 0;
  double high = 0;
};

/// Which benchmark rows to predict: all, or those of the "fit" set (what the case bands are fitted on).
enum class RowSet { all, fit };
/// Predicts the benchmark rows with the calibration fitted on the "fit" rows.
[[nodiscard]] std::vector<CasePrediction> predict_benchmarks(Context& ctx, RowSet set = RowSet::all);

/// Each configuration case's band (engine::fit_case_bands) from the measured / predicted ratios of the
/// predicted rows of the "fit" set, grouped by the engine that ran them and the case of their prediction:
/// ik_llama.cpp's rows, predicted with its own factors, scatter differently from llama.cpp's and give its
/// predictions bands of their own.
[[nodiscard]] std::vector<engine::CaseBand> fit_case_bands(const std::vector<CasePrediction>& rows);

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
