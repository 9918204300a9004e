#pragma once
/// The KV cache exactly as llama.cpp allocates it (src/llama-kv-cache.cpp, llama-memory-recurrent.cpp).
#include <cstdint>
#include <vector>

#include "llmsize/engine/layer_summary.h"
#include "llmsize/engine/model.h"
#include "llmsize/engine/quant.h"
#include "llmsize/engine/runtime.h"

namespace llmsize::engine {

/// llama.cpp pads the context (the cache's cell count) to a multiple of 256.
inline constexpr std::uint64_t kKvCellPadding = 256;

struct KvSettings {
  std::uint64_t context_tokens = 8192;  ///< per sequence
  const TensorType* type_k = nullptr;
  const TensorType* type_v = nullptr;
  /// Type V falls back to when flash attention is off and type_v is block-quantized (f16).
  const TensorType* type_v_without_flash_attention = nullptr;
  RuntimeSettings runtime;  ///< micro-batch, flash attention, parallel sequences
  bool swa_full = false;  ///< `--swa-full`: sliding-window layers keep the whole context
};

struct KvResult {
  std::vector<std::uint64_t> layer_bytes;  ///< per block: K + V, or the recurrent state
  std::uint64_t k_bytes = 0;
  std::uint64_t v_bytes = 0;
  std::uint64_t recurrent_bytes = 0;  ///< conv + SSM state of recurrent layers (f32, per sequence)
  std::uint64_t indexer_bytes = 0;    ///< DSA lightning-indexer keys (DeepSeek-V3.2), in type_k
  std::uint64_t total_bytes = 0;
  std::uint64_t full_cells = 0;       ///< cells of full-attention layers
  std::uint64_t sliding_cells = 0;    ///< cells of sliding-window layers (0 when none)
  bool v_kept_f16 = false;            ///< a quantized V type was asked for without flash attention
  std::uint32_t shared_kv_layers = 0; ///< attention layers that reuse an earlier layer's cache (hold none)
  /// Bytes per token of context of the full-attention layers (what grows with context).
  std::uint64_t bytes_per_token_full = 0;
  /// The runtime settings the cache was sized for: placement sizes the compute buffers from them and
  /// from full_cells, so cache and buffers cannot disagree.
  RuntimeSettings runtime;
};

[[nodiscard]] KvResult kv_cache(const Model& m, const KvSettings& s);

/// Bytes of one cache row of `elements` values of `type` (whole blocks).
[[nodiscard]] std::uint64_t kv_row_bytes(const TensorType& type, std::uint64_t elements);

/// KV bytes of the first `depth_tokens` cells (what a decode step reads at that depth). Layers that
/// share an earlier layer's cache read that layer's cells too, so they count here though they own none.
[[nodiscard]] std::uint64_t kv_bytes_read_at_depth(const Model& m, const KvSettings& s,
                                                   std::uint64_t depth_tokens);
/// The same from `layers` = summarize_layers(m), summarized once: one term per group of alike layers.
[[nodiscard]] std::uint64_t kv_bytes_read_at_depth(const Model& m, const LayerSummary& layers, const KvSettings& s,
                                                   std::uint64_t depth_tokens);

}  // namespace llmsize::engine
