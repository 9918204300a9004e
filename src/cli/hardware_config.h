#pragma once
// Hardware flags (--gpu 2x3090, --system, --memory, --cpu, --ram, --ram-kind, --channels,
// --storage) resolved into engine inputs.
#include <optional>
#include <string>
#include <vector>

#include "assumption.h"
#include "context.h"
#include "llmsize/engine/placement.h"
#include "llmsize/engine/power.h"
#include "llmsize/engine/speed.h"
#include "prices.h"

namespace llmsize::cli {

struct HardwareOptions {
  std::vector<std::string> gpus;
  std::string system;
  std::string memory;
  std::string cpu;
  std::string ram;
  std::string ram_kind;
  std::uint32_t channels = 0;
  std::string storage;
  std::string split = "layer";
  std::uint32_t nodes = 1;  ///< identical machines in one pipeline (llama.cpp RPC, exo)
  std::string link;         ///< links id between the machines
  std::string backend;      ///< the GPUs' llama.cpp backend (cuda, rocm, vulkan, sycl, metal); empty: each card's first
};

void add_hardware_options(CLI::App* cmd, HardwareOptions& o);
[[nodiscard]] bool has_hardware(const HardwareOptions& o);

/// Where a part of a configuration comes from: decides its price (an owned part costs nothing) and,
/// on a detected machine, the JSON `added` flag (docs/json.md).
enum class Origin {
  named,     ///< named by a flag or taken from the catalog (recommend): priced (the user's price, else launch MSRP)
  detected,  ///< found on this machine: owned, no price
  added,     ///< an upgrade to the detected machine (recommend --this-machine): priced
};

/// One discrete GPU of one machine, as it was given.
struct GpuPart {
  const engine::Gpu* gpu = nullptr;
  std::uint64_t memory_bytes = 0;  ///< what llama.cpp may allocate (detected: free memory)
  Origin origin = Origin::named;
};

/// A hardware configuration: the engine's inputs, and the typed parts they came from (labels and JSON
/// are rendered from those by hardware_label / hardware_json). Built only by HardwareBuilder.
struct HardwareConfig {
  std::vector<engine::DeviceSpec> devices;
  std::vector<engine::ComputeDevice> compute;
  std::optional<engine::HostDevice> host;
  std::optional<std::uint64_t> host_ram_bytes;
  bool unified = false;
  engine::SplitMode split = engine::SplitMode::layer;
  engine::PowerInputs power;
  /// The parts bought, each priced by the user or at launch MSRP (a detected, owned part is not listed).
  std::vector<PricedPart> price_parts;
  const engine::StorageKind* storage = nullptr;
  double gpu_link_bytes_per_s = 0;
  double tp_link_bytes_per_s = 0;
  double tp_link_latency_s = 0;
  bool cpu_repack = true;
  std::uint32_t nodes = 1;
  const engine::Link* link = nullptr;             ///< between nodes (nodes > 1)
  std::vector<std::uint32_t> device_nodes;  ///< node of each device (0 = the machine running llama-server)
  engine::Network network;
  Assumptions assumptions;

  // The parts of one machine (`nodes` repeats them).
  std::vector<GpuPart> gpus;
  const engine::UnifiedSystem* system = nullptr;   ///< a unified-memory machine
  std::uint64_t system_gpu_bytes = 0;      ///< what its GPU may allocate
  std::string cpu_label;                   ///< the host CPU's name; "" for the assumed desktop
  std::uint64_t ram_total_bytes = 0;       ///< installed system RAM (unified: the memory option)
  bool this_machine = false;               ///< built from detection: labelled "this machine (...)"

  /// What the priced parts cost together; none when no part has a price.
  [[nodiscard]] std::optional<double> price() const { return total_price(price_parts); }
};

/// "2× GeForce RTX 3090 + AMD Ryzen 9 7950X", "Apple M4 Max 128 GB", "this machine (...)",
/// "2 machines of ... over 10 Gigabit Ethernet".
[[nodiscard]] std::string hardware_label(const HardwareConfig& h);
/// `inputs.hardware` (docs/json.md): one entry per device of each machine, {id, kind, memory_bytes},
/// `added` on a detected machine, `node` when there are several machines.
[[nodiscard]] Json hardware_json(const HardwareConfig& h);

/// Resolves the flags against the catalog; throws InputError with suggestions.
[[nodiscard]] HardwareConfig resolve_hardware(const Context& ctx, const HardwareOptions& o);

/// A config of `count` identical catalog GPUs (recommend), with the platform defaults.
[[nodiscard]] HardwareConfig gpu_config(const Context& ctx, const engine::Gpu& gpu, std::uint32_t count);
[[nodiscard]] HardwareConfig system_config(const Context& ctx, const engine::UnifiedSystem& s, const engine::MemoryOption& option);
[[nodiscard]] HardwareConfig cpu_config(const Context& ctx, const engine::Cpu& c, std::optional<std::uint64_t> ram_bytes);

/// The fastest of the RAM kinds a CPU supports; nullptr when it names none the catalog has.
using catalog::fastest_ram_kind;

/// Efficiency factors fitted on the catalog's benchmark rows (cached per catalog).
[[nodiscard]] const engine::Calibration& calibration(Context& ctx);

}  // namespace llmsize::cli
