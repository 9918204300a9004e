// Tensor shapes per architecture, following llama.cpp's llama_model::load_tensors (src/llama-model.cpp)
// and the GGUF tensor names of gguf-py/gguf/constants.py.
#include <algorithm>

#include "llmsize/engine/weights.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

class TensorList {
 public:
  explicit TensorList(std::vector<TensorSpec>& out) : out_(out) {}
  void matrix(std::string_view group, std::int32_t layer, u64 rows_in, u64 cols_out, u64 count = 1) {
    out_.push_back({std::string(group), layer, rows_in, rows_in * cols_out * count, false, false, false});
  }
  void experts(std::string_view group, std::int32_t layer, u64 row, u64 cols, u64 n_experts) {
    out_.push_back({std::string(group), layer, row, row * cols * n_experts, false, false, true});
  }
  void frozen(std::string_view group, std::int32_t layer, u64 row, u64 n_elements) {
    out_.push_back({std::string(group), layer, row, n_elements, false, true, false});
  }
  void vec(std::string_view group, std::int32_t layer, u64 n) {
    out_.push_back({std::string(group), layer, n, n, true, false, false});
  }
  /// Marks every tensor listed from `first` on as in the file but not loaded (MTP blocks).
  void mark_not_loaded(std::size_t first) {
    for (std::size_t i = first; i < out_.size(); ++i) out_[i].not_loaded = true;
  }
  [[nodiscard]] std::size_t size() const { return out_.size(); }

 private:
  std::vector<TensorSpec>& out_;
};

void add_norm(TensorList& t, const Model& m, std::string_view group, std::int32_t layer, u64 n) {
  t.vec(group, layer, n);
  if (m.norm == NormKind::layernorm) t.vec(group, layer, n);  // bias
}

void add_attention(TensorList& t, const Model& m, std::int32_t il) {
  const u64 h = m.hidden_size;
  const auto layer = static_cast<std::uint32_t>(il);
  const u64 heads = n_heads(m, layer);
  if (m.mla) {
    const MlaDims& d = *m.mla;
    const u64 qk_head = d.qk_nope_head_dim + d.qk_rope_head_dim;
    if (d.q_lora_rank > 0) {
      t.matrix("attn_q_a", il, h, d.q_lora_rank);
      t.vec("attn_q_a_norm", il, d.q_lora_rank);
      t.matrix("attn_q_b", il, d.q_lora_rank, heads * qk_head);
    } else {
      t.matrix("attn_q", il, h, heads * qk_head);
    }
    t.matrix("attn_kv_a_mqa", il, h, u64{d.kv_lora_rank} + d.qk_rope_head_dim);
    t.vec("attn_kv_a_norm", il, d.kv_lora_rank);
    t.matrix("attn_kv_b", il, d.kv_lora_rank, heads * (u64{d.qk_nope_head_dim} + d.v_head_dim));
    t.matrix("attn_output", il, heads * d.v_head_dim, h);
    return;
  }
  const u64 hk = head_dim_k(m, layer);
  const u64 hv = head_dim_v(m, layer);
  const u64 kvh = kv_heads(m, layer);
  const LayerShape* shape = layer_shape(m, layer);
  const bool v_from_k = shape != nullptr && shape->v_from_k;
  // Gated attention: the query projection also yields the output gate (Qwen3-Next, Qwen3.5).
  const u64 q_width = heads * hk * (m.attention_output_gate ? 2 : 1);
  t.matrix("attn_q", il, h, q_width);
  t.matrix("attn_k", il, h, kvh * hk);
  if (!v_from_k) t.matrix("attn_v", il, h, kvh * hv);
  t.matrix("attn_output", il, heads * hv, h);
  if (m.attention_bias) {
    t.vec("attn_q_bias", il, q_width);
    t.vec("attn_k_bias", il, kvh * hk);
    if (!v_from_k) t.vec("attn_v_bias", il, kvh * hv);
  }
  if (m.attention_output_bias) t.vec("attn_output_bias", il, h);
  if (m.qk_norm) {
    t.vec("attn_q_norm", il, hk);
    t.vec("attn_k_norm", il, hk);
  }
}

