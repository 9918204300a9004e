#include "this_machine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "llmsize/machine/profile.h"
#include "llmsize/units.h"
#include "hardware_defaults.h"
#include "machine_profile.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

// What detection read (or could not read), as an assumption: `value` for scripts, the sentence for people.
Assumption detected(std::string key, std::string value, std::string sentence) {
  return {std::move(key), std::move(value), AssumptionSource::detected, std::move(sentence)};
}


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
std::optional<machine::MachineProfile> user_profile(Assumptions& assumptions) {
  std::optional<machine::MachineProfile> profile = machine_profile_if_any();
  if (!profile) assumptions.push_back(detected("profile", "none", "no user profile: neither $XDG_CONFIG_HOME nor $HOME is set"));
  return profile;
}

// System RAM: what placement may use is what is available now.
void read_ram(const machine::Detection& d, MachineSpec& spec) {
  if (!d.memory.total_bytes) {
    throw InputError("this machine's RAM size could not be read (`llmsize detect` says why); use --cpu and --ram instead");
  }
  HostSpec& host = spec.host;
  host.ram_total_bytes = *d.memory.total_bytes;
  host.ram_bytes = host.ram_total_bytes;
  if (d.memory.available_bytes) {
    // Placement keeps the OS reserve out of the RAM it is given; MemAvailable already excludes what runs now.
    host.ram_bytes = std::min(host.ram_total_bytes, *d.memory.available_bytes + kOsReserveBytes);
    spec.assumptions.push_back(detected("ram_available_bytes", std::to_string(*d.memory.available_bytes),
                                        fmt::format("system RAM: {} GiB available now (MemAvailable) of {} GiB; placement "
                                                    "counts what is available, so close programs to free more",
                                                    gib(*d.memory.available_bytes), gib(host.ram_total_bytes))));
  } else {
    spec.assumptions.push_back(detected("ram_total_bytes", std::to_string(host.ram_total_bytes),
                                        fmt::format("system RAM: {} GiB in total (available memory not readable)",
                                                    gib(host.ram_total_bytes))));
  }
}

[[noreturn]] void unknown_gpu(const catalog::Catalog& cat, const machine::GpuInfo& g) {
  std::string message = fmt::format("detected GPU \"{}\"", g.name);
  if (g.memory_total_bytes) message += fmt::format(" ({} GiB)", gib(*g.memory_total_bytes));
  message += " is not in the catalog";
  const std::string suggestion = catalog::closest(catalog::normalize_name(g.name), catalog::names_of(cat.gpus));
  if (!suggestion.empty()) message += fmt::format(" (closest: \"{}\")", suggestion);
  message += "; name the hardware with --gpu instead, or add the card with --catalog FILE";
  throw InputError(message);
}

// One discrete card: llama.cpp fits into its free memory, else its total, else the catalog's size.
GpuPart detected_gpu(const machine::GpuInfo& g, const Gpu& gpu, Assumptions& notes) {
  GpuPart part{&gpu, 0, Origin::detected};
  if (g.memory_free_bytes) {
    part.memory_bytes = *g.memory_free_bytes;
    notes.push_back(detected("gpu_memory_bytes", std::to_string(part.memory_bytes),
                             fmt::format("{}: {} GiB free of {} GiB now ({}); llama.cpp fits into free memory", gpu.meta.id,
                                         gib(*g.memory_free_bytes), gib(g.memory_total_bytes.value_or(0)), g.source)));
  } else if (g.memory_total_bytes) {
    part.memory_bytes = *g.memory_total_bytes;
    notes.push_back(detected("gpu_memory_bytes", std::to_string(part.memory_bytes),
                             fmt::format("{}: free memory not readable; its total {} GiB is used", gpu.meta.id,
                                         gib(part.memory_bytes))));
  } else {
    part.memory_bytes = units::gib_to_bytes(gpu.memory_gib);
    notes.push_back(detected("gpu_memory_bytes", std::to_string(part.memory_bytes),
                             fmt::format("{}: memory not readable; the catalog's {:.0f} GiB is used", gpu.meta.id,
                                         gpu.memory_gib)));
  }
  return part;
}

void read_gpus(const catalog::Catalog& cat, const machine::Detection& d, const machine::MachineMatch& m, MachineSpec& spec) {
  for (std::size_t i = 0; i < d.gpus.size(); ++i) {
    const machine::GpuInfo& g = d.gpus[i];
    if (g.kind == machine::GpuKind::integrated) {
      spec.assumptions.push_back(
          detected("integrated_gpu", g.name, fmt::format("{} is an integrated GPU ({}); not used", g.name, g.kind_reason)));
      continue;
    }
    if (g.kind == machine::GpuKind::unified) continue;
    const Gpu* gpu = i < m.gpus.size() ? m.gpus[i] : nullptr;
    if (gpu == nullptr) unknown_gpu(cat, g);
    spec.gpus.push_back(detected_gpu(g, *gpu, spec.assumptions));
  }
}

