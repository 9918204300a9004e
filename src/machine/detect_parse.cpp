// Pure parsers of /proc, dmidecode, nvidia-smi, rocm-smi, sysctl and system_profiler output. Every
// parser survives truncated or garbage input: what it cannot read stays unset.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "llmsize/machine/detect.h"
#include "llmsize/units.h"
#include "text.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "key : value" -> {"key", "value"}; no colon -> nullopt.
std::optional<std::pair<std::string_view, std::string_view>> key_value(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::make_pair(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
  s = trim(s);
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr == s.data()) return std::nullopt;
  return v;
}

// A leading unsigned number of `s` ("5600 MT/s" -> 5600), rejecting values that overflow 32 bits.
std::uint32_t leading_u32(std::string_view s) {
  s = trim(s);
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr == s.data() || v > 0xFFFFFFFFULL) return 0;
  return static_cast<std::uint32_t>(v);
}

std::optional<std::uint64_t> mul_checked(std::uint64_t v, std::uint64_t factor) {
  if (factor != 0 && v > UINT64_MAX / factor) return std::nullopt;
  return v * factor;
}

bool has_word(const std::set<std::string, std::less<>>& words, std::string_view w) { return words.count(w) > 0; }

}  // namespace

const char* to_string(GpuKind k) {
  switch (k) {
    case GpuKind::discrete: return "discrete";
    case GpuKind::integrated: return "integrated";
    case GpuKind::unified: return "unified";
  }
  return "discrete";
}

// ---------------------------------------------------------------------------------------------
// /proc/cpuinfo

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo c;
  std::set<std::pair<std::string, std::string>> cores;
  std::set<std::string> sockets;
  std::set<std::string, std::less<>> flags;
  std::string physical_id;
  std::string arm_part;
  std::string hardware;
  bool arm = false;
  for (std::string_view line : lines_of(text)) {
    const auto kv = key_value(line);
    if (!kv) continue;
    const auto [key, value] = *kv;
    if (key == "processor") {
      // x86 and ARM start every logical CPU with "processor : N"; old ARM kernels print
      // "Processor : ARMv7 ..." once, which is a name, not an index.
      if (!value.empty() && std::isdigit(static_cast<unsigned char>(value.front())) != 0) ++c.threads;
    } else if (key == "model name" && c.model_name.empty()) {
      c.model_name = std::string(value);
    } else if (key == "vendor_id" && c.vendor.empty()) {
      c.vendor = std::string(value);
      c.arch = "x86_64";
    } else if (key == "physical id") {
      physical_id = std::string(value);
      sockets.insert(physical_id);
    } else if (key == "core id") {
      cores.insert({physical_id, std::string(value)});
    } else if (key == "cpu MHz" && c.mhz == 0) {
      try {
        c.mhz = std::stod(std::string(value));
      } catch (const std::exception&) {
        c.mhz = 0;
      }
      if (!(c.mhz > 0 && c.mhz < 1e5)) c.mhz = 0;
    } else if (key == "flags" || key == "Features") {
      if (key == "Features") arm = true;
      std::size_t start = 0;
      const std::string v(value);
      while (start < v.size()) {
        std::size_t end = v.find(' ', start);
        if (end == std::string::npos) end = v.size();
        if (end > start) flags.insert(v.substr(start, end - start));
        start = end + 1;
      }
    } else if (key == "CPU implementer" && c.vendor.empty()) {
      arm = true;
      // ARM's implementer codes (arch/arm64 MIDR): 0x41 ARM, 0x61 Apple, 0x4e NVIDIA, 0x51 Qualcomm.
      static const std::map<std::string, std::string, std::less<>> kImplementers = {
          {"0x41", "ARM"}, {"0x61", "Apple"}, {"0x4e", "NVIDIA"}, {"0x51", "Qualcomm"}, {"0x48", "HiSilicon"},
          {"0x43", "Cavium"}, {"0x46", "Fujitsu"}, {"0xc0", "Ampere"}};
      const auto it = kImplementers.find(lower(value));
      c.vendor = it != kImplementers.end() ? it->second : std::string(value);
    } else if (key == "CPU part" && arm_part.empty()) {
      arm_part = lower(value);
    } else if (key == "Hardware" || key == "Model") {
      if (hardware.empty()) hardware = std::string(value);
    }
  }
  if (arm) c.arch = "aarch64";
  if (c.threads == 0) return CpuInfo{};
  c.sockets = sockets.empty() ? 1 : static_cast<std::uint32_t>(sockets.size());
  c.cores = cores.empty() ? c.threads : static_cast<std::uint32_t>(cores.size());
  if (c.model_name.empty() && !hardware.empty()) {
    c.model_name = hardware;  // ARM boards name themselves ("Raspberry Pi 5 Model B Rev 1.0")
  } else if (c.model_name.empty() && arm) {
    // ARM cpuinfo names no model: the core type from the part number (Arm's TRMs).
    static const std::map<std::string, std::string, std::less<>> kParts = {
        {"0xd03", "Cortex-A53"}, {"0xd05", "Cortex-A55"}, {"0xd08", "Cortex-A72"}, {"0xd0b", "Cortex-A76"},
        {"0xd0c", "Neoverse-N1"}, {"0xd40", "Neoverse-V1"}, {"0xd41", "Cortex-A78"}, {"0xd49", "Neoverse-N2"},
        {"0xd4f", "Neoverse-V2"}, {"0xd81", "Cortex-A720"}, {"0xd85", "Cortex-X925"}, {"0xd87", "Cortex-A725"}};
    const auto it = kParts.find(arm_part);
    if (it != kParts.end()) {
      c.model_name = c.vendor + " " + it->second;
    } else if (!arm_part.empty()) {
      c.model_name = c.vendor + " part " + arm_part;
    }
  }
  if (has_word(flags, "avx2")) c.simd.emplace_back("avx2");
  if (has_word(flags, "avx512f")) c.simd.emplace_back("avx512");
  if (has_word(flags, "amx_tile") || has_word(flags, "amx_bf16") || has_word(flags, "amx_int8")) c.simd.emplace_back("amx");
  if (has_word(flags, "asimd") || has_word(flags, "neon")) c.simd.emplace_back("neon");
  if (has_word(flags, "sve")) c.simd.emplace_back("sve");
  return c;
}