// Recurrent mixers (llama.cpp: build_mamba_layer, build_mamba2_layer, qwen3next's gated delta net,
// lfm2's shortconv). Convolution kernels and A/D vectors are never quantized.
void add_recurrent(TensorList& t, const Model& m, std::int32_t il) {
  const SsmDims& s = *m.ssm;
  const u64 h = m.hidden_size;
  const u64 conv_taps = s.d_conv;
  switch (s.kind) {
    case SsmKind::mamba: {
      const u64 dt_rank = (h + 15) / 16;
      t.matrix("ssm_in", il, h, 2 * u64{s.d_inner});
      t.frozen("ssm_conv1d", il, conv_taps, conv_taps * s.d_inner);
      t.vec("ssm_conv1d_b", il, s.d_inner);
      t.matrix("ssm_x", il, s.d_inner, dt_rank + 2 * u64{s.d_state});
      t.matrix("ssm_dt", il, dt_rank, s.d_inner);
      t.vec("ssm_dt_b", il, s.d_inner);
      t.frozen("ssm_a", il, s.d_state, u64{s.d_state} * s.d_inner);
      t.vec("ssm_d", il, s.d_inner);
      t.matrix("ssm_out", il, s.d_inner, h);
      return;
    }
    case SsmKind::mamba2: {
      const u64 xbc = u64{s.d_inner} + 2 * u64{s.n_groups} * s.d_state;
      t.matrix("ssm_in", il, h, u64{s.d_inner} + xbc + s.n_heads);
      t.frozen("ssm_conv1d", il, conv_taps, conv_taps * xbc);
      t.vec("ssm_conv1d_b", il, xbc);
      t.vec("ssm_dt_b", il, s.n_heads);
      t.vec("ssm_a", il, s.n_heads);
      t.vec("ssm_d", il, s.n_heads);
      t.vec("ssm_norm", il, s.d_inner);
      t.matrix("ssm_out", il, s.d_inner, h);
      return;
    }
    case SsmKind::gated_deltanet: {
      // n_groups = key heads, d_state = key head size, n_heads = value heads, d_inner = value dim.
      const u64 key_dim = u64{s.n_groups} * s.d_state;
      const u64 conv_dim = 2 * key_dim + s.d_inner;
      t.matrix("ssm_in", il, h, 2 * key_dim + 2 * u64{s.d_inner});
      t.matrix("ssm_beta_alpha", il, h, 2 * u64{s.n_heads});
      t.frozen("ssm_conv1d", il, conv_taps, conv_taps * conv_dim);
      t.vec("ssm_dt_b", il, s.n_heads);
      t.vec("ssm_a", il, s.n_heads);
      t.vec("ssm_norm", il, s.head_dim);
      t.matrix("ssm_out", il, s.d_inner, h);
      return;
    }
    case SsmKind::shortconv: {
      t.matrix("ssm_in", il, h, 3 * h);
      t.frozen("ssm_conv1d", il, conv_taps, conv_taps * h);
      t.matrix("ssm_out", il, h, h);
      return;
    }
    case SsmKind::rwkv6:
    case SsmKind::rwkv7: return;  // whole blocks: add_rwkv_block
  }
}

