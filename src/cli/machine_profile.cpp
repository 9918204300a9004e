#include "machine_profile.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "llmsize/machine/calibrate.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

namespace fs = std::filesystem;

namespace {

/// What `--show` prints: the profile as read, and where it is.
class ProfileShowResult final : public Result {
 public:
  ProfileShowResult(std::string command, std::string path, bool exists, machine::MachineProfile profile)
      : command_(std::move(command)), path_(std::move(path)), exists_(exists), p_(std::move(profile)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    std::string out = fmt::format("Profile: {}{}\n", path_, exists_ ? "" : " (none yet: run `llmsize probe` or `llmsize calibrate`)");
    if (p_.bandwidth) {
      const machine::BandwidthMeasurement& b = *p_.bandwidth;
      out += fmt::format("\nMemory read bandwidth: {:.1f} GB/s ({} threads, {:.1f} s, {}, measured {})\n", b.read_gb_per_s,
                         b.threads, b.seconds, b.cpu_model.empty() ? "CPU unknown" : b.cpu_model, b.measured_at);
    } else {
      out += "\nMemory read bandwidth: not measured (`llmsize probe`)\n";
    }
    out += p_.efficiencies.empty() ? "Efficiency factors: none fitted (`llmsize calibrate`)\n"
                                   : "\nEfficiency factors fitted on your runs (0 rows: the catalog's factor is kept)\n" +
                                         efficiency_table(p_.efficiencies).text(style.color);
    if (p_.backend_overhead_bytes) out += fmt::format("Backend overhead per GPU: {} MiB\n", mib(*p_.backend_overhead_bytes));
    for (const std::string& f : p_.calibration_files) out += "Calibrated from: " + f + "\n";
    return out;
  }

  [[nodiscard]] Json json() const override {
    Json result = {{"profile_path", path_}, {"exists", exists_}, {"bandwidth", nullptr}};
    if (p_.bandwidth) {
      const machine::BandwidthMeasurement& b = *p_.bandwidth;
      result["bandwidth"] = {{"read_gb_per_s", b.read_gb_per_s}, {"threads", b.threads}, {"seconds", b.seconds},
                             {"cpu_model", b.cpu_model},         {"measured_at", b.measured_at}};
    }
    Json list = Json::array();
    for (const Efficiency& e : p_.efficiencies) list.push_back(machine::efficiency_json(e));
    result["efficiencies"] = list;
    result["backend_overhead_bytes"] = p_.backend_overhead_bytes ? Json(*p_.backend_overhead_bytes) : Json(nullptr);
    result["calibration_files"] = p_.calibration_files;
    return envelope(command_, {{"show", true}}, result, Json::array());
  }

  [[nodiscard]] std::string csv() const override { return efficiency_table(p_.efficiencies).csv(); }

 private:
  std::string command_;
  std::string path_;
  bool exists_;
  machine::MachineProfile p_;
};

class ProfileResetResult final : public Result {
 public:
  ProfileResetResult(std::string command, std::string path, bool deleted)
      : command_(std::move(command)), path_(std::move(path)), deleted_(deleted) {}

  [[nodiscard]] std::string text(const Style& /*style*/) const override {
    return deleted_ ? "Deleted " + path_ + "\n" : "No profile at " + path_ + "; nothing to delete\n";
  }
  [[nodiscard]] Json json() const override {
    return envelope(command_, {{"reset", true}}, {{"profile_path", path_}, {"deleted", deleted_}}, Json::array());
  }

 private:
  std::string command_;
  std::string path_;
  bool deleted_;
};

}  // namespace

machine::MachineProfile load_machine_profile() { return machine::load_profile(machine::config_dir()); }

std::optional<machine::MachineProfile> machine_profile_if_any() {
  try {
    return load_machine_profile();
  } catch (const machine::ProfileError& e) {
    if (e.kind() != machine::ProfileError::Kind::no_location) throw;
    return std::nullopt;
  }
}

void save_machine_profile(const machine::MachineProfile& profile) {
  machine::save_profile(machine::config_dir(), profile);
}

std::string machine_profile_path() { return machine::profile_path(machine::config_dir()).string(); }

Table efficiency_table(const std::vector<Efficiency>& fitted) {
  Table table({{"Backend", Align::left}, {"Bandwidth eff.", Align::right}, {"Per token [ms]", Align::right},
               {"Prefill eff.", Align::right}, {"Rows fit (tg/pp)", Align::right}});
  for (const Efficiency& e : fitted) {
    table.add_row({to_string(e.backend), fixed(e.bandwidth_efficiency, 3), fixed(units::s_to_ms(e.per_token_s), 2),
                   fixed(e.prefill_efficiency, 3), fmt::format("{}/{}", e.decode_rows, e.prefill_rows)});
  }
  return table;
}

std::unique_ptr<Result> show_machine_profile(const std::string& command) {
  const std::string path = machine_profile_path();
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  return std::make_unique<ProfileShowResult>(command, path, exists, load_machine_profile());
}

std::unique_ptr<Result> reset_machine_profile(const std::string& command) {
  const std::string path = machine_profile_path();
  std::error_code ec;
  const bool existed = fs::exists(path, ec);
  if (existed && !fs::remove(path, ec)) throw InputError(path + ": cannot be deleted (" + ec.message() + ")");
  return std::make_unique<ProfileResetResult>(command, path, existed);
}

}  // namespace llmsize::cli