// ---------------------------------------------------------------------------------------------
// /proc/meminfo

MemInfo parse_meminfo(std::string_view text) {
  MemInfo m;
  for (std::string_view line : lines_of(text)) {
    const auto kv = key_value(line);
    if (!kv) continue;
    const auto [key, value] = *kv;
    if (key != "MemTotal" && key != "MemAvailable") continue;
    std::string_view number = value;
    std::uint64_t factor = 1;
    if (const std::size_t sp = value.find(' '); sp != std::string_view::npos) {
      number = value.substr(0, sp);
      factor = lower(trim(value.substr(sp))) == "kb" ? units::kKiB : 0;  // the kernel prints kB (KiB) only
    }
    const auto v = to_u64(number);
    if (!v || factor == 0) continue;
    const auto bytes = mul_checked(*v, factor);
    if (!bytes) continue;
    (key == "MemTotal" ? m.total_bytes : m.available_bytes) = *bytes;
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// dmidecode -t memory

namespace {

// "16 GB" / "32 GiB" / "4096 MB" / "16384 MiB": dmidecode means binary units either way (it printed
// "GB" for GiB before version 3.6).
std::uint64_t dmi_size_bytes(std::string_view v) {
  const std::uint64_t n = leading_u32(v);
  const std::string unit = lower(v.substr(std::min(v.size(), v.find(' ') == std::string_view::npos ? v.size() : v.find(' ') + 1)));
  std::uint64_t factor = 0;
  if (unit == "gb" || unit == "gib") factor = units::kGiB;
  if (unit == "mb" || unit == "mib") factor = units::kMiB;
  if (unit == "tb" || unit == "tib") factor = units::kGiB * 1024;
  return mul_checked(n, factor).value_or(0);
}

// "P0 CHANNEL A" -> "p0/a"; "Controller0-ChannelA-DIMM0" -> "controller0/a"; none -> "".
std::string channel_label(const MemoryModule& m) {
  for (const std::string& text : {lower(m.bank_locator), lower(m.locator)}) {
    const std::size_t at = text.find("channel");
    if (at == std::string::npos) continue;
    std::size_t i = at + 7;
    while (i < text.size() && (text[i] == ' ' || text[i] == '-' || text[i] == '_')) ++i;
    std::string id;
    while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i])) != 0) id += text[i++];
    if (id.empty()) continue;
    std::string prefix = text.substr(0, at);
    while (!prefix.empty() && !std::isalnum(static_cast<unsigned char>(prefix.back()))) prefix.pop_back();
    return prefix + "/" + id;
  }
  return "";
}

}  // namespace

