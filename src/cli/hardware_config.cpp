#include "hardware_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "llmsize/machine/calibrate.h"
#include "llmsize/units.h"
#include "machine_profile.h"
#include "render.h"

namespace llmsize::cli {
namespace {

constexpr const char* kDefaultRamKind = "ddr5-5600";
constexpr std::uint64_t kDefaultRamGib = 64;  // when a GPU build names no RAM
constexpr const char* kDefaultStorage = "nvme-gen4";
// A GPU build that names no CPU gets a generic desktop host (stated as an assumption).
constexpr double kGenericCpuTdpWatts = 125;
constexpr double kGenericCpuFlopsPerS = 1e12;  // ~16 cores × 32 FLOP/cycle × 2 GHz (AVX2)
constexpr std::uint32_t kGenericChannels = 2;
// CPU cores of unified-memory systems: two 4-wide NEON FMA pipes (16 FLOP/cycle) at 2.4 GHz (estimate;
// the Raspberry Pi 5's Cortex-A76 runs at 2.4 GHz).
constexpr double kSystemCpuFlopsPerCorePerS = 16 * 2.4e9;
// Latency of a GPU-to-GPU link the catalog gives none for (PCIe, estimate as in data/links.json).
constexpr double kDefaultLinkLatencyUs = 2;
// Between machines when --link is not given: 10 Gigabit Ethernet, the common home-lab cluster link.
constexpr const char* kDefaultNodeLink = "ethernet-10g";
// A network link the catalog gives no latency for (estimate: a switched LAN hop).
constexpr double kDefaultNetworkLatencyUs = 50;

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


void add_gpus(const Context& ctx, HardwareConfig& h, const Gpu& g, std::uint32_t count) {
  for (std::uint32_t i = 0; i < count; ++i) {
    DeviceSpec d;
    d.id = count > 1 ? fmt::format("{}#{}", g.meta.id, i) : g.meta.id;
    d.kind = DeviceKind::gpu;
    d.backend = g.backends.empty() ? Backend::vulkan : g.backends.front();
    d.memory_bytes = units::gib_to_bytes(g.memory_gib);
    h.devices.push_back(d);
    ComputeDevice c = device_from_gpu(g);
    c.id = d.id;
    h.compute.push_back(c);
    h.power.gpu_tdp_watts.push_back(g.tdp_watts);
    h.power.gpu_idle_watts.push_back(g.idle_watts);
    h.devices_json.push_back({{"id", g.meta.id}, {"kind", "gpu"}, {"memory_bytes", d.memory_bytes}});
  }
  h.gpu_link_bytes_per_s = pcie_bytes_per_s(g.pcie_gen, g.pcie_lanes);
  if (count > 1) {
    const Link* link = g.nvlink.empty() ? nullptr : catalog::find(ctx.catalog.links, g.nvlink);
    h.tp_link_bytes_per_s = link != nullptr ? link->bandwidth_gb_per_s * 1e9 : h.gpu_link_bytes_per_s;
    const double latency_us = link != nullptr ? link->latency_us.value_or(kDefaultLinkLatencyUs) : kDefaultLinkLatencyUs;
    h.tp_link_latency_s = latency_us * 1e-6;
  }
  if (g.launch_price_usd) h.price_usd = h.price_usd.value_or(0) + *g.launch_price_usd * count;
}

void set_host(const Context& ctx, HardwareConfig& h, const Cpu* cpu, const RamKind* kind, std::uint32_t channels,
              std::optional<std::uint64_t> ram) {
  if (cpu == nullptr) {
    // A GPU build without --cpu: a generic dual-channel desktop (documented assumption).
    const RamKind& k = kind != nullptr ? *kind : resolve(ctx.catalog.ram_kinds, kDefaultRamKind, "RAM kind", "hardware");
    const std::uint32_t ch = channels == 0 ? kGenericChannels : channels;
    HostDevice host;
    host.cpu.id = "host";
    host.cpu.backend = Backend::cpu;
    host.cpu.bandwidth_bytes_per_s = ram_bandwidth_bytes_per_s(k, ch);
    host.cpu.matmul_flops_per_s = kGenericCpuFlopsPerS;
    host.cpu.tdp_watts = kGenericCpuTdpWatts;
    h.host = host;
    h.power.cpu_tdp_watts = kGenericCpuTdpWatts;
    h.assumptions.push_back(fmt::format("no --cpu: a desktop CPU of {:.0f} W with {}-channel {}", kGenericCpuTdpWatts, ch,
                                        k.meta.name));
  } else {
    const RamKind* fastest = fastest_ram_kind(ctx.catalog, *cpu);
    const RamKind& k = kind != nullptr   ? *kind
                       : fastest != nullptr ? *fastest
                                            : resolve(ctx.catalog.ram_kinds, kDefaultRamKind, "RAM kind", "hardware --kind ram");
    const std::uint32_t ch = channels == 0 ? cpu->memory_channels : channels;
    h.host = host_from_cpu(*cpu, k, ch);
    h.power.cpu_tdp_watts = cpu->tdp_watts;
    if (kind == nullptr) h.assumptions.push_back(fmt::format("RAM kind not given: {} (fastest the CPU supports)", k.meta.name));
    if (cpu->launch_price_usd) h.price_usd = h.price_usd.value_or(0) + *cpu->launch_price_usd;
    const bool arm = std::find(cpu->simd.begin(), cpu->simd.end(), "neon") != cpu->simd.end();
    h.cpu_repack = !arm;
  }
  if (!h.devices.empty()) h.host->gpu_link_bytes_per_s = h.gpu_link_bytes_per_s;
  h.host_ram_bytes = ram;
}

// --nodes N: the first machine's devices repeated on N − 1 more machines, which only run layers (their
// system RAM holds nothing of the model). Devices are renamed nodeK/ID so each is told apart.
void add_nodes(const Context& ctx, HardwareConfig& h, const HardwareOptions& o) {
  h.device_nodes.assign(h.devices.size(), 0);
  if (o.nodes <= 1) {
    if (!o.link.empty()) throw InputError("--link needs --nodes 2 or more");
    return;
  }
  if (h.devices.empty()) throw InputError("--nodes needs --gpu or --system: the other machines run layers on their GPUs");
  if (h.split == SplitMode::tensor) {
    throw InputError("--nodes runs the machines one after another (a layer split); --split tensor across machines is not modelled");
  }
  const std::string link_id = o.link.empty() ? kDefaultNodeLink : o.link;
  h.link = &resolve(ctx.catalog.links, link_id, "link", "hardware --kind link");
  if (o.link.empty()) h.assumptions.push_back(fmt::format("--link not given: {} between the machines", h.link->meta.name));
  h.network.bandwidth_bytes_per_s = h.link->bandwidth_gb_per_s * 1e9;
  h.network.latency_s = h.link->latency_us.value_or(kDefaultNetworkLatencyUs) * 1e-6;
  h.assumptions.push_back(fmt::format("each crossing between machines costs {:.2f} ms of RPC overhead (estimate from "
                                      "llama.cpp PR #6829) plus the link's {:.0f} us latency",
                                      kNetworkHopOverheadS * 1e3, h.network.latency_s * 1e6));
  h.nodes = o.nodes;
  const std::vector<DeviceSpec> devices = h.devices;
  const std::vector<ComputeDevice> compute = h.compute;
  const PowerInputs power = h.power;
  const Json devices_json = h.devices_json;
  h.devices.clear();
  h.compute.clear();
  h.device_nodes.clear();
  h.power.gpu_tdp_watts.clear();
  h.power.gpu_idle_watts.clear();
  h.devices_json = Json::array();
  for (std::uint32_t node = 0; node < o.nodes; ++node) {
    for (std::size_t i = 0; i < devices.size(); ++i) {
      DeviceSpec d = devices[i];
      d.id = fmt::format("node{}/{}", node + 1, d.id);
      h.devices.push_back(d);
      ComputeDevice c = compute[i];
      c.id = d.id;
      h.compute.push_back(c);
      h.device_nodes.push_back(node);
    }
    h.power.gpu_tdp_watts.insert(h.power.gpu_tdp_watts.end(), power.gpu_tdp_watts.begin(), power.gpu_tdp_watts.end());
    h.power.gpu_idle_watts.insert(h.power.gpu_idle_watts.end(), power.gpu_idle_watts.begin(), power.gpu_idle_watts.end());
    for (const auto& d : devices_json) {
      Json copy = d;
      copy["node"] = node;
      h.devices_json.push_back(copy);
    }
  }
  h.power.machines = o.nodes;
  if (h.price_usd) *h.price_usd *= o.nodes;
  h.label = fmt::format("{} machines of {} over {}", o.nodes, h.label, h.link->meta.name);
}

}  // namespace

void add_hardware_options(CLI::App* cmd, HardwareOptions& o) {
  cmd->add_option("--gpu,-g", o.gpus, "GPU, optionally with a count: 3090, 2x3090, rtx-4090; repeat for mixed cards")
      ->type_name("[Nx]GPU");
  cmd->add_option("--system", o.system, "Unified-memory machine: m4-max, m3-ultra-80c, strix-halo, dgx-spark");
  cmd->add_option("--memory", o.memory, "Memory of the --system (64GB, 128GB); default its largest option");
  cmd->add_option("--cpu", o.cpu, "CPU (7950x, 13900k, epyc-9654): runs offloaded layers, or everything without a GPU");
  cmd->add_option("--ram", o.ram, "System RAM (64GB; GB means GiB here, as on the box)");
  cmd->add_option("--ram-kind", o.ram_kind, "RAM kind (ddr5-6000, ddr4-3200); default the fastest the CPU supports");
  cmd->add_option("--channels", o.channels, "Populated memory channels; default the CPU's")->check(CLI::Range(1, 24));
  cmd->add_option("--storage", o.storage, "Model storage for load time: hdd, sata-ssd, nvme-gen3, nvme-gen4 (default), nvme-gen5");
  cmd->add_option("--split", o.split, "Multi-GPU: layer (llama.cpp default) or tensor (vLLM / -sm row)")
      ->check(CLI::IsMember({"layer", "tensor"}));
  cmd->add_option("--nodes", o.nodes,
                  "Identical machines, each with the --gpu cards (or the --system), running the layers one after "
                  "another (llama.cpp --rpc, vLLM pipeline parallel, exo); default 1")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--link", o.link, "Network between the --nodes: 1gbe, 10gbe (default), 25gbe, 100gbe, tb4, tb5, ib-hdr, ...");
}

bool has_hardware(const HardwareOptions& o) {
  return !o.gpus.empty() || !o.system.empty() || !o.cpu.empty() || !o.ram.empty();
}

HardwareConfig resolve_hardware(const Context& ctx, const HardwareOptions& o) {
  const auto& cat = ctx.catalog;
  HardwareConfig h;
  h.split = o.split == "tensor" ? SplitMode::tensor : SplitMode::layer;
  if (!o.system.empty() && !o.gpus.empty()) throw InputError("use --system or --gpu, not both");
  const RamKind* kind = o.ram_kind.empty() ? nullptr : &resolve(cat.ram_kinds, o.ram_kind, "RAM kind", "hardware --kind ram");
  std::optional<std::uint64_t> ram;
  if (!o.ram.empty()) ram = parse_memory(o.ram, "--ram");
  if (!o.system.empty()) {
    const UnifiedSystem& s = resolve(cat.systems, o.system, "system", "hardware --kind system");
    MemoryOption option = s.memory_options.back();
    if (!o.memory.empty()) {
      option.memory_gib = units::bytes_to_gib(parse_memory(o.memory, "--memory"));
      option.price_usd.reset();
      for (const MemoryOption& m : s.memory_options) {
        if (std::abs(m.memory_gib - option.memory_gib) < 0.01) option = m;
      }
    }
    h = system_config(ctx, s, option);
    if (o.memory.empty()) h.assumptions.push_back(fmt::format("--memory not given: {:.0f} GB, the largest option", option.memory_gib));
  } else {
    std::vector<std::string> labels;
    for (const std::string& spec : o.gpus) {
      const auto [count, name] = parse_count(spec);
      const Gpu& g = resolve(cat.gpus, name, "GPU", "hardware --kind gpu");
      add_gpus(ctx, h, g, count);
      labels.push_back(count > 1 ? fmt::format("{}× {}", count, g.meta.name) : g.meta.name);
    }
    const Cpu* cpu = o.cpu.empty() ? nullptr : &resolve(cat.cpus, o.cpu, "CPU", "hardware --kind cpu");
    if (!ram && !h.devices.empty()) {
      ram = kDefaultRamGib * units::kGiB;
      h.assumptions.push_back(fmt::format("--ram not given: {} GiB of system RAM", kDefaultRamGib));
    }
    if (!ram && cpu != nullptr) throw InputError("a CPU-only build needs --ram (for example --ram 64GB)");
    set_host(ctx, h, cpu, kind, o.channels, ram);
    if (cpu != nullptr) labels.push_back(cpu->meta.name);
    std::string label;
    for (std::size_t i = 0; i < labels.size(); ++i) label += (i > 0 ? " + " : "") + labels[i];
    h.label = label.empty() ? "host" : label;
    h.power.cpu_runs_layers = h.devices.empty();
    if (h.devices.empty() && cpu == nullptr) throw InputError("name some hardware: --gpu, --system, or --cpu with --ram");
  }
  const std::string storage = o.storage.empty() ? kDefaultStorage : o.storage;
  h.storage = &resolve(cat.storage, storage, "storage kind", "hardware --kind storage");
  if (o.storage.empty()) h.assumptions.push_back("--storage not given: NVMe Gen4 for load time");
  add_nodes(ctx, h, o);
  return h;
}

HardwareConfig gpu_config(const Context& ctx, const Gpu& gpu, std::uint32_t count) {
  HardwareOptions o;
  o.gpus = {std::to_string(count) + "x" + gpu.meta.id};
  HardwareConfig h = resolve_hardware(ctx, o);
  return h;
}

HardwareConfig system_config(const Context& ctx, const UnifiedSystem& s, const MemoryOption& option) {
  HardwareConfig h;
  h.unified = true;
  h.label = fmt::format("{} {:.0f} GB", s.meta.name, option.memory_gib);
  const std::uint64_t ram = units::gib_to_bytes(option.memory_gib);
  // macOS lets the GPU use ~2/3 to 3/4 of RAM (recommendedMaxWorkingSetSize); others all of it.
  const double fraction = s.gpu_memory_fraction.value_or(1.0);
  DeviceSpec d;
  d.id = s.meta.id;
  d.kind = DeviceKind::unified;
  d.backend = s.backends.empty() ? Backend::cpu : s.backends.front();
  d.memory_bytes = units::to_bytes(static_cast<double>(ram) * fraction);
  const bool gpu_runs = d.backend != Backend::cpu;
  if (gpu_runs) {
    h.devices.push_back(d);
    h.compute.push_back(device_from_system(s));
  }
  HostDevice host;  // the CPU cores share the same memory
  host.cpu = device_from_system(s);
  host.cpu.backend = Backend::cpu;
  host.cpu.matmul_flops_per_s = static_cast<double>(s.cpu_cores) * kSystemCpuFlopsPerCorePerS;
  h.host = host;
  h.host_ram_bytes = ram;
  h.power.system_tdp_watts = s.tdp_watts;
  h.power.system_idle_watts = s.idle_watts;
  h.price_usd = option.price_usd;
  h.cpu_repack = false;
  if (gpu_runs && s.gpu_memory_fraction) {
    h.assumptions.push_back(fmt::format("GPU may use {:.0f}% of RAM (macOS default working-set limit; raise it with "
                                        "sudo sysctl iogpu.wired_limit_mb)", *s.gpu_memory_fraction * 100));
  }
  h.devices_json.push_back({{"id", s.meta.id}, {"kind", "unified"}, {"memory_bytes", ram}});
  h.storage = &resolve(ctx.catalog.storage, kDefaultStorage, "storage kind", "hardware");
  return h;
}

HardwareConfig cpu_config(const Context& ctx, const Cpu& c, std::optional<std::uint64_t> ram_bytes) {
  HardwareConfig h;
  h.label = c.meta.name;
  set_host(ctx, h, &c, nullptr, 0, ram_bytes);
  h.assumptions.clear();
  h.power.cpu_runs_layers = true;
  h.storage = &resolve(ctx.catalog.storage, kDefaultStorage, "storage kind", "hardware");
  return h;
}

const RamKind* fastest_ram_kind(const catalog::Catalog& cat, const Cpu& c) {
  const RamKind* best = nullptr;
  for (const std::string& id : c.ram_kinds) {
    const RamKind* k = catalog::find(cat.ram_kinds, id);
    if (k != nullptr && (best == nullptr || k->transfer_rate_mt_per_s > best->transfer_rate_mt_per_s)) best = k;
  }
  return best;
}

const Calibration& calibration(Context& ctx) {
  if (!ctx.calibration_cache) {
    Calibration c = fit_calibration(machine::catalog_calibration_points(ctx.catalog));
    // Only for this machine (--this-machine): the user's own fitted factors replace the catalog's.
    if (ctx.use_machine_profile) c = machine::merge_calibration(c, load_machine_profile().efficiencies);
    ctx.calibration_cache = std::move(c);
  }
  return *ctx.calibration_cache;
}

}  // namespace llmsize::cli
