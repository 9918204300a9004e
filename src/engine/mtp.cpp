// MTP drafting's memory and reads. Sources (docs/formulas.md, "MTP drafting"): ggml-org/llama.cpp#22673
// (--spec-type draft-mtp: an MTP context made against the target model from the target's context
// parameters), #26296 (load_mtp: the nextn tensors are loaded only then), #24125 and #28630 (the MTP context's
// KV cache holds the nextn layers only), #23646 (its KV follows the draft KV types, f16 by default).
#include "llmsize/engine/mtp.h"

#include <algorithm>

#include "llmsize/engine/buffers.h"
#include "llmsize/units.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

// One cell of nextn layer `layer` in the draft's KV types: MLA keeps one compressed row and no V (as
// kv_cache); DSA adds the indexer's key row in type_k.
u64 cell_bytes(const Model& m, std::uint32_t layer, const KvSettings& s) {
  u64 k = 0;
  u64 v = 0;
  if (m.mla) {
    k = kv_row_bytes(*s.type_k, u64{m.mla->kv_lora_rank} + m.mla->qk_rope_head_dim);
  } else {
    const u64 heads = kv_heads(m, layer);
    k = kv_row_bytes(*s.type_k, heads * head_dim_k(m, layer));
    v = kv_row_bytes(*s.type_v, heads * head_dim_v(m, layer));
  }
  const u64 indexer = m.indexer ? kv_row_bytes(*s.type_k, m.indexer->head_dim) : 0;
  return k + v + indexer;
}

}  // namespace

u64 mtp_kv_bytes(const Model& m, const KvSettings& s) {
  if (s.type_k == nullptr || s.type_v == nullptr) return 0;
  const u64 cells = units::pad_to(s.context_tokens * std::max<u64>(s.runtime.n_sequences, 1), kKvCellPadding);
  u64 bytes = 0;
  for (std::uint32_t k = 0; k < m.nextn_layers; ++k) bytes += cells * cell_bytes(m, m.n_layers + k, s);
  return bytes;
}

MtpMemory mtp_memory(const Model& m, const WeightsResult& w, const KvSettings& draft_kv) {
  MtpMemory r;
  if (m.nextn_layers == 0) return r;
  const u64 cells = units::pad_to(draft_kv.context_tokens * std::max<u64>(draft_kv.runtime.n_sequences, 1),
                                  kKvCellPadding);
  r.weights_bytes = w.not_loaded_bytes;
  r.kv_cache_bytes = mtp_kv_bytes(m, draft_kv);
  r.compute_bytes = compute_buffer_bytes(m, draft_kv.runtime, cells);
  r.host_compute_bytes = host_compute_buffer_bytes(m, draft_kv.runtime, cells);
  r.output_bytes = output_buffer_bytes(m, draft_kv.runtime.n_sequences);
  return r;
}

double mtp_read_bytes_per_token(const Model& m, const WeightsResult& w) {
  const double touched = is_moe(m) ? static_cast<double>(m.moe->n_active_experts) / m.moe->n_experts : 1.0;
  double block = 0;
  double experts = 0;
  for (const PlacedTensor& t : w.tensors) {
    if (!t.spec.not_loaded) continue;
    (t.spec.is_routed_expert ? experts : block) += static_cast<double>(t.bytes);
  }
  // weight_totals() lists no tensors: then the whole block counts, experts included (an upper bound).
  if (w.tensors.empty()) block = static_cast<double>(w.not_loaded_bytes);
  const double head = static_cast<double>(m.tied_embeddings ? w.token_embd_bytes : w.output_bytes);
  return block + experts * touched + head;
}

double mtp_draft_token_s(double model_token_s, double model_bytes_per_token, double mtp_bytes_per_token,
                         double per_token_s) {
  if (model_bytes_per_token <= 0 || model_token_s <= 0) return 0;
  const double streaming_s = std::max(model_token_s - per_token_s, 0.0);
  return per_token_s + streaming_s * mtp_bytes_per_token / model_bytes_per_token;
}

}  // namespace llmsize::engine