// RWKV blocks (llama.cpp load_tensors for LLM_ARCH_RWKV6 / LLM_ARCH_RWKV7): two layernorms, the time
// mix (receptance, key, value, [gate,] output projections; low-rank decay / mixing LoRAs; token-shift
// interpolation vectors) and the channel mix (key n_embd → ffn, value ffn → n_embd, RWKV-6 also a
// receptance). llama-quantize leaves the LoRAs and interpolation tensors unquantized (llama-quant.cpp:
// "do not quantize RWKV's small yet 2D weights").
void add_rwkv_block(TensorList& t, const Model& m, std::int32_t il) {
  const SsmDims& s = *m.ssm;
  const u64 h = m.hidden_size;
  const u64 attn = s.d_inner;  // attn_hidden_size (= n_embd in released models)
  const u64 ffn = m.ffn_size;
  for (const char* norm : {"attn_norm", "attn_norm_2"}) {
    t.vec(norm, il, h);
    t.vec(norm, il, h);  // layernorm bias
  }
  if (s.kind == SsmKind::rwkv6) {
    t.frozen("time_mix_w1", il, h, h * s.lora_mix * 5);
    t.frozen("time_mix_w2", il, s.lora_mix, u64{s.lora_mix} * h * 5);
    t.vec("time_mix_lerp_x", il, h);
    t.vec("time_mix_lerp_fused", il, 5 * h);
    t.vec("time_mix_first", il, attn);
    t.vec("time_mix_decay", il, attn);
    t.frozen("time_mix_decay_w1", il, h, h * s.lora_decay);
    t.frozen("time_mix_decay_w2", il, s.lora_decay, u64{s.lora_decay} * attn);
    t.matrix("time_mix_key", il, h, attn);
    t.matrix("time_mix_value", il, h, attn);
    t.matrix("time_mix_receptance", il, h, attn);
    t.matrix("time_mix_gate", il, h, attn);
    t.vec("time_mix_ln", il, h);
    t.vec("time_mix_ln", il, h);
    t.matrix("time_mix_output", il, attn, h);
    t.vec("channel_mix_lerp_k", il, h);
    t.vec("channel_mix_lerp_r", il, h);
    t.matrix("channel_mix_key", il, h, ffn);
    t.matrix("channel_mix_receptance", il, h, h);
    t.matrix("channel_mix_value", il, ffn, h);
    return;
  }
  // RWKV-7: layer 0's value-mix LoRA has the iclr rank ("actually not used").
  const u64 value_rank = il == 0 ? s.lora_iclr : s.lora_value_mix;
  struct Lora {
    const char* bias;
    const char* down;
    const char* up;
    u64 rank;
  };
  const Lora loras[] = {{"time_mix_w0", "time_mix_w1", "time_mix_w2", s.lora_decay},
                        {"time_mix_a0", "time_mix_a1", "time_mix_a2", s.lora_iclr},
                        {"time_mix_v0", "time_mix_v1", "time_mix_v2", value_rank}};
  for (const Lora& l : loras) {
    t.vec(l.bias, il, h);
    t.frozen(l.down, il, h, h * l.rank);
    t.frozen(l.up, il, l.rank, l.rank * h);
  }
  t.frozen("time_mix_g1", il, h, h * s.lora_gate);
  t.frozen("time_mix_g2", il, s.lora_gate, u64{s.lora_gate} * h);
  t.vec("time_mix_lerp_fused", il, 6 * h);
  t.vec("time_mix_k_k", il, attn);
  t.vec("time_mix_k_a", il, attn);
  t.vec("time_mix_r_k", il, attn);
  t.matrix("time_mix_key", il, h, attn);
  t.matrix("time_mix_value", il, h, attn);
  t.matrix("time_mix_receptance", il, h, attn);
  t.vec("time_mix_ln", il, h);
  t.vec("time_mix_ln", il, h);
  t.matrix("time_mix_output", il, attn, h);
  t.vec("channel_mix_lerp_k", il, h);
  t.matrix("channel_mix_key", il, h, ffn);
  t.matrix("channel_mix_value", il, ffn, h);
}

bool is_rwkv(const Model& m) {
  return m.ssm && (m.ssm->kind == SsmKind::rwkv6 || m.ssm->kind == SsmKind::rwkv7);
}

void add_ffn(TensorList& t, const Model& m, std::uint32_t layer) {
  const auto il = static_cast<std::int32_t>(layer);
  const u64 h = m.hidden_size;
  if (is_moe_layer(m, layer)) {
    const MoeDims& e = *m.moe;
    t.frozen("ffn_gate_inp", il, h, h * e.n_experts);
    if (e.router_bias) t.vec("exp_probs_b", il, e.n_experts);
    if (m.ffn_gated) t.experts("ffn_gate_exps", il, h, e.expert_ffn_size, e.n_experts);
    t.experts("ffn_up_exps", il, h, e.expert_ffn_size, e.n_experts);
    t.experts("ffn_down_exps", il, e.expert_ffn_size, h, e.n_experts);
    if (e.expert_bias) {
      t.vec("ffn_up_exps_b", il, u64{e.expert_ffn_size} * e.n_experts * (m.ffn_gated ? 2 : 1));
      t.vec("ffn_down_exps_b", il, h * e.n_experts);
    }
    const u64 shared = e.shared_expert_ffn_size.value_or(e.n_shared_experts * e.expert_ffn_size);
    if (e.n_shared_experts > 0 && shared > 0) {
      if (e.shared_expert_gate) t.vec("ffn_gate_inp_shexp", il, h);
      if (m.ffn_gated) t.matrix("ffn_gate_shexp", il, h, shared);
      t.matrix("ffn_up_shexp", il, h, shared);
      t.matrix("ffn_down_shexp", il, shared, h);
    }
    return;
  }
  const u64 width = ffn_size(m, layer);
  if (width == 0) return;
  if (m.ffn_gated) t.matrix("ffn_gate", il, h, width);
  t.matrix("ffn_up", il, h, width);
  t.matrix("ffn_down", il, width, h);
}

