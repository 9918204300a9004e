// llmsize detect: what this machine has, matched to the catalog, and what could not be read.
#include <fmt/format.h>

#include "render.h"
#include "this_machine.h"

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

std::string render(const machine::Detection& d, const machine::MachineMatch& m) {
  std::string out;
  // CPU
  const auto& c = d.cpu;
  if (c.threads > 0) {
    out += fmt::format("CPU     {} · {} cores, {} threads{} · {}{}\n", c.model_name.empty() ? "(model not named)" : c.model_name,
                       c.cores, c.threads, c.sockets > 1 ? fmt::format(", {} sockets", c.sockets) : "", simd_text(c.simd),
                       c.arch.empty() ? "" : " · " + c.arch);
  } else if (!c.model_name.empty()) {
    out += fmt::format("CPU     {}\n", c.model_name);
  } else {
    out += "CPU     not readable\n";
  }
  out += m.cpu != nullptr      ? fmt::format("        catalog: {} ({})\n", m.cpu->meta.id, m.cpu->meta.name)
         : m.system != nullptr ? fmt::format("        catalog: part of the {} system\n", m.system->meta.id)
                               : fmt::format("        catalog: not matched (read \"{}\")\n", c.model_name);
  // RAM
  out += fmt::format("RAM     {} total; available: {}\n", memory_text(d.memory.total_bytes), memory_text(d.memory.available_bytes));
  if (d.memory_layout) {
    const auto& l = *d.memory_layout;
    out += fmt::format("        {} at {} MT/s, {} of {} slots populated, {} channel(s) of 64 bits{}\n",
                       l.type.empty() ? "type unknown" : l.type, l.speed_mt_per_s == 0 ? std::string("?") : std::to_string(l.speed_mt_per_s),
                       l.modules.size(), l.slots, l.channels, l.channels_from_labels ? "" : " (counted from modules)");
  } else if (d.os == "macos") {
    out += "        type, speed, channels: not read on macOS (the catalog's system entry has its bandwidth)\n";
  } else {
    out += "        type, speed, channels: not readable (see below)\n";
  }
  // GPUs
  bool any = false;
  for (std::size_t i = 0; i < d.gpus.size(); ++i) {
    const machine::GpuInfo& g = d.gpus[i];
    any = true;
    out += fmt::format("GPU {}   {} · {}", i, g.name, machine::to_string(g.kind));
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
    const Gpu* match = i < m.gpus.size() ? m.gpus[i] : nullptr;
    if (match != nullptr) {
      out += fmt::format("        catalog: {} ({})\n", match->meta.id, match->meta.name);
    } else if (g.kind == machine::GpuKind::discrete) {
      out += fmt::format("        catalog: not matched (read \"{}\")\n", g.name);
    } else if (g.kind == machine::GpuKind::integrated) {
      out += "        not counted: an integrated GPU is not a second GPU\n";
    }
  }
  if (!any) {
    std::string looked;
    for (const auto& s : d.sources) {
      if (s.what.find("cpuinfo") != std::string::npos || s.what.find("meminfo") != std::string::npos || s.what == "dmidecode") continue;
      looked += (looked.empty() ? "" : ", ") + s.what + ": " + s.why;
    }
    out += "GPU     no GPU found" + (looked.empty() ? std::string() : " (" + looked + ")") + "\n";
  }
  if (m.system != nullptr) out += fmt::format("System  unified memory: {} ({})\n", m.system->meta.id, m.system->meta.name);
  if (!d.unreadable.empty()) {
    out += "\nCould not read\n";
    for (const auto& u : d.unreadable) out += fmt::format("  {}: {}\n", u.what, u.why);
  }
  out += "\nSources: ";
  for (std::size_t i = 0; i < d.sources.size(); ++i) out += (i > 0 ? ", " : "") + d.sources[i].what + " " + d.sources[i].why;
  out += "\n`llmsize check --this-machine --model X` sizes a model for this hardware.\n";
  return out;
}

void run_detect(Context& ctx) {
  const machine::Detection d = detect_this_machine();
  const machine::MachineMatch m = machine::match_machine(ctx.catalog, d);
  emit(ctx, envelope("detect", Json::object(), detection_json(d, m), {}), render(d, m));
}

}  // namespace

void add_detect_command(CLI::App& app, Context& ctx) {
  add_command(app, ctx, "detect",
              "What this machine has: CPU, SIMD, RAM (size, type, speed, channels), GPUs with total and free memory, "
              "matched to the catalog; lists what could not be read",
              [](Context& c) { run_detect(c); });
}

}  // namespace llmsize::cli
