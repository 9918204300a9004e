#include "hardware_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "baked_case_bands.h"
#include "bench_cases.h"
#include "hardware_builder.h"
#include "llmsize/machine/baked_calibration.h"
#include "llmsize/machine/calibrate.h"
#include "llmsize/units.h"
#include "machine_profile.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

// "2x3090" -> {2, "3090"}; "3090" -> {1, "3090"}.
std::pair<std::uint32_t, std::string> parse_count(const std::string& text) {
  const auto x = text.find_first_of("xX*");
  if (x != std::string::npos && x > 0 && std::all_of(text.begin(), text.begin() + static_cast<long>(x), ::isdigit)) {
    const unsigned long n = std::stoul(text.substr(0, x));
    if (n < 1 || n > 64) throw InputError("--gpu \"" + text + "\": the count must be 1 to 64");
    return {static_cast<std::uint32_t>(n), text.substr(x + 1)};
  }
  return {1, text};
}


// The host of a GPU or CPU build from --cpu / --ram-kind / --channels: a catalog CPU with the given RAM
// kind (else the fastest it supports), or without --cpu a generic desktop (an assumption).
HostSpec host_from_flags(const catalog::Catalog& cat, const Cpu* cpu, const RamKind* kind, std::uint32_t channels,
                         std::optional<std::uint64_t> ram, Assumptions& notes) {
  HostSpec host;
  host.cpu = cpu;
  host.ram_bytes = ram;
  host.ram_total_bytes = ram.value_or(0);
  if (cpu == nullptr) {
    host.ram_kind = kind != nullptr ? *kind : resolve(cat.ram_kinds, kDefaultRamKind, "RAM kind", "hardware");
    host.channels = channels == 0 ? kGenericChannels : channels;
    notes.push_back(assumed_generic_host(host.channels, host.ram_kind));
    return host;
  }
  const RamKind* fastest = fastest_ram_kind(cat, *cpu);
  host.ram_kind = kind != nullptr      ? *kind
                  : fastest != nullptr ? *fastest
                                       : resolve(cat.ram_kinds, kDefaultRamKind, "RAM kind", "hardware --kind ram");
  host.channels = channels == 0 ? cpu_ram_channels(*cpu, host.ram_kind) : channels;
  if (kind == nullptr) notes.push_back(assumed_fastest_ram_kind(host.ram_kind));
  return host;
}

// One memory option of a unified system, priced as the catalog lists it.
void add_system_option(HardwareBuilder& b, const UnifiedSystem& s, const MemoryOption& option) {
  UnifiedSpec u;
  u.system = &s;
  u.ram_total_bytes = units::gib_to_bytes(option.memory_gib);
  u.ram_bytes = u.ram_total_bytes;
  u.gpu_bytes = unified_gpu_bytes(s, u.ram_bytes);
  u.price_usd = option.price_usd;
  b.set_unified(u);
  const bool gpu_runs = device_from_system(s).backend != Backend::cpu;
  if (gpu_runs && s.gpu_memory_fraction) b.add_assumption(assumed_gpu_memory_fraction(*s.gpu_memory_fraction));
  if (gpu_runs && !has_tflops(s)) b.add_assumption(assumed_unknown_tflops(s.meta.name, kUnknownSystemTflops));
}

// --system with --memory (default its largest option, priced when the catalog lists the size).
void add_system(const catalog::Catalog& cat, const HardwareOptions& o, HardwareBuilder& b) {
  const UnifiedSystem& s = resolve(cat.systems, o.system, "system", "hardware --kind system");
  MemoryOption option = s.memory_options.back();
  if (!o.memory.empty()) {
    option.memory_gib = units::bytes_to_gib(parse_memory(o.memory, "--memory"));
    option.price_usd.reset();
    for (const MemoryOption& m : s.memory_options) {
      if (std::abs(m.memory_gib - option.memory_gib) < 0.01) option = m;
    }
  }
  add_system_option(b, s, option);
  if (o.memory.empty()) b.add_assumption(assumed_largest_memory_option(option.memory_gib));
}

// The cards of --gpu [Nx]GPU ..., one entry per card. A spec that names a card whole is that card, once:
// "7900xtx" and "9070xt" are catalog aliases, not 7900 and 9070 cards of "tx" and "t".
std::vector<const Gpu*> named_gpus(const catalog::Catalog& cat, const std::vector<std::string>& specs) {
  std::vector<const Gpu*> gpus;
  for (const std::string& spec : specs) {
    if (const Gpu* whole = catalog::find(cat.gpus, spec)) {
      gpus.push_back(whole);
      continue;
    }
    const auto [count, name] = parse_count(spec);
    const Gpu& g = resolve(cat.gpus, name, "GPU", "hardware --kind gpu");
    gpus.insert(gpus.end(), count, &g);
  }
  return gpus;
}

