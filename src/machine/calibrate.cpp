// llmsize calibrate: the user's llama-bench results and load logs -> this machine's factors.
#include "llmsize/machine/calibrate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "llmsize/machine/detect.h"
#include "llmsize/units.h"

namespace llmsize::machine {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMinRowsPerBackend = 3;  // as fit_calibration: fewer keep the catalog's factors

std::string trim(std::string_view s) {
  const auto start = s.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(start, end - start + 1));
}

std::size_t line_of_byte(const std::string& text, std::size_t byte) {
  const std::size_t end = std::min(byte, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(end), '\n'));
}

// The end of the text, ignoring trailing whitespace: a parse error there means the file was cut short.
bool at_end(const std::string& text, std::size_t byte) {
  const auto last = text.find_last_not_of(" \t\r\n");
  return last == std::string::npos || byte >= last + 1;
}

[[noreturn]] void fail(const std::string& message) { throw CalibrationInputError(message); }

const Json& field(const Json& row, const char* key, const std::string& where) {
  if (!row.contains(key)) fail(where + ": missing \"" + key + "\"");
  return row.at(key);
}

double number(const Json& row, const char* key, const std::string& where) {
  const Json& v = field(row, key, where);
  if (!v.is_number()) fail(where + ": \"" + key + "\" must be a number, got " + v.dump());
  const double d = v.get<double>();
  if (!std::isfinite(d)) fail(where + ": \"" + key + "\" must be finite");
  return d;
}

double positive(const Json& row, const char* key, const std::string& where) {
  const double d = number(row, key, where);
  if (!(d > 0)) fail(where + ": \"" + key + "\" must be positive, got " + row.at(key).dump());
  return d;
}

std::uint64_t count(const Json& row, const char* key, const std::string& where, bool required) {
  if (!required && !row.contains(key)) return 0;
  const double d = number(row, key, where);
  if (d < 0) fail(where + ": \"" + key + "\" must not be negative, got " + row.at(key).dump());
  if (d > 1e18 || d != std::floor(d)) fail(where + ": \"" + key + "\" must be a whole number, got " + row.at(key).dump());
  return static_cast<std::uint64_t>(d);
}

std::string text_field(const Json& row, const char* key, const std::string& where, bool required) {
  if (!row.contains(key)) {
    if (required) fail(where + ": missing \"" + key + "\"");
    return "";
  }
  const Json& v = row.at(key);
  if (!v.is_string()) fail(where + ": \"" + key + "\" must be a string, got " + v.dump());
  return v.get<std::string>();
}

BenchRow bench_row(const Json& j, const std::string& where) {
  if (!j.is_object()) fail(where + ": expected a JSON object (one llama-bench result)");
  BenchRow r;
  r.where = where;
  r.model_filename = text_field(j, "model_filename", where, false);
  r.model_type = text_field(j, "model_type", where, false);
  r.model_size_bytes = static_cast<std::uint64_t>(positive(j, "model_size", where));
  r.model_n_params = static_cast<std::uint64_t>(positive(j, "model_n_params", where));
  r.backends = text_field(j, "backends", where, true);
  r.gpu_info = text_field(j, "gpu_info", where, false);
  r.cpu_info = text_field(j, "cpu_info", where, false);
  if (j.contains("n_gpu_layers")) {
    const double ngl = number(j, "n_gpu_layers", where);
    if (ngl < -1 || ngl != std::floor(ngl)) fail(where + ": \"n_gpu_layers\" must be a whole number, got " + j.at("n_gpu_layers").dump());
    r.n_gpu_layers = static_cast<std::int64_t>(ngl);
  }
  r.n_threads = count(j, "n_threads", where, false);
  r.n_prompt = count(j, "n_prompt", where, true);
  r.n_gen = count(j, "n_gen", where, true);
  r.n_depth = count(j, "n_depth", where, false);
  r.avg_tokens_per_s = positive(j, "avg_ts", where);
  if (j.contains("stddev_ts")) {
    r.stddev_tokens_per_s = number(j, "stddev_ts", where);
    if (r.stddev_tokens_per_s < 0) fail(where + ": \"stddev_ts\" must not be negative, got " + j.at("stddev_ts").dump());
  }
  r.test_time = text_field(j, "test_time", where, false);
  return r;
}

