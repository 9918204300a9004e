// Which tensor type each tensor gets, and the bytes: llama.cpp src/llama-quant.cpp
// (llama_tensor_get_type) expressed as catalog recipes.
#include <algorithm>
#include <utility>

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

bool layer_matches(LayerSelector sel, Position at) {
  if (sel == LayerSelector::all) return true;
  if (at.count == 0) return false;
  if (sel == LayerSelector::more_bits) return use_more_bits(at.index, at.count);
  return at.index < at.count / 8;  // first_eighth
}

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

// The conditions of a rule on the whole model (GQA, expert count), which hold for all its tensors or none.
bool model_matches(const QuantRule& rule, const Model& m) {
  if (rule.min_gqa) {
    const std::uint32_t gqa = m.layers.empty() ? (m.n_kv_heads == 0 ? 1 : m.n_heads / m.n_kv_heads) : layer0_gqa(m);
    if (gqa < *rule.min_gqa) return false;
  }
  if (rule.min_experts) {
    const std::uint32_t experts = m.moe ? m.moe->n_experts : 0;
    if (experts < *rule.min_experts) return false;
  }
  return true;
}

bool names_group(const QuantRule& rule, std::string_view group) {
  return std::find(rule.tensors.begin(), rule.tensors.end(), group) != rule.tensors.end();
}

// The types a model ships tensor groups in, resolved once per recipe; empty unless the recipe keeps them.
struct NativeGroup {
  std::string_view group;
  const TensorType* type;  ///< nullptr: the model names a type the catalog lacks
  std::string_view type_id;
};

std::vector<NativeGroup> native_groups(const Model& m, const Quant& q, const std::vector<TensorType>& types) {
  std::vector<NativeGroup> out;
  if (!q.keeps_native_types) return out;
  for (const NativeTensorType& n : m.native_types) {
    for (const std::string& group : n.tensors) out.push_back({group, find_type(types, n.type), n.type});
  }
  return out;
}

const NativeGroup* native_group_for(const std::vector<NativeGroup>& natives, std::string_view group) {
  for (const NativeGroup& n : natives) {
    if (n.group == group) return &n;
  }
  return nullptr;
}

// The tensor token_embd plays the output head's part when embeddings are tied (llama-quant.cpp:
// `name == output.weight || (!has_output && name == token_embd.weight)`).
// per_layer_token_embd is quantized as token_embd (tensor_name_match_token_embd).
std::string_view recipe_group(const TensorSpec& t, const Model& m) {
  const bool token_embd = t.group == "token_embd" || t.group == "per_layer_token_embd";
  if (token_embd && m.tied_embeddings) return "output";
  if (token_embd) return "token_embd";
  // llama-quant.cpp tensor_get_category matches substrings: "blk.N.indexer.attn_k.weight" is ATTENTION_K.
  if (t.group == "indexer_attn_k") return "attn_k";
  return t.group;
}

}  // namespace

const TensorType* find_type(const std::vector<TensorType>& types, std::string_view id) {
  for (const TensorType& t : types) {
    if (t.meta.id == id) return &t;
  }
  return nullptr;
}

u64 tensor_bytes(const TensorType& type, u64 row_length, u64 n_elements) {
  if (row_length == 0) return 0;
  if (!type.ggml_type) {
    // Non-GGUF formats (GPTQ, bitsandbytes, FP8 block scales) pack groups across the whole tensor.
    return (n_elements * type.block_bytes + type.block_weights - 1) / type.block_weights;
  }
  // GGML stores each row as whole blocks.
  const u64 rows = n_elements / row_length;
  const u64 blocks_per_row = (row_length + type.block_weights - 1) / type.block_weights;
  return rows * blocks_per_row * type.block_bytes;
}

namespace {

WeightsResult empty_totals(const Model& m) {
  WeightsResult r;
  r.layer_bytes.assign(m.n_layers, 0);
  r.layer_expert_bytes.assign(m.n_layers, 0);
  r.layer_cpu_repack_bytes.assign(m.n_layers, 0);
  r.layer_expert_cpu_repack_bytes.assign(m.n_layers, 0);
  return r;
}

// Adds one tensor to the totals: its layer's, the output layer's or token_embd's, experts and repack.
void add_to_totals(WeightsResult& r, const TensorSpec& spec, const TensorType* type, u64 bytes) {
  if (spec.not_loaded) {  // in the file only (MTP blocks): no memory, no reads
    r.not_loaded_bytes += bytes;
    return;
  }
  r.total_bytes += bytes;
  if (type != nullptr && !spec.is_vector && type->cpu_matmul_speed > 0) {
    const auto values = static_cast<double>(spec.n_elements);
    const double time = values / type->cpu_matmul_speed;
    if (spec.group == "token_embd") {
      r.cpu_embd_values += values;
      r.cpu_embd_time += time;
    } else if (spec.is_routed_expert) {
      r.cpu_expert_values += values;
      r.cpu_expert_time += time;
    } else if (!is_input_tensor(spec.group)) {
      r.cpu_matmul_values += values;
      r.cpu_matmul_time += time;
    }
  }
  const bool repacked = type != nullptr && type->cpu_repack && !spec.is_vector && !is_input_tensor(spec.group);
  if (spec.layer < 0 || static_cast<std::size_t>(spec.layer) >= r.layer_bytes.size()) {
    if (spec.group == "token_embd") {
      r.token_embd_bytes += bytes;
    } else if (spec.group == "per_layer_token_embd") {
      r.per_layer_embd_bytes += bytes;
    } else {
      r.output_bytes += bytes;
      if (repacked) r.output_cpu_repack_bytes += bytes;
    }
  } else {
    const auto il = static_cast<std::size_t>(spec.layer);
    r.layer_bytes[il] += bytes;
    if (spec.is_routed_expert) {
      r.layer_expert_bytes[il] += bytes;
      r.routed_expert_bytes += bytes;
    }
    if (repacked) r.layer_cpu_repack_bytes[il] += bytes;
    if (repacked && spec.is_routed_expert) r.layer_expert_cpu_repack_bytes[il] += bytes;
  }
  if (repacked) r.cpu_repack_bytes += bytes;
}

// The recipe applied to `specs`; the per-tensor list is kept only when `keep` is set.
WeightsResult apply_recipe(const Model& m, const std::vector<TensorSpec>& specs, const Quant& q,
                           const std::vector<TensorType>& types, bool keep);

}  // namespace

