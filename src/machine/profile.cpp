#include "llmsize/machine/profile.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr int kProfileVersion = 1;

using Kind = ProfileError::Kind;

[[noreturn]] void invalid(const fs::path& file, const std::string& problem) {
  throw ProfileError(Kind::invalid, file.string() + ": " + problem);
}

Backend read_backend(const std::string& name, const fs::path& file) {
  if (const std::optional<Backend> b = backend_from_id(name)) return *b;
  invalid(file, "/efficiencies: unknown backend \"" + name + "\"");
}

double positive(const Json& j, const char* key, const fs::path& file, const std::string& where) {
  if (!j.contains(key) || !j.at(key).is_number()) {
    invalid(file, where + "/" + key + ": expected a number");
  }
  const double v = j.at(key).get<double>();
  if (!(v >= 0) || v > 1e15) invalid(file, where + "/" + key + ": out of range");
  return v;
}

// An optional string field; "" when absent.
std::string optional_text(const Json& j, const char* key, const fs::path& file, const std::string& where) {
  if (!j.contains(key)) return "";
  if (!j.at(key).is_string()) invalid(file, where + "/" + key + ": expected a string");
  return j.at(key).get<std::string>();
}

}  // namespace

Json efficiency_json(const Efficiency& e) {
  return Json{{"backend", to_string(e.backend)},
              {"bandwidth_efficiency", e.bandwidth_efficiency},
              {"per_token_s", e.per_token_s},
              {"per_moe_layer_s", e.per_moe_layer_s},
              {"per_layer_prompt_s", e.per_layer_prompt_s},
              {"prefill_efficiency", e.prefill_efficiency},
              {"decode_ratio_low", e.decode_ratio_low},
              {"decode_ratio_high", e.decode_ratio_high},
              {"prefill_ratio_low", e.prefill_ratio_low},
              {"prefill_ratio_high", e.prefill_ratio_high},
              {"decode_rows", e.decode_rows},
              {"prefill_rows", e.prefill_rows}};
}

fs::path config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] == '/') {
    return fs::path(xdg) / "llmsize";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return fs::path(home) / ".config" / "llmsize";
  }
  throw ProfileError(Kind::no_location, "neither $XDG_CONFIG_HOME nor $HOME is set; set one to say where llmsize keeps its profile");
}

fs::path profile_path(const fs::path& dir) { return dir / "machine.json"; }

