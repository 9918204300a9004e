// Hugging Face config.json -> engine Model. Keys follow transformers' configuration_*.py classes
// (LlamaConfig, MistralConfig, MixtralConfig, Qwen2Config, Qwen2MoeConfig, Qwen3Config,
// Qwen3MoeConfig, Gemma2Config, Gemma3TextConfig, Phi3Config, DeepseekV2Config, DeepseekV3Config,
// GptOssConfig, GraniteConfig, MambaConfig); the architecture names are llama.cpp's, as
// convert_hf_to_gguf.py writes them. docs/model-files.md lists what is read and what is defaulted.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "llmsize/modelfile/model_file.h"

namespace llmsize::modelfile {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

struct Family {
  const char* model_type;
  const char* arch;         ///< llama.cpp architecture
  const char* family;
  bool tied_default;        ///< the config class's tie_word_embeddings default
  bool attention_bias;      ///< q/k/v biases the config does not mention (Qwen2)
  bool qk_norm;
};

constexpr Family kFamilies[] = {
    {"llama", "llama", "llama", false, false, false},
    {"mistral", "llama", "mistral", false, false, false},
    {"mixtral", "llama", "mistral", false, false, false},
    {"qwen2", "qwen2", "qwen", false, true, false},
    {"qwen2_moe", "qwen2moe", "qwen", false, true, false},
    {"qwen3", "qwen3", "qwen", false, false, true},
    {"qwen3_moe", "qwen3moe", "qwen", false, false, true},
    {"gemma2", "gemma2", "gemma", true, false, false},
    {"gemma3", "gemma3", "gemma", true, false, true},
    {"gemma3_text", "gemma3", "gemma", true, false, true},
    {"phi3", "phi3", "phi", false, false, false},
    {"deepseek_v2", "deepseek2", "deepseek", false, false, false},
    {"deepseek_v3", "deepseek2", "deepseek", false, false, false},
    {"gpt_oss", "gpt-oss", "gpt-oss", false, true, false},
    {"granite", "granite", "granite", true, false, false},
    {"mamba", "mamba", "mamba", true, false, false},
};

class Reader {
 public:
  Reader(const Json& j, std::string name) : j_(j), name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw ModelFileError(name_ + ": " + key + ": " + problem);
  }

  [[nodiscard]] bool has(const char* key) const { return j_.contains(key) && !j_.at(key).is_null(); }

  std::optional<u64> uint(const char* key, u64 lo, u64 hi) const {
    if (!has(key)) return std::nullopt;
    const Json& v = j_.at(key);
    if (!v.is_number_integer() && !(v.is_number_float() && v.get<double>() == std::floor(v.get<double>()))) {
      fail(key, std::string("expected an integer, found ") + v.type_name());
    }
    const double d = v.get<double>();
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi))) {
      fail(key, v.dump() + " is outside the plausible range " +
                    std::to_string(lo) + ".." + std::to_string(hi));
    }
    return v.is_number_unsigned() ? v.get<u64>() : static_cast<u64>(v.get<std::int64_t>());
  }

  u64 required(const char* key, u64 lo, u64 hi) const {
    const auto v = uint(key, lo, hi);
    if (!v) fail(key, "missing (required to size the model)");
    return *v;
  }

  std::optional<bool> boolean(const char* key) const {
    if (!has(key)) return std::nullopt;
    if (!j_.at(key).is_boolean()) fail(key, std::string("expected true or false, found ") + j_.at(key).type_name());
    return j_.at(key).get<bool>();
  }

  std::optional<std::string> string(const char* key) const {
    if (!has(key)) return std::nullopt;
    if (!j_.at(key).is_string()) fail(key, std::string("expected a string, found ") + j_.at(key).type_name());
    return j_.at(key).get<std::string>();
  }

  [[nodiscard]] const Json& json() const { return j_; }

 private:
  const Json& j_;
  std::string name_;
};

