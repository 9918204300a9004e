// Placement follows llama.cpp's llama_model::load_tensors: the input embedding stays on the CPU,
// the last `-ngl` layers (the output layer counts as one) go to the GPUs, split into contiguous
// runs by --tensor-split; --n-cpu-moe keeps the routed experts of the first K layers in RAM.
#include "llmsize/engine/placement.h"

#include <algorithm>
#include <numeric>

namespace llmsize::engine {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::fits: return "fits";
    case Verdict::fits_with_offload: return "fits_with_offload";
    case Verdict::does_not_fit: return "does_not_fit";
  }
  return "?";
}

const char* to_string(SplitMode s) { return name_of(kSplitModeNames, s); }

const char* to_string(PlacementReason r) {
  switch (r) {
    case PlacementReason::none: return "none";
    case PlacementReason::experts_in_ram: return "experts_in_ram";
    case PlacementReason::layers_in_ram: return "layers_in_ram";
    case PlacementReason::host_ram_short: return "host_ram_short";
    case PlacementReason::gpus_full_host_short: return "gpus_full_host_short";
    case PlacementReason::gpu_memory_short: return "gpu_memory_short";
    case PlacementReason::offload_ram_short: return "offload_ram_short";
    case PlacementReason::output_layer_too_big: return "output_layer_too_big";
    case PlacementReason::tensor_share_too_big: return "tensor_share_too_big";
    case PlacementReason::given_layers_too_big: return "given_layers_too_big";
    case PlacementReason::extras_too_big: return "extras_too_big";
  }
  return "?";
}

namespace {

using u64 = std::uint64_t;
constexpr int kHost = -1;

// owner[l] for l < n_layers is the GPU of repeating layer l (or kHost); owner[n_layers] is the
// output layer's.
struct Layout {
  std::vector<int> owner;
  std::uint32_t n_cpu_moe = 0;
};

// One placement's inputs together; `compute` is the request's with the KV cache's cells.
struct Inputs {
  const Model& model;
  const WeightsResult& weights;
  const KvResult& kv;
  const PlacementRequest& request;
};

u64 output_layer_bytes(const Inputs& in) {
  // A tied model's output layer is a duplicate of token_embd (TENSOR_DUPLICATED in llama.cpp).
  return in.weights.output_bytes + (in.model.tied_embeddings ? in.weights.token_embd_bytes : 0);
}

u64 gpu_compute_bytes(const Inputs& in, bool holds_output) {
  return holds_output ? compute_buffer_bytes(in.model, in.kv.runtime, in.kv.full_cells)
                      : compute_buffer_bytes_no_output(in.model, in.kv.runtime, in.kv.full_cells);
}

u64 extra_bytes(const ExtraLoad& e, std::size_t device) {
  return device < e.device_bytes.size() ? e.device_bytes[device] : 0;
}

// The draft model's and the projector's bytes on each device and in RAM, as the request gives them.
void add_extras(const PlacementRequest& r, Placement& p) {
  for (const ExtraLoad& e : r.extras) {
    for (std::size_t i = 0; i < p.devices.size(); ++i) {
      (e.kind == ExtraKind::draft ? p.devices[i].draft_bytes : p.devices[i].projector_bytes) += extra_bytes(e, i);
    }
    (e.kind == ExtraKind::draft ? p.host.draft_bytes : p.host.projector_bytes) += e.host_bytes;
  }
}

// A device in use holds the backend's runtime and keeps the fit margin; only one that runs layers has a
// compute buffer of the main model.
void set_device_buffers(const Inputs& in, Placement& p) {
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    DevicePlacement& dp = p.devices[i];
    const bool runs_layers = dp.layers > 0 || dp.holds_output;
    if (!runs_layers && dp.draft_bytes + dp.projector_bytes == 0) continue;  // an unused GPU allocates nothing
    if (runs_layers) dp.compute_buffer_bytes = gpu_compute_bytes(in, dp.holds_output);
    dp.overhead_bytes = in.request.devices[i].runtime_overhead_bytes();
    dp.margin_bytes = in.request.fit_margin_bytes;
  }
}