MemoryLayout parse_dmidecode_memory(std::string_view text) {
  MemoryLayout layout;
  std::optional<MemoryModule> current;
  bool populated = false;
  auto flush = [&]() {
    if (current && populated && current->size_bytes > 0) layout.modules.push_back(*current);
    current.reset();
    populated = false;
  };
  for (std::string_view raw : lines_of(text)) {
    const std::string_view line = trim(raw);
    if (line == "Memory Device") {
      flush();
      current = MemoryModule{};
      ++layout.slots;
      continue;
    }
    if (line.rfind("Handle ", 0) == 0 || line.empty()) {
      if (line.rfind("Handle ", 0) == 0) flush();
      continue;
    }
    if (!current) continue;
    const auto kv = key_value(line);
    if (!kv) continue;
    const auto [key, value] = *kv;
    if (key == "Size") {
      current->size_bytes = dmi_size_bytes(value);
      populated = current->size_bytes > 0;
    } else if (key == "Locator") {
      current->locator = std::string(value);
    } else if (key == "Bank Locator") {
      current->bank_locator = std::string(value);
    } else if (key == "Type") {
      current->type = std::string(value);
    } else if (key == "Speed") {
      current->speed_mt_per_s = leading_u32(value);
    } else if (key == "Configured Memory Speed" || key == "Configured Clock Speed") {
      current->configured_speed_mt_per_s = leading_u32(value);
    } else if (key == "Data Width") {
      current->data_width_bits = leading_u32(value);
    }
  }
  flush();
  if (layout.modules.empty()) return layout;
  const MemoryModule& first = layout.modules.front();
  layout.type = (first.type == "Unknown" || first.type == "Other") ? "" : first.type;
  std::uint32_t speed = 0;
  std::set<std::string> channels;
  std::uint32_t width = 0;
  bool all_labelled = true;
  for (const MemoryModule& m : layout.modules) {
    const std::uint32_t s = m.configured_speed_mt_per_s != 0 ? m.configured_speed_mt_per_s : m.speed_mt_per_s;
    if (s != 0 && (speed == 0 || s < speed)) speed = s;
    const std::string label = channel_label(m);
    if (label.empty()) all_labelled = false;
    channels.insert(label);
    if (width == 0 && m.data_width_bits != 0) width = m.data_width_bits;
  }
  layout.speed_mt_per_s = speed;
  if (width == 0 || width > 64) width = 64;  // ECC DIMMs print 72 total but 64 data bits
  const std::size_t units_count = all_labelled ? channels.size() : layout.modules.size();
  layout.channels_from_labels = all_labelled;
  layout.channels = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(units_count * width / 64));
  return layout;
}

// ---------------------------------------------------------------------------------------------
// nvidia-smi

std::string normalize_pci_bus_id(std::string_view id) {
  std::string s = lower(trim(id));
  // "00000000:01:00.0" (nvidia-smi's 8-digit domain) -> "0000:01:00.0"
  const std::size_t colon = s.find(':');
  if (colon != std::string::npos && colon > 4 && s.find(':', colon + 1) != std::string::npos) s = s.substr(colon - 4);
  return s;
}

