// The architecture table. Sources: llama.cpp src/llama-arch.cpp (names), src/llama-model.cpp
// llama_model::load_hparams (recurrent kinds, set_swa_pattern calls, Gemma 3n's
// n_layer_kv_from_start = 20, Llama 4's n_swa = 8192 chunk), convert_hf_to_gguf.py (which model_type
// becomes which architecture) and transformers' configuration_*.py (config-class defaults, MoE keys).
#include "arch_traits.h"

#include <algorithm>
#include <array>

#include "hf_families.h"

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

// Glm4MoeConfig / Dots1Config: DeepSeek's key names, every layer after the dense ones MoE.
constexpr HfMoeKeys kRoutedMoe = {
    .n_experts = "n_routed_experts", .dense_when_absent = false, .n_active = "num_experts_per_tok",
    .n_active_also = nullptr, .expert_ffn = "moe_intermediate_size", .shared_expert_ffn = nullptr,
    .n_shared_experts = "n_shared_experts", .dense_leading_layers = "first_k_dense_replace", .layer_step = nullptr};
// Ernie4_5_MoeConfig (the shared experts' width: read_ernie_moe).
constexpr HfMoeKeys kErnieMoe = {
    .n_experts = "moe_num_experts", .dense_when_absent = false, .n_active = "moe_k", .n_active_also = nullptr,
    .expert_ffn = "moe_intermediate_size", .shared_expert_ffn = nullptr, .n_shared_experts = "moe_num_shared_experts",
    .dense_leading_layers = "moe_layer_start_index", .layer_step = "moe_layer_interval"};
// GraniteMoeHybridConfig: 0 experts is the dense 4.0-H-Micro (the shared expert: read_granite_hybrid).
constexpr HfMoeKeys kGraniteHybridMoe = {
    .n_experts = "num_local_experts", .dense_when_absent = true, .n_active = "num_experts_per_tok",
    .n_active_also = nullptr, .expert_ffn = nullptr, .shared_expert_ffn = nullptr, .n_shared_experts = nullptr,
    .dense_leading_layers = nullptr, .layer_step = nullptr};

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
// Kimi K2 (kimi_k2) and GLM-4.7-Flash (glm4_moe_lite) are the DeepSeek-V3 layout, which
// convert_hf_to_gguf.py writes as deepseek2 (and whose MTP layer it drops).
constexpr HfAlias kDeepseek2[] = {
    {.model_type = "deepseek_v2", .family = "deepseek", .mla = true, .moe = &kDeepseekMoe},
    {.model_type = "deepseek_v3", .family = "deepseek", .mla = true, .moe = &kDeepseekMoe},
    {.model_type = "kimi_k2", .family = "kimi", .mla = true, .moe = &kDeepseekMoe},
    {.model_type = "glm4_moe_lite", .family = "glm", .mla = true, .moe = &kDeepseekMoe},
};
constexpr HfAlias kGptOss[] = {{.model_type = "gpt_oss", .family = "gpt-oss", .attention_bias = true,
                                .attention_output_bias = true, .expert_bias = true, .mxfp4_experts = true,
                                .moe = &kMixtralMoe}};
constexpr HfAlias kGranite[] = {{.model_type = "granite", .family = "granite", .tied_default = true}};
constexpr HfAlias kMamba[] = {{.model_type = "mamba", .family = "mamba", .tied_default = true, .attention_free = true}};
// The 2025-2026 families. Qwen3.5 / 3.6 checkpoints are multimodal: the text model is text_config,
// whose model_type is the second spelling.
constexpr HfAlias kQwen3Next[] = {{.model_type = "qwen3_next", .family = "qwen", .qk_norm = true, .moe = &kQwenMoe,
                                   .family_reader = read_gated_deltanet_hybrid}};
constexpr HfAlias kQwen35[] = {{.model_type = "qwen3_5", .also = "qwen3_5_text", .family = "qwen", .qk_norm = true,
                                .nextn_key = "mtp_num_hidden_layers", .family_reader = read_gated_deltanet_hybrid}};
constexpr HfAlias kQwen35Moe[] = {{.model_type = "qwen3_5_moe", .also = "qwen3_5_moe_text", .family = "qwen", .qk_norm = true,
                                   .moe = &kQwenMoe, .nextn_key = "mtp_num_hidden_layers",
                                   .family_reader = read_gated_deltanet_hybrid}};
