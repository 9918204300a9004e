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

// `group`: the tensor's group as the recipe names it (recipe_group).
bool rule_matches(const QuantRule& rule, std::string_view group, const TensorSpec& t, const Model& m) {
  if (std::find(rule.tensors.begin(), rule.tensors.end(), group) == rule.tensors.end()) return false;
  if (!layer_matches(rule.layers, t.layer, m.n_layers)) return false;
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

WeightsResult summarize_weights(const Model& m, std::vector<PlacedTensor> tensors) {
  WeightsResult r;
  r.layer_bytes.assign(m.n_layers, 0);
  r.layer_expert_bytes.assign(m.n_layers, 0);
  r.layer_cpu_repack_bytes.assign(m.n_layers, 0);
  r.layer_expert_cpu_repack_bytes.assign(m.n_layers, 0);
  for (const PlacedTensor& t : tensors) {
    const TensorSpec& spec = t.spec;
    const u64 bytes = t.bytes;
    r.total_bytes += bytes;
    const bool repacked = t.type != nullptr && t.type->cpu_repack && !spec.is_vector && spec.group != "token_embd";
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
  r.tensors = std::move(tensors);
  return r;
}

WeightsResult weight_bytes(const Model& m, const Quant& q, const std::vector<TensorType>& types) {
  WeightsResult r;
  const TensorType* vector_type = find_type(types, q.vector_type);
  const TensorType* default_type = find_type(types, q.default_type);
  if (vector_type == nullptr) r.errors.push_back("unknown vector_type \"" + q.vector_type + "\"");
  if (default_type == nullptr) r.errors.push_back("unknown default_type \"" + q.default_type + "\"");
  if (!r.errors.empty()) {
    std::vector<std::string> errors = std::move(r.errors);
    r = summarize_weights(m, {});  // zeroed per-layer totals
    r.errors = std::move(errors);
    return r;
  }

  std::vector<PlacedTensor> placed;
  std::vector<std::string> errors;
  std::vector<TensorSpec> specs = enumerate_tensors(m);
  placed.reserve(specs.size());
  for (TensorSpec& spec : specs) {
    const TensorType* type = default_type;
    if (spec.is_vector || spec.keep_unquantized) {
      type = vector_type;
    } else {
      const std::string_view group = recipe_group(spec, m);
      for (const QuantRule& rule : q.rules) {
        if (!rule_matches(rule, group, spec, m)) continue;
        type = find_type(types, rule.type);
        if (type == nullptr) {
          errors.push_back("unknown tensor type \"" + rule.type + "\"");
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
    placed.push_back({std::move(spec), type, bytes});
  }
  r = summarize_weights(m, std::move(placed));
  r.errors = std::move(errors);
  return r;
}

}  // namespace llmsize::engine
