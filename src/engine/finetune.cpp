// The memory of one training step per GPU, at the three moments that can be its peak
// (docs/formulas.md, "Fine-tuning"): the loss (activations and logits at their largest, no gradients:
// optimizer.zero_grad(set_to_none=True) freed them), the end of the backward pass (every gradient,
// one layer's activations) and the optimizer step (gradients and the step's temporaries).
#include "llmsize/engine/finetune.h"

#include <algorithm>

#include "llmsize/units.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

constexpr u64 kFp32 = 4;
constexpr u64 kBf16 = 2;
/// bitsandbytes 8-bit AdamW: two uint8 states and an fp32 absmax per 256 values (Optimizer2State,
/// block_wise) = 2 + 8/256 bytes per parameter.
constexpr u64 kAdam8bitBlock = 256;
/// FSDP keeps the current block and the one prefetched (BACKWARD_PRE) gathered: two blocks.
constexpr u64 kGatheredBlocks = 2;
/// DeepSpeed buckets as the Hugging Face integration sets them ("auto"): reduce_bucket_size =
/// hidden², stage3_prefetch_bucket_size = 0.9 × hidden²; bf16 values.
constexpr double kZeroBucketsPerHiddenSquared = 1.0 + 0.9;

u64 shard(u64 bytes, u64 n) { return (bytes + n - 1) / n; }

bool is_deepspeed(const FinetuneSettings& s) { return s.sharding == Sharding::zero2 || s.sharding == Sharding::zero3; }

/// What holds the trained parameters, in bytes per value.
struct TrainedDtypes {
  u64 master = 0;    ///< fp32 master copy (mixed precision full fine-tuning)
  u64 gradient = 0;
  u64 state = 0;     ///< one AdamW state value
};

TrainedDtypes trained_dtypes(const FinetuneSettings& s) {
  if (s.method == FinetuneMethod::full) {
    if (s.precision == TrainPrecision::bf16) return {0, kBf16, kBf16};
    // DeepSpeed's bf16 mode keeps bf16 gradients beside the fp32 master (ZeRO paper §3: 2 + 2 + 12).
    return {kFp32, is_deepspeed(s) ? kBf16 : kFp32, kFp32};
  }
  // LoRA adapters: fp32 under PEFT (autocast_adapter_dtype=True), the model's bf16 under torchtune.
  const u64 adapter = s.framework == TrainFramework::torchtune ? kBf16 : kFp32;
  return {0, adapter, adapter};
}

u64 optimizer_state_bytes(const FinetuneSettings& s, u64 trainable, u64 state_dtype) {
  if (s.optimizer == TrainOptimizer::adamw) return 2 * state_dtype * trainable;
  return 2 * trainable + 2 * kFp32 * ((trainable + kAdam8bitBlock - 1) / kAdam8bitBlock);
}

/// Bytes every phase holds, and the weights only the forward and backward passes hold.
struct Resident {
  FinetuneBreakdown always;
  u64 working_weights_bytes = 0;  ///< bf16 autocast copies or gathered FSDP / ZeRO-3 blocks
  u64 gradients_bytes = 0;
  u64 step_bytes = 0;
  u64 backward_comm_bytes = 0;  ///< FSDP: one block's unsharded gradients before the reduce-scatter
};

