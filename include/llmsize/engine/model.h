#pragma once
/// A model's architecture, as its config.json describes it (docs/catalog.md, `models`).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/entry.h"

namespace llmsize {

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

enum class SsmKind { mamba, mamba2, gated_deltanet, shortconv };

struct SsmDims {
  SsmKind kind = SsmKind::mamba;
  std::uint32_t d_inner = 0;
  std::uint32_t d_state = 0;
  std::uint32_t d_conv = 0;
  std::uint32_t n_groups = 1;
  std::uint32_t n_heads = 0;
  std::uint32_t head_dim = 0;
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
  std::optional<std::uint32_t> release_year;
};

/// Derived per-layer facts. Pure functions of the record.
[[nodiscard]] std::uint32_t head_dim_k(const Model& m);
[[nodiscard]] std::uint32_t head_dim_v(const Model& m);
[[nodiscard]] std::uint32_t kv_heads(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_attention_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_recurrent_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_sliding_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_moe_layer(const Model& m, std::uint32_t layer);
[[nodiscard]] bool is_moe(const Model& m);

}  // namespace llmsize
