// Family-specific config.json keys. Sources: transformers' configuration_qwen3_next.py,
// configuration_qwen3_5(_moe).py, configuration_granitemoehybrid.py, configuration_nemotron_h.py,
// configuration_lfm2.py, configuration_ernie4_5_moe.py, configuration_hunyuan_v1_moe.py,
// configuration_deepseek_v32.py; what llama.cpp makes of them: convert_hf_to_gguf.py (Qwen3NextModel,
// GraniteHybridModel, NemotronHModel, LFM2Model, Ernie4_5MoeModel, HunYuanMoEModel, HunYuanModel,
// DeepseekV32Model) and src/llama-model.cpp load_hparams / load_tensors. Each sets the same fields
// a catalog entry of the family does (docs/catalog.md: ssm, attention_layers, layer_kinds, indexer).
#include "hf_families.h"

#include <string_view>

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

u32 narrow(u64 v) { return static_cast<u32>(v); }

}  // namespace

// A per-layer string list such as layer_types: n_layers strings, each one of `known`.
std::vector<std::string> layer_strings(const Reader& r, const char* key, u32 n_layers,
                                       std::initializer_list<std::string_view> known) {
  if (!r.has(key)) r.fail(key, "missing (required: one layer type per layer)");
  const Json& a = r.json().at(key);
  if (!a.is_array()) r.fail(key, std::string("expected an array, found ") + a.type_name());
  if (a.size() != n_layers) r.fail(key, "has " + std::to_string(a.size()) + " entries for " + std::to_string(n_layers) + " layers");
  std::vector<std::string> out;
  for (const Json& v : a) {
    const std::string s = v.is_string() ? v.get<std::string>() : std::string();
    bool ok = false;
    for (std::string_view k : known) ok = ok || s == k;
    if (!ok) r.fail(key, "entry " + std::to_string(out.size()) + ": " + v.dump().substr(0, 40) + " is not a layer type llmsize knows");
    out.push_back(s);
  }
  return out;
}

std::vector<u32> indices_of(const std::vector<std::string>& types, std::string_view type) {
  std::vector<u32> out;
  for (std::size_t il = 0; il < types.size(); ++il) {
    if (types[il] == type) out.push_back(static_cast<u32>(il));
  }
  return out;
}

// A list of layer indices (LFM2 full_attn_idxs, Granite attn_layer_indices), each below n_layers.
std::vector<u32> index_list(const Reader& r, const char* key, u32 n_layers) {
  const Json& a = r.json().at(key);
  if (!a.is_array()) r.fail(key, std::string("expected an array, found ") + a.type_name());
  std::vector<u32> out;
  for (const Json& v : a) {
    if (!v.is_number_unsigned() || v.get<u64>() >= n_layers) r.fail(key, v.dump().substr(0, 40) + " is not a layer index below " + std::to_string(n_layers));
    out.push_back(narrow(v.get<u64>()));
  }
  return out;
}

u64 uniform_value(const Reader& r, const char* key, u64 lo, u64 hi) {
  if (!r.has(key)) r.fail(key, "missing (required to size the model)");
  const Json& v = r.json().at(key);
  if (!v.is_array()) return r.required(key, lo, hi);
  if (v.empty()) r.fail(key, "is empty");
  for (const Json& e : v) {
    if (e != v.front()) r.fail(key, "differs between layers; llama.cpp takes one value for every layer");
  }
  const Json first = Json::object({{key, v.front()}});
  try {
    return Reader(first, "").required(key, lo, hi);
  } catch (const ModelFileError&) {
    return r.required(key, lo, hi);  // the same problem, named with the file: a non-integer in the list
  }
}

