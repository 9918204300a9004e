// The architecture table. Sources: llama.cpp src/llama-arch.cpp (names), src/llama-model.cpp
// llama_model::load_hparams (recurrent kinds, set_swa_pattern calls, Gemma 3n's
// n_layer_kv_from_start = 20, Llama 4's n_swa = 8192 chunk), convert_hf_to_gguf.py (which model_type
// becomes which architecture) and transformers' configuration_*.py (config-class defaults, MoE keys).
#include "arch_traits.h"

#include <array>

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

// MixtralConfig / GptOssConfig: every layer MoE, experts as wide as intermediate_size.
constexpr HfMoeKeys kMixtralMoe = {
    .n_experts = "num_local_experts", .dense_when_absent = false, .n_active = "num_experts_per_tok",
    .n_active_also = "experts_per_token", .expert_ffn = nullptr, .shared_expert_ffn = nullptr,
    .n_shared_experts = nullptr, .dense_leading_layers = nullptr, .layer_step = nullptr};
// Qwen2MoeConfig / Qwen3MoeConfig.
constexpr HfMoeKeys kQwenMoe = {
    .n_experts = "num_experts", .dense_when_absent = false, .n_active = "num_experts_per_tok",
    .n_active_also = nullptr, .expert_ffn = "moe_intermediate_size",
    .shared_expert_ffn = "shared_expert_intermediate_size", .n_shared_experts = nullptr,
    .dense_leading_layers = nullptr, .layer_step = "decoder_sparse_step"};
// DeepseekV2Config / DeepseekV3Config.
constexpr HfMoeKeys kDeepseekMoe = {
    .n_experts = "n_routed_experts", .dense_when_absent = true, .n_active = "num_experts_per_tok",
    .n_active_also = nullptr, .expert_ffn = "moe_intermediate_size", .shared_expert_ffn = nullptr,
    .n_shared_experts = "n_shared_experts", .dense_leading_layers = "first_k_dense_replace",
    .layer_step = "moe_layer_freq"};

// Gemma3TextConfig's defaults (transformers models/gemma3/configuration_gemma3.py), which Gemma 3
// checkpoints leave out of config.json.
constexpr HfDefault kGemma3Defaults[] = {
    {"num_attention_heads", 8},   {"num_key_value_heads", 4},           {"head_dim", 256},
    {"vocab_size", 262208},       {"max_position_embeddings", 131072}, {"sliding_window", 4096},
};

constexpr HfAlias kLlama[] = {
    {.model_type = "llama", .family = "llama"},
    {.model_type = "mistral", .family = "mistral"},
    {.model_type = "mixtral", .family = "mistral", .moe = &kMixtralMoe},
};
constexpr HfAlias kQwen2[] = {{.model_type = "qwen2", .family = "qwen", .attention_bias = true}};
constexpr HfAlias kQwen2Moe[] = {{.model_type = "qwen2_moe", .family = "qwen", .attention_bias = true, .moe = &kQwenMoe}};
constexpr HfAlias kQwen3[] = {{.model_type = "qwen3", .family = "qwen", .qk_norm = true}};
constexpr HfAlias kQwen3Moe[] = {{.model_type = "qwen3_moe", .family = "qwen", .qk_norm = true, .moe = &kQwenMoe}};
constexpr HfAlias kGemma2[] = {{.model_type = "gemma2", .family = "gemma", .tied_default = true}};
constexpr HfAlias kGemma3[] = {{.model_type = "gemma3", .also = "gemma3_text", .family = "gemma", .tied_default = true,
                                .qk_norm = true, .defaults = kGemma3Defaults, .defaults_class = "Gemma3TextConfig"}};
constexpr HfAlias kPhi3[] = {{.model_type = "phi3", .family = "phi"}};
constexpr HfAlias kDeepseek2[] = {
    {.model_type = "deepseek_v2", .family = "deepseek", .mla = true, .moe = &kDeepseekMoe},
    {.model_type = "deepseek_v3", .family = "deepseek", .mla = true, .moe = &kDeepseekMoe},
};
constexpr HfAlias kGptOss[] = {{.model_type = "gpt_oss", .family = "gpt-oss", .attention_bias = true,
                                .attention_output_bias = true, .expert_bias = true, .mxfp4_experts = true,
                                .moe = &kMixtralMoe}};
constexpr HfAlias kGranite[] = {{.model_type = "granite", .family = "granite", .tied_default = true}};
constexpr HfAlias kMamba[] = {{.model_type = "mamba", .family = "mamba", .tied_default = true}};

