#pragma once
/// Fine-tuning memory: full, LoRA and QLoRA training of a model on one or several GPUs, term by term
/// (docs/formulas.md, "Fine-tuning"). Bytes are per GPU; the peak is the largest of three moments of a
/// training step (the loss, the end of the backward pass, the optimizer step).
#include <cstdint>

#include "llmsize/engine/entry.h"
#include "llmsize/engine/model.h"

namespace llmsize::engine {

enum class FinetuneMethod { full, lora, qlora };

/// Whose code runs the step; each has its own kernels, loss and checkpointing (docs/formulas.md).
enum class TrainFramework {
  transformers,  ///< Hugging Face Transformers Trainer / TRL with PEFT and bitsandbytes
  unsloth,       ///< Unsloth: fused kernels, activations offloaded to RAM, chunked cross-entropy
  torchtune,     ///< PyTorch torchtune recipes: everything in bf16, chunked cross-entropy
};

/// How full fine-tuning keeps its weights. `mixed`: fp32 master weights, gradients and AdamW states
/// with a bf16 compute copy (autocast / DeepSpeed bf16 / FSDP mixed precision); `bf16`: every
/// tensor in bf16, AdamW states included (torch_dtype=bfloat16, torchtune's dtype: bf16).
enum class TrainPrecision { mixed, bf16 };

enum class TrainOptimizer {
  adamw,             ///< torch.optim.AdamW (foreach): two states in the parameters' dtype
  adamw_8bit,        ///< bitsandbytes AdamW8bit: two uint8 states + an fp32 absmax per 256 values
  paged_adamw_8bit,  ///< the same bytes in CUDA unified memory: the driver may page them to RAM
};

enum class LoraTargets {
  attention,   ///< the attention projections (q, k, v, o; MLA's low-rank projections)
  all_linear,  ///< every linear layer of the blocks (PEFT "all-linear"): attention, MLP, experts, router
};

/// How several GPUs share the work. `ddp`: every GPU holds everything, plus gradient buckets;
/// `zero2`: DeepSpeed ZeRO-2 (gradients and optimizer states sharded); `zero3` / `fsdp`: parameters
/// too (FSDP FULL_SHARD), each GPU gathering one block at a time.
enum class Sharding { ddp, fsdp, zero2, zero3 };

/// The command line's and the JSON's spelling of each choice (name_of / value_of read them).
inline constexpr std::array<EnumName<FinetuneMethod>, 3> kFinetuneMethodNames = {{
    {FinetuneMethod::full, "full"}, {FinetuneMethod::lora, "lora"}, {FinetuneMethod::qlora, "qlora"}}};
inline constexpr std::array<EnumName<TrainFramework>, 3> kTrainFrameworkNames = {{
    {TrainFramework::transformers, "transformers"}, {TrainFramework::unsloth, "unsloth"},
    {TrainFramework::torchtune, "torchtune"}}};
inline constexpr std::array<EnumName<TrainPrecision>, 2> kTrainPrecisionNames = {{
    {TrainPrecision::mixed, "mixed"}, {TrainPrecision::bf16, "bf16"}}};
inline constexpr std::array<EnumName<TrainOptimizer>, 3> kTrainOptimizerNames = {{
    {TrainOptimizer::adamw, "adamw"}, {TrainOptimizer::adamw_8bit, "adamw-8bit"},
    {TrainOptimizer::paged_adamw_8bit, "paged-adamw-8bit"}}};
inline constexpr std::array<EnumName<LoraTargets>, 2> kLoraTargetsNames = {{
    {LoraTargets::attention, "attn"}, {LoraTargets::all_linear, "all"}}};
inline constexpr std::array<EnumName<Sharding>, 4> kShardingNames = {{
    {Sharding::ddp, "ddp"}, {Sharding::fsdp, "fsdp"}, {Sharding::zero2, "zero2"}, {Sharding::zero3, "zero3"}}};

struct FinetuneSettings {
  FinetuneMethod method = FinetuneMethod::lora;
  TrainFramework framework = TrainFramework::transformers;
  TrainPrecision precision = TrainPrecision::mixed;
  TrainOptimizer optimizer = TrainOptimizer::adamw;
  std::uint64_t seq_len_tokens = 2048;
  std::uint32_t micro_batch = 1;  ///< sequences per GPU per step
  bool gradient_checkpointing = true;
  std::uint32_t lora_rank = 16;
  LoraTargets lora_targets = LoraTargets::all_linear;
  std::uint32_t n_gpus = 1;
  Sharding sharding = Sharding::ddp;
  /// Each GPU's memory, 0 when no GPU is named: Unsloth sizes its loss chunks from free memory.
  std::uint64_t gpu_memory_bytes = 0;
};

/// Parameter counts as training sees them.
struct TrainParams {
  std::uint64_t total = 0;        ///< every weight of the architecture
  std::uint64_t block_linear = 0; ///< linear weights inside the blocks (QLoRA stores these in NF4)
  std::uint64_t adapter = 0;      ///< LoRA A and B matrices
  std::uint64_t trainable = 0;    ///< total (full) or adapter (LoRA, QLoRA)
  std::uint64_t largest_block = 0;  ///< weights of the largest block (FSDP / ZeRO-3 gathers one at a time)
  std::uint64_t outside_blocks = 0; ///< embeddings, output head, final norm (FSDP's root, kept gathered)
};

/// Bytes on one GPU at one moment of the step. `total_bytes()` adds them all.
struct FinetuneBreakdown {
  std::uint64_t weights_bytes = 0;         ///< the model's compute copy (bf16, or NF4 + bf16 for QLoRA)
  std::uint64_t master_weights_bytes = 0;  ///< fp32 master copy of trained weights (mixed precision)
  std::uint64_t adapter_weights_bytes = 0;
  std::uint64_t gradients_bytes = 0;
  std::uint64_t optimizer_states_bytes = 0;
  std::uint64_t optimizer_step_bytes = 0;  ///< temporaries of the optimizer step (foreach AdamW)
  std::uint64_t activations_bytes = 0;     ///< tensors saved for the backward pass, per-layer working set
  std::uint64_t logits_bytes = 0;          ///< output logits, their fp32 copies and gradients
  std::uint64_t communication_bytes = 0;   ///< DDP gradient buckets, ZeRO buckets
  std::uint64_t framework_overhead_bytes = 0;  ///< CUDA context (outside PyTorch's allocator)
  [[nodiscard]] std::uint64_t total_bytes() const {
    return weights_bytes + master_weights_bytes + adapter_weights_bytes + gradients_bytes + optimizer_states_bytes +
           optimizer_step_bytes + activations_bytes + logits_bytes + communication_bytes + framework_overhead_bytes;
  }
};

enum class TrainPhase { loss, backward, optimizer_step };

[[nodiscard]] const char* to_string(TrainPhase p);

/// Per-token activation bytes of the step, for --explain and the tests.
struct ActivationFacts {
  std::uint64_t tokens = 0;                       ///< micro-batch × sequence length, per GPU
  std::uint64_t saved_bytes_per_token = 0;        ///< kept through the forward pass: checkpoints (or every
                                                  ///< layer's tensors without checkpointing) and the final norm
  std::uint64_t layer_bytes_per_token = 0;        ///< the largest layer's saved tensors and backward gradients
  std::uint64_t logits_bytes_per_token = 0;       ///< per token the loss works on at once
  std::uint64_t logits_tokens = 0;                ///< tokens the loss works on at once (Unsloth: one chunk)
};

struct FinetuneResult {
  TrainParams params;
  ActivationFacts activations;
  FinetuneBreakdown loss;      ///< at the loss: activations and logits at their largest, no gradients
  FinetuneBreakdown backward;  ///< at the end of the backward pass: all gradients, one layer's activations
  FinetuneBreakdown step;      ///< during the optimizer step
  TrainPhase peak_phase = TrainPhase::loss;
  [[nodiscard]] const FinetuneBreakdown& peak() const;
  [[nodiscard]] std::uint64_t per_gpu_bytes() const { return peak().total_bytes(); }
};

/// bitsandbytes NF4 with double quantization (QLoRA paper §2): 4 bits per weight, an 8-bit absmax
/// per 64 weights and an fp32 second-level scale per 256 absmax values.
inline constexpr double kNf4DoubleQuantBitsPerWeight = 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0);

