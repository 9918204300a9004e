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
  friend bool operator==(const MlaDims&, const MlaDims&) = default;
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
  /// A per-expert selection bias (llama.cpp `exp_probs_b`, f32 [n_experts]): Nemotron 3's sigmoid router.
  bool router_bias = false;
  /// A sigmoid gate on the shared expert's output (Qwen2-MoE style: llama.cpp ffn_gate_inp_shexp {n_embd}).
  bool shared_expert_gate = false;
  friend bool operator==(const MoeDims&, const MoeDims&) = default;
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
  friend bool operator==(const SsmDims&, const SsmDims&) = default;
};

enum class NormKind { rmsnorm, layernorm };

/// What a layer mixes tokens with: the tensors llama.cpp's load_tensors creates for the block.
/// `linear`: DeciLM's "replace_with_linear" attention (one n_embd × n_embd matrix, no cache).
enum class MixerKind { attention, recurrent, linear, none };
/// A layer's feed-forward part: a dense MLP, the model's experts, or none.
enum class FfnKind { dense, moe, none };

/// One layer's shape where a model's layers differ (Nemotron-H, DeciLM / Nemotron-NAS, Gemma 4):
/// the catalog's `layer_kinds` and `layer_pattern`. Unset sizes take the model-wide field.
struct LayerShape {
  MixerKind mixer = MixerKind::attention;
  FfnKind ffn = FfnKind::dense;
  std::optional<std::uint32_t> ffn_size = {};    ///< dense MLP width of this layer
  std::optional<std::uint32_t> n_heads = {};
  std::optional<std::uint32_t> n_kv_heads = {};
  std::optional<std::uint32_t> head_dim = {};    ///< K and V head size of this layer
  std::optional<bool> sliding = {};              ///< sliding-window layer; unset: sliding_window_pattern
  bool v_from_k = false;                    ///< no V projection, V = K (Gemma 4 `attention_k_eq_v`)
  friend bool operator==(const LayerShape&, const LayerShape&) = default;
};

/// Per-layer token embeddings (Gemma 3n, Gemma 4 E2B/E4B): a second table of n_layers × `size`
/// values per token, which llama.cpp keeps with the input layer in host memory and reads a row of
/// per token; and Gemma 3n's AltUp and Laurel blocks.
struct PerLayerInputs {
  std::uint32_t size = 0;          ///< hidden_size_per_layer_input
  std::uint32_t altup_inputs = 0;  ///< altup_num_inputs (0: no AltUp)
  std::uint32_t laurel_rank = 0;   ///< laurel_rank (0: no Laurel)
  friend bool operator==(const PerLayerInputs&, const PerLayerInputs&) = default;
};

/// Tensor groups a checkpoint ships already quantized, in a type the GGUF toolchain keeps as it is:
/// convert_hf_to_gguf.py writes them raw and llama-quantize never requantizes a quantized tensor
/// (src/llama-quant.cpp: "requantizing from type %s is disabled" without --allow-requantize).
/// gpt-oss: ffn_{gate,up,down}_exps in MXFP4.
struct NativeTensorType {
  std::vector<std::string> tensors;  ///< tensor groups (ffn_down_exps, ...)
  std::string type;                  ///< tensor_types id (mxfp4)
  friend bool operator==(const NativeTensorType&, const NativeTensorType&) = default;
};

/// DeepSeek sparse attention's lightning indexer (DeepSeek-V3.2; llama.cpp LLM_ARCH_DEEPSEEK32):
/// per-layer projections and a key cache of one head_dim-wide row per token and layer.
struct IndexerDims {
  std::uint32_t n_heads = 0;   ///< index_n_heads (llama.cpp indexer_n_head)
  std::uint32_t head_dim = 0;  ///< index_head_dim (indexer_head_size)
  std::uint32_t top_k = 0;     ///< index_topk: cells each query attends to
  friend bool operator==(const IndexerDims&, const IndexerDims&) = default;
};

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
  /// One shape per layer when layers differ; empty: every layer from the fields above.
  std::vector<LayerShape> layers;
  std::optional<PerLayerInputs> per_layer_inputs;

  // Patterns of the 2025-2026 architectures (docs/catalog.md): gated attention, native tensor
  // types, the sparse-attention indexer, multi-token-prediction blocks.
  /// Gated attention (Qwen3-Next, Qwen3.5/3.6): attn_q also yields a per-head output gate, so it is
  /// 2 × n_heads × head_dim wide (llama.cpp create_tensor_qkv(..., n_embd_head_k * n_head * 2, ...)).
  bool attention_output_gate = false;
  std::vector<NativeTensorType> native_types;
  std::optional<IndexerDims> indexer;
  /// Multi-token-prediction (nextn) blocks the GGUF carries after the n_layers trunk. llama.cpp
  /// creates them with TENSOR_SKIP (not allocated, not run) unless MTP drafting is asked for.
  std::uint32_t nextn_layers = 0;
  friend bool operator==(const Model&, const Model&) = default;
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

/// Per-layer shape (include/llmsize/engine/model.h LayerShape; src/engine/layer_shape.cpp).
/// The layer's own shape, or nullptr when the model's layers are alike.
[[nodiscard]] const LayerShape* layer_shape(const Model& m, std::uint32_t layer);
[[nodiscard]] MixerKind mixer_kind(const Model& m, std::uint32_t layer);
[[nodiscard]] FfnKind ffn_kind(const Model& m, std::uint32_t layer);
/// Dense MLP width of the layer (0 when it has none).
[[nodiscard]] std::uint32_t ffn_size(const Model& m, std::uint32_t layer);
[[nodiscard]] std::uint32_t n_heads(const Model& m, std::uint32_t layer);
[[nodiscard]] std::uint32_t head_dim_k(const Model& m, std::uint32_t layer);
[[nodiscard]] std::uint32_t head_dim_v(const Model& m, std::uint32_t layer);
/// The widest query projection of any attention layer (n_heads × head_dim): what compute buffers hold.
[[nodiscard]] std::uint64_t max_query_width(const Model& m);

}  // namespace llmsize::engine