u32 narrow(u64 v) { return static_cast<u32>(v); }

}  // namespace

namespace {

ModelFile read_config(const std::string& name, const std::string& config_text, const std::optional<std::string>& index_text) {
  Json root;
  try {
    root = Json::parse(config_text);
  } catch (const Json::parse_error& e) {
    throw ModelFileError(name + ": offset " + std::to_string(e.byte) + ": not valid JSON");
  } catch (const Json::exception& e) {
    throw ModelFileError(name + ": not usable JSON (" + e.what() + ")");
  }
  if (!root.is_object()) throw ModelFileError(name + ": expected a JSON object");
  // Multimodal checkpoints (Gemma 3) keep the language model's hyperparameters in text_config.
  const bool has_text_config = root.contains("text_config") && root.at("text_config").is_object();
  Json cfg = has_text_config ? root.at("text_config") : root;
  const Reader top(root, name);
  ModelFile mf;
  // Gemma 3 checkpoints leave out keys equal to Gemma3TextConfig's defaults (transformers
  // models/gemma3/configuration_gemma3.py); fill them in and say so.
  const std::string declared_type = has_text_config && cfg.contains("model_type") && cfg.at("model_type").is_string()
                                        ? cfg.at("model_type").get<std::string>()
                                        : (root.contains("model_type") && root.at("model_type").is_string()
                                               ? root.at("model_type").get<std::string>()
                                               : std::string());
  if (declared_type == "gemma3" || declared_type == "gemma3_text") {
    const std::pair<const char*, u64> defaults[] = {{"num_attention_heads", 8}, {"num_key_value_heads", 4},
                                                    {"head_dim", 256},          {"vocab_size", 262208},
                                                    {"max_position_embeddings", 131072}, {"sliding_window", 4096}};
    for (const auto& [key, value] : defaults) {
      if (!cfg.contains(key) && !(key == std::string("vocab_size") && root.contains(key))) {
        cfg[key] = value;
        mf.inferred.push_back(std::string(key) + " missing: " + std::to_string(value) + ", Gemma3TextConfig's default");
      }
    }
  }
  const Reader r(cfg, has_text_config ? name + ": text_config" : name);

  mf.path = name;
  mf.format = "config.json";
  mf.parts = {name};
  mf.file_bytes = config_text.size();

  std::string model_type = top.string("model_type").value_or("");
  if (has_text_config) model_type = r.string("model_type").value_or(model_type);
  if (model_type == "gemma3_text") model_type = "gemma3";
  const Family* fam = nullptr;
  for (const Family& f : kFamilies) {
    if (model_type == f.model_type) fam = &f;
  }
  if (fam == nullptr) {
    std::string known;
    for (const Family& f : kFamilies) known += std::string(known.empty() ? "" : ", ") + f.model_type;
    throw ModelFileError(name + ": model_type: \"" + model_type.substr(0, 64) + "\" is not supported (" + known + ")");
  }

  Model& m = mf.model;
  m.arch = fam->arch;
  m.family = fam->family;
  m.meta.id = fs::path(name).parent_path().filename().string();
  if (m.meta.id.empty()) m.meta.id = fs::path(name).filename().string();
  m.meta.name = top.string("_name_or_path").value_or(m.meta.id);
  m.meta.source = name;
  m.meta.origin_file = name;

  const bool mamba = model_type == "mamba";
  m.n_layers = narrow(r.uint("num_hidden_layers", 1, kMaxLayers).value_or(mamba ? r.uint("n_layer", 1, kMaxLayers).value_or(0) : 0));
  if (m.n_layers == 0) r.fail("num_hidden_layers", "missing (required to size the model)");
  m.hidden_size = narrow(r.uint("hidden_size", 1, kMaxWidth).value_or(mamba ? r.uint("d_model", 1, kMaxWidth).value_or(0) : 0));
  if (m.hidden_size == 0) r.fail("hidden_size", "missing (required to size the model)");
  m.vocab_size = narrow(r.uint("vocab_size", 1, kMaxVocab).value_or(top.uint("vocab_size", 1, kMaxVocab).value_or(0)));
  if (m.vocab_size == 0) r.fail("vocab_size", "missing (required to size the model)");
  const std::optional<bool> tied = r.boolean("tie_word_embeddings");
  const std::optional<bool> tied_top = top.boolean("tie_word_embeddings");
  m.tied_embeddings = tied.value_or(tied_top.value_or(fam->tied_default));
  if (!tied && !tied_top) {
    mf.inferred.push_back(std::string("tie_word_embeddings missing: ") + (fam->tied_default ? "true" : "false") +
                          ", the default of " + model_type + "'s config class");
  }

  if (mamba) {
    SsmDims s;
    s.kind = SsmKind::mamba;
    s.d_state = narrow(r.uint("state_size", 1, kMaxWidth).value_or(r.uint("d_state", 1, kMaxWidth).value_or(16)));
    s.d_conv = narrow(r.uint("conv_kernel", 1, 1024).value_or(r.uint("d_conv", 1, 1024).value_or(4)));
    const u64 expand = r.uint("expand", 1, 64).value_or(2);
    s.d_inner = narrow(r.uint("intermediate_size", 1, kMaxWidth).value_or(expand * m.hidden_size));
    m.ssm = s;
    m.attention_layers = std::vector<u32>{};
    m.n_heads = 1;
    m.n_kv_heads = 1;
    m.context_length = 2048;
    mf.inferred.push_back("Mamba has no maximum context; 2048 tokens (its training length) is used as the cap");
  } else {
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
    } else if (m.hidden_size % m.n_heads != 0) {
      r.fail("head_dim", "missing, and hidden_size is not a multiple of num_attention_heads");
    }
    m.ffn_size = narrow(r.uint("intermediate_size", 0, kMaxWidth).value_or(0));
    if (const auto ctx = r.uint("max_position_embeddings", 1, kMaxContext)) {
      m.context_length = narrow(*ctx);
    } else {
      m.context_length = 4096;
      mf.inferred.push_back("max_position_embeddings missing: 4096 tokens assumed");
    }
    m.attention_bias = r.boolean("attention_bias").value_or(fam->attention_bias);
    m.qk_norm = fam->qk_norm;
  }

