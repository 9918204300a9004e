#pragma once
/// GGUF headers (versions 2 and 3): metadata key/values and the tensor table, never the weights.
/// Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md. Files are untrusted: every
/// count and length is checked against the bytes that remain before anything is allocated, and
/// every problem is a GgufError naming the file, the byte offset and what was wrong.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "llmsize/error.h"

namespace llmsize::modelfile {

/// A model file that cannot be used; what() is one line: "FILE: offset N: problem" or "FILE: key: problem".
/// The one error type (llmsize/error.h): no caller tells a model-file problem apart from other input errors.
using ModelFileError = llmsize::Error;

/// Random-access bytes: a file (read on demand, so a 100 GB file costs only its header) or memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  [[nodiscard]] virtual std::uint64_t size() const = 0;
  /// Copies `n` bytes at `offset` into `dst`; the caller has checked offset + n <= size().
  virtual void read(std::uint64_t offset, void* dst, std::size_t n) const = 0;
};

/// Opens a file for reading; throws ModelFileError naming it when it cannot be opened.
[[nodiscard]] std::unique_ptr<ByteSource> open_file(const std::string& path);
/// Bytes already in memory (tests, the fuzzer). The span must outlive the source.
[[nodiscard]] std::unique_ptr<ByteSource> memory_source(const std::uint8_t* data, std::size_t size);

/// GGUF value types (gguf.md, `gguf_metadata_value_type`).
enum class GgufType : std::uint32_t {
  uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, boolean = 7,
  string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12,
};
[[nodiscard]] const char* to_string(GgufType t);

/// A metadata value. Arrays of numbers are kept when short (per-layer head counts, patterns);
/// long arrays (the tokenizer's vocabulary) and arrays of strings keep only their type and length.
struct GgufValue {
  GgufType type = GgufType::uint32;
  std::variant<std::uint64_t, std::int64_t, double, bool, std::string> scalar;
  GgufType element_type = GgufType::uint32;     ///< arrays only
  std::uint64_t array_length = 0;               ///< arrays only
  std::vector<double> numbers;                  ///< numeric arrays of at most kKeptArrayLength
  bool numbers_kept = false;

  [[nodiscard]] bool is_number() const;
  [[nodiscard]] std::optional<std::uint64_t> as_uint() const;  ///< non-negative integers only
  [[nodiscard]] std::optional<double> as_double() const;
  [[nodiscard]] const std::string* as_string() const;
};

inline constexpr std::uint64_t kKeptArrayLength = 65536;
inline constexpr std::uint64_t kMaxTensorDims = 4;    ///< GGML_MAX_DIMS
inline constexpr std::uint32_t kMaxArrayDepth = 8;    ///< nested arrays deeper than this are refused
inline constexpr std::uint64_t kMaxNameLength = 64;   ///< GGML_MAX_NAME (tensor names)

struct GgufKeyValue {
  std::string key;
  GgufValue value;
};

struct GgufTensorInfo {
  std::string name;
  std::vector<std::uint64_t> shape;  ///< ne[0] first: the dimension quant blocks run along
  std::uint32_t ggml_type = 0;
  std::uint64_t offset = 0;          ///< from the start of the data section
  [[nodiscard]] std::uint64_t n_elements() const;
};

struct GgufFile {
  std::string path;
  std::uint32_t version = 0;
  std::vector<GgufKeyValue> metadata;
  std::vector<GgufTensorInfo> tensors;
  std::uint64_t alignment = 32;
  std::uint64_t data_offset = 0;  ///< where tensor data starts (after the header, aligned)
  std::uint64_t file_bytes = 0;

  [[nodiscard]] const GgufValue* find(std::string_view key) const;
};

/// Reads the header of a GGUF file. `name` labels errors. Throws ModelFileError.
[[nodiscard]] GgufFile read_gguf(const ByteSource& bytes, const std::string& name);

/// The parts of a split model: "x-00001-of-00003.gguf" → the three paths, in order; any other
/// name → itself.
[[nodiscard]] std::vector<std::string> split_parts(const std::string& path);

}  // namespace llmsize::modelfile