/// The CUDA context with lazy module loading, outside PyTorch's allocator: 287,047,680 B measured in
/// pytorch/pytorch#86509 (CUDA_MODULE_LOADING=LAZY, the default since PyTorch 1.13).
inline constexpr std::uint64_t kCudaContextBytes = 287'047'680;

/// Bytes of `n_elements` weights in bitsandbytes NF4 with double quantization: ⌈n/2⌉ + ⌈n/64⌉ +
/// 4 × ⌈⌈n/64⌉ / 256⌉ (quantize_4bit, blocksize 64, compress_statistics=True).
[[nodiscard]] std::uint64_t nf4_bytes(std::uint64_t n_elements);

/// The model's compute copy: 2 bytes per weight, or NF4 for the linear weights of the blocks (QLoRA;
/// embeddings, output head, norms and routers stay bf16, as bitsandbytes leaves them).
[[nodiscard]] std::uint64_t compute_weights_bytes(const Model& m, FinetuneMethod method);

/// Activation bytes per token. `loss_chunk_target_bytes` bounds one chunk of fp32 logits where the
/// framework chunks its loss by memory (Unsloth); 0 means its default cap.
[[nodiscard]] ActivationFacts finetune_activations(const Model& m, const FinetuneSettings& s,
                                                   std::uint64_t loss_chunk_target_bytes);

/// Parameter counts: the architecture's tensors, LoRA adapters on the targeted matrices.
[[nodiscard]] TrainParams train_params(const Model& m, const FinetuneSettings& s);

/// The memory of one training step on each GPU.
[[nodiscard]] FinetuneResult finetune_memory(const Model& m, const FinetuneSettings& s);

}  // namespace llmsize::engine
