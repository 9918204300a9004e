// Tensor shapes per architecture, following llama.cpp's llama_model::load_tensors (src/llama-model.cpp)
// and the GGUF tensor names of gguf-py/gguf/constants.py.
#include <algorithm>

#include "llmsize/engine/weights.h"

namespace llmsize {
namespace {

using u64 = std::uint64_t;

class TensorList {
 public:
  explicit TensorList(std::vector<TensorSpec>& out) : out_(out) {}
  void matrix(std::string_view group, std::int32_t layer, u64 rows_in, u64 cols_out, u64 count = 1) {
    out_.push_back({group, layer, rows_in, rows_in * cols_out * count, false, false, false});
  }
  void experts(std::string_view group, std::int32_t layer, u64 row, u64 cols, u64 n_experts) {
    out_.push_back({group, layer, row, row * cols * n_experts, false, false, true});
  }
  void frozen(std::string_view group, std::int32_t layer, u64 row, u64 n_elements) {
    out_.push_back({group, layer, row, n_elements, false, true, false});
  }
  void vec(std::string_view group, std::int32_t layer, u64 n) {
    out_.push_back({group, layer, n, n, true, false, false});
  }

 private:
  std::vector<TensorSpec>& out_;
};

void add_norm(TensorList& t, const Model& m, std::string_view group, std::int32_t layer, u64 n) {
  t.vec(group, layer, n);
  if (m.norm == NormKind::layernorm) t.vec(group, layer, n);  // bias
}

void add_attention(TensorList& t, const Model& m, std::int32_t il) {
  const u64 h = m.hidden_size;
  const u64 heads = m.n_heads;
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
  const u64 hk = head_dim_k(m);
  const u64 hv = head_dim_v(m);
  const u64 kvh = kv_heads(m, static_cast<std::uint32_t>(il));
  t.matrix("attn_q", il, h, heads * hk);
  t.matrix("attn_k", il, h, kvh * hk);
  t.matrix("attn_v", il, h, kvh * hv);
  t.matrix("attn_output", il, heads * hv, h);
  if (m.attention_bias) {
    t.vec("attn_q_bias", il, heads * hk);
    t.vec("attn_k_bias", il, kvh * hk);
    t.vec("attn_v_bias", il, kvh * hv);
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
  }
}

void add_ffn(TensorList& t, const Model& m, std::uint32_t layer) {
  const auto il = static_cast<std::int32_t>(layer);
  const u64 h = m.hidden_size;
  if (is_moe_layer(m, layer)) {
    const MoeDims& e = *m.moe;
    t.frozen("ffn_gate_inp", il, h, h * e.n_experts);
    if (m.ffn_gated) t.experts("ffn_gate_exps", il, h, e.expert_ffn_size, e.n_experts);
    t.experts("ffn_up_exps", il, h, e.expert_ffn_size, e.n_experts);
    t.experts("ffn_down_exps", il, e.expert_ffn_size, h, e.n_experts);
    if (e.expert_bias) {
      t.vec("ffn_up_exps_b", il, u64{e.expert_ffn_size} * e.n_experts * (m.ffn_gated ? 2 : 1));
      t.vec("ffn_down_exps_b", il, h * e.n_experts);
    }
    const u64 shared = e.shared_expert_ffn_size.value_or(e.n_shared_experts * e.expert_ffn_size);
    if (e.n_shared_experts > 0 && shared > 0) {
      if (m.ffn_gated) t.matrix("ffn_gate_shexp", il, h, shared);
      t.matrix("ffn_up_shexp", il, h, shared);
      t.matrix("ffn_down_shexp", il, shared, h);
    }
    return;
  }
  if (m.ffn_size == 0) return;
  if (m.ffn_gated) t.matrix("ffn_gate", il, h, m.ffn_size);
  t.matrix("ffn_up", il, h, m.ffn_size);
  t.matrix("ffn_down", il, m.ffn_size, h);
}

}  // namespace

std::vector<TensorSpec> enumerate_tensors(const Model& m) {
  std::vector<TensorSpec> out;
  TensorList t(out);
  const u64 h = m.hidden_size;
  t.matrix("token_embd", -1, h, m.vocab_size);
  add_norm(t, m, "output_norm", -1, h);
  if (!m.tied_embeddings) t.matrix("output", -1, h, m.vocab_size);
  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    const auto il = static_cast<std::int32_t>(layer);
    add_norm(t, m, "attn_norm", il, h);
    if (is_attention_layer(m, layer)) {
      add_attention(t, m, il);
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
  return out;
}

ParamCounts count_params(const Model& m) {
  ParamCounts p;
  for (const TensorSpec& s : enumerate_tensors(m)) {
    p.total += s.n_elements;
    if (s.is_routed_expert) p.routed_expert += s.n_elements;
  }
  p.active = p.total;
  if (is_moe(m)) {
    const MoeDims& e = *m.moe;
    const u64 inactive = p.routed_expert / e.n_experts * (e.n_experts - e.n_active_experts);
    p.active = p.total - inactive;
  }
  return p;
}

}  // namespace llmsize
