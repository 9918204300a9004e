// Decode: every device reads the weights it holds that a token touches, plus its share of the KV
// cache; layer-split devices run one after another, so their times add. Prefill: FLOPs over
// matrix throughput, never faster than reading the weights once per micro-batch.
#include <algorithm>
#include <cmath>
#include <utility>

#include "llmsize/engine/speed.h"

#include "llmsize/engine/cpu_attention.h"

namespace llmsize::engine {
namespace {

constexpr double kActivationBytes = 2;  // f16 activations exchanged per hidden value (vLLM tensor parallel)
constexpr double kSplitActivationBytes = 4;  // llama.cpp sends f32 activations between GPUs

// Share of routed-expert bytes touched by `tokens` tokens in one step: 1 − (1 − k/E)^tokens.
double expert_touch_fraction(const Model& m, double tokens) {
  if (!is_moe(m)) return 1.0;
  const double p = static_cast<double>(m.moe->n_active_experts) / m.moe->n_experts;
  return 1.0 - std::pow(1.0 - p, tokens);
}

double matmul_flops_per_token(const ParamCounts& c) { return 2.0 * static_cast<double>(c.active - c.per_layer_embd); }

struct Part {
  double weight_bytes = 0;  ///< touched per token
  double kv_share = 0;      ///< share of the KV cache this part holds
  double all_weight_bytes = 0;
  double moe_layers = 0;    ///< MoE layers whose experts this part runs
  double layers = 0;        ///< repeating layers it runs (a prompt's micro-batch pays per_layer_prompt_s for each)
  double per_token_share = 1;  ///< of the backend's per_token_s (split_per_token_share)
  const ComputeDevice* device = nullptr;
  const Efficiency* efficiency = nullptr;
};

std::vector<Part> parts_of(const SpeedRequest& r, double tokens_per_step) {
  std::vector<Part> parts;
  const Placement& p = r.placement;
  const double frac = expert_touch_fraction(r.model, tokens_per_step);
  const double moe_layers = moe_layer_count(r.model);
  const double moe_share = r.model.n_layers > 0 ? moe_layers / r.model.n_layers : 0;
  // The MoE layers whose experts a part runs: under a layer split or --n-cpu-moe its share of the routed
  // experts' bytes (whole layers of experts); a row or tensor split runs a slice of every layer's.
  const double all_experts = static_cast<double>(r.weights.routed_expert_bytes);
  const auto expert_layers = [&](std::uint64_t expert_bytes, double layers_run) {
    if (expert_bytes == 0) return 0.0;
    if (p.split != SplitMode::layer || all_experts <= 0) return layers_run * moe_share;
    return std::min(moe_layers, moe_layers * static_cast<double>(expert_bytes) / all_experts);
  };
  double kv_total = 0;
  for (const auto& d : p.devices) kv_total += static_cast<double>(d.kv_cache_bytes);
  kv_total += static_cast<double>(p.host.kv_cache_bytes);
  for (std::size_t i = 0; i < p.devices.size() && i < r.devices.size(); ++i) {
    const DevicePlacement& d = p.devices[i];
    if (d.weights_bytes == 0 && d.kv_cache_bytes == 0) continue;
    Part part;
    const double experts = static_cast<double>(d.expert_bytes);
    part.all_weight_bytes = static_cast<double>(d.weights_bytes);
    part.weight_bytes = part.all_weight_bytes - experts + experts * frac;
    part.kv_share = kv_total > 0 ? static_cast<double>(d.kv_cache_bytes) / kv_total : 0;
    // Layers held, the output layer aside; a row or tensor split runs every layer on every GPU.
    const double layers = p.split == SplitMode::layer ? d.layers : r.model.n_layers;
    part.moe_layers = expert_layers(d.expert_bytes, layers);
    part.layers = layers;
    part.device = &r.devices[i];
    part.efficiency = &r.calibration.get(r.devices[i].backend, r.devices[i].device_class, r.engine);
    parts.push_back(part);
  }
  // A layer split over several GPUs: each pays its share of the per-token cost.
  if (p.split == SplitMode::layer && parts.size() > 1) {
    double total = 0;
    for (const Part& part : parts) total += part.layers;
    for (Part& part : parts) part.per_token_share = split_per_token_share(part.layers, total, parts.size());
  }
  const HostPlacement& h = p.host;
  // token_embd stays in system RAM and a token looks up one row of it, unless it is also the output
  // head here (a tied model whose output layer is on the CPU), which reads it whole.
  const bool reads_embd = r.model.tied_embeddings && h.holds_output;
  const std::uint64_t lookup_only =
      std::min(h.weights_bytes, (reads_embd ? 0 : r.weights.token_embd_bytes) + r.weights.per_layer_embd_bytes);
  const double host_weights = static_cast<double>(h.weights_bytes - lookup_only);
  if (r.host && (host_weights > 0 || h.kv_cache_bytes > 0)) {
    Part part;
    const double experts = static_cast<double>(h.expert_bytes);
    part.all_weight_bytes = host_weights;
    part.weight_bytes = host_weights - experts + experts * frac;
    part.kv_share = kv_total > 0 ? static_cast<double>(h.kv_cache_bytes) / kv_total : 0;
    part.moe_layers = expert_layers(h.expert_bytes, h.layers);
    part.layers = h.layers;
    part.device = &r.host->cpu;
    part.efficiency = &r.calibration.get(Backend::cpu, r.host->cpu.device_class, r.engine);
    parts.push_back(part);
  }
  return parts;
}

// A part's decode time: reading its bytes, or on the CPU computing its matrix-vector products when that
// takes longer (decode_seconds), plus the fixed costs.
double part_seconds(const Part& part, double kv_bytes, double compute_seconds, double thread_share) {
  const double bytes = part.weight_bytes + kv_bytes * part.kv_share;
  return decode_seconds(*part.efficiency, bytes / part.device->bandwidth_bytes_per_s, compute_seconds, part.moe_layers,
                        part.per_token_share, thread_share);
}

// Seconds the GPUs of a row or tensor split spend synchronising in one step of `tokens` tokens run as
// `micro_batches` micro-batches: per sync a fixed cost and the activations over the link.
double split_sync_seconds(const SpeedRequest& r, double tokens, double micro_batches) {
  const Placement& p = r.placement;
  if (p.split == SplitMode::layer || p.devices.size() < 2) return 0;
  const double link = r.tensor_parallel_link_bytes_per_s;
  const double layers = r.model.n_layers;
  const double bytes_per_value = r.engine == Engine::vllm ? kActivationBytes : kSplitActivationBytes;
  const double moved = link > 0 ? tokens * r.model.hidden_size * bytes_per_value / link : 0;
  if (r.engine == Engine::vllm) {
    return kVllmAllReducesPerLayer * layers * (r.tensor_parallel_link_latency_s * micro_batches + moved);
  }
  if (p.split == SplitMode::row) {
    // Scatter the activations and gather the results: twice over the link per matrix, at kRowSplitLinkShare of it.
    return kRowSplitMatricesPerLayer * layers * (kRowSplitSyncS * micro_batches + 2 * moved / kRowSplitLinkShare);
  }
  return kTensorSplitAllReducesPerLayer * layers * (kTensorSplitAllReduceS * micro_batches + moved);
}

bool tensor_parallel(const SpeedRequest& r) { return r.placement.split != SplitMode::layer; }

// Micro-batches the scheduler keeps in flight with pipeline parallelism: GGML_SCHED_MAX_COPIES, 4 unless
// llama.cpp is built with another value (ggml/src/ggml-backend.cpp).
constexpr double kSchedMaxCopies = 4;

// llama.cpp's pipeline parallelism (llama-context.cpp, `pipeline_parallel`; PR #6017): two or more GPUs in a
// layer split holding every layer and the output layer, without tensor overrides (--n-cpu-moe, -ot), on one
// machine. Within one llama_decode call the next GPU works on micro-batch k while the one before it starts
// k + 1. ik_llama.cpp inherits it; vLLM's pipeline parallelism overlaps requests, not one prompt's micro-batches.
bool pipeline_parallel(const SpeedRequest& r) {
  const Placement& p = r.placement;
  if (p.split != SplitMode::layer || r.engine == Engine::vllm || p.n_cpu_moe > 0) return false;
  if (p.host.layers > 0 || p.host.holds_output || p.host.expert_bytes > 0) return false;
  std::size_t gpus = 0;
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    if (p.devices[i].layers == 0 && !p.devices[i].holds_output) continue;
    if (i < r.device_nodes.size() && r.device_nodes[i] != 0) return false;  // RPC nodes: run in turn
    ++gpus;
  }
  return gpus > 1;
}

// A prompt's time through a pipeline of GPUs whose stage times per micro-batch are `stages`: each llama_decode
// call of up to `batch` tokens (-b) fills the pipeline once (Σ stages), then finishes a micro-batch every
// max(slowest stage, Σ stages / kSchedMaxCopies).
double pipelined_seconds(const std::vector<double>& stages, double tokens, double ubatch, double batch) {
  double sum = 0;
  double slowest = 0;
  for (double s : stages) {
    sum += s;
    slowest = std::max(slowest, s);
  }
  const double micro_batches = std::ceil(tokens / ubatch);
  const double per_call = std::ceil(std::min(tokens, std::max(batch, ubatch)) / ubatch);
  const double calls = std::ceil(micro_batches / per_call);
  return calls * sum + (micro_batches - calls) * std::max(slowest, sum / kSchedMaxCopies);
}

// The share of a CPU's physical cores llama.cpp runs threads on (-t; one per core by default); 1 on a GPU.
double cpu_thread_share(const SpeedRequest& r, const ComputeDevice& d) {
  if (d.backend != Backend::cpu || d.cores == 0 || !r.threads) return 1;
  return std::min<double>(*r.threads, d.cores) / d.cores;
}

// The CPU's matrix rate with the threads llama.cpp runs.
double cpu_flops(const SpeedRequest& r, const ComputeDevice& d) { return d.matmul_flops_per_s * cpu_thread_share(r, d); }

// Time of one step and the part that takes most of it. Part pointers point into the request
// (devices, host, calibration), so they outlive the temporary part list.
struct StepTime {
  double seconds = 0;
  const Efficiency* efficiency = nullptr;
  const ComputeDevice* device = nullptr;
  /// Per part: the device and the seconds of the step it works at full rate (decode: its bytes at
  /// peak bandwidth; prefill: its compute or streaming time), for DeviceLoad.
  std::vector<std::pair<const ComputeDevice*, double>> busy;
};

void track(StepTime& step, const Part& part, double t, double& worst) {
  if (t > worst) {
    worst = t;
    step.efficiency = part.efficiency;
    step.device = part.device;
  }
}

// Crossings between machines exist only for a layer split (a tensor split across machines would
// all-reduce over the network every layer: not modelled, the CLI refuses it).
double step_network_seconds(const SpeedRequest& r, double tokens, double micro_batches, double outputs) {
  return tensor_parallel(r) ? 0 : network_seconds(r, tokens, micro_batches, outputs);
}

// Seconds at the peak FLOP/s of the threads run that the matrix-vector products of `sequences` decoded
// tokens take on a CPU part, scaled to the threads run: its share of the matrix FLOPs (by the weight bytes
// it reads) at the speed of llama.cpp's kernels for the weight types (cpu_matmul_speed). 0 for a GPU part.
// llama.cpp's decode runs the same per-type dot products as its prompt processing (ggml-cpu mul_mat:
// ggml_vec_dot_<type>_q8 or the repacked gemv), one weight row per call, so a CPU that cannot keep up with
// its memory (few threads, the IQ types' grid lookups) is compute-bound (docs/formulas.md "CPU decode").
double cpu_decode_compute_seconds(const SpeedRequest& r, const Part& part, double touched_total, double sequences) {
  const ComputeDevice& d = *part.device;
  if (d.backend != Backend::cpu || d.matmul_flops_per_s <= 0 || touched_total <= 0) return 0;
  const ParamCounts params = r.params ? *r.params : count_params(r.model);
  const double flops = matmul_flops_per_token(params) / cpu_matmul_speed(r.model, r.weights) * sequences *
                       part.weight_bytes / touched_total;
  return flops / cpu_flops(r, d);
}

// A CPU part's decode time with flash attention: its weights as part_seconds reads them, then the attention
// over its share of the cache, which takes the longer of streaming the cache and llama.cpp's flash-attention
// kernel working through it (at most n_head threads; cpu_attention.h). Unset (nullopt) for a GPU part or
// without flash attention: the cache is streamed with the weights.
std::optional<double> cpu_flash_part_seconds(const SpeedRequest& r, const LayerSummary& layers, const Part& part,
                                             double kv_bytes, double compute, std::uint64_t depth,
                                             std::uint32_t sequences) {
  const ComputeDevice& d = *part.device;
  if (d.backend != Backend::cpu || d.cores == 0 || !r.kv.runtime.flash_attention) return std::nullopt;
  const std::uint32_t threads = r.threads ? std::min(*r.threads, d.cores) : d.cores;
  const double attention =
      cpu_flash_decode_seconds(r.model, layers, r.kv, depth, threads, d.matmul_flops_per_s / d.cores, sequences, r.engine) *
      part.kv_share;
  const double thread_share = cpu_thread_share(r, d);
  const double streaming =
      kv_bytes * part.kv_share / (d.bandwidth_bytes_per_s * bandwidth_share(*part.efficiency, thread_share));
  return decode_seconds(*part.efficiency, part.weight_bytes / d.bandwidth_bytes_per_s, compute, part.moe_layers, 1,
                        thread_share) +
         std::max(streaming, attention);
}

StepTime decode_step(const SpeedRequest& r, std::uint64_t depth, std::uint32_t sequences) {
  const LayerSummary layers = r.layer_summary ? *r.layer_summary : summarize_layers(r.model);
  const double kv_bytes = static_cast<double>(kv_bytes_read_at_depth(r.model, layers, r.kv, depth)) * sequences;
  const bool parallel = tensor_parallel(r);
  StepTime step;
  double worst = 0;
  const auto parts = parts_of(r, sequences);
  double touched_total = 0;
  for (const Part& part : parts) touched_total += part.weight_bytes;
  for (const Part& part : parts) {
    const double compute = cpu_decode_compute_seconds(r, part, touched_total, sequences);
    const double t = cpu_flash_part_seconds(r, layers, part, kv_bytes, compute, depth, sequences)
                         .value_or(part_seconds(part, kv_bytes, compute, cpu_thread_share(r, *part.device)));
    step.busy.emplace_back(part.device, (part.weight_bytes + kv_bytes * part.kv_share) / part.device->bandwidth_bytes_per_s);
    // Layer split: one device after another. Tensor parallel: GPUs read their shares at once.
    step.seconds = parallel && part.device->backend != Backend::cpu ? std::max(step.seconds, t) : step.seconds + t;
    track(step, part, t, worst);
  }
  if (parallel) step.seconds += split_sync_seconds(r, sequences, 1);
  step.seconds += step_network_seconds(r, sequences, 1, sequences);
  return step;
}

// Matrix work of `tokens` tokens, split over the parts by the weight bytes each holds.
StepTime compute_step(const SpeedRequest& r, double tokens, bool prompt) {
  const Model& m = r.model;
  const auto parts = parts_of(r, tokens);
  double touched_total = 0;
  for (const Part& part : parts) touched_total += part.weight_bytes;
  // The work of the step on one backend (attention runs at that backend's own efficiency, the CPU's
  // matrices at the speed of its kernels for these weight types).
  const ParamCounts params = r.params ? *r.params : count_params(m);
  const LayerSummary layers = r.layer_summary ? *r.layer_summary : summarize_layers(m);
  const double cpu_speed = cpu_matmul_speed(m, r.weights);
  // llama.cpp's CPU flash attention (ik_llama.cpp's own kernels are in its fitted prompt share).
  const bool cpu_flash = r.kv.runtime.flash_attention && r.engine == Engine::llama_cpp;
  // A GPU's matrices at its backend's speed on their kernel families (gpu_matmul_speed).
  const double ubatch = static_cast<double>(r.kv.runtime.ubatch);
  const auto work_on = [&](const ComputeDevice& device, const Efficiency& e) {
    const Backend b = device.backend;
    const double speed =
        b == Backend::cpu ? cpu_speed
        : prompt          ? gpu_matmul_speed(e, prompt_kernel_shares(m, r.weights, routed_expert_work_weight(m, b, tokens, ubatch)),
                                             device.bf16_matmul_share)
                          : 1.0;
    const PromptRun run{.matmul_speed = speed, .cpu_flash_attention = cpu_flash, .engine = r.engine, .swa_full = r.kv.swa_full,
                        .ubatch = ubatch, .attention_efficiency = attention_share(e)};
    return (prompt ? prefill_work_per_token(m, params, layers, b, tokens, static_cast<double>(r.depth_tokens), run)
                   : matmul_flops_per_token(params) / speed) *
           tokens;
  };
  const auto total_flops = [&](const Part& part) { return work_on(*part.device, *part.efficiency); };
  const double micro_batches = prompt ? std::ceil(tokens / r.kv.runtime.ubatch) : 1;
  const bool has_gpu = !r.placement.devices.empty();
  const bool parallel = tensor_parallel(r);
  const bool pipeline = prompt && micro_batches > 1 && pipeline_parallel(r);
  std::vector<double> stages;  // pipeline: each GPU's time per micro-batch
  StepTime step;
  double worst = 0;
  for (const Part& part : parts) {
    const double share = touched_total > 0 ? part.weight_bytes / touched_total : 1.0;
    double t = 0;
    if (prompt && part.device->backend == Backend::cpu && has_gpu && r.host && r.host->gpu_link_bytes_per_s > 0) {
      // llama.cpp copies CPU-held weights to the GPU for large batches (op offload: the first GPU backend that
      // takes the op) and multiplies them there, one after the other: the copy, then the part's work at that
      // GPU's prompt rate (docs/formulas.md, prefill: "CPU-held weights with a GPU present").
      const ComputeDevice& gpu = r.devices.front();
      const Efficiency& on_gpu = r.calibration.get(gpu.backend, gpu.device_class, r.engine);
      const double copy = part.all_weight_bytes * micro_batches / (r.host->gpu_link_bytes_per_s * kHostWeightStreamEfficiency);
      const double compute = work_on(gpu, on_gpu) * share / (cpu_flops(r, gpu) * on_gpu.prefill_efficiency);
      t = copy + compute;
      step.busy.emplace_back(&gpu, compute);  // the GPU multiplies them: its load (DeviceLoad) counts it
    } else {
      const double compute =
          total_flops(part) * share /
          (cpu_flops(r, *part.device) * (prompt ? part.efficiency->prefill_efficiency : decode_compute_share(*part.efficiency)));
      const double reads = part.all_weight_bytes * micro_batches / part.device->bandwidth_bytes_per_s;
      // Each micro-batch launches the part's graph: the per-token cost decode pays once per token, and on a
      // GPU the kernels of each layer it runs.
      t = std::max(compute, reads) +
          (prompt ? micro_batches * graph_run_seconds(*part.efficiency, part.layers, part.per_token_share) : 0);
    }
    step.busy.emplace_back(part.device, t);
    step.seconds = parallel && part.device->backend != Backend::cpu ? std::max(step.seconds, t) : step.seconds + t;
    stages.push_back(t / micro_batches);
    track(step, part, t, worst);
  }
  if (pipeline) step.seconds = pipelined_seconds(stages, tokens, r.kv.runtime.ubatch, r.kv.runtime.batch);
  if (parallel) step.seconds += split_sync_seconds(r, tokens, micro_batches);
  // A prompt returns the logits of its last token; N parallel sequences return one row each.
  step.seconds += step_network_seconds(r, tokens, micro_batches, prompt ? 1 : tokens);
  return step;
}

std::uint32_t node_of(const SpeedRequest& r, std::size_t device) {
  return device < r.device_nodes.size() ? r.device_nodes[device] : 0;
}

}  // namespace