// A layer of a model whose layers differ (Model::layers): a norm before each part it has, as
// llama.cpp's DeciLM blocks (attn_norm only with attention, ffn_norm only with an FFN). Nemotron-H
// names its one norm attn_norm whatever the block holds; the bytes are the same.
void add_shaped_layer(TensorList& t, const Model& m, std::uint32_t layer) {
  const LayerShape& s = m.layers[layer];
  const auto il = static_cast<std::int32_t>(layer);
  const u64 h = m.hidden_size;
  if (s.mixer != MixerKind::none) add_norm(t, m, "attn_norm", il, h);
  switch (s.mixer) {
    case MixerKind::attention: add_attention(t, m, il); break;
    case MixerKind::recurrent:
      if (m.ssm) add_recurrent(t, m, il);
      break;
    case MixerKind::linear: t.matrix("attn_output", il, h, h); break;
    case MixerKind::none: break;
  }
  if (s.ffn == FfnKind::none) return;
  add_norm(t, m, "ffn_norm", il, h);
  add_ffn(t, m, layer);
}

// Per-layer token embeddings (llama.cpp load_tensors, LLM_ARCH_GEMMA3N / LLM_ARCH_GEMMA4): the table
// per_layer_token_embd [size × n_layers, vocab] (an input tensor, like token_embd), its projection
// from the hidden state and a norm; Gemma 3n's AltUp projections. llama-quantize leaves altup*,
// laurel* and per_layer_model_proj unquantized (llama-quant.cpp).
void add_per_layer_input_globals(TensorList& t, const Model& m) {
  const PerLayerInputs& p = *m.per_layer_inputs;
  const u64 h = m.hidden_size;
  const u64 all_layers = u64{p.size} * m.n_layers;
  t.matrix("per_layer_token_embd", -1, all_layers, m.vocab_size);
  t.frozen("per_layer_model_proj", -1, h, h * all_layers);
  t.vec("per_layer_proj_norm", -1, p.size);
  if (p.altup_inputs > 1) {
    t.frozen("altup_proj", -1, h, h * h * (p.altup_inputs - 1));
    t.frozen("altup_unembd_proj", -1, h, h * h * (p.altup_inputs - 1));
  }
}

void add_per_layer_inputs(TensorList& t, const Model& m, std::int32_t il) {
  const PerLayerInputs& p = *m.per_layer_inputs;
  const u64 h = m.hidden_size;
  t.matrix("inp_gate", il, h, p.size);
  t.matrix("proj", il, p.size, h);
  t.vec("post_norm", il, h);
  if (p.altup_inputs > 0) {
    const u64 n = p.altup_inputs;
    t.frozen("altup_correct_coef", il, n, n * n);
    t.vec("altup_correct_scale", il, h);
    t.frozen("altup_predict_coef", il, n, n * n * n);
    t.frozen("altup_router", il, h, h * n);
    t.vec("altup_router_norm", il, h);
  }
  if (p.laurel_rank > 0) {
    t.frozen("laurel_l", il, h, h * p.laurel_rank);
    t.frozen("laurel_r", il, p.laurel_rank, u64{p.laurel_rank} * h);
    t.vec("laurel_post_norm", il, h);
  }
}

// DeepSeek sparse attention's lightning indexer (llama.cpp llama_model_deepseek32::load_arch_tensors):
// indexer.k_norm {head_dim} + bias, indexer.proj {n_embd, n_heads}, indexer.attn_k {n_embd, head_dim},
// indexer.attn_q_b {q_lora_rank, n_heads × head_dim}. llama-quantize quantizes the three matrices.
void add_indexer(TensorList& t, const Model& m, std::int32_t il) {
  const IndexerDims& x = *m.indexer;
  const u64 h = m.hidden_size;
  const u64 q_rank = m.mla ? m.mla->q_lora_rank : 0;
  t.vec("indexer_k_norm", il, x.head_dim);
  t.vec("indexer_k_norm", il, x.head_dim);  // layernorm bias
  t.matrix("indexer_proj", il, h, x.n_heads);
  t.matrix("indexer_attn_k", il, h, x.head_dim);
  if (q_rank > 0) t.matrix("indexer_attn_q_b", il, q_rank, u64{x.n_heads} * x.head_dim);
}

