#pragma once
// The one place that turns hardware parts (catalog GPUs, a unified-memory system, a host CPU and its RAM,
// links, identical machines) into a HardwareConfig: the engine's DeviceSpec / ComputeDevice / HostDevice,
// the power inputs, the links and the price. The flags (resolve_hardware), the detected machine
// (spec_config) and the upgrade advisor only describe parts; they never build engine inputs themselves,
// so `check --gpu X` and `check --this-machine` on the same card cannot disagree.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hardware_config.h"
#include "hardware_defaults.h"

namespace llmsize::cli {

/// A host CPU the catalog does not have, described by the front end that assumed or detected it.
struct GenericCpu {
  std::string label;                                    ///< "" for the assumed desktop (not in the label)
  double matmul_flops_per_s = kGenericCpuFlopsPerS;
  double tdp_watts = kGenericCpuTdpWatts;
  bool repack = true;                                   ///< x86: llama.cpp keeps repacked copies
};

/// The host: a catalog CPU (or a generic one) and its system RAM.
struct HostSpec {
  const engine::Cpu* cpu = nullptr;            ///< the catalog CPU; nullptr: `generic` describes it
  GenericCpu generic;
  engine::RamKind ram_kind;
  std::uint32_t channels = 0;          ///< populated 64-bit channels
  /// `llmsize probe`'s measurement (bytes/s); replaces channels × transfer rate × 8 bytes.
  std::optional<double> measured_bandwidth_bytes_per_s;
  std::optional<std::uint64_t> ram_bytes;  ///< what placement may use; nullopt: unknown
  std::uint64_t ram_total_bytes = 0;       ///< installed (the label of a detected machine)
  Origin origin = Origin::named;           ///< named: the CPU's price counts
};

/// A unified-memory machine: its GPU and CPU cores share the RAM.
struct UnifiedSpec {
  const engine::UnifiedSystem* system = nullptr;
  std::uint64_t ram_total_bytes = 0;   ///< installed (the memory option)
  std::uint64_t ram_bytes = 0;         ///< what placement may use
  std::uint64_t gpu_bytes = 0;         ///< what the GPU may allocate (unified_gpu_bytes)
  std::optional<double> price_usd;     ///< the memory option's launch price (catalog), when it is bought
  std::optional<double> measured_bandwidth_bytes_per_s;  ///< `llmsize probe`, for the CPU cores
  Origin origin = Origin::named;       ///< detected / added: labelled "this machine (...)"
};

/// What the GPU of a unified-memory machine may allocate out of `ram_bytes`: the system's
/// gpu_memory_fraction (macOS recommendedMaxWorkingSetSize, ~2/3 to 3/4), else all of it.
[[nodiscard]] std::uint64_t unified_gpu_bytes(const engine::UnifiedSystem& s, std::uint64_t ram_bytes);

class HardwareBuilder {
 public:
  /// One discrete GPU with `memory_bytes` for llama.cpp (catalog size, or free memory when detected).
  HardwareBuilder& add_gpu(const engine::Gpu& gpu, std::uint64_t memory_bytes, Origin origin);
  /// A unified-memory machine instead of discrete GPUs (its CPU cores become the host).
  HardwareBuilder& set_unified(const UnifiedSpec& spec);
  /// The host CPU and RAM of a machine with discrete GPUs, or of a CPU-only build.
  HardwareBuilder& set_host(const HostSpec& spec);
  /// The link between the GPUs for tensor parallelism (NVLink); nullptr: their PCIe links.
  HardwareBuilder& set_link(const engine::Link* gpu_link);
  /// `count` identical machines in a pipeline over `link` (count 1: one machine, link unused).
  HardwareBuilder& set_nodes(std::uint32_t count, const engine::Link* link);
  HardwareBuilder& set_split(engine::SplitMode split);
  /// The backend every GPU device runs (--backend); unset: each card's first (device_from_gpu).
  HardwareBuilder& set_backend(engine::Backend backend);
  HardwareBuilder& set_storage(const engine::StorageKind& storage);
  /// The runtime overhead of every GPU (`llmsize calibrate`'s fit from the user's load logs); nullopt:
  /// each backend's estimate (buffers.h).
  HardwareBuilder& set_gpu_overhead(std::optional<std::uint64_t> overhead_bytes);
  /// The user's prices (--price, the prices file): a part they price costs that, others their launch MSRP.
  /// The book must outlive build(); without one every part is at launch MSRP.
  HardwareBuilder& set_prices(const PriceBook& prices);
  /// An assumption, in the order the front end states them (hardware_defaults.h).
  HardwareBuilder& add_assumption(Assumption assumption);

  /// Whether the configuration has a GPU device (a discrete card, or a unified system with a GPU backend).
  [[nodiscard]] bool has_devices() const;

  /// The engine inputs. Needs a host (set_host) or a unified system (set_unified).
  [[nodiscard]] HardwareConfig build() const;

 private:
  void build_gpus(HardwareConfig& h) const;
  void build_unified(HardwareConfig& h) const;
  void build_host(HardwareConfig& h) const;
  void build_nodes(HardwareConfig& h) const;

  std::vector<GpuPart> gpus_;
  std::optional<UnifiedSpec> unified_;
  std::optional<HostSpec> host_;
  const engine::Link* gpu_link_ = nullptr;
  std::uint32_t nodes_ = 1;
  const engine::Link* node_link_ = nullptr;
  engine::SplitMode split_ = engine::SplitMode::layer;
  std::optional<engine::Backend> backend_;
  const engine::StorageKind* storage_ = nullptr;
  Assumptions assumptions_;
  std::optional<std::uint64_t> gpu_overhead_bytes_;
  const PriceBook* prices_ = nullptr;
};

}  // namespace llmsize::cli
