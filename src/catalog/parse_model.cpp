#include <algorithm>

#include "parse_entries.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::catalog {
namespace {

constexpr std::uint64_t kMaxParams = 100'000'000'000'000ULL;  // 100 T
constexpr std::uint32_t kMaxDim = 1U << 20;

MlaDims parse_mla(ObjectReader& r) {
  MlaDims d;
  d.q_lora_rank = r.req_u32("q_lora_rank", 0, kMaxDim);
  d.kv_lora_rank = r.req_u32("kv_lora_rank", 1, kMaxDim);
  d.qk_rope_head_dim = r.req_u32("qk_rope_head_dim", 1, kMaxDim);
  d.qk_nope_head_dim = r.req_u32("qk_nope_head_dim", 1, kMaxDim);
  d.v_head_dim = r.req_u32("v_head_dim", 1, kMaxDim);
  r.finish();
  return d;
}

MoeDims parse_moe(ObjectReader& r) {
  MoeDims d;
  d.n_experts = r.req_u32("n_experts", 1, 65536);
  d.n_active_experts = r.req_u32("n_active_experts", 1, 65536);
  d.expert_ffn_size = r.req_u32("expert_ffn_size", 1, kMaxDim);
  d.n_shared_experts = r.opt_u32("n_shared_experts", 0, 1024).value_or(0);
  d.shared_expert_ffn_size = r.opt_u32("shared_expert_ffn_size", 1, kMaxDim);
  d.n_dense_leading_layers = r.opt_u32("n_dense_leading_layers", 0, 4096).value_or(0);
  d.moe_layer_step = r.opt_u32("moe_layer_step", 1, 4096).value_or(1);
  d.expert_bias = r.opt_bool("expert_bias", false);
  d.router_bias = r.opt_bool("router_bias", false);
  d.shared_expert_gate = r.opt_bool("shared_expert_gate", false);
  if (d.n_active_experts > d.n_experts) {
    r.sink().error(pointer_append(r.pointer(), "n_active_experts"),
                   "is larger than n_experts (" + std::to_string(d.n_experts) + ")");
  }
  r.finish();
  return d;
}

SsmDims parse_ssm(ObjectReader& r) {
  static const std::vector<std::string_view> kKinds = {"mamba",     "mamba2", "gated-deltanet",
                                                       "shortconv", "rwkv6",  "rwkv7"};
  SsmDims d;
  d.kind = static_cast<SsmKind>(r.req_enum("kind", kKinds));
  d.d_inner = r.req_u32("d_inner", 1, kMaxDim);
  d.d_state = r.opt_u32("d_state", 0, kMaxDim).value_or(0);
  d.d_conv = r.opt_u32("d_conv", 0, 1024).value_or(0);
  d.n_groups = r.opt_u32("n_groups", 1, kMaxDim).value_or(1);
  d.n_heads = r.opt_u32("n_heads", 0, kMaxDim).value_or(0);
  d.head_dim = r.opt_u32("head_dim", 0, kMaxDim).value_or(0);
  d.lora_mix = r.opt_u32("lora_mix", 0, kMaxDim).value_or(0);
  d.lora_decay = r.opt_u32("lora_decay", 0, kMaxDim).value_or(0);
  d.lora_iclr = r.opt_u32("lora_iclr", 0, kMaxDim).value_or(0);
  d.lora_value_mix = r.opt_u32("lora_value_mix", 0, kMaxDim).value_or(0);
  d.lora_gate = r.opt_u32("lora_gate", 0, kMaxDim).value_or(0);
  if ((d.kind == SsmKind::rwkv6 || d.kind == SsmKind::rwkv7) && d.head_dim == 0) {
    r.sink().error(pointer_append(r.pointer(), "head_dim"), "is required for RWKV (the wkv head size)");
  }
  r.finish();
  return d;
}

// `layer_kinds` and `layer_pattern`: one kind per character of the pattern, one character per layer.
struct LayerKind {
  std::string symbol;
  LayerShape shape;
};

LayerKind parse_layer_kind(ObjectReader& r) {
  static const std::vector<std::string_view> kMixers = {"attention", "recurrent", "linear", "none"};
  static const std::vector<std::string_view> kFfns = {"dense", "moe", "none"};
  LayerKind k;
  k.symbol = r.req_string("symbol");
  if (k.symbol.size() != 1) r.sink().error(pointer_append(r.pointer(), "symbol"), "must be one character");
  LayerShape& s = k.shape;
  s.mixer = static_cast<MixerKind>(r.opt_enum("mixer", kMixers).value_or(0));
  s.ffn = static_cast<FfnKind>(r.opt_enum("ffn", kFfns).value_or(0));
  s.ffn_size = r.opt_u32("ffn_size", 1, kMaxDim);
  s.n_heads = r.opt_u32("n_heads", 1, 65536);
  s.n_kv_heads = r.opt_u32("n_kv_heads", 1, 65536);
  s.head_dim = r.opt_u32("head_dim", 1, 65536);
  s.sliding = r.opt_bool("sliding");
  s.v_from_k = r.opt_bool("v_from_k", false);
  r.finish();
  return k;
}

void parse_layers(ObjectReader& r, Model& m) {
  std::vector<LayerKind> kinds;
  for (ObjectReader& o : r.opt_object_array("layer_kinds")) kinds.push_back(parse_layer_kind(o));
  const std::optional<std::string> pattern = r.opt_string("layer_pattern");
  const std::string kinds_ptr = pointer_append(r.pointer(), "layer_kinds");
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (kinds[j].symbol == kinds[i].symbol) {
        r.sink().error(pointer_append(pointer_append(kinds_ptr, i), "symbol"), "\"" + kinds[i].symbol + "\" is used twice");
      }
    }
  }
  if (!pattern) {
    if (!kinds.empty()) r.sink().error(kinds_ptr, "needs \"layer_pattern\"");
    return;
  }
  const std::string ptr = pointer_append(r.pointer(), "layer_pattern");
  if (pattern->size() != m.n_layers) {
    r.sink().error(ptr, "has " + std::to_string(pattern->size()) + " layers, n_layers is " + std::to_string(m.n_layers));
    return;
  }
  for (std::size_t il = 0; il < pattern->size(); ++il) {
    const char c = (*pattern)[il];
    const auto kind = std::find_if(kinds.begin(), kinds.end(), [c](const LayerKind& k) { return k.symbol == std::string(1, c); });
    if (kind == kinds.end()) {
      r.sink().error(ptr, "layer " + std::to_string(il) + ": no layer_kinds entry has the symbol \"" + std::string(1, c) + "\"");
      m.layers.clear();
      return;
    }
    m.layers.push_back(kind->shape);
  }
}