Resident resident(const Model& m, const FinetuneSettings& s, const TrainParams& p) {
  const u64 n = std::max<u64>(s.n_gpus, 1);
  const bool multi = n > 1;
  const bool shard_states = multi && s.sharding != Sharding::ddp;
  const bool shard_params = multi && (s.sharding == Sharding::zero3 || s.sharding == Sharding::fsdp);
  const u64 state_shards = shard_states ? n : 1;
  const bool mixed = s.method == FinetuneMethod::full && s.precision == TrainPrecision::mixed;
  const TrainedDtypes d = trained_dtypes(s);

  Resident r;
  const u64 compute = compute_weights_bytes(m, s.method);
  const u64 per_weight_x1000 = p.total == 0 ? 0 : compute * 1000 / p.total;
  const u64 gathered = kGatheredBlocks * p.largest_block * per_weight_x1000 / 1000 + kBf16 * p.outside_blocks;
  if (shard_params) {
    // ZeRO-3 / FSDP: each GPU keeps its shard and gathers blocks as it goes. FSDP's mixed precision
    // shards the fp32 flat parameters (the master) and gathers bf16.
    r.always.weights_bytes = mixed && s.sharding == Sharding::fsdp ? 0 : shard(compute, n);
    r.working_weights_bytes = gathered;
  } else if (mixed && !is_deepspeed(s)) {
    r.working_weights_bytes = compute;  // autocast's bf16 copies of the fp32 weights, fwd and bwd only
  } else {
    r.always.weights_bytes = compute;  // the bf16 (or NF4) model itself; DeepSpeed's bf16 params
  }
  r.always.master_weights_bytes = shard(d.master * p.trainable, state_shards);
  if (s.method != FinetuneMethod::full) r.always.adapter_weights_bytes = shard(d.state * p.adapter, shard_params ? n : 1);
  r.always.optimizer_states_bytes = shard(optimizer_state_bytes(s, p.trainable, d.state), state_shards);
  r.gradients_bytes = shard(d.gradient * p.trainable, state_shards);
  if (s.optimizer == TrainOptimizer::adamw) {
    // torch AdamW's foreach step allocates exp_avg_sq.sqrt() for every state at once; DeepSpeed's
    // fused Adam steps in place on an fp32 copy of its gradient partition.
    r.step_bytes = is_deepspeed(s) && multi ? shard(kFp32 * p.trainable, n) : shard(d.state * p.trainable, state_shards);
  }
  if (multi && s.sharding == Sharding::ddp) {
    r.always.communication_bytes = d.gradient * p.trainable;  // DDP buckets (gradient_as_bucket_view=False)
  } else if (multi && is_deepspeed(s)) {
    const double h = m.hidden_size;
    r.always.communication_bytes = static_cast<u64>(kBf16 * kZeroBucketsPerHiddenSquared * h * h);
  } else if (multi && s.sharding == Sharding::fsdp && s.method == FinetuneMethod::full) {
    r.backward_comm_bytes = d.gradient * p.largest_block;
  }
  r.always.framework_overhead_bytes = kCudaContextBytes;
  return r;
}

}  // namespace

const char* to_string(TrainPhase p) {
  switch (p) {
    case TrainPhase::loss: return "loss";
    case TrainPhase::backward: return "backward";
    case TrainPhase::optimizer_step: return "optimizer_step";
  }
  return "?";
}

const FinetuneBreakdown& FinetuneResult::peak() const {
  switch (peak_phase) {
    case TrainPhase::loss: return loss;
    case TrainPhase::backward: return backward;
    case TrainPhase::optimizer_step: return step;
  }
  return loss;
}

FinetuneResult finetune_memory(const Model& m, const FinetuneSettings& s) {
  FinetuneResult out;
  out.params = train_params(m, s);
  const Resident r = resident(m, s, out.params);

  FinetuneBreakdown loss = r.always;
  loss.weights_bytes += r.working_weights_bytes;
  // Unsloth sizes its loss chunks from the memory free when the loss first runs.
  std::uint64_t chunk_target = 0;
  if (s.framework == TrainFramework::unsloth && s.gpu_memory_bytes > 0) {
    const ActivationFacts before = finetune_activations(m, s, 0);
    const u64 used = loss.total_bytes() + before.saved_bytes_per_token * before.tokens;
    chunk_target = std::max<u64>(s.gpu_memory_bytes - std::min(s.gpu_memory_bytes, used), 2) / 2;
  }
  out.activations = finetune_activations(m, s, chunk_target);
  const ActivationFacts& a = out.activations;
  loss.activations_bytes = a.saved_bytes_per_token * a.tokens;
  loss.logits_bytes = a.logits_bytes_per_token * a.logits_tokens;
  if (s.framework == TrainFramework::unsloth) loss.logits_bytes += kBf16 * m.hidden_size * a.tokens;  // grad_inputs

  FinetuneBreakdown backward = r.always;
  backward.weights_bytes += r.working_weights_bytes;
  backward.gradients_bytes = r.gradients_bytes;
  backward.communication_bytes += r.backward_comm_bytes;
  backward.activations_bytes = a.layer_bytes_per_token * a.tokens;

  FinetuneBreakdown step = r.always;
  step.gradients_bytes = r.gradients_bytes;
  step.optimizer_step_bytes = r.step_bytes;

  out.loss = loss;
  out.backward = backward;
  out.step = step;
  out.peak_phase = TrainPhase::loss;
  if (backward.total_bytes() > out.peak().total_bytes()) out.peak_phase = TrainPhase::backward;
  if (step.total_bytes() > out.peak().total_bytes()) out.peak_phase = TrainPhase::optimizer_step;
  return out;
}

}  // namespace llmsize::engine
