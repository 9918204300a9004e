#include "hardware_builder.h"

#include <fmt/format.h>

#include <algorithm>

#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

// "rtx-3090#0", "rtx-3090#1" when the machine has the card more than once; else the catalog id.
std::string gpu_device_id(const std::vector<GpuPart>& gpus, std::size_t i) {
  const Gpu* g = gpus[i].gpu;
  const auto same = [g](const GpuPart& p) { return p.gpu == g; };
  const auto count = std::count_if(gpus.begin(), gpus.end(), same);
  if (count <= 1) return g->meta.id;
  const auto index = std::count_if(gpus.begin(), gpus.begin() + static_cast<std::ptrdiff_t>(i), same);
  return fmt::format("{}#{}", g->meta.id, index);
}

bool has_neon(const Cpu& c) { return std::find(c.simd.begin(), c.simd.end(), "neon") != c.simd.end(); }

// A part bought adds its price (the user's, else the launch MSRP); an owned (detected) one adds nothing.
void add_price(std::vector<PricedPart>& parts, const PriceBook* prices, const std::string& id,
               const std::optional<double>& launch, std::uint32_t launch_year, Origin origin) {
  static const PriceBook kLaunchPrices;
  if (origin == Origin::detected) return;
  if (auto part = price_part(prices != nullptr ? *prices : kLaunchPrices, id, launch, launch_year)) add_part(parts, *part);
}

}  // namespace

std::uint64_t unified_gpu_bytes(const UnifiedSystem& s, std::uint64_t ram_bytes) {
  return units::to_bytes(static_cast<double>(ram_bytes) * s.gpu_memory_fraction.value_or(1.0));
}

HardwareBuilder& HardwareBuilder::add_gpu(const Gpu& gpu, std::uint64_t memory_bytes, Origin origin) {
  gpus_.push_back({&gpu, memory_bytes, origin});
  return *this;
}