// A pattern's kinds must have what they name: an "ssm" block for recurrent layers, a "moe" block for
// expert layers; and attention-only fields belong to attention layers.
void check_layers(ObjectReader& r, const Model& m) {
  const std::string ptr = pointer_append(r.pointer(), "layer_pattern");
  for (std::size_t il = 0; il < m.layers.size(); ++il) {
    const LayerShape& s = m.layers[il];
    std::string problem;
    if (s.mixer == MixerKind::recurrent && !m.ssm) problem = "is recurrent and the model has no \"ssm\" block";
    if (s.ffn == FfnKind::moe && !m.moe) problem = "has experts and the model has no \"moe\" block";
    if (s.mixer == MixerKind::attention && m.mla && (s.n_kv_heads || s.head_dim || s.v_from_k)) {
      problem = "sets an attention shape, which MLA layers do not take";
    }
    if (!problem.empty()) {
      r.sink().error(ptr, "layer " + std::to_string(il) + " " + problem);
      return;
    }
  }
  if (!m.layers.empty() && m.attention_layers) {
    r.sink().error(pointer_append(r.pointer(), "attention_layers"), "cannot be given with \"layer_pattern\" (the pattern says which layers attend)");
  }
}

PerLayerInputs parse_per_layer_inputs(ObjectReader& r) {
  PerLayerInputs p;
  p.size = r.req_u32("size", 1, kMaxDim);
  p.altup_inputs = r.opt_u32("altup_inputs", 0, 64).value_or(0);
  p.laurel_rank = r.opt_u32("laurel_rank", 0, kMaxDim).value_or(0);
  r.finish();
  return p;
}

