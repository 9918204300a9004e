#pragma once
// Every default a hardware configuration falls back on, stated once with its source, and the one
// sentence that records each as an assumption. Both hardware front ends (flags in hardware_config.cpp,
// detection in this_machine.cpp) and the upgrade advisor read these; nothing else restates them.
#include <cstdint>
#include <string>

#include "assumption.h"
#include "llmsize/engine/hardware.h"

namespace llmsize::cli {

/// RAM kind of a host whose RAM is not given or not readable: DDR5-5600, the JEDEC speed of current
/// desktop platforms (AM5, LGA1700/1851 at 1 DIMM per channel).
inline constexpr const char* kDefaultRamKind = "ddr5-5600";
/// System RAM of a GPU build that names none (GiB): a common 2 × 32 GB desktop kit.
inline constexpr std::uint64_t kDefaultRamGib = 64;
/// Model storage for the load time when none is given or detected (data/memory.json `storage`).
inline constexpr const char* kDefaultStorage = "nvme-gen4";

/// A host CPU the catalog does not describe (a GPU build without --cpu, or an unrecognised detected CPU):
/// a generic desktop. TDP of 125 W is the PL1 of Intel's K parts and close to AMD's 120 W X parts.
inline constexpr double kGenericCpuTdpWatts = 125;
/// ~16 cores × 32 FLOP/cycle (two AVX2 FMA pipes) × 2 GHz.
inline constexpr double kGenericCpuFlopsPerS = 1e12;
/// Desktop boards populate two 64-bit channels.
inline constexpr std::uint32_t kGenericChannels = 2;

/// The clock assumed where none is known: ARM Linux and macOS cpuinfo give none. 2.4 GHz is the
/// Raspberry Pi 5's Cortex-A76 and close to Apple's efficiency-to-performance-core mean (estimate).
inline constexpr double kAssumedCpuClockGhz = 2.4;

/// Latency of a GPU-to-GPU link the catalog gives none for (PCIe, estimate as in data/links.json), µs.
inline constexpr double kDefaultGpuLinkLatencyUs = 2;
/// Between machines when --link is not given: 10 Gigabit Ethernet, the common home-lab cluster link.
inline constexpr const char* kDefaultNodeLink = "ethernet-10g";
/// A network link the catalog gives no latency for (estimate: a switched LAN hop), µs.
inline constexpr double kDefaultNetworkLatencyUs = 50;

/// RAM totals (GiB) tried where more RAM is the question: `recommend`'s CPU builds and
/// `recommend --this-machine`'s "more RAM". One ladder for both: the sizes one can buy as a total,
/// from 16 GiB (2 × 8) through 48 GiB (2 × 24 GB non-binary DDR5, a common desktop kit) to 6144 GiB
/// (12 channels × 2 DIMMs × 256 GB, the most an EPYC 9004 socket takes). Each caller stops at the CPU's
/// max_memory_gib.
inline constexpr std::uint64_t kRamLadderGib[] = {16,  32,  48,   64,   96,   128,  192,  256, 384,
                                                  512, 768, 1024, 1536, 2048, 3072, 4096, 6144};

// The sentences that record the defaults above (and the other facts a front end assumed) as
// assumptions. One function per fact, so the later typed Assumption {key, value, source} is a
// mechanical switch.

/// "--ram not given: 64 GiB of system RAM"
[[nodiscard]] Assumption assumed_ram_size();
/// "no --cpu: a desktop CPU of 125 W with 2-channel DDR5-5600"
[[nodiscard]] Assumption assumed_generic_host(std::uint32_t channels, const engine::RamKind& kind);
/// "RAM kind not given: DDR5-6000 (fastest the CPU supports)"
[[nodiscard]] Assumption assumed_fastest_ram_kind(const engine::RamKind& kind);
/// "--memory not given: 128 GB, the largest option"
[[nodiscard]] Assumption assumed_largest_memory_option(double memory_gib);
/// "GPU may use 75% of RAM (macOS default working-set limit; ...)"
[[nodiscard]] Assumption assumed_gpu_memory_fraction(double fraction);
/// A GPU or system (`name`) whose catalog entry gives no TFLOPS: prompts run at `tflops`.
[[nodiscard]] Assumption assumed_unknown_tflops(const std::string& name, double tflops);
/// Storage not named by a flag ("--storage not given: ...") or not detected ("storage not detected: ...").
[[nodiscard]] Assumption assumed_storage_not_given(const engine::StorageKind& storage);
[[nodiscard]] Assumption assumed_storage_not_detected(const engine::StorageKind& storage);
/// "--link not given: 10 Gigabit Ethernet between the machines"
[[nodiscard]] Assumption assumed_node_link(const engine::Link& link);
/// The RPC overhead of each crossing between machines plus the link's latency (seconds).
[[nodiscard]] Assumption assumed_rpc_overhead(double link_latency_s);

/// A network link's one-way latency (s): the catalog's, else kDefaultNetworkLatencyUs.
[[nodiscard]] double network_latency_s(const engine::Link& link);
/// A GPU-to-GPU link's latency (s): the catalog's, else kDefaultGpuLinkLatencyUs.
[[nodiscard]] double gpu_link_latency_s(const engine::Link* link);

}  // namespace llmsize::cli
