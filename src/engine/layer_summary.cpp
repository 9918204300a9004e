// A model's layers grouped by shape, for the speed model's per-layer sums (layer_summary.h).
#include "llmsize/engine/layer_summary.h"

#include <algorithm>

namespace llmsize::engine {

KvRowElements kv_row_elements(const Model& m, std::uint32_t layer) {
  if (m.mla) return {std::uint64_t{m.mla->kv_lora_rank} + m.mla->qk_rope_head_dim, 0};
  const std::uint64_t heads = kv_heads(m, layer);
  return {heads * head_dim_k(m, layer), heads * head_dim_v(m, layer)};
}

LayerSummary summarize_layers(const Model& m) {
  LayerSummary s;
  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    if (is_recurrent_layer(m, layer)) {
      ++s.recurrent_layers;
      continue;
    }
    if (!is_attention_layer(m, layer)) continue;
    // A layer sharing another's cache reads that layer's rows (kv_source_layer).
    const KvRowElements row = kv_row_elements(m, kv_source_layer(m, layer));
    const AttentionGroup shape{.layers = 0,
                               .n_heads = n_heads(m, layer),
                               .head_dim_k = head_dim_k(m, layer),
                               .head_dim_v = head_dim_v(m, layer),
                               .k_elements = row.k,
                               .v_elements = row.v,
                               .sliding = is_sliding_layer(m, layer)};
    const auto same = [&](AttentionGroup g) {
      g.layers = 0;
      return g == shape;
    };
    auto group = std::find_if(s.attention.begin(), s.attention.end(), same);
    if (group == s.attention.end()) group = s.attention.insert(s.attention.end(), shape);
    ++group->layers;
  }
  return s;
}

double attention_pair_flops(const Model& m, const AttentionGroup& g, bool mla_absorbed) {
  if (m.mla && mla_absorbed) {
    // llama.cpp's absorbed MLA (build_deepseek2, is_mla): every query head attends to the one latent row,
    // K = kv_lora_rank + qk_rope_head_dim values, V = the kv_lora_rank part.
    return 2.0 * (std::uint64_t{m.mla->kv_lora_rank} + m.mla->qk_rope_head_dim) + 2.0 * m.mla->kv_lora_rank;
  }
  return 2.0 * g.head_dim_k + 2.0 * g.head_dim_v;
}

std::optional<double> attention_window(const Model& m, const AttentionGroup& g, bool swa_full) {
  if (!g.sliding || !m.sliding_window || swa_full) return std::nullopt;
  return static_cast<double>(*m.sliding_window);
}

double mean_cells_seen(double prompt_tokens, double depth_tokens, std::optional<double> window) {
  const double d = depth_tokens;
  const double p = prompt_tokens;
  if (!window) return d + p / 2;
  const double w = *window;
  if (p <= 0 || d >= w) return std::min(d, w);
  if (d + p <= w) return d + p / 2;
  // ∫ from d to d + p of min(w, x) dx, over p.
  return ((w * w - d * d) / 2 + w * (d + p - w)) / p;
}

}  // namespace llmsize::engine