constexpr HfAlias kGlm4Moe[] = {{.model_type = "glm4_moe", .family = "glm", .moe = &kRoutedMoe, .qk_norm_key = "use_qk_norm",
                                 .nextn_key = "num_nextn_predict_layers"}};
// DeepseekV32Model keeps the MTP layer (skip_mtp = False), unlike DeepSeek-V3.
constexpr HfAlias kDeepseek32[] = {{.model_type = "deepseek_v32", .family = "deepseek", .mla = true, .moe = &kDeepseekMoe,
                                    .nextn_key = "num_nextn_predict_layers", .family_reader = read_dsa_indexer}};
constexpr HfAlias kDots1[] = {{.model_type = "dots1", .family = "dots", .qk_norm = true, .moe = &kRoutedMoe}};
constexpr HfAlias kMinimaxM2[] = {{.model_type = "minimax_m2", .family = "minimax", .moe = &kMixtralMoe, .qk_norm_key = "use_qk_norm"}};
constexpr HfAlias kErnie45[] = {{.model_type = "ernie4_5", .family = "ernie", .tied_default = true}};
constexpr HfAlias kErnie45Moe[] = {{.model_type = "ernie4_5_moe", .family = "ernie", .tied_default = true, .moe = &kErnieMoe,
                                    .family_reader = read_ernie_moe}};
constexpr HfAlias kHunyuanMoe[] = {{.model_type = "hunyuan_v1_moe", .family = "hunyuan", .tied_default = true,
                                    .qk_norm_key = "use_qk_norm", .family_reader = read_hunyuan_moe}};
constexpr HfAlias kHunyuanDense[] = {{.model_type = "hunyuan_v1_dense", .family = "hunyuan", .tied_default = true,
                                      .qk_norm_key = "use_qk_norm", .family_reader = read_hunyuan_dense}};
constexpr HfAlias kExaone4[] = {{.model_type = "exaone4", .family = "exaone", .qk_norm = true, .swa_when_set = 4}};
// Olmo2Model / Olmo3: OLMo 2 has no window; OLMo 3 slides on three of every four layers.
constexpr HfAlias kOlmo2[] = {{.model_type = "olmo2", .family = "olmo", .qk_norm = true},
                              {.model_type = "olmo3", .family = "olmo", .qk_norm = true, .swa_when_set = 4}};
constexpr HfAlias kSeedOss[] = {{.model_type = "seed_oss", .family = "seed"}};
constexpr HfAlias kSmollm3[] = {{.model_type = "smollm3", .family = "smollm", .tied_default = true}};
constexpr HfAlias kGraniteHybrid[] = {{.model_type = "granitemoehybrid", .family = "granite", .tied_default = true,
                                       .moe = &kGraniteHybridMoe, .family_reader = read_granite_hybrid}};
constexpr HfAlias kNemotronH[] = {{.model_type = "nemotron_h", .family = "nemotron", .family_reader = read_nemotron_h}};
constexpr HfAlias kGemma3n[] = {{.model_type = "gemma3n", .also = "gemma3n_text", .family = "gemma", .tied_default = true,
                                 .qk_norm = true, .family_reader = read_gemma3n}};
// Gemma 4 slides on the layers layer_types names (5 of 6, or 4 of 5 for E2B).
constexpr HfAlias kGemma4[] = {{.model_type = "gemma4", .also = "gemma4_text", .family = "gemma", .tied_default = true,
                                .qk_norm = true, .swa_when_set = 6, .family_reader = read_gemma4}};
constexpr HfAlias kLfm2[] = {{.model_type = "lfm2", .family = "lfm2", .qk_norm = true, .family_reader = read_lfm2}};

// Families added for the catalog's remaining architectures (issue 14). Sources as above; per family:
// OlmoeConfig / GraniteMoeConfig / PhimoeConfig: experts as wide as intermediate_size.
constexpr HfMoeKeys kOlmoeMoe = {
    .n_experts = "num_experts", .dense_when_absent = false, .n_active = "num_experts_per_tok",
    .n_active_also = nullptr, .expert_ffn = nullptr, .shared_expert_ffn = nullptr,
    .n_shared_experts = nullptr, .dense_leading_layers = nullptr, .layer_step = nullptr};
// BailingMoeV2Config (Ling / Ring 2.0): DeepSeek-style leading dense layers and shared experts
// (their width: read_bailing_moe2).
constexpr HfMoeKeys kBailingMoe = {
    .n_experts = "num_experts", .dense_when_absent = false, .n_active = "num_experts_per_tok",
    .n_active_also = nullptr, .expert_ffn = "moe_intermediate_size", .shared_expert_ffn = nullptr,
    .n_shared_experts = "num_shared_experts", .dense_leading_layers = "first_k_dense_replace", .layer_step = nullptr};

