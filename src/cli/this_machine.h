#pragma once
// --this-machine: the detected hardware (llmsize_machine's detect()) as a HardwareConfig, with the user's
// profile (probe bandwidth, calibrate factors) applied. `recommend --this-machine` is upgrade_advisor.h.
#include <optional>
#include <string>
#include <vector>

#include "build_eval.h"
#include "hardware_builder.h"
#include "hardware_config.h"
#include "llmsize/machine/detect.h"

namespace llmsize::cli {

/// The detection, from the real machine or from $LLMSIZE_DETECT_ROOT (a recorded tree whose tool outputs
/// are in commands/<tool>.txt; docs/this-machine.md).
[[nodiscard]] machine::Detection detect_this_machine();

/// The parts of this machine that sizing uses, as HardwareBuilder inputs the upgrade advisor can change
/// and rebuild (spec_config).
struct MachineSpec {
  std::vector<GpuPart> gpus;              ///< discrete cards; memory_bytes is free memory for a detected card
  const engine::UnifiedSystem* system = nullptr;  ///< a unified-memory machine (Apple, Strix Halo, GB10)
  std::uint64_t unified_gpu_bytes = 0;    ///< what its GPU may use
  std::optional<double> system_price_usd; ///< a bigger memory option's launch price (the advisor's); none for this one
  /// CPU, RAM kind × channels (dmidecode, or assumed), the probe's bandwidth, and the RAM: ram_total_bytes is
  /// MemTotal, ram_bytes what placement may use (MemAvailable + the OS reserve, capped at the total).
  HostSpec host;
  std::optional<std::uint64_t> gpu_overhead_bytes;  ///< per GPU, fitted by `llmsize calibrate` (profile)
  Assumptions assumptions;
};

/// Builds the spec from a detection: free GPU memory, catalog rates, detected or assumed RAM, the user's
/// profile (read, never applied to `ctx`: see use_machine_profile). Throws InputError for a discrete GPU
/// the catalog does not have (naming what was read).
[[nodiscard]] MachineSpec machine_spec(const catalog::Catalog& cat, const machine::Detection& d,
                                       const machine::MachineMatch& m);

/// What the user may still choose about a detected machine: how it runs, not what it is.
struct MachineChoices {
  std::string storage;                                ///< --storage; empty: the default, as an assumption
  engine::SplitMode split = engine::SplitMode::layer;  ///< --split
};

/// The engine inputs for a spec, through HardwareBuilder (as the flags are), parts bought priced from
/// `ctx.prices`.
[[nodiscard]] HardwareConfig spec_config(const Context& ctx, const MachineSpec& spec, const MachineChoices& choices = {});

/// detect + match + spec + config in one, with the flags that still apply to a detected machine
/// (--storage, --split). Changes nothing in `ctx`: the command that takes --this-machine calls
/// use_machine_profile itself.
[[nodiscard]] HardwareConfig this_machine_hardware(const Context& ctx, const HardwareOptions& o);

/// Predictions from here on are about this machine: calibration(ctx) merges the efficiency factors
/// `llmsize calibrate` stored in the user's profile (the cached fit is dropped once). Called once by each
/// command that handles --this-machine, before it predicts.
void use_machine_profile(Context& ctx);

/// `detect --json`'s result object (docs/json.md).
[[nodiscard]] Json detection_json(const machine::Detection& d, const machine::MachineMatch& m);

/// Adds --this-machine to a command.
void add_this_machine_flag(CLI::App* cmd, bool& flag);
/// InputError when --this-machine is combined with hardware flags.
void check_this_machine_alone(const HardwareOptions& o);

}  // namespace llmsize::cli
