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

bool layer_matches(LayerSelector sel, std::int32_t layer, std::uint32_t n_layers) {
  if (sel == LayerSelector::all) return true;
  if (layer < 0) return false;
  const auto i = static_cast<u64>(layer);
  if (sel == LayerSelector::more_bits) return use_more_bits(i, n_layers);
  return i < n_layers / 8;  // first_eighth
}

// The conditions of a rule on the whole model (GQA, expert count), which hold for all its tensors or none.
bool model_matches(const QuantRule& rule, const Model& m) {
  if (rule.min_gqa) {
    const std::uint32_t gqa = m.n_kv_heads == 0 ? 1 : m.n_heads / m.n_kv_heads;
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

// The tensor token_embd plays the output head's part when embeddings are tied (llama-quant.cpp:
// `name == output.weight || (!has_output && name == token_embd.weight)`).
std::string_view recipe_group(const TensorSpec& t, const Model& m) {
  if (t.group == "token_embd" && m.tied_embeddings) return "output";
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
  r.total_bytes += bytes;
  const bool repacked = type != nullptr && type->cpu_repack && !spec.is_vector && spec.group != "token_embd";
  if (spec.layer < 0 || static_cast<std::size_t>(spec.layer) >= r.layer_bytes.size()) {
    if (spec.group == "token_embd") {
      r.token_embd_bytes += bytes;
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
  if (keep) placed.reserve(specs.size());
  for (const TensorSpec& spec : specs) {
    const TensorType* type = default_type;
    if (spec.is_vector || spec.keep_unquantized) {
      type = vector_type;
    } else {
      for (const Candidate& c : rules_for(recipe_group(spec, m))) {
        if (!layer_matches(c.rule->layers, spec.layer, m.n_layers)) continue;
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