NetworkHops network_hops(const SpeedRequest& r) {
  NetworkHops hops;
  const Placement& p = r.placement;
  std::uint32_t at = 0;  // token embedding and CPU layers run on the first node
  auto visit = [&](std::uint32_t node) {
    if (node != at) ++hops.activation_hops;
    at = node;
  };
  for (std::size_t i = 0; i < p.devices.size(); ++i) {
    if (p.devices[i].layers > 0 || p.devices[i].holds_output) visit(node_of(r, i));
  }
  if (p.host.holds_output) visit(0);  // the output layer left on the CPU: the hidden state comes back
  hops.logits_return = at != 0;
  return hops;
}

double network_seconds(const SpeedRequest& r, double tokens, double micro_batches, double outputs) {
  const NetworkHops hops = network_hops(r);
  if (hops.total() == 0) return 0;
  const Network& n = r.network;
  const double per_crossing = (n.latency_s + n.hop_overhead_s) * std::max(micro_batches, 1.0);
  double seconds = hops.total() * per_crossing;
  if (n.bandwidth_bytes_per_s <= 0) return seconds;  // no link given: latency only
  seconds += hops.activation_hops * tokens * r.model.hidden_size * kActivationBytesPerValue / n.bandwidth_bytes_per_s;
  if (hops.logits_return) seconds += outputs * r.model.vocab_size * kLogitBytesPerValue / n.bandwidth_bytes_per_s;
  return seconds;
}

