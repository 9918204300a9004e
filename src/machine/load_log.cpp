// Reading llama.cpp / Ollama load logs: the "buffer size" lines and the final memory breakdown
// table (llama_memory_breakdown_print), for the buffer sizes and the backend overhead.
#include <array>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "llmsize/machine/calibrate.h"
#include "llmsize/units.h"
#include "text.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

[[noreturn]] void fail(const std::string& message) { throw CalibrationInputError(message); }

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
  if (unit.rfind("MiB", 0) != 0) fail(where + ": expected a size in MiB, got \"" + std::string(trim(line.substr(eq + 1))) + "\"");
  return token;
}

// One line of a log, read into the summary; false when the line is none of the kinds it knows.
class LogReader {
 public:
  explicit LogReader(LoadLogSummary& s) : s_(s) {}

  bool read(const std::string& line, const std::string& where) {
    const bool table = breakdown(line, where);
    const bool buffer = buffer_line(line, where);
    return kv_total(line, where) || table || buffer;
  }
  [[nodiscard]] std::uint64_t kv_cache_bytes() const { return kv_per_device_ > 0 ? kv_per_device_ : kv_totals_; }

 private:
  // "llama_memory_breakdown_print: | - CUDA0 (RTX 4090) | 24080 = 1 + (22876 = 21632 + 384 + 860) + 1202 |"
  bool breakdown(const std::string& line, const std::string& where) {
    static const std::regex kBreakdown(
        R"(^\s*\|?\s*-\s*(.*?)\s*[|:]\s*(-?\d+)\s*=\s*(-?\d+)\s*\+\s*\(\s*(-?\d+)\s*=\s*(-?\d+)\s*\+\s*(-?\d+)\s*\+\s*(-?\d+)\s*\)\s*\+\s*(-?\d+)\s*\|?\s*$)");
    // Host / CPU rows have no free memory to subtract: "- Host | 804 = 682 + 0 + 122 |", "- CPU (x): 515628  72 = 0 + 57 + 15".
    static const std::regex kHostRow(R"(^\s*\|?\s*-\s*[^|:]*[|:][\s\d]*=\s*\d+\s*\+\s*\d+\s*\+\s*\d+\s*\|?\s*$)");
    for (const std::string tag : {"llama_memory_breakdown_print:", "llama_print_memory_breakdown:"}) {
      const auto at = line.find(tag);
      if (at == std::string::npos) continue;
      const std::string rest = line.substr(at + tag.size());
      if (rest.find("memory breakdown") != std::string::npos || trim(rest).empty()) return true;  // header
      std::smatch m;
      if (std::regex_match(rest, m, kBreakdown)) {
        BreakdownRow b;
        b.device = m[1].str();
        const std::array<std::int64_t*, 7> values = {&b.total_mib,   &b.free_mib,    &b.self_mib,       &b.model_mib,
                                                     &b.context_mib, &b.compute_mib, &b.unaccounted_mib};
        for (std::size_t i = 0; i < values.size(); ++i) *values[i] = std::stoll(m[i + 2].str());
        s_.breakdown.push_back(b);
      } else if (!std::regex_match(rest, kHostRow)) {
        fail(where + ": cannot read this memory breakdown row: \"" + std::string(trim(rest)) + "\"");
      }
      return true;
    }
    return false;
  }

  // "load_tensors:   CUDA0 model buffer size =  4403.49 MiB", "llama_context: CUDA0 compute buffer size = ..."
  bool buffer_line(const std::string& line, const std::string& where) {
    const auto buffer = line.find("buffer size");
    if (buffer == std::string::npos || line.find("llama_memory_breakdown") != std::string::npos) return false;
    const std::string before = line.substr(0, buffer);
    std::uint64_t* target = nullptr;
    if (before.find(" model ") != std::string::npos || before.ends_with("model ")) target = &s_.model_buffer_bytes;
    if (before.find(" KV ") != std::string::npos || before.find(" RS ") != std::string::npos) target = &kv_per_device_;
    if (before.find(" compute ") != std::string::npos) target = &s_.compute_buffer_bytes;
    if (before.find(" output ") != std::string::npos) target = &s_.output_buffer_bytes;
    if (target == nullptr) return false;
    *target += mib_value(size_token(line, buffer, where), where);
    ++s_.buffer_lines;
    return true;
  }

  // "llama_kv_cache: size = 1024.00 MiB (...)": the whole cache, when no per-device KV buffer line came.
  bool kv_total(const std::string& line, const std::string& where) {
    static const std::regex kKvTotal(R"((llama_kv_cache\w*: size|KV self size)\s*=)");
    std::smatch kv;
    if (!std::regex_search(line, kv, kKvTotal)) return false;
    kv_totals_ += mib_value(size_token(line, static_cast<std::size_t>(kv.position(0)), where), where);
    ++s_.buffer_lines;
    return true;
  }

  LoadLogSummary& s_;
  std::uint64_t kv_per_device_ = 0;
  std::uint64_t kv_totals_ = 0;
};

}  // namespace

LoadLogSummary parse_load_log(const std::string& path, const std::string& text) {
  LoadLogSummary s;
  s.file = path;
  LogReader reader(s);
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  bool recognised = false;
  while (std::getline(in, line)) {
    ++number;
    recognised = reader.read(line, path + ":" + std::to_string(number)) || recognised;
  }
  if (!recognised) {
    fail(path + ": neither llama-bench JSON nor a llama.cpp load log (no \"buffer size\" or \"memory breakdown\" lines)");
  }
  s.kv_cache_bytes = reader.kv_cache_bytes();
  return s;
}

}  // namespace llmsize::machine