[[noreturn]] void json_error(const std::string& path, const std::string& text, std::size_t byte, std::size_t line_offset) {
  const std::size_t line = line_offset + line_of_byte(text, byte > 0 ? byte - 1 : 0);
  if (at_end(text, byte > 0 ? byte - 1 : 0)) {
    fail(path + ":" + std::to_string(line) + ": the JSON ends early (truncated file?); expected llama-bench -o json or -o jsonl output");
  }
  fail(path + ":" + std::to_string(line) + ": not valid JSON; expected llama-bench -o json or -o jsonl output");
}

// "4403.49" -> bytes (MiB); throws naming the line.
std::uint64_t mib_value(const std::string& token, const std::string& where) {
  char* end = nullptr;
  const double mib = std::strtod(token.c_str(), &end);
  if (token.empty() || end != token.c_str() + token.size() || !std::isfinite(mib)) {
    fail(where + ": cannot read \"" + token + "\" as a size in MiB");
  }
  if (mib < 0) fail(where + ": a buffer size cannot be negative (" + token + " MiB)");
  if (mib > 1e9) fail(where + ": " + token + " MiB is not a plausible buffer size");
  return static_cast<std::uint64_t>(std::llround(mib * static_cast<double>(units::kMiB)));
}

// The token after "= " up to whitespace, and whether "MiB" follows.
std::string size_token(const std::string& line, std::size_t from, const std::string& where) {
  const auto eq = line.find('=', from);
  if (eq == std::string::npos) fail(where + ": expected \"= SIZE MiB\" after the buffer name");
  std::istringstream rest(line.substr(eq + 1));
  std::string token;
  std::string unit;
  rest >> token >> unit;
  if (unit.rfind("MiB", 0) != 0) fail(where + ": expected a size in MiB, got \"" + trim(line.substr(eq + 1)) + "\"");
  return token;
}

// Lowercase words of a CPU description without trademarks, core counts or clocks, joined by '-', to tell
// whether llama-bench's cpu_info names this machine's CPU: "AMD Ryzen 7 7800X3D 8-Core Processor" ->
// "amd-ryzen-7-7800x3d".
std::string hardware_key(std::string_view description) {
  std::string s;
  int depth = 0;
  for (char c : description) {
    if (c == '(') ++depth;
    if (depth == 0) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == ')' && depth > 0) --depth;
  }
  for (const char* noise : {"(r)", "(tm)"}) {
    for (auto p = s.find(noise); p != std::string::npos; p = s.find(noise)) s.erase(p, std::string(noise).size());
  }
  s = std::regex_replace(s, std::regex(R"(\d+-core processor.*|\bcpu @.*|\bprocessor\b|with radeon.*graphics)"), " ");
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::vector<std::string> split_devices(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const std::string item = trim(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<Backend> backend_of(const std::string& backends) {
  std::string lower;
  for (char c : backends) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("rpc") != std::string::npos) return std::nullopt;
  for (const BackendName& row : kBackendNames) {
    if (row.backend != Backend::cpu && lower.find(row.id) != std::string::npos) return row.backend;
  }
  // llama.cpp's other spellings: HIP for its ROCm backend, MTL for Metal.
  if (lower.find("hip") != std::string::npos) return Backend::rocm;
  if (lower.find("mtl") != std::string::npos) return Backend::metal;
  if (lower == "cpu" || lower == "blas" || lower == "cpu,blas" || lower == "blas,cpu") return Backend::cpu;
  return std::nullopt;
}

bool is_moe(const BenchRow& r) {
  std::string lower;
  for (char c : r.model_type) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("moe") != std::string::npos || std::regex_search(lower, std::regex(R"(\d(\.\d+)?b\.a\d)"));
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void copy_decode(Efficiency& to, const Efficiency& from) {
  to.bandwidth_efficiency = from.bandwidth_efficiency;
  to.per_token_s = from.per_token_s;
  to.decode_low = from.decode_low;
  to.decode_high = from.decode_high;
  to.decode_rows = from.decode_rows;
}

void copy_prefill(Efficiency& to, const Efficiency& from) {
  to.prefill_efficiency = from.prefill_efficiency;
  to.prefill_low = from.prefill_low;
  to.prefill_high = from.prefill_high;
  to.prefill_rows = from.prefill_rows;
}

}  // namespace

std::vector<BenchRow> parse_llama_bench_json(const std::string& path, const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    json_error(path, text, e.byte, 0);
  }
  if (!j.is_array()) fail(path + ": expected a JSON array of llama-bench results (llama-bench -o json)");
  if (j.empty()) fail(path + ": no llama-bench results (the array is empty)");
  std::vector<BenchRow> rows;
  for (std::size_t i = 0; i < j.size(); ++i) rows.push_back(bench_row(j[i], path + ": row " + std::to_string(i + 1)));
  return rows;
}

