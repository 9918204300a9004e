// Fitting per-backend efficiency factors on published llama-bench results.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "llmsize/engine/speed.h"

namespace llmsize::engine {
namespace {

constexpr std::size_t kMinRowsToFit = 3;
constexpr double kMaxPerTokenSeconds = 0.005;  // search range for the fixed per-token cost
constexpr int kPerTokenSteps = 100;
constexpr double kMaxPerMoeLayerSeconds = 100e-6;  // search range for the fixed cost per MoE layer
constexpr int kPerMoeLayerSteps = 20;
// Search range for the prompt's cost per layer and micro-batch: up to what launching a layer's ~20 kernels
// one by one costs at ~5 µs a launch (docs/calibration.md "A prompt's cost per layer").
constexpr double kMaxPerLayerPromptSeconds = 100e-6;
constexpr int kPerLayerPromptSteps = 20;
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

// How many of `pts` ran an MoE model.
std::size_t moe_rows(const std::vector<CalibrationPoint>& pts) {
  return static_cast<std::size_t>(std::count_if(pts.begin(), pts.end(), [](const CalibrationPoint& p) { return p.moe_layers > 0; }));
}

std::vector<CalibrationPoint> select(const std::vector<CalibrationPoint>& points, Backend b, bool decode, bool holdout) {
  std::vector<CalibrationPoint> out;
  for (const auto& p : points) {
    if (p.backend == b && p.engine == Engine::llama_cpp && p.decode == decode && p.holdout == holdout &&
        p.seconds_at_peak > 0 && p.measured_tokens_per_s > 0) {
      out.push_back(p);
    }
  }
  return out;
}

// Class `name`'s share of peak from the median `own` of its n rows. An
// architecture (a class with a parent) is pulled toward its parent's share `parent`: own^(n/(n+k)) ×
// parent^(k/(n+k)) with k = kArchitecturePriorRows. An architecture is one GPU generation, often measured by
// a handful of rows of one source and one build (an RTX 3090's Q2_K and Q3_K rows of January 2024, 2.3–2.5×
// slower than its Q4_0); the parent's factor counts as k rows of its own.
//
// A GPU's memory kind (a class without a parent: `nvidia hbm`, `amd unified`) is pulled toward its backend's
// share the same way with k = kMemoryKindPriorRows: three rows of one source had been enough to give `nvidia
// hbm` a decode share of 0.38 against CUDA's 0.82 (an A100's F16 row, an H100's Q4_K_M, a P100's gpt-oss), and
// the V100's and A30's scoreboard decode came out at 0.65–0.69 of measured. A CPU platform keeps its own
// median: a server's channels and a desktop's differ by 2× in the share they reach (cpu_device_class).
double class_share(Backend b, const std::string& name, double own, double parent, std::size_t n) {
  if (name.empty() || (class_parent(name).empty() && b == Backend::cpu) || own <= 0 || parent <= 0) return own;
  const double k = class_parent(name).empty() ? kMemoryKindPriorRows : kArchitecturePriorRows;
  const double w = static_cast<double>(n) / (static_cast<double>(n) + k);
  return std::exp(w * std::log(own) + (1 - w) * std::log(parent));
}

// A row's factor among those fitted per class (`fitted`, by class name): its own class's, else the nearest
// fitted class it descends from (an architecture's few rows: its family's, else the vendor's memory kind;
// class_lineage), else `fallback`.
template <class T>
const T& of_own_class(const std::map<std::string, T>& fitted, const std::string& device_class, const T& fallback) {
  for (const std::string& name : class_lineage(device_class)) {
    if (const auto it = fitted.find(name); it != fitted.end()) return it->second;
  }
  return fallback;
}

// The rows of each class with a name, a row counting in its own class and in each it descends from.
template <class P>
std::map<std::string, std::vector<P>> rows_by_class(const std::vector<CalibrationPoint>& pts) {
  std::map<std::string, std::vector<P>> out;
  for (const auto& p : pts) {
    for (const std::string& name : class_lineage(p.device_class)) {
      if constexpr (std::is_pointer_v<P>) {
        out[name].push_back(&p);
      } else {
        out[name].push_back(p);
      }
    }
  }
  return out;
}

// Decode: 1/tps = x / efficiency[class] + per_token_s + moe_layers × per_moe_layer_s. A grid over the two
// fixed costs (the MoE one only with ≥ 3 MoE rows); at each point every device class with
// kMinRowsPerClass rows takes the median efficiency of its rows, the others the backend's, as the
// predictions will (fit_class_decode). The point chosen has the smallest median error over the dense rows
// plus, with ≥ 3 MoE rows, that over the MoE rows: a few MoE rows among many dense ones would barely move
// the median error of all, and the cost per MoE layer would be fitted on nothing.
namespace {

// The median x / (1/tps − fixed costs) of `pts`, rows whose matrix work takes longer (a CPU on few threads)
// left out; 0 when none is usable or the fixed costs exceed some measured token time.
double median_efficiency(const Efficiency& e, const Efficiency& trial, const std::vector<const CalibrationPoint*>& pts) {
  std::vector<double> eff;
  for (const CalibrationPoint* p : pts) {
    const double streaming = 1.0 / p->measured_tokens_per_s - trial.per_token_s - p->moe_layers * trial.per_moe_layer_s;
    if (streaming <= 0) return 0;
    if (p->thread_share < kMinBandwidthThreadShare) continue;  // bounded by its class's slope (fit_class_decode)
    if (p->compute_seconds_at_peak / decode_compute_share(e) < streaming) eff.push_back(p->seconds_at_peak / streaming);
  }
  return median(eff);
}

}  // namespace

// `borrowed_moe_layer_s`: the cost per MoE layer to hold when the rows have too few MoE rows to fit one.
void fit_decode(Efficiency& e, const std::vector<CalibrationPoint>& pts, double borrowed_moe_layer_s = 0) {
  if (pts.size() < kMinRowsToFit) return;
  std::vector<const CalibrationPoint*> all;
  const auto by_class = rows_by_class<const CalibrationPoint*>(pts);
  for (const auto& p : pts) all.push_back(&p);
  const int moe_steps = moe_rows(pts) >= kMinRowsToFit ? kPerMoeLayerSteps : 0;
  double best_error = 1e300;
  for (int moe_step = 0; moe_step <= moe_steps; ++moe_step) {
    for (int step = 0; step <= kPerTokenSteps; ++step) {
      Efficiency trial = e;
      trial.per_token_s = kMaxPerTokenSeconds * step / kPerTokenSteps;
      trial.per_moe_layer_s = moe_steps == 0 ? borrowed_moe_layer_s : kMaxPerMoeLayerSeconds * moe_step / moe_steps;
      trial.bandwidth_efficiency = median_efficiency(e, trial, all);
      if (trial.bandwidth_efficiency <= 0) continue;
      std::map<std::string, double> class_efficiency;  // by name: a parent sorts before its architectures
      for (const auto& [name, rows] : by_class) {
        const double c = rows.size() >= kMinRowsPerClass ? median_efficiency(e, trial, rows) : 0;
        if (c <= 0) continue;
        class_efficiency[name] =
            class_share(e.backend, name, c, of_own_class(class_efficiency, class_parent(name), trial.bandwidth_efficiency), rows.size());
      }
      std::vector<double> dense_errors;
      std::vector<double> moe_errors;
      for (const CalibrationPoint* p : all) {
        // A CPU row on few threads is bounded by the slope its class fits after the fixed costs: it does not choose them.
        if (p->thread_share < kMinBandwidthThreadShare) continue;
        Efficiency own = trial;
        own.bandwidth_efficiency = of_own_class(class_efficiency, p->device_class, trial.bandwidth_efficiency);
        const double predicted =
            predict_decode_tokens_per_s(own, p->seconds_at_peak, p->moe_layers, p->compute_seconds_at_peak, p->thread_share);
        (p->moe_layers > 0 ? moe_errors : dense_errors).push_back(std::abs(predicted - p->measured_tokens_per_s) / p->measured_tokens_per_s);
      }
      const double error = (dense_errors.empty() ? 0 : median(dense_errors)) + (moe_steps > 0 ? median(moe_errors) : 0);
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
  for (const auto& p : pts) {
    if (const double share = prefill_share_of(p, e); share > 0) eff.push_back(share);
  }
  if (eff.empty()) return;
  e.prefill_efficiency = median(eff);
  e.prefill_rows = pts.size();
}

// Prompt: 1/tps = x / efficiency[class] + graph_runs × (per_token_s + layers × per_layer_prompt_s). A grid over
// the cost per layer (decode's per_token_s fixed), each step taking the backend's and each class's (with
// kMinRowsPerClass rows) median share of peak, as the predictions will; the step with the smallest mean
// |log(predicted / measured)| is kept. Rows of models of different depths at different prompt lengths tell the
// cost per layer from the share of peak: a 1B model's 16 layers over 128 tokens, a 32B model's 64 over 512.
// The mean, not the median: the few rows of small models and short prompts are the ones that show the cost,
// and a median over the many 7B pp512 rows does not see them.
void fit_prompt_fixed_cost(Efficiency& e, const std::vector<CalibrationPoint>& pts) {
  if (pts.size() < kMinRowsToFit) return;
  const auto by_class = rows_by_class<CalibrationPoint>(pts);
  double best_error = 1e300;
  Efficiency best = e;
  fit_prefill(best, pts);
  for (int step = 0; step <= kPerLayerPromptSteps; ++step) {
    Efficiency trial = e;
    trial.per_layer_prompt_s = kMaxPerLayerPromptSeconds * step / kPerLayerPromptSteps;
    fit_prefill(trial, pts);
    std::map<std::string, Efficiency> own;  // by name: a parent sorts before its architectures
    for (const auto& [name, rows] : by_class) {
      if (rows.size() < kMinRowsPerClass) continue;
      Efficiency c = trial;
      fit_prefill(c, rows);
      c.prefill_efficiency =
          class_share(e.backend, name, c.prefill_efficiency, of_own_class(own, class_parent(name), trial).prefill_efficiency, rows.size());
      own.emplace(name, c);
    }
    double error = 0;  // the sum of |log(predicted / measured)| over the rows
    for (const auto& p : pts) {
      const Efficiency& factors = of_own_class(own, p.device_class, trial);
      const double predicted =
          predict_prefill_tokens_per_s(factors, prefill_seconds_at_peak(p, factors), p.graph_runs_per_token, p.layers);
      if (!(predicted > 0)) {  // a cost some row is faster than
        error = best_error;
        break;
      }
      error += std::abs(std::log(predicted / p.measured_tokens_per_s));
    }
    if (error < best_error) {
      best_error = error;
      best = trial;
    }
  }
  e = best;
}

std::vector<double> ratios_of(const Efficiency& e, const std::vector<CalibrationPoint>& pts, bool decode) {
  std::vector<double> ratios;
  for (const auto& p : pts) {
    const double predicted = decode ? predict_decode_tokens_per_s(e, p.seconds_at_peak, p.moe_layers, p.compute_seconds_at_peak,
                                                                  p.thread_share)
                                    : predict_prefill_tokens_per_s(e, prefill_seconds_at_peak(p, e), p.graph_runs_per_token, p.layers);
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

// The 5th–95th percentile of measured / predicted over every backend's fit rows, each with its own factors.
Band pooled_band(const Calibration& c, const std::vector<CalibrationPoint>& points, bool decode) {
  std::vector<double> all;
  for (const Efficiency& e : c.backends) {
    const auto r = ratios_of(e, select(points, e.backend, decode, false), decode);
    all.insert(all.end(), r.begin(), r.end());
  }
  return {quantile(all, kPooledLowQuantile), quantile(all, kPooledHighQuantile)};
}

// The band of measured / predicted `ratios`: their 5th–95th percentile, never narrower than `pooled` nor ±10%.
// False (the band untouched) for fewer than kMinRowsToFit ratios.
bool set_band(Efficiency& e, const std::vector<double>& ratios, bool decode, const Band& pooled) {
  if (ratios.size() < kMinRowsToFit) return false;
  (decode ? e.decode_ratio_low : e.prefill_ratio_low) =
      std::min({quantile(ratios, kBandLowQuantile), pooled.low, 1 - kMinBandHalfWidth});
  (decode ? e.decode_ratio_high : e.prefill_ratio_high) =
      std::max({quantile(ratios, kBandHighQuantile), pooled.high, 1 + kMinBandHalfWidth});
  return true;
}

// The in-sample band: the ratios of the points to the factors fitted on them.
void fit_band(Efficiency& e, const std::vector<CalibrationPoint>& pts, bool decode, const Band& pooled) {
  if (pts.size() >= kMinRowsToFit) set_band(e, ratios_of(e, pts, decode), decode, pooled);
}

std::vector<CalibrationPoint> of_class(const std::vector<CalibrationPoint>& pts, const std::string& device_class) {
  std::vector<CalibrationPoint> out;
  for (const auto& p : pts) {
    if (in_class(p.device_class, device_class)) out.push_back(p);
  }
  return out;
}

// A CPU class's few_thread_bandwidth_slope: over its rows run on fewer than kMinBandwidthThreadShare of the
// cores whose streaming time exceeds their matrix work, the kFewThreadBoundQuantile of the share of peak
// bandwidth each drew per unit of thread share, x / (1/tps − fixed costs) / thread share; none with fewer
// than kMinRowsPerClass such rows. Each row's share is a lower bound of the slope (a row its matrix work
// holds back draws less), so the slope is taken near their top. A row drawing more than the class's share
// on all cores caps nothing.
void fit_few_thread_bandwidth_slope(Efficiency& e, const std::vector<CalibrationPoint>& pts) {
  std::vector<double> slopes;
  for (const auto& p : pts) {
    if (p.backend != Backend::cpu || p.thread_share >= kMinBandwidthThreadShare || p.thread_share <= 0) continue;
    const double streaming = 1.0 / p.measured_tokens_per_s - e.per_token_s - p.moe_layers * e.per_moe_layer_s;
    if (streaming <= 0 || p.compute_seconds_at_peak / decode_compute_share(e) >= streaming) continue;
    slopes.push_back(p.seconds_at_peak / streaming / p.thread_share);
  }
  e.few_thread_bandwidth_slope = slopes.size() >= kMinRowsPerClass ? quantile(slopes, kFewThreadBoundQuantile) : 0;
}

// A CPU class's decode_compute_efficiency: over its rows whose streaming at the class's share (and slope)
// takes less than kComputeBoundTimeShare of the measured time, which their matrix-vector products must
// then fill, the kFewThreadBoundQuantile of c / (1/tps − fixed costs); each is a lower bound of the share,
// as for the slope. Unchanged (the prefill share, decode_compute_share) with fewer than kMinRowsPerClass.
void fit_decode_compute_share(Efficiency& e, const std::vector<CalibrationPoint>& pts) {
  std::vector<double> shares;
  for (const auto& p : pts) {
    if (p.backend != Backend::cpu || p.compute_seconds_at_peak <= 0) continue;
    const double streaming = 1.0 / p.measured_tokens_per_s - e.per_token_s - p.moe_layers * e.per_moe_layer_s;
    if (streaming <= 0) continue;
    if (p.seconds_at_peak / bandwidth_share(e, p.thread_share) >= kComputeBoundTimeShare * streaming) continue;
    shares.push_back(p.compute_seconds_at_peak / streaming);
  }
  if (shares.size() >= kMinRowsPerClass) e.decode_compute_efficiency = quantile(shares, kFewThreadBoundQuantile);
}

// A class's decode share of peak bandwidth with the backend's fixed costs: the median over its rows of
// x / (1/tps − per_token_s − moe_layers × per_moe_layer_s), rows whose matrix work takes longer (a CPU on
// few threads), a CPU's rows of mostly IQ weights (kMatrixBoundIqShare) and rows faster than the fixed costs
// allow left out. False when fewer than
// kMinRowsPerClass rows remain.
bool fit_class_decode(Efficiency& e, const std::vector<CalibrationPoint>& pts) {
  // On a CPU the three bounds sort the rows between them, each fitted on the rows the others leave: a few
  // rounds, starting from the prefill share as the matrix-vector rate.
  const bool cpu = e.backend == Backend::cpu;
  for (int round = 0; round < (cpu ? kCpuDecodeRounds : 1); ++round) {
    std::vector<double> eff;
    for (const auto& p : pts) {
      const double streaming = 1.0 / p.measured_tokens_per_s - e.per_token_s - p.moe_layers * e.per_moe_layer_s;
      if (streaming <= 0 || p.compute_seconds_at_peak / decode_compute_share(e) >= streaming) continue;
      if (p.thread_share < kMinBandwidthThreadShare || p.iq_weight_share >= kMatrixBoundIqShare) continue;
      eff.push_back(p.seconds_at_peak / streaming);
    }
    if (eff.size() < kMinRowsPerClass) return false;
    e.bandwidth_efficiency = median(eff);
    e.decode_rows = pts.size();
    fit_few_thread_bandwidth_slope(e, pts);
    if (cpu) fit_decode_compute_share(e, pts);
  }
  return true;
}

// The device classes of a backend's decode, then prefill, fit points, each once, in order of appearance,
// each parent (class_parent) before the first of its architectures.
std::vector<std::string> classes_of(const std::vector<CalibrationPoint>& decode,
                                    const std::vector<CalibrationPoint>& prefill) {
  std::vector<std::string> out;
  for (const auto* pts : {&decode, &prefill}) {
    for (const auto& p : *pts) {
      const std::vector<std::string> lineage = class_lineage(p.device_class);
      for (auto name = lineage.rbegin(); name != lineage.rend(); ++name) {  // the farthest ancestor first
        if (std::find(out.begin(), out.end(), *name) == out.end()) out.push_back(*name);
      }
    }
  }
  return out;
}

// Prefill's share of peak as the rows of the *other* devices fit it: the median over the class's rows
// without `device`'s where kMinRowsPerClass remain, else over its parent class's, else over the backend's
// (kMinRowsToFit), else 0.
double prefill_efficiency_without(const std::vector<CalibrationPoint>& rows, const std::string& device,
                                  const std::string& device_class, const Efficiency& fixed) {
  const std::string parent = class_parent(device_class);
  std::vector<double> own;
  std::vector<double> of_parent;
  std::vector<double> all;
  for (const auto& p : rows) {
    if (p.device == device) continue;
    const double eff = prefill_share_of(p, fixed);
    if (eff <= 0) continue;
    all.push_back(eff);
    if (!device_class.empty() && p.device_class == device_class) own.push_back(eff);
    if (!parent.empty() && in_class(p.device_class, parent)) of_parent.push_back(eff);
  }
  if (own.size() >= kMinRowsPerClass) return median(own);
  if (of_parent.size() >= kMinRowsPerClass) return median(of_parent);
  return all.size() >= kMinRowsToFit ? median(all) : 0;
}

// Measured / predicted of each prefill row with the factors fitted without its device (leave one device
// out): how far a device the fit has not seen lands, which in-sample residuals understate (a class or a
// backend of a few devices fits its own rows closely). Rows of a device without another to fit on are
// left out.
std::vector<double> prefill_ratios_unseen(const std::vector<CalibrationPoint>& rows,
                                          const std::vector<CalibrationPoint>& of, const Efficiency& fixed) {
  std::vector<double> ratios;
  for (const auto& p : of) {
    const double eff = p.device.empty() ? 0 : prefill_efficiency_without(rows, p.device, p.device_class, fixed);
    if (eff <= 0) continue;
    Efficiency unseen = fixed;
    unseen.prefill_efficiency = eff;
    ratios.push_back(p.measured_tokens_per_s /
                     predict_prefill_tokens_per_s(unseen, prefill_seconds_at_peak(p, unseen), p.graph_runs_per_token, p.layers));
  }
  return ratios;
}

// The prefill band from the rows predicted unseen; where fewer than kMinRowsToFit could be (one machine's
// own rows, `calibrate`), the in-sample band of `pts` instead.
void set_prefill_band(Efficiency& e, const std::vector<CalibrationPoint>& rows, const std::vector<CalibrationPoint>& pts,
                      const Band& pooled) {
  if (!set_band(e, prefill_ratios_unseen(rows, pts, e), false, pooled)) fit_band(e, pts, false, pooled);
}

// The prefill fit points of `engine`'s runs on backend `b` (not held back).
std::vector<CalibrationPoint> of_engine(const std::vector<CalibrationPoint>& points, Backend b, Engine engine) {
  std::vector<CalibrationPoint> out;
  for (const auto& p : points) {
    if (p.backend == b && p.engine == engine && !p.decode && !p.holdout && p.seconds_at_peak > 0 &&
        p.measured_tokens_per_s > 0) {
      out.push_back(p);
    }
  }
  return out;
}

// The CPU's decode fit points of every engine. Weights stream from the same memory whichever engine
// multiplies them, and the rows disagree by platform (a desktop's two channels against a server's eight or
// twelve, cpu_device_class), not by engine: each CPU class's share of peak bandwidth is fitted on all of
// them (ik_llama.cpp's decode rows are most of the CPU's).
std::vector<CalibrationPoint> cpu_decode_points(const std::vector<CalibrationPoint>& points) {
  std::vector<CalibrationPoint> out;
  for (const auto& p : points) {
    if (p.backend == Backend::cpu && p.decode && !p.holdout && p.seconds_at_peak > 0 && p.measured_tokens_per_s > 0) {
      out.push_back(p);
    }
  }
  return out;
}

struct PooledBands {
  Band decode;
  Band prefill;
};

// `e` (a copy of `base` naming its class or engine) refitted on a subset of runs: base's fixed costs, the
// subset's own share of peak and band for each test with kMinRowsPerClass rows (prefill's band leaves each
// device out of `band_rows` in turn). A subset's few rows understate the scatter of its devices not yet seen:
// its band is never narrower than base's. False when neither test had the rows.
bool fit_subset(Efficiency& e, const std::vector<CalibrationPoint>& decode, const std::vector<CalibrationPoint>& prefill,
                const std::vector<CalibrationPoint>& band_rows, const Efficiency& base, const PooledBands& bands) {
  e.decode_rows = 0;
  e.prefill_rows = 0;
  const Efficiency parent = e;  // an architecture's shares are pulled toward its parent's, which e starts as
  // Prefill first: a CPU's decode is bounded by the matrix rate prefill fits.
  if (prefill.size() >= kMinRowsPerClass) {
    fit_prefill(e, prefill);
    e.prefill_efficiency = class_share(e.backend, e.device_class, e.prefill_efficiency, parent.prefill_efficiency, prefill.size());
    set_prefill_band(e, band_rows, prefill, bands.prefill);
  }
  if (fit_class_decode(e, decode)) {
    e.bandwidth_efficiency = class_share(e.backend, e.device_class, e.bandwidth_efficiency, parent.bandwidth_efficiency, e.decode_rows);
    fit_band(e, decode, true, bands.decode);
  }
  e.decode_ratio_low = std::min(e.decode_ratio_low, base.decode_ratio_low);
  e.decode_ratio_high = std::max(e.decode_ratio_high, base.decode_ratio_high);
  e.prefill_ratio_low = std::min(e.prefill_ratio_low, base.prefill_ratio_low);
  e.prefill_ratio_high = std::max(e.prefill_ratio_high, base.prefill_ratio_high);
  return e.decode_rows > 0 || e.prefill_rows > 0;
}

// A GPU backend whose decode rows are too few MoE rows to fit its cost per MoE layer (fewer than
// kMinRowsToFit) holds the median of the GPU backends that fitted one, and fits its per-token cost and share
// again with it, rather than pricing routing and the expert kernels at 0: Metal's two MoE fit rows (an M2
// Ultra's DeepSeek-V2-Lite and Qwen3-Coder-30B-A3B) and its held-back third measure 82–84 µs per MoE layer
// beyond its dense rows, where CUDA, ROCm and Vulkan fitted 60–85 (docs/calibration.md "Metal's cost per MoE
// layer").
void borrow_moe_layer_cost(std::vector<Efficiency>& backends, const std::vector<CalibrationPoint>& points) {
  std::vector<double> fitted;
  for (const Efficiency& e : backends) {
    if (e.backend != Backend::cpu && moe_rows(select(points, e.backend, true, false)) >= kMinRowsToFit) fitted.push_back(e.per_moe_layer_s);
  }
  if (fitted.empty()) return;
  for (Efficiency& e : backends) {
    const auto decode = select(points, e.backend, true, false);
    if (e.backend == Backend::cpu || e.decode_rows == 0 || moe_rows(decode) >= kMinRowsToFit) continue;
    fit_decode(e, decode, median(fitted));
    fit_prompt_fixed_cost(e, select(points, e.backend, false, false));  // it pays decode's per-token cost per micro-batch
  }
}

// A GPU backend without fit rows of a test (SYCL today) would pay no fixed cost at all, and an MoE model
// on it would decode as if routing and expert launches were free (two Arc B580s on SYCL ranked first for
// Qwen3-30B-A3B at 142 tok/s, where two A770s on Vulkan measured 66). It takes the median of the fitted GPU
// backends' fixed costs instead: decode's per token and per MoE layer, the prompt's per layer.
void borrow_fixed_costs(std::vector<Efficiency>& backends) {
  std::vector<double> per_token;
  std::vector<double> per_moe_layer;
  std::vector<double> per_layer_prompt;
  for (const Efficiency& e : backends) {
    if (e.backend == Backend::cpu) continue;
    if (e.decode_rows > 0) {
      per_token.push_back(e.per_token_s);
      per_moe_layer.push_back(e.per_moe_layer_s);
    }
    if (e.prefill_rows > 0) per_layer_prompt.push_back(e.per_layer_prompt_s);
  }
  for (Efficiency& e : backends) {
    if (e.backend == Backend::cpu) continue;
    if (e.decode_rows == 0 && !per_token.empty()) {
      e.per_token_s = median(per_token);
      e.per_moe_layer_s = median(per_moe_layer);
    }
    if (e.prefill_rows == 0 && !per_layer_prompt.empty()) e.per_layer_prompt_s = median(per_layer_prompt);
  }
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
  p.device_class = m.device_class;
  p.device = m.device;
  p.thread_share = m.thread_share;
  p.engine = m.engine;
  const double work = p.decode ? m.weight_bytes_per_token : m.flops_per_token;
  const double rate = p.decode ? m.bandwidth_bytes_per_s : m.matmul_flops_per_s;
  p.seconds_at_peak = rate > 0 && work > 0 ? work / rate : 0;
  if (p.decode && m.matmul_flops_per_s > 0) p.compute_seconds_at_peak = m.decode_flops_per_token / m.matmul_flops_per_s;
  if (p.decode && m.backend == Backend::cpu) p.iq_weight_share = m.iq_weight_share;
  if (!p.decode) {
    p.graph_runs_per_token = m.graph_runs_per_token;
    p.layers = m.layers;
    p.depth_tokens = m.depth_tokens;
    if (rate > 0) {
      p.attention_seconds_at_peak = m.attention_flops_per_token / rate;
      for (std::size_t k = 0; k < kMatmulKernels; ++k) p.kernel_seconds_at_peak[k] = m.kernel_flops_per_token[k] / rate;
      // BF16 matrices at the device's share of its FP16 path (a scalar shader on RDNA3's Vulkan): their
      // seconds at peak grow by 1/share, so the family's fitted speed is relative to what the device can do.
      constexpr auto kBf16 = static_cast<std::size_t>(MatmulKernel::bf16);
      if (m.bf16_matmul_share > 0 && m.bf16_matmul_share < 1) {
        const double at_share = p.kernel_seconds_at_peak[kBf16] / m.bf16_matmul_share;
        p.seconds_at_peak += at_share - p.kernel_seconds_at_peak[kBf16];
        p.kernel_seconds_at_peak[kBf16] = at_share;
      }
    }
  }
  return p;
}

double attention_share(const Efficiency& e) {
  return e.attention_efficiency > 0 ? e.attention_efficiency : attention_efficiency(e.backend);
}

namespace {

// A prefill point's matrix work at peak with backend e's speed on each kernel family (its attention apart).
double matrix_seconds_at_peak(const CalibrationPoint& p, const Efficiency& e) {
  double seconds = p.seconds_at_peak;
  for (std::size_t k = 0; k < kMatmulKernels; ++k) {
    seconds += p.kernel_seconds_at_peak[k] * (1.0 / e.prefill_kernel_speed[k] - 1.0);
  }
  return seconds;
}

}  // namespace

double prefill_seconds_at_peak(const CalibrationPoint& p, const Efficiency& e) {
  if (p.decode) return p.seconds_at_peak;
  return matrix_seconds_at_peak(p, e) + p.attention_seconds_at_peak / attention_share(e);
}

double split_per_token_share(double layers, double total_layers, std::size_t devices) {
  if (devices < 2 || total_layers <= 0) return 1;
  return kSplitDeviceFixedShare + (1 - kSplitDeviceFixedShare) * layers / total_layers;
}

double decode_seconds(const Efficiency& e, double seconds_at_peak, double compute_seconds_at_peak, double moe_layers,
                      double per_token_share, double thread_share) {
  const double streaming = seconds_at_peak / bandwidth_share(e, thread_share);
  const double share = decode_compute_share(e);
  const double compute = share > 0 ? compute_seconds_at_peak / share : 0;
  return std::max(streaming, compute) + e.per_token_s * per_token_share + moe_layers * e.per_moe_layer_s;
}

double predict_decode_tokens_per_s(const Efficiency& e, double seconds_at_peak, double moe_layers,
                                   double compute_seconds_at_peak, double thread_share) {
  const double t = decode_seconds(e, seconds_at_peak, compute_seconds_at_peak, moe_layers, 1, thread_share);
  return t > 0 ? 1.0 / t : 0;
}

double predict_prefill_tokens_per_s(const Efficiency& e, double seconds_at_peak, double graph_runs_per_token,
                                    double layers) {
  if (seconds_at_peak <= 0 || e.prefill_efficiency <= 0) return 0;
  return 1.0 / (seconds_at_peak / e.prefill_efficiency + graph_runs_per_token * graph_run_seconds(e, layers));
}

double prefill_share_of(const CalibrationPoint& p, const Efficiency& fixed) {
  const double compute = 1.0 / p.measured_tokens_per_s - p.graph_runs_per_token * graph_run_seconds(fixed, p.layers);
  return compute > 0 ? prefill_seconds_at_peak(p, fixed) / compute : 0;
}

const Efficiency& Calibration::get(Backend b) const {
  for (const Efficiency& e : backends) {
    if (e.backend == b) return e;
  }
  static const Efficiency kDefault{};
  return kDefault;
}

const Efficiency& Calibration::get(Backend b, const std::string& device_class) const {
  return get(b, device_class, Engine::llama_cpp);
}

const Efficiency& Calibration::get(Backend b, const std::string& device_class, Engine engine) const {
  auto find = [&](std::string_view name, Engine of) -> const Efficiency* {
    for (const Efficiency& e : classes) {
      if (e.backend == b && e.engine == of && e.device_class == name) return &e;
    }
    return nullptr;
  };
  // The class's own factors, else the nearest fitted class it descends from (an architecture without enough
  // rows: its family's, else its vendor's memory kind): class_lineage's walk, over views of the one name, as
  // every prediction asks this for every device.
  auto find_class = [&](Engine of) -> const Efficiency* {
    for (std::string_view name = device_class; !name.empty();) {
      if (const Efficiency* e = find(name, of)) return e;
      const auto at = name.rfind(kClassSeparator);
      name = at == std::string_view::npos ? std::string_view() : name.substr(0, at);
    }
    return nullptr;
  };
  if (engine != Engine::llama_cpp) {  // an engine without rows of its own (vLLM) finds none: llama.cpp's
    if (const Efficiency* e = find_class(engine)) return *e;
    if (const Efficiency* e = find("", engine)) return *e;
  }
  if (const Efficiency* e = find_class(Engine::llama_cpp)) return *e;
  return get(b);
}

const CaseBand* Calibration::band(SpeedCase c, Engine engine) const {
  for (const CaseBand& b : case_bands) {
    if (b.speed_case == c && b.engine == engine) return &b;
  }
  return nullptr;
}

namespace {

// Each backend's speed on each kernel family, where fitted (GPU backends only; absent: all 1).
using KernelSpeeds = std::map<Backend, PerKernel>;

// The kernel family doing at least kMinKernelShare of a prefill point's matrix work; none for a point without
// the split (the CPU's) or without such a family.
std::optional<std::size_t> main_kernel(const CalibrationPoint& p) {
  double total = 0;
  for (double s : p.kernel_seconds_at_peak) total += s;
  for (std::size_t k = 0; k < kMatmulKernels && total > 0; ++k) {
    if (p.kernel_seconds_at_peak[k] >= kMinKernelShare * total) return k;
  }
  return std::nullopt;
}

// One round of the kernel speeds (Efficiency::prefill_kernel_speed) on calibration `c`: on each GPU backend, each
// family with kMinKernelRows fit rows where it does at least kMinKernelShare of the matrix work gets the speed
// at which those rows' median measured / predicted r would be 1, speed × r, pulled toward 1 as
// (speed × r)^(n/(n+kKernelPriorRows)); a family without the rows keeps 1. The shares of peak, refitted after
// each round, take what all families have in common. False when no speed moved.
bool fit_kernel_speeds(const Calibration& c, const std::vector<CalibrationPoint>& points, KernelSpeeds& speeds) {
  constexpr double kSettled = 1e-4;
  bool moved = false;
  for (const Efficiency& backend : c.backends) {
    if (backend.backend == Backend::cpu) continue;
    std::array<std::vector<double>, kMatmulKernels> ratios;
    for (const CalibrationPoint& p : select(points, backend.backend, false, false)) {
      const Efficiency& e = c.get(p.backend, p.device_class);
      const double predicted = predict_prefill_tokens_per_s(e, prefill_seconds_at_peak(p, e), p.graph_runs_per_token, p.layers);
      const auto k = main_kernel(p);
      if (k && predicted > 0) ratios[*k].push_back(p.measured_tokens_per_s / predicted);
    }
    PerKernel speed = backend.prefill_kernel_speed;
    for (std::size_t k = 0; k < kMatmulKernels; ++k) {
      const auto n = static_cast<double>(ratios[k].size());
      if (ratios[k].size() < kMinKernelRows) continue;
      speed[k] = std::pow(speed[k] * median(ratios[k]), n / (n + kKernelPriorRows));
      moved = moved || std::abs(std::log(speed[k] / backend.prefill_kernel_speed[k])) > kSettled;
    }
    speeds[backend.backend] = speed;
  }
  return moved;
}

// A GPU backend's fitted attention share (Efficiency::attention_efficiency), where it has the depth rows.
using AttentionShares = std::map<Backend, double>;

Calibration fit_shares(const std::vector<CalibrationPoint>& points, const KernelSpeeds& speeds,
                       const AttentionShares& attention = {}) {
  Calibration c;
  for (const BackendName& row : kBackendNames) {
    const Backend b = row.backend;
    Efficiency e;
    e.backend = b;
    if (const auto it = speeds.find(b); it != speeds.end()) e.prefill_kernel_speed = it->second;
    if (const auto it = attention.find(b); it != attention.end()) e.attention_efficiency = it->second;
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
    // Again, with the per-token cost decode fitted paid per micro-batch, and on a GPU the prompt's cost per layer.
    if (b == Backend::cpu) {
      fit_prefill(e, prefill);
    } else {
      fit_prompt_fixed_cost(e, prefill);
    }
    c.backends.push_back(e);
  }
  borrow_moe_layer_cost(c.backends, points);
  borrow_fixed_costs(c.backends);
  // Decode: the pooled scatter of every backend's fit rows around its own factors.
  const Band pooled_decode = pooled_band(c, points, true);
  for (Efficiency& e : c.backends) fit_band(e, select(points, e.backend, true, false), true, pooled_decode);
  // Prefill: the scatter of rows predicted without their own device (prefill_ratios_unseen), per backend and
  // pooled over all; the class factors below make in-sample prefill residuals too narrow to mean anything.
  std::vector<double> unseen_all;
  for (const Efficiency& e : c.backends) {
    const auto rows = select(points, e.backend, false, false);
    const auto r = prefill_ratios_unseen(rows, rows, e);
    unseen_all.insert(unseen_all.end(), r.begin(), r.end());
  }
  const Band pooled_prefill = unseen_all.size() >= kMinRowsToFit
                                  ? Band{quantile(unseen_all, kPooledLowQuantile), quantile(unseen_all, kPooledHighQuantile)}
                                  : pooled_band(c, points, false);
  for (Efficiency& e : c.backends) {
    const auto rows = select(points, e.backend, false, false);
    if (rows.size() >= kMinRowsToFit) set_prefill_band(e, rows, rows, pooled_prefill);
  }
  const PooledBands bands{pooled_decode, pooled_prefill};
  // Device classes: the backend's fixed costs, the class's own share of peak and band where it has the rows.
  for (const Efficiency& backend : c.backends) {
    const auto decode = backend.backend == Backend::cpu ? cpu_decode_points(points) : select(points, backend.backend, true, false);
    const auto prefill = select(points, backend.backend, false, false);
    for (const std::string& name : classes_of(decode, prefill)) {
      Efficiency e = c.get(backend.backend, class_parent(name));  // an architecture starts from its parent's
      e.device_class = name;
      if (fit_subset(e, of_class(decode, name), of_class(prefill, name), prefill, backend, bands)) c.classes.push_back(e);
    }
  }
  // Other engines (ik_llama.cpp): on each backend their own prefill share of peak, then their device classes',
  // on their own rows alone; llama.cpp's factors where they have too few rows. Decode keeps llama.cpp's class
  // factors, the matrix-vector rate too: weights stream from the same memory. Its decode rows disagree by
  // platform rather than by engine (the Ryzen 9 7950X's at 1.9–2.5× the backend's prediction, the Threadripper
  // PRO 5975WX's at 0.3–0.8, docs/calibration.md), so they join the CPU classes' decode fit (cpu_decode_points)
  // instead of an engine share of their own.
  for (const EnumName<Engine>& engine : kEngineNames) {
    if (engine.value == Engine::llama_cpp) continue;
    for (const Efficiency& backend : c.backends) {
      const auto prefill = of_engine(points, backend.backend, engine.value);
      if (prefill.empty()) continue;
      Efficiency own = backend;
      own.engine = engine.value;
      own.decode_compute_efficiency = decode_compute_share(backend);
      const bool fitted = fit_subset(own, {}, prefill, prefill, backend, bands);
      if (fitted) c.classes.push_back(own);
      const Efficiency& base = fitted ? own : backend;
      // Each device class of the engine's rows, and each of llama.cpp's on this backend: llama.cpp's decode
      // factors for the class (its share of peak bandwidth and matrix-vector rate), the engine's prompt share,
      // the class's own where it has kMinRowsPerClass rows, else the engine's on this backend.
      std::vector<std::string> names = classes_of({}, prefill);
      for (const Efficiency& l : c.classes) {
        if (l.backend == backend.backend && l.engine == Engine::llama_cpp &&
            std::find(names.begin(), names.end(), l.device_class) == names.end()) {
          names.push_back(l.device_class);
        }
      }
      for (const std::string& name : names) {
        const Efficiency mainline = c.get(backend.backend, name);
        Efficiency e = mainline;
        e.engine = engine.value;
        e.device_class = name;
        e.decode_compute_efficiency = decode_compute_share(mainline);
        e.prefill_efficiency = base.prefill_efficiency;
        e.prefill_ratio_low = base.prefill_ratio_low;
        e.prefill_ratio_high = base.prefill_ratio_high;
        const bool own_rows = fit_subset(e, {}, of_class(prefill, name), prefill, base, bands);
        if (!own_rows) e.prefill_rows = fitted ? own.prefill_rows : 0;
        if (own_rows || fitted) c.classes.push_back(e);
      }
    }
  }
  return c;
}

// Each GPU backend's attention share on its depth points (fit_calibration): per row, the share that predicts
// it exactly with the factors `c` gives its device class and engine, then the median, within the bounds.
AttentionShares fit_attention_shares(const Calibration& c, const std::vector<CalibrationPoint>& depth) {
  AttentionShares shares;
  for (const BackendName& row : kBackendNames) {
    if (row.backend == Backend::cpu) continue;
    std::vector<double> per_row;
    for (const CalibrationPoint& p : depth) {
      if (p.backend != row.backend || p.decode || p.holdout || p.engine != Engine::llama_cpp) continue;
      if (!(p.attention_seconds_at_peak > 0) || !(p.measured_tokens_per_s > 0)) continue;
      const Efficiency& e = c.get(p.backend, p.device_class, p.engine);
      const double matmul = matrix_seconds_at_peak(p, e);
      const double compute = 1.0 / p.measured_tokens_per_s - p.graph_runs_per_token * graph_run_seconds(e, p.layers);
      const double attention = compute * e.prefill_efficiency - matmul;  // its seconds at peak × share
      per_row.push_back(attention > 0 ? std::clamp(p.attention_seconds_at_peak / attention, kMinAttentionShare, kMaxAttentionShare)
                                      : kMaxAttentionShare);
    }
    if (per_row.size() >= kMinRowsToFit) shares[row.backend] = median(per_row);
  }
  return shares;
}

}  // namespace

// The shares of peak with every kernel family at speed 1, then rounds of kernel speeds each followed by the
// shares refitted with them (the rows of a class are of several families: its share and the families' speeds
// are fitted in turn), until no speed moves or kKernelRounds.
Calibration fit_calibration(const std::vector<CalibrationPoint>& all) {
  constexpr int kKernelRounds = 8;
  std::vector<CalibrationPoint> points;
  std::vector<CalibrationPoint> depth;
  for (const CalibrationPoint& p : all) (p.depth_tokens > 0 ? depth : points).push_back(p);
  KernelSpeeds speeds;
  Calibration c = fit_shares(points, speeds);
  for (int round = 0; round < kKernelRounds && fit_kernel_speeds(c, points, speeds); ++round) c = fit_shares(points, speeds);
  const AttentionShares attention = fit_attention_shares(c, depth);
  return attention.empty() ? c : fit_shares(points, speeds, attention);
}

ErrorReport evaluate(const Calibration& c, const std::vector<CalibrationPoint>& points, BenchPhase phase,
                     Subset subset) {
  const bool decode = phase == BenchPhase::decode;
  const bool holdout = subset == Subset::holdout;
  ErrorReport r;
  std::vector<double> errors;
  std::size_t inside = 0;
  for (const auto& p : points) {
    if (p.decode != decode || p.holdout != holdout || p.seconds_at_peak <= 0 || p.depth_tokens > 0) continue;
    const Efficiency& e = c.get(p.backend, p.device_class, p.engine);
    const double predicted = decode ? predict_decode_tokens_per_s(e, p.seconds_at_peak, p.moe_layers, p.compute_seconds_at_peak,
                                                                  p.thread_share)
                                    : predict_prefill_tokens_per_s(e, prefill_seconds_at_peak(p, e), p.graph_runs_per_token, p.layers);
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
