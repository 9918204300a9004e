// libFuzzer target: the GGUF reader and the model built from it, on arbitrary bytes. Any input must
// give a model or a ModelFileError; anything else (a crash, a sanitizer report, another exception,
// a hang) is a finding. Built with -DLLMSIZE_FUZZ=ON under clang (scripts/fuzz).
#include <cstddef>
#include <cstdint>

#include "llmsize/catalog/catalog.h"
#include "llmsize/modelfile/model_file.h"

namespace {
const std::vector<llmsize::engine::TensorType>& types() {
  static const std::vector<llmsize::engine::TensorType> t =
      llmsize::catalog::load(llmsize::catalog::embedded_files(), {}).catalog.tensor_types;
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto source = llmsize::modelfile::memory_source(data, size);
  try {
    std::vector<llmsize::modelfile::GgufFile> parts;
    parts.push_back(llmsize::modelfile::read_gguf(*source, "fuzz.gguf"));
    const llmsize::modelfile::ModelFile f = llmsize::modelfile::model_from_gguf(std::move(parts), types());
    // The engine must digest whatever the reader accepted.
    (void)llmsize::engine::summarize_weights(f.model, f.tensors);
  } catch (const llmsize::modelfile::ModelFileError&) {
  }
  return 0;
}
