// llmsize detect: what this machine has, matched to the catalog, and what could not be read.
#include <fmt/format.h>

#include "pipeline.h"
#include "render.h"
#include "this_machine.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

std::string simd_text(const std::vector<std::string>& simd) {
  std::string out;
  for (const std::string& s : simd) {
    const std::string label = s == "avx2" ? "AVX2" : s == "avx512" ? "AVX-512" : s == "amx" ? "AMX" : s == "neon" ? "NEON" : s == "sve" ? "SVE" : s;
    out += (out.empty() ? "" : ", ") + label;
  }
  return out.empty() ? "no AVX2 / AVX-512 / AMX / NEON" : out;
}

std::string memory_text(const std::optional<std::uint64_t>& bytes) {
  return bytes ? fmt::format("{} GiB ({} GB)", gib(*bytes), gb(*bytes)) : "not readable";
}

std::string cpu_text(const machine::Detection& d, const machine::MachineMatch& m) {
  const machine::CpuInfo& c = d.cpu;
  std::string out;
  if (c.threads > 0) {
    out += fmt::format("CPU     {} · {} cores, {} threads{} · {}{}\n", c.model_name.empty() ? "(model not named)" : c.model_name,
                       c.cores, c.threads, c.sockets > 1 ? fmt::format(", {} sockets", c.sockets) : "", simd_text(c.simd),
                       c.arch.empty() ? "" : " · " + c.arch);
  } else if (!c.model_name.empty()) {
    out += fmt::format("CPU     {}\n", c.model_name);
  } else {
    out += "CPU     not readable\n";
  }
  return out + (m.cpu != nullptr      ? fmt::format("        catalog: {} ({})\n", m.cpu->meta.id, m.cpu->meta.name)
                : m.system != nullptr ? fmt::format("        catalog: part of the {} system\n", m.system->meta.id)
                                      : fmt::format("        catalog: not matched (read \"{}\")\n", c.model_name));
}

std::string ram_text(const machine::Detection& d) {
  std::string out = fmt::format("RAM     {} total; available: {}\n", memory_text(d.memory.total_bytes),
                                memory_text(d.memory.available_bytes));
  if (d.memory_layout) {
    const machine::MemoryLayout& l = *d.memory_layout;
    return out + fmt::format("        {} at {} MT/s, {} of {} slots populated, {} channel(s) of 64 bits{}\n",
                             l.type.empty() ? "type unknown" : l.type,
                             l.speed_mt_per_s == 0 ? std::string("?") : std::to_string(l.speed_mt_per_s),
                             l.modules.size(), l.slots, l.channels, l.channels_from_labels ? "" : " (counted from modules)");
  }
  if (d.os == "macos") return out + "        type, speed, channels: not read on macOS (the catalog's system entry has its bandwidth)\n";
  return out + "        type, speed, channels: not readable (see below)\n";
}

std::string gpu_text(std::size_t i, const machine::GpuInfo& g, const Gpu* match) {
  std::string out = fmt::format("GPU {}   {} · {}", i, g.name, machine::to_string(g.kind));
  if (g.memory_total_bytes) {
    out += fmt::format(" · {} GiB total", gib(*g.memory_total_bytes));
    if (g.memory_free_bytes) out += fmt::format(", {} GiB free", gib(*g.memory_free_bytes));
  } else if (g.kind == machine::GpuKind::discrete) {
    out += " · memory not readable";
  }
  if (g.gtt_total_bytes && g.kind != machine::GpuKind::discrete) out += fmt::format(" · GTT {} GiB", gib(*g.gtt_total_bytes));
  if (g.gpu_cores) out += fmt::format(" · {} GPU cores", *g.gpu_cores);
  out += fmt::format(" · {}{}\n", g.source, g.pci_bus_id.empty() ? "" : " " + g.pci_bus_id);
  if (!g.kind_reason.empty()) out += "        " + g.kind_reason + "\n";
  if (match != nullptr) return out + fmt::format("        catalog: {} ({})\n", match->meta.id, match->meta.name);
  if (g.kind == machine::GpuKind::discrete) return out + fmt::format("        catalog: not matched (read \"{}\")\n", g.name);
  if (g.kind == machine::GpuKind::integrated) return out + "        not counted: an integrated GPU is not a second GPU\n";
  return out;
}

// No GPU: say where we looked (the GPU tools and sysfs), leaving out the CPU and RAM sources.
std::string no_gpu_text(const machine::Detection& d) {
  std::string looked;
  for (const auto& s : d.sources) {
    if (s.what.find("cpuinfo") != std::string::npos || s.what.find("meminfo") != std::string::npos || s.what == "dmidecode") continue;
    looked += (looked.empty() ? "" : ", ") + s.what + ": " + s.why;
  }
  return "GPU     no GPU found" + (looked.empty() ? std::string() : " (" + looked + ")") + "\n";
}

std::string tail_text(const machine::Detection& d, const machine::MachineMatch& m) {
  std::string out;
  if (m.system != nullptr) out += fmt::format("System  unified memory: {} ({})\n", m.system->meta.id, m.system->meta.name);
  if (!d.unreadable.empty()) {
    out += "\nCould not read\n";
    for (const auto& u : d.unreadable) out += fmt::format("  {}: {}\n", u.what, u.why);
  }
  out += "\nSources: ";
  for (std::size_t i = 0; i < d.sources.size(); ++i) out += (i > 0 ? ", " : "") + d.sources[i].what + " " + d.sources[i].why;
  return out + "\n`llmsize check --this-machine --model X` sizes a model for this hardware.\n";
}

/// The detection and its catalog match, read once; the match points into the context's catalog.
class DetectResult final : public Result {
 public:
  DetectResult(machine::Detection d, machine::MachineMatch m) : d_(std::move(d)), m_(std::move(m)) {}

  [[nodiscard]] std::string text(const Style& /*style*/) const override {
    std::string out = cpu_text(d_, m_) + ram_text(d_);
    for (std::size_t i = 0; i < d_.gpus.size(); ++i) out += gpu_text(i, d_.gpus[i], i < m_.gpus.size() ? m_.gpus[i] : nullptr);
    if (d_.gpus.empty()) out += no_gpu_text(d_);
    return out + tail_text(d_, m_);
  }

  [[nodiscard]] Json json() const override {
    return envelope("detect", Json::object(), detection_json(d_, m_), Json::array());
  }

 private:
  machine::Detection d_;
  machine::MachineMatch m_;
};

}  // namespace

CommandSpec detect_command() {
  return {"detect",
          "What this machine has: CPU, SIMD, RAM (size, type, speed, channels), GPUs with total and free memory, "
          "matched to the catalog; lists what could not be read",
          false,
          [](CLI::App& /*cmd*/) -> Runner {
            return [](Context& ctx) -> std::unique_ptr<Result> {
              machine::Detection d = detect_this_machine();
              machine::MachineMatch m = machine::match_machine(ctx.catalog, d);
              return std::make_unique<DetectResult>(std::move(d), std::move(m));
            };
          },
          {}};
}

}  // namespace llmsize::cli
