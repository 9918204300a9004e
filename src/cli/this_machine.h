#pragma once
// --this-machine: the detected hardware (llmsize_machine's detect()) as a HardwareConfig, with the user's
// profile (probe bandwidth, calibrate factors) applied; and `recommend --this-machine`'s upgrade options.
#include <optional>
#include <string>
#include <vector>

#include "build_eval.h"
#include "hardware_config.h"
#include "llmsize/machine/detect.h"

namespace llmsize::cli {

/// The detection, from the real machine or from $LLMSIZE_DETECT_ROOT (a recorded tree whose tool outputs
/// are in commands/<tool>.txt; docs/this-machine.md).
[[nodiscard]] machine::Detection detect_this_machine();

/// The parts of this machine that sizing uses, in a form the upgrade options can change and rebuild.
struct MachineSpec {
  struct GpuSlot {
    const Gpu* gpu = nullptr;
    std::uint64_t memory_bytes = 0;  ///< what llama.cpp may allocate: free memory for a detected card
    bool added = false;              ///< an upgrade, not in the machine now
  };
  std::vector<GpuSlot> gpus;
  const UnifiedSystem* system = nullptr;  ///< a unified-memory machine (Apple, Strix Halo, GB10)
  std::uint64_t unified_gpu_bytes = 0;    ///< what its GPU may use
  const Cpu* cpu = nullptr;               ///< the catalog CPU, when matched
  std::string cpu_label;
  ComputeDevice cpu_device;               ///< host peak rates: bandwidth from RAM kind × channels (or the probe)
  RamKind ram_kind;                       ///< detected (dmidecode), or assumed
  std::uint32_t channels = 0;             ///< 64-bit channels
  bool bandwidth_measured = false;        ///< cpu_device.bandwidth is the probe's measurement
  std::optional<std::uint64_t> gpu_overhead_bytes;  ///< per GPU, fitted by `llmsize calibrate` (profile)
  std::uint64_t ram_total_bytes = 0;      ///< MemTotal
  std::uint64_t ram_bytes = 0;            ///< what placement may use: MemAvailable + the OS reserve, capped at the total
  double cpu_tdp_watts = 0;
  bool cpu_repack = true;
  std::vector<std::string> assumptions;
};

/// Builds the spec from a detection: free GPU memory, catalog rates, detected or assumed RAM, the user's
/// profile. Throws InputError for a discrete GPU the catalog does not have (naming what was read).
[[nodiscard]] MachineSpec machine_spec(Context& ctx, const machine::Detection& d, const machine::MachineMatch& m);

/// The engine inputs for a spec.
[[nodiscard]] HardwareConfig spec_config(const Context& ctx, const MachineSpec& spec);

/// detect + match + spec + config in one, and predictions switched to the user's calibration.
[[nodiscard]] HardwareConfig this_machine_hardware(Context& ctx);

/// `detect --json`'s result object (docs/json.md).
[[nodiscard]] Json detection_json(const machine::Detection& d, const machine::MachineMatch& m);

/// `recommend --this-machine --model X`: does it run now, and what to add or replace.
void recommend_for_this_machine(Context& ctx, const SizingOptions& sizing, const CostOptions& cost,
                                std::uint64_t prompt_tokens);

/// Adds --this-machine to a command.
void add_this_machine_flag(CLI::App* cmd, bool& flag);
/// InputError when --this-machine is combined with hardware flags.
void check_this_machine_alone(const HardwareOptions& o);

}  // namespace llmsize::cli
