#include "this_machine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "llmsize/machine/profile.h"
#include "llmsize/units.h"
#include "render.h"

namespace llmsize::cli {
namespace {

constexpr const char* kDefaultStorage = "nvme-gen4";
constexpr const char* kFallbackRamKind = "ddr5-5600";   // as hardware_config.cpp's generic desktop
constexpr std::uint32_t kFallbackChannels = 2;
constexpr double kFallbackCpuTdpWatts = 125;           // as hardware_config.cpp's generic desktop
constexpr double kFallbackClockGhz = 2.4;              // ARM / macOS cpuinfo gives no clock
// RAM sizes `recommend --this-machine` tries when more RAM would make a model fit (GiB).
constexpr std::uint64_t kRamSizesGib[] = {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048};

std::string simd_label(const std::vector<std::string>& simd) {
  std::string out;
  for (const std::string& s : simd) {
    std::string label = s == "avx2" ? "AVX2" : s == "avx512" ? "AVX-512" : s == "amx" ? "AMX" : s == "neon" ? "NEON" : s == "sve" ? "SVE" : s;
    out += (out.empty() ? "" : ", ") + label;
  }
  return out.empty() ? "none of AVX2 / AVX-512 / AMX / NEON" : out;
}

Json opt_u64(const std::optional<std::uint64_t>& v) { return v ? Json(*v) : Json(nullptr); }

// RAM of a detected generation and speed: the catalog's kind of that name, else one built from the numbers.
RamKind detected_ram_kind(const catalog::Catalog& cat, const machine::MemoryLayout& layout) {
  std::string generation = layout.type;
  for (char& c : generation) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string id = fmt::format("{}-{}", generation, layout.speed_mt_per_s);
  if (const RamKind* k = catalog::find(cat.ram_kinds, id)) return *k;
  RamKind k;
  k.meta.id = id;
  k.meta.name = fmt::format("{}-{}", layout.type, layout.speed_mt_per_s);
  k.generation = generation;
  k.transfer_rate_mt_per_s = layout.speed_mt_per_s;
  return k;
}

// The user's profile; none when $HOME and $XDG_CONFIG_HOME are both unset. A malformed file is an error.
std::optional<machine::MachineProfile> user_profile(std::vector<std::string>& assumptions) {
  try {
    return machine::load_profile(machine::config_dir());
  } catch (const machine::ProfileError& e) {
    const std::string what = e.what();
    if (what.rfind("neither", 0) == 0) {
      assumptions.push_back("no user profile: neither $XDG_CONFIG_HOME nor $HOME is set");
      return std::nullopt;
    }
    throw InputError(what);
  }
}

std::string gpu_id(const Gpu& g, std::size_t index, std::size_t count_same) {
  return count_same > 1 ? fmt::format("{}#{}", g.meta.id, index) : g.meta.id;
}

}  // namespace

machine::Detection detect_this_machine() {
  machine::DetectSource source;
  if (const char* root = std::getenv("LLMSIZE_DETECT_ROOT"); root != nullptr && root[0] != '\0') {
    source.root = root;
    source.recorded_commands = source.root / "commands";
  }
  return machine::detect(source);
}

MachineSpec machine_spec(Context& ctx, const machine::Detection& d, const machine::MachineMatch& m) {
  const auto& cat = ctx.catalog;
  MachineSpec spec;
  auto& notes = spec.assumptions;
  notes.push_back("hardware detected on this machine (`llmsize detect` shows what was read)");

  // System RAM: what placement may use is what is available now.
  if (!d.memory.total_bytes) throw InputError("this machine's RAM size could not be read (`llmsize detect` says why); use --cpu and --ram instead");
  spec.ram_total_bytes = *d.memory.total_bytes;
  spec.ram_bytes = spec.ram_total_bytes;
  if (d.memory.available_bytes) {
    // Placement keeps the OS reserve out of the RAM it is given; MemAvailable already excludes what runs now.
    spec.ram_bytes = std::min(spec.ram_total_bytes, *d.memory.available_bytes + kOsReserveBytes);
    notes.push_back(fmt::format("system RAM: {} GiB available now (MemAvailable) of {} GiB; placement counts what is "
                                "available, so close programs to free more",
                                gib(*d.memory.available_bytes), gib(spec.ram_total_bytes)));
  } else {
    notes.push_back(fmt::format("system RAM: {} GiB in total (available memory not readable)", gib(spec.ram_total_bytes)));
  }

  // GPUs.
  for (std::size_t i = 0; i < d.gpus.size(); ++i) {
    const machine::GpuInfo& g = d.gpus[i];
    if (g.kind == machine::GpuKind::integrated) {
      notes.push_back(fmt::format("{} is an integrated GPU ({}); not used", g.name, g.kind_reason));
      continue;
    }
    if (g.kind == machine::GpuKind::unified) continue;
    const Gpu* gpu = i < m.gpus.size() ? m.gpus[i] : nullptr;
    if (gpu == nullptr) {
      std::string message = fmt::format("detected GPU \"{}\"", g.name);
      if (g.memory_total_bytes) message += fmt::format(" ({} GiB)", gib(*g.memory_total_bytes));
      message += " is not in the catalog";
      const std::string suggestion = catalog::closest(catalog::normalize_name(g.name), catalog::names_of(cat.gpus));
      if (!suggestion.empty()) message += fmt::format(" (closest: \"{}\")", suggestion);
      message += "; name the hardware with --gpu instead, or add the card with --catalog FILE";
      throw InputError(message);
    }
    MachineSpec::GpuSlot slot;
    slot.gpu = gpu;
    if (g.memory_free_bytes) {
      slot.memory_bytes = *g.memory_free_bytes;
      notes.push_back(fmt::format("{}: {} GiB free of {} GiB now ({}); llama.cpp fits into free memory", gpu->meta.id,
                                  gib(*g.memory_free_bytes), gib(g.memory_total_bytes.value_or(0)), g.source));
    } else if (g.memory_total_bytes) {
      slot.memory_bytes = *g.memory_total_bytes;
      notes.push_back(fmt::format("{}: free memory not readable; its total {} GiB is used", gpu->meta.id, gib(slot.memory_bytes)));
    } else {
      slot.memory_bytes = units::gib_to_bytes(gpu->memory_gib);
      notes.push_back(fmt::format("{}: memory not readable; the catalog's {:.0f} GiB is used", gpu->meta.id, gpu->memory_gib));
    }
    spec.gpus.push_back(slot);
  }

  // A unified-memory machine: its GPU uses system RAM.
  if (m.system != nullptr) {
    spec.system = m.system;
    const double fraction = m.system->gpu_memory_fraction.value_or(1.0);
    std::uint64_t gpu_bytes = units::to_bytes(static_cast<double>(spec.ram_bytes) * fraction);
    for (const machine::GpuInfo& g : d.gpus) {
      if (g.kind != machine::GpuKind::unified || !g.gtt_total_bytes) continue;
      // AMD: the GPU may map its VRAM carve-out plus GTT; the carve-out is not in MemTotal.
      const std::uint64_t carve_out = g.memory_free_bytes.value_or(g.memory_total_bytes.value_or(0));
      spec.ram_bytes += carve_out;
      spec.ram_total_bytes += g.memory_total_bytes.value_or(0);
      gpu_bytes = std::min(spec.ram_bytes, carve_out + *g.gtt_total_bytes);
      notes.push_back(fmt::format("{}: the GPU may use {} GiB (VRAM carve-out {} GiB free + GTT {} GiB); raise GTT with "
                                  "ttm.pages_limit", g.name, gib(gpu_bytes), gib(carve_out), gib(*g.gtt_total_bytes)));
    }
    spec.unified_gpu_bytes = gpu_bytes;
    notes.push_back(fmt::format("unified memory: sized as the catalog's {}", m.system->meta.name));
  }

  // The CPU and its RAM bandwidth.
  spec.cpu = m.cpu;
  const bool dmi = d.memory_layout && !d.memory_layout->type.empty() && d.memory_layout->speed_mt_per_s > 0;
  if (dmi) {
    spec.ram_kind = detected_ram_kind(cat, *d.memory_layout);
    spec.channels = d.memory_layout->channels;
    notes.push_back(fmt::format("RAM: {} in {} channel(s), read by dmidecode{}", spec.ram_kind.meta.name, spec.channels,
                                d.memory_layout->channels_from_labels ? "" : " (channels counted from modules)"));
  } else if (m.cpu != nullptr) {
    const RamKind* fastest = fastest_ram_kind(cat, *m.cpu);
    spec.ram_kind = fastest != nullptr ? *fastest : *catalog::find(cat.ram_kinds, kFallbackRamKind);
    spec.channels = m.cpu->memory_channels;
    notes.push_back(fmt::format("RAM type and channels not readable (sudo llmsize detect reads them): assumed {} in all {} "
                                "channels of the {}", spec.ram_kind.meta.name, spec.channels, m.cpu->meta.name));
  } else {
    spec.ram_kind = *catalog::find(cat.ram_kinds, kFallbackRamKind);
    spec.channels = kFallbackChannels;
    notes.push_back(fmt::format("RAM type and channels not readable: assumed {}-channel {} (`llmsize probe` measures the "
                                "real bandwidth)", spec.channels, spec.ram_kind.meta.name));
  }
  if (spec.system != nullptr) {
    spec.cpu_label = spec.system->meta.name;
    spec.cpu_device = device_from_system(*spec.system);
    spec.cpu_device.backend = Backend::cpu;
    spec.cpu_device.matmul_flops_per_s = static_cast<double>(spec.system->cpu_cores) * 16 * kFallbackClockGhz * 1e9;
    spec.cpu_tdp_watts = 0;  // in the system's TDP
    spec.cpu_repack = false;
  } else if (m.cpu != nullptr) {
    spec.cpu_label = m.cpu->meta.name;
    const HostDevice host = host_from_cpu(*m.cpu, spec.ram_kind, spec.channels);
    spec.cpu_device = host.cpu;
    spec.cpu_tdp_watts = m.cpu->tdp_watts;
    spec.cpu_repack = std::find(m.cpu->simd.begin(), m.cpu->simd.end(), "neon") == m.cpu->simd.end();
  } else {
    // Not in the catalog: its peak FLOP/s from what cpuinfo says (cores × SIMD width × clock).
    Cpu generic;
    generic.cores = std::max<std::uint32_t>(1, d.cpu.cores);
    generic.simd = d.cpu.simd;
    generic.base_clock_ghz = d.cpu.mhz > 0 ? d.cpu.mhz / 1000 : kFallbackClockGhz;
    spec.cpu_label = d.cpu.model_name.empty() ? "unknown CPU" : d.cpu.model_name;
    spec.cpu_device.id = "host";
    spec.cpu_device.backend = Backend::cpu;
    spec.cpu_device.matmul_flops_per_s = cpu_flops_per_s(generic);
    spec.cpu_device.bandwidth_bytes_per_s = ram_bandwidth_bytes_per_s(spec.ram_kind, spec.channels);
    spec.cpu_device.tdp_watts = kFallbackCpuTdpWatts;
    spec.cpu_tdp_watts = kFallbackCpuTdpWatts;
    spec.cpu_repack = d.cpu.arch != "aarch64";
    notes.push_back(fmt::format("CPU \"{}\" is not in the catalog: {} cores × {} at {:.2f} GHz{} = {:.2f} TFLOP/s peak, "
                                "{:.0f} W", spec.cpu_label, generic.cores, simd_label(d.cpu.simd), generic.base_clock_ghz,
                                d.cpu.mhz > 0 ? " (cpuinfo's current clock)" : " (assumed)",
                                spec.cpu_device.matmul_flops_per_s / 1e12, kFallbackCpuTdpWatts));
  }

  // The user's own measurements, for this machine only.
  if (const auto profile = user_profile(notes)) {
    if (profile->bandwidth && profile->bandwidth->read_gb_per_s > 0) {
      const auto& b = *profile->bandwidth;
      if (!b.cpu_model.empty() && !d.cpu.model_name.empty() && b.cpu_model != d.cpu.model_name) {
        notes.push_back(fmt::format("the stored `llmsize probe` measurement was taken on \"{}\", not this CPU (\"{}\"): not "
                                    "used; run `llmsize probe` again", b.cpu_model, d.cpu.model_name));
      } else {
        spec.cpu_device.bandwidth_bytes_per_s = b.read_gb_per_s * 1e9;
        spec.bandwidth_measured = true;
        notes.push_back(fmt::format("system RAM bandwidth: {:.1f} GB/s measured by llmsize probe on {}", b.read_gb_per_s,
                                    b.measured_at));
      }
    }
    spec.gpu_overhead_bytes = profile->backend_overhead_bytes;
    if (spec.gpu_overhead_bytes) {
      notes.push_back(fmt::format("runtime overhead per GPU: {:.0f} MiB fitted by `llmsize calibrate` from your load logs",
                                  units::bytes_to_mib(*spec.gpu_overhead_bytes)));
    }
    if (!profile->efficiencies.empty()) {
      std::string backends;
      for (const Efficiency& e : profile->efficiencies) backends += (backends.empty() ? "" : ", ") + std::string(to_string(e.backend));
      notes.push_back("efficiency factors for " + backends + " fitted by `llmsize calibrate` on your runs replace the catalog's");
    }
  }
  // calibration(ctx) merges the profile's factors from now on.
  if (!ctx.use_machine_profile) {
    ctx.use_machine_profile = true;
    ctx.calibration_cache.reset();
  }
  return spec;
}

HardwareConfig spec_config(const Context& ctx, const MachineSpec& spec) {
  HardwareConfig h;
  if (spec.system != nullptr) {
    MemoryOption option;
    option.memory_gib = units::bytes_to_gib(spec.ram_total_bytes);
    h = system_config(ctx, *spec.system, option);
    h.assumptions.clear();
    h.price_usd.reset();
    if (!h.devices.empty()) h.devices.front().memory_bytes = spec.unified_gpu_bytes;
    if (!h.devices.empty()) h.devices.front().overhead_bytes = spec.gpu_overhead_bytes;
    h.host_ram_bytes = spec.ram_bytes;
    h.host->cpu.bandwidth_bytes_per_s = spec.cpu_device.bandwidth_bytes_per_s;
    h.label = fmt::format("this machine ({}, {} GiB)", spec.system->meta.name, gib(spec.ram_total_bytes));
    h.devices_json = Json::array({{{"id", spec.system->meta.id}, {"kind", "unified"}, {"memory_bytes", spec.unified_gpu_bytes}}});
    h.assumptions = spec.assumptions;
    return h;
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < spec.gpus.size(); ++i) {
    const Gpu& g = *spec.gpus[i].gpu;
    const std::size_t same = static_cast<std::size_t>(std::count_if(spec.gpus.begin(), spec.gpus.end(),
                                                                    [&](const MachineSpec::GpuSlot& s) { return s.gpu == &g; }));
    const std::size_t index = static_cast<std::size_t>(std::count_if(spec.gpus.begin(), spec.gpus.begin() + static_cast<long>(i),
                                                                     [&](const MachineSpec::GpuSlot& s) { return s.gpu == &g; }));
    DeviceSpec d;
    d.id = gpu_id(g, index, same);
    d.kind = DeviceKind::gpu;
    d.backend = g.backends.empty() ? Backend::vulkan : g.backends.front();
    d.memory_bytes = spec.gpus[i].memory_bytes;
    d.overhead_bytes = spec.gpu_overhead_bytes;
    h.devices.push_back(d);
    ComputeDevice c = device_from_gpu(g);
    c.id = d.id;
    h.compute.push_back(c);
    h.power.gpu_tdp_watts.push_back(g.tdp_watts);
    h.power.gpu_idle_watts.push_back(g.idle_watts);
    h.devices_json.push_back({{"id", g.meta.id}, {"kind", "gpu"}, {"memory_bytes", d.memory_bytes}, {"added", spec.gpus[i].added}});
    names.push_back(g.meta.name);
    if (spec.gpus[i].added && g.launch_price_usd) h.price_usd = h.price_usd.value_or(0) + *g.launch_price_usd;
  }
  if (!spec.gpus.empty()) {
    const Gpu& first = *spec.gpus.front().gpu;
    h.gpu_link_bytes_per_s = pcie_bytes_per_s(first.pcie_gen, first.pcie_lanes);
    h.tp_link_bytes_per_s = h.gpu_link_bytes_per_s;
    h.tp_link_latency_s = 2e-6;  // PCIe, as hardware_config.cpp's default
  }
  HostDevice host;
  host.cpu = spec.cpu_device;
  host.gpu_link_bytes_per_s = h.gpu_link_bytes_per_s;
  h.host = host;
  h.host_ram_bytes = spec.ram_bytes;
  h.cpu_repack = spec.cpu_repack;
  h.power.cpu_tdp_watts = spec.cpu_tdp_watts;
  h.power.cpu_runs_layers = h.devices.empty();
  h.storage = catalog::find(ctx.catalog.storage, kDefaultStorage);
  std::string label;
  for (std::size_t i = 0; i < names.size();) {
    std::size_t j = i;
    while (j < names.size() && names[j] == names[i]) ++j;
    label += (label.empty() ? "" : " + ") + (j - i > 1 ? fmt::format("{}× {}", j - i, names[i]) : names[i]);
    i = j;
  }
  label += (label.empty() ? "" : " + ") + spec.cpu_label + fmt::format(" + {} GiB RAM", gib(spec.ram_total_bytes));
  h.label = "this machine (" + label + ")";
  h.assumptions = spec.assumptions;
  h.assumptions.push_back("storage not detected: NVMe Gen4 for load time");
  return h;
}

HardwareConfig this_machine_hardware(Context& ctx) {
  const machine::Detection d = detect_this_machine();
  const machine::MachineMatch m = machine::match_machine(ctx.catalog, d);
  return spec_config(ctx, machine_spec(ctx, d, m));
}

Json detection_json(const machine::Detection& d, const machine::MachineMatch& m) {
  Json cpu = {{"model_name", d.cpu.model_name}, {"vendor", d.cpu.vendor},   {"arch", d.cpu.arch},
              {"cores", d.cpu.cores},           {"threads", d.cpu.threads}, {"sockets", d.cpu.sockets},
              {"mhz", d.cpu.mhz},               {"simd", d.cpu.simd},
              {"catalog_id", m.cpu != nullptr ? Json(m.cpu->meta.id) : Json(nullptr)}};
  Json memory = {{"total_bytes", opt_u64(d.memory.total_bytes)}, {"available_bytes", opt_u64(d.memory.available_bytes)},
                 {"type", nullptr}, {"speed_mt_per_s", nullptr}, {"channels", nullptr}, {"modules", nullptr}, {"slots", nullptr}};
  if (d.memory_layout) {
    const auto& l = *d.memory_layout;
    memory["type"] = l.type.empty() ? Json(nullptr) : Json(l.type);
    memory["speed_mt_per_s"] = l.speed_mt_per_s == 0 ? Json(nullptr) : Json(l.speed_mt_per_s);
    memory["channels"] = l.channels;
    memory["modules"] = l.modules.size();
    memory["slots"] = l.slots;
  }
  Json gpus = Json::array();
  for (std::size_t i = 0; i < d.gpus.size(); ++i) {
    const machine::GpuInfo& g = d.gpus[i];
    const Gpu* match = i < m.gpus.size() ? m.gpus[i] : nullptr;
    gpus.push_back({{"name", g.name},
                    {"vendor", g.vendor},
                    {"kind", machine::to_string(g.kind)},
                    {"kind_reason", g.kind_reason},
                    {"source", g.source},
                    {"pci_bus_id", g.pci_bus_id},
                    {"memory_total_bytes", opt_u64(g.memory_total_bytes)},
                    {"memory_used_bytes", opt_u64(g.memory_used_bytes)},
                    {"memory_free_bytes", opt_u64(g.memory_free_bytes)},
                    {"gtt_total_bytes", opt_u64(g.gtt_total_bytes)},
                    {"gpu_cores", g.gpu_cores ? Json(*g.gpu_cores) : Json(nullptr)},
                    {"catalog_id", match != nullptr ? Json(match->meta.id) : Json(nullptr)}});
  }
  Json unreadable = Json::array();
  for (const auto& u : d.unreadable) unreadable.push_back({{"what", u.what}, {"why", u.why}});
  Json sources = Json::array();
  for (const auto& s : d.sources) sources.push_back({{"source", s.what}, {"status", s.why}});
  return {{"os", d.os},
          {"cpu", cpu},
          {"memory", memory},
          {"gpus", gpus},
          {"system", m.system != nullptr ? Json{{"id", m.system->meta.id}, {"name", m.system->meta.name}} : Json(nullptr)},
          {"unreadable", unreadable},
          {"sources", sources}};
}

void add_this_machine_flag(CLI::App* cmd, bool& flag) {
  cmd->add_flag("--this-machine", flag,
                "Use the hardware llmsize detects here (`llmsize detect`), free GPU memory and your `llmsize probe` / "
                "`calibrate` results");
}

void check_this_machine_alone(const HardwareOptions& o) {
  if (has_hardware(o) || !o.system.empty() || !o.memory.empty() || !o.ram_kind.empty() || o.channels != 0) {
    throw InputError("--this-machine uses the detected hardware; leave out --gpu, --system, --cpu, --ram and the other hardware flags");
  }
}

// ---------------------------------------------------------------------------------------------
// recommend --this-machine

namespace {

struct UpgradeRow {
  std::string option;  ///< now | add_gpu | replace_gpu | add_ram | faster_ram | more_memory
  std::string change;
  HardwareConfig hardware;
  BuildEval eval;
  std::uint64_t used_bytes = 0;
  std::uint64_t memory_bytes = 0;
};

void totals(UpgradeRow& r) {
  const Placement& p = r.eval.placement;
  for (const auto& d : p.devices) {
    r.used_bytes += d.used_bytes();
    r.memory_bytes += d.memory_bytes;
  }
  if (!r.hardware.unified) {
    r.used_bytes += p.host.required_bytes();
    r.memory_bytes += p.host.available_bytes;
  } else {
    r.used_bytes += p.host.required_bytes();
    r.memory_bytes = r.hardware.host_ram_bytes.value_or(0);
  }
}

UpgradeRow evaluate_row(Context& ctx, const Sizing& s, const CostOptions& cost, std::uint64_t prompt, std::string option,
                        std::string change, const MachineSpec& spec) {
  UpgradeRow r;
  r.option = std::move(option);
  r.change = std::move(change);
  r.hardware = spec_config(ctx, spec);
  r.eval = evaluate_build(ctx, s, r.hardware, prompt, cost, false);
  totals(r);
  return r;
}

bool runs(const UpgradeRow& r) { return r.eval.placement.verdict != Verdict::does_not_fit; }

}  // namespace

void recommend_for_this_machine(Context& ctx, const SizingOptions& sizing, const CostOptions& cost,
                                std::uint64_t prompt_tokens) {
  const Sizing s = resolve_sizing(ctx, sizing);
  const machine::Detection d = detect_this_machine();
  const machine::MachineMatch m = machine::match_machine(ctx.catalog, d);
  const MachineSpec now_spec = machine_spec(ctx, d, m);
  std::vector<UpgradeRow> rows;
  rows.push_back(evaluate_row(ctx, s, cost, prompt_tokens, "now", "as it is", now_spec));
  const UpgradeRow now = rows.front();  // a copy: rows grows below
  const bool host_works = now.eval.placement.host.layers > 0 || now.eval.placement.n_cpu_moe > 0 ||
                          now.eval.placement.devices.empty() || now.eval.placement.verdict == Verdict::does_not_fit;

  if (now_spec.system == nullptr) {
    // A second card like the first.
    if (!now_spec.gpus.empty()) {
      MachineSpec two = now_spec;
      const Gpu& g = *now_spec.gpus.front().gpu;
      two.gpus.push_back({&g, units::gib_to_bytes(g.memory_gib), true});
      rows.push_back(evaluate_row(ctx, s, cost, prompt_tokens, "add_gpu", "add a second " + g.meta.name, two));
    }
    // The cheapest catalog GPU that holds the whole model, in place of the current ones (or added).
    std::optional<UpgradeRow> cheapest;
    for (const Gpu& g : ctx.catalog.gpus) {
      if (!g.launch_price_usd || g.form_factor != FormFactor::desktop) continue;
      if (cheapest && *g.launch_price_usd >= *cheapest->hardware.price_usd) continue;
      MachineSpec one = now_spec;
      one.gpus = {{&g, units::gib_to_bytes(g.memory_gib), true}};
      UpgradeRow r = evaluate_row(ctx, s, cost, prompt_tokens, now_spec.gpus.empty() ? "add_gpu" : "replace_gpu",
                                  (now_spec.gpus.empty() ? "add " : "replace the GPU with ") + g.meta.name, one);
      if (r.eval.placement.verdict == Verdict::fits) cheapest = std::move(r);
    }
    if (cheapest) {
      cheapest->change += " (the cheapest catalog GPU that holds it all)";
      rows.push_back(std::move(*cheapest));
    }
    // More RAM, when the model does not fit at all now.
    if (now.eval.placement.verdict == Verdict::does_not_fit) {
      const std::uint64_t in_use = now_spec.ram_total_bytes - std::min(now_spec.ram_total_bytes, now_spec.ram_bytes);
      for (std::uint64_t size_gib : kRamSizesGib) {
        const std::uint64_t size = size_gib * units::kGiB;
        if (size <= now_spec.ram_total_bytes) continue;
        if (now_spec.cpu != nullptr && now_spec.cpu->max_memory_gib && static_cast<double>(size_gib) > *now_spec.cpu->max_memory_gib) break;
        MachineSpec more = now_spec;
        more.ram_total_bytes = size;
        more.ram_bytes = size - in_use;
        UpgradeRow r = evaluate_row(ctx, s, cost, prompt_tokens, "add_ram",
                                    fmt::format("{} GiB of RAM in total (+{} GiB)", size_gib,
                                                gib(size - now_spec.ram_total_bytes)), more);
        if (runs(r)) {
          rows.push_back(std::move(r));
          break;
        }
      }
    }
    // Faster RAM (and every channel populated), when the CPU reads weights.
    if (now_spec.cpu != nullptr && host_works) {
      const RamKind* fastest = fastest_ram_kind(ctx.catalog, *now_spec.cpu);
      const std::uint32_t channels = now_spec.cpu->memory_channels;
      if (fastest != nullptr && now_spec.ram_kind.transfer_rate_mt_per_s > 0 &&
          (fastest->transfer_rate_mt_per_s > now_spec.ram_kind.transfer_rate_mt_per_s || channels > now_spec.channels)) {
        MachineSpec faster = now_spec;
        const double ratio = static_cast<double>(fastest->transfer_rate_mt_per_s) * channels /
                             (static_cast<double>(now_spec.ram_kind.transfer_rate_mt_per_s) * std::max<std::uint32_t>(1, now_spec.channels));
        faster.cpu_device.bandwidth_bytes_per_s *= ratio;  // scales a probe measurement too
        faster.ram_kind = *fastest;
        faster.channels = channels;
        rows.push_back(evaluate_row(ctx, s, cost, prompt_tokens, "faster_ram",
                                    fmt::format("{} in all {} channels ({:.2f}× the RAM bandwidth)", fastest->meta.name,
                                                channels, ratio), faster));
      }
    }
  }

  if (now_spec.system != nullptr && now.eval.placement.verdict != Verdict::fits) {
    // The same machine with more memory: the smallest of its memory options that holds it all.
    for (const MemoryOption& option : now_spec.system->memory_options) {
      const std::uint64_t size = units::gib_to_bytes(option.memory_gib);
      if (size <= now_spec.ram_total_bytes) continue;
      MachineSpec bigger = now_spec;
      const std::uint64_t in_use = now_spec.ram_total_bytes - std::min(now_spec.ram_total_bytes, now_spec.ram_bytes);
      bigger.ram_total_bytes = size;
      bigger.ram_bytes = size - in_use;
      const double fraction = now_spec.system->gpu_memory_fraction.value_or(1.0);
      bigger.unified_gpu_bytes = units::to_bytes(static_cast<double>(bigger.ram_bytes) * fraction);
      UpgradeRow r = evaluate_row(ctx, s, cost, prompt_tokens, "more_memory",
                                  fmt::format("the {} with {:.0f} GB instead", now_spec.system->meta.name, option.memory_gib), bigger);
      r.hardware.price_usd = option.price_usd;
      if (r.eval.placement.verdict == Verdict::fits) {
        rows.push_back(std::move(r));
        break;
      }
    }
  }

  Table table({{"Option", Align::left},
               {"Memory [GiB] used/total", Align::right},
               {"Verdict", Align::left},
               {"Decode [tok/s]", Align::right},
               {"Prefill [tok/s]", Align::right},
               {"Adds [USD]", Align::right}});
  Json options = Json::array();
  for (const UpgradeRow& r : rows) {
    const auto& sp = r.eval.speed;
    const bool ok = runs(r);
    const std::string price = r.hardware.price_usd ? fmt::format("{:.0f}", *r.hardware.price_usd)
                              : r.option == "now"  ? "0"
                                                   : "?";
    table.add_row({r.change, fmt::format("{}/{}", gib(r.used_bytes), gib(r.memory_bytes)), to_string(r.eval.placement.verdict),
                   ok ? fmt::format("{:.1f} ({:.1f}–{:.1f})", sp.decode_tokens_per_s, sp.decode_low, sp.decode_high) : "–",
                   ok ? fmt::format("{:.0f}", sp.prefill_tokens_per_s) : "–", price});
    options.push_back({{"option", r.option},
                       {"change", r.change},
                       {"hardware", r.hardware.label},
                       {"devices", r.hardware.devices_json},
                       {"verdict", to_string(r.eval.placement.verdict)},
                       {"reason", r.eval.placement.reason},
                       {"used_bytes", r.used_bytes},
                       {"memory_bytes", r.memory_bytes},
                       {"decode_tokens_per_s", ok ? Json(sp.decode_tokens_per_s) : Json(nullptr)},
                       {"decode_low", ok ? Json(sp.decode_low) : Json(nullptr)},
                       {"decode_high", ok ? Json(sp.decode_high) : Json(nullptr)},
                       {"prefill_tokens_per_s", ok ? Json(sp.prefill_tokens_per_s) : Json(nullptr)},
                       {"price_usd", r.hardware.price_usd ? Json(*r.hardware.price_usd) : Json(nullptr)}});
  }
  std::string text = s.model_note.empty() ? "" : s.model_note + "\n";
  text += fmt::format("{} · {} · {} GB of weights · context {} tokens · KV {}\n", s.model->meta.name, s.quant->meta.name,
                      gb(s.weights.total_bytes), s.kv.context_tokens, s.kv.type_k->meta.name);
  text += fmt::format("on {}\n\n", now.hardware.label);
  const Placement& np = now.eval.placement;
  text += np.verdict == Verdict::fits ? fmt::format("It runs now, entirely in {} memory, at {:.1f} tok/s.",
                                                    np.devices.empty() ? "system" : "GPU", now.eval.speed.decode_tokens_per_s)
          : runs(now) ? fmt::format("It runs now with {:.0f}% of the weights in system RAM, at {:.1f} tok/s.",
                                    np.offloaded_weight_fraction * 100, now.eval.speed.decode_tokens_per_s)
                    : "It does not fit now" + (now.eval.placement.reason.empty() ? std::string(".") : ": " + now.eval.placement.reason + ".");
  text += rows.size() > 1 ? " What adding or replacing parts would do:\n\n" : "\n\n";
  text += ctx.global.csv ? table.csv() : table.text(ctx.color());
  text += "\nDecode is at the start of a conversation, with the likely range; \"Adds\" is the launch price of the new part\n"
          "(\"?\": RAM prices vary). `llmsize check --this-machine` shows the placement in detail.\n";
  std::vector<std::string> assumptions = s.assumptions;
  assumptions.insert(assumptions.end(), now.hardware.assumptions.begin(), now.hardware.assumptions.end());
  if (ctx.global.explain) text += assumptions_text(assumptions);
  if (ctx.global.csv) text = table.csv();
  Json inputs = inputs_json(s);
  inputs["this_machine"] = true;
  inputs["hardware"] = now.hardware.devices_json;
  emit(ctx, envelope("recommend", inputs,
                     {{"model", model_json(s)}, {"quant", quant_json(s)}, {"context_tokens", s.kv.context_tokens},
                      {"this_machine", now.hardware.label}, {"runs_now", runs(now)}, {"options", options}},
                     assumptions),
       text);
  ctx.exit_code = runs(now) ? 0 : 1;
}

}  // namespace llmsize::cli
