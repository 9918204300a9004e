// What llama-quantize reads of a model's tensors before it looks at a recipe (llama.cpp
// src/llama-quant.cpp): the name a rule knows each tensor by, its position for the layer selectors and
// the model-wide facts rules test. Worked out once per model; weights.cpp applies each quant to it.
#include <algorithm>

#include "llmsize/engine/weights.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

// llama-quant.cpp use_more_bits(): the first and last eighth of the layers and every third in between.
bool use_more_bits(u64 i, u64 n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// Where a tensor stands for the layer selectors: its index among the tensors it is counted with,
// and their number. `count` 0: a global tensor, which no selector but `all` matches.
struct Position {
  u64 index = 0;
  u64 count = 0;
};

// llama-quant.cpp counts tensors, not layers: attn_v-like tensors (attn_v, attn_qkv, attn_kv_b) are
// the i_attention_wv-th of n_attention_wv, and without experts ffn_down / ffn_gate / ffn_up the
// i_ffn_*-th of n_layer; with experts (n_expert > 1) layer_info reads the layer from the name.
// When every layer holds the tensor the count is the layer; a model with attention or an FFN on
// some layers only (hybrids, DeciLM) differs.
std::vector<Position> selector_positions(const Model& m, const std::vector<TensorSpec>& specs) {
  enum Family { attn_v, ffn_down, ffn_gate, ffn_up, other };
  const auto family_of = [](std::string_view g) {
    if (g == "attn_v" || g == "attn_qkv" || g == "attn_kv_b") return attn_v;
    if (g.starts_with("ffn_down")) return ffn_down;
    if (g.starts_with("ffn_gate") && g != "ffn_gate_inp") return ffn_gate;
    if (g.starts_with("ffn_up")) return ffn_up;
    return other;
  };
  u64 n_attn_v = 0;
  for (const TensorSpec& s : specs) n_attn_v += s.layer >= 0 && family_of(s.group) == attn_v ? 1 : 0;
  const bool by_layer = m.moe.has_value() && m.moe->n_experts > 1;
  // llama-quantize's n_layer is the file's: the trunk and the MTP blocks (n_layer_all).
  const u64 n_layer_all = u64{m.n_layers} + m.nextn_layers;
  std::vector<Position> out(specs.size());
  u64 seen[other] = {0, 0, 0, 0};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const TensorSpec& s = specs[i];
    if (s.layer < 0) continue;
    const Family f = family_of(s.group);
    const u64 layer = static_cast<u64>(s.layer);
    if (f == other || (f != attn_v && by_layer)) {
      out[i] = {layer, n_layer_all};
    } else {
      out[i] = {seen[f]++, f == attn_v ? n_attn_v : n_layer_all};
    }
  }
  return out;
}

// llama_hparams::n_gqa() is layer 0's: 0 when layer 0 has no KV heads (a Nemotron-H Mamba layer).
std::uint32_t layer0_gqa(const Model& m) {
  const std::uint32_t kv = is_attention_layer(m, 0) ? kv_heads(m, 0) : 0;
  return kv == 0 ? 0 : n_heads(m, 0) / kv;
}

std::uint32_t model_gqa(const Model& m) {
  if (!m.layers.empty()) return layer0_gqa(m);
  return m.n_kv_heads == 0 ? 1 : m.n_heads / m.n_kv_heads;
}

// The tensor token_embd plays the output head's part when embeddings are tied (llama-quant.cpp:
// `name == output.weight || (!has_output && name == token_embd.weight)`).
// per_layer_token_embd is quantized as token_embd (tensor_name_match_token_embd).
std::string_view recipe_group(std::string_view group, const Model& m) {
  const bool token_embd = group == "token_embd" || group == "per_layer_token_embd";
  if (token_embd && m.tied_embeddings) return "output";
  if (token_embd) return "token_embd";
  // llama-quant.cpp tensor_get_category matches substrings: "blk.N.indexer.attn_k.weight" is ATTENTION_K.
  if (group == "indexer_attn_k") return "attn_k";
  return group;
}