std::vector<BenchRow> parse_llama_bench_jsonl(const std::string& path, const std::string& text) {
  std::vector<BenchRow> rows;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (trim(line).empty()) continue;
    Json j;
    try {
      j = Json::parse(line);
    } catch (const Json::parse_error& e) {
      json_error(path, line, e.byte, number - 1);
    }
    rows.push_back(bench_row(j, path + ":" + std::to_string(number)));
  }
  if (rows.empty()) fail(path + ": no llama-bench results");
  return rows;
}

LoadLogSummary parse_load_log(const std::string& path, const std::string& text) {
  LoadLogSummary s;
  s.file = path;
  static const std::regex kBreakdown(
      R"(^\s*\|?\s*-\s*(.*?)\s*[|:]\s*(-?\d+)\s*=\s*(-?\d+)\s*\+\s*\(\s*(-?\d+)\s*=\s*(-?\d+)\s*\+\s*(-?\d+)\s*\+\s*(-?\d+)\s*\)\s*\+\s*(-?\d+)\s*\|?\s*$)");
  // Host / CPU rows have no free memory to subtract: "- Host | 804 = 682 + 0 + 122 |", "- CPU (x): 515628  72 = 0 + 57 + 15".
  static const std::regex kHostRow(R"(^\s*\|?\s*-\s*[^|:]*[|:][\s\d]*=\s*\d+\s*\+\s*\d+\s*\+\s*\d+\s*\|?\s*$)");
  std::uint64_t kv_per_device = 0;
  std::uint64_t kv_totals = 0;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  bool recognised = false;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    for (const char* tag : {"llama_memory_breakdown_print:", "llama_print_memory_breakdown:"}) {
      const auto at = line.find(tag);
      if (at == std::string::npos) continue;
      recognised = true;
      const std::string rest = line.substr(at + std::string(tag).size());
      if (rest.find("memory breakdown") != std::string::npos || trim(rest).empty()) break;  // header
      std::smatch m;
      if (std::regex_match(rest, m, kBreakdown)) {
        BreakdownRow b;
        b.device = m[1].str();
        std::array<std::int64_t*, 7> values = {&b.total_mib, &b.free_mib,    &b.self_mib,       &b.model_mib,
                                               &b.context_mib, &b.compute_mib, &b.unaccounted_mib};
        for (std::size_t i = 0; i < values.size(); ++i) *values[i] = std::stoll(m[i + 2].str());
        s.breakdown.push_back(b);
      } else if (!std::regex_match(rest, kHostRow)) {
        fail(where + ": cannot read this memory breakdown row: \"" + trim(rest) + "\"");
      }
      break;
    }
    const auto buffer = line.find("buffer size");
    if (buffer != std::string::npos && line.find("llama_memory_breakdown") == std::string::npos) {
      const std::string before = line.substr(0, buffer);
      std::uint64_t* target = nullptr;
      if (before.find(" model ") != std::string::npos || before.ends_with("model ")) target = &s.model_buffer_bytes;
      if (before.find(" KV ") != std::string::npos || before.find(" RS ") != std::string::npos) target = &kv_per_device;
      if (before.find(" compute ") != std::string::npos) target = &s.compute_buffer_bytes;
      if (before.find(" output ") != std::string::npos) target = &s.output_buffer_bytes;
      if (target != nullptr) {
        *target += mib_value(size_token(line, buffer, where), where);
        ++s.buffer_lines;
        recognised = true;
      }
    }
    static const std::regex kKvTotal(R"((llama_kv_cache\w*: size|KV self size)\s*=)");
    std::smatch kv;
    if (std::regex_search(line, kv, kKvTotal)) {
      kv_totals += mib_value(size_token(line, static_cast<std::size_t>(kv.position(0)), where), where);
      ++s.buffer_lines;
      recognised = true;
    }
  }
  if (!recognised) {
    fail(path + ": neither llama-bench JSON nor a llama.cpp load log (no \"buffer size\" or \"memory breakdown\" lines)");
  }
  s.kv_cache_bytes = kv_per_device > 0 ? kv_per_device : kv_totals;
  return s;
}