// The tensor groups of a native_types entry must be groups the engine lists (as a quant rule's).
NativeTensorType parse_native_type(ObjectReader& r) {
  NativeTensorType n;
  if (!r.has("tensors")) r.sink().error(r.pointer(), "missing required key \"tensors\"");
  n.tensors = r.opt_string_array("tensors");
  const auto& groups = tensor_group_names();
  for (std::size_t i = 0; i < n.tensors.size(); ++i) {
    if (std::find(groups.begin(), groups.end(), n.tensors[i]) != groups.end()) continue;
    std::string message = "unknown tensor group \"" + n.tensors[i] + "\"";
    const std::string suggestion = closest(n.tensors[i], std::vector<std::string>(groups.begin(), groups.end()));
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    r.sink().error(pointer_append(pointer_append(r.pointer(), "tensors"), i), message);
  }
  n.type = r.req_string("type");
  r.finish();
  return n;
}

IndexerDims parse_indexer(ObjectReader& r) {
  IndexerDims d;
  d.n_heads = r.req_u32("n_heads", 1, 65536);
  d.head_dim = r.req_u32("head_dim", 1, kMaxDim);
  d.top_k = r.req_u32("top_k", 1, 1U << 30);
  r.finish();
  return d;
}

// Gated attention, native tensor types, the sparse-attention indexer and MTP blocks (docs/catalog.md).
void parse_recent_patterns(ObjectReader& r, Model& m) {
  m.attention_output_gate = r.opt_bool("attention_output_gate", false);
  for (ObjectReader& n : r.opt_object_array("native_types")) m.native_types.push_back(parse_native_type(n));
  if (auto o = r.opt_object("indexer")) m.indexer = parse_indexer(*o);
  m.nextn_layers = r.opt_u32("nextn_layers", 0, 64).value_or(0);
  if (m.indexer && !m.mla) r.sink().error(pointer_append(r.pointer(), "indexer"), "needs an \"mla\" block (the indexer reads the query latent)");
}

// The mmproj file of a multimodal model (docs/catalog.md, `vision`).
VisionSpec parse_vision(ObjectReader& r) {
  VisionSpec v;
  v.projector_params = r.req_uint("projector_params", 1, kMaxParams);
  v.projector_f32_params = r.req_uint("projector_f32_params", 0, kMaxParams);
  v.embedding_length = r.req_u32("embedding_length", 1, kMaxDim);
  v.feed_forward_length = r.req_u32("feed_forward_length", 1, kMaxDim);
  v.head_count = r.req_u32("head_count", 1, 4096);
  v.ffn_gated = r.opt_bool("ffn_gated", false);
  v.window_attention = r.opt_bool("window_attention", false);
  v.deepstack_layers = r.opt_u32("deepstack_layers", 0, 1024).value_or(0);
  v.merge = r.opt_u32("merge", 1, 64).value_or(1);
  v.warmup_image_size = r.req_u32("warmup_image_size", 1, 65536);
  v.patch_size = r.req_u32("patch_size", 1, 4096);
  v.projection_dim = r.req_u32("projection_dim", 1, kMaxDim);
  v.image_tokens = r.req_u32("image_tokens", 1, 1U << 20);
  v.image_tokens_note = r.req_string("image_tokens_note");
  v.source = r.req_string("source");
  if (v.projector_f32_params > v.projector_params) {
    r.sink().error(pointer_append(r.pointer(), "projector_f32_params"), "is larger than projector_params");
  }
  r.finish();
  return v;
}