WeightsResult summarize_weights(const Model& m, std::vector<PlacedTensor> tensors) {
  WeightsResult r = empty_totals(m);
  for (const PlacedTensor& t : tensors) add_to_totals(r, t.spec, t.type, t.bytes);
  r.tensors = std::move(tensors);
  return r;
}

WeightsResult weight_bytes(const Model& m, const Quant& q, const std::vector<TensorType>& types) {
  return apply_recipe(m, enumerate_tensors(m), q, types, true);
}

WeightsResult weight_totals(const Model& m, const std::vector<TensorSpec>& specs, const Quant& q,
                            const std::vector<TensorType>& types) {
  return apply_recipe(m, specs, q, types, false);
}

namespace {

WeightsResult apply_recipe(const Model& m, const std::vector<TensorSpec>& specs, const Quant& q,
                           const std::vector<TensorType>& types, bool keep) {
  WeightsResult r = empty_totals(m);
  const TensorType* vector_type = find_type(types, q.vector_type);
  const TensorType* default_type = find_type(types, q.default_type);
  if (vector_type == nullptr) r.errors.push_back("unknown vector_type \"" + q.vector_type + "\"");
  if (default_type == nullptr) r.errors.push_back("unknown default_type \"" + q.default_type + "\"");
  if (!r.errors.empty()) return r;  // zeroed per-layer totals

  std::vector<PlacedTensor> placed;
  // The rules that can apply to a tensor group (it is named, the model-wide conditions hold), in the
  // recipe's order: a model repeats ~20 groups in every layer, so the recipe is read once per group
  // and each tensor checks only the layer selectors.
  struct Candidate {
    const QuantRule* rule;
    const TensorType* type;  ///< nullptr: the rule names a type the catalog lacks
  };
  struct GroupRules {
    std::string group;
    std::vector<Candidate> rules;
  };
  std::vector<GroupRules> groups;
  std::size_t next = 0;  // every layer lists its groups in the same order: try the one after the last first
  const auto rules_for = [&](std::string_view group) -> const std::vector<Candidate>& {
    for (std::size_t tried = 0; tried < groups.size(); ++tried, ++next) {
      if (next >= groups.size()) next = 0;
      if (groups[next].group == group) return groups[next++].rules;
    }
    next = groups.size() + 1;
    GroupRules g{std::string(group), {}};
    for (const QuantRule& rule : q.rules) {
      if (names_group(rule, group) && model_matches(rule, m)) g.rules.push_back({&rule, find_type(types, rule.type)});
    }
    groups.push_back(std::move(g));
    return groups.back().rules;
  };
  const std::vector<NativeGroup> natives = native_groups(m, q, types);
  // Layer selectors count positions over the whole file's tensors, MTP blocks included (llama-quantize's
  // n_layer_all): selector_positions sees every spec, loaded or not.
  const std::vector<Position> positions = selector_positions(m, specs);
  if (keep) placed.reserve(specs.size());
  for (std::size_t index = 0; index < specs.size(); ++index) {
    const TensorSpec& spec = specs[index];
    const TensorType* type = default_type;
    const NativeGroup* native = spec.is_vector ? nullptr : native_group_for(natives, spec.group);
    if (native != nullptr) {
      // Shipped quantized: kept as it is, whatever the recipe says (no fallback either).
      type = native->type;
      if (type == nullptr) {
        r.errors.push_back("unknown tensor type \"" + std::string(native->type_id) + "\"");
        type = default_type;
      }
    } else if (spec.is_vector || spec.keep_unquantized) {
      type = vector_type;
    } else {
      for (const Candidate& c : rules_for(recipe_group(spec, m))) {
        if (!layer_matches(c.rule->layers, positions[index])) continue;
        type = c.type;
        if (type == nullptr) {
          r.errors.push_back("unknown tensor type \"" + c.rule->type + "\"");
          type = default_type;
        }
        break;
      }
      // llama-quantize falls back when a row is not a whole number of blocks.
      for (int hops = 0; hops < 4 && type->ggml_type && spec.row_length % type->block_weights != 0 && !type->fallback.empty();
           ++hops) {
        const TensorType* fallback = find_type(types, type->fallback);
        if (fallback == nullptr) break;
        type = fallback;
      }
    }
    const std::uint64_t bytes = tensor_bytes(*type, spec.row_length, spec.n_elements);
    add_to_totals(r, spec, type, bytes);
    if (keep) placed.push_back({spec, type, bytes});
  }
  r.tensors = std::move(placed);
  return r;
}

}  // namespace

}  // namespace llmsize::engine
