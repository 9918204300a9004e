#include "llmsize/engine/kv.h"

#include <algorithm>

#include "llmsize/engine/layer_summary.h"
#include "llmsize/units.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

constexpr u64 kRwkvTokenShifts = 2;  // llama_hparams::token_shift_count for RWKV-6 and RWKV-7

// Recurrent state per sequence per layer, in f32 values (llama_hparams::n_embd_r / n_embd_s,
// src/llama-hparams.cpp). RWKV: r = token_shift_count × n_embd with token_shift_count 2 (the time
// mix's and the channel mix's previous token; llm_build_rwkv6/7 assert it is 2), s = n_embd ×
// wkv_head_size (one head_size × head_size matrix per head).
u64 recurrent_state_elements(const Model& m) {
  const SsmDims& s = *m.ssm;
  const u64 taps = s.d_conv > 0 ? s.d_conv - 1 : 0;
  switch (s.kind) {
    case SsmKind::rwkv6:
    case SsmKind::rwkv7: return kRwkvTokenShifts * u64{m.hidden_size} + u64{m.hidden_size} * s.head_dim;
    case SsmKind::mamba: return taps * s.d_inner + u64{s.d_state} * s.d_inner;
    case SsmKind::mamba2: return taps * (s.d_inner + 2 * u64{s.n_groups} * s.d_state) + u64{s.d_state} * s.d_inner;
    case SsmKind::gated_deltanet:
      return taps * (s.d_inner + 2 * u64{s.n_groups} * s.d_state) + u64{s.d_state} * s.d_inner;
    case SsmKind::shortconv: return taps * s.d_inner;
  }
  return 0;
}

constexpr u64 kRecurrentBytesPerValue = 4;  // llama.cpp keeps r and s states in f32

const TensorType& effective_v_type(const KvSettings& s, bool& kept_f16) {
  kept_f16 = false;
  if (!s.runtime.flash_attention && s.type_v->block_weights > 1 && s.type_v_without_flash_attention != nullptr) {
    kept_f16 = true;
    return *s.type_v_without_flash_attention;
  }
  return *s.type_v;
}

// DeepSeek sparse attention keeps a second cache beside the MLA one (llama.cpp llama_kv_cache_dsa):
// a llama_kv_cache built from hparams with n_head_kv = 1 and n_embd_head_k = indexer_head_size, the
// same type_k and cell count, and no V (MLA: has_v = !is_mla). One head_dim row per cell and layer.
u64 indexer_row_bytes(const Model& m, const TensorType& type_k) {
  return m.indexer ? kv_row_bytes(type_k, m.indexer->head_dim) : 0;
}

}  // namespace

u64 kv_row_bytes(const TensorType& type, u64 elements) {
  return (elements + type.block_weights - 1) / type.block_weights * type.block_bytes;
}

KvResult kv_cache(const Model& m, const KvSettings& s) {
  KvResult r;
  r.runtime = s.runtime;
  r.layer_bytes.assign(m.n_layers, 0);
  if (s.type_k == nullptr || s.type_v == nullptr) return r;
  const TensorType& type_v = effective_v_type(s, r.v_kept_f16);
  const u64 n_seq = std::max<u64>(s.runtime.n_sequences, 1);
  r.full_cells = units::pad_to(s.context_tokens * n_seq, kKvCellPadding);
  // llama_kv_cache_iswa: min(n_ctx, n_swa * n_seq + n_ubatch), padded.
  const u64 sliding_cells =
      m.sliding_window && !s.swa_full
          ? std::min(r.full_cells, units::pad_to(u64{*m.sliding_window} * n_seq + s.runtime.ubatch, kKvCellPadding))
          : r.full_cells;

  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    if (is_recurrent_layer(m, layer)) {
      const u64 bytes = recurrent_state_elements(m) * kRecurrentBytesPerValue * n_seq;
      r.layer_bytes[layer] = bytes;
      r.recurrent_bytes += bytes;
      continue;
    }
    if (!is_attention_layer(m, layer)) continue;
    if (!has_own_kv(m, layer)) {  // attends over an earlier layer's cells (llama_kv_cache skips it)
      ++r.shared_kv_layers;
      continue;
    }
    const bool sliding = is_sliding_layer(m, layer);
    const u64 cells = sliding ? sliding_cells : r.full_cells;
    if (sliding) r.sliding_cells = cells;
    const KvRowElements e = kv_row_elements(m, layer);
    const u64 k = kv_row_bytes(*s.type_k, e.k) * cells;
    const u64 v = e.v == 0 ? 0 : kv_row_bytes(type_v, e.v) * cells;
    const u64 indexer = indexer_row_bytes(m, *s.type_k) * cells;
    r.k_bytes += k;
    r.v_bytes += v;
    r.indexer_bytes += indexer;
    r.layer_bytes[layer] = k + v + indexer;
    if (!sliding) {
      r.bytes_per_token_full += kv_row_bytes(*s.type_k, e.k) + (e.v == 0 ? 0 : kv_row_bytes(type_v, e.v)) +
                                indexer_row_bytes(m, *s.type_k);
    }
  }
  r.total_bytes = r.k_bytes + r.v_bytes + r.indexer_bytes + r.recurrent_bytes;
  return r;
}

u64 kv_bytes_read_at_depth(const Model& m, const KvSettings& s, u64 depth_tokens) {
  return kv_bytes_read_at_depth(m, summarize_layers(m), s, depth_tokens);
}

u64 kv_bytes_read_at_depth(const Model& m, const LayerSummary& layers, const KvSettings& s, u64 depth_tokens) {
  if (s.type_k == nullptr || s.type_v == nullptr) return 0;
  bool kept_f16 = false;
  const TensorType& type_v = effective_v_type(s, kept_f16);
  u64 total = layers.recurrent_layers == 0
                  ? 0
                  : u64{layers.recurrent_layers} * recurrent_state_elements(m) * kRecurrentBytesPerValue;
  for (const AttentionGroup& g : layers.attention) {
    const u64 cells = g.sliding && !s.swa_full ? std::min<u64>(depth_tokens, *m.sliding_window) : depth_tokens;
    // A layer sharing another's cache still reads it: the source layer's rows (AttentionGroup). With DSA
    // the indexer scores every cached key, and llama.cpp applies the top-k choice as a mask over the whole
    // MLA cache (build_attn with top_k), so both caches are read in full.
    const u64 row = kv_row_bytes(*s.type_k, g.k_elements) + (g.v_elements == 0 ? 0 : kv_row_bytes(type_v, g.v_elements)) +
                    indexer_row_bytes(m, *s.type_k);
    total += u64{g.layers} * row * cells;
  }
  return total;
}

}  // namespace llmsize::engine
