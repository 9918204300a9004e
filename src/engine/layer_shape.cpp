// Per-layer shapes of models whose layers differ. llama.cpp keeps the same facts per layer in
// llama_hparams (n_head_arr, n_head_kv_arr, n_ff_arr, recurrent_layer_arr, swa_layers) and builds
// each block's tensors from them (src/llama-model.cpp load_tensors: LLM_ARCH_DECI, LLM_ARCH_NEMOTRON_H,
// LLM_ARCH_GEMMA4).
#include <algorithm>

#include "llmsize/engine/model.h"

namespace llmsize::engine {

const LayerShape* layer_shape(const Model& m, std::uint32_t layer) {
  return layer < m.layers.size() ? &m.layers[layer] : nullptr;
}

MixerKind mixer_kind(const Model& m, std::uint32_t layer) {
  if (const LayerShape* s = layer_shape(m, layer)) return s->mixer;
  if (is_attention_layer(m, layer)) return MixerKind::attention;
  return m.ssm ? MixerKind::recurrent : MixerKind::none;
}

FfnKind ffn_kind(const Model& m, std::uint32_t layer) {
  if (const LayerShape* s = layer_shape(m, layer)) return s->ffn;
  if (is_moe_layer(m, layer)) return FfnKind::moe;
  return m.ffn_size > 0 ? FfnKind::dense : FfnKind::none;
}

std::uint32_t ffn_size(const Model& m, std::uint32_t layer) {
  if (ffn_kind(m, layer) == FfnKind::none) return 0;
  const LayerShape* s = layer_shape(m, layer);
  return s != nullptr && s->ffn_size ? *s->ffn_size : m.ffn_size;
}

std::uint32_t n_heads(const Model& m, std::uint32_t layer) {
  const LayerShape* s = layer_shape(m, layer);
  return s != nullptr && s->n_heads ? *s->n_heads : m.n_heads;
}

// A layer's own head size applies to K and V alike (Gemma 4: head_dim on sliding layers,
// global_head_dim on full ones; llama_hparams::n_embd_head_k(il) / n_embd_head_v(il)).
std::uint32_t head_dim_k(const Model& m, std::uint32_t layer) {
  const LayerShape* s = layer_shape(m, layer);
  return s != nullptr && s->head_dim ? *s->head_dim : head_dim_k(m);
}

std::uint32_t head_dim_v(const Model& m, std::uint32_t layer) {
  const LayerShape* s = layer_shape(m, layer);
  return s != nullptr && s->head_dim ? *s->head_dim : head_dim_v(m);
}

std::uint64_t max_query_width(const Model& m) {
  std::uint64_t widest = std::uint64_t{m.n_heads} * head_dim_k(m);
  for (std::uint32_t l = 0; l < m.layers.size(); ++l) {
    if (m.layers[l].mixer != MixerKind::attention) continue;
    widest = std::max(widest, std::uint64_t{n_heads(m, l)} * head_dim_k(m, l));
  }
  return widest;
}

}  // namespace llmsize::engine
