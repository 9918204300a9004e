#include "hardware_defaults.h"

#include <fmt/format.h>

#include "llmsize/engine/speed.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

Assumption assumed_ram_size() {
  return {"ram_gib", std::to_string(kDefaultRamGib), AssumptionSource::default_value, ""};
}

Assumption assumed_generic_host(std::uint32_t channels, const RamKind& kind) {
  return {"cpu", "generic desktop", AssumptionSource::default_value,
          fmt::format("{:.0f} W with {}-channel {}", kGenericCpuTdpWatts, channels, kind.meta.name)};
}

Assumption assumed_fastest_ram_kind(const RamKind& kind) {
  return {"ram_kind", kind.meta.name, AssumptionSource::default_value, ""};
}

Assumption assumed_largest_memory_option(double memory_gib) {
  return {"memory_gb", fmt::format("{:.0f}", memory_gib), AssumptionSource::default_value, ""};
}

Assumption assumed_gpu_memory_fraction(double fraction) {
  return {"gpu_memory_fraction", fmt::format("{:.0f}%", fraction * 100), AssumptionSource::catalog, ""};
}

Assumption assumed_unknown_tflops(const std::string& name, double tflops) {
  return {"tflops", fmt::format("{} TFLOPS", tflops), AssumptionSource::estimate, name};
}

Assumption assumed_storage_not_given(const StorageKind& storage) {
  return {"storage", storage.meta.name, AssumptionSource::default_value, ""};
}

Assumption assumed_storage_not_detected(const StorageKind& storage) {
  return {"storage", storage.meta.name, AssumptionSource::catalog, "not detected"};
}

Assumption assumed_node_link(const Link& link) { return {"link", link.meta.name, AssumptionSource::default_value, ""}; }

Assumption assumed_rpc_overhead(double link_latency_s) {
  return {"rpc_overhead_ms", fmt::format("{:.2f}", units::s_to_ms(kNetworkHopOverheadS)), AssumptionSource::estimate,
          fmt::format("{:.0f}", link_latency_s / units::kSecondsPerMicrosecond)};
}

double network_latency_s(const Link& link) { return units::us_to_s(link.latency_us.value_or(kDefaultNetworkLatencyUs)); }

double gpu_link_latency_s(const Link* link) {
  return units::us_to_s(link != nullptr ? link->latency_us.value_or(kDefaultGpuLinkLatencyUs) : kDefaultGpuLinkLatencyUs);
}

}  // namespace llmsize::cli