namespace {

// heads × head size, the width of a recurrent layer's state rows, within the plausible widths.
u32 inner_width(const Reader& r, const char* heads_key, u32 heads, u32 head_dim) {
  const u64 width = u64{heads} * head_dim;
  if (width > kMaxWidth) r.fail(heads_key, "× the head size is " + std::to_string(width) + ", more than " + std::to_string(kMaxWidth));
  return narrow(width);
}

// Mamba-2 state as llama.cpp reads it (ssm.inner_size = heads × head size).
SsmDims mamba2(const Reader& r, const char* heads, const char* head_dim, const char* state, const char* conv, const char* groups) {
  SsmDims s;
  s.kind = SsmKind::mamba2;
  s.n_heads = narrow(r.required(heads, 1, kMaxHeads));
  s.head_dim = narrow(r.required(head_dim, 1, kMaxWidth));
  s.d_inner = inner_width(r, heads, s.n_heads, s.head_dim);
  s.d_state = narrow(r.required(state, 1, kMaxWidth));
  s.d_conv = narrow(r.required(conv, 1, 1024));
  s.n_groups = narrow(r.required(groups, 1, kMaxHeads));
  return s;
}

// llama.cpp's HunYuan dynamic-NTK scaling (alpha 1000) is given a 256K context whatever
// max_position_embeddings says (convert_hf_to_gguf.py: "the config is incorrectly set to 32k").
void hunyuan_context(const Reader& r, ModelFile& mf) {
  const auto scaling = r.json().find("rope_scaling");
  if (scaling == r.json().end() || !scaling->is_object() || scaling->value("type", std::string()) != "dynamic") return;
  constexpr u32 kHunyuanNtkContext = 256 * 1024;
  mf.model.context_length = kHunyuanNtkContext;
  mf.inferred.push_back("rope_scaling dynamic (NTK alpha): context 262144, as convert_hf_to_gguf.py writes it");
}

}  // namespace

void read_gated_deltanet_hybrid(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  SsmDims s;
  s.kind = SsmKind::gated_deltanet;
  s.n_groups = narrow(r.required("linear_num_key_heads", 1, kMaxHeads));
  s.n_heads = narrow(r.required("linear_num_value_heads", 1, kMaxHeads));
  s.d_state = narrow(r.required("linear_key_head_dim", 1, kMaxWidth));
  s.head_dim = narrow(r.required("linear_value_head_dim", 1, kMaxWidth));
  s.d_conv = narrow(r.required("linear_conv_kernel_dim", 1, 1024));
  s.d_inner = inner_width(r, "linear_num_value_heads", s.n_heads, s.head_dim);
  if (s.n_heads % s.n_groups != 0) r.fail("linear_num_value_heads", "is not a multiple of linear_num_key_heads");
  m.ssm = s;
  if (r.has("layer_types")) {
    m.attention_layers = indices_of(layer_strings(r, "layer_types", m.n_layers, {"full_attention", "linear_attention"}), "full_attention");
  } else {
    // Qwen3NextConfig: layer i attends when (i + 1) % full_attention_interval == 0.
    const u32 interval = narrow(r.required("full_attention_interval", 1, m.n_layers));
    std::vector<u32> attn;
    for (u32 il = interval - 1; il < m.n_layers; il += interval) attn.push_back(il);
    m.attention_layers = attn;
  }
  if (r.has("mlp_only_layers") && !r.json().at("mlp_only_layers").empty()) {
    r.fail("mlp_only_layers", "dense layers inside the MoE are not supported by llama.cpp's qwen3next");
  }
  m.attention_output_gate = r.boolean("attn_output_gate").value_or(true);
  if (m.moe && m.moe->n_shared_experts > 0) {
    m.moe->shared_expert_gate = true;  // shared_expert_gate: a {n_embd} sigmoid gate per layer
    // The MoE text configs state no dense width; the catalog records the shared expert's.
    if (m.ffn_size == 0) m.ffn_size = *m.moe->shared_expert_ffn_size;
  }
}

void read_granite_hybrid(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  m.ssm = mamba2(r, "mamba_n_heads", "mamba_d_head", "mamba_d_state", "mamba_d_conv", "mamba_n_groups");
  if (r.has("layer_types")) {
    m.attention_layers = indices_of(layer_strings(r, "layer_types", m.n_layers, {"attention", "mamba"}), "attention");
  } else if (r.has("attn_layer_indices")) {
    m.attention_layers = index_list(r, "attn_layer_indices", m.n_layers);
  } else {
    r.fail("layer_types", "missing (required to tell Mamba-2 layers from attention layers)");
  }
  // GraniteMoeHybridConfig: intermediate_size is the experts' width, shared_intermediate_size the
  // shared expert's, or the dense MLP's when the model has no experts (4.0-H-Micro).
  const auto shared = r.uint("shared_intermediate_size", 0, kMaxWidth);
  if (shared && *shared > 0) {
    m.ffn_size = narrow(*shared);
    if (m.moe) {
      m.moe->n_shared_experts = 1;
      m.moe->shared_expert_ffn_size = narrow(*shared);
    }
  }
  if (m.ffn_size == 0) r.fail("shared_intermediate_size", "missing (required to size the model)");
}