// evaluate() in three steps, so that greedy_layout can add one layer at a time: the devices and the
// input embedding, then each repeating layer on its owner in order, then the output layer and what
// depends on the whole layout (buffers, counts).
Placement start_placement(const Inputs& in, std::uint32_t n_cpu_moe) {
  Placement p;
  p.n_layers = in.model.n_layers;
  p.n_cpu_moe = n_cpu_moe;
  for (const DeviceSpec& d : in.request.devices) {
    DevicePlacement dp;
    dp.id = d.id;
    dp.kind = d.kind;
    dp.memory_bytes = d.memory_bytes;
    p.devices.push_back(dp);
  }
  p.host.weights_bytes = in.weights.token_embd_bytes + in.weights.per_layer_embd_bytes;  // input tensors stay on the CPU
  return p;
}

void add_layer(const Inputs& in, const Layout& layout, std::uint32_t l, Placement& p) {
  const WeightsResult& w = in.weights;
  const KvResult& kv = in.kv;
  const PlacementRequest& r = in.request;
  HostPlacement& host = p.host;
  const u64 repack_factor = r.cpu_repack && r.mmap ? 1 : 0;  // without mmap the repacked copy replaces the load
  const int owner = layout.owner[l];
  const u64 experts = l < layout.n_cpu_moe ? w.layer_expert_bytes[l] : 0;
  if (owner == kHost) {
    host.weights_bytes += w.layer_bytes[l];
    host.kv_cache_bytes += kv.layer_bytes[l];
    host.repack_bytes += repack_factor * w.layer_cpu_repack_bytes[l];
    host.expert_bytes += w.layer_expert_bytes[l];
    ++host.layers;
    return;
  }
  DevicePlacement& dp = p.devices[static_cast<std::size_t>(owner)];
  dp.weights_bytes += w.layer_bytes[l] - experts;
  dp.expert_bytes += w.layer_expert_bytes[l] - experts;
  dp.kv_cache_bytes += kv.layer_bytes[l];
  ++dp.layers;
  host.weights_bytes += experts;
  host.expert_bytes += experts;
  if (experts > 0) host.repack_bytes += repack_factor * w.layer_expert_cpu_repack_bytes[l];
}

void finish_placement(const Inputs& in, const Layout& layout, Placement& p) {
  const Model& m = in.model;
  const WeightsResult& w = in.weights;
  const KvResult& kv = in.kv;
  const PlacementRequest& r = in.request;
  HostPlacement& host = p.host;
  const u64 repack_factor = r.cpu_repack && r.mmap ? 1 : 0;
  const int output_owner = layout.owner[m.n_layers];
  if (output_owner == kHost) {
    host.weights_bytes += w.output_bytes;
    host.repack_bytes += repack_factor * w.output_cpu_repack_bytes;
    host.holds_output = true;
  } else {
    DevicePlacement& dp = p.devices[static_cast<std::size_t>(output_owner)];
    dp.weights_bytes += output_layer_bytes(in);
    dp.holds_output = true;
  }

  add_extras(r, p);
  set_device_buffers(in, p);
  const bool cpu_computes = host.layers > 0 || host.holds_output || r.devices.empty();
  host.compute_buffer_bytes = cpu_computes ? (host.holds_output ? compute_buffer_bytes(m, kv.runtime, kv.full_cells)
                                                                : compute_buffer_bytes_no_output(m, kv.runtime, kv.full_cells))
                                           : host_compute_buffer_bytes(m, kv.runtime, kv.full_cells);
  host.overhead_bytes = output_buffer_bytes(m, kv.runtime.n_sequences) + backend_overhead_bytes(Backend::cpu);
  p.gpu_layers = static_cast<std::uint32_t>(
      std::count_if(layout.owner.begin(), layout.owner.end(), [](int o) { return o != kHost; }));
  for (const DevicePlacement& dp : p.devices) p.tensor_split.push_back(dp.layers + (dp.holds_output ? 1 : 0));
  const u64 inputs = w.token_embd_bytes + w.per_layer_embd_bytes;
  const u64 offloadable = w.total_bytes - inputs;
  const u64 in_ram = host.weights_bytes - inputs;
  p.offloaded_weight_fraction = offloadable == 0 ? 0.0 : static_cast<double>(in_ram) / static_cast<double>(offloadable);
}