double decode_weight_bytes_per_token(const Model& m, const WeightsResult& w) {
  // As parts_of with every layer and the output on one device: the tied head adds back token_embd.
  const double experts = static_cast<double>(w.routed_expert_bytes);
  const std::uint64_t embd_not_read = (m.tied_embeddings ? 0 : w.token_embd_bytes) + w.per_layer_embd_bytes;
  return static_cast<double>(w.total_bytes - embd_not_read) - experts + experts * expert_touch_fraction(m, 1);
}

// Causal attention: QK^T and AV, 2·DK + 2·DV FLOPs per query head and (query, key) pair
// (attention_pair_flops); a prompt token sees the depth and, on average, half the prompt
// (mean_cells_seen: a sliding-window layer at most its window, as llama.cpp's window-sized cache holds).
double prompt_attention_flops_per_token(const Model& m, const LayerSummary& layers, double prompt_tokens,
                                        double depth_tokens, const PromptRun& run) {
  // Only llama.cpp's own graph absorbs MLA for prompts (build_deepseek2 with is_mla).
  const bool mla_absorbed = run.engine == Engine::llama_cpp;
  double flops = 0;
  for (const AttentionGroup& g : layers.attention) {
    const double seen = mean_cells_seen(prompt_tokens, depth_tokens, attention_window(m, g, run.swa_full));
    flops += g.layers * (g.n_heads * attention_pair_flops(m, g, mla_absorbed) * seen);
  }
  return flops;
}

