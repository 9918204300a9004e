// Family-specific config.json keys of the catalog's remaining architectures. Sources: transformers'
// configuration_falcon.py, configuration_llama4.py, configuration_jamba.py, configuration_mamba2.py,
// configuration_lfm2_moe.py, the checkpoints' own configuration_chatglm.py, configuration_decilm.py and
// configuration_bailing_moe_v2.py; what llama.cpp makes of them: convert_hf_to_gguf.py (FalconModel,
// ChatGLMModel, Llama4Model, JambaModel, Mamba2Model, LFM2MoeModel, DeciModel) and src/llama-model.cpp
// load_hparams / load_tensors. Each sets the fields a catalog entry of the family does.
#include <algorithm>
#include <map>
#include <string>

#include "hf_families.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {
namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

u32 narrow(u64 v) { return static_cast<u32>(v); }

// Replaces the common reader's note that starts with `prefix` (a default this family sets otherwise).
void replace_note(ModelFile& mf, std::string_view prefix, std::string note) {
  std::erase_if(mf.inferred, [prefix](const std::string& n) { return n.starts_with(prefix); });
  if (!note.empty()) mf.inferred.push_back(std::move(note));
}

// Layers from `offset` on, every `period`-th (Jamba's attn_layer_* and expert_layer_* keys).
bool on_period(u32 il, u32 period, u32 offset) { return il >= offset && (il - offset) % period == 0; }

// DeciModel._ffn_mult_to_intermediate_size: find_multiple(int(2 × ffn_mult × n_embd / 3), 256).
u32 deci_ffn_width(const Reader& r, const Json& mult, u32 hidden) {
  if (!mult.is_number() || mult.get<double>() <= 0 || mult.get<double>() > 64) r.fail("block_configs", "ffn_mult " + mult.dump().substr(0, 20) + " is not a positive number");
  const auto width = static_cast<u64>(2.0 * mult.get<double>() * static_cast<double>(hidden) / 3.0);
  return narrow((width + 255) / 256 * 256);
}

// One block_configs entry as llama.cpp's DeciModel reads it: n_heads_in_group gives GQA attention,
// none with replace_with_linear a linear layer, none otherwise no attention; no ffn_mult: no FFN.
LayerShape deci_block(const Reader& r, const Json& block, std::size_t il, const Model& m) {
  const std::string at = "block_configs: block " + std::to_string(il);
  if (!block.is_object() || !block.contains("attention") || !block.contains("ffn") || !block.at("attention").is_object() ||
      !block.at("ffn").is_object()) {
    r.fail(at, "expected an object with \"attention\" and \"ffn\"");
  }
  const Json& attn = block.at("attention");
  const Json& ffn = block.at("ffn");
  LayerShape s;
  const Json group = attn.value("n_heads_in_group", Json());
  if (group.is_number_unsigned() && group.get<u64>() > 0) {
    if (m.n_heads % group.get<u64>() != 0) r.fail(at, "n_heads_in_group " + group.dump() + " does not divide num_attention_heads");
    s.n_kv_heads = narrow(m.n_heads / group.get<u64>());
  } else if (!group.is_null()) {
    r.fail(at, "n_heads_in_group " + group.dump().substr(0, 20) + " is not a positive integer or null");
  } else {
    s.mixer = attn.value("replace_with_linear", false) ? MixerKind::linear : MixerKind::none;
  }
  if (ffn.value("replace_with_linear", false)) r.fail(at, "a linear FFN is not supported by llama.cpp's deci");
  const Json mult = ffn.value("ffn_mult", Json());
  if (mult.is_null()) {
    s.ffn = FfnKind::none;
  } else {
    s.ffn_size = deci_ffn_width(r, mult, m.hidden_size);
  }
  return s;
}

}  // namespace

void read_falcon(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  m.ffn_size = 4 * m.hidden_size;  // FalconModel: feed_forward_length = 4 × hidden_size
  if (!r.has("num_key_value_heads")) {
    m.n_kv_heads = 1;
    replace_note(mf, "num_key_value_heads missing", "num_kv_heads missing: 1 KV head (multi-query), as convert_hf_to_gguf.py's FalconModel");
  }
  constexpr u32 kFalconContext = 2048;  // FalconModel: add_context_length(2048), "not in config.json"
  m.context_length = kFalconContext;
  replace_note(mf, "max_position_embeddings missing", "context 2048, as convert_hf_to_gguf.py writes for Falcon (config.json has none)");
  if (!r.has("tie_word_embeddings")) {
    replace_note(mf, "tie_word_embeddings missing",
                 "tie_word_embeddings missing: false; convert_hf_to_gguf.py writes the checkpoint's lm_head.weight, which "
                 "falcon-7b and falcon-40b store");
  }
}

void read_chatglm(const Reader& r, ModelFile& mf) {
  if (r.boolean("multi_query_attention") == false) mf.model.n_kv_heads = mf.model.n_heads;
}