Placement evaluate(const Inputs& in, const Layout& layout) {
  Placement p = start_placement(in, layout.n_cpu_moe);
  for (std::uint32_t l = 0; l < in.model.n_layers; ++l) add_layer(in, layout, l, p);
  finish_placement(in, layout, p);
  return p;
}

bool devices_fit(const Placement& p) {
  return std::all_of(p.devices.begin(), p.devices.end(), [](const DevicePlacement& d) {
    return d.used_bytes() == 0 || d.used_bytes() + d.margin_bytes <= d.memory_bytes;
  });
}

u64 host_available(const PlacementRequest& r, const Placement& p) {
  if (!r.host_ram_bytes) return 0;
  u64 available = *r.host_ram_bytes > r.os_reserve_bytes ? *r.host_ram_bytes - r.os_reserve_bytes : 0;
  if (r.unified_memory) {
    for (const DevicePlacement& d : p.devices) available = available > d.used_bytes() ? available - d.used_bytes() : 0;
  }
  return available;
}

bool host_fits(const PlacementRequest& r, Placement& p) {
  p.host.available_bytes = host_available(r, p);
  if (!r.host_ram_bytes) return true;  // unknown RAM: not judged (the caller records the assumption)
  return p.host.required_bytes() <= p.host.available_bytes;
}

// Splits the GPU-held layers (the last `gpu_layers` of n_layers + 1) into contiguous runs, in
// proportion to each GPU's free memory (llama.cpp's default --tensor-split).
Layout proportional_layout(const Inputs& in, std::uint32_t gpu_layers, std::uint32_t n_cpu_moe) {
  const PlacementRequest& r = in.request;
  const std::uint32_t n = in.model.n_layers;
  Layout layout{std::vector<int>(n + 1, kHost), n_cpu_moe};
  if (r.devices.empty() || gpu_layers == 0) return layout;
  std::vector<double> budget;
  if (r.choice.tensor_split.size() == r.devices.size()) {
    budget = r.choice.tensor_split;  // -ts as given
  } else {
    for (const DeviceSpec& d : r.devices) budget.push_back(static_cast<double>(d.memory_bytes));
  }
  const double total = std::accumulate(budget.begin(), budget.end(), 0.0);
  std::vector<double> cumulative;
  double running = 0;
  for (double b : budget) cumulative.push_back((running += b) / total);
  const std::uint32_t start = n + 1 - gpu_layers;
  for (std::uint32_t l = start; l <= n; ++l) {
    const double position = static_cast<double>(l - start) / gpu_layers;
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), position);
    layout.owner[l] = static_cast<int>(std::min<std::ptrdiff_t>(it - cumulative.begin(),
                                                                 static_cast<std::ptrdiff_t>(r.devices.size()) - 1));
  }
  return layout;
}

// When the proportional split overflows a card (layers differ in size; the output layer is
// large), fill the cards in order instead: what `-ts` with explicit layer counts achieves. Each
// step judges the layers placed so far plus layer l (layers after l are not placed yet: they would
// sit on the host, which the judgement does not look at), adding one layer to the previous step's
// sums rather than evaluating the whole layout again.
Layout greedy_layout(const Inputs& in, std::uint32_t gpu_layers, std::uint32_t n_cpu_moe) {
  const PlacementRequest& r = in.request;
  const std::uint32_t n = in.model.n_layers;
  Layout layout{std::vector<int>(n + 1, kHost), n_cpu_moe};
  const std::uint32_t start = n + 1 - gpu_layers;
  Placement placed = start_placement(in, n_cpu_moe);  // layers before l, on their final owners
  for (std::uint32_t l = 0; l < start && l < n; ++l) add_layer(in, layout, l, placed);
  std::size_t device = 0;
  for (std::uint32_t l = start; l <= n && device < r.devices.size(); ++l) {
    layout.owner[l] = static_cast<int>(device);
    Placement p = placed;
    if (l < n) add_layer(in, layout, l, p);
    finish_placement(in, layout, p);
    if (!devices_fit(p) && device + 1 < r.devices.size() &&
        (p.devices[device].layers > 1 || (l == n && p.devices[device].layers > 0))) {
      layout.owner[l] = static_cast<int>(++device);
    }
    if (l < n) add_layer(in, layout, l, placed);
  }
  return layout;
}

