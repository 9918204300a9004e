#include "llmsize/engine/entry.h"

#include <charconv>

#include "llmsize/engine/runtime.h"

namespace llmsize::engine {

const char* to_string(FormFactor f) { return name_of(kFormFactorNames, f); }

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

std::optional<std::vector<double>> parse_tensor_split(std::string_view text, std::size_t max_devices) {
  std::vector<double> out;
  double sum = 0;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    double v = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc{} || end != part.data() + part.size() || part.empty() || !(v >= 0) || v > 1e6) return std::nullopt;
    out.push_back(v);
    sum += v;
    if (out.size() > max_devices) return std::nullopt;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (sum <= 0) return std::nullopt;
  return out;
}

}  // namespace llmsize::engine
