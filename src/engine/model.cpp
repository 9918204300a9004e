#include "llmsize/engine/model.h"

#include <algorithm>

namespace llmsize::engine {

std::uint32_t head_dim_k(const Model& m) {
  if (m.head_dim) return *m.head_dim;
  return m.n_heads == 0 ? 0 : m.hidden_size / m.n_heads;
}

std::uint32_t head_dim_v(const Model& m) { return m.head_dim_v.value_or(head_dim_k(m)); }

std::uint32_t kv_heads(const Model& m, std::uint32_t layer) {
  if (const LayerShape* s = layer_shape(m, layer); s != nullptr && s->n_kv_heads) return *s->n_kv_heads;
  if (!m.n_kv_heads_per_layer.empty() && layer < m.n_kv_heads_per_layer.size()) {
    return m.n_kv_heads_per_layer[layer];
  }
  return m.n_kv_heads;
}

bool is_attention_layer(const Model& m, std::uint32_t layer) {
  if (const LayerShape* s = layer_shape(m, layer)) return s->mixer == MixerKind::attention;
  if (m.attention_layers) {
    const auto& a = *m.attention_layers;
    return std::find(a.begin(), a.end(), layer) != a.end();
  }
  return !m.ssm;  // a pure SSM model has no attention layers
}

bool is_recurrent_layer(const Model& m, std::uint32_t layer) {
  if (const LayerShape* s = layer_shape(m, layer)) return m.ssm.has_value() && s->mixer == MixerKind::recurrent;
  return m.ssm.has_value() && !is_attention_layer(m, layer);
}

// llama.cpp llama_hparams::set_swa_pattern: layer il is sliding when il % n_pattern < n_pattern - 1;
// n_pattern 1 (or 0) makes every layer sliding (src/llama-hparams.cpp).
bool is_sliding_layer(const Model& m, std::uint32_t layer) {
  if (!m.sliding_window || !is_attention_layer(m, layer)) return false;
  if (const LayerShape* s = layer_shape(m, layer); s != nullptr && s->sliding) return *s->sliding;
  const std::uint32_t pattern = m.sliding_window_pattern.value_or(1);
  if (pattern <= 1) return true;
  return layer % pattern < pattern - 1;
}

bool has_own_kv(const Model& m, std::uint32_t layer) {
  return !m.kv_shared_from_layer || layer < *m.kv_shared_from_layer;
}

// llama.cpp src/llama-model.cpp (create_memory, LLM_ARCH_GEMMA3N): reuse(il) = n_layer_kv_from_start −
// (is_swa(il) ? 2 : 1) for il ≥ n_layer_kv_from_start: the last owning layer of the same kind when the
// pattern ends the owning run on a full layer (Gemma 3n: layers 18 sliding, 19 full).
std::uint32_t kv_source_layer(const Model& m, std::uint32_t layer) {
  if (has_own_kv(m, layer)) return layer;
  const std::uint32_t back = is_sliding_layer(m, layer) ? 2 : 1;
  const std::uint32_t from = *m.kv_shared_from_layer;
  return from >= back ? from - back : 0;
}

bool is_moe(const Model& m) { return m.moe.has_value() && m.moe->n_experts > 1; }

bool is_moe_layer(const Model& m, std::uint32_t layer) {
  if (!is_moe(m)) return false;
  if (const LayerShape* s = layer_shape(m, layer)) return s->ffn == FfnKind::moe;
  const MoeDims& e = *m.moe;
  if (layer < e.n_dense_leading_layers) return false;
  const std::uint32_t step = std::max<std::uint32_t>(e.moe_layer_step, 1);
  // Interleaved MoE (Llama 4 Maverick: interleave_moe_layer_step 2) puts experts on the last layer
  // of each group of `step`: layers 1, 3, 5, ...
  return (layer - e.n_dense_leading_layers) % step == step - 1;
}

}  // namespace llmsize::engine
