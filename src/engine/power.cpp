#include "llmsize/engine/power.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "llmsize/units.h"

namespace llmsize::engine {
namespace {

// ATX PSU sizes sold widely (W).
constexpr std::array<double, 14> kPsuSizes = {450, 550, 650, 750, 850, 1000, 1200, 1300, 1500, 1600, 2000, 2400, 2800, 3200};

double round_up_psu(double watts) {
  for (double size : kPsuSizes) {
    if (watts <= size) return size;
  }
  return std::ceil(watts / 400) * 400;  // beyond one PSU: multiples of 400 W (dual supplies)
}

}  // namespace

double board_watts(double limit_watts, double idle_watts, double utilisation) {
  return idle_watts + (limit_watts - idle_watts) * std::clamp(utilisation, 0.0, 1.0);
}

PowerResult estimate_power(const PowerInputs& in) {
  PowerResult p;
  if (in.system_tdp_watts) {
    // One package: unified-memory machines report whole-system power under load.
    const double n = std::max<std::uint32_t>(in.machines, 1);
    const double idle = in.system_idle_watts.value_or(*in.system_tdp_watts * kIdleFractionWithoutData);
    p.watts_idle = idle * n;
    const std::size_t count = std::max<std::uint32_t>(in.machines, 1);
    if (in.decode_utilisation.size() == count && in.prefill_utilisation.size() == count) {
      for (std::size_t i = 0; i < in.decode_utilisation.size(); ++i) {
        const DevicePower d{board_watts(*in.system_tdp_watts, idle, in.decode_utilisation[i]),
                            board_watts(*in.system_tdp_watts, idle, in.prefill_utilisation[i]), idle};
        p.watts_decode += d.board_watts_decode;
        p.watts_prefill += d.board_watts_prefill;
        p.devices.push_back(d);
      }
      return p;
    }
    p.watts_decode = *in.system_tdp_watts * kDecodePowerFraction * n;
    p.watts_prefill = *in.system_tdp_watts * kPrefillPowerFraction * n;
    return p;
  }
  const double machines = std::max<std::uint32_t>(in.machines, 1);
  const bool predicted = in.decode_utilisation.size() == in.gpu_tdp_watts.size() &&
                         in.prefill_utilisation.size() == in.gpu_tdp_watts.size();
  double gpu_tdp = 0;
  double gpu_decode = 0;
  double gpu_prefill = 0;
  for (std::size_t i = 0; i < in.gpu_tdp_watts.size(); ++i) {
    const double limit = in.gpu_tdp_watts[i];
    gpu_tdp += limit;
    const auto known_idle = i < in.gpu_idle_watts.size() ? in.gpu_idle_watts[i] : std::nullopt;
    const double idle = known_idle.value_or(limit * kIdleFractionWithoutData);
    p.watts_idle += idle;
    if (predicted) {
      const DevicePower d{board_watts(limit, idle, in.decode_utilisation[i]), board_watts(limit, idle, in.prefill_utilisation[i]),
                          idle};
      gpu_decode += d.board_watts_decode;
      gpu_prefill += d.board_watts_prefill;
      p.devices.push_back(d);
    } else {
      gpu_decode += limit * kDecodePowerFraction;
      gpu_prefill += limit * kPrefillPowerFraction;
    }
  }
  const double cpu_fraction = in.cpu_runs_layers ? kCpuDecodeFraction : kCpuFeedingGpuFraction;
  const double platform = in.single_board ? 0 : kPlatformWatts;
  // Remote machines' CPUs only feed their GPUs (the first machine's may run layers).
  const double remote_hosts = (machines - 1) * (in.cpu_tdp_watts * kCpuFeedingGpuFraction + platform);
  p.watts_decode = gpu_decode + in.cpu_tdp_watts * cpu_fraction + platform + remote_hosts;
  p.watts_prefill = gpu_prefill + in.cpu_tdp_watts * cpu_fraction + platform + remote_hosts;
  p.watts_idle += (in.cpu_tdp_watts * kIdleFractionWithoutData + platform) * machines;
  if (!in.single_board) p.psu_watts = round_up_psu((gpu_tdp / machines + in.cpu_tdp_watts + platform) * kPsuHeadroom);
  return p;
}

CostResult estimate_cost(const PowerResult& power, double decode_tokens_per_s, const UsageProfile& usage,
                         std::optional<double> api_price_per_mtok, std::optional<double> hardware_price) {
  CostResult c;
  using units::kSecondsPerHour;
  constexpr double kWhPerKwh = units::kWattHoursPerKwh;
  constexpr double kTokensPerMillion = 1e6;
  if (decode_tokens_per_s > 0) {
    c.kwh_per_mtok = power.watts_decode * (kTokensPerMillion / decode_tokens_per_s) / kSecondsPerHour / kWhPerKwh;
    c.cost_per_mtok = c.kwh_per_mtok * usage.price_per_kwh;
  }
  const double busy_hours = usage.hours_per_day * usage.utilisation * usage.days_per_month;
  const double idle_hours = usage.hours_per_day * (1 - usage.utilisation) * usage.days_per_month;
  c.monthly_kwh = (power.watts_decode * busy_hours + power.watts_idle * idle_hours) / kWhPerKwh;
  c.monthly_cost = c.monthly_kwh * usage.price_per_kwh;
  c.tokens_per_month = decode_tokens_per_s * busy_hours * kSecondsPerHour;
  if (api_price_per_mtok) {
    c.api_monthly_cost = c.tokens_per_month / kTokensPerMillion * *api_price_per_mtok;
    const double saving = *c.api_monthly_cost - c.monthly_cost;
    if (hardware_price && saving > 0) c.breakeven_months = *hardware_price / saving;
  }
  return c;
}

double load_seconds(std::uint64_t bytes, double storage_mb_per_s, double link_bytes_per_s) {
  constexpr double kBytesPerMb = 1e6;
  double rate = storage_mb_per_s * kBytesPerMb;
  if (link_bytes_per_s > 0) rate = std::min(rate, link_bytes_per_s);
  return rate > 0 ? static_cast<double>(bytes) / rate : 0;
}

}  // namespace llmsize::engine