// The best layout for this many GPU layers, or nullopt when no split fits the GPUs. `p` is the
// proportional split's placement (evaluate(in, proportional_layout(in, gpu_layers, n_cpu_moe))).
std::optional<Placement> fit_gpus(const Inputs& in, Placement p, std::uint32_t gpu_layers, std::uint32_t n_cpu_moe) {
  const PlacementRequest& r = in.request;
  if (devices_fit(p)) return p;
  // No split can help when the GPUs together lack the room (a cheap bound before the O(n²) fill).
  u64 needed = 0;
  u64 room = 0;
  for (const DevicePlacement& d : p.devices) needed += d.used_bytes() + d.margin_bytes;
  for (const DeviceSpec& d : r.devices) room += d.memory_bytes;
  if (needed > room) return std::nullopt;
  if (r.devices.size() > 1 && r.choice.tensor_split.empty()) {  // a given -ts is kept, fitting or not
    p = evaluate(in, greedy_layout(in, gpu_layers, n_cpu_moe));
    if (devices_fit(p)) return p;
  }
  return std::nullopt;
}

std::optional<Placement> fit_gpus(const Inputs& in, std::uint32_t gpu_layers, std::uint32_t n_cpu_moe) {
  return fit_gpus(in, evaluate(in, proportional_layout(in, gpu_layers, n_cpu_moe)), gpu_layers, n_cpu_moe);
}

Placement does_not_fit(Placement p, PlacementReason reason) {
  p.verdict = Verdict::does_not_fit;
  p.reason = reason;
  return p;
}

Placement place_cpu_only(const Inputs& in) {
  Placement p = evaluate(in, Layout{std::vector<int>(in.model.n_layers + 1, kHost), 0});
  if (!host_fits(in.request, p)) return does_not_fit(p, PlacementReason::host_ram_short);
  p.verdict = Verdict::fits;
  return p;
}

// -sm row and -sm tensor (and vLLM's tensor parallelism): every GPU holds 1/N of every layer's matrices.
// With -sm tensor the KV cache is split by heads too; with -sm row it stays on the main GPU with the
// compute buffer of the whole model.
Placement place_split_layers(const Inputs& in) {
  const PlacementRequest& r = in.request;
  const std::uint32_t n = in.model.n_layers;
  Placement p = evaluate(in, Layout{std::vector<int>(n + 1, 0), 0});
  const auto count = static_cast<u64>(r.devices.size());
  const DevicePlacement all = p.devices[0];
  const bool kv_split = r.split == SplitMode::tensor;
  p.devices.clear();
  for (std::size_t i = 0; i < r.devices.size(); ++i) {
    const DeviceSpec& d = r.devices[i];
    DevicePlacement dp = all;
    dp.id = d.id;
    dp.kind = d.kind;
    dp.memory_bytes = d.memory_bytes;
    dp.weights_bytes = all.weights_bytes / count;
    dp.kv_cache_bytes = kv_split ? all.kv_cache_bytes / count : (i == 0 ? all.kv_cache_bytes : 0);
    dp.expert_bytes = all.expert_bytes / count;
    dp.overhead_bytes = d.runtime_overhead_bytes();
    dp.draft_bytes = 0;
    dp.projector_bytes = 0;
    p.devices.push_back(dp);
  }
  p.host.draft_bytes = 0;
  p.host.projector_bytes = 0;
  add_extras(r, p);
  p.split = r.split;
  p.tensor_split.assign(r.devices.size(), 1);
  if (!devices_fit(p)) return does_not_fit(p, PlacementReason::tensor_share_too_big);
  if (!host_fits(r, p)) return does_not_fit(p, PlacementReason::host_ram_short);
  p.verdict = Verdict::fits;
  return p;
}

