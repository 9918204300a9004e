// libFuzzer target: the Hugging Face config.json reader on arbitrary text (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string>

#include "llmsize/modelfile/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const llmsize::modelfile::ModelFile f = llmsize::modelfile::model_from_config("fuzz.json", text, std::nullopt);
    (void)llmsize::engine::count_params(f.model);
  } catch (const llmsize::modelfile::ModelFileError&) {
  }
  return 0;
}