double prefill_flops_per_token(const Model& m, double prompt_tokens, double depth_tokens) {
  return matmul_flops_per_token(count_params(m)) + prompt_attention_flops_per_token(m, summarize_layers(m), prompt_tokens, depth_tokens);
}

double moe_layer_count(const Model& m) {
  if (!is_moe(m)) return 0;
  std::uint32_t n = 0;
  for (std::uint32_t l = 0; l < m.n_layers; ++l) n += is_moe_layer(m, l) ? 1 : 0;
  return n;
}

double attention_efficiency(Backend b) { return b == Backend::cpu ? kCpuAttentionEfficiency : kGpuAttentionEfficiency; }

double expert_gemm_efficiency(double tokens_per_expert) {
  if (!(tokens_per_expert > 0)) return kExpertGemmEfficiency;
  const double tokens = std::max(1.0, tokens_per_expert);  // each expert routed to multiplies at least one
  const double h = kExpertHalfTokens;
  const double relative = (tokens / (tokens + h)) / (kExpertReferenceTokens / (kExpertReferenceTokens + h));
  return std::min(1.0, kExpertGemmEfficiency * relative);
}

double prefill_work_per_token(const Model& m, Backend b, double prompt_tokens, double depth_tokens, const PromptRun& run) {
  return prefill_work_per_token(m, count_params(m), summarize_layers(m), b, prompt_tokens, depth_tokens, run);
}

