#pragma once
/// A model's architecture, as its config.json describes it (docs/catalog.md, `models`).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/entry.h"
#include "llmsize/engine/projector.h"

namespace llmsize::engine {

/// Multi-head latent attention (DeepSeek-V2/V3, Kimi K2).
struct MlaDims {
  std::uint32_t q_lora_rank = 0;  ///< 0: queries are projected directly
  std::uint32_t kv_lora_rank = 0;
  std::uint32_t qk_rope_head_dim = 0;
  std::uint32_t qk_nope_head_dim = 0;
  std::uint32_t v_head_dim = 0;
};

struct MoeDims {
  std::uint32_t n_experts = 0;
  std::uint32_t n_active_experts = 0;
  std::uint32_t expert_ffn_size = 0;
  std::uint32_t n_shared_experts = 0;
  std::optional<std::uint32_t> shared_expert_ffn_size;  ///< default n_shared × expert_ffn_size
  std::uint32_t n_dense_leading_layers = 0;
  std::uint32_t moe_layer_step = 1;
  bool expert_bias = false;
};

/// rwkv6 / rwkv7: RWKV "Finch" / "Goose" time-mix layers (every layer recurrent, no attention).
enum class SsmKind { mamba, mamba2, gated_deltanet, shortconv, rwkv6, rwkv7 };

struct SsmDims {
  SsmKind kind = SsmKind::mamba;
  std::uint32_t d_inner = 0;
  std::uint32_t d_state = 0;
  std::uint32_t d_conv = 0;
  std::uint32_t n_groups = 1;
  std::uint32_t n_heads = 0;
  std::uint32_t head_dim = 0;  ///< gated DeltaNet: value head size; RWKV: wkv head size
  /// RWKV low-rank (LoRA) projections of the time mix; 0 when the kind has none (llama.cpp hparams
  /// time_mix_extra_dim / time_decay_extra_dim for RWKV-6; n_lora_decay / iclr / value_res_mix / gate for RWKV-7).
  std::uint32_t lora_mix = 0;        ///< RWKV-6 time_mix_extra_dim (token-shift interpolation, ×5)
  std::uint32_t lora_decay = 0;      ///< RWKV-6 time_decay_extra_dim; RWKV-7 decay_low_rank_dim
  std::uint32_t lora_iclr = 0;       ///< RWKV-7 a_low_rank_dim (in-context learning rate)
  std::uint32_t lora_value_mix = 0;  ///< RWKV-7 v_low_rank_dim (value residual mix)
  std::uint32_t lora_gate = 0;       ///< RWKV-7 gate_low_rank_dim
};

enum class NormKind { rmsnorm, layernorm };

struct Model {
  EntryMeta meta;
  std::string family;
  std::string arch;
  std::string hf_repo;
  std::uint64_t params_total = 0;
  std::optional<std::uint64_t> params_active;
  std::uint64_t params_vision = 0;  ///< vision encoder parameters included in params_total
  std::optional<VisionSpec> vision;  ///< the mmproj file llama.cpp loads beside the model (--mmproj)
  std::uint32_t n_layers = 0;
  std::uint32_t hidden_size = 0;
  std::uint32_t n_heads = 0;
  std::uint32_t n_kv_heads = 0;
  std::vector<std::uint32_t> n_kv_heads_per_layer;  ///< empty: n_kv_heads everywhere
  std::optional<std::uint32_t> head_dim;            ///< default hidden_size / n_heads
  std::optional<std::uint32_t> head_dim_v;          ///< default head_dim
  std::uint32_t ffn_size = 0;
  bool ffn_gated = true;
  std::uint32_t vocab_size = 0;
  bool tied_embeddings = false;
  std::uint32_t context_length = 0;
  std::string rope_scaling;
  bool attention_bias = false;
  bool attention_output_bias = false;
  bool qk_norm = false;
  NormKind norm = NormKind::rmsnorm;
  std::optional<std::uint32_t> sliding_window;
  std::optional<std::uint32_t> sliding_window_pattern;
  std::optional<MlaDims> mla;
  std::optional<MoeDims> moe;
  std::optional<SsmDims> ssm;
  std::optional<std::vector<std::uint32_t>> attention_layers;
  /// llama.cpp's n_layer_kv_from_start (Gemma 3n: layers 20.. of 30 or 35): layers at or after it
  /// hold no KV cache and attend over the cache of an earlier layer of the same kind.
  std::optional<std::uint32_t> kv_shared_from_layer;
  std::optional<std::uint32_t> release_year;
};

/// Derived per-layer facts. Pure functions of the record.
[[nodiscard]] std::uint32_t head_dim_k(const Model& m);
[[nodiscard]] std::uint32_t head_dim_v(const Model& m);
[[nodiscard]] std::uint32_t kv_heads(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_attention_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_recurrent_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_sliding_layer(const Model& m, std::uint32_t layer);
/// Whether the layer owns KV cells (llama_hparams::has_kv): false at or after kv_shared_from_layer.
[[nodiscard]] bool has_own_kv(const Model& m, std::uint32_t layer);
/// The layer whose KV cache a layer attends over: itself, or for a shared layer
/// kv_shared_from_layer − 2 (sliding) or − 1 (full), as llama.cpp's Gemma 3n reuse callback.
[[nodiscard]] std::uint32_t kv_source_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_moe_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_moe(const Model& m);

}  // namespace llmsize::engine
