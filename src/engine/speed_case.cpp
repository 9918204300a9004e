// The configuration case of a prediction and each case's band from its own fit rows (issue 13).
#include "llmsize/engine/speed_case.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "llmsize/engine/speed.h"

namespace llmsize::engine {
namespace {

constexpr double kBandLowQuantile = 0.05;
constexpr double kBandHighQuantile = 0.95;
constexpr double kMinBandHalfWidth = 0.10;  // never claim better than ±10% (as the backend bands)

struct Range {
  double low = 1;
  double high = 1;
};

Range band_of(const std::vector<double>& ratios) {
  return {std::min(quantile(ratios, kBandLowQuantile), 1 - kMinBandHalfWidth),
          std::max(quantile(ratios, kBandHighQuantile), 1 + kMinBandHalfWidth)};
}

}  // namespace

const char* to_string(SpeedCase c) { return name_of(kSpeedCaseNames, c); }

SpeedCase speed_case(const Model& m, const Placement& p, std::uint64_t depth_tokens, std::uint32_t ubatch) {
  if (depth_tokens > 0) return SpeedCase::depth;
  if (ubatch < kSmallUbatch) return SpeedCase::small_ubatch;
  const bool gpu_runs_layers = std::any_of(p.devices.begin(), p.devices.end(),
                                          [](const DevicePlacement& d) { return d.layers > 0 || d.holds_output; });
  if (!gpu_runs_layers) return SpeedCase::cpu_only;  // no GPU, or -ngl 0
  if (p.n_cpu_moe > 0) return SpeedCase::experts_in_ram;
  if (p.host.layers > 0 || p.host.holds_output) return SpeedCase::partial_offload;
  if (p.devices.size() > 1) {
    switch (p.split) {
      case SplitMode::layer: return SpeedCase::split_layer;
      case SplitMode::row: return SpeedCase::split_row;
      case SplitMode::tensor: return SpeedCase::split_tensor;
    }
  }
  const bool unified = std::any_of(p.devices.begin(), p.devices.end(),
                                   [](const DevicePlacement& d) { return d.kind == DeviceKind::unified; });
  if (unified) return is_moe(m) ? SpeedCase::unified_moe : SpeedCase::unified_dense;
  return is_moe(m) ? SpeedCase::one_gpu_moe : SpeedCase::one_gpu_dense;
}

std::vector<CaseBand> fit_case_bands(const std::vector<CaseRatio>& ratios) {
  std::map<std::tuple<Engine, SpeedCase, bool>, std::vector<double>> by_case;
  for (const CaseRatio& r : ratios) by_case[{r.engine, r.speed_case, r.decode}].push_back(r.ratio);
  std::vector<CaseBand> bands;
  for (const auto& engine : kEngineNames) {
    for (const auto& row : kSpeedCaseNames) {
      CaseBand b;
      b.speed_case = row.value;
      b.engine = engine.value;
      if (const auto it = by_case.find({engine.value, row.value, true}); it != by_case.end() && it->second.size() >= kMinCaseBandRows) {
        const Range r = band_of(it->second);
        b.decode_ratio_low = r.low;
        b.decode_ratio_high = r.high;
        b.decode_rows = it->second.size();
      }
      if (const auto it = by_case.find({engine.value, row.value, false}); it != by_case.end() && it->second.size() >= kMinCaseBandRows) {
        const Range r = band_of(it->second);
        b.prefill_ratio_low = r.low;
        b.prefill_ratio_high = r.high;
        b.prefill_rows = it->second.size();
      }
      if (b.decode_rows > 0 || b.prefill_rows > 0) bands.push_back(b);
    }
  }
  return bands;
}

}  // namespace llmsize::engine