MachineProfile load_profile(const fs::path& dir) {
  const fs::path file = profile_path(dir);
  MachineProfile p;
  std::error_code ec;
  if (!fs::exists(file, ec)) return p;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ProfileError(Kind::unreadable, file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  Json j;
  try {
    j = Json::parse(text.str());
  } catch (const Json::parse_error& e) {
    invalid(file, std::string("not valid JSON (") + e.what() + "); delete it or rerun `llmsize probe`");
  }
  if (!j.is_object()) invalid(file, "expected a JSON object");
  if (!j.contains("version") || j.at("version") != kProfileVersion) {
    invalid(file, "unknown profile version; delete it and rerun `llmsize probe`");
  }
  if (j.contains("bandwidth")) {
    const Json& b = j.at("bandwidth");
    if (!b.is_object()) invalid(file, "/bandwidth: expected an object");
    BandwidthMeasurement m;
    m.read_gb_per_s = positive(b, "read_gb_per_s", file, "/bandwidth");
    m.threads = static_cast<std::uint32_t>(positive(b, "threads", file, "/bandwidth"));
    m.seconds = positive(b, "seconds", file, "/bandwidth");
    m.cpu_model = optional_text(b, "cpu_model", file, "/bandwidth");
    m.measured_at = optional_text(b, "measured_at", file, "/bandwidth");
    p.bandwidth = m;
  }
  if (j.contains("efficiencies")) {
    const Json& list = j.at("efficiencies");
    if (!list.is_array()) invalid(file, "/efficiencies: expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Json& e = list[i];
      const std::string where = "/efficiencies/" + std::to_string(i);
      if (!e.is_object() || !e.contains("backend") || !e.at("backend").is_string()) {
        invalid(file, where + ": expected an object with a \"backend\"");
      }
      Efficiency f;
      f.backend = read_backend(e.at("backend").get<std::string>(), file);
      f.bandwidth_efficiency = positive(e, "bandwidth_efficiency", file, where);
      f.per_token_s = positive(e, "per_token_s", file, where);
      // Profiles saved before schema_version 3 have no MoE term: 0.
      f.per_moe_layer_s = e.contains("per_moe_layer_s") ? positive(e, "per_moe_layer_s", file, where) : 0;
      // Profiles saved before the prompt's cost per layer have none: 0.
      f.per_layer_prompt_s = e.contains("per_layer_prompt_s") ? positive(e, "per_layer_prompt_s", file, where) : 0;
      f.prefill_efficiency = positive(e, "prefill_efficiency", file, where);
      // Profiles written before schema_version 2 of the JSON named the band ratios decode_low etc.
      f.decode_ratio_low = positive(e, e.contains("decode_ratio_low") ? "decode_ratio_low" : "decode_low", file, where);
      f.decode_ratio_high = positive(e, e.contains("decode_ratio_high") ? "decode_ratio_high" : "decode_high", file, where);
      f.prefill_ratio_low = positive(e, e.contains("prefill_ratio_low") ? "prefill_ratio_low" : "prefill_low", file, where);
      f.prefill_ratio_high = positive(e, e.contains("prefill_ratio_high") ? "prefill_ratio_high" : "prefill_high", file, where);
      f.decode_rows = static_cast<std::size_t>(positive(e, "decode_rows", file, where));
      f.prefill_rows = static_cast<std::size_t>(positive(e, "prefill_rows", file, where));
      p.efficiencies.push_back(f);
    }
  }
  if (j.contains("backend_overhead_bytes")) {
    p.backend_overhead_bytes = static_cast<std::uint64_t>(positive(j, "backend_overhead_bytes", file, ""));
  }
  if (j.contains("calibration_files") && j.at("calibration_files").is_array()) {
    for (const Json& f : j.at("calibration_files")) {
      if (f.is_string()) p.calibration_files.push_back(f.get<std::string>());
    }
  }
  return p;
}

void save_profile(const fs::path& dir, const MachineProfile& p) {
  Json j;
  j["version"] = kProfileVersion;
  if (p.bandwidth) {
    j["bandwidth"] = Json{{"read_gb_per_s", p.bandwidth->read_gb_per_s},
                          {"threads", p.bandwidth->threads},
                          {"seconds", p.bandwidth->seconds},
                          {"cpu_model", p.bandwidth->cpu_model},
                          {"measured_at", p.bandwidth->measured_at}};
  }
  if (!p.efficiencies.empty()) {
    Json list = Json::array();
    for (const Efficiency& e : p.efficiencies) list.push_back(efficiency_json(e));
    j["efficiencies"] = list;
  }
  if (p.backend_overhead_bytes) j["backend_overhead_bytes"] = *p.backend_overhead_bytes;
  if (!p.calibration_files.empty()) j["calibration_files"] = p.calibration_files;

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ProfileError(Kind::unwritable, dir.string() + ": cannot create the directory (" + ec.message() + ")");
  const fs::path target = profile_path(dir);
  const fs::path temporary = dir / ("machine.json.tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << j.dump(2) << "\n";
    out.flush();
    if (!out) {
      fs::remove(temporary, ec);
      throw ProfileError(Kind::unwritable, temporary.string() + ": cannot be written; the previous profile is unchanged");
    }
  }
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw ProfileError(Kind::unwritable, target.string() + ": cannot be replaced; the previous profile is unchanged");
  }
}

}  // namespace llmsize::machine