double routed_expert_work_weight(const Model& m, Backend b, double prompt_tokens, double ubatch) {
  if (!is_moe(m)) return 1;
  const double per_expert = std::min(prompt_tokens, ubatch) * m.moe->n_active_experts / static_cast<double>(m.moe->n_experts);
  // A CPU's expert matmuls run row by row on its threads, without tiles to fill: the reference share.
  return 1.0 / (b == Backend::cpu ? kExpertGemmEfficiency : expert_gemm_efficiency(per_expert));
}

PerKernel prompt_kernel_shares(const Model& m, const WeightsResult& w, double expert_weight) {
  const double active_share = is_moe(m) ? static_cast<double>(m.moe->n_active_experts) / m.moe->n_experts : 1.0;
  const double embd = m.tied_embeddings ? 1.0 : 0.0;  // the output head reads token_embd whole
  PerKernel shares{};
  double total = 0;
  for (std::size_t k = 0; k < kMatmulKernels; ++k) {
    shares[k] = w.kernel_values[k] + active_share * expert_weight * w.kernel_expert_values[k] + embd * w.kernel_embd_values[k];
    total += shares[k];
  }
  if (!(total > 0)) {
    shares = {};
    shares[static_cast<std::size_t>(MatmulKernel::other)] = 1;
    return shares;
  }
  for (double& share : shares) share /= total;
  return shares;
}

