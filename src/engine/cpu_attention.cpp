// Decode attention on llama.cpp's CPU backend with flash attention: work per (query head, cached
// position), dealt out to threads the way ggml-cpu's flash_attn_ext does.
#include "llmsize/engine/cpu_attention.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace llmsize::engine {
namespace {

// 2·DK (K·q) + 2·DV (the V multiply-add) per query head and cached position of a layer.
double pair_flops(const AttentionGroup& g) { return 2.0 * g.head_dim_k + 2.0 * g.head_dim_v; }

// llama.cpp's split across the cache takes an unquantized cache of one type (ggml F32 = 0, F16 = 1).
bool unquantized_cache(const KvSettings& kv) {
  const auto is_f16_or_f32 = [](const TensorType& t) { return t.ggml_type && *t.ggml_type <= 1; };
  return kv.type_k == kv.type_v && is_f16_or_f32(*kv.type_k);
}

}  // namespace

double cpu_flash_decode_flops_per_thread(const Model& m, const KvSettings& kv, std::uint64_t cells,
                                         std::uint32_t threads, std::uint32_t queries, Engine engine) {
  return cpu_flash_decode_flops_per_thread(m, summarize_layers(m), kv, cells, threads, queries, engine);
}

double cpu_flash_decode_flops_per_thread(const Model& m, const LayerSummary& layers, const KvSettings& kv,
                                         std::uint64_t cells, std::uint32_t threads, std::uint32_t queries,
                                         Engine engine) {
  if (!kv.runtime.flash_attention || kv.type_k == nullptr || kv.type_v == nullptr || threads == 0 || m.mla) return 0;
  // ik_llama.cpp deals a decoded token's (KV head, cache chunk) pieces to every thread, any cache type.
  const bool ik_split = engine == Engine::ik_llama_cpp && queries == 1;
  const bool split_cache = ik_split || (queries == 1 && cells >= kCpuSplitKvMinCells && unquantized_cache(kv));
  double flops = 0;
  for (const AttentionGroup& g : layers.attention) {
    std::uint64_t seen = cells;
    if (g.sliding && !kv.swa_full) seen = std::min<std::uint64_t>(seen, *m.sliding_window);
    const double rows = static_cast<double>(queries) * g.n_heads;
    const double per_thread = split_cache ? rows * static_cast<double>(seen) / threads
                                          : std::ceil(rows / threads) * static_cast<double>(seen);
    flops += g.layers * (per_thread * pair_flops(g));
  }
  return flops;
}

double cpu_flash_prefill_flops_per_token(const Model& m, const LayerSummary& layers, double prompt_tokens,
                                         double depth_tokens, bool swa_full) {
  if (m.mla) return 0;
  double flops = 0;
  for (const AttentionGroup& g : layers.attention) {
    const double seen = mean_cells_seen(prompt_tokens, depth_tokens, attention_window(m, g, swa_full));
    flops += g.layers * (static_cast<double>(g.n_heads) * std::max(0.0, seen - kCpuFlashCachedCells) * pair_flops(g));
  }
  return flops;
}

double cpu_flash_decode_seconds(const Model& m, const KvSettings& kv, std::uint64_t cells, std::uint32_t threads,
                                double thread_flops_per_s, std::uint32_t queries, Engine engine) {
  return cpu_flash_decode_seconds(m, summarize_layers(m), kv, cells, threads, thread_flops_per_s, queries, engine);
}

double cpu_flash_decode_seconds(const Model& m, const LayerSummary& layers, const KvSettings& kv, std::uint64_t cells,
                                std::uint32_t threads, double thread_flops_per_s, std::uint32_t queries, Engine engine) {
  if (thread_flops_per_s <= 0) return 0;
  const double share = engine == Engine::ik_llama_cpp ? kIkCpuFlashAttentionEfficiency : kCpuFlashAttentionEfficiency;
  return cpu_flash_decode_flops_per_thread(m, layers, kv, cells, threads, queries, engine) / (thread_flops_per_s * share);
}

}  // namespace llmsize::engine