void read_nemotron_h(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  const std::string pattern = r.string("hybrid_override_pattern").value_or("");
  if (pattern.size() != m.n_layers) {
    r.fail("hybrid_override_pattern", pattern.empty() ? std::string("missing (required: one letter per layer)")
                                                      : "has " + std::to_string(pattern.size()) + " letters for " + std::to_string(m.n_layers) + " layers");
  }
  m.ssm = mamba2(r, "mamba_num_heads", "mamba_head_dim", "ssm_state_size", "conv_kernel", "n_groups");
  m.ffn_gated = false;  // ReLU² MLPs and experts: up and down only
  for (std::size_t il = 0; il < pattern.size(); ++il) {
    LayerShape s;
    switch (pattern[il]) {
      case 'M': s.mixer = MixerKind::recurrent; s.ffn = FfnKind::none; break;
      case '*': s.mixer = MixerKind::attention; s.ffn = FfnKind::none; break;
      case '-': s.mixer = MixerKind::none; s.ffn = FfnKind::dense; break;
      case 'E': s.mixer = MixerKind::none; s.ffn = FfnKind::moe; break;
      default:
        r.fail("hybrid_override_pattern", "layer " + std::to_string(il) + ": '" + std::string(1, pattern[il]) +
                                              "' is not M, *, - or E");
    }
    m.layers.push_back(s);
  }
  if (pattern.find('E') == std::string::npos) return;
  // Nemotron 3: the MoE blocks make it llama.cpp's nemotron_h_moe.
  m.arch = "nemotron_h_moe";
  MoeDims e;
  e.n_experts = narrow(r.required("n_routed_experts", 2, kMaxExperts));
  e.n_active_experts = narrow(r.required("num_experts_per_tok", 1, e.n_experts));
  e.expert_ffn_size = narrow(r.required("moe_intermediate_size", 1, kMaxWidth));
  e.n_shared_experts = narrow(r.uint("n_shared_experts", 0, kMaxExperts).value_or(1));
  if (e.n_shared_experts > 0) e.shared_expert_ffn_size = narrow(r.required("moe_shared_expert_intermediate_size", 1, kMaxWidth));
  e.router_bias = true;  // the sigmoid router's exp_probs_b, which llama.cpp requires
  m.moe = e;
}

void read_shortconv_layers(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  SsmDims s;
  s.kind = SsmKind::shortconv;
  s.d_inner = m.hidden_size;
  s.d_conv = narrow(r.required("conv_L_cache", 1, 1024));
  m.ssm = s;
  if (r.has("layer_types")) {
    m.attention_layers = indices_of(layer_strings(r, "layer_types", m.n_layers, {"full_attention", "conv"}), "full_attention");
  } else if (r.has("full_attn_idxs")) {
    m.attention_layers = index_list(r, "full_attn_idxs", m.n_layers);
  } else {
    r.fail("layer_types", "missing (required to tell convolution layers from attention layers)");
  }
}

void read_lfm2(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  read_shortconv_layers(r, mf);
  // LFM2Model._add_feed_forward_length: 2/3 of block_ff_dim, times the multiplier, rounded up.
  u64 ff = r.uint("block_ff_dim", 1, kMaxWidth).value_or(m.ffn_size);
  if (ff == 0) r.fail("block_ff_dim", "missing (required to size the model)");
  if (r.boolean("block_auto_adjust_ff_dim").value_or(false)) {
    ff = 2 * ff / 3;
    if (r.has("block_ffn_dim_multiplier")) {
      const Json& mult = r.json().at("block_ffn_dim_multiplier");
      if (!mult.is_number() || mult.get<double>() <= 0 || mult.get<double>() > 64) r.fail("block_ffn_dim_multiplier", "expected a positive number");
      ff = static_cast<u64>(mult.get<double>() * static_cast<double>(ff));
    }
    const u64 multiple = r.uint("block_multiple_of", 1, kMaxWidth).value_or(1);
    ff = multiple * ((ff + multiple - 1) / multiple);
  }
  m.ffn_size = narrow(ff);
  // Lfm2Config spells tied embeddings tie_embedding.
  if (const auto tied = r.boolean("tie_embedding"); tied && !r.has("tie_word_embeddings")) {
    m.tied_embeddings = *tied;
    std::erase_if(mf.inferred, [](const std::string& note) { return note.starts_with("tie_word_embeddings missing"); });
  }
}

void read_ernie_moe(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  if (!m.moe || m.moe->n_shared_experts == 0) return;
  // Ernie4_5MoeModel.set_gguf_parameters: expert_shared_feed_forward_length = intermediate_size / num_key_value_heads.
  if (m.ffn_size == 0 || m.n_kv_heads == 0) r.fail("intermediate_size", "missing (required for the shared experts)");
  m.moe->shared_expert_ffn_size = m.ffn_size / m.n_kv_heads;
}

