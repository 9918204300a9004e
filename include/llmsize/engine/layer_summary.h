#pragma once
/// A model's layers grouped by what a decoded token reads and computes in each: the per-layer sums of
/// the speed model (KV bytes read at a depth, CPU flash-attention work, prefill attention FLOPs) depend
/// on the model alone, so a caller that predicts one model on many configurations summarizes it once and
/// the sums take one term per group instead of one per layer.
#include <cstdint>
#include <optional>
#include <vector>

#include "llmsize/engine/model.h"

namespace llmsize::engine {

/// Attention layers alike in their query heads, head sizes, the cache row they read and whether they
/// slide: every per-layer term of the speed model is the same for each of them.
struct AttentionGroup {
  std::uint32_t layers = 0;      ///< attention layers of this shape
  std::uint32_t n_heads = 0;     ///< query heads (n_heads(m, layer))
  std::uint32_t head_dim_k = 0;  ///< the layer's own head sizes (head_dim_k(m, layer), head_dim_v(m, layer))
  std::uint32_t head_dim_v = 0;
  /// Values per cached cell of the K and V rows the layer reads: those of its kv_source_layer
  /// (kv_row_elements); v is 0 for MLA, whose one latent row serves K and V.
  std::uint64_t k_elements = 0;
  std::uint64_t v_elements = 0;
  bool sliding = false;  ///< is_sliding_layer: sees at most the sliding window unless --swa-full
  friend bool operator==(const AttentionGroup&, const AttentionGroup&) = default;
};

struct LayerSummary {
  std::vector<AttentionGroup> attention;  ///< in the order of each group's first layer
  std::uint32_t recurrent_layers = 0;     ///< layers holding a recurrent state (is_recurrent_layer)
  friend bool operator==(const LayerSummary&, const LayerSummary&) = default;
};

/// K and V values per cached cell of layer `layer` (its own row; MLA: kv_lora_rank + qk_rope_head_dim
/// values in K and none in V, llama.cpp storing V as a view of K).
struct KvRowElements {
  std::uint64_t k = 0;
  std::uint64_t v = 0;
};
[[nodiscard]] KvRowElements kv_row_elements(const Model& m, std::uint32_t layer);

/// One pass over the model's layers (src/engine/layer_summary.cpp).
[[nodiscard]] LayerSummary summarize_layers(const Model& m);

/// FLOPs per query head and (query, cached key) pair of a layer of group `g`: 2·DK (q·k) + 2·DV (the V
/// multiply-add). MLA as llama.cpp runs it (absorbed, src/llama-model.cpp build_deepseek2 with is_mla):
/// DK = kv_lora_rank + qk_rope_head_dim, DV = kv_lora_rank (DeepSeek-V3: 2 × 576 + 2 × 512 = 2,176).
/// `mla_absorbed` false: MLA expanded back to per-head K and V (ik_llama.cpp's prompts with -mla 3, vLLM's
/// prefill): the group's own head sizes (DeepSeek-V3: 2 × 192 + 2 × 128 = 640).
[[nodiscard]] double attention_pair_flops(const Model& m, const AttentionGroup& g, bool mla_absorbed = true);

/// The window a layer of group `g` attends within: the model's sliding window for a sliding layer, unless
/// `swa_full` keeps the whole context; none for a full layer.
[[nodiscard]] std::optional<double> attention_window(const Model& m, const AttentionGroup& g, bool swa_full);

/// The cells a prompt token attends to, averaged over a prompt of P tokens after D already cached: D + P / 2;
/// with a sliding `window` W, the mean of min(W, D + i) over the prompt (min(W, D) for P = 0).
[[nodiscard]] double mean_cells_seen(double prompt_tokens, double depth_tokens, std::optional<double> window);

}  // namespace llmsize::engine
