#pragma once
/// A user's model file as engine inputs: a GGUF file (its architecture keys and its real tensor
/// table) or a Hugging Face config.json (the architecture; weights then follow a --quant recipe).
/// docs/model-files.md lists every key read and what is inferred when one is missing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/model.h"
#include "llmsize/engine/quant.h"  // TensorType
#include "llmsize/engine/weights.h"
#include "llmsize/modelfile/gguf.h"

namespace llmsize::modelfile {

/// Limits on hyperparameters; a file outside them is refused as absurd, not sized.
inline constexpr std::uint64_t kMaxLayers = 4096;
inline constexpr std::uint64_t kMaxWidth = 1U << 20U;     ///< hidden size, FFN size, head dims
inline constexpr std::uint64_t kMaxHeads = 1U << 16U;
inline constexpr std::uint64_t kMaxVocab = 1U << 24U;
inline constexpr std::uint64_t kMaxContext = 1ULL << 26U;  ///< 64M tokens
inline constexpr std::uint64_t kMaxExperts = 1U << 16U;

/// Where a model file's weight types come from.
enum class WeightsSource {
  recipe,  ///< config.json: a catalog quant recipe (--quant) gives each tensor its type
  file,    ///< GGUF: the tensors carry their types; `tensors` holds their exact bytes
};

struct ModelFile {
  std::string path;                 ///< as the user gave it
  std::string format;               ///< "gguf" or "config.json"
  std::vector<std::string> parts;   ///< files read (split GGUF: every part)
  engine::Model model;
  std::uint64_t file_bytes = 0;     ///< all parts together
  std::uint32_t gguf_version = 0;
  WeightsSource weights_source = WeightsSource::recipe;
  /// GGUF general.file_type (llama.cpp include/llama.h enum llama_ftype); the catalog quant with this
  /// llama_ftype names it (Q4_K_M). nullopt: the file states none.
  std::optional<std::uint64_t> llama_ftype;
  std::vector<engine::PlacedTensor> tensors;  ///< GGUF: every tensor with its type and exact bytes
  std::vector<std::string> inferred;  ///< what was not in the file and how it was filled in
  std::vector<GgufKeyValue> metadata; ///< GGUF: the first part's metadata (for `inspect`)
};

/// True when `path` names a model file rather than a catalog id: it ends in .gguf or .json, or
/// it is an existing file or directory.
[[nodiscard]] bool looks_like_path(const std::string& path);

/// Builds the model from the GGUF header(s) of one model (several parts of a split file).
/// `types` maps ggml type ids to block sizes (the catalog's tensor_types). Throws ModelFileError.
[[nodiscard]] ModelFile model_from_gguf(std::vector<GgufFile> parts, const std::vector<engine::TensorType>& types);

/// Reads a GGUF file (and its sibling parts when split) and builds the model. Throws ModelFileError.
[[nodiscard]] ModelFile load_gguf(const std::string& path, const std::vector<engine::TensorType>& types);

/// Builds the model from a Hugging Face config.json text; `index_json` is the text of
/// model.safetensors.index.json when present (exact parameter count). Throws ModelFileError.
[[nodiscard]] ModelFile model_from_config(const std::string& name, const std::string& config_json,
                                          const std::optional<std::string>& index_json);

/// Reads config.json (a file, or a directory holding one, with model.safetensors.index.json beside it).
[[nodiscard]] ModelFile load_config(const std::string& path);

/// GGUF or config.json, by name and content.
[[nodiscard]] ModelFile load_model_file(const std::string& path, const std::vector<engine::TensorType>& types);

}  // namespace llmsize::modelfile