// --gpu [Nx]GPU ... (or the cards `resolved` from them) with the host of --cpu / --ram (default
// kDefaultRamGib for a GPU build).
void add_gpus_and_host(const catalog::Catalog& cat, const HardwareOptions& o, const std::vector<const Gpu*>* resolved,
                       const RamKind* kind, std::optional<std::uint64_t> ram, HardwareBuilder& b) {
  const std::vector<const Gpu*> gpus = resolved != nullptr ? *resolved : named_gpus(cat, o.gpus);
  for (const Gpu* g : gpus) b.add_gpu(*g, units::gib_to_bytes(g->memory_gib), Origin::named);
  // Once per kind of card without TFLOPS (2x of one card is one assumption).
  for (auto it = gpus.begin(); it != gpus.end(); ++it) {
    const bool first_of_kind = std::find(gpus.begin(), it, *it) == it;
    if (first_of_kind && !has_tflops(**it)) b.add_assumption(assumed_unknown_tflops((*it)->meta.name, kUnknownGpuTflops));
  }
  // NVLink only when every card is the same NVLink-capable one (a bridge pairs like cards).
  const bool alike = !gpus.empty() && std::all_of(gpus.begin(), gpus.end(), [&](const Gpu* g) { return g == gpus.front(); });
  if (gpus.size() > 1 && alike && !gpus.front()->nvlink.empty()) b.set_link(catalog::find(cat.links, gpus.front()->nvlink));
  const Cpu* cpu = o.cpu.empty() ? nullptr : &resolve(cat.cpus, o.cpu, "CPU", "hardware --kind cpu");
  if (!ram && !gpus.empty()) {
    ram = kDefaultRamGib * units::kGiB;
    b.add_assumption(assumed_ram_size());
  }
  if (!ram && cpu != nullptr) throw InputError("a CPU-only build needs --ram (for example --ram 64GB)");
  Assumptions notes;
  b.set_host(host_from_flags(cat, cpu, kind, o.channels, ram, notes));
  for (Assumption& note : notes) b.add_assumption(std::move(note));
  if (gpus.empty() && cpu == nullptr) throw InputError("name some hardware: --gpu, --system, or --cpu with --ram");
}

// --nodes N over --link (default kDefaultNodeLink): checked here, built by HardwareBuilder::set_nodes.
void add_nodes(const catalog::Catalog& cat, const HardwareOptions& o, bool has_devices, HardwareBuilder& b) {
  if (o.nodes <= 1) {
    if (!o.link.empty()) throw InputError("--link needs --nodes 2 or more");
    return;
  }
  if (!has_devices) throw InputError("--nodes needs --gpu or --system: the other machines run layers on their GPUs");
  if (o.split == "tensor") {
    throw InputError("--nodes runs the machines one after another (a layer split); --split tensor across machines is not modelled");
  }
  const Link& link = resolve(cat.links, o.link.empty() ? kDefaultNodeLink : o.link, "link", "hardware --kind link");
  if (o.link.empty()) b.add_assumption(assumed_node_link(link));
  b.add_assumption(assumed_rpc_overhead(network_latency_s(link)));
  b.set_nodes(o.nodes, &link);
}

std::string gpu_names(const std::vector<GpuPart>& gpus) {
  std::string label;
  for (std::size_t i = 0; i < gpus.size();) {
    std::size_t j = i;
    while (j < gpus.size() && gpus[j].gpu == gpus[i].gpu) ++j;
    const std::string& name = gpus[i].gpu->meta.name;
    label += (label.empty() ? "" : " + ") + (j - i > 1 ? fmt::format("{}× {}", j - i, name) : name);
    i = j;
  }
  return label;
}

std::string machine_label(const HardwareConfig& h) {
  if (h.system != nullptr) {
    return h.this_machine ? fmt::format("this machine ({}, {} GiB)", h.system->meta.name, gib(h.ram_total_bytes))
                          : fmt::format("{} {:.0f} GB", h.system->meta.name, units::bytes_to_gib(h.ram_total_bytes));
  }
  std::string label = gpu_names(h.gpus);
  if (h.this_machine) {
    label += (label.empty() ? "" : " + ") + h.cpu_label + fmt::format(" + {} GiB RAM", gib(h.ram_total_bytes));
    return "this machine (" + label + ")";
  }
  if (!h.cpu_label.empty()) label += (label.empty() ? "" : " + ") + h.cpu_label;
  return label.empty() ? "host" : label;
}

}  // namespace

