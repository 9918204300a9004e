#include "hardware_defaults.h"

#include <fmt/format.h>

#include "llmsize/engine/speed.h"
#include "llmsize/units.h"

namespace llmsize::cli {

std::string assumed_ram_size() { return fmt::format("--ram not given: {} GiB of system RAM", kDefaultRamGib); }

std::string assumed_generic_host(std::uint32_t channels, const RamKind& kind) {
  return fmt::format("no --cpu: a desktop CPU of {:.0f} W with {}-channel {}", kGenericCpuTdpWatts, channels, kind.meta.name);
}

std::string assumed_fastest_ram_kind(const RamKind& kind) {
  return fmt::format("RAM kind not given: {} (fastest the CPU supports)", kind.meta.name);
}

std::string assumed_largest_memory_option(double memory_gib) {
  return fmt::format("--memory not given: {:.0f} GB, the largest option", memory_gib);
}

std::string assumed_gpu_memory_fraction(double fraction) {
  return fmt::format("GPU may use {:.0f}% of RAM (macOS default working-set limit; raise it with "
                     "sudo sysctl iogpu.wired_limit_mb)", fraction * 100);
}

std::string assumed_storage_not_given(const StorageKind& storage) {
  return fmt::format("--storage not given: {} for load time", storage.meta.name);
}

std::string assumed_storage_not_detected(const StorageKind& storage) {
  return fmt::format("storage not detected: {} for load time", storage.meta.name);
}

std::string assumed_node_link(const Link& link) {
  return fmt::format("--link not given: {} between the machines", link.meta.name);
}

std::string assumed_rpc_overhead(double link_latency_s) {
  return fmt::format("each crossing between machines costs {:.2f} ms of RPC overhead (estimate from "
                     "llama.cpp PR #6829) plus the link's {:.0f} us latency",
                     kNetworkHopOverheadS * 1e3, link_latency_s / units::kSecondsPerMicrosecond);
}

double network_latency_s(const Link& link) { return units::us_to_s(link.latency_us.value_or(kDefaultNetworkLatencyUs)); }

double gpu_link_latency_s(const Link* link) {
  return units::us_to_s(link != nullptr ? link->latency_us.value_or(kDefaultGpuLinkLatencyUs) : kDefaultGpuLinkLatencyUs);
}

}  // namespace llmsize::cli
