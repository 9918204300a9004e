#pragma once
/// What llmsize has learned about the user's own machine: the measured memory bandwidth (`llmsize
/// probe`) and efficiency factors fitted on the user's own llama-bench runs (`llmsize calibrate`).
/// Stored as JSON in $XDG_CONFIG_HOME/llmsize/machine.json (default ~/.config/llmsize); written to a
/// temporary file and renamed, so a failed write never leaves a half file behind.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "llmsize/engine/speed.h"
#include "llmsize/error.h"

namespace llmsize::machine {

/// A profile that has no place, or cannot be read or written; the message names the file and the
/// problem. A subclass of the one error type because --this-machine goes on without a profile when
/// there is no place for one, but not when the file is broken: kind() tells the cases apart.
class ProfileError : public llmsize::Error {
 public:
  enum class Kind {
    no_location,  ///< neither $XDG_CONFIG_HOME nor $HOME is set
    unreadable,   ///< the file exists but cannot be opened
    invalid,      ///< the file is not a profile this llmsize reads
    unwritable,   ///< the directory or the file cannot be written
  };
  ProfileError(Kind kind, const std::string& message) : Error(message), kind_(kind) {}
  [[nodiscard]] Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct BandwidthMeasurement {
  double read_gb_per_s = 0;        ///< GB = 1e9 bytes, all threads, median of the passes
  std::uint32_t threads = 0;
  double seconds = 0;              ///< how long the probe ran
  std::string cpu_model;           ///< /proc/cpuinfo "model name" when it was measured
  std::string measured_at;         ///< ISO 8601 UTC
};

struct MachineProfile {
  std::optional<BandwidthMeasurement> bandwidth;
  /// Per-backend factors fitted on the user's runs; they replace the catalog-wide fit for this machine.
  std::vector<engine::Efficiency> efficiencies;
  std::optional<std::uint64_t> backend_overhead_bytes;  ///< fitted from the user's load logs
  std::vector<std::string> calibration_files;           ///< what `calibrate` read
};

/// One fitted backend as stored in the profile and printed by `calibrate --json` (`fitted[]`) and `--show`
/// (`efficiencies[]`): {backend, bandwidth_efficiency, per_token_s (s), prefill_efficiency, decode_low,
/// decode_high, prefill_low, prefill_high, decode_rows, prefill_rows} (docs/json.md).
[[nodiscard]] nlohmann::ordered_json efficiency_json(const engine::Efficiency& e);

/// $XDG_CONFIG_HOME/llmsize, else $HOME/.config/llmsize. Throws ProfileError (no_location) when neither is set.
[[nodiscard]] std::filesystem::path config_dir();
/// `dir`/machine.json.
[[nodiscard]] std::filesystem::path profile_path(const std::filesystem::path& dir);

/// Reads the profile; an absent file is an empty profile. Throws ProfileError (unreadable, invalid) on a file that
/// cannot be used.
[[nodiscard]] MachineProfile load_profile(const std::filesystem::path& dir);
/// Writes the profile atomically (temporary file in `dir`, then rename); creates `dir`. Throws
/// ProfileError (unwritable).
void save_profile(const std::filesystem::path& dir, const MachineProfile& profile);

}  // namespace llmsize::machine