void add_hardware_options(CLI::App* cmd, HardwareOptions& o) {
  cmd->add_option("--gpu,-g", o.gpus, "GPU, optionally with a count: 3090, 2x3090, 7900xtx, 2x7900xtx, rtx-4090; repeat for mixed cards")
      ->type_name("[Nx]GPU");
  cmd->add_option("--system", o.system, "Unified-memory machine: m4-max, m3-ultra-80c, strix-halo, dgx-spark");
  cmd->add_option("--memory", o.memory, "Memory of the --system (64GB, 128GB); default its largest option");
  cmd->add_option("--cpu", o.cpu, "CPU (7950x, 13900k, epyc-9654): runs offloaded layers, or everything without a GPU");
  cmd->add_option("--ram", o.ram, "System RAM (64GB; GB means GiB here, as on the box)");
  cmd->add_option("--ram-kind", o.ram_kind, "RAM kind (ddr5-6000, ddr4-3200); default the fastest the CPU supports");
  cmd->add_option("--channels", o.channels,
                  "Populated memory channels of the RAM kind (64-bit DDR, 16-bit LPDDR); default the CPU's")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--storage", o.storage, "Model storage for load time: hdd, sata-ssd, nvme-gen3, nvme-gen4 (default), nvme-gen5");
  cmd->add_option("--split", o.split,
                  "Multi-GPU: layer (llama.cpp default: GPUs take turns), row (-sm row: every matrix split, gathered on "
                  "the main GPU) or tensor (-sm tensor; with --engine vllm its tensor parallelism, with ik_llama.cpp its -sm graph)")
      ->check(CLI::IsMember({"layer", "row", "tensor"}));
  cmd->add_option("--nodes", o.nodes,
                  "Identical machines, each with the --gpu cards (or the --system), running the layers one after "
                  "another (llama.cpp --rpc, vLLM pipeline parallel, exo); default 1")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--backend", o.backend,
                  "The llama.cpp build's GPU backend: cuda, rocm, vulkan, sycl or metal; default the card's first "
                  "catalog backend (`llmsize catalog show` lists each card's backends). For a run on the CPU alone, --ngl 0")
      ->check(CLI::IsMember({"cuda", "rocm", "vulkan", "sycl", "metal"}));
  cmd->add_option("--link", o.link, "Network between the --nodes: 1gbe, 10gbe (default), 25gbe, 100gbe, tb4, tb5, ib-hdr, ...");
}

bool has_hardware(const HardwareOptions& o) {
  return !o.gpus.empty() || !o.system.empty() || !o.cpu.empty() || !o.ram.empty();
}

namespace {

// --backend names one every GPU of the configuration runs (its catalog `backends`).
void check_backend(const HardwareConfig& h, const std::string& backend) {
  if (backend.empty()) return;
  const Backend wanted = *backend_from_id(backend);
  auto refuse = [&](const std::string& id, const std::vector<Backend>& has) {
    std::string list;
    for (Backend b : has) list += (list.empty() ? "" : ", ") + std::string(to_string(b));
    throw InputError("--backend " + backend + ": " + id + " does not run it (its backends: " +
                     (list.empty() ? "none listed" : list) + ")");
  };
  for (const GpuPart& part : h.gpus) {
    const auto& has = part.gpu->backends;
    if (std::find(has.begin(), has.end(), wanted) == has.end()) refuse(part.gpu->meta.id, has);
  }
  if (h.system != nullptr) {
    const auto& has = h.system->backends;
    if (std::find(has.begin(), has.end(), wanted) == has.end()) refuse(h.system->meta.id, has);
  }
  if (h.gpus.empty() && h.system == nullptr) throw InputError("--backend " + backend + " needs a GPU: --gpu or --system");
}

// resolve_hardware, with the cards of --gpu already looked up when `gpus` is given.
HardwareConfig build_hardware(const Context& ctx, const HardwareOptions& o, const std::vector<const Gpu*>* gpus) {
  const auto& cat = ctx.catalog;
  HardwareBuilder b;
  b.set_prices(ctx.prices);
  b.set_split(value_of(kSplitModeNames, o.split).value_or(SplitMode::layer));
  if (!o.system.empty() && !o.gpus.empty()) throw InputError("use --system or --gpu, not both");
  const RamKind* kind = o.ram_kind.empty() ? nullptr : &resolve(cat.ram_kinds, o.ram_kind, "RAM kind", "hardware --kind ram");
  std::optional<std::uint64_t> ram;
  if (!o.ram.empty()) ram = parse_memory(o.ram, "--ram");
  if (!o.system.empty()) {
    add_system(cat, o, b);
  } else {
    add_gpus_and_host(cat, o, gpus, kind, ram, b);
  }
  const StorageKind& storage = resolve(cat.storage, o.storage.empty() ? kDefaultStorage : o.storage, "storage kind",
                                       "hardware --kind storage");
  b.set_storage(storage);
  if (o.storage.empty()) b.add_assumption(assumed_storage_not_given(storage));
  add_nodes(cat, o, b.has_devices(), b);
  if (!o.backend.empty()) b.set_backend(*backend_from_id(o.backend));
  HardwareConfig h = b.build();
  check_backend(h, o.backend);
  return h;
}

}  // namespace

