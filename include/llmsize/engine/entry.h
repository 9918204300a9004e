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
};

enum class FormFactor { desktop, laptop, server, sbc };

struct FormFactorName {
  FormFactor form_factor;
  const char* id;  ///< the catalog's and the JSON output's spelling
};

/// The one list of form factors and their names: the catalog parser and to_string() read it.
inline constexpr std::array<FormFactorName, 4> kFormFactorNames = {{
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