void parse_calibration_file(const std::string& path, const std::string& text, CalibrationInput& input) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) fail(path + ": the file is empty");
  if (text[first] == '[') {
    auto rows = parse_llama_bench_json(path, text);
    input.rows.insert(input.rows.end(), rows.begin(), rows.end());
  } else if (text[first] == '{') {
    auto rows = parse_llama_bench_jsonl(path, text);
    input.rows.insert(input.rows.end(), rows.begin(), rows.end());
  } else {
    input.logs.push_back(parse_load_log(path, text));
  }
}

double cpuinfo_flops_per_s(const std::string& cpuinfo_text) {
  std::istringstream in(cpuinfo_text);
  std::string line;
  std::uint32_t logical = 0;
  std::uint32_t cores_per_package = 0;
  std::uint32_t siblings = 0;
  double mhz = 0;
  std::set<std::string> flags;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    if (key == "processor") ++logical;
    if (key == "cpu cores" && cores_per_package == 0) cores_per_package = static_cast<std::uint32_t>(std::atoi(value.c_str()));
    if (key == "siblings" && siblings == 0) siblings = static_cast<std::uint32_t>(std::atoi(value.c_str()));
    if (key == "cpu MHz" && mhz == 0) mhz = std::atof(value.c_str());
    if ((key == "flags" || key == "Features") && flags.empty()) {
      std::istringstream words(value);
      std::string w;
      while (words >> w) flags.insert(w);
    }
  }
  if (logical == 0 || mhz <= 0) return 0;
  Cpu c;
  // Physical cores: logical CPUs × (cores per package / siblings per package) when both are given.
  c.cores = cores_per_package > 0 && siblings > 0 ? logical * cores_per_package / siblings : logical;
  c.base_clock_ghz = mhz / 1000;
  if (flags.count("amx_tile") > 0) c.simd.push_back("amx");
  if (flags.count("avx512f") > 0) c.simd.push_back("avx512");
  if (flags.count("avx2") > 0) c.simd.push_back("avx2");
  if (flags.count("asimd") > 0) c.simd.push_back("neon");
  return cpu_flops_per_s(c);
}

