// Hugging Face config.json -> engine Model. Keys follow transformers' configuration_*.py classes
// (LlamaConfig, MistralConfig, MixtralConfig, Qwen2Config, Qwen2MoeConfig, Qwen3Config,
// Qwen3MoeConfig, Gemma2Config, Gemma3TextConfig, Phi3Config, DeepseekV2Config, DeepseekV3Config,
// GptOssConfig, GraniteConfig, MambaConfig and the 2025-2026 classes arch_traits.cpp lists); which
// model_type becomes which llama.cpp architecture, and what each implies, is in arch_traits.cpp; the
// keys only one family has are read in hf_families.cpp. docs/model-files.md lists what is read and defaulted.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <utility>

#include "arch_traits.h"
#include "hf_families.h"
#include "hf_reader.h"
#include "llmsize/modelfile/model_file.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

namespace fs = std::filesystem;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

u32 narrow(u64 v) { return static_cast<u32>(v); }

// The config as read: multimodal checkpoints (Gemma 3) keep the language model in text_config.
struct HfDoc {
  Json root;
  Json cfg;
  bool has_text_config = false;
};

HfMatch match_model_type(const HfDoc& d, const std::string& name) {
  std::string model_type = Reader(d.root, name).string("model_type").value_or("");
  if (d.has_text_config) model_type = Reader(d.cfg, name + ": text_config").string("model_type").value_or(model_type);
  std::vector<std::string> architectures;
  if (const auto a = d.root.find("architectures"); a != d.root.end() && a->is_array()) {
    for (const Json& v : *a) {
      if (v.is_string()) architectures.push_back(v.get<std::string>());
    }
  }
  const auto match = hf_alias(model_type, architectures);
  if (!match) {
    throw ModelFileError(name + ": model_type: \"" + model_type.substr(0, 64) + "\" is not supported (" + hf_model_types() + ")");
  }
  return *match;
}

// Keys that checkpoints leave out when they equal the config class's default; filled in, reported.
void fill_defaults(const HfAlias& a, HfDoc& d, ModelFile& mf) {
  for (const HfDefault& def : a.defaults) {
    // vocab_size is also read from the top level of a multimodal config.
    if (d.cfg.contains(def.key) || (std::string_view(def.key) == "vocab_size" && d.root.contains(def.key))) continue;
    d.cfg[def.key] = def.value;
    mf.inferred.push_back(std::string(def.key) + " missing: " + std::to_string(def.value) + ", " +
                          std::string(a.defaults_class) + "'s default");
  }
}

// Keys the config class spells its own way (ChatGLM's num_layers): read under the common name.
void fill_spellings(const HfAlias& a, HfDoc& d) {
  for (const HfSpelling& sp : a.spellings) {
    if (d.cfg.contains(sp.key) && !d.cfg.at(sp.key).is_null()) continue;
    if (d.cfg.contains(sp.spelled) && !d.cfg.at(sp.spelled).is_null()) d.cfg[sp.key] = d.cfg.at(sp.spelled);
  }
}

void read_identity(const HfMatch& match, const Reader& top, const std::string& name, ModelFile& mf) {
  mf.path = name;
  mf.format = "config.json";
  mf.parts = {name};
  Model& m = mf.model;
  m.arch = match.arch->arch;
  m.family = match.alias->family;
  m.meta.id = fs::path(name).parent_path().filename().string();
  if (m.meta.id.empty()) m.meta.id = fs::path(name).filename().string();
  m.meta.name = top.string("_name_or_path").value_or(m.meta.id);
  m.meta.source = name;
  m.meta.origin_file = name;
  m.ffn_gated = match.alias->ffn_gated;
  m.norm = match.alias->norm;
}

// Layers, width, vocabulary, tied embeddings. MambaConfig also spells them n_layer and d_model.
void read_size(const HfMatch& match, const Reader& r, const Reader& top, ModelFile& mf) {
  Model& m = mf.model;
  const bool mamba = match.arch->recurrent == SsmKind::mamba;
  m.n_layers = narrow(r.uint("num_hidden_layers", 1, kMaxLayers).value_or(mamba ? r.uint("n_layer", 1, kMaxLayers).value_or(0) : 0));
  if (m.n_layers == 0) r.fail("num_hidden_layers", "missing (required to size the model)");
  m.hidden_size = narrow(r.uint("hidden_size", 1, kMaxWidth).value_or(mamba ? r.uint("d_model", 1, kMaxWidth).value_or(0) : 0));
  if (m.hidden_size == 0) r.fail("hidden_size", "missing (required to size the model)");
  m.vocab_size = narrow(r.uint("vocab_size", 1, kMaxVocab).value_or(top.uint("vocab_size", 1, kMaxVocab).value_or(0)));
  if (m.vocab_size == 0) r.fail("vocab_size", "missing (required to size the model)");
  const std::optional<bool> tied = r.boolean("tie_word_embeddings");
  const std::optional<bool> tied_top = top.boolean("tie_word_embeddings");
  const HfAlias& a = *match.alias;
  m.tied_embeddings = tied.value_or(tied_top.value_or(a.tied_default));
  if (!tied && !tied_top) {
    mf.inferred.push_back(std::string("tie_word_embeddings missing: ") + (a.tied_default ? "true" : "false") +
                          ", the default of " + std::string(a.model_type) + "'s config class");
  }
}

