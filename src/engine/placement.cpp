// Placement follows llama.cpp's llama_model::load_tensors: the input embedding stays on the CPU,
// the last `-ngl` layers (the output layer counts as one) go to the GPUs, split into contiguous
// runs by --tensor-split; --n-cpu-moe keeps the routed experts of the first K layers in RAM.
#include "llmsize/engine/placement.h"

#include <algorithm>
#include <numeric>

namespace llmsize {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::fits: return "fits";
    case Verdict::fits_with_offload: return "fits_with_offload";
    case Verdict::does_not_fit: return "does_not_fit";
  }
  return "?";
}

const char* to_string(SplitMode s) { return s == SplitMode::layer ? "layer" : "tensor"; }

namespace {

using u64 = std::uint64_t;
constexpr int kHost = -1;

// owner[l] for l < n_layers is the GPU of repeating layer l (or kHost); owner[n_layers] is the
// output layer's.
struct Layout {
  std::vector<int> owner;
  std::uint32_t n_cpu_moe = 0;
};

u64 output_layer_bytes(const PlacementRequest& r) {
  // A tied model's output layer is a duplicate of token_embd (TENSOR_DUPLICATED in llama.cpp).
  return r.weights->output_bytes + (r.model->tied_embeddings ? r.weights->token_embd_bytes : 0);
}

u64 gpu_compute_bytes(const PlacementRequest& r, bool holds_output) {
  return holds_output ? compute_buffer_bytes(*r.model, r.compute)
                      : compute_buffer_bytes_no_output(*r.model, r.compute);
}

Placement evaluate(const PlacementRequest& r, const Layout& layout) {
  const Model& m = *r.model;
  const WeightsResult& w = *r.weights;
  const KvResult& kv = *r.kv;
  Placement p;
  p.n_cpu_moe = layout.n_cpu_moe;
  for (const DeviceSpec& d : r.devices) {
    DevicePlacement dp;
    dp.id = d.id;
    dp.kind = d.kind;
    dp.memory_bytes = d.memory_bytes;
    p.devices.push_back(dp);
  }
  HostPlacement& host = p.host;
  host.weights_bytes = w.token_embd_bytes;
  const u64 repack_factor = r.cpu_repack && r.mmap ? 1 : 0;  // without mmap the repacked copy replaces the load

  for (std::uint32_t l = 0; l < m.n_layers; ++l) {
    const int owner = layout.owner[l];
    const u64 experts = l < layout.n_cpu_moe ? w.layer_expert_bytes[l] : 0;
    if (owner == kHost) {
      host.weights_bytes += w.layer_bytes[l];
      host.kv_cache_bytes += kv.layer_bytes[l];
      host.repack_bytes += repack_factor * w.layer_cpu_repack_bytes[l];
      host.expert_bytes += w.layer_expert_bytes[l];
      ++host.layers;
      continue;
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
  const int output_owner = layout.owner[m.n_layers];
  if (output_owner == kHost) {
    host.weights_bytes += w.output_bytes;
    host.repack_bytes += repack_factor * w.output_cpu_repack_bytes;
    host.holds_output = true;
  } else {
    DevicePlacement& dp = p.devices[static_cast<std::size_t>(output_owner)];
    dp.weights_bytes += output_layer_bytes(r);
    dp.holds_output = true;
  }

  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    DevicePlacement& dp = p.devices[i];
    if (dp.layers == 0 && !dp.holds_output) continue;  // an unused GPU allocates nothing
    dp.compute_buffer_bytes = gpu_compute_bytes(r, dp.holds_output);
    dp.overhead_bytes = r.devices[i].runtime_overhead_bytes();
    dp.margin_bytes = r.fit_margin_bytes;
  }
  const bool cpu_computes = host.layers > 0 || host.holds_output || r.devices.empty();
  host.compute_buffer_bytes = cpu_computes ? (host.holds_output ? compute_buffer_bytes(m, r.compute)
                                                                : compute_buffer_bytes_no_output(m, r.compute))
                                           : host_compute_buffer_bytes(m, r.compute);
  host.overhead_bytes = output_buffer_bytes(m, r.compute.n_sequences) + backend_overhead_bytes(Backend::cpu);
  p.gpu_layers = static_cast<std::uint32_t>(
      std::count_if(layout.owner.begin(), layout.owner.end(), [](int o) { return o != kHost; }));
  for (const DevicePlacement& dp : p.devices) p.tensor_split.push_back(dp.layers + (dp.holds_output ? 1 : 0));
  const u64 offloadable = w.total_bytes - w.token_embd_bytes;
  const u64 in_ram = host.weights_bytes - w.token_embd_bytes;
  p.offloaded_weight_fraction = offloadable == 0 ? 0.0 : static_cast<double>(in_ram) / static_cast<double>(offloadable);
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
Layout proportional_layout(const PlacementRequest& r, std::uint32_t gpu_layers, std::uint32_t n_cpu_moe) {
  const std::uint32_t n = r.model->n_layers;
  Layout layout{std::vector<int>(n + 1, kHost), n_cpu_moe};
  if (r.devices.empty() || gpu_layers == 0) return layout;
  std::vector<double> budget;
  for (const DeviceSpec& d : r.devices) budget.push_back(static_cast<double>(d.memory_bytes));
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
// large), fill the cards in order instead: what `-ts` with explicit layer counts achieves.
Layout greedy_layout(const PlacementRequest& r, std::uint32_t gpu_layers, std::uint32_t n_cpu_moe) {
  const std::uint32_t n = r.model->n_layers;
  Layout layout{std::vector<int>(n + 1, kHost), n_cpu_moe};
  const std::uint32_t start = n + 1 - gpu_layers;
  std::size_t device = 0;
  for (std::uint32_t l = start; l <= n && device < r.devices.size(); ++l) {
    layout.owner[l] = static_cast<int>(device);
    Placement p = evaluate(r, layout);
    if (!devices_fit(p) && device + 1 < r.devices.size() &&
        (p.devices[device].layers > 1 || (l == n && p.devices[device].layers > 0))) {
      layout.owner[l] = static_cast<int>(++device);
    }
  }
  return layout;
}

// The best layout for this many GPU layers, or nullopt when no split fits the GPUs.
std::optional<Placement> fit_gpus(const PlacementRequest& r, std::uint32_t gpu_layers, std::uint32_t n_cpu_moe) {
  Placement p = evaluate(r, proportional_layout(r, gpu_layers, n_cpu_moe));
  if (devices_fit(p)) return p;
  // No split can help when the GPUs together lack the room (a cheap bound before the O(n²) fill).
  u64 needed = 0;
  u64 room = 0;
  for (const DevicePlacement& d : p.devices) needed += d.used_bytes() + d.margin_bytes;
  for (const DeviceSpec& d : r.devices) room += d.memory_bytes;
  if (needed > room) return std::nullopt;
  if (r.devices.size() > 1) {
    p = evaluate(r, greedy_layout(r, gpu_layers, n_cpu_moe));
    if (devices_fit(p)) return p;
  }
  return std::nullopt;
}

Placement does_not_fit(Placement p, std::string reason) {
  p.verdict = Verdict::does_not_fit;
  p.reason = std::move(reason);
  return p;
}

Placement place_cpu_only(const PlacementRequest& r) {
  Placement p = evaluate(r, Layout{std::vector<int>(r.model->n_layers + 1, kHost), 0});
  if (!host_fits(r, p)) return does_not_fit(p, "needs more system RAM than is available");
  p.verdict = Verdict::fits;
  return p;
}

Placement place_tensor_parallel(const PlacementRequest& r) {
  const std::uint32_t n = r.model->n_layers;
  Placement p = evaluate(r, Layout{std::vector<int>(n + 1, 0), 0});
  const auto count = static_cast<u64>(r.devices.size());
  const DevicePlacement all = p.devices[0];
  p.devices.clear();
  for (const DeviceSpec& d : r.devices) {
    DevicePlacement dp = all;
    dp.id = d.id;
    dp.kind = d.kind;
    dp.memory_bytes = d.memory_bytes;
    dp.weights_bytes = all.weights_bytes / count;
    dp.kv_cache_bytes = all.kv_cache_bytes / count;
    dp.expert_bytes = all.expert_bytes / count;
    dp.overhead_bytes = d.runtime_overhead_bytes();
    p.devices.push_back(dp);
  }
  p.split = SplitMode::tensor;
  p.tensor_split.assign(r.devices.size(), 1);
  if (!devices_fit(p)) return does_not_fit(p, "each GPU's share of the weights and KV cache does not fit");
  if (!host_fits(r, p)) return does_not_fit(p, "needs more system RAM than is available");
  p.verdict = Verdict::fits;
  return p;
}

// The smallest --n-cpu-moe K that lets every other tensor sit on the GPUs.
std::optional<Placement> place_expert_offload(const PlacementRequest& r) {
  const std::uint32_t n = r.model->n_layers;
  std::uint32_t lo = 1;
  std::uint32_t hi = n;
  std::optional<Placement> best;
  while (lo <= hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (auto p = fit_gpus(r, n + 1, mid)) {
      best = p;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return best;
}

// The largest -ngl that fits the GPUs.
std::optional<Placement> place_layer_offload(const PlacementRequest& r) {
  const std::uint32_t n = r.model->n_layers;
  std::uint32_t lo = 0;
  std::uint32_t hi = n;  // n + 1 (everything) was tried already
  std::optional<Placement> best;
  while (lo <= hi) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (auto p = fit_gpus(r, mid, 0)) {
      best = p;
      lo = mid + 1;
    } else {
      if (mid == 0) break;
      hi = mid - 1;
    }
  }
  return best;
}

}  // namespace

Placement place(const PlacementRequest& r) {
  if (r.devices.empty()) return place_cpu_only(r);
  if (r.split == SplitMode::tensor && r.devices.size() > 1) return place_tensor_parallel(r);
  const std::uint32_t n = r.model->n_layers;
  if (auto p = fit_gpus(r, n + 1, 0)) {
    if (host_fits(r, *p)) {
      p->verdict = Verdict::fits;
      return *p;
    }
    return does_not_fit(*p, "the GPUs hold every layer, but system RAM cannot hold the rest");
  }
  Placement everything = evaluate(r, proportional_layout(r, n + 1, 0));
  if (!r.allow_offload) return does_not_fit(everything, "the model does not fit in GPU memory");
  if (is_moe(*r.model)) {
    if (auto p = place_expert_offload(r); p && host_fits(r, *p)) {
      p->verdict = Verdict::fits_with_offload;
      p->reason = "routed experts of the first " + std::to_string(p->n_cpu_moe) + " layers in system RAM";
      return *p;
    }
  }
  if (auto p = place_layer_offload(r)) {
    if (host_fits(r, *p)) {
      p->verdict = Verdict::fits_with_offload;
      p->reason = std::to_string(n + 1 - p->gpu_layers) + " of " + std::to_string(n + 1) +
                  " layers in system RAM";
      return *p;
    }
    return does_not_fit(*p, "offloaded layers need more system RAM than is available");
  }
  return does_not_fit(everything, "not even the output layer fits in GPU memory");
}

std::uint64_t max_context_that_fits(const ContextSearch& s) {
  const WeightsResult weights = weight_bytes(*s.model, *s.quant, *s.types);
  auto fits_at = [&](u64 tokens) {
    KvSettings kv = s.kv;
    kv.context_tokens = tokens;
    const KvResult cache = kv_cache(*s.model, kv);
    PlacementRequest r = s.request;
    r.model = s.model;
    r.weights = &weights;
    r.kv = &cache;
    r.compute.context_cells = cache.full_cells;
    const Placement p = place(r);
    return s.require_gpu ? p.verdict == Verdict::fits : p.verdict != Verdict::does_not_fit;
  };
  u64 lo = 1;  // in units of kKvCellPadding
  u64 hi = std::max<u64>(s.model->context_length / kKvCellPadding, 1);
  u64 best = 0;
  while (lo <= hi) {
    const u64 mid = lo + (hi - lo) / 2;
    if (fits_at(mid * kKvCellPadding)) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best * kKvCellPadding;
}

}  // namespace llmsize

namespace llmsize {

QuantChoice best_quant_that_fits(const QuantSearch& s) {
  struct Sized {
    const Quant* quant;
    WeightsResult weights;
  };
  std::vector<Sized> ladder;
  for (const Quant* q : s.candidates) {
    WeightsResult w = weight_bytes(*s.model, *q, *s.types);
    if (w.errors.empty()) ladder.push_back({q, std::move(w)});
  }
  std::sort(ladder.begin(), ladder.end(),
            [](const Sized& a, const Sized& b) { return a.weights.total_bytes > b.weights.total_bytes; });
  QuantChoice choice;
  choice.kv = kv_cache(*s.model, s.kv);
  for (Sized& rung : ladder) {
    PlacementRequest r = s.request;
    r.model = s.model;
    r.weights = &rung.weights;
    r.kv = &choice.kv;
    r.compute.context_cells = choice.kv.full_cells;
    Placement p = place(r);
    const bool ok = s.require_gpu ? p.verdict == Verdict::fits : p.verdict != Verdict::does_not_fit;
    if (ok) {
      choice.quant = rung.quant;
      choice.weights = std::move(rung.weights);
      choice.placement = std::move(p);
      return choice;
    }
  }
  return choice;
}

}  // namespace llmsize