// The same matcher as `llmsize detect` (detect.h), so both name the same catalog entry for a device.
const Gpu* match_gpu(const catalog::Catalog& cat, std::string_view description) {
  return trim(description).empty() ? nullptr : match_name(cat.gpus, description);
}
const Cpu* match_cpu(const catalog::Catalog& cat, std::string_view description) {
  return trim(description).empty() ? nullptr : match_name(cat.cpus, description);
}
const UnifiedSystem* match_system(const catalog::Catalog& cat, std::string_view description) {
  return trim(description).empty() ? nullptr : match_name(cat.systems, description);
}

Calibration merge_calibration(const Calibration& base, const std::vector<Efficiency>& mine) {
  Calibration out = base;
  for (Efficiency& e : out.backends) {
    for (const Efficiency& m : mine) {
      if (m.backend != e.backend) continue;
      if (m.decode_rows > 0) copy_decode(e, m);
      if (m.prefill_rows > 0) copy_prefill(e, m);
    }
  }
  return out;
}

CalibrationResult calibrate(const catalog::Catalog& cat, const Calibration& catalog_fit, const CalibrationInput& input,
                            const ThisMachine& machine) {
  CalibrationResult result;
  for (const BenchRow& row : input.rows) {
    RowUse use;
    use.row = &row;
    auto skip = [&](const std::string& why) {
      use.skipped_because = why;
      result.rows.push_back(use);
    };
    const bool decode = row.n_gen > 0 && row.n_prompt == 0;
    const bool prefill = row.n_prompt > 0 && row.n_gen == 0;
    use.decode = decode;
    if (!decode && !prefill) {
      skip("a combined prompt + generation test (-pg); only pp and tg tests are calibrated");
      continue;
    }
    if (row.n_depth > 0) {
      skip("measured at depth " + std::to_string(row.n_depth) + " (-d); only depth-0 tests are calibrated");
      continue;
    }
    if (is_moe(row)) {
      skip("a mixture-of-experts model: the bytes read per token are not the file size");
      continue;
    }
    const std::optional<Backend> backend = backend_of(row.backends);
    if (!backend) {
      skip("backend \"" + row.backends + "\" is not one llmsize models (" + backend_labels() + ")");
      continue;
    }
    use.backend = *backend;
    if (*backend == Backend::cpu) {
      if (!machine.cpu_model.empty() && !row.cpu_info.empty() &&
          hardware_key(row.cpu_info) != hardware_key(machine.cpu_model)) {
        skip("run on another CPU (\"" + row.cpu_info + "\"; this machine has \"" + machine.cpu_model + "\")");
        continue;
      }
      if (!machine.measured_bandwidth_bytes_per_s) {
        skip("a CPU run, and this machine's bandwidth is not measured yet: run `llmsize probe` first");
        continue;
      }
      use.device = "this machine";
      use.bandwidth_bytes_per_s = *machine.measured_bandwidth_bytes_per_s;
      const Cpu* c = match_cpu(cat, row.cpu_info);
      use.flops_per_s = c != nullptr ? cpu_flops_per_s(*c) : machine.cpu_flops_per_s;
    } else if (*backend == Backend::metal) {
      const UnifiedSystem* s = match_system(cat, row.gpu_info);
      if (s == nullptr) s = match_system(cat, row.cpu_info);
      if (s == nullptr) {
        skip("\"" + (row.gpu_info.empty() ? row.cpu_info : row.gpu_info) + "\" is not in the catalog's systems");
        continue;
      }
      const ComputeDevice d = device_from_system(*s);
      use.device = s->meta.id;
      use.bandwidth_bytes_per_s = d.bandwidth_bytes_per_s;
      use.flops_per_s = d.matmul_flops_per_s;
    } else {
      if (row.n_gpu_layers == 0) {
        skip("no layers on the GPU (n_gpu_layers 0)");
        continue;
      }
      const auto names = split_devices(row.gpu_info);
      const Gpu* gpu = names.empty() ? nullptr : match_gpu(cat, names.front());
      bool same = gpu != nullptr;
      for (const std::string& name : names) same = same && match_gpu(cat, name) == gpu;
      if (!same) {
        skip("GPU \"" + row.gpu_info + "\" is not in the catalog (or the GPUs differ)");
        continue;
      }
      const ComputeDevice d = device_from_gpu(*gpu);
      use.device = gpu->meta.id;
      use.bandwidth_bytes_per_s = d.bandwidth_bytes_per_s;
      use.flops_per_s = d.matmul_flops_per_s * static_cast<double>(names.size());
    }
    if (decode) {
      use.seconds_at_peak = static_cast<double>(row.model_size_bytes) / use.bandwidth_bytes_per_s;
    } else {
      if (!(use.flops_per_s > 0)) {
        skip("the CPU's peak FLOP/s is unknown (not in the catalog, /proc/cpuinfo unreadable)");
        continue;
      }
      use.seconds_at_peak = 2.0 * static_cast<double>(row.model_n_params) / use.flops_per_s;
    }
    use.used = true;
    CalibrationPoint p;
    p.backend = *backend;
    p.decode = decode;
    p.holdout = false;
    p.seconds_at_peak = use.seconds_at_peak;
    p.measured_tokens_per_s = row.avg_tokens_per_s;
    p.label = row.where;
    result.points.push_back(p);
    result.rows.push_back(use);
  }

  const Calibration mine = fit_calibration(result.points);
  for (const Efficiency& fitted : mine.backends) {
    if (fitted.decode_rows < kMinRowsPerBackend && fitted.prefill_rows < kMinRowsPerBackend) continue;
    Efficiency e = catalog_fit.get(fitted.backend);
    e.backend = fitted.backend;
    e.decode_rows = 0;
    e.prefill_rows = 0;
    if (fitted.decode_rows >= kMinRowsPerBackend) copy_decode(e, fitted);
    if (fitted.prefill_rows >= kMinRowsPerBackend) copy_prefill(e, fitted);
    result.fitted.push_back(e);
  }
  result.after = merge_calibration(catalog_fit, result.fitted);
  result.before_decode = evaluate(catalog_fit, result.points, true, false);
  result.after_decode = evaluate(result.after, result.points, true, false);
  result.before_prefill = evaluate(catalog_fit, result.points, false, false);
  result.after_prefill = evaluate(result.after, result.points, false, false);
  for (RowUse& use : result.rows) {
    if (!use.used) continue;
    const Efficiency& b = catalog_fit.get(use.backend);
    const Efficiency& a = result.after.get(use.backend);
    use.predicted_before_tokens_per_s = use.decode ? predict_decode_tokens_per_s(b, use.seconds_at_peak)
                                                   : predict_prefill_tokens_per_s(b, use.seconds_at_peak);
    use.predicted_after_tokens_per_s = use.decode ? predict_decode_tokens_per_s(a, use.seconds_at_peak)
                                                  : predict_prefill_tokens_per_s(a, use.seconds_at_peak);
  }

  // Backend overhead: memory on a GPU that is neither llama.cpp's buffers nor free ("unaccounted" in
  // the final memory breakdown: driver context, and whatever else holds the card). The median over
  // the GPU rows; negative values (never seen in final tables) are ignored.
  std::vector<double> unaccounted;
  for (const LoadLogSummary& log : input.logs) {
    for (const BreakdownRow& b : log.breakdown) {
      const bool host = b.device.rfind("Host", 0) == 0 || b.device.rfind("CPU", 0) == 0;
      if (!host && b.unaccounted_mib >= 0) unaccounted.push_back(static_cast<double>(b.unaccounted_mib));
    }
  }
  if (!unaccounted.empty()) {
    result.overhead_rows = unaccounted.size();
    result.backend_overhead_bytes = static_cast<std::uint64_t>(std::llround(median(unaccounted) * static_cast<double>(units::kMiB)));
  }
  return result;
}

}  // namespace llmsize::machine