void read_mamba(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  const MambaConfigDefaults& def = kMambaConfigDefaults;
  SsmDims s;
  s.kind = SsmKind::mamba;
  s.d_state = narrow(r.uint("state_size", 1, kMaxWidth).value_or(r.uint("d_state", 1, kMaxWidth).value_or(def.d_state)));
  s.d_conv = narrow(r.uint("conv_kernel", 1, 1024).value_or(r.uint("d_conv", 1, 1024).value_or(def.d_conv)));
  const u64 expand = r.uint("expand", 1, 64).value_or(def.expand);
  s.d_inner = narrow(r.uint("intermediate_size", 1, kMaxWidth).value_or(expand * m.hidden_size));
  m.ssm = s;
  m.attention_layers = std::vector<u32>{};
  m.n_heads = 1;
  m.n_kv_heads = 1;
  m.context_length = def.context_tokens;
  mf.inferred.push_back("Mamba has no maximum context; " + std::to_string(def.context_tokens) +
                        " tokens (its training length) is used as the cap");
}

void read_attention(const HfAlias& a, const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  m.n_heads = narrow(r.required("num_attention_heads", 1, kMaxHeads));
  if (const auto kv = r.uint("num_key_value_heads", 1, kMaxHeads)) {
    m.n_kv_heads = narrow(*kv);
  } else {
    m.n_kv_heads = m.n_heads;
    mf.inferred.push_back("num_key_value_heads missing: as many KV heads as heads (no GQA)");
  }
  if (m.n_kv_heads > m.n_heads) r.fail("num_key_value_heads", "is more than num_attention_heads");
  if (const auto hd = r.uint("head_dim", 1, kMaxWidth)) {
    m.head_dim = narrow(*hd);
  } else if (!a.mla && m.hidden_size % m.n_heads != 0) {  // MLA heads take their sizes from the MLA keys
    r.fail("head_dim", "missing, and hidden_size is not a multiple of num_attention_heads");
  }
  m.ffn_size = r.has("intermediate_size") ? narrow(uniform_value(r, "intermediate_size", 0, kMaxWidth)) : 0;
  const auto preferred = a.context_key != nullptr ? r.uint(a.context_key, 1, kMaxContext) : std::nullopt;
  if (preferred) {
    m.context_length = narrow(*preferred);
  } else if (const auto ctx = r.uint("max_position_embeddings", 1, kMaxContext)) {
    m.context_length = narrow(*ctx);
  } else {
    m.context_length = kFallbackContextTokens;
    mf.inferred.push_back("max_position_embeddings missing: " + std::to_string(kFallbackContextTokens) + " tokens assumed");
  }
  m.attention_bias = r.boolean(a.bias_key != nullptr ? a.bias_key : "attention_bias").value_or(a.attention_bias);
  m.attention_output_bias = a.output_bias_follows ? m.attention_bias : a.attention_output_bias;
  m.qk_norm = a.qk_norm_key != nullptr ? r.boolean(a.qk_norm_key).value_or(a.qk_norm) : a.qk_norm;
}

// layer_types: "sliding_attention" / "full_attention" per layer, which must repeat. Any other
// type may only stand where a full layer would (after the first full one), as it always has.
u32 layer_types_period(const Reader& r, u32 n_layers) {
  const Json& types = r.json().at("layer_types");
  if (types.size() != n_layers) r.fail("layer_types", "has " + std::to_string(types.size()) + " entries for " + std::to_string(n_layers) + " layers");
  const auto sliding = std::make_unique<bool[]>(n_layers);
  std::optional<bool> first_break_is_full;
  for (u32 il = 0; il < n_layers; ++il) {
    sliding[il] = types[il] == "sliding_attention";
    if (!sliding[il] && !first_break_is_full) first_break_is_full = types[il] == "full_attention";
  }
  const auto period = swa_period({sliding.get(), n_layers});
  if (!period || (first_break_is_full && !*first_break_is_full)) {
    r.fail("layer_types", "does not repeat; llmsize models a repeating pattern only");
  }
  return *period;
}

