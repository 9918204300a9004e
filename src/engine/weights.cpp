// Which tensor type each tensor gets, and the bytes: llama.cpp src/llama-quant.cpp
// (llama_tensor_get_type) expressed as catalog recipes.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "llmsize/engine/weights.h"

namespace llmsize::engine {
namespace {

using u64 = std::uint64_t;

// Whether a rule's layer selector takes a kind of tensor (which holds the verdicts at its position).
bool layer_matches(LayerSelector sel, const ModelTensors::Kind& e) {
  switch (sel) {
    case LayerSelector::all: return true;
    case LayerSelector::more_bits: return e.more_bits;
    case LayerSelector::first_eighth: return e.first_eighth;
  }
  return false;
}

// The conditions of a rule on the whole model (GQA, expert count), which hold for all its tensors or none.
bool model_matches(const QuantRule& rule, const ModelTensors& t) {
  if (rule.min_gqa && t.gqa < *rule.min_gqa) return false;
  if (rule.min_experts && t.n_experts < *rule.min_experts) return false;
  return true;
}

bool names_group(const QuantRule& rule, std::string_view group) {
  return std::find(rule.tensors.begin(), rule.tensors.end(), group) != rule.tensors.end();
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

WeightsResult empty_totals(std::uint32_t n_layers) {
  WeightsResult r;
  r.layer_bytes.assign(n_layers, 0);
  r.layer_expert_bytes.assign(n_layers, 0);
  r.layer_cpu_repack_bytes.assign(n_layers, 0);
  r.layer_expert_cpu_repack_bytes.assign(n_layers, 0);
  return r;
}

// Adds one tensor to the totals: its layer's, the output layer's or token_embd's, experts and repack.
void add_to_totals(WeightsResult& r, const TensorSpec& spec, TensorRole role, const TensorType* type, u64 bytes) {
  if (spec.not_loaded) {  // in the file only (MTP blocks): no memory, no reads
    r.not_loaded_bytes += bytes;
    return;
  }
  r.total_bytes += bytes;
  const bool input = role != TensorRole::other;  // is_input_tensor()
  if (type != nullptr && !spec.is_vector && type->cpu_matmul_speed > 0) {
    const auto values = static_cast<double>(spec.n_elements);
    const double time = values / type->cpu_matmul_speed;
    const auto kernel = static_cast<std::size_t>(type->gpu_kernel);
    if (role == TensorRole::token_embd) {
      r.cpu_embd_values += values;
      r.cpu_embd_time += time;
      r.kernel_embd_values[kernel] += values;
    } else if (spec.is_routed_expert) {
      r.cpu_expert_values += values;
      r.cpu_expert_time += time;
      r.kernel_expert_values[kernel] += values;
    } else if (!input) {
      r.cpu_matmul_values += values;
      r.cpu_matmul_time += time;
      r.kernel_values[kernel] += values;
    }
  }
  const bool repacked = type != nullptr && type->cpu_repack && !spec.is_vector && !input;
  if (spec.layer < 0 || static_cast<std::size_t>(spec.layer) >= r.layer_bytes.size()) {
    if (role == TensorRole::token_embd) {
      r.token_embd_bytes += bytes;
    } else if (role == TensorRole::per_layer_token_embd) {
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

// How a quant types one group of a model's tensors: the type the model ships it in, when the quant
// keeps native types, else the recipe rules that can apply (it is named, the model-wide conditions
// hold), in the recipe's order: candidates[first, end).
struct GroupTyping {
  bool native = false;
  const TensorType* native_type = nullptr;  ///< nullptr: the model names a type the catalog lacks
  std::size_t first = 0;
  std::size_t end = 0;
};

struct Candidate {
  const QuantRule* rule;
  const TensorType* type;  ///< nullptr: the rule names a type the catalog lacks
};

// The type and bytes a quant gives a kind of tensor, and the error to report for each such tensor.
struct Typed {
  const TensorType* type = nullptr;
  std::uint64_t bytes = 0;
  std::optional<std::string> error;  ///< the recipe or the model names a type the catalog lacks
};

// How the quant types each group of `t`: the recipe is read once per group, not per tensor.
std::vector<GroupTyping> type_groups(const ModelTensors& t, const Quant& q, const std::vector<TensorType>& types,
                                     std::vector<Candidate>& candidates) {
  std::vector<GroupTyping> typing(t.groups.size());
  for (std::size_t g = 0; g < t.groups.size(); ++g) {
    const ModelTensors::Group& group = t.groups[g];
    GroupTyping& gt = typing[g];
    if (q.keeps_native_types && group.native_type) {
      gt.native = true;
      gt.native_type = find_type(types, *group.native_type);
    }
    gt.first = candidates.size();
    for (const QuantRule& rule : q.rules) {
      if (names_group(rule, group.recipe_name) && model_matches(rule, t)) candidates.push_back({&rule, find_type(types, rule.type)});
    }
    gt.end = candidates.size();
  }
  return typing;
}

Typed type_kind(const ModelTensors& t, const ModelTensors::Kind& kind, const GroupTyping& gt,
                const std::vector<Candidate>& candidates, const TensorType* vector_type, const TensorType* default_type,
                const std::vector<TensorType>& types) {
  Typed out;
  const TensorType* type = default_type;
  if (gt.native && !kind.is_vector) {
    // Shipped quantized: kept as it is, whatever the recipe says (no fallback either).
    type = gt.native_type;
    if (type == nullptr) {
      out.error = "unknown tensor type \"" + *t.groups[kind.group].native_type + "\"";
      type = default_type;
    }
  } else if (kind.is_vector || kind.keep_unquantized) {
    type = vector_type;
  } else {
    for (std::size_t c = gt.first; c < gt.end; ++c) {
      if (!layer_matches(candidates[c].rule->layers, kind)) continue;
      type = candidates[c].type;
      if (type == nullptr) {
        out.error = "unknown tensor type \"" + candidates[c].rule->type + "\"";
        type = default_type;
      }
      break;
    }
    // llama-quantize falls back when a row is not a whole number of blocks.
    for (int hops = 0; hops < 4 && type->ggml_type && kind.row_length % type->block_weights != 0 && !type->fallback.empty();
         ++hops) {
      const TensorType* fallback = find_type(types, type->fallback);
      if (fallback == nullptr) break;
      type = fallback;
    }
  }
  out.type = type;
  out.bytes = tensor_bytes(*type, kind.row_length, kind.n_elements);
  return out;
}

// The type and bytes the quant gives each kind of `t`'s tensors; empty, with `errors` set, when the
// quant names a vector or default type `types` lacks.
std::vector<Typed> type_kinds(const ModelTensors& t, const Quant& q, const std::vector<TensorType>& types,
                              std::vector<std::string>& errors) {
  const TensorType* vector_type = find_type(types, q.vector_type);
  const TensorType* default_type = find_type(types, q.default_type);
  if (vector_type == nullptr) errors.push_back("unknown vector_type \"" + q.vector_type + "\"");
  if (default_type == nullptr) errors.push_back("unknown default_type \"" + q.default_type + "\"");
  if (!errors.empty()) return {};
  std::vector<Candidate> candidates;
  const std::vector<GroupTyping> typing = type_groups(t, q, types, candidates);
  std::vector<Typed> typed;
  typed.reserve(t.kinds.size());
  for (const ModelTensors::Kind& kind : t.kinds) {
    typed.push_back(type_kind(t, kind, typing[kind.group], candidates, vector_type, default_type, types));
  }
  return typed;
}

// The recipe applied to `t`; the per-tensor list is kept only when `keep` is set.
WeightsResult apply_recipe(const ModelTensors& t, const Quant& q, const std::vector<TensorType>& types, bool keep) {
  WeightsResult r = empty_totals(t.n_layers);
  const std::vector<Typed> typed = type_kinds(t, q, types, r.errors);
  if (!r.errors.empty()) return r;  // zeroed per-layer totals
  std::vector<PlacedTensor> placed;
  if (keep) placed.reserve(t.specs.size());
  for (std::size_t index = 0; index < t.specs.size(); ++index) {
    const TensorSpec& spec = t.specs[index];
    const ModelTensors::Entry& entry = t.entries[index];
    const Typed& k = typed[entry.kind];
    if (k.error) r.errors.push_back(*k.error);
    add_to_totals(r, spec, entry.role, k.type, k.bytes);
    if (keep) placed.push_back({spec, k.type, k.bytes});
  }
  r.tensors = std::move(placed);
  return r;
}

}  // namespace

WeightsResult summarize_weights(const Model& m, std::vector<PlacedTensor> tensors) {
  WeightsResult r = empty_totals(m.n_layers);
  for (const PlacedTensor& t : tensors) add_to_totals(r, t.spec, tensor_role(t.spec.group), t.type, t.bytes);
  r.tensors = std::move(tensors);
  return r;
}

WeightsResult weight_bytes(const Model& m, const Quant& q, const std::vector<TensorType>& types) {
  return apply_recipe(classify_tensors(m), q, types, true);
}

WeightsResult weight_bytes(const ModelTensors& tensors, const Quant& q, const std::vector<TensorType>& types) {
  return apply_recipe(tensors, q, types, true);
}

WeightsResult weight_totals(const ModelTensors& tensors, const Quant& q, const std::vector<TensorType>& types) {
  return apply_recipe(tensors, q, types, false);
}

std::optional<std::uint64_t> weight_total_bytes(const ModelTensors& tensors, const Quant& q,
                                                const std::vector<TensorType>& types) {
  std::vector<std::string> errors;
  const std::vector<Typed> typed = type_kinds(tensors, q, types, errors);
  if (!errors.empty()) return std::nullopt;
  std::uint64_t total = 0;
  for (std::size_t k = 0; k < typed.size(); ++k) {
    if (typed[k].error) return std::nullopt;
    total += tensors.kinds[k].n_loaded * typed[k].bytes;
  }
  return total;
}

}  // namespace llmsize::engine
