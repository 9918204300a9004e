#pragma once
// The user's machine profile ($XDG_CONFIG_HOME/llmsize/machine.json) seen from the CLI: `--show` and
// `--reset` of probe and calibrate, and what predictions for *this machine* take from it.
#include <optional>

#include "context.h"
#include "llmsize/machine/profile.h"

namespace llmsize::cli {

/// The profile in the user's config directory; a ProfileError reaches run() (exit 2).
[[nodiscard]] machine::MachineProfile load_machine_profile();
/// The profile, or none when there is no place for one (neither $XDG_CONFIG_HOME nor $HOME is set):
/// predictions for this machine go on without it. A file that cannot be used still throws.
[[nodiscard]] std::optional<machine::MachineProfile> machine_profile_if_any();
void save_machine_profile(const machine::MachineProfile& profile);
[[nodiscard]] std::string machine_profile_path();

/// `llmsize probe --show` / `calibrate --show`: what is stored. `command` names the JSON envelope.
void show_machine_profile(Context& ctx, const std::string& command);
/// `--reset`: deletes the profile file.
void reset_machine_profile(Context& ctx, const std::string& command);

[[nodiscard]] Json efficiency_json(const Efficiency& e);

/// Predictions about this machine only (`--this-machine`): set ctx.use_machine_profile before the first
/// calibration(ctx) call, and the profile's fitted backends replace the catalog's (merge_calibration).

}  // namespace llmsize::cli