void read_bailing_moe2(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  if (!m.moe || m.moe->n_shared_experts == 0) return;
  const auto width = r.uint("moe_shared_expert_intermediate_size", 1, kMaxWidth);
  if (width && *width != u64{m.moe->n_shared_experts} * m.moe->expert_ffn_size) m.moe->shared_expert_ffn_size = narrow(*width);
}

void read_lfm2_moe(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  read_shortconv_layers(r, mf);
  if (m.ffn_size == 0) r.fail("intermediate_size", "missing (required for the dense leading layers)");
  MoeDims e;
  e.n_experts = narrow(r.required("num_experts", 2, kMaxExperts));
  e.n_active_experts = narrow(r.required("num_experts_per_tok", 1, e.n_experts));
  e.expert_ffn_size = narrow(r.required("moe_intermediate_size", 1, kMaxWidth));
  e.n_dense_leading_layers = narrow(r.required("num_dense_layers", 0, m.n_layers));
  m.moe = e;
}

void read_llama4(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  // Llama4Model: intermediate_size is the experts' (and the shared expert's) width, intermediate_size_mlp the dense layers'.
  const u32 expert_ffn = m.ffn_size;
  m.ffn_size = narrow(r.required("intermediate_size_mlp", 1, kMaxWidth));
  const u64 experts = r.uint("num_local_experts", 0, kMaxExperts).value_or(0);
  if (experts > 0) {
    if (expert_ffn == 0) r.fail("intermediate_size", "missing (required for a mixture of experts)");
    MoeDims e;
    e.n_experts = narrow(experts);
    e.n_active_experts = narrow(r.required("num_experts_per_tok", 1, experts));
    e.expert_ffn_size = expert_ffn;
    e.n_shared_experts = 1;
    e.shared_expert_ffn_size = expert_ffn;
    e.moe_layer_step = narrow(r.required("interleave_moe_layer_step", 1, m.n_layers));  // experts on layers step-1, 2·step-1, ...
    m.moe = e;
  }
  if (!m.sliding_window) return;
  // llama.cpp fixes the layout: 8192-token chunks on three of every four layers, the fourth global
  // without RoPE. Say so where the config describes another.
  if (const auto chunk = r.uint("attention_chunk_size", 1, kMaxContext); chunk && *chunk != *m.sliding_window) {
    mf.inferred.push_back("attention_chunk_size " + std::to_string(*chunk) + ": llama.cpp uses chunks of 8192");
  }
  // An empty no_rope_layers is Llama4TextConfig's default: NoPE on every fourth layer.
  if (r.has("no_rope_layers") && r.json().at("no_rope_layers").is_array() && !r.json().at("no_rope_layers").empty()) {
    const Json& rope = r.json().at("no_rope_layers");
    bool same = rope.size() == m.n_layers;
    for (u32 il = 0; same && il < m.n_layers; ++il) same = rope[il] == Json((il + 1) % 4 != 0 ? 1 : 0);
    if (!same) mf.inferred.push_back("no_rope_layers differs from llama.cpp's fixed layout (every fourth layer global without RoPE), which is used");
  }
}

void read_jamba(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  SsmDims s;
  s.kind = SsmKind::mamba;
  s.d_inner = narrow(r.required("mamba_expand", 1, 64) * m.hidden_size);
  s.d_state = narrow(r.uint("mamba_d_state", 1, kMaxWidth).value_or(16));  // JambaModel's defaults
  s.d_conv = narrow(r.uint("mamba_d_conv", 1, 1024).value_or(4));
  // llama.cpp's Mamba layers take dt_rank = ceil(hidden_size / 16), JambaConfig's "auto".
  if (r.has("mamba_dt_rank") && !r.json().at("mamba_dt_rank").is_string()) {
    if (r.required("mamba_dt_rank", 1, kMaxWidth) != (u64{m.hidden_size} + 15) / 16) r.fail("mamba_dt_rank", "differs from ceil(hidden_size / 16), the rank llmsize sizes");
  }
  m.ssm = s;
  const u32 attn_period = narrow(r.required("attn_layer_period", 1, m.n_layers));
  const u32 attn_offset = narrow(r.required("attn_layer_offset", 0, m.n_layers - 1));
  std::vector<u32> attention;
  for (u32 il = 0; il < m.n_layers; ++il) {
    if (on_period(il, attn_period, attn_offset)) attention.push_back(il);
  }
  m.attention_layers = attention;
  const u64 experts = r.required("num_experts", 1, kMaxExperts);
  if (experts <= 1) return;  // a dense MLP on every layer
  MoeDims e;
  e.n_experts = narrow(experts);
  e.n_active_experts = narrow(r.required("num_experts_per_tok", 1, experts));
  e.expert_ffn_size = m.ffn_size;
  const u32 period = narrow(r.required("expert_layer_period", 1, m.n_layers));
  const u32 offset = narrow(r.required("expert_layer_offset", 0, m.n_layers - 1));
  m.moe = e;
  if (offset + 1 >= period) {
    // The engine's interleave puts experts on the last layer of each period after the dense lead.
    m.moe->moe_layer_step = period;
    m.moe->n_dense_leading_layers = offset + 1 - period;
    return;
  }
  for (u32 il = 0; il < m.n_layers; ++il) {
    LayerShape l;
    l.mixer = on_period(il, attn_period, attn_offset) ? MixerKind::attention : MixerKind::recurrent;
    l.ffn = on_period(il, period, offset) ? FfnKind::moe : FfnKind::dense;
    m.layers.push_back(l);
  }
  m.attention_layers.reset();
}

