#pragma once
/// Power draw, electricity cost, PSU size and model load time.
#include <cstdint>
#include <optional>
#include <vector>

namespace llmsize::engine {

/// Without a speed prediction (a build that does not fit), the share of board power a GPU draws while
/// decoding: memory-bound (nvidia-smi readings people post while running llama.cpp: ~60–75% of the
/// power limit; docs/formulas.md).
inline constexpr double kDecodePowerFraction = 0.7;
/// Without a prediction, prompt processing: compute-bound, near the power limit.
inline constexpr double kPrefillPowerFraction = 0.95;
/// A CPU feeding GPUs spins one thread; a CPU-only decode keeps all cores busy waiting on memory.
inline constexpr double kCpuFeedingGpuFraction = 0.25;
inline constexpr double kCpuDecodeFraction = 0.8;
/// Motherboard, RAM, fans and drives (estimate).
inline constexpr double kPlatformWatts = 50;
/// Idle board power when the catalog has no measurement: 8% of the power limit (estimate).
inline constexpr double kIdleFractionWithoutData = 0.08;
/// PSU headroom for transient spikes (GPU power excursions exceed the rated limit briefly).
inline constexpr double kPsuHeadroom = 1.3;

struct PowerInputs {
  std::vector<double> gpu_tdp_watts;                 ///< discrete GPUs that run layers
  std::vector<std::optional<double>> gpu_idle_watts;
  double cpu_tdp_watts = 0;
  bool cpu_runs_layers = false;                      ///< CPU-only or offload
  /// A single-board computer (Raspberry Pi, RK3588 boards): cpu_tdp_watts is the whole board's supply rating,
  /// so no platform watts are added and no ATX PSU is sized (psu_watts 0: the board has its own supply).
  bool single_board = false;
  std::optional<double> system_tdp_watts;            ///< unified-memory machine (whole package)
  std::optional<double> system_idle_watts;
  /// Identical machines in a pipeline (several nodes): gpu_tdp_watts lists the GPUs of all of them;
  /// each machine adds its CPU and platform (or, unified, its whole package); the PSU is per machine.
  std::uint32_t machines = 1;
  /// How hard the speed prediction drives each device (SpeedResult::device_loads): the GPUs in
  /// gpu_tdp_watts order, or a unified machine's package per machine. Empty: no prediction, and the
  /// flat fractions above apply.
  std::vector<double> decode_utilisation;
  std::vector<double> prefill_utilisation;
};

/// A device's draw while it is driven at `utilisation` (0–1): from idle to its power limit in
/// proportion. Decode drives a GPU by the share of peak bandwidth it streams at, prefill by the share
/// of the prompt's time it computes (docs/formulas.md, "Power and cost").
[[nodiscard]] double board_watts(double limit_watts, double idle_watts, double utilisation);

struct DevicePower {
  double board_watts_decode = 0;
  double board_watts_prefill = 0;
  double board_watts_idle = 0;
};

struct PowerResult {
  double watts_decode = 0;
  double watts_prefill = 0;
  double watts_idle = 0;
  double psu_watts = 0;  ///< recommended PSU, rounded up to a standard size (0 for unified machines)
  /// Per GPU (gpu_tdp_watts order), or per unified machine; with a prediction only.
  std::vector<DevicePower> devices;
};

[[nodiscard]] PowerResult estimate_power(const PowerInputs& in);

struct UsageProfile {
  double hours_per_day = 24;
  double utilisation = 1.0;  ///< share of those hours spent generating
  double days_per_month = 30;
  double price_per_kwh = 0.16;
};

struct CostResult {
  double kwh_per_mtok = 0;
  double cost_per_mtok = 0;
  double monthly_kwh = 0;
  double monthly_cost = 0;
  double tokens_per_month = 0;
  std::optional<double> api_monthly_cost;    ///< the same tokens at an API price
  std::optional<double> breakeven_months;    ///< hardware price / (API cost − electricity) per month
};

/// Monthly energy: watts × hours × days × utilisation, plus idle watts for the rest of the hours.
[[nodiscard]] CostResult estimate_cost(const PowerResult& power, double decode_tokens_per_s, const UsageProfile& usage,
                                       std::optional<double> api_price_per_mtok, std::optional<double> hardware_price);

/// Seconds to read the weights from storage (MB/s, decimal) and, for GPUs, over the host link.
[[nodiscard]] double load_seconds(std::uint64_t bytes, double storage_mb_per_s, double link_bytes_per_s);

}  // namespace llmsize::engine
