#pragma once
/// What this machine has: CPU, RAM, GPUs. Pure parsers (text in, struct out) for /proc, /sys, and the
/// outputs of nvidia-smi, rocm-smi, dmidecode, sysctl and system_profiler; a collector that reads the
/// real files and runs the tools (or reads them under a fixture root); and a matcher that finds each
/// detected part in the catalog. Nothing is guessed silently: what could not be read is listed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmsize/catalog/catalog.h"

namespace llmsize::machine {

// ---------------------------------------------------------------------------------------------
// CPU and RAM

struct CpuInfo {
  std::string model_name;          ///< "AMD Ryzen 9 7950X 16-Core Processor"; ARM: built from the part number
  std::string vendor;              ///< x86 vendor_id ("GenuineIntel") or the ARM implementer ("ARM", "Apple")
  std::string arch;                ///< "x86_64", "aarch64", or "" when unknown
  std::uint32_t threads = 0;       ///< logical processors
  std::uint32_t cores = 0;         ///< physical cores (x86: distinct physical id / core id pairs)
  std::uint32_t sockets = 0;
  double mhz = 0;                  ///< "cpu MHz" of the first processor (current clock), 0 when absent
  std::vector<std::string> simd;   ///< of "avx2", "avx512", "amx", "neon", "sve", in that order
};

/// /proc/cpuinfo (x86 or ARM). Garbage in: an empty CpuInfo (threads 0).
[[nodiscard]] CpuInfo parse_cpuinfo(std::string_view text);

struct MemInfo {
  std::optional<std::uint64_t> total_bytes;      ///< MemTotal
  std::optional<std::uint64_t> available_bytes;  ///< MemAvailable (what can be allocated without swapping)
};

/// /proc/meminfo ("kB" there means KiB).
[[nodiscard]] MemInfo parse_meminfo(std::string_view text);

struct MemoryModule {
  std::string locator;                  ///< "DIMM 1", "Controller0-ChannelA-DIMM0"
  std::string bank_locator;             ///< "P0 CHANNEL A", "BANK 0"
  std::uint64_t size_bytes = 0;
  std::string type;                     ///< "DDR5", "LPDDR5", "DDR4"
  std::uint32_t speed_mt_per_s = 0;     ///< rated
  std::uint32_t configured_speed_mt_per_s = 0;  ///< what it runs at (0 when unknown)
  std::uint32_t data_width_bits = 0;    ///< 64 for a DIMM, 32 or 16 for LPDDR packages
};

/// `dmidecode -t memory`: the populated modules and what follows from them.
struct MemoryLayout {
  std::vector<MemoryModule> modules;    ///< populated only
  std::uint32_t slots = 0;              ///< Memory Device entries, populated or not
  std::string type;                     ///< of the first populated module
  std::uint32_t speed_mt_per_s = 0;     ///< lowest configured (else rated) speed; 0 when unknown
  /// 64-bit channel equivalents: distinct channel labels × data width / 64; without labels, the module
  /// count × data width / 64 (`channels_from_labels` false). 0 when nothing is populated.
  std::uint32_t channels = 0;
  bool channels_from_labels = false;
};
[[nodiscard]] MemoryLayout parse_dmidecode_memory(std::string_view text);

// ---------------------------------------------------------------------------------------------
// GPUs

enum class GpuKind {
  discrete,    ///< its own memory (VRAM)
  integrated,  ///< shares system RAM, too small to count (an iGPU beside a CPU): never a second GPU
  unified,     ///< a unified-memory APU or SoC the catalog sizes as a system (Strix Halo, Apple, GB10)
};
[[nodiscard]] const char* to_string(GpuKind k);

struct GpuInfo {
  std::string name;                     ///< as the tool reports it: "NVIDIA GeForce RTX 4090"
  std::string vendor;                   ///< "nvidia", "amd", "intel", "apple"
  std::string source;                   ///< "nvidia-smi", "rocm-smi", "sysfs", "system_profiler"
  std::string pci_bus_id;               ///< "0000:01:00.0" (4-digit domain, lowercase); "" when unknown
  std::uint32_t pci_device_id = 0;      ///< 0x2684; 0 when unknown
  std::optional<std::uint64_t> memory_total_bytes;  ///< VRAM (unified: the carve-out)
  std::optional<std::uint64_t> memory_used_bytes;
  std::optional<std::uint64_t> memory_free_bytes;
  std::optional<std::uint64_t> gtt_total_bytes;     ///< AMD: system RAM the GPU may map (GTT)
  std::optional<std::uint32_t> gpu_cores;           ///< Apple GPU cores, AMD compute units when known
  GpuKind kind = GpuKind::discrete;
  std::string kind_reason;              ///< why it was classed integrated or unified
};

/// `nvidia-smi --query-gpu=name,memory.total,memory.used,memory.free,pci.bus_id --format=csv,noheader,nounits`
/// (MiB). "[N/A]" memory (DGX Spark / GB10 reports none: unified) stays unset. Bad lines are skipped.
[[nodiscard]] std::vector<GpuInfo> parse_nvidia_smi(std::string_view csv);

/// `rocm-smi --showmeminfo vram --showproductname --json` (bytes). Invalid JSON: empty.
[[nodiscard]] std::vector<GpuInfo> parse_rocm_smi(std::string_view json);

/// One /sys/class/drm/cardN/device, as read by the collector.
struct DrmCard {
  std::string card;                     ///< "card0"
  std::string pci_bus_id;               ///< from the device symlink or uevent PCI_SLOT_NAME
  std::uint32_t vendor_id = 0;          ///< 0x1002 AMD, 0x8086 Intel, 0x10de NVIDIA
  std::uint32_t device_id = 0;
  std::optional<std::uint64_t> vram_total_bytes;  ///< mem_info_vram_total (amdgpu); xe: physical_vram_size_bytes
  std::optional<std::uint64_t> vram_used_bytes;   ///< mem_info_vram_used
  std::optional<std::uint64_t> gtt_total_bytes;   ///< mem_info_gtt_total
  std::string product_name;             ///< amdgpu product_name when the board has one
};

/// Classifies sysfs cards: AMD APUs (known device ids, or a VRAM carve-out under 2 GiB) are integrated,
/// Strix Halo is unified; Intel at PCI 00:02.0 is the integrated GPU; NVIDIA cards are left to nvidia-smi.
[[nodiscard]] std::vector<GpuInfo> gpus_from_drm(const std::vector<DrmCard>& cards);

/// One list without duplicates: nvidia-smi for NVIDIA, rocm-smi names and memory for AMD cards (matched to
/// sysfs by PCI device id and VRAM size, in order), sysfs for the rest.
[[nodiscard]] std::vector<GpuInfo> merge_gpus(const std::vector<GpuInfo>& nvidia, const std::vector<GpuInfo>& rocm,
                                              const std::vector<GpuInfo>& drm);

/// "00000000:01:00.0" -> "0000:01:00.0".
[[nodiscard]] std::string normalize_pci_bus_id(std::string_view id);

// ---------------------------------------------------------------------------------------------
// macOS

struct MacInfo {
  std::string chip;                     ///< machdep.cpu.brand_string: "Apple M2 Max"
  std::optional<std::uint64_t> memory_bytes;  ///< hw.memsize
  std::uint32_t cpus = 0;               ///< hw.ncpu
  std::optional<std::uint32_t> gpu_cores;     ///< system_profiler sppci_cores
  std::uint32_t performance_cores = 0;  ///< from number_processors "proc 12:8:4"
  std::string machine_name;             ///< "Mac Studio"
};
/// `sysctl -n machdep.cpu.brand_string hw.memsize hw.ncpu`: three lines.
[[nodiscard]] MacInfo parse_sysctl(std::string_view text);
/// `system_profiler SPDisplaysDataType SPHardwareDataType -json`: adds GPU cores, chip, memory, model.
void apply_system_profiler(std::string_view json, MacInfo& info);

// ---------------------------------------------------------------------------------------------
// The whole machine

/// Something that could not be read, and why ("not found", "not readable (needs root)", ...).
struct Unreadable {
  std::string what;
  std::string why;
};

struct Detection {
  std::string os;                        ///< "linux", "macos", or "unknown"
  CpuInfo cpu;
  MemInfo memory;
  std::optional<MemoryLayout> memory_layout;  ///< dmidecode, when it could be read
  std::vector<GpuInfo> gpus;
  std::vector<Unreadable> unreadable;
  /// Every file and tool looked at, with what came of it: {"nvidia-smi", "not found"}, {"/proc/cpuinfo", "read"}.
  std::vector<Unreadable> sources;
};

/// Where the collector reads. Tests and bug reports point `root` at a recorded tree
/// (root/proc/cpuinfo, root/sys/class/drm/...); with `recorded_commands` set, a tool's output is read
/// from recorded_commands/<tool>.txt instead of running it (a missing file = the tool is not installed).
struct DetectSource {
  std::filesystem::path root = "/";
  std::optional<std::filesystem::path> recorded_commands;
  std::chrono::milliseconds timeout{5000};  ///< per tool; a tool that hangs is killed and listed
};

/// Reads everything it can; never throws for a missing file or tool.
[[nodiscard]] Detection detect(const DetectSource& source);

/// The one way the machine layer reads /proc and /sys: `relative` ("proc/cpuinfo") under
/// source.root; nullopt when absent or unreadable (at most 4 MiB are read).
[[nodiscard]] std::optional<std::string> read_source_file(const DetectSource& source, std::string_view relative);

/// This process's source: the recorded tree in $LLMSIZE_DETECT_ROOT (its tool outputs in
/// commands/<tool>.txt) when set and not empty, else the real machine (docs/this-machine.md).
[[nodiscard]] DetectSource detect_source_from_environment();

/// A tool run with a deadline: `found` false when it is not on $PATH; killed after `timeout`.
struct CommandResult {
  bool found = false;
  bool timed_out = false;
  int exit_code = -1;
  std::string out;
};
[[nodiscard]] CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// ---------------------------------------------------------------------------------------------
// Catalog matching

/// The best entry of `items` for a marketing name ("NVIDIA GeForce RTX 4090", "AMD Ryzen 9 7950X 16-Core
/// Processor", "13th Gen Intel(R) Core(TM) i9-13900K"): an entry matches when every word of its name or
/// of one alias appears in the detected name (vendor words and trademarks ignored); the entry with the
/// most matching words wins. `memory_bytes`, when known, rejects entries whose name states another memory
/// size ("… 8GB") and prefers entries whose memory is within 10% of it.
template <class T>
[[nodiscard]] const T* match_name(const std::vector<T>& items, std::string_view detected,
                                  std::optional<std::uint64_t> memory_bytes = std::nullopt);

struct MachineMatch {
  const engine::Cpu* cpu = nullptr;
  const engine::UnifiedSystem* system = nullptr;  ///< the unified-memory machine, when this is one
  std::vector<const engine::Gpu*> gpus;           ///< one per Detection::gpus; nullptr when unmatched or not discrete
};
[[nodiscard]] MachineMatch match_machine(const catalog::Catalog& cat, const Detection& d);

/// The words a name is compared by: lowercase alphanumeric runs, "+" as "plus", trademarks and vendor
/// words dropped ("NVIDIA GeForce RTX 4060 Ti" -> rtx, 4060, ti).
[[nodiscard]] std::vector<std::string> name_words(std::string_view name);

/// The memory size a catalog name states ("RTX 3060 12GB" -> 12 GiB), if any.
[[nodiscard]] std::optional<double> stated_memory_gib(const std::vector<std::string>& words);

namespace detail {
[[nodiscard]] int match_score(const std::vector<std::string>& detected, const std::vector<std::string>& entry,
                              std::optional<std::uint64_t> memory_bytes);
[[nodiscard]] double entry_memory_gib(const engine::Gpu& g);
[[nodiscard]] double entry_memory_gib(const engine::UnifiedSystem& s);
[[nodiscard]] double entry_memory_gib(const engine::Cpu& c);
}  // namespace detail

template <class T>
const T* match_name(const std::vector<T>& items, std::string_view detected, std::optional<std::uint64_t> memory_bytes) {
  if (const T* exact = catalog::find(items, detected)) return exact;
  const std::vector<std::string> words = name_words(detected);
  if (words.empty()) return nullptr;
  const T* best = nullptr;
  int best_score = 0;
  bool best_memory = false;
  for (const T& item : items) {
    int score = detail::match_score(words, name_words(item.meta.name), memory_bytes);
    for (const std::string& alias : item.meta.aliases) {
      score = std::max(score, detail::match_score(words, name_words(alias), memory_bytes));
    }
    if (score <= 0) continue;
    bool memory_ok = false;
    if (memory_bytes) {
      const double gib = detail::entry_memory_gib(item);
      const double have = static_cast<double>(*memory_bytes) / static_cast<double>(1ULL << 30);
      memory_ok = gib > 0 && std::abs(have - gib) <= 0.1 * gib;
    }
    // A memory match outranks one more word ("RTX 3080" with 12 GiB is the 12GB entry).
    if (best == nullptr || (memory_ok && !best_memory) || (memory_ok == best_memory && score > best_score)) {
      best = &item;
      best_score = score;
      best_memory = memory_ok;
    }
  }
  return best;
}

}  // namespace llmsize::machine
