// Fitting per-backend efficiency factors on published llama-bench results.
#include <algorithm>
#include <cmath>
#include <utility>

#include "llmsize/engine/speed.h"

namespace llmsize::engine {
namespace {

constexpr std::size_t kMinRowsToFit = 3;
constexpr double kMaxPerTokenSeconds = 0.005;  // search range for the fixed per-token cost
constexpr int kPerTokenSteps = 100;
constexpr double kMaxPerMoeLayerSeconds = 100e-6;  // search range for the fixed cost per MoE layer
constexpr int kPerMoeLayerSteps = 20;
constexpr double kBandLowQuantile = 0.05;
constexpr double kBandHighQuantile = 0.95;
constexpr double kPooledLowQuantile = 0.05;
constexpr double kPooledHighQuantile = 0.95;
constexpr double kMinBandHalfWidth = 0.10;  // never claim better than ±10%

}  // namespace

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 1;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return v[lo] * (1 - frac) + v[hi] * frac;
}

namespace {

std::vector<CalibrationPoint> select(const std::vector<CalibrationPoint>& points, Backend b, bool decode, bool holdout) {
  std::vector<CalibrationPoint> out;
  for (const auto& p : points) {
    if (p.backend == b && p.decode == decode && p.holdout == holdout && p.seconds_at_peak > 0 &&
        p.measured_tokens_per_s > 0) {
      out.push_back(p);
    }
  }
  return out;
}

double median_abs_pct(const Efficiency& e, const std::vector<CalibrationPoint>& pts, bool decode) {
  std::vector<double> errors;
  for (const auto& p : pts) {
    const double predicted = decode ? predict_decode_tokens_per_s(e, p.seconds_at_peak, p.moe_layers, p.compute_seconds_at_peak)
                                    : predict_prefill_tokens_per_s(e, p.seconds_at_peak);
    errors.push_back(std::abs(predicted - p.measured_tokens_per_s) / p.measured_tokens_per_s);
  }
  return median(errors);
}

// Decode: 1/tps = x / efficiency + per_token_s + moe_layers × per_moe_layer_s. A grid over the two fixed
// costs (the MoE one only with ≥ 3 MoE rows), each point taking the median efficiency of the rows.
void fit_decode(Efficiency& e, const std::vector<CalibrationPoint>& pts) {
  if (pts.size() < kMinRowsToFit) return;
  const auto moe_rows = std::count_if(pts.begin(), pts.end(), [](const CalibrationPoint& p) { return p.moe_layers > 0; });
  const int moe_steps = moe_rows >= static_cast<std::ptrdiff_t>(kMinRowsToFit) ? kPerMoeLayerSteps : 0;
  double best_error = 1e300;
  for (int moe_step = 0; moe_step <= moe_steps; ++moe_step) {
    for (int step = 0; step <= kPerTokenSteps; ++step) {
      Efficiency trial = e;
      trial.per_token_s = kMaxPerTokenSeconds * step / kPerTokenSteps;
      trial.per_moe_layer_s = moe_steps == 0 ? 0 : kMaxPerMoeLayerSeconds * moe_step / moe_steps;
      std::vector<double> eff;
      std::size_t usable = 0;
      for (const auto& p : pts) {
        const double streaming = 1.0 / p.measured_tokens_per_s - trial.per_token_s - p.moe_layers * trial.per_moe_layer_s;
        if (streaming <= 0) break;  // these fixed costs exceed some measured token time
        ++usable;
        // A row whose matrix work alone takes longer (a CPU on few threads) says nothing about bandwidth.
        if (p.compute_seconds_at_peak / e.prefill_efficiency < streaming) eff.push_back(p.seconds_at_peak / streaming);
      }
      if (usable < pts.size() || eff.empty()) continue;
      trial.bandwidth_efficiency = median(eff);
      const double error = median_abs_pct(trial, pts, true);
      if (error < best_error) {
        best_error = error;
        e.bandwidth_efficiency = trial.bandwidth_efficiency;
        e.per_token_s = trial.per_token_s;
        e.per_moe_layer_s = trial.per_moe_layer_s;
      }
    }
  }
  e.decode_rows = pts.size();
}

void fit_prefill(Efficiency& e, const std::vector<CalibrationPoint>& pts) {
  if (pts.size() < kMinRowsToFit) return;
  std::vector<double> eff;
  for (const auto& p : pts) eff.push_back(p.measured_tokens_per_s * p.seconds_at_peak);
  e.prefill_efficiency = median(eff);
  e.prefill_rows = pts.size();
}

std::vector<double> ratios_of(const Efficiency& e, const std::vector<CalibrationPoint>& pts, bool decode) {
  std::vector<double> ratios;
  for (const auto& p : pts) {
    const double predicted = decode ? predict_decode_tokens_per_s(e, p.seconds_at_peak, p.moe_layers, p.compute_seconds_at_peak)
                                    : predict_prefill_tokens_per_s(e, p.seconds_at_peak);
    ratios.push_back(p.measured_tokens_per_s / predicted);
  }
  return ratios;
}

// The band: the 5th–95th percentile of measured / predicted on the backend's fit rows, never
// narrower than the 5th–95th percentile pooled over all backends (a few rows per backend
// understate the scatter of devices not yet seen) nor than ±10%.
struct Band {
  double low = 1;
  double high = 1;
};

void fit_band(Efficiency& e, const std::vector<CalibrationPoint>& pts, bool decode, const Band& pooled) {
  if (pts.size() < kMinRowsToFit) return;
  const auto ratios = ratios_of(e, pts, decode);
  const double low = std::min({quantile(ratios, kBandLowQuantile), pooled.low, 1 - kMinBandHalfWidth});
  const double high = std::max({quantile(ratios, kBandHighQuantile), pooled.high, 1 + kMinBandHalfWidth});
  (decode ? e.decode_ratio_low : e.prefill_ratio_low) = low;
  (decode ? e.decode_ratio_high : e.prefill_ratio_high) = high;
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

CalibrationPoint calibration_point(const Measurement& m, std::string label, bool holdout) {
  CalibrationPoint p;
  p.backend = m.backend;
  p.decode = m.phase == BenchPhase::decode;
  p.holdout = holdout;
  p.measured_tokens_per_s = m.measured_tokens_per_s;
  p.label = std::move(label);
  p.moe_layers = p.decode ? m.moe_layers : 0;
  const double work = p.decode ? m.weight_bytes_per_token : m.flops_per_token;
  const double rate = p.decode ? m.bandwidth_bytes_per_s : m.matmul_flops_per_s;
  p.seconds_at_peak = rate > 0 && work > 0 ? work / rate : 0;
  if (p.decode && m.matmul_flops_per_s > 0) p.compute_seconds_at_peak = m.decode_flops_per_token / m.matmul_flops_per_s;
  return p;
}

double decode_seconds(const Efficiency& e, double seconds_at_peak, double compute_seconds_at_peak, double moe_layers) {
  const double streaming = seconds_at_peak / e.bandwidth_efficiency;
  const double compute = e.prefill_efficiency > 0 ? compute_seconds_at_peak / e.prefill_efficiency : 0;
  return std::max(streaming, compute) + e.per_token_s + moe_layers * e.per_moe_layer_s;
}

double predict_decode_tokens_per_s(const Efficiency& e, double seconds_at_peak, double moe_layers,
                                   double compute_seconds_at_peak) {
  const double t = decode_seconds(e, seconds_at_peak, compute_seconds_at_peak, moe_layers);
  return t > 0 ? 1.0 / t : 0;
}

double predict_prefill_tokens_per_s(const Efficiency& e, double seconds_at_peak) {
  return seconds_at_peak > 0 ? e.prefill_efficiency / seconds_at_peak : 0;
}

const Efficiency& Calibration::get(Backend b) const {
  for (const Efficiency& e : backends) {
    if (e.backend == b) return e;
  }
  static const Efficiency kDefault{};
  return kDefault;
}

const CaseBand* Calibration::band(SpeedCase c) const {
  for (const CaseBand& b : case_bands) {
    if (b.speed_case == c) return &b;
  }
  return nullptr;
}

Calibration fit_calibration(const std::vector<CalibrationPoint>& points) {
  Calibration c;
  for (const BackendName& row : kBackendNames) {
    const Backend b = row.backend;
    Efficiency e;
    e.backend = b;
    // Defaults for a backend without data: conservative shares of peak (docs/calibration.md).
    e.bandwidth_efficiency = 0.6;
    e.prefill_efficiency = 0.3;
    e.decode_ratio_low = 0.6;
    e.decode_ratio_high = 1.4;
    e.prefill_ratio_low = 0.5;
    e.prefill_ratio_high = 1.5;
    const auto decode = select(points, b, true, false);
    const auto prefill = select(points, b, false, false);
    fit_prefill(e, prefill);  // first: decode on a CPU is bounded by the matrix rate prefill fits
    fit_decode(e, decode);
    c.backends.push_back(e);
  }
  // Pooled scatter of every backend's fit rows around its own factors.
  for (const bool decode : {true, false}) {
    std::vector<double> all;
    for (const Efficiency& e : c.backends) {
      const auto r = ratios_of(e, select(points, e.backend, decode, false), decode);
      all.insert(all.end(), r.begin(), r.end());
    }
    const Band pooled{quantile(all, kPooledLowQuantile), quantile(all, kPooledHighQuantile)};
    for (Efficiency& e : c.backends) fit_band(e, select(points, e.backend, decode, false), decode, pooled);
  }
  return c;
}

ErrorReport evaluate(const Calibration& c, const std::vector<CalibrationPoint>& points, BenchPhase phase,
                     Subset subset) {
  const bool decode = phase == BenchPhase::decode;
  const bool holdout = subset == Subset::holdout;
  ErrorReport r;
  std::vector<double> errors;
  std::size_t inside = 0;
  for (const auto& p : points) {
    if (p.decode != decode || p.holdout != holdout || p.seconds_at_peak <= 0) continue;
    const Efficiency& e = c.get(p.backend);
    const double predicted = decode ? predict_decode_tokens_per_s(e, p.seconds_at_peak, p.moe_layers, p.compute_seconds_at_peak)
                                    : predict_prefill_tokens_per_s(e, p.seconds_at_peak);
    errors.push_back(std::abs(predicted - p.measured_tokens_per_s) / p.measured_tokens_per_s);
    const double low = predicted * (decode ? e.decode_ratio_low : e.prefill_ratio_low);
    const double high = predicted * (decode ? e.decode_ratio_high : e.prefill_ratio_high);
    if (p.measured_tokens_per_s >= low && p.measured_tokens_per_s <= high) ++inside;
  }
  r.rows = errors.size();
  r.median_abs_pct = 100 * median(errors);
  r.within_band_share = errors.empty() ? 0 : static_cast<double>(inside) / static_cast<double>(errors.size());
  return r;
}

}  // namespace llmsize::engine
