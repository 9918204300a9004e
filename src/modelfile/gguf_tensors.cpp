#include "gguf_tensors.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::modelfile {

using u64 = std::uint64_t;

const TensorType* type_by_ggml_id(const std::vector<TensorType>& types, std::uint32_t id) {
  for (const TensorType& t : types) {
    if (t.ggml_type && *t.ggml_type == id) return &t;
  }
  return nullptr;
}

std::pair<const TensorType*, u64> typed_bytes(const GgufFile& p, const GgufTensorInfo& t, const std::vector<TensorType>& types) {
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
  const u64 data_bytes = p.file_bytes >= p.data_offset ? p.file_bytes - p.data_offset : 0;
  if (t.offset > data_bytes || bytes > data_bytes - t.offset) {
    throw ModelFileError(p.path + ": tensor " + t.name + ": its " + std::to_string(bytes) + " bytes at data offset " +
                         std::to_string(t.offset) + " run past the end of the file (" + std::to_string(data_bytes) +
                         " bytes of tensor data); the file is truncated or corrupt");
  }
  return {type, bytes};
}

namespace {

// "blk.12.attn_q.weight" -> (12, "attn_q"); "blk.3.attn_q.bias" -> (3, "attn_q_bias");
// "output_norm.weight" -> (-1, "output_norm").
std::pair<std::int64_t, std::string> split_name(const std::string& name) {
  std::string rest = name;
  std::int64_t layer = -1;
  if (rest.starts_with("blk.")) {
    const std::size_t dot = rest.find('.', 4);
    const std::string digits = rest.substr(4, dot == std::string::npos ? std::string::npos : dot - 4);
    if (!digits.empty() && digits.size() <= 6 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      layer = std::stoll(digits);
      rest = dot == std::string::npos ? std::string() : rest.substr(dot + 1);
    }
  }
  if (rest.ends_with(".weight")) {
    rest.resize(rest.size() - 7);
  } else if (rest.ends_with(".bias")) {
    rest.resize(rest.size() - 5);
    rest += "_bias";
  }
  return {layer, rest};
}

void add_tensor(const GgufFile& p, const GgufTensorInfo& t, const std::vector<TensorType>& types, const GgufKeys& k,
                ModelFile& mf, TensorTotals& totals) {
  const auto [type, bytes] = typed_bytes(p, t, types);
  auto [layer, group] = split_name(t.name);
  const std::uint32_t blocks = mf.model.n_layers + mf.model.nextn_layers;
  if (layer >= static_cast<std::int64_t>(blocks)) {
    throw ModelFileError(p.path + ": tensor " + t.name + ": layer " + std::to_string(layer) + " is beyond " +
                         k.full("block_count") + " = " + std::to_string(blocks));
  }
  // An MTP block (after the trunk): in the file, never loaded; not in the parameter count.
  const bool not_loaded = layer >= static_cast<std::int64_t>(mf.model.n_layers);
  if (layer < 0 && group == "output") totals.has_output = true;
  if (layer < 0 && group == "token_embd") totals.has_token_embd = true;
  const bool routed = group.find("_exps") != std::string::npos;
  const u64 n = t.n_elements();
  if (!not_loaded) totals.total_elements += n;
  if (routed && !not_loaded) totals.routed_elements += n;
  if (layer < 0 && group == "token_embd" && mf.model.vocab_size == 0 && t.shape.size() >= 2) {
    mf.model.vocab_size = static_cast<std::uint32_t>(std::min<u64>(t.shape[1], kMaxVocab));
  }
  TensorSpec spec;
  spec.group = std::move(group);
  spec.layer = static_cast<std::int32_t>(layer);
  spec.row_length = t.shape.front();
  spec.n_elements = n;
  spec.is_vector = t.shape.size() == 1;
  spec.is_routed_expert = routed;
  spec.not_loaded = not_loaded;
  mf.tensors.push_back({spec, type, bytes});
}

}  // namespace

TensorTotals read_tensors(const std::vector<GgufFile>& parts, const std::vector<TensorType>& types, const GgufKeys& k,
                          ModelFile& mf) {
  u64 tensor_count = 0;
  for (const GgufFile& p : parts) tensor_count += p.tensors.size();
  mf.tensors.reserve(static_cast<std::size_t>(tensor_count));
  TensorTotals totals;
  for (const GgufFile& p : parts) {
    for (const GgufTensorInfo& t : p.tensors) add_tensor(p, t, types, k, mf, totals);
  }
  return totals;
}

}  // namespace llmsize::modelfile