// ChatGLMConfig (GLM-4-9B-Chat, ChatGLM3): its own names for the common keys.
constexpr HfSpelling kChatglmSpellings[] = {
    {"num_hidden_layers", "num_layers"},           {"num_key_value_heads", "multi_query_group_num"},
    {"head_dim", "kv_channels"},                   {"intermediate_size", "ffn_hidden_size"},
    {"vocab_size", "padded_vocab_size"},           {"max_position_embeddings", "seq_length"},
};
// ExaoneConfig (EXAONE 3.0 / 3.5).
constexpr HfSpelling kExaoneSpellings[] = {{"num_hidden_layers", "num_layers"}};
// FalconConfig and the RefinedWeb configs before it (convert_hf_to_gguf.py FalconModel's "old name"s).
constexpr HfSpelling kFalconSpellings[] = {
    {"num_hidden_layers", "n_layer"}, {"num_attention_heads", "n_head"},
    {"num_key_value_heads", "num_kv_heads"}, {"num_key_value_heads", "n_head_kv"},
};

constexpr HfAlias kCommandR[] = {{.model_type = "cohere", .family = "cohere", .tied_default = true,
                                  .norm = NormKind::layernorm, .context_key = "model_max_length", .qk_norm_key = "use_qk_norm"}};
constexpr HfAlias kCohere2[] = {{.model_type = "cohere2", .family = "cohere", .tied_default = true, .norm = NormKind::layernorm}};
// FalconModel writes the checkpoint's lm_head.weight when it has one (falcon-7b and -40b do, though
// FalconConfig ties by default): untied unless the config says otherwise. Context and FFN: read_falcon.
constexpr HfAlias kFalcon[] = {{.model_type = "falcon", .also = "RefinedWeb", .family = "falcon", .bias_key = "bias",
                                .ffn_gated = false, .norm = NormKind::layernorm, .spellings = kFalconSpellings,
                                .family_reader = read_falcon},
                               {.model_type = "RefinedWebModel", .family = "falcon", .bias_key = "bias", .ffn_gated = false,
                                .norm = NormKind::layernorm, .spellings = kFalconSpellings, .family_reader = read_falcon}};
constexpr HfAlias kGemma[] = {{.model_type = "gemma", .family = "gemma", .tied_default = true}};
// Glm4Config: q/k/v biases unless attention_bias says otherwise (GLM-4-32B-0414 has none).
constexpr HfAlias kGlm4[] = {{.model_type = "glm4", .family = "glm", .attention_bias = true}};
constexpr HfAlias kChatglm[] = {{.model_type = "chatglm", .family = "glm", .bias_key = "add_qkv_bias",
                                 .spellings = kChatglmSpellings, .family_reader = read_chatglm}};
constexpr HfAlias kGraniteMoe[] = {{.model_type = "granitemoe", .family = "granite", .tied_default = true, .moe = &kMixtralMoe}};
constexpr HfAlias kInternlm2[] = {{.model_type = "internlm2", .family = "internlm", .bias_key = "bias"}};
constexpr HfAlias kExaone[] = {{.model_type = "exaone", .family = "exaone", .tied_default = true, .spellings = kExaoneSpellings}};
constexpr HfAlias kOlmoe[] = {{.model_type = "olmoe", .family = "olmo", .qk_norm = true, .moe = &kOlmoeMoe}};
// PhiConfig (Phi-2): biases on every projection, a GELU MLP, LayerNorm.
// Phi2Model also reads the phi-msft names (n_layer, n_embd, n_head, n_positions).
constexpr HfSpelling kPhi2Spellings[] = {
    {"num_hidden_layers", "n_layer"}, {"hidden_size", "n_embd"}, {"num_attention_heads", "n_head"},
    {"max_position_embeddings", "n_positions"},
};
constexpr HfAlias kPhi2[] = {{.model_type = "phi", .family = "phi", .attention_bias = true, .output_bias_follows = true,
                              .ffn_gated = false, .norm = NormKind::layernorm, .spellings = kPhi2Spellings}};
constexpr HfAlias kPhimoe[] = {{.model_type = "phimoe", .family = "phi", .output_bias_follows = true,
                                .norm = NormKind::layernorm, .moe = &kMixtralMoe}};