// A window llama.cpp uses only when the config sets one (OLMo 3, EXAONE 4): the layers from
// layer_types, else sliding_window_pattern as a period or a letter per layer ("LLLG"), else the
// family's period. No sliding layer: no window.
void read_optional_swa(const HfAlias& a, const Reader& r, u32 window, ModelFile& mf) {
  Model& m = mf.model;
  u32 pattern = a.swa_when_set;
  const Json& j = r.json();
  if (j.contains("layer_types") && j.at("layer_types").is_array()) {
    const Json& types = j.at("layer_types");
    if (std::find(types.begin(), types.end(), Json("sliding_attention")) == types.end()) {
      mf.inferred.push_back("sliding_window = " + std::to_string(window) + " is used by no layer (layer_types); every layer keeps the full context");
      return;
    }
    pattern = layer_types_period(r, m.n_layers);
  } else if (j.contains("sliding_window_pattern") && j.at("sliding_window_pattern").is_string()) {
    const std::string letters = j.at("sliding_window_pattern").get<std::string>();
    const auto full = letters.find('G');
    if (letters.empty() || full != letters.size() - 1 || letters.find_first_not_of("LG") != std::string::npos) {
      r.fail("sliding_window_pattern", "\"" + letters.substr(0, 16) + "\" is not a run of L (local) ending in one G (global)");
    }
    pattern = narrow(letters.size());
  } else if (const auto p = r.uint("sliding_window_pattern", 1, m.n_layers)) {
    pattern = narrow(*p);
  }
  m.sliding_window = window;
  m.sliding_window_pattern = pattern;
}

// Sliding windows, where llama.cpp uses them (Mistral's and Qwen2's are ignored by llama.cpp).
void read_swa(const HfMatch& match, const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  const std::string model_type(match.alias->model_type);
  const auto window = r.uint("sliding_window", 1, kMaxContext);
  if (match.arch->swa.pattern == 0 && match.alias->swa_when_set > 0 && window) {
    read_optional_swa(*match.alias, r, narrow(*window), mf);
    return;
  }
  if (match.arch->swa.pattern == 0) {
    if (window && !match.arch->recurrent) {
      mf.inferred.push_back("sliding_window = " + std::to_string(*window) + " is not used by llama.cpp for " + model_type +
                            "; every layer keeps the full context");
    }
    return;
  }
  const Json& j = r.json();
  if (match.arch->swa.window > 0) {
    // Llama 4: llama.cpp's fixed chunk, unless every layer is full attention (convert_hf_to_gguf.py
    // then writes a window of 0).
    if (j.contains("layer_types") && j.at("layer_types").is_array() &&
        std::all_of(j.at("layer_types").begin(), j.at("layer_types").end(), [](const Json& t) { return t == "full_attention"; })) {
      return;
    }
    m.sliding_window = match.arch->swa.window;
    m.sliding_window_pattern = match.arch->swa.pattern;
    return;
  }
  if (!window) r.fail("sliding_window", "missing (" + model_type + " uses sliding-window attention)");
  m.sliding_window = narrow(*window);
  u32 pattern = match.arch->swa.pattern;
  if (const auto p = r.uint("sliding_window_pattern", 1, m.n_layers)) pattern = narrow(*p);
  if (r.json().contains("layer_types") && r.json().at("layer_types").is_array()) pattern = layer_types_period(r, m.n_layers);
  m.sliding_window_pattern = pattern;
}

// DeepseekV2Config's multi-head latent attention; every head reads the shared latent.
void read_mla(const Reader& r, Model& m) {
  MlaDims d;
  d.q_lora_rank = narrow(r.uint("q_lora_rank", 0, kMaxWidth).value_or(0));
  d.kv_lora_rank = narrow(r.required("kv_lora_rank", 1, kMaxWidth));
  d.qk_rope_head_dim = narrow(r.required("qk_rope_head_dim", 1, kMaxWidth));
  d.qk_nope_head_dim = narrow(r.required("qk_nope_head_dim", 1, kMaxWidth));
  d.v_head_dim = narrow(r.required("v_head_dim", 1, kMaxWidth));
  m.mla = d;
  m.n_kv_heads = m.n_heads;
}

