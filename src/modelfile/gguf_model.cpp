// GGUF metadata and tensor table -> engine Model and exact per-tensor bytes.
// Keys follow llama.cpp src/llama-arch.cpp (LLM_KV_*); architecture-specific defaults follow
// src/llama-model.cpp (llama_model::load_hparams). docs/model-files.md lists them.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <utility>

#include "llmsize/modelfile/model_file.h"

namespace llmsize::modelfile {
namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;

// llama.cpp include/llama.h enum llama_ftype.
std::string file_type_name(u64 ftype) {
  static const std::map<u64, std::string> names = {
      {0, "F32"},      {1, "F16"},      {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},     {8, "Q5_0"},
      {9, "Q5_1"},     {10, "Q2_K"},    {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"},  {14, "Q4_K_S"},
      {15, "Q4_K_M"},  {16, "Q5_K_S"},  {17, "Q5_K_M"}, {18, "Q6_K"},   {19, "IQ2_XXS"}, {20, "IQ2_XS"},
      {21, "Q2_K_S"},  {22, "IQ3_XS"},  {23, "IQ3_XXS"}, {24, "IQ1_S"}, {25, "IQ4_NL"},  {26, "IQ3_S"},
      {27, "IQ3_M"},   {28, "IQ2_S"},   {29, "IQ2_M"},  {30, "IQ4_XS"}, {31, "IQ1_M"},   {32, "BF16"},
      {36, "TQ1_0"},   {37, "TQ2_0"},   {38, "MXFP4_MOE"},
  };
  const auto it = names.find(ftype);
  return it == names.end() ? "file type " + std::to_string(ftype) : it->second;
}

// Sliding-window layout llama.cpp sets per architecture (llama_hparams::set_swa_pattern): layer il
// slides when il % pattern < pattern - 1. Llama 4's chunked attention uses the same cache layout.
struct SwaDefault {
  const char* arch;
  u32 pattern;
  u32 window;  ///< 0: the window comes from <arch>.attention.sliding_window
};
constexpr std::array<SwaDefault, 6> kSwaDefaults = {{
    {"gemma2", 2, 0}, {"gemma3", 6, 0}, {"gemma3n", 5, 0}, {"cohere2", 4, 0}, {"gpt-oss", 2, 0}, {"llama4", 4, 8192},
}};

// Gemma 3n: layers from 20 on reuse an earlier layer's KV (llama-model.cpp hard-codes
// n_layer_kv_from_start = 20 for LLM_ARCH_GEMMA3N).
constexpr std::uint32_t kGemma3nKvFromStart = 20;

// Recurrent-state layout per architecture (llama_hparams::n_embd_r / n_embd_s).
std::optional<SsmKind> ssm_kind_of(const std::string& arch) {
  if (arch == "mamba" || arch == "jamba") return SsmKind::mamba;
  if (arch == "mamba2" || arch == "nemotron_h" || arch == "granitehybrid" || arch == "falcon-h1" || arch == "plamo2") {
    return SsmKind::mamba2;
  }
  if (arch == "qwen3next") return SsmKind::gated_deltanet;
  if (arch == "lfm2") return SsmKind::shortconv;
  if (arch == "rwkv6") return SsmKind::rwkv6;
  if (arch == "rwkv7") return SsmKind::rwkv7;
  return std::nullopt;
}

class Keys {
 public:
  Keys(const GgufFile& f, std::string arch) : f_(f), arch_(std::move(arch)) {}

  [[nodiscard]] std::string full(const std::string& suffix) const { return arch_ + "." + suffix; }
  [[nodiscard]] const GgufValue* find(const std::string& suffix) const { return f_.find(full(suffix)); }

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw ModelFileError(f_.path + ": " + key + ": " + problem);
  }

  /// A non-negative integer key within [lo, hi]; nullopt when absent.
  std::optional<u64> uint(const std::string& suffix, u64 lo, u64 hi) const {
    const GgufValue* v = find(suffix);
    if (v == nullptr) return std::nullopt;
    return check_uint(full(suffix), *v, lo, hi);
  }

  u64 required(const std::string& suffix, u64 lo, u64 hi) const {
    const auto v = uint(suffix, lo, hi);
    if (!v) fail(full(suffix), "missing (required to size the model)");
    return *v;
  }

  /// A key that is a scalar or one value per layer (llama.cpp get_key_or_arr).
  std::optional<std::vector<u64>> per_layer(const std::string& suffix, u64 n_layers, u64 lo, u64 hi) const {
    const GgufValue* v = find(suffix);
    if (v == nullptr) return std::nullopt;
    const std::string key = full(suffix);
    if (v->type != GgufType::array) return std::vector<u64>(n_layers, check_uint(key, *v, lo, hi));
    if (!v->numbers_kept) fail(key, "expected an array of integers");
    if (v->numbers.size() != n_layers) {
      fail(key, "has " + std::to_string(v->numbers.size()) + " values for " + std::to_string(n_layers) + " layers");
    }
    std::vector<u64> out;
    out.reserve(v->numbers.size());
    for (double x : v->numbers) {
      if (!(x >= static_cast<double>(lo) && x <= static_cast<double>(hi)) || x != std::floor(x)) {
        fail(key, "per-layer value " + format(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
      }
      out.push_back(static_cast<u64>(x));
    }
    return out;
  }

  [[nodiscard]] u64 check_uint(const std::string& key, const GgufValue& v, u64 lo, u64 hi) const {
    const auto x = v.as_uint();
    if (!x) fail(key, std::string("expected a non-negative integer, found ") + to_string(v.type));
    if (*x < lo || *x > hi) {
      fail(key, std::to_string(*x) + " is outside the plausible range " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    return *x;
  }

  static std::string format(double x) {
    if (std::isfinite(x) && std::fabs(x) < 1e18 && x == std::floor(x)) return std::to_string(static_cast<long long>(x));
    return std::to_string(x);
  }

 private:
  const GgufFile& f_;
  std::string arch_;
};

u32 narrow(u64 v) { return static_cast<u32>(v); }  // callers have range-checked v

const TensorType* type_by_ggml_id(const std::vector<TensorType>& types, u32 id) {
  for (const TensorType& t : types) {
    if (t.ggml_type && *t.ggml_type == id) return &t;
  }
  return nullptr;
}

// "blk.12.attn_q.weight" -> (12, "attn_q"); "blk.3.attn_q.bias" -> (3, "attn_q_bias");
// "output_norm.weight" -> (-1, "output_norm").
std::pair<std::int64_t, std::string> split_name(const std::string& name) {
  std::string rest = name;
  std::int64_t layer = -1;
  if (rest.rfind("blk.", 0) == 0) {
    const std::size_t dot = rest.find('.', 4);
    const std::string digits = rest.substr(4, dot == std::string::npos ? std::string::npos : dot - 4);
    if (!digits.empty() && digits.size() <= 6 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      layer = std::stoll(digits);
      rest = dot == std::string::npos ? std::string() : rest.substr(dot + 1);
    }
  }
  const auto ends_with = [&rest](std::string_view s) {
    return rest.size() >= s.size() && rest.compare(rest.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".weight")) {
    rest.resize(rest.size() - 7);
  } else if (ends_with(".bias")) {
    rest.resize(rest.size() - 5);
    rest += "_bias";
  }
  return {layer, rest};
}

}  // namespace

ModelFile model_from_gguf(std::vector<GgufFile> parts, const std::vector<TensorType>& types) {
  if (parts.empty()) throw ModelFileError("no GGUF file given");
  const GgufFile& head = parts.front();
  ModelFile mf;
  mf.path = head.path;
  mf.format = "gguf";
  mf.gguf_version = head.version;
  for (const GgufFile& p : parts) {
    mf.parts.push_back(p.path);
    mf.file_bytes += p.file_bytes;
  }

  const GgufValue* arch_value = head.find("general.architecture");
  if (arch_value == nullptr || arch_value->as_string() == nullptr || arch_value->as_string()->empty()) {
    throw ModelFileError(head.path + ": general.architecture: missing (every GGUF model names its architecture)");
  }
  const std::string arch = *arch_value->as_string();
  if (arch.size() > 64 || !std::all_of(arch.begin(), arch.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
      })) {
    throw ModelFileError(head.path + ": general.architecture: \"" + arch.substr(0, 64) + "\" is not an architecture name");
  }
  const Keys k(head, arch);

  if (const GgufValue* n = head.find("split.count"); n != nullptr) {
    const auto count = n->as_uint();
    if (!count || *count != parts.size()) {
      throw ModelFileError(head.path + ": split.count: the file says " + (count ? std::to_string(*count) : "?") +
                           " parts, " + std::to_string(parts.size()) + " were found");
    }
  }

  Model& m = mf.model;
  m.arch = arch;
  m.family = arch;
  const std::filesystem::path file_path(head.path);
  m.meta.id = file_path.filename().string();
  if (const GgufValue* name = head.find("general.name"); name != nullptr && name->as_string() != nullptr && !name->as_string()->empty()) {
    m.meta.name = name->as_string()->substr(0, 200);
  } else {
    m.meta.name = m.meta.id;
    mf.inferred.push_back("general.name missing: the file name is used");
  }
  m.meta.source = head.path;
  m.meta.origin_file = head.path;

  const u64 n_layers = k.required("block_count", 1, kMaxLayers);
  m.n_layers = narrow(n_layers);
  m.hidden_size = narrow(k.required("embedding_length", 1, kMaxWidth));
  if (const auto ctx = k.uint("context_length", 1, kMaxContext)) {
    m.context_length = narrow(*ctx);
  } else {
    m.context_length = 4096;
    mf.inferred.push_back(k.full("context_length") + " missing: 4096 tokens assumed");
  }

  // Heads: scalar or per layer. Layers with zero KV heads have no attention (recurrent or none).
  const auto heads = k.per_layer("attention.head_count", n_layers, 0, kMaxHeads);
  const std::optional<SsmKind> ssm_kind = ssm_kind_of(arch);
  if (!heads && !ssm_kind) k.fail(k.full("attention.head_count"), "missing (required to size the KV cache)");
  if (heads) m.n_heads = narrow(*std::max_element(heads->begin(), heads->end()));
  if (heads && m.n_heads == 0 && !ssm_kind) k.fail(k.full("attention.head_count"), "is 0 on every layer");
  const auto kv_heads = k.per_layer("attention.head_count_kv", n_layers, 0, kMaxHeads);
  if (kv_heads) {
    m.n_kv_heads = narrow(*std::max_element(kv_heads->begin(), kv_heads->end()));
    const bool uniform = std::all_of(kv_heads->begin(), kv_heads->end(), [&](u64 h) { return h == kv_heads->front(); });
    if (!uniform) {
      for (u64 h : *kv_heads) m.n_kv_heads_per_layer.push_back(narrow(h));
      std::vector<u32> attention;
      for (u32 il = 0; il < m.n_layers; ++il) {
        if ((*kv_heads)[il] > 0) attention.push_back(il);
      }
      if (attention.size() < m.n_layers) m.attention_layers = attention;
    }
  } else {
    m.n_kv_heads = m.n_heads;
    if (heads) mf.inferred.push_back(k.full("attention.head_count_kv") + " missing: as many KV heads as heads (no GQA)");
  }
  if (m.n_heads > 0 && m.n_kv_heads > m.n_heads) {
    k.fail(k.full("attention.head_count_kv"), std::to_string(m.n_kv_heads) + " KV heads is more than the " +
                                                  std::to_string(m.n_heads) + " attention heads");
  }
  if (const auto key_length = k.uint("attention.key_length", 1, kMaxWidth)) m.head_dim = narrow(*key_length);
  if (const auto value_length = k.uint("attention.value_length", 1, kMaxWidth)) m.head_dim_v = narrow(*value_length);
  if (!m.head_dim && m.n_heads > 0) {
    if (m.hidden_size % m.n_heads != 0) {
      k.fail(k.full("attention.key_length"), "missing, and embedding_length is not a multiple of head_count");
    }
    mf.inferred.push_back(k.full("attention.key_length") + " missing: head_dim = embedding_length / head_count = " +
                          std::to_string(m.hidden_size / m.n_heads));
  }
  if (const auto ffn = k.per_layer("feed_forward_length", n_layers, 0, kMaxWidth)) {
    m.ffn_size = narrow(*std::max_element(ffn->begin(), ffn->end()));
  }

  // Multi-head latent attention (DeepSeek-V2/V3, Kimi K2).
  if (const auto kv_lora = k.uint("attention.kv_lora_rank", 1, kMaxWidth)) {
    MlaDims d;
    d.kv_lora_rank = narrow(*kv_lora);
    d.q_lora_rank = narrow(k.uint("attention.q_lora_rank", 0, kMaxWidth).value_or(0));
    d.qk_rope_head_dim = narrow(k.required("rope.dimension_count", 1, kMaxWidth));
    const u64 key_mla = k.uint("attention.key_length_mla", 1, kMaxWidth).value_or(m.head_dim.value_or(0));
    if (key_mla <= d.qk_rope_head_dim) {
      k.fail(k.full("attention.key_length_mla"), "must be larger than rope.dimension_count " + std::to_string(d.qk_rope_head_dim));
    }
    d.qk_nope_head_dim = narrow(key_mla - d.qk_rope_head_dim);
    d.v_head_dim = narrow(k.uint("attention.value_length_mla", 1, kMaxWidth).value_or(m.head_dim_v.value_or(0)));
    m.mla = d;
  }

  // Mixture of experts.
  if (const auto experts = k.uint("expert_count", 0, kMaxExperts); experts && *experts > 0) {
    MoeDims e;
    e.n_experts = narrow(*experts);
    e.n_active_experts = narrow(k.required("expert_used_count", 1, *experts));
    e.expert_ffn_size = narrow(k.uint("expert_feed_forward_length", 0, kMaxWidth).value_or(m.ffn_size));
    e.n_shared_experts = narrow(k.uint("expert_shared_count", 0, kMaxExperts).value_or(0));
    if (const auto shared = k.uint("expert_shared_feed_forward_length", 0, kMaxWidth)) e.shared_expert_ffn_size = narrow(*shared);
    e.n_dense_leading_layers = narrow(k.uint("leading_dense_block_count", 0, n_layers).value_or(0));
    e.moe_layer_step = narrow(k.uint("interleave_moe_layer_step", 1, n_layers).value_or(1));
    m.moe = e;
  }

  // Recurrent state (Mamba, Mamba-2 hybrids, Qwen3-Next, LFM2).
  if (ssm_kind) {
    SsmDims s;
    s.kind = *ssm_kind;
    if (s.kind == SsmKind::shortconv) {
      s.d_conv = narrow(k.required("shortconv.l_cache", 2, 1024));
      s.d_inner = m.hidden_size;
    } else if (s.kind == SsmKind::rwkv6 || s.kind == SsmKind::rwkv7) {
      // Every block is recurrent: token-shift and wkv states (llama_hparams::n_embd_r / n_embd_s).
      s.head_dim = narrow(k.required("wkv.head_size", 1, kMaxWidth));
      s.d_inner = narrow(k.uint("attention_hidden_size", 1, kMaxWidth).value_or(m.hidden_size));
      m.attention_layers = std::vector<u32>{};
    } else {
      s.d_conv = narrow(k.required("ssm.conv_kernel", 1, 1024));
      s.d_inner = narrow(k.required("ssm.inner_size", 1, kMaxWidth));
      s.d_state = narrow(k.required("ssm.state_size", 1, kMaxWidth));
      s.n_groups = narrow(k.uint("ssm.group_count", 0, kMaxHeads).value_or(1));
      s.n_heads = narrow(k.uint("ssm.time_step_rank", 0, kMaxWidth).value_or(0));
    }
    m.ssm = s;
    if (const auto interval = k.uint("full_attention_interval", 1, n_layers)) {
      std::vector<u32> attention;
      for (u32 il = 0; il < m.n_layers; ++il) {
        if ((il + 1) % *interval == 0) attention.push_back(il);
      }
      m.attention_layers = attention;
    }
    if (m.attention_layers && m.n_heads == 0) k.fail(k.full("attention.head_count"), "missing for the attention layers");
  }

  // Sliding-window attention.
  const SwaDefault* swa = nullptr;
  for (const SwaDefault& d : kSwaDefaults) {
    if (arch == d.arch) swa = &d;
  }
  const auto window = k.uint("attention.sliding_window", 0, kMaxContext);
  std::optional<u32> pattern;
  if (const GgufValue* p = k.find("attention.sliding_window_pattern"); p != nullptr) {
    if (p->type == GgufType::array) {
      // One bool per layer (true: sliding). Supported when it repeats with a period whose last
      // layer is full, the layout set_swa_pattern describes.
      if (!p->numbers_kept || p->numbers.size() != n_layers) {
        k.fail(k.full("attention.sliding_window_pattern"), "expected one value per layer");
      }
      u32 period = 0;
      for (u32 il = 0; il < m.n_layers; ++il) {
        if (p->numbers[il] == 0.0) {
          period = il + 1;
          break;
        }
      }
      if (period == 0) period = 1;
      for (u32 il = 0; il < m.n_layers; ++il) {
        const bool sliding = p->numbers[il] != 0.0;
        if (sliding != (period == 1 || il % period < period - 1)) {
          k.fail(k.full("attention.sliding_window_pattern"), "per-layer pattern does not repeat; llmsize models a repeating pattern only");
        }
      }
      pattern = period;
    } else {
      pattern = narrow(k.check_uint(k.full("attention.sliding_window_pattern"), *p, 1, n_layers));
    }
  }
  if (swa != nullptr || pattern) {
    const u64 w = swa != nullptr && swa->window > 0 ? swa->window : window.value_or(0);
    if (w > 0) {
      m.sliding_window = narrow(w);
      m.sliding_window_pattern = pattern.value_or(swa != nullptr ? swa->pattern : 1);
    } else if (swa != nullptr) {
      k.fail(k.full("attention.sliding_window"), "missing (" + arch + " uses sliding-window attention)");
    }
  } else if (window && *window > 0) {
    mf.inferred.push_back(k.full("attention.sliding_window") + " = " + std::to_string(*window) +
                          " is not used by llama.cpp for " + arch + "; every layer keeps the full context");
  }

  if (arch == "gemma3n" && m.n_layers > kGemma3nKvFromStart) m.kv_shared_from_layer = kGemma3nKvFromStart;

  // Tensors: exact types and bytes; each part's tensors must lie inside that part.
  u64 tensor_count = 0;
  for (const GgufFile& p : parts) tensor_count += p.tensors.size();
  mf.tensor_names.reserve(static_cast<std::size_t>(tensor_count));
  mf.tensors.reserve(static_cast<std::size_t>(tensor_count));
  bool has_output = false;
  bool has_token_embd = false;
  u64 routed_elements = 0;
  u64 total_elements = 0;
  for (const GgufFile& p : parts) {
    const u64 data_bytes = p.file_bytes >= p.data_offset ? p.file_bytes - p.data_offset : 0;
    for (const GgufTensorInfo& t : p.tensors) {
      const TensorType* type = type_by_ggml_id(types, t.ggml_type);
      if (type == nullptr) {
        throw ModelFileError(p.path + ": tensor " + t.name + ": ggml type " + std::to_string(t.ggml_type) +
                             " is unknown to llmsize's catalog (tensor_types)");
      }
      const u64 row = t.shape.front();
      if (row % type->block_weights != 0) {
        throw ModelFileError(p.path + ": tensor " + t.name + ": row of " + std::to_string(row) + " values is not a whole number of " +
                             type->meta.id + " blocks (" + std::to_string(type->block_weights) + ")");
      }
      const u64 n = t.n_elements();
      const u64 blocks = n / type->block_weights;
      if (blocks > std::numeric_limits<u64>::max() / type->block_bytes) {
        throw ModelFileError(p.path + ": tensor " + t.name + ": " + std::to_string(n) + " values is more than any file can hold");
      }
      const u64 bytes = blocks * type->block_bytes;
      if (t.offset > data_bytes || bytes > data_bytes - t.offset) {
        throw ModelFileError(p.path + ": tensor " + t.name + ": its " + std::to_string(bytes) + " bytes at data offset " +
                             std::to_string(t.offset) + " run past the end of the file (" + std::to_string(data_bytes) +
                             " bytes of tensor data); the file is truncated or corrupt");
      }
      auto [layer, group] = split_name(t.name);
      if (layer >= static_cast<std::int64_t>(n_layers)) {
        throw ModelFileError(p.path + ": tensor " + t.name + ": layer " + std::to_string(layer) + " is beyond " +
                             k.full("block_count") + " = " + std::to_string(n_layers));
      }
      if (layer < 0 && group == "output") has_output = true;
      if (layer < 0 && group == "token_embd") has_token_embd = true;
      const bool routed = group.find("_exps") != std::string::npos;
      total_elements += n;
      if (routed) routed_elements += n;
      if (layer < 0 && group == "token_embd" && m.vocab_size == 0 && t.shape.size() >= 2) {
        m.vocab_size = static_cast<u32>(std::min<u64>(t.shape[1], kMaxVocab));
      }
      // tensor_names was reserved for every tensor, so the views into it stay valid.
      mf.tensor_names.push_back(std::move(group));
      TensorSpec spec;
      spec.group = mf.tensor_names.back();
      spec.layer = static_cast<std::int32_t>(layer);
      spec.row_length = row;
      spec.n_elements = n;
      spec.is_vector = t.shape.size() == 1;
      spec.is_routed_expert = routed;
      mf.tensors.push_back({spec, type, bytes});
    }
  }
  if (mf.tensors.empty()) throw ModelFileError(head.path + ": the file holds no tensors (a vocabulary-only GGUF?)");
  if (!has_token_embd) mf.inferred.push_back("no token_embd tensor: the vocabulary size comes from the metadata");
  m.tied_embeddings = !has_output;

  if (const auto vocab = k.uint("vocab_size", 1, kMaxVocab)) {
    m.vocab_size = narrow(*vocab);
  } else if (m.vocab_size == 0) {
    const GgufValue* tokens = head.find("tokenizer.ggml.tokens");
    if (tokens != nullptr && tokens->type == GgufType::array && tokens->array_length > 0 && tokens->array_length <= kMaxVocab) {
      m.vocab_size = narrow(tokens->array_length);
    } else {
      k.fail(k.full("vocab_size"), "missing, and neither token_embd nor tokenizer.ggml.tokens gives it");
    }
  }

  m.params_total = total_elements;
  if (m.moe && m.moe->n_experts > 0) {
    const double inactive = static_cast<double>(routed_elements) *
                            (1.0 - static_cast<double>(m.moe->n_active_experts) / static_cast<double>(m.moe->n_experts));
    m.params_active = total_elements - static_cast<u64>(std::llround(inactive));
  }

  if (const GgufValue* ft = head.find("general.file_type"); ft != nullptr && ft->as_uint()) {
    mf.file_type = file_type_name(*ft->as_uint());
  } else {
    mf.file_type = "unknown";
    mf.inferred.push_back("general.file_type missing: the quantization is named \"unknown\"; tensor types are exact");
  }
  Quant q;
  q.meta.id = "gguf";
  q.meta.name = mf.file_type + " (from the file)";
  q.meta.source = head.path;
  q.format = "gguf";
  q.default_type = "as in the file";
  mf.quant = q;
  mf.metadata = head.metadata;
  return mf;
}

ModelFile load_gguf(const std::string& path, const std::vector<TensorType>& types) {
  std::vector<GgufFile> parts;
  for (const std::string& part : split_parts(path)) {
    const auto source = open_file(part);
    parts.push_back(read_gguf(*source, part));
  }
  ModelFile mf = model_from_gguf(std::move(parts), types);
  mf.path = path;
  return mf;
}

}  // namespace llmsize::modelfile
