// Activation memory of a training step, per token, from the architecture and each framework's kernels
// (docs/formulas.md, "Fine-tuning: activations"). Values are bytes per token; bf16 tensors take 2 bytes
// per value, fp32 4.
#include <algorithm>
#include <string_view>

#include "llmsize/engine/finetune.h"
#include "llmsize/engine/weights.h"
#include "llmsize/units.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

/// Bytes per value of each tensor a layer saves for its backward pass.
struct Traits {
  u64 norm = 0;        ///< per hidden value per RMSNorm: the saved input copies and the output
  u64 attn_q = 0;      ///< per query value (projection output, RoPE copies, attention output)
  u64 attn_k = 0;      ///< per key value
  u64 attn_v = 0;      ///< per value-projection value
  u64 mlp_gated = 0;   ///< per intermediate value of a gated (SwiGLU / GeGLU) MLP
  u64 mlp_plain = 0;   ///< per intermediate value of an ungated MLP
  u64 lora_input = 0;  ///< per input value of each LoRA-targeted matrix (a cast copy of its input)
  u64 lora_rank = 0;   ///< per rank value (A's output, saved for B)
  u64 checkpoint = 0;  ///< per hidden value per layer kept by gradient checkpointing
  u64 logits = 0;      ///< per vocabulary entry per token the loss works on at once
};

// Hugging Face Transformers + PEFT. LlamaRMSNorm upcasts its input to fp32 (4) and saves it, saves the
// bf16 normalized tensor (2), and its output is saved by the next projections (2). Flash attention 2
// or SDPA with native GQA: q, k saved by the RoPE multiply and its rotate_half copy, RoPE outputs and v
// saved by the kernel, its output saved by o_proj. SwiGLU MLP: gate, SiLU(gate), up and their product.
// PEFT casts each LoRA input to the fp32 adapter dtype (autocast_adapter_dtype=True) and saves it; A's
// fp32 output is saved for B. Loss (transformers.loss_utils.ForCausalLMLoss): the logits are upcast to
// fp32 and cross_entropy saves the fp32 log-softmax (4); its backward holds the incoming gradient (4)
// and the input gradient (4).
constexpr Traits kTransformers{8, 8, 6, 2, 8, 4, 4, 4, 2, 12};
// Unsloth: fused RMSNorm saves its input (2) and output (2); RoPE is applied in place; the fused SwiGLU
// / LoRA MLP saves gate and up only (recomputing their product in the backward pass); LoRA A's bf16
// output is saved for B. Gradient checkpointing "unsloth" copies each layer's input to CPU RAM.
// Loss (unsloth_zoo fused_losses/cross_entropy_loss.py): chunks of tokens through the output head and
// torch.func.grad_and_value under torch.compile, which fuses the fp32 upcast, softmax and gradient:
// each chunk's bf16 logits (2) and their fp32 gradient (4).
constexpr Traits kUnsloth{4, 4, 2, 2, 4, 4, 0, 2, 0, 6};
// torchtune: RMSNorm upcasts like Transformers; RotaryPositionalEmbeddings saves fp32 copies of q and k
// (4); SDPA saves the rotated q (2), k and v expanded to every query head (2 + 2, q-sized) and its
// output (2). CEWithChunkedOutputLoss: all bf16 logits (2) and every chunk's fp32 log-softmax (4),
// with one of its 8 chunks' fp32 copy and gradient at a time (8 / 8).
constexpr Traits kTorchtune{8, 12, 4, 0, 8, 4, 0, 2, 2, 7};

const Traits& traits(TrainFramework f) {
  switch (f) {
    case TrainFramework::transformers: return kTransformers;
    case TrainFramework::unsloth: return kUnsloth;
    case TrainFramework::torchtune: return kTorchtune;
  }
  return kTransformers;
}

