// Detected marketing names to catalog entries.
#include <algorithm>
#include <cctype>
#include <set>

#include "llmsize/machine/detect.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

// Words that say nothing about which part it is: vendors, trademarks, filler.
const std::set<std::string, std::less<>>& noise_words() {
  static const std::set<std::string, std::less<>> kNoise = {
      "nvidia", "geforce", "amd", "ati",  "radeon", "intel", "r",     "tm",   "graphics", "gpu", "processor",
      "cpu",    "corporation", "inc", "with", "w",    "the",  "apple", "gen",  "th",  "generation"};
  return kNoise;
}

bool has_digit(const std::string& w) {
  return std::any_of(w.begin(), w.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

bool is_memory_word(const std::string& w) {
  // "12gb", "16gb", "80gb", "141gb"
  if (w.size() < 3 || w.compare(w.size() - 2, 2, "gb") != 0) return false;
  return std::all_of(w.begin(), w.end() - 2, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::vector<std::string> name_words(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&]() {
    if (!cur.empty() && noise_words().count(cur) == 0) out.push_back(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (std::isalnum(c) != 0) {
      cur += static_cast<char>(std::tolower(c));
    } else if (c == '+') {
      flush();
      out.emplace_back("plus");
    } else {
      flush();
    }
  }
  flush();
  // "13th" of "13th Gen Intel" and "16" of "16-Core Processor" carry no model information but do no harm:
  // only the entry's words must all be present.
  return out;
}

std::optional<double> stated_memory_gib(const std::vector<std::string>& words) {
  for (const std::string& w : words) {
    if (is_memory_word(w)) return std::stod(w.substr(0, w.size() - 2));
  }
  return std::nullopt;
}

namespace detail {

int match_score(const std::vector<std::string>& detected, const std::vector<std::string>& entry,
                std::optional<std::uint64_t> memory_bytes) {
  if (entry.empty()) return 0;
  bool digit = false;
  int score = 0;
  for (const std::string& w : entry) {
    if (is_memory_word(w)) {
      // "RTX 3060 12GB": the detected name rarely says it; the detected memory must.
      if (std::find(detected.begin(), detected.end(), w) != detected.end()) {
        ++score;
        continue;
      }
      if (!memory_bytes) return 0;
      const double gib = std::stod(w.substr(0, w.size() - 2));
      const double have = static_cast<double>(*memory_bytes) / units::kBytesPerGiB;
      if (std::abs(have - gib) > 0.1 * gib) return 0;
      ++score;
      continue;
    }
    bool found = std::find(detected.begin(), detected.end(), w) != detected.end();
    // "13900KF" / "12400F" are the same silicon as "13900K" / "12400" without the iGPU.
    if (!found && has_digit(w)) {
      found = std::find(detected.begin(), detected.end(), w + "f") != detected.end();
    }
    if (!found) return 0;
    digit = digit || has_digit(w);
    ++score;
  }
  // One word without a digit ("spark") is too weak to call a match.
  if (!digit && entry.size() < 2) return 0;
  return score;
}

double entry_memory_gib(const Gpu& g) { return g.memory_gib; }
double entry_memory_gib(const UnifiedSystem&) { return 0; }
double entry_memory_gib(const Cpu&) { return 0; }

}  // namespace detail

MachineMatch match_machine(const catalog::Catalog& cat, const Detection& d) {
  MachineMatch m;
  if (!d.cpu.model_name.empty()) m.cpu = match_name(cat.cpus, d.cpu.model_name);
  bool has_discrete = false;
  for (const GpuInfo& g : d.gpus) {
    const Gpu* gpu = nullptr;
    if (g.kind == GpuKind::discrete) {
      gpu = match_name(cat.gpus, g.name, g.memory_total_bytes);
      has_discrete = true;
    }
    m.gpus.push_back(gpu);
  }
  // A unified-memory machine: the GPU says so (GB10, Strix Halo, Apple), or an iGPU sits beside a CPU the
  // catalog sizes as a system (Ryzen 7940HS with Radeon 780M) and there is no discrete GPU to use instead.
  for (const GpuInfo& g : d.gpus) {
    if (g.kind == GpuKind::discrete || m.system != nullptr) continue;
    if (g.kind == GpuKind::integrated && has_discrete) continue;
    std::string name = g.name;
    if (g.gpu_cores && g.vendor == "apple") name += " " + std::to_string(*g.gpu_cores) + "-core GPU";
    // Apple's GPU name with its core count is the most specific; an AMD APU's CPU name tells a Ryzen AI
    // Max 390 from a 395 where the GPU name does not.
    const bool gpu_first = g.vendor == "apple" || d.cpu.model_name.empty();
    m.system = match_name(cat.systems, gpu_first ? name : d.cpu.model_name);
    if (m.system == nullptr) m.system = match_name(cat.systems, gpu_first ? d.cpu.model_name : name);
  }
  // A board the catalog sizes as a whole (Raspberry Pi 5, Orion O6) names itself in cpuinfo.
  if (m.system == nullptr && m.cpu == nullptr && !has_discrete && !d.cpu.model_name.empty()) {
    m.system = match_name(cat.systems, d.cpu.model_name);
  }
  return m;
}

}  // namespace llmsize::machine