  // Sliding windows, where llama.cpp uses them (Mistral's and Qwen2's are ignored by llama.cpp).
  const auto window = r.uint("sliding_window", 1, kMaxContext);
  if (model_type == "gemma2" || model_type == "gemma3" || model_type == "gpt_oss") {
    if (!window) r.fail("sliding_window", "missing (" + model_type + " uses sliding-window attention)");
    m.sliding_window = narrow(*window);
    u32 pattern = model_type == "gemma3" ? 6 : 2;
    if (const auto p = r.uint("sliding_window_pattern", 1, m.n_layers)) pattern = narrow(*p);
    if (cfg.contains("layer_types") && cfg.at("layer_types").is_array()) {
      const Json& types = cfg.at("layer_types");
      if (types.size() != m.n_layers) r.fail("layer_types", "has " + std::to_string(types.size()) + " entries for " + std::to_string(m.n_layers) + " layers");
      u32 period = 0;
      for (u32 il = 0; il < m.n_layers; ++il) {
        if (types[il] == "full_attention") {
          period = il + 1;
          break;
        }
      }
      pattern = period == 0 ? 1 : period;
      for (u32 il = 0; il < m.n_layers; ++il) {
        const bool sliding = types[il] == "sliding_attention";
        if (sliding != (pattern == 1 || il % pattern < pattern - 1)) r.fail("layer_types", "does not repeat; llmsize models a repeating pattern only");
      }
    }
    m.sliding_window_pattern = pattern;
  } else if (window && model_type != "mamba") {
    mf.inferred.push_back("sliding_window = " + std::to_string(*window) + " is not used by llama.cpp for " + model_type +
                          "; every layer keeps the full context");
  }