/// Flash attention saves the fp32 log-sum-exp of every head (4 bytes per head per token).
constexpr u64 kLseBytesPerHead = 4;
/// The router's fp32 logits and softmax (Mixtral / Qwen-MoE blocks): 8 bytes per expert per token.
constexpr u64 kRouterBytesPerExpert = 8;
/// A routed token is gathered into its expert's input (Transformers' per-expert loop): 2 bytes per value.
constexpr u64 kExpertGatherBytes = 2;
/// The backward pass of a layer holds about two bf16 gradients of its widest tensor at once.
constexpr u64 kBackwardGradientBytes = 4;
/// Unsloth's loss chunk target: min(half the free memory, 4 GiB) of fp32 logits per chunk, rounded
/// to a multiple of 4 chunks (unsloth_zoo fused_losses/cross_entropy_loss.py, get_chunk_size).
constexpr u64 kUnslothChunkCapBytes = 4 * units::kGiB;
constexpr u64 kUnslothChunkMultiple = 4;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

struct LayerShape {
  u64 bytes = 0;   ///< saved bytes per token
  u64 widest = 0;  ///< widest intermediate (values per token)
};

void add_attention(const Model& m, std::uint32_t layer, const Traits& t, LayerShape& out) {
  const u64 heads = m.n_heads;
  u64 q = 0, k = 0, v = 0;
  if (m.mla) {
    const MlaDims& d = *m.mla;
    q = heads * (u64{d.qk_nope_head_dim} + d.qk_rope_head_dim);
    k = q;
    v = heads * d.v_head_dim;
    // The low-rank projections' outputs and their norms.
    out.bytes += (2 + t.norm) * (u64{d.q_lora_rank} + d.kv_lora_rank);
  } else {
    q = heads * head_dim_k(m);
    k = u64{kv_heads(m, layer)} * head_dim_k(m);
    v = u64{kv_heads(m, layer)} * head_dim_v(m);
  }
  out.bytes += t.attn_q * q + t.attn_k * k + t.attn_v * v + kLseBytesPerHead * heads;
  out.widest = std::max(out.widest, q);
}

void add_ffn(const Model& m, std::uint32_t layer, const Traits& t, LayerShape& out) {
  const u64 per_f = m.ffn_gated ? t.mlp_gated : t.mlp_plain;
  if (is_moe_layer(m, layer)) {
    const MoeDims& e = *m.moe;
    const u64 active = e.n_active_experts;
    const u64 shared = e.shared_expert_ffn_size.value_or(u64{e.n_shared_experts} * e.expert_ffn_size);
    out.bytes += active * (per_f * e.expert_ffn_size + kExpertGatherBytes * m.hidden_size) + per_f * shared +
                 kRouterBytesPerExpert * e.n_experts;
    out.widest = std::max<u64>(out.widest, std::max<u64>(u64{e.expert_ffn_size} * active, shared));
    return;
  }
  out.bytes += per_f * m.ffn_size;
  out.widest = std::max<u64>(out.widest, m.ffn_size);
}

// Recurrent mixers (Mamba, gated DeltaNet, RWKV ...) have no fused kernel model here: every linear
// projection's input and output are saved in bf16 (2 + 2 bytes per value).
void add_generic_mixer(const std::vector<TensorSpec>& tensors, LayerShape& out) {
  for (const TensorSpec& s : tensors) {
    if (s.is_vector || s.keep_unquantized || s.row_length == 0) continue;
    if (starts_with(s.group, "ffn_")) continue;
    const u64 cols = s.n_elements / s.row_length;
    out.bytes += 2 * (s.row_length + cols);
    out.widest = std::max(out.widest, cols);
  }
}

// PEFT's LoRA path per targeted matrix and token: the input copy and A's output.
void add_lora(const Model& m, const std::vector<TensorSpec>& tensors, const FinetuneSettings& s, const Traits& t,
              LayerShape& out) {
  for (const TensorSpec& spec : tensors) {
    if (spec.is_vector || spec.row_length == 0) continue;
    if (spec.keep_unquantized && spec.group != "ffn_gate_inp") continue;
    const bool attention = starts_with(spec.group, "attn_") || starts_with(spec.group, "time_mix_");
    if (s.lora_targets == LoraTargets::attention && !attention) continue;
    const u64 per_token = spec.is_routed_expert && m.moe ? m.moe->n_active_experts : 1;
    out.bytes += per_token * (t.lora_input * spec.row_length + t.lora_rank * s.lora_rank);
  }
}

