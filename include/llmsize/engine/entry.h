#pragma once
/// What every catalog entry carries besides its numbers.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmsize::engine {

struct EntryMeta {
  std::string id;      ///< lowercase, `-`/`.` separated
  std::string name;    ///< display name
  std::string source;  ///< where the numbers come from
  std::string notes;
  std::vector<std::string> aliases;
  std::string origin_file;     ///< catalog file the entry came from, for diagnostics
  std::string origin_pointer;  ///< JSON pointer of the entry in that file
  friend bool operator==(const EntryMeta&, const EntryMeta&) = default;
};

/// A row of an enum's name table: its value and its one spelling. name_of and value_of read the tables.
template <class E>
struct EnumName {
  E value;
  const char* id;  ///< the command line's, the catalog's and the JSON output's spelling
};

template <class E, std::size_t N>
[[nodiscard]] constexpr const char* name_of(const std::array<EnumName<E>, N>& table, E value) {
  for (const EnumName<E>& row : table) {
    if (row.value == value) return row.id;
  }
  return "?";
}
template <class E, std::size_t N>
[[nodiscard]] constexpr std::optional<E> value_of(const std::array<EnumName<E>, N>& table, std::string_view id) {
  for (const EnumName<E>& row : table) {
    if (id == row.id) return row.value;
  }
  return std::nullopt;
}

enum class FormFactor { desktop, laptop, server, sbc };

/// The one list of form factors and their names: the catalog parser and to_string() read it.
inline constexpr std::array<EnumName<FormFactor>, 4> kFormFactorNames = {{
    {FormFactor::desktop, "desktop"},
    {FormFactor::laptop, "laptop"},
    {FormFactor::server, "server"},
    {FormFactor::sbc, "sbc"},
}};

/// The form factor's id from kFormFactorNames ("desktop").
[[nodiscard]] const char* to_string(FormFactor f);

/// A llama.cpp compute backend. A new one is a value here and a row in kBackendNames
/// (docs/ARCHITECTURE.md, "Adding a backend"); nothing depends on the order of the values.
enum class Backend { cuda, rocm, vulkan, sycl, metal, cpu };

struct BackendName {
  Backend backend;
  const char* id;     ///< the catalog's, the profile's and the JSON output's spelling
  const char* label;  ///< llama.cpp's spelling, for people ("ROCm")
};

/// The one list of backends and their names. The catalog parser, the user profile, calibration's
/// reading of llama-bench's `backends` field and to_string() all read it.
inline constexpr std::array<BackendName, 6> kBackendNames = {{
    {Backend::cuda, "cuda", "CUDA"},
    {Backend::rocm, "rocm", "ROCm"},
    {Backend::vulkan, "vulkan", "Vulkan"},
    {Backend::sycl, "sycl", "SYCL"},
    {Backend::metal, "metal", "Metal"},
    {Backend::cpu, "cpu", "CPU"},
}};

/// The backend's id from kBackendNames ("cuda").
[[nodiscard]] const char* to_string(Backend b);
/// The backend whose id is exactly `id`; nullopt for any other text.
[[nodiscard]] std::optional<Backend> backend_from_id(std::string_view id);
/// Every backend's label, comma separated, for messages: "CUDA, ROCm, Vulkan, SYCL, Metal, CPU".
[[nodiscard]] std::string backend_labels();

}  // namespace llmsize::engine