  // Mixture of experts.
  if (model_type == "mixtral" || model_type == "gpt_oss") {
    MoeDims e;
    e.n_experts = narrow(r.uint("num_local_experts", 2, kMaxExperts).value_or(0));
    if (e.n_experts == 0) r.fail("num_local_experts", "missing (required for a mixture of experts)");
    e.n_active_experts = narrow(r.uint("num_experts_per_tok", 1, e.n_experts).value_or(r.uint("experts_per_token", 1, e.n_experts).value_or(0)));
    if (e.n_active_experts == 0) r.fail("num_experts_per_tok", "missing (required for a mixture of experts)");
    e.expert_ffn_size = m.ffn_size;
    if (model_type == "gpt_oss") {
      e.expert_bias = true;
      m.attention_output_bias = true;
    }
    m.moe = e;
  } else if (model_type == "qwen2_moe" || model_type == "qwen3_moe") {
    MoeDims e;
    e.n_experts = narrow(r.required("num_experts", 2, kMaxExperts));
    e.n_active_experts = narrow(r.required("num_experts_per_tok", 1, e.n_experts));
    e.expert_ffn_size = narrow(r.required("moe_intermediate_size", 1, kMaxWidth));
    if (const auto shared = r.uint("shared_expert_intermediate_size", 0, kMaxWidth); shared && *shared > 0) {
      e.n_shared_experts = 1;
      e.shared_expert_ffn_size = narrow(*shared);
    }
    e.moe_layer_step = narrow(r.uint("decoder_sparse_step", 1, m.n_layers).value_or(1));
    m.moe = e;
  } else if (model_type == "deepseek_v2" || model_type == "deepseek_v3") {
    MlaDims d;
    d.q_lora_rank = narrow(r.uint("q_lora_rank", 0, kMaxWidth).value_or(0));
    d.kv_lora_rank = narrow(r.required("kv_lora_rank", 1, kMaxWidth));
    d.qk_rope_head_dim = narrow(r.required("qk_rope_head_dim", 1, kMaxWidth));
    d.qk_nope_head_dim = narrow(r.required("qk_nope_head_dim", 1, kMaxWidth));
    d.v_head_dim = narrow(r.required("v_head_dim", 1, kMaxWidth));
    m.mla = d;
    m.n_kv_heads = m.n_heads;  // MLA: every head reads the shared latent
    if (const auto experts = r.uint("n_routed_experts", 0, kMaxExperts); experts && *experts > 0) {
      MoeDims e;
      e.n_experts = narrow(*experts);
      e.n_active_experts = narrow(r.required("num_experts_per_tok", 1, e.n_experts));
      e.expert_ffn_size = narrow(r.required("moe_intermediate_size", 1, kMaxWidth));
      e.n_shared_experts = narrow(r.uint("n_shared_experts", 0, kMaxExperts).value_or(0));
      e.n_dense_leading_layers = narrow(r.uint("first_k_dense_replace", 0, m.n_layers).value_or(0));
      e.moe_layer_step = narrow(r.uint("moe_layer_freq", 1, m.n_layers).value_or(1));
      m.moe = e;
    }
  }