// Rows with Hugging Face aliases come first, in the order the "not supported" message lists them.
constexpr std::array kTable = {
    ArchTraits{.arch = "llama", .hf = kLlama},
    ArchTraits{.arch = "qwen2", .hf = kQwen2},
    ArchTraits{.arch = "qwen2moe", .hf = kQwen2Moe},
    ArchTraits{.arch = "qwen3", .hf = kQwen3},
    ArchTraits{.arch = "qwen3moe", .hf = kQwen3Moe},
    ArchTraits{.arch = "gemma2", .swa = {.pattern = 2}, .hf = kGemma2},
    ArchTraits{.arch = "gemma3", .swa = {.pattern = 6}, .hf = kGemma3},
    ArchTraits{.arch = "phi3", .hf = kPhi3},
    ArchTraits{.arch = "deepseek2", .hf = kDeepseek2},
    ArchTraits{.arch = "gpt-oss", .swa = {.pattern = 2}, .hf = kGptOss},
    ArchTraits{.arch = "granite", .hf = kGranite},
    ArchTraits{.arch = "mamba", .recurrent = SsmKind::mamba, .hf = kMamba},
    ArchTraits{.arch = "gemma3n", .swa = {.pattern = 5}, .kv_shared_from_layer = 20},
    ArchTraits{.arch = "cohere2", .swa = {.pattern = 4}},
    // Llama 4's chunked attention keeps the sliding-window cache layout with a fixed 8192 chunk.
    ArchTraits{.arch = "llama4", .swa = {.pattern = 4, .window = 8192}},
    ArchTraits{.arch = "jamba", .recurrent = SsmKind::mamba},
    ArchTraits{.arch = "mamba2", .recurrent = SsmKind::mamba2},
    ArchTraits{.arch = "nemotron_h", .recurrent = SsmKind::mamba2, .layers = {.per_layer = true, .ungated_ffn = true}},
    ArchTraits{.arch = "nemotron_h_moe", .recurrent = SsmKind::mamba2, .layers = {.per_layer = true, .ungated_ffn = true}},
    ArchTraits{.arch = "deci", .layers = {.per_layer = true}},
    ArchTraits{.arch = "gemma4", .layers = {.per_layer = true, .dense_beside_experts = true, .kv_shared_key = true}},
    ArchTraits{.arch = "granitehybrid", .recurrent = SsmKind::mamba2},
    ArchTraits{.arch = "falcon-h1", .recurrent = SsmKind::mamba2},
    ArchTraits{.arch = "plamo2", .recurrent = SsmKind::mamba2},
    ArchTraits{.arch = "qwen3next", .recurrent = SsmKind::gated_deltanet},
    ArchTraits{.arch = "lfm2", .recurrent = SsmKind::shortconv},
    ArchTraits{.arch = "rwkv6", .recurrent = SsmKind::rwkv6},
    ArchTraits{.arch = "rwkv7", .recurrent = SsmKind::rwkv7},
};

}  // namespace

const ArchTraits* arch_traits(std::string_view arch) {
  for (const ArchTraits& t : kTable) {
    if (t.arch == arch) return &t;
  }
  return nullptr;
}

std::optional<HfMatch> hf_alias(std::string_view model_type) {
  for (const ArchTraits& t : kTable) {
    for (const HfAlias& a : t.hf) {
      if (a.model_type == model_type || (!a.also.empty() && a.also == model_type)) return HfMatch{&t, &a};
    }
  }
  return std::nullopt;
}

std::string hf_model_types() {
  std::string known;
  for (const ArchTraits& t : kTable) {
    for (const HfAlias& a : t.hf) {
      for (std::string_view name : {a.model_type, a.also}) {
        if (name.empty()) continue;
        if (!known.empty()) known += ", ";
        known += name;
      }
    }
  }
  return known;
}

std::optional<std::uint32_t> swa_period(std::span<const bool> sliding) {
  std::uint32_t period = 1;  // no full layer: every layer slides
  for (std::size_t il = 0; il < sliding.size(); ++il) {
    if (!sliding[il]) {
      period = static_cast<std::uint32_t>(il + 1);
      break;
    }
  }
  for (std::size_t il = 0; il < sliding.size(); ++il) {
    if (sliding[il] != (period == 1 || il % period < period - 1)) return std::nullopt;
  }
  return period;
}

}  // namespace llmsize::modelfile
