#pragma once
// What llmsize knows about an architecture beyond the keys a file states, in one table keyed by
// llama.cpp's architecture name (src/llama-arch.cpp LLM_ARCH_NAMES). Both readers consult it: the
// GGUF reader by general.architecture, the config.json reader by model_type (the Hugging Face
// aliases). docs/ARCHITECTURE.md "Adding an architecture" says when to add a row.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "llmsize/engine/model.h"

namespace llmsize::modelfile {

class Reader;
struct ModelFile;

/// Context assumed when a file states none (GGUF <arch>.context_length, config.json
/// max_position_embeddings); llmsize's assumption, reported as inferred (llama.cpp requires the key).
inline constexpr std::uint32_t kFallbackContextTokens = 4096;

/// How a config.json names its mixture-of-experts keys (transformers' configuration_*.py).
/// nullptr: the config class has no such key.
struct HfMoeKeys {
  const char* n_experts;             ///< routed experts
  bool dense_when_absent;            ///< absent or 0 experts: a dense model (DeepSeek-V2 configs), else an error
  const char* n_active;              ///< experts per token
  const char* n_active_also;         ///< a second spelling of n_active
  const char* expert_ffn;            ///< per-expert FFN width; nullptr: intermediate_size
  const char* shared_expert_ffn;     ///< width of the one shared expert (Qwen-MoE); 0 or absent: none
  const char* n_shared_experts;      ///< shared experts of expert_ffn width (DeepSeek)
  const char* dense_leading_layers;  ///< dense layers before the first MoE layer
  const char* layer_step;            ///< every n-th layer is MoE
};

/// A config-class default that checkpoints leave out of config.json (filled in and reported).
struct HfDefault {
  const char* key;
  std::uint64_t value;
};

/// The defaults MambaConfig (transformers models/mamba/configuration_mamba.py) gives keys that
/// config.json may leave out, and the context llmsize caps a Mamba model at.
struct MambaConfigDefaults {
  std::uint32_t d_state = 16;
  std::uint32_t d_conv = 4;
  std::uint32_t expand = 2;
  std::uint32_t context_tokens = 2048;  ///< Mamba has no maximum; its training length
};
inline constexpr MambaConfigDefaults kMambaConfigDefaults{};

/// A key a config class spells its own way (ChatGLMConfig num_layers for num_hidden_layers): read
/// when `key` is absent. Several rows may name one key; the first present spelling wins.
struct HfSpelling {
  const char* key;
  const char* spelled;
};

/// What a family's config.json says beyond the common keys (hybrid layer layouts, gated attention,
/// the indexer, per-layer shapes): src/modelfile/hf_families.cpp. Runs after the common keys are read.
using HfFamilyReader = void (*)(const Reader& r, ModelFile& mf);

/// One Hugging Face model_type (or two spellings of it) that llama.cpp's convert_hf_to_gguf.py
/// turns into this architecture.
struct HfAlias {
  std::string_view model_type{};
  std::string_view also{};              ///< a second spelling read the same way (gemma3_text)
  std::string_view family{};          ///< the catalog's family (mistral, qwen, ...)
  /// Matches only a config whose `architectures` names this class (bailing_moe is BailingMoeForCausalLM
  /// or BailingMoeV2ForCausalLM); empty: any.
  std::string_view architecture{};
  bool tied_default = false;          ///< the config class's tie_word_embeddings default
  bool attention_bias = false;        ///< q/k/v biases the config does not mention (Qwen2)
  bool qk_norm = false;
  bool attention_output_bias = false;  ///< gpt-oss: attn_output has a bias
  /// attn_output has a bias exactly when q/k/v have (Phi-2, PhiMoE, StarCoder2: one switch for all).
  bool output_bias_follows = false;
  const char* bias_key = nullptr;      ///< the key switching q/k/v biases; nullptr: attention_bias
  bool ffn_gated = true;               ///< false: up and down only (GELU, ReLU² and xIELU MLPs)
  engine::NormKind norm = engine::NormKind::rmsnorm;
  /// No attention keys at all: the family reader (or MambaConfig's reader) gives the whole block.
  bool attention_free = false;
  bool expert_bias = false;            ///< gpt-oss: the routed experts have biases
  bool mla = false;                    ///< DeepseekV2Config's multi-head latent attention keys
  /// gpt-oss: a quantization_config with quant_method "mxfp4" ships the experts in MXFP4, which
  /// convert_hf_to_gguf.py (GptOssModel.repack_mxfp4) writes raw: Model::native_types.
  bool mxfp4_experts = false;
  const HfMoeKeys* moe = nullptr;
  std::span<const HfDefault> defaults{};  ///< keys checkpoints leave out (Gemma 3)
  std::string_view defaults_class{};      ///< whose defaults those are, for the report
  std::span<const HfSpelling> spellings{};  ///< the config class's own names for common keys
  /// A key read before max_position_embeddings (Cohere: model_max_length, which convert_hf_to_gguf.py
  /// prefers because max_position_embeddings says 8192 for a 128K model).
  const char* context_key = nullptr;
  const char* qk_norm_key = nullptr;      ///< a boolean key that switches qk_norm (GLM-4.5 use_qk_norm)
  /// The key giving the MTP blocks convert_hf_to_gguf.py keeps (Model::nextn_layers); nullptr: it drops them.
  const char* nextn_key = nullptr;
  /// A sliding window llama.cpp uses only when the config sets sliding_window (OLMo 3, EXAONE 4): the
  /// period when layer_types / sliding_window_pattern do not give one; 0: the architecture's own rule.
  std::uint32_t swa_when_set = 0;
  HfFamilyReader family_reader = nullptr;  ///< the family's own keys; nullptr: none
};

/// llama.cpp's default sliding-window layout for an architecture (llama_hparams::set_swa_pattern):
/// layer il slides when il % pattern < pattern - 1. pattern 0: no sliding window by default.
struct SwaDefault {
  std::uint32_t pattern = 0;
  std::uint32_t window = 0;  ///< 0: from <arch>.attention.sliding_window (Llama 4's chunk is fixed)
};

/// How an architecture with per-layer shapes reads its arrays (src/llama-model.cpp load_hparams and
/// load_tensors for LLM_ARCH_DECI, LLM_ARCH_NEMOTRON_H(_MOE), LLM_ARCH_GEMMA4).
struct LayerShapeTraits {
  bool per_layer = false;             ///< build Model::layers from the arrays
  bool ungated_ffn = false;           ///< the MLP is up and down only (Nemotron-H's ReLU²)
  bool dense_beside_experts = false;  ///< MoE layers also run the dense FFN (Gemma 4 26B-A4B)
  bool kv_shared_key = false;         ///< <arch>.attention.shared_kv_layers gives the shared tail (Gemma 4)
};

struct ArchTraits {
  std::string_view arch{};              ///< llama.cpp architecture name
  std::optional<engine::SsmKind> recurrent{};     ///< recurrent-state layout (llama_hparams::n_embd_r / n_embd_s)
  SwaDefault swa{};
  std::uint32_t kv_shared_from_layer = 0;  ///< layers from here on reuse an earlier layer's KV; 0: none
  std::span<const HfAlias> hf{};          ///< config.json model_types that convert to this architecture
  /// Layers differ (llama.cpp's per-layer n_head / n_head_kv / n_ff arrays give each block's parts):
  /// DeciLM, Nemotron-H, Gemma 4. The GGUF reader builds engine::Model::layers from the arrays.
  LayerShapeTraits layers{};
};

/// The row for a llama.cpp architecture name; nullptr when the table has none (a GGUF file is then
/// read from its keys alone).
[[nodiscard]] const ArchTraits* arch_traits(std::string_view arch);

struct HfMatch {
  const ArchTraits* arch = nullptr;
  const HfAlias* alias = nullptr;
};
/// The architecture a config.json model_type (and its `architectures` classes, for an alias that
/// names one) converts to; nullopt when unsupported.
[[nodiscard]] std::optional<HfMatch> hf_alias(std::string_view model_type, std::span<const std::string> architectures = {});

/// Every supported model_type, in table order: "llama, mistral, mixtral, ...".
[[nodiscard]] std::string hf_model_types();

/// The sliding-window period of a per-layer pattern (true: the layer slides): the first full layer
/// ends the period. nullopt when the pattern does not repeat with that period and its last layer
/// full, the only layout llama.cpp's set_swa_pattern (and so llmsize) describes.
[[nodiscard]] std::optional<std::uint32_t> swa_period(std::span<const bool> sliding);

}  // namespace llmsize::modelfile