// The smallest --n-cpu-moe K that lets every other tensor sit on the GPUs.
std::optional<Placement> place_expert_offload(const Inputs& in) {
  const std::uint32_t n = in.model.n_layers;
  std::uint32_t lo = 1;
  std::uint32_t hi = n;
  std::optional<Placement> best;
  while (lo <= hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (auto p = fit_gpus(in, n + 1, mid)) {
      best = p;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return best;
}

// The largest -ngl that fits the GPUs.
std::optional<Placement> place_layer_offload(const Inputs& in) {
  const std::uint32_t n = in.model.n_layers;
  std::uint32_t lo = 0;
  std::uint32_t hi = n;  // n + 1 (everything) was tried already
  std::optional<Placement> best;
  while (lo <= hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (auto p = fit_gpus(in, mid, 0)) {
      best = p;
      lo = mid + 1;
    } else {
      if (mid == 0) break;
      hi = mid - 1;
    }
  }
  return best;
}

// -ngl / --n-cpu-moe as given: placed as llama.cpp would place them, judged, never changed. llama.cpp
// keeps no free margin for layers the user placed (its --fit margin applies to its own choice).
Placement place_given(const Inputs& given) {
  PlacementRequest r = given.request;
  r.fit_margin_bytes = 0;
  const Inputs in{given.model, given.weights, given.kv, r};
  const std::uint32_t n = in.model.n_layers;
  const std::uint32_t gpu_layers = std::min(r.choice.gpu_layers.value_or(n + 1), n + 1);
  const std::uint32_t n_cpu_moe = is_moe(in.model) ? std::min(r.choice.n_cpu_moe.value_or(0), n) : 0;
  Placement p = evaluate(in, proportional_layout(in, gpu_layers, n_cpu_moe));
  p.chosen_by_user = true;
  if (!devices_fit(p)) return does_not_fit(p, PlacementReason::given_layers_too_big);
  if (!host_fits(r, p)) return does_not_fit(p, PlacementReason::host_ram_short);
  const bool offload = gpu_layers < n + 1 || n_cpu_moe > 0;
  p.verdict = offload ? Verdict::fits_with_offload : Verdict::fits;
  p.reason = n_cpu_moe > 0 ? PlacementReason::experts_in_ram
                           : (gpu_layers < n + 1 ? PlacementReason::layers_in_ram : PlacementReason::none);
  return p;
}

// A draft model or projector that alone, with the runtime, overfills a GPU: nothing the main model does helps.
bool extras_overfill(const PlacementRequest& r) {
  for (std::size_t i = 0; i < r.devices.size(); ++i) {
    u64 extra = 0;
    for (const ExtraLoad& e : r.extras) extra += extra_bytes(e, i);
    if (extra > 0 && extra + r.devices[i].runtime_overhead_bytes() > r.devices[i].memory_bytes) return true;
  }
  return false;
}

}  // namespace

Placement place(const Model& model, const WeightsResult& weights, const KvResult& kv, const PlacementRequest& r) {
  const Inputs in{model, weights, kv, r};
  if (extras_overfill(r)) {
    return does_not_fit(evaluate(in, proportional_layout(in, model.n_layers + 1, 0)), PlacementReason::extras_too_big);
  }
  if (r.devices.empty()) return place_cpu_only(in);
  if (r.split != SplitMode::layer && r.devices.size() > 1) return place_split_layers(in);
  if (r.choice.fixes_layers()) return place_given(in);
  const std::uint32_t n = model.n_layers;
  Placement everything = evaluate(in, proportional_layout(in, n + 1, 0));
  if (auto p = fit_gpus(in, everything, n + 1, 0)) {
    if (host_fits(r, *p)) {
      p->verdict = Verdict::fits;
      return *p;
    }
    return does_not_fit(*p, PlacementReason::gpus_full_host_short);
  }
  if (!r.allow_offload) return does_not_fit(everything, PlacementReason::gpu_memory_short);
  if (is_moe(model) && r.allow_expert_offload) {
    if (auto p = place_expert_offload(in); p && host_fits(r, *p)) {
      p->verdict = Verdict::fits_with_offload;
      p->reason = PlacementReason::experts_in_ram;
      return *p;
    }
  }
  if (auto p = place_layer_offload(in)) {
    if (host_fits(r, *p)) {
      p->verdict = Verdict::fits_with_offload;
      p->reason = PlacementReason::layers_in_ram;
      return *p;
    }
    return does_not_fit(*p, PlacementReason::offload_ram_short);
  }
  return does_not_fit(everything, PlacementReason::output_layer_too_big);
}

namespace {

void add_memory(MemoryTotals& t, std::uint64_t weights, std::uint64_t kv, std::uint64_t compute, std::uint64_t overhead) {
  t.weights_bytes += weights;
  t.kv_cache_bytes += kv;
  t.compute_buffer_bytes += compute;
  t.overhead_bytes += overhead;
}

MemoryTotals sum(const MemoryTotals& a, const MemoryTotals& b) {
  return {a.weights_bytes + b.weights_bytes,         a.kv_cache_bytes + b.kv_cache_bytes,
          a.compute_buffer_bytes + b.compute_buffer_bytes, a.overhead_bytes + b.overhead_bytes,
          a.draft_bytes + b.draft_bytes,             a.projector_bytes + b.projector_bytes,
          a.repack_bytes + b.repack_bytes,           a.used_bytes + b.used_bytes,
          a.capacity_bytes + b.capacity_bytes};
}

}  // namespace

PlacementTotals totals(const Placement& p) {
  PlacementTotals t;
  for (const DevicePlacement& d : p.devices) {
    add_memory(t.gpus, d.weights_bytes, d.kv_cache_bytes, d.compute_buffer_bytes, d.overhead_bytes);
    t.gpus.draft_bytes += d.draft_bytes;
    t.gpus.projector_bytes += d.projector_bytes;
    t.gpus.used_bytes += d.used_bytes();
    t.gpus.capacity_bytes += d.memory_bytes;
  }
  const HostPlacement& h = p.host;
  add_memory(t.host, h.weights_bytes, h.kv_cache_bytes, h.compute_buffer_bytes, h.overhead_bytes);
  t.host.draft_bytes = h.draft_bytes;
  t.host.projector_bytes = h.projector_bytes;
  t.host.repack_bytes = h.repack_bytes;
  t.host.used_bytes = h.required_bytes();
  t.host.capacity_bytes = h.available_bytes;
  t.with_host = sum(t.gpus, t.host);
  // A unified GPU draws from the same pool as the host (host_available() already subtracts its
  // use), so the pool's capacity is the host's room plus what the GPU holds.
  const bool unified = std::any_of(p.devices.begin(), p.devices.end(),
                                   [](const DevicePlacement& d) { return d.kind == DeviceKind::unified; });
  if (unified) t.with_host.capacity_bytes = t.host.capacity_bytes + t.gpus.used_bytes;
  return t;
}

ExtraLoad extra_load(const Placement& p, ExtraKind kind) {
  ExtraLoad e;
  e.kind = kind;
  for (const DevicePlacement& d : p.devices) e.device_bytes.push_back(d.used_bytes() - d.overhead_bytes);
  // The host's overhead is the output buffer (this model's own) and the CPU backend's runtime (shared).
  const u64 cpu_runtime = std::min(p.host.overhead_bytes, backend_overhead_bytes(Backend::cpu));
  e.host_bytes = p.host.required_bytes() - cpu_runtime;
  return e;
}

MemoryTotals one_device_totals(const Model& model, const WeightsResult& weights, const KvResult& kv) {
  MemoryTotals t;
  add_memory(t, weights.total_bytes, kv.total_bytes, compute_buffer_bytes(model, kv.runtime, kv.full_cells),
             output_buffer_bytes(model, kv.runtime.n_sequences));
  t.used_bytes = t.weights_bytes + t.kv_cache_bytes + t.compute_buffer_bytes + t.overhead_bytes;
  return t;
}

const MemoryTotals& PlacementTotals::deciding(const Placement& p) const& {
  const bool discrete = std::any_of(p.devices.begin(), p.devices.end(),
                                    [](const DevicePlacement& d) { return d.kind == DeviceKind::gpu; });
  return discrete ? gpus : with_host;
}

}  // namespace llmsize::engine
