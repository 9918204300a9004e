#pragma once
/// A vision projector file: llama.cpp's mmproj GGUF (general.architecture "clip"), read exactly: its
/// tensors' bytes and the encoder's dimensions from its clip.vision.* keys (docs/model-files.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/projector.h"
#include "llmsize/engine/quant.h"
#include "llmsize/modelfile/gguf.h"

namespace llmsize::modelfile {

/// Side in pixels of the image llmsize assumes for the tokens of a dynamic-resolution projector (Qwen-VL):
/// a common photo or screenshot scaled to 1024 × 1024.
inline constexpr std::uint32_t kDynamicImageSide = 1024;

struct ProjectorFile {
  std::string path;
  std::uint64_t file_bytes = 0;
  std::uint64_t weights_bytes = 0;  ///< every tensor's bytes as llama.cpp allocates them
  std::string projector_type;       ///< clip.projector_type (gemma3, qwen3vl_merger, ...)
  std::string file_type;            ///< the type most of the values are stored in (f16, bf16, q8_0)
  engine::VisionSpec spec;          ///< params counted from the tensors, dimensions from the keys
  std::vector<std::string> inferred;  ///< what was not in the file and how it was filled in
};

/// Builds the projector from a GGUF header. Throws ModelFileError (not a clip file, missing keys).
[[nodiscard]] ProjectorFile projector_from_gguf(const GgufFile& f, const std::vector<engine::TensorType>& types);

/// Reads an mmproj GGUF file. Throws ModelFileError.
[[nodiscard]] ProjectorFile load_projector(const std::string& path, const std::vector<engine::TensorType>& types);

}  // namespace llmsize::modelfile