LayerShape layer_shape(const Model& m, std::uint32_t layer, const std::vector<TensorSpec>& tensors,
                       const FinetuneSettings& s, const Traits& t) {
  LayerShape shape;
  const u64 h = m.hidden_size;
  const bool rwkv = m.ssm && (m.ssm->kind == SsmKind::rwkv6 || m.ssm->kind == SsmKind::rwkv7);
  if (rwkv) {
    add_generic_mixer(tensors, shape);  // time mix and channel mix alike
    shape.bytes += 2 * t.norm * h;
  } else {
    if (is_attention_layer(m, layer)) {
      add_attention(m, layer, t, shape);
    } else {
      add_generic_mixer(tensors, shape);
    }
    const bool has_ffn = m.moe.has_value() || m.ffn_size > 0;
    shape.bytes += t.norm * h * (has_ffn ? 2 : 1);
    if (has_ffn) add_ffn(m, layer, t, shape);
  }
  if (s.method != FinetuneMethod::full) add_lora(m, tensors, s, t, shape);
  shape.widest = std::max(shape.widest, h);
  return shape;
}

// unsloth_zoo get_chunk_size: chunks of fp32 logits no larger than the target, their count rounded
// up to a multiple of 4; one chunk when all the logits fit.
u64 unsloth_chunk_tokens(u64 tokens, u64 vocab, u64 target_bytes) {
  const u64 logits_fp32 = tokens * vocab * 4;
  if (target_bytes == 0 || logits_fp32 <= target_bytes) return tokens;
  const u64 exact = (logits_fp32 + target_bytes - 1) / target_bytes;
  const u64 chunks = units::pad_to(exact, kUnslothChunkMultiple);
  return (tokens + chunks - 1) / chunks;
}

}  // namespace

ActivationFacts finetune_activations(const Model& m, const FinetuneSettings& s, std::uint64_t loss_chunk_target_bytes) {
  const Traits& t = traits(s.framework);
  // Transformers QLoRA on unsharded weights: PEFT's prepare_model_for_kbit_training and TRL's
  // peft_module_casting_to_bf16 keep the norms in fp32, and bitsandbytes' Linear4bit returns its
  // input's dtype, so the residual stream and every projection output between the 4-bit matrices are
  // fp32: twice the bytes. TRL skips both for sharded QLoRA (FSDP / ZeRO-3, `is_sharded_qlora`).
  const bool sharded = s.n_gpus > 1 && (s.sharding == Sharding::fsdp || s.sharding == Sharding::zero3);
  const bool fp32_stream =
      s.framework == TrainFramework::transformers && s.method == FinetuneMethod::qlora && !sharded;
  const u64 scale = fp32_stream ? 2 : 1;
  const u64 h = m.hidden_size;

  std::vector<std::vector<TensorSpec>> by_layer(m.n_layers);
  for (TensorSpec& spec : enumerate_tensors(m)) {
    if (spec.layer >= 0 && static_cast<u64>(spec.layer) < by_layer.size()) {
      by_layer[static_cast<std::size_t>(spec.layer)].push_back(std::move(spec));
    }
  }
  ActivationFacts f;
  f.tokens = s.seq_len_tokens * s.micro_batch;
  u64 all_layers = 0;
  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    const LayerShape shape = layer_shape(m, layer, by_layer[layer], s, t);
    all_layers += scale * shape.bytes;
    f.layer_bytes_per_token =
        std::max(f.layer_bytes_per_token, scale * shape.bytes + kBackwardGradientBytes * scale * shape.widest);
  }
  const u64 final_norm = scale * t.norm * h;
  if (!s.gradient_checkpointing) {
    f.saved_bytes_per_token = all_layers + final_norm;
  } else if (t.checkpoint == 0) {
    f.saved_bytes_per_token = 2 * 2 * h + final_norm;  // Unsloth: two layer inputs in flight to / from RAM
  } else {
    f.saved_bytes_per_token = u64{m.n_layers} * scale * t.checkpoint * h + final_norm;
  }
  f.logits_bytes_per_token = t.logits * m.vocab_size;
  f.logits_tokens = f.tokens;
  if (s.framework == TrainFramework::unsloth) {
    const u64 target = loss_chunk_target_bytes == 0 ? kUnslothChunkCapBytes
                                                    : std::min(loss_chunk_target_bytes, kUnslothChunkCapBytes);
    f.logits_tokens = unsloth_chunk_tokens(f.tokens, m.vocab_size, target);
  }
  return f;
}

}  // namespace llmsize::engine