HardwareBuilder& HardwareBuilder::set_unified(const UnifiedSpec& spec) {
  unified_ = spec;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_host(const HostSpec& spec) {
  host_ = spec;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_link(const Link* gpu_link) {
  gpu_link_ = gpu_link;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_nodes(std::uint32_t count, const Link* link) {
  nodes_ = count;
  node_link_ = link;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_split(SplitMode split) {
  split_ = split;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_backend(Backend backend) {
  backend_ = backend;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_storage(const StorageKind& storage) {
  storage_ = &storage;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_gpu_overhead(std::optional<std::uint64_t> overhead_bytes) {
  gpu_overhead_bytes_ = overhead_bytes;
  return *this;
}

HardwareBuilder& HardwareBuilder::set_prices(const PriceBook& prices) {
  prices_ = &prices;
  return *this;
}

HardwareBuilder& HardwareBuilder::add_assumption(Assumption assumption) {
  assumptions_.push_back(std::move(assumption));
  return *this;
}

// Discrete GPUs: one DeviceSpec and ComputeDevice each, PCIe to the host, and between them the given
// link (NVLink) or PCIe. The backend is --backend, else device_from_gpu's (the card's first, else Vulkan).
void HardwareBuilder::build_gpus(HardwareConfig& h) const {
  for (std::size_t i = 0; i < gpus_.size(); ++i) {
    const GpuPart& part = gpus_[i];
    ComputeDevice c = device_from_gpu(*part.gpu, backend_);
    c.id = gpu_device_id(gpus_, i);
    h.devices.push_back({c.id, DeviceKind::gpu, c.backend, part.memory_bytes, gpu_overhead_bytes_});
    h.compute.push_back(c);
    h.power.gpu_tdp_watts.push_back(part.gpu->tdp_watts);
    h.power.gpu_idle_watts.push_back(part.gpu->idle_watts);
    add_price(h.price_parts, prices_, part.gpu->meta.id, part.gpu->launch_price_usd, part.gpu->launch_year, part.origin);
  }
  h.gpus = gpus_;
  if (gpus_.empty()) return;
  // The first card is llama.cpp's main GPU: prompt batches of offloaded layers stream over its link.
  const Gpu& first = *gpus_.front().gpu;
  h.gpu_link_bytes_per_s = pcie_bytes_per_s(first.pcie_gen, first.pcie_lanes);
  if (gpus_.size() > 1) {  // one GPU has no all-reduce to pay for
    h.tp_link_bytes_per_s =
        gpu_link_ != nullptr ? units::gb_per_s_to_bytes_per_s(gpu_link_->bandwidth_gb_per_s) : h.gpu_link_bytes_per_s;
    h.tp_link_latency_s = gpu_link_latency_s(gpu_link_);
  }
}

// A unified-memory machine: the GPU (when it has a GPU backend) takes its share of the RAM; the CPU
// cores are the engine's unified_cpu_device; the package's power covers both.
void HardwareBuilder::build_unified(HardwareConfig& h) const {
  const UnifiedSpec& u = *unified_;
  const UnifiedSystem& s = *u.system;
  const ComputeDevice device = device_from_system(s, backend_);
  if (device.backend != Backend::cpu) {
    h.devices.push_back({s.meta.id, DeviceKind::unified, device.backend, u.gpu_bytes, gpu_overhead_bytes_});
    h.compute.push_back(device);
  }
  HostDevice host;
  host.cpu = unified_cpu_device(s);
  if (u.measured_bandwidth_bytes_per_s) host.cpu.bandwidth_bytes_per_s = *u.measured_bandwidth_bytes_per_s;
  h.host = host;
  h.unified = true;
  h.host_ram_bytes = u.ram_bytes;
  h.power.system_tdp_watts = s.tdp_watts;
  h.power.system_idle_watts = s.idle_watts;
  // A detected machine is owned; the advisor prices its bigger memory option (price_usd) as a purchase.
  add_price(h.price_parts, prices_, s.meta.id, u.price_usd, s.launch_year, u.price_usd ? Origin::added : u.origin);
  h.cpu_repack = false;  // Apple and ARM hosts: no repacked copies
  h.system = &s;
  h.system_gpu_bytes = u.gpu_bytes;
  h.ram_total_bytes = u.ram_total_bytes;
  h.this_machine = u.origin != Origin::named;
}

void HardwareBuilder::build_host(HardwareConfig& h) const {
  const HostSpec& spec = *host_;
  HostDevice host;
  if (spec.cpu != nullptr) {
    host = host_from_cpu(*spec.cpu, spec.ram_kind, spec.channels);
    h.power.cpu_tdp_watts = spec.cpu->tdp_watts;
    h.power.single_board = spec.cpu->form_factor == FormFactor::sbc;
    h.cpu_repack = !has_neon(*spec.cpu);
    h.cpu_label = spec.cpu->meta.name;
    add_price(h.price_parts, prices_, spec.cpu->meta.id, spec.cpu->launch_price_usd, spec.cpu->launch_year, spec.origin);
  } else {
    host.cpu.id = "host";
    host.cpu.backend = Backend::cpu;
    host.cpu.device_class = cpu_device_class("", spec.channels);  // its platform's share, no vendor's
    host.cpu.bandwidth_bytes_per_s = ram_bandwidth_bytes_per_s(spec.ram_kind, spec.channels);
    host.cpu.matmul_flops_per_s = spec.generic.matmul_flops_per_s;
    host.cpu.tdp_watts = spec.generic.tdp_watts;
    h.power.cpu_tdp_watts = spec.generic.tdp_watts;
    h.cpu_repack = spec.generic.repack;
    h.cpu_label = spec.generic.label;
  }
  if (spec.measured_bandwidth_bytes_per_s) host.cpu.bandwidth_bytes_per_s = *spec.measured_bandwidth_bytes_per_s;
  host.gpu_link_bytes_per_s = h.gpu_link_bytes_per_s;
  h.host = host;
  h.host_ram_bytes = spec.ram_bytes;
  h.ram_total_bytes = spec.ram_total_bytes;
  h.power.cpu_runs_layers = h.devices.empty();
  h.this_machine = spec.origin != Origin::named;
}

// Identical machines: the first machine's devices repeated on each, renamed nodeK/ID; the others only
// run layers (their system RAM holds nothing of the model).
void HardwareBuilder::build_nodes(HardwareConfig& h) const {
  h.device_nodes.assign(h.devices.size(), 0);
  if (nodes_ <= 1 || node_link_ == nullptr) return;
  h.nodes = nodes_;
  h.link = node_link_;
  h.network.bandwidth_bytes_per_s = units::gb_per_s_to_bytes_per_s(node_link_->bandwidth_gb_per_s);
  h.network.latency_s = network_latency_s(*node_link_);
  const std::vector<DeviceSpec> devices = std::move(h.devices);
  const std::vector<ComputeDevice> compute = std::move(h.compute);
  const PowerInputs one = h.power;
  h.devices.clear();
  h.compute.clear();
  h.device_nodes.clear();
  h.power.gpu_tdp_watts.clear();
  h.power.gpu_idle_watts.clear();
  for (std::uint32_t node = 0; node < nodes_; ++node) {
    for (std::size_t i = 0; i < devices.size(); ++i) {
      DeviceSpec d = devices[i];
      d.id = fmt::format("node{}/{}", node + 1, d.id);
      ComputeDevice c = compute[i];
      c.id = d.id;
      h.devices.push_back(d);
      h.compute.push_back(c);
      h.device_nodes.push_back(node);
    }
    h.power.gpu_tdp_watts.insert(h.power.gpu_tdp_watts.end(), one.gpu_tdp_watts.begin(), one.gpu_tdp_watts.end());
    h.power.gpu_idle_watts.insert(h.power.gpu_idle_watts.end(), one.gpu_idle_watts.begin(), one.gpu_idle_watts.end());
  }
  h.power.machines = nodes_;
  for (PricedPart& part : h.price_parts) part.count *= nodes_;
}

bool HardwareBuilder::has_devices() const {
  return !gpus_.empty() || (unified_ && device_from_system(*unified_->system).backend != Backend::cpu);
}

HardwareConfig HardwareBuilder::build() const {
  HardwareConfig h;
  h.split = split_;
  h.storage = storage_;
  if (unified_) {
    build_unified(h);
  } else {
    build_gpus(h);
    if (host_) build_host(h);
  }
  build_nodes(h);
  h.assumptions = assumptions_;
  // -sm row on a backend without row-split buffers loads whole layers per GPU: llama.cpp's layer split.
  if (h.split == SplitMode::row && !h.devices.empty() && !has_row_split(h.devices.front().backend)) {
    h.split = SplitMode::layer;
    h.assumptions.push_back({"split", "layer", AssumptionSource::capped, to_string(h.devices.front().backend)});
  }
  return h;
}

}  // namespace llmsize::cli