void read_moe(const HfAlias& a, const Reader& r, Model& m) {
  const HfMoeKeys& k = *a.moe;
  const char* missing = "missing (required for a mixture of experts)";
  const auto experts = r.uint(k.n_experts, k.dense_when_absent ? 0 : 2, kMaxExperts);
  if (!experts || *experts == 0) {
    if (k.dense_when_absent) return;
    r.fail(k.n_experts, missing);
  }
  MoeDims e;
  e.n_experts = narrow(*experts);
  const auto active = r.uint(k.n_active, 1, e.n_experts);
  const auto active_also = k.n_active_also != nullptr ? r.uint(k.n_active_also, 1, e.n_experts) : std::nullopt;
  if (!active && !active_also) r.fail(k.n_active, missing);
  e.n_active_experts = narrow(active ? *active : *active_also);
  e.expert_ffn_size = k.expert_ffn != nullptr ? narrow(r.required(k.expert_ffn, 1, kMaxWidth)) : m.ffn_size;
  if (k.shared_expert_ffn != nullptr) {
    if (const auto shared = r.uint(k.shared_expert_ffn, 0, kMaxWidth); shared && *shared > 0) {
      e.n_shared_experts = 1;
      e.shared_expert_ffn_size = narrow(*shared);
    }
  }
  if (k.n_shared_experts != nullptr) e.n_shared_experts = narrow(r.uint(k.n_shared_experts, 0, kMaxExperts).value_or(0));
  if (k.dense_leading_layers != nullptr) e.n_dense_leading_layers = narrow(r.uint(k.dense_leading_layers, 0, m.n_layers).value_or(0));
  if (k.layer_step != nullptr) e.moe_layer_step = narrow(r.uint(k.layer_step, 1, m.n_layers).value_or(1));
  e.expert_bias = a.expert_bias;
  m.moe = e;
}

// Experts shipped in MXFP4 stay MXFP4 in every GGUF made from the checkpoint (docs/catalog.md, native_types).
void read_native_types(const HfAlias& a, const HfDoc& d, ModelFile& mf) {
  if (!a.mxfp4_experts || !mf.model.moe) return;
  const auto q = d.root.find("quantization_config");
  if (q == d.root.end() || !q->is_object()) return;
  const auto method = q->find("quant_method");
  if (method == q->end() || !method->is_string() || method->get<std::string>() != "mxfp4") return;
  mf.model.native_types.push_back({{"ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"}, "mxfp4"});
}

ModelFile read_config(const std::string& name, const std::string& config_text, const std::optional<std::string>& index_text) {
  HfDoc d;
  d.root = parse_json(name, config_text);
  if (!d.root.is_object()) throw ModelFileError(name + ": expected a JSON object");
  d.has_text_config = d.root.contains("text_config") && d.root.at("text_config").is_object();
  d.cfg = d.has_text_config ? d.root.at("text_config") : d.root;
  const HfMatch match = match_model_type(d, name);
  ModelFile mf;
  fill_defaults(*match.alias, d, mf);
  fill_spellings(*match.alias, d);
  const Reader top(d.root, name);
  Reader r(d.cfg, d.has_text_config ? name + ": text_config" : name);
  r.set_spellings(match.alias->spellings);
  read_identity(match, top, name, mf);
  mf.file_bytes = config_text.size();
  read_size(match, r, top, mf);
  if (!match.alias->attention_free) {
    read_attention(*match.alias, r, mf);
  } else if (match.arch->recurrent == SsmKind::mamba) {
    read_mamba(r, mf);
  }
  read_swa(match, r, mf);
  if (match.alias->mla) read_mla(r, mf.model);
  if (match.alias->moe != nullptr) read_moe(*match.alias, r, mf.model);
  read_native_types(*match.alias, d, mf);
  if (match.alias->nextn_key != nullptr) mf.model.nextn_layers = narrow(r.uint(match.alias->nextn_key, 0, 64).value_or(0));
  if (match.alias->family_reader != nullptr) match.alias->family_reader(r, mf);
  const std::optional<Json> index = index_text ? std::optional<Json>(parse_json(name + ": model.safetensors.index.json", *index_text))
                                               : std::nullopt;
  read_param_count(d.root, d.has_text_config, index, mf);
  return mf;
}

}  // namespace

ModelFile model_from_config(const std::string& name, const std::string& config_text,
                            const std::optional<std::string>& index_text) {
  try {
    return read_config(name, config_text, index_text);
  } catch (const Json::exception& e) {
    // A value of an unexpected JSON type somewhere the reader did not check by hand.
    throw ModelFileError(name + ": unexpected JSON value (" + e.what() + ")");
  }
}

}  // namespace llmsize::modelfile