void read_mamba2(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  SsmDims s;
  s.kind = SsmKind::mamba2;
  s.d_inner = narrow(r.uint("intermediate_size", 1, kMaxWidth).value_or(r.uint("expand", 1, 64).value_or(2) * m.hidden_size));
  s.n_heads = narrow(r.required("num_heads", 1, kMaxHeads));
  s.head_dim = narrow(r.required("head_dim", 1, kMaxWidth));
  if (u64{s.n_heads} * s.head_dim != s.d_inner) r.fail("num_heads", "× head_dim is not the inner width (expand × hidden_size)");
  s.d_state = narrow(r.required("state_size", 1, kMaxWidth));
  s.d_conv = narrow(r.required("conv_kernel", 1, 1024));
  s.n_groups = narrow(r.required("n_groups", 1, kMaxHeads));
  m.ssm = s;
  m.attention_layers = std::vector<u32>{};
  m.n_heads = 1;
  m.n_kv_heads = 1;
  // Mamba2Model.set_vocab: the vocabulary rounded up to pad_vocab_size_multiple (16).
  const u64 pad = r.uint("pad_vocab_size_multiple", 1, 4096).value_or(16);
  const u64 padded = (m.vocab_size + pad - 1) / pad * pad;
  if (padded != m.vocab_size) {
    mf.inferred.push_back("vocab_size " + std::to_string(m.vocab_size) + " padded to " + std::to_string(padded) + ", as convert_hf_to_gguf.py does");
    m.vocab_size = narrow(padded);
  }
  constexpr u32 kMamba2Context = 1U << 20;  // Mamba2Model: add_context_length(2**20), "arbitrary value"
  m.context_length = kMamba2Context;
  mf.inferred.push_back("Mamba-2 has no maximum context; 1048576 tokens, the value convert_hf_to_gguf.py writes, is used as the cap");
}

void read_deci(const Reader& r, ModelFile& mf) {
  Model& m = mf.model;
  if (!r.has("block_configs")) {  // DeciLM-7B: uniform blocks, KV heads per layer
    if (!r.has("num_key_value_heads_per_layer")) r.fail("block_configs", "missing (required to size each block)");
    const Json& kv = r.json().at("num_key_value_heads_per_layer");
    if (!kv.is_array() || kv.size() != m.n_layers) r.fail("num_key_value_heads_per_layer", "expected one number per layer");
    for (const Json& v : kv) {
      if (!v.is_number_unsigned() || v.get<u64>() == 0 || v.get<u64>() > m.n_heads) r.fail("num_key_value_heads_per_layer", v.dump().substr(0, 20) + " is not a KV head count");
      m.n_kv_heads_per_layer.push_back(narrow(v.get<u64>()));
    }
    return;
  }
  const Json& blocks = r.json().at("block_configs");
  if (!blocks.is_array()) r.fail("block_configs", std::string("expected an array, found ") + blocks.type_name());
  if (blocks.size() != m.n_layers) r.fail("block_configs", "has " + std::to_string(blocks.size()) + " blocks for " + std::to_string(m.n_layers) + " layers");
  std::vector<LayerShape> layers;
  std::map<u32, u32> widths;  // FFN width -> blocks
  std::optional<u32> kv;
  for (std::size_t il = 0; il < blocks.size(); ++il) {
    layers.push_back(deci_block(r, blocks[il], il, m));
    if (layers.back().n_kv_heads && !kv) kv = layers.back().n_kv_heads;
    if (layers.back().ffn_size) ++widths[*layers.back().ffn_size];
  }
  // The config states no model-wide KV heads or FFN width (null): the first attention block's KV
  // heads, and the width most blocks have (the wider on a tie), as the catalog records them.
  m.n_kv_heads = kv.value_or(m.n_heads);
  replace_note(mf, "num_key_value_heads missing", "");
  for (LayerShape& s : layers) {
    if (s.n_kv_heads == m.n_kv_heads) s.n_kv_heads.reset();
  }
  const auto most = std::max_element(widths.begin(), widths.end(), [](const auto& a, const auto& b) { return a.second < b.second || (a.second == b.second && a.first < b.first); });
  m.ffn_size = most == widths.end() ? 0 : most->first;
  m.layers = std::move(layers);
}

}  // namespace llmsize::modelfile