// Multi-token-prediction blocks after the trunk (llama.cpp glm4-moe.cpp, qwen35.cpp, deepseek32:
// layers n_layer .. n_layer_all − 1): a full-attention decoder block with the FFN its index gives,
// plus nextn.eh_proj {2 n_embd, n_embd}, enorm, hnorm and shared_head_norm {n_embd}. The optional
// per-block embed_tokens / shared_head_head copies (TENSOR_NOT_REQUIRED) are not listed. llama.cpp
// creates all of them with TENSOR_SKIP: they are in the file, never allocated, never run.
void add_nextn_blocks(TensorList& t, const Model& m) {
  const u64 h = m.hidden_size;
  const std::size_t first = t.size();
  for (std::uint32_t k = 0; k < m.nextn_layers; ++k) {
    const std::uint32_t layer = m.n_layers + k;
    const auto il = static_cast<std::int32_t>(layer);
    add_norm(t, m, "attn_norm", il, h);
    add_attention(t, m, il);
    if (m.indexer) add_indexer(t, m, il);
    add_norm(t, m, "ffn_norm", il, h);
    add_ffn(t, m, layer);
    t.matrix("nextn_eh_proj", il, 2 * h, h);
    t.vec("nextn_enorm", il, h);
    t.vec("nextn_hnorm", il, h);
    t.vec("nextn_shared_head_norm", il, h);
  }
  t.mark_not_loaded(first);
}

}  // namespace

// llama-arch.cpp LLM_TENSOR_INFOS: the tensors of class LLM_TENSOR_LAYER_INPUT that models here have.
bool is_input_tensor(std::string_view group) { return group == "token_embd" || group == "per_layer_token_embd"; }

std::vector<TensorSpec> enumerate_tensors(const Model& m) {
  constexpr std::size_t kGlobalTensors = 8;     // token_embd, norms, output and their biases
  constexpr std::size_t kTensorsPerLayer = 24;  // a generous block: attention, FFN, experts, norms, biases
  std::vector<TensorSpec> out;
  out.reserve(kGlobalTensors + kTensorsPerLayer * std::size_t{m.n_layers});
  TensorList t(out);
  const u64 h = m.hidden_size;
  t.matrix("token_embd", -1, h, m.vocab_size);
  if (is_rwkv(m)) {  // RWKV normalizes the embeddings (layernorm "ln0")
    t.vec("token_embd_norm", -1, h);
    t.vec("token_embd_norm", -1, h);
  }
  add_norm(t, m, "output_norm", -1, h);
  if (!m.tied_embeddings) t.matrix("output", -1, h, m.vocab_size);
  if (m.per_layer_inputs) add_per_layer_input_globals(t, m);
  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    const auto il = static_cast<std::int32_t>(layer);
    if (m.per_layer_inputs) add_per_layer_inputs(t, m, il);
    if (!m.layers.empty()) {
      add_shaped_layer(t, m, layer);
      continue;
    }
    if (is_rwkv(m)) {
      add_rwkv_block(t, m, il);
      continue;
    }
    add_norm(t, m, "attn_norm", il, h);
    if (is_attention_layer(m, layer)) {
      add_attention(t, m, il);
      if (m.indexer) add_indexer(t, m, il);
    } else if (m.ssm) {
      add_recurrent(t, m, il);
    }
    // Pure recurrent Mamba blocks have no separate FFN.
    const bool has_ffn = m.moe.has_value() || m.ffn_size > 0;
    if (has_ffn) {
      add_norm(t, m, "ffn_norm", il, h);
      add_ffn(t, m, layer);
    }
  }
  add_nextn_blocks(t, m);
  return out;
}

ParamCounts count_params(const Model& m) {
  ParamCounts p;
  for (const TensorSpec& s : enumerate_tensors(m)) {
    if (s.not_loaded) {
      p.not_loaded += s.n_elements;
      continue;
    }
    p.total += s.n_elements;
    if (s.is_routed_expert) p.routed_expert += s.n_elements;
    if (s.group == "per_layer_token_embd") p.per_layer_embd += s.n_elements;
  }
  p.active = p.total;
  if (is_moe(m)) {
    const MoeDims& e = *m.moe;
    const u64 inactive = p.routed_expert / e.n_experts * (e.n_experts - e.n_active_experts);
    p.active = p.total - inactive;
  }
  return p;
}

}  // namespace llmsize::engine