// A unified-memory machine: its GPU uses system RAM.
void read_unified(const machine::Detection& d, const UnifiedSystem& system, MachineSpec& spec) {
  HostSpec& host = spec.host;
  spec.system = &system;
  std::uint64_t gpu_bytes = unified_gpu_bytes(system, *host.ram_bytes);
  for (const machine::GpuInfo& g : d.gpus) {
    if (g.kind != machine::GpuKind::unified || !g.gtt_total_bytes) continue;
    // AMD: the GPU may map its VRAM carve-out plus GTT; the carve-out is not in MemTotal.
    const std::uint64_t carve_out = g.memory_free_bytes.value_or(g.memory_total_bytes.value_or(0));
    *host.ram_bytes += carve_out;
    host.ram_total_bytes += g.memory_total_bytes.value_or(0);
    gpu_bytes = std::min(*host.ram_bytes, carve_out + *g.gtt_total_bytes);
    spec.assumptions.push_back(detected("unified_gpu_bytes", std::to_string(gpu_bytes),
                                        fmt::format("{}: the GPU may use {} GiB (VRAM carve-out {} GiB free + GTT {} GiB); "
                                                    "raise GTT with ttm.pages_limit",
                                                    g.name, gib(gpu_bytes), gib(carve_out), gib(*g.gtt_total_bytes))));
  }
  spec.unified_gpu_bytes = gpu_bytes;
  spec.assumptions.push_back(
      detected("unified_system", system.meta.id, fmt::format("unified memory: sized as the catalog's {}", system.meta.name)));
}

// RAM kind and channels: read by dmidecode, else all channels of the catalog CPU at its fastest kind,
// else a generic desktop's.
void read_ram_layout(const catalog::Catalog& cat, const machine::Detection& d, const Cpu* cpu, MachineSpec& spec) {
  HostSpec& host = spec.host;
  auto& notes = spec.assumptions;
  const bool dmi = d.memory_layout && !d.memory_layout->type.empty() && d.memory_layout->speed_mt_per_s > 0;
  if (dmi) {
    host.ram_kind = detected_ram_kind(cat, *d.memory_layout);
    // dmidecode's channels are 64-bit equivalents; a 16-bit LPDDR kind fills the same bus with four times as many.
    host.channels = ram_channels_on_bus(host.ram_kind, d.memory_layout->channels * kDdrChannelBits);
    notes.push_back(detected("ram_layout", fmt::format("{} x {}", host.ram_kind.meta.id, host.channels),
                             fmt::format("RAM: {} in {} channel(s), read by dmidecode{}", host.ram_kind.meta.name,
                                         host.channels,
                                         d.memory_layout->channels_from_labels ? "" : " (channels counted from modules)")));
    return;
  }
  const RamKind& fallback = resolve(cat.ram_kinds, kDefaultRamKind, "RAM kind", "hardware --kind ram");
  if (cpu != nullptr) {
    const RamKind* fastest = fastest_ram_kind(cat, *cpu);
    host.ram_kind = fastest != nullptr ? *fastest : fallback;
    host.channels = cpu_ram_channels(*cpu, host.ram_kind);
    notes.push_back({"ram_layout", fmt::format("{} x {}", host.ram_kind.meta.id, host.channels), AssumptionSource::catalog,
                     fmt::format("RAM type and channels not readable (sudo llmsize detect reads them): assumed {} in all "
                                 "{} channels of the {}", host.ram_kind.meta.name, host.channels, cpu->meta.name)});
  } else {
    host.ram_kind = fallback;
    host.channels = kGenericChannels;
    notes.push_back({"ram_layout", fmt::format("{} x {}", host.ram_kind.meta.id, host.channels),
                     AssumptionSource::default_value,
                     fmt::format("RAM type and channels not readable: assumed {}-channel {} (`llmsize probe` measures "
                                 "the real bandwidth)", host.channels, host.ram_kind.meta.name)});
  }
}

// A CPU the catalog does not have: its peak FLOP/s from what cpuinfo says (cores × SIMD width × clock).
GenericCpu generic_cpu(const machine::Detection& d, Assumptions& notes) {
  Cpu c;
  c.cores = std::max<std::uint32_t>(1, d.cpu.cores);
  c.simd = d.cpu.simd;
  c.base_clock_ghz = d.cpu.mhz > 0 ? d.cpu.mhz / 1000 : kAssumedCpuClockGhz;
  GenericCpu g;
  g.label = d.cpu.model_name.empty() ? "unknown CPU" : d.cpu.model_name;
  g.matmul_flops_per_s = cpu_flops_per_s(c);
  g.repack = d.cpu.arch != "aarch64";
  notes.push_back(detected("cpu", g.label,
                           fmt::format("CPU \"{}\" is not in the catalog: {} cores × {} at {:.2f} GHz{} = {:.2f} TFLOP/s "
                                       "peak, {:.0f} W", g.label, c.cores, simd_label(d.cpu.simd), c.base_clock_ghz,
                                       d.cpu.mhz > 0 ? " (cpuinfo's current clock)" : " (assumed)",
                                       g.matmul_flops_per_s / units::kFlopsPerTflop, g.tdp_watts)));
  return g;
}

