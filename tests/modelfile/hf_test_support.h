#pragma once
// What the config.json reader's tests share: the embedded catalog, a fixture's path, a reader error's text.
#include <string>

#include "llmsize/catalog/catalog.h"
#include "llmsize/modelfile/model_file.h"

namespace llmsize::test {

inline const catalog::Catalog& hf_catalog() {
  static const catalog::Catalog c = catalog::load(catalog::embedded_files(), {}).catalog;
  return c;
}

/// tests/fixtures/hf/NAME
inline std::string hf_fixture(const std::string& name) { return std::string(LLMSIZE_FIXTURES) + "/hf/" + name; }

/// The one-line error reading `text` as a config.json gives, or "(no error)".
inline std::string hf_error_of(const std::string& text) {
  try {
    (void)modelfile::model_from_config("c.json", text, std::nullopt);
  } catch (const modelfile::ModelFileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace llmsize::test