double gpu_matmul_speed(const Efficiency& e, const PerKernel& shares, double bf16_share) {
  double time = 0;
  double total = 0;
  for (std::size_t k = 0; k < kMatmulKernels; ++k) {
    if (shares[k] <= 0) continue;
    total += shares[k];
    const double device = k == static_cast<std::size_t>(MatmulKernel::bf16) ? bf16_share : 1.0;
    time += shares[k] / (e.prefill_kernel_speed[k] * device);
  }
  return time > 0 ? total / time : 1.0;
}

double prompt_matmul_work_per_token(const Model& m, const ParamCounts& c, Backend b, double prompt_tokens, double ubatch) {
  double matmul = 2.0 * static_cast<double>(c.active - c.per_layer_embd);
  if (is_moe(m)) {
    const double routed_active = static_cast<double>(c.routed_expert) * m.moe->n_active_experts / m.moe->n_experts;
    matmul += 2.0 * routed_active * (routed_expert_work_weight(m, b, prompt_tokens, ubatch) - 1.0);
  }
  return matmul;
}

double prefill_work_per_token(const Model& m, const ParamCounts& c, const LayerSummary& layers, Backend b,
                              double prompt_tokens, double depth_tokens, const PromptRun& run) {
  const double matmul = prompt_matmul_work_per_token(m, c, b, prompt_tokens, run.ubatch);
  const double attention = prompt_attention_flops_per_token(m, layers, prompt_tokens, depth_tokens, run);
  if (b == Backend::cpu && run.cpu_flash_attention && !m.mla) {
    // The cells past kCpuFlashCachedCells at the flash kernel's rate, the rest as matrix products.
    const double slow = cpu_flash_prefill_flops_per_token(m, layers, prompt_tokens, depth_tokens, run.swa_full);
    return matmul / run.matmul_speed + (attention - slow) / kCpuAttentionEfficiency + slow / kCpuFlashPrefillEfficiency;
  }
  return matmul / run.matmul_speed + attention / (run.attention_efficiency > 0 ? run.attention_efficiency : attention_efficiency(b));
}

