#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "llmsize/machine/detect.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using namespace llmsize::machine;

namespace {

const std::string kDir = std::string(LLMSIZE_FIXTURES) + "/machine/";

std::string fixture(const std::string& name) {
  std::ifstream in(kDir + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const catalog::Catalog& cat() {
  static const catalog::Catalog c = [] {
    catalog::LoadResult r = catalog::load(catalog::embedded_files(), {});
    REQUIRE(r.ok());
    return std::move(r.catalog);
  }();
  return c;
}

Detection detect_tree(const std::string& tree) {
  DetectSource s;
  s.root = kDir + tree;
  s.recorded_commands = kDir + tree + "/commands";
  return detect(s);
}

bool mentions(const std::vector<Unreadable>& list, const std::string& what, const std::string& why) {
  for (const Unreadable& u : list) {
    if (u.what.find(what) != std::string::npos && u.why.find(why) != std::string::npos) return true;
  }
  return false;
}

constexpr std::uint64_t kMiB = units::kMiB;

}  // namespace

TEST_CASE("cpuinfo x86: cores from core ids, threads, AVX-512 and AMX", "[machine][detect]") {
  const CpuInfo c = parse_cpuinfo(fixture("cpuinfo-xeon-amx.txt"));
  CHECK(c.model_name == "Intel(R) Xeon(R) Platinum 8480+");
  CHECK(c.vendor == "GenuineIntel");
  CHECK(c.arch == "x86_64");
  CHECK(c.threads == 4);
  CHECK(c.cores == 2);
  CHECK(c.sockets == 1);
  CHECK(c.mhz == Approx(2000.0));
  CHECK(c.simd == std::vector<std::string>{"avx2", "avx512", "amx"});
  const Cpu* match = match_name(cat().cpus, c.model_name);
  REQUIRE(match != nullptr);
  CHECK(match->meta.id == "xeon-platinum-8480-plus");
}

TEST_CASE("cpuinfo ARM: NEON from asimd, cores equal processors, the board from Model", "[machine][detect]") {
  const CpuInfo c = parse_cpuinfo(fixture("cpuinfo-arm-pi5.txt"));
  CHECK(c.arch == "aarch64");
  CHECK(c.vendor == "ARM");
  CHECK(c.threads == 4);
  CHECK(c.cores == 4);
  CHECK(c.simd == std::vector<std::string>{"neon"});
  CHECK(c.model_name == "Raspberry Pi 5 Model B Rev 1.0");
  Detection d;
  d.cpu = c;
  const MachineMatch m = match_machine(cat(), d);
  CHECK(m.cpu == nullptr);
  REQUIRE(m.system != nullptr);
  CHECK(m.system->meta.id == "raspberry-pi-5");
}

TEST_CASE("meminfo: kB is KiB, total and available", "[machine][detect]") {
  const MemInfo m = parse_meminfo(fixture("amd-dgpu-igpu/proc/meminfo"));
  REQUIRE(m.total_bytes);
  REQUIRE(m.available_bytes);
  CHECK(*m.total_bytes == 65020860ULL * 1024);
  CHECK(*m.available_bytes == 58934592ULL * 1024);
}

TEST_CASE("nvidia-smi: one RTX 4090 with total and free MiB, matched to the catalog", "[machine][detect][nvidia]") {
  const auto gpus = parse_nvidia_smi(fixture("nvidia-smi-1gpu.txt"));
  REQUIRE(gpus.size() == 1);
  const GpuInfo& g = gpus[0];
  CHECK(g.name == "NVIDIA GeForce RTX 4090");
  CHECK(*g.memory_total_bytes == 24564 * kMiB);
  CHECK(*g.memory_used_bytes == 1165 * kMiB);
  CHECK(*g.memory_free_bytes == 23012 * kMiB);
  CHECK(g.pci_bus_id == "0000:01:00.0");
  CHECK(g.kind == GpuKind::discrete);
  const Gpu* match = match_name(cat().gpus, g.name, g.memory_total_bytes);
  REQUIRE(match != nullptr);
  CHECK(match->meta.id == "rtx-4090");
}

TEST_CASE("nvidia-smi: two RTX 3090 cards stay two, each with its bus id", "[machine][detect][nvidia]") {
  const auto gpus = parse_nvidia_smi(fixture("nvidia-smi-2gpu.txt"));
  REQUIRE(gpus.size() == 2);
  CHECK(gpus[0].pci_bus_id == "0000:01:00.0");
  CHECK(gpus[1].pci_bus_id == "0000:4b:00.0");
  CHECK(*gpus[1].memory_free_bytes == 24268 * kMiB);
  Detection d;
  d.gpus = gpus;
  const MachineMatch m = match_machine(cat(), d);
  REQUIRE(m.gpus.size() == 2);
  REQUIRE(m.gpus[0] != nullptr);
  REQUIRE(m.gpus[1] != nullptr);
  CHECK(m.gpus[0]->meta.id == "rtx-3090");
  CHECK(m.gpus[1]->meta.id == "rtx-3090");
  CHECK(m.system == nullptr);
}

TEST_CASE("nvidia-smi: GB10 reports no memory and is the DGX Spark system", "[machine][detect][nvidia]") {
  const auto gpus = parse_nvidia_smi(fixture("nvidia-smi-gb10.txt"));
  REQUIRE(gpus.size() == 1);
  CHECK_FALSE(gpus[0].memory_total_bytes.has_value());
  CHECK(gpus[0].kind == GpuKind::unified);
  CHECK(gpus[0].pci_bus_id == "000f:01:00.0");
  Detection d;
  d.gpus = gpus;
  const MachineMatch m = match_machine(cat(), d);
  REQUIRE(m.system != nullptr);
  CHECK(m.system->meta.id == "dgx-spark");
  CHECK(m.gpus[0] == nullptr);
}

TEST_CASE("rocm-smi JSON: name, VRAM total and used, device id", "[machine][detect][amd]") {
  const auto gpus = parse_rocm_smi(fixture("amd-dgpu-igpu/commands/rocm-smi.txt"));
  REQUIRE(gpus.size() == 2);
  CHECK(gpus[0].name == "Radeon RX 7900 XTX");
  CHECK(*gpus[0].memory_total_bytes == 25753026560ULL);
  CHECK(*gpus[0].memory_free_bytes == 25753026560ULL - 1211826176ULL);
  CHECK(gpus[0].pci_device_id == 0x744c);
  CHECK(gpus[1].pci_device_id == 0x164e);
  const Gpu* match = match_name(cat().gpus, gpus[0].name, gpus[0].memory_total_bytes);
  REQUIRE(match != nullptr);
  CHECK(match->meta.id == "rx-7900-xtx");
}

TEST_CASE("sysfs tree: a 7900 XTX and an iGPU are one discrete GPU, not two", "[machine][detect][amd]") {
  const Detection d = detect_tree("amd-dgpu-igpu");
  CHECK(d.os == "linux");
  CHECK(d.cpu.cores == 16);
  CHECK(d.cpu.threads == 32);
  CHECK(d.cpu.simd == std::vector<std::string>{"avx2", "avx512"});
  REQUIRE(d.gpus.size() == 2);
  const GpuInfo& dgpu = d.gpus[0];
  CHECK(dgpu.name == "Radeon RX 7900 XTX");
  CHECK(dgpu.source == "rocm-smi + sysfs");
  CHECK(dgpu.kind == GpuKind::discrete);
  CHECK(dgpu.pci_bus_id == "0000:03:00.0");
  CHECK(*dgpu.memory_free_bytes == 25753026560ULL - 1211826176ULL);
  const GpuInfo& igpu = d.gpus[1];
  CHECK(igpu.kind == GpuKind::integrated);
  CHECK(*igpu.memory_total_bytes == 512 * kMiB);
  // dmidecode: 2 of 4 slots, channels A and B, DDR5 at the configured 6000 MT/s.
  REQUIRE(d.memory_layout);
  CHECK(d.memory_layout->modules.size() == 2);
  CHECK(d.memory_layout->slots == 4);
  CHECK(d.memory_layout->type == "DDR5");
  CHECK(d.memory_layout->speed_mt_per_s == 6000);
  CHECK(d.memory_layout->channels == 2);
  CHECK(d.memory_layout->channels_from_labels);
  const MachineMatch m = match_machine(cat(), d);
  REQUIRE(m.cpu != nullptr);
  CHECK(m.cpu->meta.id == "ryzen-9-7950x");
  REQUIRE(m.gpus[0] != nullptr);
  CHECK(m.gpus[0]->meta.id == "rx-7900-xtx");
  CHECK(m.gpus[1] == nullptr);
  CHECK(m.system == nullptr);
  CHECK(d.unreadable.empty());
}

TEST_CASE("sysfs tree without rocm-smi: the carve-out rule still finds the iGPU", "[machine][detect][amd]") {
  DetectSource s;
  s.root = kDir + "amd-dgpu-igpu";
  s.recorded_commands = kDir + "no-such-commands";  // every tool "not found"
  const Detection d = detect(s);
  REQUIRE(d.gpus.size() == 2);
  CHECK(d.gpus[0].name == "AMD GPU [1002:744c]");
  CHECK(d.gpus[0].source == "sysfs");
  CHECK(*d.gpus[0].memory_total_bytes == 25753026560ULL);
  CHECK(d.gpus[1].kind == GpuKind::integrated);
  CHECK(mentions(d.unreadable, "RAM type, speed and channels", "dmidecode not found"));
  bool nvidia_not_found = false;
  for (const auto& src : d.sources) nvidia_not_found = nvidia_not_found || (src.what == "nvidia-smi" && src.why == "not found");
  CHECK(nvidia_not_found);
}

TEST_CASE("Strix Halo: the APU is a unified-memory system, VRAM and GTT are not summed as a GPU", "[machine][detect][amd]") {
  const Detection d = detect_tree("strix-halo");
  REQUIRE(d.gpus.size() == 1);
  const GpuInfo& g = d.gpus[0];
  CHECK(g.kind == GpuKind::unified);
  CHECK(*g.memory_total_bytes == 4294967296ULL);
  CHECK(*g.gtt_total_bytes == 103079215104ULL);
  CHECK(g.pci_bus_id == "0000:c3:00.0");
  REQUIRE(d.memory_layout);
  CHECK(d.memory_layout->type == "LPDDR5");
  CHECK(d.memory_layout->speed_mt_per_s == 8000);
  CHECK(d.memory_layout->modules.size() == 8);
  CHECK(d.memory_layout->channels == 4);  // 8 × 32-bit = 4 × 64-bit
  CHECK(*d.memory.total_bytes == 127541412ULL * 1024);
  const MachineMatch m = match_machine(cat(), d);
  REQUIRE(m.system != nullptr);
  CHECK(m.system->meta.id == "ryzen-ai-max-plus-395");
  CHECK(m.gpus[0] == nullptr);
}

TEST_CASE("macOS: sysctl and system_profiler give the chip, its GPU cores and the memory", "[machine][detect][apple]") {
  const Detection d = detect_tree("mac-m2-max");  // no proc/: the collector falls back to sysctl
  CHECK(d.os == "macos");
  CHECK(d.cpu.model_name == "Apple M2 Max");
  CHECK(d.cpu.threads == 12);
  CHECK(d.cpu.simd == std::vector<std::string>{"neon"});
  CHECK(*d.memory.total_bytes == 64 * units::kGiB);
  REQUIRE(d.gpus.size() == 1);
  CHECK(d.gpus[0].kind == GpuKind::unified);
  CHECK(*d.gpus[0].gpu_cores == 38);
  const MachineMatch m = match_machine(cat(), d);
  REQUIRE(m.system != nullptr);
  CHECK(m.system->meta.id == "apple-m2-max-38c");

  MacInfo mac = parse_sysctl(fixture("mac-m2-max/commands/sysctl.txt"));
  apply_system_profiler(fixture("mac-m2-max/commands/system_profiler.txt"), mac);
  CHECK(mac.performance_cores == 8);
  CHECK(mac.machine_name == "Mac Studio");
}

TEST_CASE("dmidecode without root says so, and detect lists it", "[machine][detect]") {
  CHECK(parse_dmidecode_memory(fixture("dmidecode-denied.txt")).modules.empty());
  const Detection d = detect_tree("nvidia-4090");
  CHECK(mentions(d.unreadable, "RAM type, speed and channels", "not readable (needs root)"));
  CHECK_FALSE(d.memory_layout.has_value());
  REQUIRE(d.gpus.size() == 1);
  CHECK(*d.gpus[0].memory_free_bytes == 23012 * kMiB);
}

TEST_CASE("marketing names match the right catalog entry, with memory to tell variants apart", "[machine][match]") {
  auto gpu = [](const char* name, double gib) {
    const Gpu* g = match_name(cat().gpus, name, units::gib_to_bytes(gib));
    return g == nullptr ? std::string("none") : g->meta.id;
  };
  CHECK(gpu("NVIDIA GeForce RTX 3060", 12) == "rtx-3060-12gb");
  CHECK(gpu("NVIDIA GeForce RTX 4060 Ti", 16) == "rtx-4060-ti-16gb");
  CHECK(gpu("NVIDIA GeForce RTX 4060 Ti", 8) == "rtx-4060-ti-8gb");
  CHECK(gpu("NVIDIA GeForce RTX 3080", 12) == "rtx-3080-12gb");
  CHECK(gpu("NVIDIA GeForce RTX 3080", 10) == "rtx-3080");
  CHECK(gpu("NVIDIA GeForce RTX 4090 Laptop GPU", 16) == "rtx-4090-laptop");
  CHECK(gpu("NVIDIA H100 80GB HBM3", 80) == "h100-sxm");
  CHECK(gpu("Intel Arc A770", 16) == "arc-a770-16gb");
  CHECK(gpu("NVIDIA GeForce GTX 980", 4) == "none");
  auto cpu = [](const char* name) {
    const Cpu* c = match_name(cat().cpus, name);
    return c == nullptr ? std::string("none") : c->meta.id;
  };
  CHECK(cpu("AMD Ryzen 9 7950X 16-Core Processor") == "ryzen-9-7950x");
  CHECK(cpu("13th Gen Intel(R) Core(TM) i9-13900KF") == "core-i9-13900k");
  CHECK(cpu("Intel(R) Core(TM) Ultra 9 285K") == "core-ultra-9-285k");
  CHECK(cpu("AMD EPYC 9654 96-Core Processor") == "epyc-9654");
  CHECK(cpu("AMD EPYC") == "none");  // a VM that hides the model number
  CHECK(cpu("AMD Ryzen 9 7950X3D 16-Core Processor") == "none");
}

TEST_CASE("parsers survive truncated and garbage input", "[machine][detect][robustness]") {
  CHECK(parse_cpuinfo("").threads == 0);
  CHECK(parse_cpuinfo("\x01\x02garbage:::\n:\nprocessor").threads == 0);
  const std::string xeon = fixture("cpuinfo-xeon-amx.txt");
  const CpuInfo cut = parse_cpuinfo(xeon.substr(0, xeon.size() / 3));  // cut mid-block
  CHECK(cut.threads >= 1);
  CHECK(cut.threads <= 4);
  CHECK_FALSE(parse_meminfo("MemTotal: 99999999999999999999999 kB\n").total_bytes.has_value());
  CHECK_FALSE(parse_meminfo("MemTotal: 123 MB\n").total_bytes.has_value());  // not the kernel's unit
  CHECK(parse_nvidia_smi(fixture("nvidia-smi-failed.txt")).empty());
  CHECK(parse_nvidia_smi("NVIDIA GeForce RTX 4090, 245").empty());
  const auto partial = parse_nvidia_smi("NVIDIA GeForce RTX 4090, 24564, 1165, 23012, 00000000:01:00.0\nNVIDIA GeF");
  CHECK(partial.size() == 1);
  CHECK(parse_rocm_smi("{\"card0\": {\"VRAM Total Memory (B)\": \"2575").empty());
  CHECK(parse_rocm_smi("[1, 2, 3]").empty());
  CHECK(parse_rocm_smi("{\"card0\": {\"VRAM Total Memory (B)\": 17}}").empty());
  const std::string dmi = fixture("amd-dgpu-igpu/commands/dmidecode.txt");
  const MemoryLayout half = parse_dmidecode_memory(dmi.substr(0, dmi.size() * 2 / 3));
  CHECK(half.modules.size() <= 2);
  CHECK(parse_dmidecode_memory("Memory Device\n\tSize: 99999999999999 GB\n").modules.empty());
  MacInfo mac = parse_sysctl("garbage");
  apply_system_profiler("{\"SPDisplaysDataType\": 5, \"SPHardwareDataType\": [1, {\"number_processors\": \"proc x\"}]}", mac);
  apply_system_profiler("not json", mac);
  CHECK(mac.cpus == 0);
  CHECK_FALSE(mac.gpu_cores.has_value());
  CHECK(match_name(cat().gpus, "", std::nullopt) == nullptr);
  CHECK(match_name(cat().gpus, "+++", std::nullopt) == nullptr);
}

TEST_CASE("run_command: a missing tool is not found, a hung one is killed", "[machine][detect]") {
  const CommandResult missing = run_command({"llmsize-no-such-tool-xyz"}, std::chrono::milliseconds(1000));
  CHECK_FALSE(missing.found);
  const CommandResult echo = run_command({"echo", "hello"}, std::chrono::milliseconds(5000));
  CHECK(echo.found);
  CHECK(echo.exit_code == 0);
  CHECK(echo.out == "hello\n");
  const auto start = std::chrono::steady_clock::now();
  const CommandResult hung = run_command({"sleep", "30"}, std::chrono::milliseconds(200));
  CHECK(hung.timed_out);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("this machine's real proc: invariants the kernel guarantees", "[machine][detect][live]") {
  const Detection d = detect(DetectSource{});
  REQUIRE(d.os == "linux");
  // /proc/cpuinfo lists the online CPUs, as sysconf does.
  CHECK(d.cpu.threads == static_cast<std::uint32_t>(sysconf(_SC_NPROCESSORS_ONLN)));
  CHECK(d.cpu.cores >= 1);
  CHECK(d.cpu.cores <= d.cpu.threads);
  // MemTotal is the kernel's totalram_pages, which is what _SC_PHYS_PAGES counts.
  REQUIRE(d.memory.total_bytes);
  CHECK(*d.memory.total_bytes ==
        static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)));
  REQUIRE(d.memory.available_bytes);
  CHECK(*d.memory.available_bytes <= *d.memory.total_bytes);
  for (const GpuInfo& g : d.gpus) {
    if (g.memory_total_bytes && g.memory_free_bytes) CHECK(*g.memory_free_bytes <= *g.memory_total_bytes);
  }
}