void read_hunyuan_moe(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  MoeDims e;
  e.n_experts = narrow(r.required("num_experts", 2, kMaxExperts));
  e.n_active_experts = narrow(uniform_value(r, "moe_topk", 1, e.n_experts));
  e.expert_ffn_size = narrow(uniform_value(r, "moe_intermediate_size", 1, kMaxWidth));
  e.n_shared_experts = narrow(uniform_value(r, "num_shared_expert", 0, kMaxExperts));
  if (e.n_shared_experts > 0) e.shared_expert_ffn_size = m.ffn_size;  // intermediate_size: the shared expert
  m.moe = e;
  hunyuan_context(r, mf);
}

void read_hunyuan_dense(const Reader& r, ModelFile& mf) { hunyuan_context(r, mf); }

// Gemma3nTextConfig: KV sharing, per-layer inputs, AltUp and Laurel. The period of the sliding
// layers comes from layer_types (read_swa).
void read_gemma3n(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  const u32 shared = narrow(r.required("num_kv_shared_layers", 0, m.n_layers - 1));
  if (shared > 0) m.kv_shared_from_layer = m.n_layers - shared;
  PerLayerInputs p;
  p.size = narrow(r.required("hidden_size_per_layer_input", 1, kMaxWidth));
  p.altup_inputs = narrow(r.required("altup_num_inputs", 1, 64));
  p.laurel_rank = narrow(r.required("laurel_rank", 1, kMaxWidth));
  m.per_layer_inputs = p;
}

// Gemma4TextConfig: full-attention layers with global_head_dim (and num_global_key_value_heads,
// V = K under attention_k_eq_v), the KV-shared tail with a double-wide MLP (use_double_wide_mlp),
// per-layer inputs, and the MoE block beside the dense MLP (enable_moe_block): the catalog's layer_kinds.
void read_gemma4(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  const std::vector<std::string> types = layer_strings(r, "layer_types", m.n_layers, {"sliding_attention", "full_attention"});
  const u32 shared = narrow(r.uint("num_kv_shared_layers", 0, m.n_layers - 1).value_or(0));
  if (shared > 0) m.kv_shared_from_layer = m.n_layers - shared;
  const auto global_head_dim = r.uint("global_head_dim", 1, kMaxWidth);
  const auto global_kv_heads = r.uint("num_global_key_value_heads", 1, m.n_heads);
  const bool k_eq_v = r.boolean("attention_k_eq_v").value_or(false);
  const bool double_wide = r.boolean("use_double_wide_mlp").value_or(false);
  const bool moe = r.boolean("enable_moe_block").value_or(false);
  for (u32 il = 0; il < m.n_layers; ++il) {
    LayerShape s;
    if (moe) s.ffn = FfnKind::moe;
    if (types[il] == "full_attention") {
      if (global_head_dim) s.head_dim = narrow(*global_head_dim);
      if (global_kv_heads) s.n_kv_heads = narrow(*global_kv_heads);
      s.v_from_k = k_eq_v;
    }
    if (double_wide && m.kv_shared_from_layer && il >= *m.kv_shared_from_layer) s.ffn_size = 2 * m.ffn_size;
    m.layers.push_back(s);
  }
  if (const auto ple = r.uint("hidden_size_per_layer_input", 0, kMaxWidth); ple && *ple > 0) m.per_layer_inputs = PerLayerInputs{.size = narrow(*ple)};
  if (!moe) return;
  MoeDims e;
  e.n_experts = narrow(r.required("num_experts", 2, kMaxExperts));
  e.n_active_experts = narrow(r.required("top_k_experts", 1, e.n_experts));
  e.expert_ffn_size = narrow(r.required("moe_intermediate_size", 1, kMaxWidth));
  e.n_shared_experts = 1;  // the dense MLP beside the experts (ArchTraits dense_beside_experts)
  e.shared_expert_ffn_size = m.ffn_size;
  m.moe = e;
}

void read_dsa_indexer(const Reader& r, ModelFile& mf) {
  IndexerDims d;
  d.n_heads = narrow(r.required("index_n_heads", 1, kMaxHeads));
  d.head_dim = narrow(r.required("index_head_dim", 1, kMaxWidth));
  d.top_k = narrow(r.required("index_topk", 1, 1U << 30));
  mf.model.indexer = d;
}

}  // namespace llmsize::modelfile