double cpu_matmul_speed(const Model& m, const WeightsResult& w) {
  const double active_share = is_moe(m) ? static_cast<double>(m.moe->n_active_experts) / m.moe->n_experts : 1.0;
  const bool head_is_embd = m.tied_embeddings;  // the output head reads token_embd whole
  const double values = w.cpu_matmul_values + active_share * w.cpu_expert_values + (head_is_embd ? w.cpu_embd_values : 0.0);
  const double time = w.cpu_matmul_time + active_share * w.cpu_expert_time + (head_is_embd ? w.cpu_embd_time : 0.0);
  return time > 0 ? values / time : 1.0;
}

namespace {

// The band of a step: the band of the backend that takes most of the step, widened to the band of
// the request's case where the calibration has one for the test (CaseBand): the engine's own, else llama.cpp's.
std::pair<double, double> band_ratios(const SpeedRequest& r, const StepTime& step, std::uint64_t filled_tokens,
                                      bool decode) {
  const Efficiency& e = step.efficiency != nullptr ? *step.efficiency : r.calibration.get(Backend::cpu);
  double low = decode ? e.decode_ratio_low : e.prefill_ratio_low;
  double high = decode ? e.decode_ratio_high : e.prefill_ratio_high;
  const SpeedCase sc = speed_case(r.model, r.placement, filled_tokens, r.kv.runtime.ubatch);
  const auto has_rows = [&](const CaseBand* b) { return b != nullptr && (decode ? b->decode_rows : b->prefill_rows) > 0; };
  const CaseBand* c = r.calibration.band(sc, r.engine);
  if (!has_rows(c)) c = r.calibration.band(sc);
  if (has_rows(c)) {
    low = std::min(low, decode ? c->decode_ratio_low : c->prefill_ratio_low);
    high = std::max(high, decode ? c->decode_ratio_high : c->prefill_ratio_high);
  }
  return {low, high};
}

// Decode with `filled_tokens` already in the context (llama-bench -d) at a mean cache depth of `depth`.
SpeedAt decode_with(const SpeedRequest& r, std::uint64_t depth, std::uint64_t filled_tokens) {
  SpeedAt s;
  s.depth_tokens = depth;
  const StepTime step = decode_step(r, depth, 1);
  s.decode_tokens_per_s = step.seconds > 0 ? 1.0 / step.seconds : 0;
  const auto [low, high] = band_ratios(r, step, filled_tokens, true);
  s.decode_low = s.decode_tokens_per_s * low;
  s.decode_high = s.decode_tokens_per_s * high;
  return s;
}

}  // namespace

