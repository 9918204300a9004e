// Reading the user's llama-bench results (`-o json` arrays, `-o jsonl` lines) as untrusted input,
// and telling them apart from load logs (load_log.cpp).
#include <algorithm>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "llmsize/machine/calibrate.h"
#include "text.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& message) { throw CalibrationInputError(message); }

std::size_t line_of_byte(const std::string& text, std::size_t byte) {
  const std::size_t end = std::min(byte, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(end), '\n'));
}

// The end of the text, ignoring trailing whitespace: a parse error there means the file was cut short.
bool at_end(const std::string& text, std::size_t byte) {
  const auto last = text.find_last_not_of(" \t\r\n");
  return last == std::string::npos || byte >= last + 1;
}

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

void read_run_settings(const Json& j, const std::string& where, BenchRow& r) {
  if (j.contains("n_gpu_layers")) {
    const double ngl = number(j, "n_gpu_layers", where);
    if (ngl < -1 || ngl != std::floor(ngl)) fail(where + ": \"n_gpu_layers\" must be a whole number, got " + j.at("n_gpu_layers").dump());
    r.n_gpu_layers = static_cast<std::int64_t>(ngl);
  }
  r.n_threads = count(j, "n_threads", where, false);
  r.n_prompt = count(j, "n_prompt", where, true);
  r.n_gen = count(j, "n_gen", where, true);
  r.n_depth = count(j, "n_depth", where, false);
  if (j.contains("flash_attn")) {
    const Json& fa = j.at("flash_attn");
    if (fa.is_boolean()) {
      r.flash_attention = fa.get<bool>();
    } else if (fa.is_number()) {
      r.flash_attention = fa.get<double>() != 0;  // 1 on, -1 auto (on where the backend has it), 0 off
    } else if (fa.is_string()) {
      r.flash_attention = fa.get<std::string>() != "off" && fa.get<std::string>() != "0";
    } else {
      fail(where + ": \"flash_attn\" must be true/false, a number or on/off/auto, got " + fa.dump());
    }
  }
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
  read_run_settings(j, where, r);
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

}  // namespace llmsize::machine
