#pragma once
/// What every catalog entry carries besides its numbers.
#include <string>
#include <vector>

namespace llmsize {

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
enum class Backend { cuda, rocm, vulkan, sycl, metal, cpu };

[[nodiscard]] const char* to_string(FormFactor f);
[[nodiscard]] const char* to_string(Backend b);

}  // namespace llmsize