SpeedAt decode_at(const SpeedRequest& r, std::uint64_t depth_tokens) { return decode_with(r, depth_tokens, depth_tokens); }

SpeedResult estimate_speed(const SpeedRequest& r, const std::vector<std::uint64_t>& curve_depths) {
  SpeedResult out;
  // llama-bench tg128 decodes 128 tokens from an empty cache: the mean depth is 64.
  const SpeedAt start = decode_with(r, r.depth_tokens + 64, r.depth_tokens);
  out.decode_tokens_per_s = start.decode_tokens_per_s;
  out.decode_low = start.decode_low;
  out.decode_high = start.decode_high;
  const StepTime prefill = compute_step(r, static_cast<double>(r.prompt_tokens), true);
  out.prefill_tokens_per_s = prefill.seconds > 0 ? static_cast<double>(r.prompt_tokens) / prefill.seconds : 0;
  const auto [prefill_low, prefill_high] = band_ratios(r, prefill, r.depth_tokens, false);
  out.prefill_low = out.prefill_tokens_per_s * prefill_low;
  out.prefill_high = out.prefill_tokens_per_s * prefill_high;
  for (const Part& part : parts_of(r, 1)) out.bytes_per_token += part.weight_bytes;
  const StepTime first = decode_step(r, 0, 1);
  if (first.device != nullptr) out.bottleneck = first.device->id;
  if (!tensor_parallel(r)) {
    out.network_hops = network_hops(r).total();
    out.network_seconds_per_token = network_seconds(r, 1, 1, 1);
    const double prompt = static_cast<double>(r.prompt_tokens);
    out.prefill_network_seconds = network_seconds(r, prompt, std::ceil(prompt / r.kv.runtime.ubatch), 1);
  }
  for (std::uint64_t depth : curve_depths) out.curve.push_back(decode_at(r, depth));
  for (const ComputeDevice& d : r.devices) out.device_loads.push_back({d.id, 0, 0});
  const auto load_of = [&](const ComputeDevice* d) -> DeviceLoad* {
    for (std::size_t i = 0; i < r.devices.size(); ++i) {
      if (&r.devices[i] == d) return &out.device_loads[i];
    }
    return nullptr;  // the host
  };
  const StepTime token = decode_step(r, r.depth_tokens + 64, 1);
  for (const auto& [device, seconds] : token.busy) {
    if (DeviceLoad* load = load_of(device); load != nullptr && token.seconds > 0) load->decode_utilisation = seconds / token.seconds;
  }
  for (const auto& [device, seconds] : prefill.busy) {
    if (DeviceLoad* load = load_of(device); load != nullptr && prefill.seconds > 0) {
      load->prefill_utilisation = std::min(1.0, load->prefill_utilisation + seconds / prefill.seconds);
    }
  }
  return out;
}

ConcurrencyAt decode_concurrent(const SpeedRequest& r, std::uint32_t sequences, std::uint64_t depth_tokens) {
  ConcurrencyAt c;
  c.sequences = sequences;
  double t = decode_step(r, depth_tokens, sequences).seconds;
  const double compute = compute_step(r, sequences, false).seconds;  // until compute-bound
  if (compute > t) {
    t = compute;
    c.compute_bound = true;
  }
  c.aggregate_tokens_per_s = t > 0 ? sequences / t : 0;
  c.per_user_tokens_per_s = c.aggregate_tokens_per_s / sequences;
  return c;
}

}  // namespace llmsize::engine