void check_consistency(ObjectReader& r, const Model& m) {
  ErrorSink& sink = r.sink();
  const std::string& p = r.pointer();
  if (m.n_kv_heads > 0 && m.n_heads % m.n_kv_heads != 0) {
    sink.error(pointer_append(p, "n_kv_heads"), "n_heads (" + std::to_string(m.n_heads) +
                                                    ") is not a multiple of n_kv_heads (" +
                                                    std::to_string(m.n_kv_heads) + ")");
  }
  if (!m.n_kv_heads_per_layer.empty() && m.n_kv_heads_per_layer.size() != m.n_layers) {
    sink.error(pointer_append(p, "n_kv_heads_per_layer"),
               "has " + std::to_string(m.n_kv_heads_per_layer.size()) + " entries, n_layers is " +
                   std::to_string(m.n_layers));
  }
  if (m.attention_layers) {
    for (std::size_t i = 0; i < m.attention_layers->size(); ++i) {
      if ((*m.attention_layers)[i] >= m.n_layers) {
        sink.error(pointer_append(pointer_append(p, "attention_layers"), i),
                   "layer index " + std::to_string((*m.attention_layers)[i]) + " is not below n_layers (" +
                       std::to_string(m.n_layers) + ")");
      }
    }
    if (!m.ssm && m.layers.empty()) {
      sink.error(pointer_append(p, "attention_layers"), "needs an \"ssm\" block for the other layers");
    }
  }
  if (m.sliding_window_pattern && !m.sliding_window) {
    sink.error(pointer_append(p, "sliding_window_pattern"), "needs \"sliding_window\"");
  }
  if (m.kv_shared_from_layer && (*m.kv_shared_from_layer < 2 || *m.kv_shared_from_layer > m.n_layers)) {
    // llama.cpp's reuse callback points shared layers at kv_shared_from_layer − 1 and − 2.
    sink.error(pointer_append(p, "kv_shared_from_layer"),
               "must be 2 to n_layers (" + std::to_string(m.n_layers) + ")");
  }
  if (m.params_active && *m.params_active > m.params_total) {
    sink.error(pointer_append(p, "params_active"), "is larger than params_total");
  }
}

}  // namespace

Model parse_model(ObjectReader& r) {
  Model m;
  m.meta = read_meta(r);
  m.family = r.req_string("family");
  m.arch = r.req_string("arch");
  m.hf_repo = r.opt_string("hf_repo").value_or("");
  m.params_total = r.req_uint("params_total", 1'000'000, kMaxParams);
  m.params_active = r.opt_uint("params_active", 1'000'000, kMaxParams);
  m.params_vision = r.opt_uint("params_vision", 1, kMaxParams).value_or(0);
  if (auto o = r.opt_object("vision")) m.vision = parse_vision(*o);
  m.n_layers = r.req_u32("n_layers", 1, 4096);
  m.hidden_size = r.req_u32("hidden_size", 1, kMaxDim);
  m.n_heads = r.req_u32("n_heads", 1, 65536);
  m.n_kv_heads = r.req_u32("n_kv_heads", 1, 65536);
  if (auto per_layer = r.opt_u32_array("n_kv_heads_per_layer", 0, 65536)) m.n_kv_heads_per_layer = *per_layer;
  m.head_dim = r.opt_u32("head_dim", 1, 65536);
  m.head_dim_v = r.opt_u32("head_dim_v", 1, 65536);
  m.ffn_size = r.req_u32("ffn_size", 0, kMaxDim);
  m.ffn_gated = r.opt_bool("ffn_gated", true);
  m.vocab_size = r.req_u32("vocab_size", 1, 16'000'000);
  m.tied_embeddings = r.opt_bool("tied_embeddings", false);
  m.context_length = r.req_u32("context_length", 64, 1U << 30);
  m.rope_scaling = r.opt_string("rope_scaling").value_or("");
  m.attention_bias = r.opt_bool("attention_bias", false);
  m.attention_output_bias = r.opt_bool("attention_output_bias", false);
  m.qk_norm = r.opt_bool("qk_norm", false);
  static const std::vector<std::string_view> kNorms = {"rmsnorm", "layernorm"};
  m.norm = static_cast<NormKind>(r.opt_enum("norm", kNorms).value_or(0));
  m.sliding_window = r.opt_u32("sliding_window", 1, 1U << 30);
  m.sliding_window_pattern = r.opt_u32("sliding_window_pattern", 1, 4096);
  if (auto o = r.opt_object("mla")) m.mla = parse_mla(*o);
  if (auto o = r.opt_object("moe")) m.moe = parse_moe(*o);
  if (auto o = r.opt_object("ssm")) m.ssm = parse_ssm(*o);
  m.attention_layers = r.opt_u32_array("attention_layers", 0, 4096);
  m.kv_shared_from_layer = r.opt_u32("kv_shared_from_layer", 0, 4096);
  m.release_year = r.opt_u32("release_year", 1990, 2100);
  parse_layers(r, m);
  if (auto o = r.opt_object("per_layer_inputs")) m.per_layer_inputs = parse_per_layer_inputs(*o);
  parse_recent_patterns(r, m);
  r.finish();
  check_consistency(r, m);
  check_layers(r, m);
  return m;
}

}  // namespace llmsize::catalog
