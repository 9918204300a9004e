#pragma once
// The GGUF tensor tables of every part -> PlacedTensors with exact bytes. Private to src/modelfile.
#include <cstdint>
#include <utility>
#include <vector>

#include "gguf_keys.h"
#include "llmsize/modelfile/model_file.h"

namespace llmsize::modelfile {

/// What the tensor tables say about the model beyond each tensor's bytes.
struct TensorTotals {
  bool has_output = false;       ///< an output.weight of its own (untied embeddings)
  bool has_token_embd = false;
  std::uint64_t routed_elements = 0;  ///< values in routed-expert tensors (*_exps)
  std::uint64_t total_elements = 0;
};

/// The catalog type with ggml type id `id`; nullptr when none.
[[nodiscard]] const engine::TensorType* type_by_ggml_id(const std::vector<engine::TensorType>& types, std::uint32_t id);

/// A tensor's type and exact bytes; throws ModelFileError when the type is unknown, the row is not whole
/// blocks or the tensor runs past the end of its part's data.
[[nodiscard]] std::pair<const engine::TensorType*, std::uint64_t> typed_bytes(const GgufFile& p, const GgufTensorInfo& t,
                                                                             const std::vector<engine::TensorType>& types);

/// Appends every tensor of every part to mf.tensors, checking its
/// type against `types`, its row against the type's block and its bytes against its part's data;
/// sets mf.model.vocab_size from token_embd when it is still 0. Throws ModelFileError.
[[nodiscard]] TensorTotals read_tensors(const std::vector<GgufFile>& parts, const std::vector<engine::TensorType>& types,
                                        const GgufKeys& k, ModelFile& mf);

}  // namespace llmsize::modelfile