  // The weight count the checkpoint declares (safetensors index), else the architecture's.
  const ParamCounts counted = count_params(m);
  m.params_total = counted.total;
  if (m.moe) m.params_active = counted.active;
  if (index_text) {
    Json index;
    try {
      index = Json::parse(*index_text);
    } catch (const Json::parse_error& e) {
      throw ModelFileError(name + ": model.safetensors.index.json: offset " + std::to_string(e.byte) + ": not valid JSON");
    } catch (const Json::exception& e) {
      throw ModelFileError(name + ": model.safetensors.index.json: not usable JSON (" + e.what() + ")");
    }
    const Json* meta = index.is_object() && index.contains("metadata") && index.at("metadata").is_object() ? &index.at("metadata") : nullptr;
    std::optional<u64> declared;
    if (meta != nullptr && meta->contains("total_parameters") && meta->at("total_parameters").is_number_unsigned()) {
      declared = meta->at("total_parameters").get<u64>();
    } else if (meta != nullptr && meta->contains("total_size") && meta->at("total_size").is_number_unsigned() &&
               !root.contains("quantization_config")) {
      const auto string_at = [&root](const char* key) {
        return root.contains(key) && root.at(key).is_string() ? root.at(key).get<std::string>() : std::string();
      };
      const std::string dtype = string_at("torch_dtype").empty() ? string_at("dtype") : string_at("torch_dtype");
      const u64 width = dtype == "float32" ? 4 : (dtype == "bfloat16" || dtype == "float16") ? 2 : 0;
      if (width > 0) declared = meta->at("total_size").get<u64>() / width;
    }
    if (declared) {
      const double diff = static_cast<double>(*declared) / static_cast<double>(counted.total) - 1.0;
      if (has_text_config && *declared > counted.total) {
        m.params_vision = *declared - counted.total;
        mf.inferred.push_back("the checkpoint holds " + std::to_string(*declared) + " weights; the " +
                              std::to_string(m.params_vision) + " beyond the language model are the vision encoder (not sized)");
      } else if (std::fabs(diff) > 0.02) {
        mf.inferred.push_back("the checkpoint declares " + std::to_string(*declared) + " weights, the architecture gives " +
                              std::to_string(counted.total) + " (" + std::to_string(static_cast<int>(std::lround(diff * 100))) +
                              "%); sizes follow the architecture");
      }
      if (!has_text_config) m.params_total = *declared;
    } else {
      mf.inferred.push_back("model.safetensors.index.json gives no parameter count usable here; the architecture's count is used");
    }
  } else {
    mf.inferred.push_back("no model.safetensors.index.json: parameters counted from the architecture");
  }
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

ModelFile load_config(const std::string& path) {
  fs::path file(path);
  std::error_code ec;
  if (fs::is_directory(file, ec)) file /= "config.json";
  const auto read = [](const fs::path& p) -> std::optional<std::string> {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  if (fs::file_size(file, ec) > (16U << 20U)) throw ModelFileError(file.string() + ": larger than 16 MiB; not a config.json");
  const auto config = read(file);
  if (!config) throw ModelFileError(file.string() + ": cannot be read");
  const fs::path index_path = file.parent_path() / "model.safetensors.index.json";
  std::optional<std::string> index;
  if (fs::exists(index_path, ec)) {
    if (fs::file_size(index_path, ec) > (64U << 20U)) throw ModelFileError(index_path.string() + ": larger than 64 MiB");
    index = read(index_path);
  }
  ModelFile mf = model_from_config(file.string(), *config, index);
  if (index) mf.parts.push_back(index_path.string());
  mf.path = path;
  return mf;
}

bool looks_like_path(const std::string& path) {
  const auto ends_with = [&path](std::string_view s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".gguf") || ends_with(".json") || path.find('/') != std::string::npos) return true;
  std::error_code ec;
  return fs::exists(path, ec);
}

ModelFile load_model_file(const std::string& path, const std::vector<TensorType>& types) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return load_config(path);
  const auto source = open_file(path);
  std::array<char, 4> magic{};
  if (source->size() >= 4) source->read(0, magic.data(), magic.size());
  if (std::string_view(magic.data(), 4) == "GGUF") return load_gguf(path, types);
  const auto ends_with = [&path](std::string_view s) {
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".gguf")) {
    // read_gguf names what is wrong (too short, wrong magic) with the offset.
    (void)read_gguf(*source, path);
  }
  return load_config(path);
}

}  // namespace llmsize::modelfile