// The user's own measurements, for this machine only: the probe's RAM bandwidth (its factors are
// merged by calibration(ctx) once the command calls use_machine_profile).
void read_profile(const machine::Detection& d, MachineSpec& spec) {
  auto& notes = spec.assumptions;
  const auto profile = user_profile(notes);
  if (!profile) return;
  if (profile->bandwidth && profile->bandwidth->read_gb_per_s > 0) {
    const auto& b = *profile->bandwidth;
    if (!b.cpu_model.empty() && !d.cpu.model_name.empty() && b.cpu_model != d.cpu.model_name) {
      notes.push_back(detected("ram_bandwidth_measured", "not used",
                               fmt::format("the stored `llmsize probe` measurement was taken on \"{}\", not this CPU "
                                           "(\"{}\"): not used; run `llmsize probe` again", b.cpu_model, d.cpu.model_name)));
    } else {
      spec.host.measured_bandwidth_bytes_per_s = units::gb_per_s_to_bytes_per_s(b.read_gb_per_s);
      notes.push_back(detected("ram_bandwidth_gb_per_s", fmt::format("{:.1f}", b.read_gb_per_s),
                               fmt::format("system RAM bandwidth: {:.1f} GB/s measured by llmsize probe on {}",
                                           b.read_gb_per_s, b.measured_at)));
    }
  }
  spec.gpu_overhead_bytes = profile->backend_overhead_bytes;
  if (spec.gpu_overhead_bytes) {
    notes.push_back(detected("gpu_overhead_bytes", std::to_string(*spec.gpu_overhead_bytes),
                             fmt::format("runtime overhead per GPU: {:.0f} MiB fitted by `llmsize calibrate` from your "
                                         "load logs", units::bytes_to_mib(*spec.gpu_overhead_bytes))));
  }
  if (!profile->efficiencies.empty()) {
    std::string backends;
    for (const Efficiency& e : profile->efficiencies) backends += (backends.empty() ? "" : ", ") + std::string(to_string(e.backend));
    notes.push_back(detected("efficiency_backends", backends,
                             "efficiency factors for " + backends +
                                 " fitted by `llmsize calibrate` on your runs replace the catalog's"));
  }
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

MachineSpec machine_spec(const catalog::Catalog& cat, const machine::Detection& d, const machine::MachineMatch& m) {
  MachineSpec spec;
  spec.host.origin = Origin::detected;
  spec.host.cpu = m.cpu;
  spec.assumptions.push_back(
      detected("hardware", "this machine", "hardware detected on this machine (`llmsize detect` shows what was read)"));
  read_ram(d, spec);
  read_gpus(cat, d, m, spec);
  if (m.system != nullptr) read_unified(d, *m.system, spec);
  read_ram_layout(cat, d, m.cpu, spec);
  if (m.system == nullptr && m.cpu == nullptr) spec.host.generic = generic_cpu(d, spec.assumptions);
  read_profile(d, spec);
  return spec;
}

HardwareConfig spec_config(const Context& ctx, const MachineSpec& spec, const MachineChoices& choices) {
  const catalog::Catalog& cat = ctx.catalog;
  HardwareBuilder b;
  b.set_prices(ctx.prices);
  b.set_split(choices.split);
  for (const GpuPart& g : spec.gpus) b.add_gpu(*g.gpu, g.memory_bytes, g.origin);
  b.set_gpu_overhead(spec.gpu_overhead_bytes);
  if (spec.system != nullptr) {
    UnifiedSpec u;
    u.system = spec.system;
    u.ram_total_bytes = spec.host.ram_total_bytes;
    u.ram_bytes = spec.host.ram_bytes.value_or(0);
    u.gpu_bytes = spec.unified_gpu_bytes;
    u.price_usd = spec.system_price_usd;
    u.measured_bandwidth_bytes_per_s = spec.host.measured_bandwidth_bytes_per_s;
    u.origin = spec.host.origin;
    b.set_unified(u);
  } else {
    b.set_host(spec.host);
  }
  for (const Assumption& note : spec.assumptions) b.add_assumption(note);
  const StorageKind& storage = resolve(cat.storage, choices.storage.empty() ? kDefaultStorage : choices.storage,
                                       "storage kind", "hardware --kind storage");
  b.set_storage(storage);
  if (choices.storage.empty()) b.add_assumption(assumed_storage_not_detected(storage));
  return b.build();
}

HardwareConfig this_machine_hardware(const Context& ctx, const HardwareOptions& o) {
  const machine::Detection d = detect_this_machine();
  const machine::MachineMatch m = machine::match_machine(ctx.catalog, d);
  const MachineChoices choices{o.storage, value_of(kSplitModeNames, o.split).value_or(SplitMode::layer)};
  return spec_config(ctx, machine_spec(ctx.catalog, d, m), choices);
}

void use_machine_profile(Context& ctx) {
  if (ctx.use_machine_profile) return;
  ctx.use_machine_profile = true;
  ctx.calibration_cache.reset();
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
  if (o.nodes > 1 || !o.link.empty()) {
    throw InputError("--nodes and --link describe several identical named machines; with --this-machine there is one, "
                     "the detected one (name its parts with --gpu/--cpu/--ram to plan a cluster)");
  }
}

}  // namespace llmsize::cli