std::vector<GpuInfo> parse_nvidia_smi(std::string_view csv) {
  std::vector<GpuInfo> out;
  for (std::string_view line : lines_of(csv)) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (start <= line.size()) {
      std::size_t comma = line.find(',', start);
      if (comma == std::string_view::npos) comma = line.size();
      fields.push_back(trim(line.substr(start, comma - start)));
      start = comma + 1;
    }
    if (fields.size() < 4 || fields[0].empty()) continue;
    GpuInfo g;
    g.name = std::string(fields[0]);
    g.vendor = "nvidia";
    g.source = "nvidia-smi";
    auto mib = [](std::string_view f) -> std::optional<std::uint64_t> {
      const auto v = to_u64(f);  // "[N/A]" and "[Not Supported]" stay unset
      if (!v) return std::nullopt;
      return mul_checked(*v, units::kMiB);
    };
    g.memory_total_bytes = mib(fields[1]);
    g.memory_used_bytes = mib(fields[2]);
    g.memory_free_bytes = mib(fields[3]);
    if (fields.size() >= 5) g.pci_bus_id = normalize_pci_bus_id(fields[4]);
    // A line that is not a GPU row (an error message with commas) has no number anywhere.
    if (!g.memory_total_bytes && !g.memory_free_bytes && g.pci_bus_id.find(':') == std::string::npos) continue;
    if (!g.memory_total_bytes) {
      g.kind = GpuKind::unified;
      g.kind_reason = "nvidia-smi reports no dedicated memory (a unified-memory GPU such as GB10)";
    }
    out.push_back(std::move(g));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// rocm-smi --json

std::vector<GpuInfo> parse_rocm_smi(std::string_view json) {
  std::vector<GpuInfo> out;
  const auto doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;
  for (const auto& [card, fields] : doc.items()) {
    if (card.rfind("card", 0) != 0 || !fields.is_object()) continue;
    GpuInfo g;
    g.vendor = "amd";
    g.source = "rocm-smi";
    std::string series;
    std::string model;
    for (const auto& [key, value] : fields.items()) {
      if (!value.is_string()) continue;
      const std::string k = lower(key);
      const std::string v = value.get<std::string>();
      if (k == "vram total memory (b)") {
        g.memory_total_bytes = to_u64(v);
      } else if (k == "vram total used memory (b)") {
        g.memory_used_bytes = to_u64(v);
      } else if (k == "gtt total memory (b)") {
        g.gtt_total_bytes = to_u64(v);
      } else if (k == "card series") {
        series = v;
      } else if (k == "card model") {
        model = v;
      } else if (k == "pci bus") {
        g.pci_bus_id = normalize_pci_bus_id(v);
      }
    }
    // Older rocm-smi puts the PCI id in "Card model" and the marketing name in "Card series"
    // ("Navi 31 [Radeon RX 7900 XT/7900 XTX]"); newer prints "Card Series": "Radeon RX 7900 XT".
    g.name = series.empty() ? model : series;
    if (model.rfind("0x", 0) == 0) {
      try {
        g.pci_device_id = static_cast<std::uint32_t>(std::stoul(model, nullptr, 16));
      } catch (const std::exception&) {
        g.pci_device_id = 0;
      }
    }
    if (g.memory_total_bytes && g.memory_used_bytes && *g.memory_used_bytes <= *g.memory_total_bytes) {
      g.memory_free_bytes = *g.memory_total_bytes - *g.memory_used_bytes;
    }
    if (g.name.empty() && !g.memory_total_bytes) continue;
    out.push_back(std::move(g));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// macOS

MacInfo parse_sysctl(std::string_view text) {
  MacInfo m;
  std::vector<std::string_view> values;
  for (std::string_view line : lines_of(text)) {
    line = trim(line);
    if (line.empty()) continue;
    // `sysctl NAME` (without -n) prints "name: value"; accept both.
    if (line.rfind("machdep.", 0) == 0 || line.rfind("hw.", 0) == 0) {
      if (const auto kv = key_value(line)) line = kv->second;
    }
    values.push_back(line);
  }
  if (!values.empty()) m.chip = std::string(values[0]);
  if (values.size() > 1) m.memory_bytes = to_u64(values[1]);
  if (values.size() > 2) m.cpus = leading_u32(values[2]);
  return m;
}

void apply_system_profiler(std::string_view json, MacInfo& info) {
  const auto doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return;
  auto text = [](const nlohmann::json& o, const char* key) -> std::string {
    return o.contains(key) && o.at(key).is_string() ? o.at(key).get<std::string>() : std::string();
  };
  if (doc.contains("SPDisplaysDataType") && doc.at("SPDisplaysDataType").is_array()) {
    for (const auto& d : doc.at("SPDisplaysDataType")) {
      if (!d.is_object()) continue;
      const std::string vendor = text(d, "spdisplays_vendor");
      const std::string model = text(d, "sppci_model");
      if (vendor.find("Apple") == std::string::npos && model.rfind("Apple", 0) != 0) continue;
      if (const std::uint32_t cores = leading_u32(text(d, "sppci_cores")); cores > 0) info.gpu_cores = cores;
      if (info.chip.empty()) info.chip = model;
    }
  }
  if (doc.contains("SPHardwareDataType") && doc.at("SPHardwareDataType").is_array()) {
    for (const auto& h : doc.at("SPHardwareDataType")) {
      if (!h.is_object()) continue;
      if (const std::string chip = text(h, "chip_type"); !chip.empty()) info.chip = chip;
      if (const std::string name = text(h, "machine_name"); !name.empty()) info.machine_name = name;
      const std::string memory = text(h, "physical_memory");  // "64 GB" (binary)
      if (!memory.empty() && !info.memory_bytes) {
        const std::uint64_t bytes = dmi_size_bytes(memory);
        if (bytes > 0) info.memory_bytes = bytes;
      }
      // "proc 12:8:4": total, performance, efficiency cores.
      const std::string procs = text(h, "number_processors");
      if (procs.rfind("proc ", 0) == 0) {
        const std::string_view rest = std::string_view(procs).substr(5);
        if (info.cpus == 0) info.cpus = leading_u32(rest);
        if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
          info.performance_cores = leading_u32(rest.substr(colon + 1));
        }
      }
    }
  }
}

}  // namespace llmsize::machine
