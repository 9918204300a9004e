#pragma once
/// Multi-token prediction drafting (llama-server --spec-type draft-mtp): the model's own nextn blocks draft
/// tokens for it. llama.cpp then loads the blocks it otherwise skips (llama_model_params::load_mtp) and makes a
/// second context on the same model whose KV cache holds the nextn layers only. docs/formulas.md, "MTP drafting".
#include <cstdint>

#include "llmsize/engine/kv.h"
#include "llmsize/engine/model.h"
#include "llmsize/engine/weights.h"

namespace llmsize::engine {

/// What MTP drafting adds to the model's memory.
struct MtpMemory {
  std::uint64_t weights_bytes = 0;       ///< the nextn blocks' tensors (WeightsResult::not_loaded_bytes), loaded
  std::uint64_t kv_cache_bytes = 0;      ///< the MTP context's cache: the nextn layers at the model's cells
  std::uint64_t compute_bytes = 0;       ///< the MTP context's compute buffer, on the output layer's device
  std::uint64_t host_compute_bytes = 0;  ///< its host compute buffer (CUDA_Host; with GPUs only)
  std::uint64_t output_bytes = 0;        ///< its logits buffer, in system RAM
  /// On the device that holds the model's last layers: weights, KV and compute buffer.
  [[nodiscard]] std::uint64_t device_bytes() const { return weights_bytes + kv_cache_bytes + compute_bytes; }
  /// In system RAM beside GPUs: the host compute and logits buffers.
  [[nodiscard]] std::uint64_t host_bytes() const { return host_compute_bytes + output_bytes; }
  /// Everything on one device (CPU only, or `memory`'s single-device totals).
  [[nodiscard]] std::uint64_t total_bytes() const { return device_bytes() + host_bytes(); }
};

/// KV cache of the nextn layers: cells = pad(context × n_seq, 256) (the MTP context takes the model's n_ctx
/// and n_seq_max) × Σ nextn layers (K row + V row, + the indexer's key row with DSA), in the draft's KV types.
[[nodiscard]] std::uint64_t mtp_kv_bytes(const Model& m, const KvSettings& draft_kv);

/// The memory of MTP drafting for `m` with weights `w`: `draft_kv` holds the model's context, runtime
/// (micro-batch, flash attention, sequences) and the draft's KV types (-ctkd/-ctvd, f16 by default). The
/// compute buffer is llama.cpp's for a graph with the output head (compute_buffer_bytes) at the model's
/// micro-batch: the MTP context is made from the model's own context parameters.
[[nodiscard]] MtpMemory mtp_memory(const Model& m, const WeightsResult& w, const KvSettings& draft_kv);

/// Weight bytes one drafted token reads: the nextn blocks (routed experts at n_active / n_experts, as one
/// decoded token of the model) and the output head it shares with the model (a missing shared_head_head
/// falls back to the model's output, llama.cpp qwen35.cpp / glm4-moe.cpp graph_mtp).
[[nodiscard]] double mtp_read_bytes_per_token(const Model& m, const WeightsResult& w);

/// Seconds one drafted token takes, from the model's own decoded token: the weight-streaming part scales with the
/// bytes read (mtp_bytes / model_bytes), the backend's fixed cost per decoded token (Efficiency::per_token_s:
/// each drafted token is a llama_decode call of its own) stays whole.
[[nodiscard]] double mtp_draft_token_s(double model_token_s, double model_bytes_per_token, double mtp_bytes_per_token,
                                       double per_token_s);

}  // namespace llmsize::engine
