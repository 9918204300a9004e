#pragma once
// The user's machine profile ($XDG_CONFIG_HOME/llmsize/machine.json) seen from the CLI: `--show` and
// `--reset` of probe and calibrate, the fitted factors' one table, and what predictions for *this
// machine* take from it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/machine/profile.h"
#include "pipeline.h"
#include "render.h"

namespace llmsize::cli {

/// The profile in the user's config directory; a ProfileError reaches run() (exit 2).
[[nodiscard]] machine::MachineProfile load_machine_profile();
/// The profile, or none when there is no place for one (neither $XDG_CONFIG_HOME nor $HOME is set):
/// predictions for this machine go on without it. A file that cannot be used still throws.
[[nodiscard]] std::optional<machine::MachineProfile> machine_profile_if_any();
void save_machine_profile(const machine::MachineProfile& profile);
[[nodiscard]] std::string machine_profile_path();

/// The fitted factors, one row per backend (per token in ms): calibrate's table, its --csv, and --show's.
[[nodiscard]] Table efficiency_table(const std::vector<engine::Efficiency>& fitted);

/// `llmsize probe --show` / `calibrate --show`: what is stored. `command` names the JSON envelope; the
/// CSV is the fitted factors' table.
[[nodiscard]] std::unique_ptr<Result> show_machine_profile(const std::string& command);
/// `--reset`: deletes the profile file now; the result says whether there was one.
[[nodiscard]] std::unique_ptr<Result> reset_machine_profile(const std::string& command);

/// Predictions about this machine only (`--this-machine`): set ctx.use_machine_profile before the first
/// calibration(ctx) call, and the profile's fitted backends replace the catalog's (merge_calibration).

}  // namespace llmsize::cli