HardwareConfig resolve_hardware(const Context& ctx, const HardwareOptions& o) {
  return build_hardware(ctx, o, nullptr);
}

HardwareConfig gpu_config(const Context& ctx, const Gpu& gpu, std::uint32_t count) {
  // As `--gpu COUNTxID`, without looking the card up by its name again.
  HardwareOptions o;
  o.gpus = {std::to_string(count) + "x" + gpu.meta.id};
  const std::vector<const Gpu*> cards(count, &gpu);
  return build_hardware(ctx, o, &cards);
}

HardwareConfig system_config(const Context& ctx, const UnifiedSystem& s, const MemoryOption& option) {
  HardwareBuilder b;
  b.set_prices(ctx.prices);
  add_system_option(b, s, option);
  b.set_storage(resolve(ctx.catalog.storage, kDefaultStorage, "storage kind", "hardware"));
  return b.build();
}

HardwareConfig cpu_config(const Context& ctx, const Cpu& c, std::optional<std::uint64_t> ram_bytes) {
  HardwareBuilder b;
  b.set_prices(ctx.prices);
  Assumptions unstated;  // recommend states no per-CPU assumptions
  b.set_host(host_from_flags(ctx.catalog, &c, nullptr, 0, ram_bytes, unstated));
  b.set_storage(resolve(ctx.catalog.storage, kDefaultStorage, "storage kind", "hardware"));
  return b.build();
}

std::string hardware_label(const HardwareConfig& h) {
  const std::string one = machine_label(h);
  if (h.nodes <= 1 || h.link == nullptr) return one;
  return fmt::format("{} machines of {} over {}", h.nodes, one, h.link->meta.name);
}

Json hardware_json(const HardwareConfig& h) {
  Json machine = Json::array();
  // The backend each GPU runs (--backend, else the card's first): h.compute lists the GPUs first, in order.
  auto backend_of = [&](std::size_t i) { return i < h.compute.size() ? to_string(h.compute[i].backend) : "cpu"; };
  for (std::size_t i = 0; i < h.gpus.size(); ++i) {
    const GpuPart& g = h.gpus[i];
    Json d = {{"id", g.gpu->meta.id}, {"kind", "gpu"}, {"memory_bytes", g.memory_bytes}, {"backend", backend_of(i)}};
    if (h.this_machine) d["added"] = g.origin == Origin::added;
    machine.push_back(d);
  }
  if (h.system != nullptr) {
    // Named: the memory option's size; detected: what the GPU may use (kept as the JSON has it).
    machine.push_back({{"id", h.system->meta.id}, {"kind", "unified"},
                       {"memory_bytes", h.this_machine ? h.system_gpu_bytes : h.ram_total_bytes},
                       {"backend", h.compute.empty() ? "cpu" : to_string(h.compute.front().backend)}});
  }
  if (h.nodes <= 1) return machine;
  Json all = Json::array();
  for (std::uint32_t node = 0; node < h.nodes; ++node) {
    for (Json d : machine) {
      d["node"] = node;
      all.push_back(d);
    }
  }
  return all;
}

const Calibration& calibration(Context& ctx) {
  if (!ctx.calibration_cache) {
    Calibration c = ctx.catalog_overlaid ? machine::fit_catalog_calibration(ctx.catalog) : machine::baked_calibration();
    if (ctx.catalog_overlaid) {
      // The rows changed: each case's band comes from predicting the merged fit rows with these factors
      // (a band never changes a prediction's tokens per second, so predicting without bands is the same).
      ctx.calibration_cache = c;
      c.case_bands = fit_case_bands(predict_benchmarks(ctx, RowSet::fit));
    } else {
      c.case_bands = baked_case_bands();
    }
    // Only for this machine (--this-machine): the user's own fitted factors replace the catalog's.
    if (ctx.use_machine_profile) {
      if (const auto profile = machine_profile_if_any()) c = machine::merge_calibration(c, profile->efficiencies);
    }
    ctx.calibration_cache = std::move(c);
  }
  return *ctx.calibration_cache;
}

}  // namespace llmsize::cli
