// The collector: reads /proc and /sys under a root, runs (or replays) the tools, and hands the text to the
// pure parsers. A missing file or tool is recorded, never thrown.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "llmsize/machine/detect.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxOutputBytes = 4 * 1024 * 1024;  // no tool we run prints more

std::optional<std::string> read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  std::array<char, 65536> buf{};
  while (in && text.size() < kMaxOutputBytes) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    text.append(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return text;
}

std::optional<std::uint64_t> read_number(const fs::path& path, int base) {
  const auto text = read_text(path);
  if (!text) return std::nullopt;
  try {
    std::size_t used = 0;
    const unsigned long long v = std::stoull(*text, &used, base);
    return static_cast<std::uint64_t>(v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// The executable for `name` on $PATH (plus the sbin directories a non-root $PATH often lacks).
std::optional<std::string> find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? std::optional(name) : std::nullopt;
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin";
  path += ":/usr/sbin:/sbin:/usr/local/sbin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    const std::string dir = path.substr(start, colon - start);
    if (!dir.empty()) {
      const std::string candidate = dir + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = colon + 1;
  }
  return std::nullopt;
}

std::vector<DrmCard> read_drm_cards(const fs::path& root) {
  std::vector<DrmCard> cards;
  const fs::path drm = root / "sys/class/drm";
  std::error_code ec;
  if (!fs::is_directory(drm, ec)) return cards;
  std::vector<std::string> names;
  for (fs::directory_iterator it(drm, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // card0, card1: not connectors (card0-DP-1) or render nodes (renderD128).
    if (name.size() > 4 && name.rfind("card", 0) == 0 &&
        std::all_of(name.begin() + 4, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  for (const std::string& name : names) {
    const fs::path dev = drm / name / "device";
    DrmCard c;
    c.card = name;
    c.vendor_id = static_cast<std::uint32_t>(read_number(dev / "vendor", 16).value_or(0));
    c.device_id = static_cast<std::uint32_t>(read_number(dev / "device", 16).value_or(0));
    if (c.vendor_id == 0) continue;
    if (const auto uevent = read_text(dev / "uevent")) {
      std::istringstream lines(*uevent);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.rfind("PCI_SLOT_NAME=", 0) == 0) c.pci_bus_id = normalize_pci_bus_id(line.substr(14));
      }
    }
    if (c.pci_bus_id.empty()) {
      const fs::path target = fs::read_symlink(dev, ec);
      if (!ec) c.pci_bus_id = normalize_pci_bus_id(target.filename().string());
    }
    c.vram_total_bytes = read_number(dev / "mem_info_vram_total", 10);
    c.vram_used_bytes = read_number(dev / "mem_info_vram_used", 10);
    c.gtt_total_bytes = read_number(dev / "mem_info_gtt_total", 10);
    if (!c.vram_total_bytes) c.vram_total_bytes = read_number(dev / "tile0/physical_vram_size_bytes", 10);  // Intel xe
    if (const auto product = read_text(dev / "product_name")) c.product_name = trimmed(*product);
    cards.push_back(std::move(c));
  }
  return cards;
}

std::string status_of(const CommandResult& r) {
  if (!r.found) return "not found";
  if (r.timed_out) return "timed out";
  if (r.exit_code != 0) return "failed (exit " + std::to_string(r.exit_code) + ")";
  return "ran";
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CommandResult result;
  if (argv.empty()) return result;
  const auto exe = find_executable(argv[0]);
  if (!exe) return result;
  result.found = true;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) return result;
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return result;
  }
  if (pid == 0) {
    // Child: stdout and stderr into the pipe (tools print "permission denied" on stderr), stdin empty.
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(exe->c_str(), args.data());
    _exit(127);
  }
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 8192> buf{};
  bool open_pipe = true;
  while (open_pipe) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // timeout is checked at the top
    const ssize_t n = read(fds[0], buf.data(), buf.size());
    if (n > 0) {
      if (result.out.size() < kMaxOutputBytes) result.out.append(buf.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      open_pipe = false;
    }
  }
  close(fds[0]);
  if (result.timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out) {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (result.exit_code == 127 && result.out.empty()) result.found = false;  // exec failed
  }
  return result;
}

std::optional<std::string> read_source_file(const DetectSource& source, std::string_view relative) {
  return read_text(source.root / relative);
}

DetectSource detect_source_from_environment() {
  DetectSource source;
  if (const char* root = std::getenv("LLMSIZE_DETECT_ROOT"); root != nullptr && root[0] != '\0') {
    source.root = root;
    source.recorded_commands = source.root / "commands";
  }
  return source;
}

Detection detect(const DetectSource& source) {
  Detection d;
  const fs::path& root = source.root;
  auto display = [&](const std::string& rel) { return source.root == "/" ? "/" + rel : (root / rel).string(); };
  auto tool = [&](const std::string& name, const std::vector<std::string>& argv) {
    CommandResult r;
    if (source.recorded_commands) {
      const auto text = read_text(*source.recorded_commands / (name + ".txt"));
      r.found = text.has_value();
      r.exit_code = text ? 0 : -1;
      r.out = text.value_or("");
    } else {
      r = run_command(argv, source.timeout);
    }
    d.sources.push_back({name, status_of(r)});
    return r;
  };

  // CPU and RAM: Linux /proc, else macOS sysctl.
  const auto cpuinfo = read_text(root / "proc/cpuinfo");
  d.sources.push_back({display("proc/cpuinfo"), cpuinfo ? "read" : "not readable"});
  if (cpuinfo) {
    d.os = "linux";
    d.cpu = parse_cpuinfo(*cpuinfo);
    if (d.cpu.threads == 0) d.unreadable.push_back({"CPU", display("proc/cpuinfo") + " lists no processors"});
    if (d.cpu.model_name.empty() && d.cpu.threads > 0) d.unreadable.push_back({"CPU model", "cpuinfo names none"});
    const auto meminfo = read_text(root / "proc/meminfo");
    d.sources.push_back({display("proc/meminfo"), meminfo ? "read" : "not readable"});
    if (meminfo) d.memory = parse_meminfo(*meminfo);
    if (!d.memory.total_bytes) d.unreadable.push_back({"RAM size", display("proc/meminfo") + " not readable"});
    if (d.memory.total_bytes && !d.memory.available_bytes) {
      d.unreadable.push_back({"available RAM", "no MemAvailable in " + display("proc/meminfo") + " (kernel before 3.14)"});
    }
  } else {
    const CommandResult sysctl = tool("sysctl", {"sysctl", "-n", "machdep.cpu.brand_string", "hw.memsize", "hw.ncpu"});
    if (sysctl.found && sysctl.exit_code == 0 && !sysctl.out.empty()) {
      d.os = "macos";
      MacInfo mac = parse_sysctl(sysctl.out);
      const CommandResult sp =
          tool("system_profiler", {"system_profiler", "SPDisplaysDataType", "SPHardwareDataType", "-json"});
      if (sp.found && sp.exit_code == 0) apply_system_profiler(sp.out, mac);
      d.cpu.model_name = mac.chip;
      d.cpu.vendor = mac.chip.rfind("Apple", 0) == 0 ? "Apple" : "";
      d.cpu.arch = mac.chip.rfind("Apple", 0) == 0 ? "aarch64" : "x86_64";
      d.cpu.threads = mac.cpus;
      d.cpu.cores = mac.cpus;
      d.cpu.sockets = mac.cpus > 0 ? 1 : 0;
      if (d.cpu.arch == "aarch64") d.cpu.simd = {"neon"};
      d.memory.total_bytes = mac.memory_bytes;
      d.unreadable.push_back({"available RAM", "macOS has no MemAvailable; the total is used"});
      if (!mac.memory_bytes) d.unreadable.push_back({"RAM size", "sysctl hw.memsize gave no number"});
      if (mac.chip.rfind("Apple", 0) == 0) {
        GpuInfo g;
        g.name = mac.chip;
        g.vendor = "apple";
        g.source = sp.found ? "system_profiler" : "sysctl";
        g.gpu_cores = mac.gpu_cores;
        g.kind = GpuKind::unified;
        g.kind_reason = "Apple silicon: CPU and GPU share one memory";
        d.gpus.push_back(g);
        if (!mac.gpu_cores) d.unreadable.push_back({"GPU core count", "system_profiler gave none; the chip's default variant is assumed"});
      }
    } else {
      d.os = "unknown";
      d.unreadable.push_back({"CPU", "neither /proc/cpuinfo nor sysctl could be read"});
      d.unreadable.push_back({"RAM size", "neither /proc/meminfo nor sysctl could be read"});
    }
  }

  if (d.os == "linux") {
    // RAM type, speed and channels: only the SMBIOS tables have them, and they need root.
    const CommandResult dmi = tool("dmidecode", {"dmidecode", "-t", "memory"});
    if (!dmi.found) {
      d.unreadable.push_back({"RAM type, speed and channels", "dmidecode not found (install it and run as root)"});
    } else {
      MemoryLayout layout = parse_dmidecode_memory(dmi.out);
      const bool denied = dmi.out.find("ermission denied") != std::string::npos ||
                          dmi.out.find("Can't read memory") != std::string::npos ||
                          (!source.recorded_commands && geteuid() != 0 && layout.modules.empty());
      if (!layout.modules.empty()) {
        d.memory_layout = layout;
        if (layout.type.empty()) d.unreadable.push_back({"RAM type", "dmidecode reports it as unknown"});
        if (layout.speed_mt_per_s == 0) d.unreadable.push_back({"RAM speed", "dmidecode reports it as unknown"});
      } else if (denied) {
        d.unreadable.push_back({"RAM type, speed and channels", "not readable (needs root): sudo llmsize detect"});
      } else {
        d.unreadable.push_back({"RAM type, speed and channels", "dmidecode lists no memory modules (a virtual machine?)"});
      }
    }

    // GPUs.
    const std::vector<GpuInfo> drm = gpus_from_drm(read_drm_cards(root));
    std::error_code ec;
    d.sources.push_back({display("sys/class/drm"), fs::is_directory(root / "sys/class/drm", ec) ? "read" : "absent"});
    const CommandResult nv = tool("nvidia-smi", {"nvidia-smi", "--query-gpu=name,memory.total,memory.used,memory.free,pci.bus_id",
                                                 "--format=csv,noheader,nounits"});
    const std::vector<GpuInfo> nvidia = nv.found && !nv.timed_out ? parse_nvidia_smi(nv.out) : std::vector<GpuInfo>{};
    const bool any_amd = std::any_of(drm.begin(), drm.end(), [](const GpuInfo& g) { return g.vendor == "amd"; });
    std::vector<GpuInfo> rocm;
    if (any_amd || source.recorded_commands) {
      const CommandResult rs = tool("rocm-smi", {"rocm-smi", "--showmeminfo", "vram", "--showproductname", "--json"});
      if (rs.found && !rs.timed_out) {
        // rocm-smi prints warnings before the JSON document on some versions.
        const std::size_t brace = rs.out.find('{');
        if (brace != std::string::npos) rocm = parse_rocm_smi(std::string_view(rs.out).substr(brace));
      }
    }
    d.gpus = merge_gpus(nvidia, rocm, drm);
    if (nv.found && nv.timed_out) d.unreadable.push_back({"NVIDIA GPUs", "nvidia-smi did not answer within the time limit"});
    if (nv.found && !nv.timed_out && nvidia.empty() && nv.exit_code != 0) {
      d.unreadable.push_back({"NVIDIA GPUs", "nvidia-smi failed: " + trimmed(nv.out.substr(0, 200))});
    }
  }

  for (const GpuInfo& g : d.gpus) {
    if (g.kind == GpuKind::discrete && !g.memory_total_bytes) {
      d.unreadable.push_back({"memory of " + g.name + (g.pci_bus_id.empty() ? "" : " at " + g.pci_bus_id),
                              g.vendor == "nvidia" ? "nvidia-smi not found or failed" : "the driver exposes no VRAM size"});
    } else if (g.kind == GpuKind::discrete && !g.memory_free_bytes) {
      d.unreadable.push_back({"free memory of " + g.name, "the driver reports no used memory; the total is used"});
    }
  }
  return d;
}

}  // namespace llmsize::machine
