#include "machine_profile.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "llmsize/machine/calibrate.h"
#include "render.h"

namespace llmsize::cli {

namespace fs = std::filesystem;

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

Json efficiency_json(const Efficiency& e) {
  return Json{{"backend", to_string(e.backend)},         {"bandwidth_efficiency", e.bandwidth_efficiency},
              {"per_token_s", e.per_token_s},            {"prefill_efficiency", e.prefill_efficiency},
              {"decode_low", e.decode_low},              {"decode_high", e.decode_high},
              {"prefill_low", e.prefill_low},            {"prefill_high", e.prefill_high},
              {"decode_rows", e.decode_rows},            {"prefill_rows", e.prefill_rows}};
}

void show_machine_profile(Context& ctx, const std::string& command) {
  const std::string path = machine_profile_path();
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  const machine::MachineProfile p = load_machine_profile();
  Json result = {{"profile_path", path}, {"exists", exists}};
  std::string text = fmt::format("Profile: {}{}\n", path, exists ? "" : " (none yet: run `llmsize probe` or `llmsize calibrate`)");
  if (p.bandwidth) {
    result["bandwidth"] = {{"read_gb_per_s", p.bandwidth->read_gb_per_s}, {"threads", p.bandwidth->threads},
                           {"seconds", p.bandwidth->seconds},            {"cpu_model", p.bandwidth->cpu_model},
                           {"measured_at", p.bandwidth->measured_at}};
    text += fmt::format("\nMemory read bandwidth: {:.1f} GB/s ({} threads, {:.1f} s, {}, measured {})\n",
                        p.bandwidth->read_gb_per_s, p.bandwidth->threads, p.bandwidth->seconds,
                        p.bandwidth->cpu_model.empty() ? "CPU unknown" : p.bandwidth->cpu_model, p.bandwidth->measured_at);
  } else {
    result["bandwidth"] = nullptr;
    text += "\nMemory read bandwidth: not measured (`llmsize probe`)\n";
  }
  Json list = Json::array();
  Table table({{"Backend", Align::left}, {"Bandwidth eff.", Align::right}, {"Per token [ms]", Align::right},
               {"Prefill eff.", Align::right}, {"Rows fit (tg/pp)", Align::right}});
  for (const Efficiency& e : p.efficiencies) {
    list.push_back(efficiency_json(e));
    table.add_row({to_string(e.backend), fixed(e.bandwidth_efficiency, 3), fixed(e.per_token_s * 1e3, 2),
                   fixed(e.prefill_efficiency, 3), fmt::format("{}/{}", e.decode_rows, e.prefill_rows)});
  }
  result["efficiencies"] = list;
  text += p.efficiencies.empty() ? "Efficiency factors: none fitted (`llmsize calibrate`)\n"
                                 : "\nEfficiency factors fitted on your runs (0 rows: the catalog's factor is kept)\n" +
                                       table.text(ctx.color());
  if (p.backend_overhead_bytes) {
    result["backend_overhead_bytes"] = *p.backend_overhead_bytes;
    text += fmt::format("Backend overhead per GPU: {} MiB\n", mib(*p.backend_overhead_bytes));
  } else {
    result["backend_overhead_bytes"] = nullptr;
  }
  result["calibration_files"] = p.calibration_files;
  for (const std::string& f : p.calibration_files) text += "Calibrated from: " + f + "\n";
  emit(ctx, envelope(command, {{"show", true}}, result, {}), text);
}

void reset_machine_profile(Context& ctx, const std::string& command) {
  const std::string path = machine_profile_path();
  std::error_code ec;
  const bool existed = fs::exists(path, ec);
  if (existed && !fs::remove(path, ec)) throw InputError(path + ": cannot be deleted (" + ec.message() + ")");
  const std::string text = existed ? "Deleted " + path + "\n" : "No profile at " + path + "; nothing to delete\n";
  emit(ctx, envelope(command, {{"reset", true}}, {{"profile_path", path}, {"deleted", existed}}, {}), text);
}

}  // namespace llmsize::cli