// Starcoder2Config: use_bias (default true) on q/k/v/o and the GELU MLP; its sliding_window is not used by llama.cpp.
constexpr HfAlias kStarcoder2[] = {{.model_type = "starcoder2", .family = "starcoder", .tied_default = true,
                                    .attention_bias = true, .output_bias_follows = true, .bias_key = "use_bias",
                                    .ffn_gated = false, .norm = NormKind::layernorm}};
// Qwen2-VL / Qwen2.5-VL / Qwen3-VL: the language model, from text_config where the config has one.
constexpr HfAlias kQwen2vl[] = {{.model_type = "qwen2_vl", .also = "qwen2_vl_text", .family = "qwen", .attention_bias = true},
                                {.model_type = "qwen2_5_vl", .also = "qwen2_5_vl_text", .family = "qwen", .attention_bias = true}};
constexpr HfAlias kQwen3vl[] = {{.model_type = "qwen3_vl", .also = "qwen3_vl_text", .family = "qwen", .qk_norm = true}};
constexpr HfAlias kQwen3vlMoe[] = {{.model_type = "qwen3_vl_moe", .also = "qwen3_vl_moe_text", .family = "qwen", .qk_norm = true,
                                    .moe = &kQwenMoe}};
// Mistral3ForConditionalGeneration with a ministral3 text model (Ministral 3); a mistral text model is llama.
constexpr HfAlias kMistral3[] = {{.model_type = "ministral3", .family = "mistral"}};
// ApertusConfig: xIELU MLP (up, down); ArceeConfig: ReLU² MLP (up, down).
constexpr HfAlias kApertus[] = {{.model_type = "apertus", .family = "apertus", .qk_norm = true, .ffn_gated = false}};
constexpr HfAlias kArcee[] = {{.model_type = "arcee", .family = "arcee", .ffn_gated = false}};
// Ling / Ring 2.0 ship model_type bailing_moe with the V2 class (bailing_moe is also Ling 1.x's).
constexpr HfAlias kBailingMoe2[] = {
    {.model_type = "bailing_moe", .family = "ling", .architecture = "BailingMoeV2ForCausalLM", .bias_key = "use_qkv_bias",
     .moe = &kBailingMoe, .qk_norm_key = "use_qk_norm", .family_reader = read_bailing_moe2},
    {.model_type = "bailing_moe_v2", .family = "ling", .bias_key = "use_qkv_bias", .moe = &kBailingMoe,
     .qk_norm_key = "use_qk_norm", .family_reader = read_bailing_moe2}};
constexpr HfAlias kLfm2Moe[] = {{.model_type = "lfm2_moe", .family = "lfm2", .tied_default = true, .qk_norm = true,
                                 .family_reader = read_lfm2_moe}};
// Llama 4: the text model (text_config llama4_text); experts, dense layers and chunked attention: read_llama4.
constexpr HfAlias kLlama4[] = {{.model_type = "llama4", .also = "llama4_text", .family = "llama", .qk_norm_key = "use_qk_norm",
                                .family_reader = read_llama4}};
