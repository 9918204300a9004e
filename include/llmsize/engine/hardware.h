#pragma once
/// Hardware records: discrete GPUs, unified-memory systems, CPUs, RAM, storage, links.
/// Field units follow the datasheets (docs/catalog.md); engine code converts to bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/entry.h"

namespace llmsize::engine {

struct Gpu {
  EntryMeta meta;
  std::string vendor;
  FormFactor form_factor = FormFactor::desktop;
  double memory_gib = 0;
  std::string memory_type;
  /// The GPU's architecture as its vendor names it ("ampere", "rdna4"); empty when not known. Its device
  /// class for calibration (gpu_device_class).
  std::string architecture;
  std::optional<std::uint32_t> bus_width_bits;
  std::optional<double> memory_data_rate_gbps;
  double bandwidth_gb_per_s = 0;
  std::optional<double> fp16_tensor_tflops;
  std::optional<double> fp16_tensor_fp32acc_tflops;
  /// 8-bit dot products (DP4A) on a card without tensor cores but with DP4A (Pascal GP10x but GP100,
  /// Turing TU11x): llama.cpp's quantized matrix multiplication (MMQ) runs on them, so they are its
  /// prompt-processing peak where fp16_tensor_tflops is absent.
  std::optional<double> int8_dp4a_tops;
  std::optional<double> fp32_tflops;
  double tdp_watts = 0;                  ///< the vendor's default power
  std::optional<double> tdp_max_watts;   ///< top of a configurable power range, when it has one
  std::optional<double> idle_watts;
  std::uint32_t launch_year = 0;
  std::optional<double> launch_price_usd;
  std::vector<Backend> backends;
  std::uint32_t pcie_gen = 0;
  std::uint32_t pcie_lanes = 0;
  std::string nvlink;  ///< links id, empty when none
  friend bool operator==(const Gpu&, const Gpu&) = default;
};

struct MemoryOption {
  double memory_gib = 0;
  std::optional<double> price_usd;
  friend bool operator==(const MemoryOption&, const MemoryOption&) = default;
};

struct UnifiedSystem {
  EntryMeta meta;
  std::string vendor;
  FormFactor form_factor = FormFactor::desktop;
  std::vector<MemoryOption> memory_options;
  std::string memory_type;
  /// Its GPU's generation ("m4", "rdna3.5", "blackwell"); empty when not known. Its GPU's device class
  /// for calibration (unified_device_class).
  std::string architecture;
  /// Its CPU cores' generation where the catalog names one ("m2": an Apple chip's generation names its CPU
  /// and GPU alike); empty when not known. The CPU backend's device class (unified_cpu_device_class).
  std::string cpu_architecture;
  std::optional<std::uint32_t> bus_width_bits;
  double bandwidth_gb_per_s = 0;
  std::uint32_t cpu_cores = 0;
  std::optional<std::uint32_t> gpu_cores;
  std::optional<double> fp16_tflops;
  std::optional<double> fp32_tflops;
  std::optional<double> gpu_memory_fraction;
  double tdp_watts = 0;                  ///< package/system power under load
  std::optional<double> tdp_max_watts;   ///< top of a configurable power range (cTDP), when it has one
  std::optional<double> idle_watts;
  std::uint32_t launch_year = 0;
  std::vector<Backend> backends;
  std::vector<std::string> simd;
  friend bool operator==(const UnifiedSystem&, const UnifiedSystem&) = default;
};

/// Width of a DDR DIMM channel: what memory_channels counts unless a CPU says otherwise, what dmidecode's
/// channel counts are, and the channel of every DDR RAM kind.
inline constexpr std::uint32_t kDdrChannelBits = 64;

struct Cpu {
  EntryMeta meta;
  std::string vendor;
  std::string platform;
  FormFactor form_factor = FormFactor::desktop;
  std::uint32_t cores = 0;
  std::uint32_t threads = 0;
  double base_clock_ghz = 0;
  double boost_clock_ghz = 0;
  std::vector<std::string> simd;
  /// FP32 FLOP per cycle per core where its vector units differ from what `simd` implies (16 for NEON: two
  /// 128-bit FMA pipes, as Cortex-A76 and Neoverse N1; 32 for AVX2): Neoverse V2 and Oryon have four 128-bit
  /// pipes, 4 × 4 lanes × 2 = 32. Unset: flops_per_cycle(simd).
  std::optional<double> fp32_flops_per_cycle;
  std::uint32_t memory_channels = 0;
  /// Width of the channels memory_channels counts: 64 for DDR DIMM channels (the default), 16 for a bus
  /// described in LPDDR channels (Raspberry Pi 5: 2 × 16 bit).
  std::uint32_t memory_channel_width_bits = kDdrChannelBits;
  std::vector<std::string> ram_kinds;  ///< ram_kinds ids
  std::optional<double> max_memory_gib;
  double tdp_watts = 0;                 ///< the vendor's default power
  std::optional<double> tdp_max_watts;  ///< top of a configurable power range, when it has one
  std::uint32_t launch_year = 0;
  std::optional<double> launch_price_usd;
  friend bool operator==(const Cpu&, const Cpu&) = default;
};

struct RamKind {
  EntryMeta meta;
  std::string generation;
  std::uint32_t transfer_rate_mt_per_s = 0;
  std::uint32_t channel_width_bits = kDdrChannelBits;
  friend bool operator==(const RamKind&, const RamKind&) = default;
};

struct StorageKind {
  EntryMeta meta;
  std::string kind;
  double read_mb_per_s = 0;
  friend bool operator==(const StorageKind&, const StorageKind&) = default;
};

struct Link {
  EntryMeta meta;
  std::string kind;
  double bandwidth_gb_per_s = 0;
  std::optional<double> latency_us;
  friend bool operator==(const Link&, const Link&) = default;
};

}  // namespace llmsize::engine