// The type the model ships a group in: the first of Model::native_types that names it.
std::optional<std::string> native_type_of(const Model& m, std::string_view group) {
  for (const NativeTensorType& n : m.native_types) {
    if (std::find(n.tensors.begin(), n.tensors.end(), group) != n.tensors.end()) return n.type;
  }
  return std::nullopt;
}

// The group's index in `out.groups`, added on first sight. A model repeats the same ~20 groups in
// every layer in the same order, so the one after the last found is tried first.
std::uint32_t group_index(ModelTensors& out, const Model& m, std::string_view group, std::size_t& next) {
  const std::size_t n = out.groups.size();
  for (std::size_t tried = 0; tried < n; ++tried, ++next) {
    if (next >= n) next = 0;
    if (out.groups[next].name == group) return static_cast<std::uint32_t>(next++);
  }
  out.groups.push_back({std::string(group), std::string(recipe_group(group, m)), native_type_of(m, group)});
  next = 0;
  return static_cast<std::uint32_t>(n);
}

// The kind's index in `out.kinds`, added on first sight; `of_group` lists each group's kinds (a few:
// the layer selectors' verdicts, a layer of another shape).
std::uint32_t kind_index(ModelTensors& out, std::vector<std::vector<std::uint32_t>>& of_group, const ModelTensors::Kind& kind) {
  if (of_group.size() <= kind.group) of_group.resize(kind.group + 1);
  std::vector<std::uint32_t>& known = of_group[kind.group];
  for (const std::uint32_t k : known) {
    const ModelTensors::Kind& a = out.kinds[k];
    if (a.row_length == kind.row_length && a.n_elements == kind.n_elements && a.is_vector == kind.is_vector &&
        a.keep_unquantized == kind.keep_unquantized && a.more_bits == kind.more_bits && a.first_eighth == kind.first_eighth) {
      return k;
    }
  }
  known.push_back(static_cast<std::uint32_t>(out.kinds.size()));
  out.kinds.push_back(kind);
  return known.back();
}

}  // namespace

TensorRole tensor_role(std::string_view group) {
  if (group == "token_embd") return TensorRole::token_embd;
  if (group == "per_layer_token_embd") return TensorRole::per_layer_token_embd;
  return TensorRole::other;
}

ModelTensors classify_tensors(const Model& m) {
  ModelTensors out;
  out.specs = enumerate_tensors(m);
  out.n_layers = m.n_layers;
  out.gqa = model_gqa(m);
  out.n_experts = m.moe ? m.moe->n_experts : 0;
  // Layer selectors count positions over the whole file's tensors, MTP blocks included (llama-quantize's
  // n_layer_all): selector_positions sees every spec, loaded or not.
  const std::vector<Position> positions = selector_positions(m, out.specs);
  out.entries.reserve(out.specs.size());
  std::vector<std::vector<std::uint32_t>> kinds_of_group;
  std::size_t next = 0;
  for (std::size_t i = 0; i < out.specs.size(); ++i) {
    const TensorSpec& spec = out.specs[i];
    const Position at = positions[i];
    ModelTensors::Kind kind;
    kind.group = group_index(out, m, spec.group, next);
    kind.row_length = spec.row_length;
    kind.n_elements = spec.n_elements;
    kind.is_vector = spec.is_vector;
    kind.keep_unquantized = spec.keep_unquantized;
    kind.more_bits = at.count > 0 && use_more_bits(at.index, at.count);
    kind.first_eighth = at.count > 0 && at.index < at.count / 8;
    const std::uint32_t k = kind_index(out, kinds_of_group, kind);
    if (!spec.not_loaded) ++out.kinds[k].n_loaded;
    out.entries.push_back({k, tensor_role(spec.group)});
  }
  return out;
}

}  // namespace llmsize::engine
