#include "llmsize/engine/entry.h"

namespace llmsize::engine {

const char* to_string(FormFactor f) {
  for (const FormFactorName& row : kFormFactorNames) {
    if (row.form_factor == f) return row.id;
  }
  return "?";  // a value without a row; the form-factor round-trip test fails first
}

const char* to_string(Backend b) {
  for (const BackendName& row : kBackendNames) {
    if (row.backend == b) return row.id;
  }
  return "?";  // a value without a row; the backend round-trip test fails first
}

std::optional<Backend> backend_from_id(std::string_view id) {
  for (const BackendName& row : kBackendNames) {
    if (id == row.id) return row.backend;
  }
  return std::nullopt;
}

std::string backend_labels() {
  std::string out;
  for (const BackendName& row : kBackendNames) {
    if (!out.empty()) out += ", ";
    out += row.label;
  }
  return out;
}

}  // namespace llmsize::engine