constexpr HfAlias kJamba[] = {{.model_type = "jamba", .family = "jamba", .family_reader = read_jamba}};
constexpr HfAlias kMamba2[] = {{.model_type = "mamba2", .family = "mamba", .attention_free = true, .family_reader = read_mamba2}};
// DeciLM / Nemotron-NAS (Llama-3.3-Nemotron-Super, Llama-3.1-Nemotron-Ultra): block_configs, read_deci.
constexpr HfAlias kDeci[] = {{.model_type = "nemotron-nas", .also = "deci", .family = "llama", .family_reader = read_deci}};

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
    ArchTraits{.arch = "qwen3next", .recurrent = SsmKind::gated_deltanet, .hf = kQwen3Next},
    ArchTraits{.arch = "qwen35", .recurrent = SsmKind::gated_deltanet, .hf = kQwen35},
    ArchTraits{.arch = "qwen35moe", .recurrent = SsmKind::gated_deltanet, .hf = kQwen35Moe},
    ArchTraits{.arch = "glm4moe", .hf = kGlm4Moe},
    ArchTraits{.arch = "deepseek32", .hf = kDeepseek32},
    ArchTraits{.arch = "dots1", .hf = kDots1},
    ArchTraits{.arch = "minimax-m2", .hf = kMinimaxM2},
    ArchTraits{.arch = "ernie4_5", .hf = kErnie45},
    ArchTraits{.arch = "ernie4_5-moe", .hf = kErnie45Moe},
    ArchTraits{.arch = "hunyuan-moe", .hf = kHunyuanMoe},
    ArchTraits{.arch = "hunyuan-dense", .hf = kHunyuanDense},
    ArchTraits{.arch = "exaone4", .hf = kExaone4},
    ArchTraits{.arch = "olmo2", .hf = kOlmo2},
    ArchTraits{.arch = "seed_oss", .hf = kSeedOss},
    ArchTraits{.arch = "smollm3", .hf = kSmollm3},
    ArchTraits{.arch = "granitehybrid", .recurrent = SsmKind::mamba2, .hf = kGraniteHybrid},
    ArchTraits{.arch = "nemotron_h", .recurrent = SsmKind::mamba2, .hf = kNemotronH,
               .layers = {.per_layer = true, .ungated_ffn = true}},
    ArchTraits{.arch = "lfm2", .recurrent = SsmKind::shortconv, .hf = kLfm2},
    ArchTraits{.arch = "gemma3n", .swa = {.pattern = 5}, .kv_shared_from_layer = 20, .hf = kGemma3n},
    ArchTraits{.arch = "gemma4", .hf = kGemma4, .layers = {.per_layer = true, .dense_beside_experts = true, .kv_shared_key = true}},
    ArchTraits{.arch = "command-r", .hf = kCommandR},
    ArchTraits{.arch = "cohere2", .swa = {.pattern = 4}, .hf = kCohere2},
    ArchTraits{.arch = "falcon", .hf = kFalcon},
    ArchTraits{.arch = "gemma", .hf = kGemma},
    ArchTraits{.arch = "glm4", .hf = kGlm4},
    ArchTraits{.arch = "chatglm", .hf = kChatglm},
    ArchTraits{.arch = "granitemoe", .hf = kGraniteMoe},
    ArchTraits{.arch = "internlm2", .hf = kInternlm2},
    ArchTraits{.arch = "exaone", .hf = kExaone},
    ArchTraits{.arch = "olmoe", .hf = kOlmoe},
    ArchTraits{.arch = "phi2", .hf = kPhi2},
    ArchTraits{.arch = "phimoe", .hf = kPhimoe},
    ArchTraits{.arch = "starcoder2", .hf = kStarcoder2},
    ArchTraits{.arch = "qwen2vl", .hf = kQwen2vl},
    ArchTraits{.arch = "qwen3vl", .hf = kQwen3vl},
    ArchTraits{.arch = "qwen3vlmoe", .hf = kQwen3vlMoe},
    ArchTraits{.arch = "mistral3", .hf = kMistral3},
    ArchTraits{.arch = "apertus", .hf = kApertus},
    ArchTraits{.arch = "arcee", .hf = kArcee},
    ArchTraits{.arch = "bailingmoe2", .hf = kBailingMoe2},
    ArchTraits{.arch = "lfm2moe", .recurrent = SsmKind::shortconv, .hf = kLfm2Moe},
    // Llama 4's chunked attention keeps the sliding-window cache layout with a fixed 8192 chunk.
    ArchTraits{.arch = "llama4", .swa = {.pattern = 4, .window = 8192}, .hf = kLlama4},
    ArchTraits{.arch = "jamba", .recurrent = SsmKind::mamba, .hf = kJamba},
    ArchTraits{.arch = "mamba2", .recurrent = SsmKind::mamba2, .hf = kMamba2},
    ArchTraits{.arch = "deci", .hf = kDeci, .layers = {.per_layer = true}},
    ArchTraits{.arch = "nemotron_h_moe", .recurrent = SsmKind::mamba2, .layers = {.per_layer = true, .ungated_ffn = true}},
    ArchTraits{.arch = "falcon-h1", .recurrent = SsmKind::mamba2},
    ArchTraits{.arch = "plamo2", .recurrent = SsmKind::mamba2},
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

std::optional<HfMatch> hf_alias(std::string_view model_type, std::span<const std::string> architectures) {
  for (const ArchTraits& t : kTable) {
    for (const HfAlias& a : t.hf) {
      if (a.model_type != model_type && (a.also.empty() || a.also != model_type)) continue;
      if (a.architecture.empty() || std::find(architectures.begin(), architectures.end(), a.architecture) != architectures.end()) {
        return HfMatch{&t, &a};
      }
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
        if (!a.architecture.empty()) known += " (" + std::string(a.architecture) + ")";
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
