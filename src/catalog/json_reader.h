#pragma once
// Strict, error-collecting reading of JSON objects. nlohmann's conversions truncate 12.7 to 12
// and ignore unknown keys; this reader checks each field's type and range by hand, remembers
// which keys were read, and reports the rest as unknown with the nearest known key.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "llmsize/catalog/catalog.h"

namespace llmsize::catalog {

using Json = nlohmann::ordered_json;

/// Collects diagnostics for one file.
class ErrorSink {
 public:
  ErrorSink(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}
  void error(std::string pointer, std::string message) {
    out_.push_back({file_, std::move(pointer), std::move(message)});
  }
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] std::size_t count() const { return out_.size(); }

 private:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

[[nodiscard]] std::string pointer_append(const std::string& pointer, std::string_view key);
[[nodiscard]] std::string pointer_append(const std::string& pointer, std::size_t index);
[[nodiscard]] std::string describe_type(const Json& value);
[[nodiscard]] std::string format_number(double value);

class ObjectReader {
 public:
  /// Reports an error (and reads nothing) when `value` is not an object.
  ObjectReader(const Json& value, std::string pointer, ErrorSink& sink);

  [[nodiscard]] bool valid() const { return object_ != nullptr; }
  [[nodiscard]] const std::string& pointer() const { return pointer_; }
  [[nodiscard]] ErrorSink& sink() const { return sink_; }
  [[nodiscard]] bool has(std::string_view key);

  std::string req_string(std::string_view key);
  std::optional<std::string> opt_string(std::string_view key);
  std::uint64_t req_uint(std::string_view key, std::uint64_t min, std::uint64_t max);
  std::optional<std::uint64_t> opt_uint(std::string_view key, std::uint64_t min, std::uint64_t max);
  std::uint32_t req_u32(std::string_view key, std::uint32_t min, std::uint32_t max);
  std::optional<std::uint32_t> opt_u32(std::string_view key, std::uint32_t min, std::uint32_t max);
  double req_number(std::string_view key, double min, double max);
  std::optional<double> opt_number(std::string_view key, double min, double max);
  bool opt_bool(std::string_view key, bool fallback);
  std::optional<bool> opt_bool(std::string_view key);
  /// Returns the index of the value in `allowed`, or `fallback` when absent or invalid.
  std::size_t req_enum(std::string_view key, const std::vector<std::string_view>& allowed);
  std::optional<std::size_t> opt_enum(std::string_view key, const std::vector<std::string_view>& allowed);
  std::vector<std::string> opt_string_array(std::string_view key);
  std::vector<std::size_t> opt_enum_array(std::string_view key, const std::vector<std::string_view>& allowed);
  std::optional<std::vector<std::uint32_t>> opt_u32_array(std::string_view key, std::uint32_t min,
                                                          std::uint32_t max);
  /// A nested object, or nullopt when absent or not an object (then an error is reported).
  std::optional<ObjectReader> opt_object(std::string_view key);
  /// The elements of an array of objects; an error for anything else.
  std::vector<ObjectReader> opt_object_array(std::string_view key);

  /// Reports every key that no accessor asked about, with the closest known key.
  void finish();

 private:
  const Json* lookup(std::string_view key);
  void missing(std::string_view key);
  void wrong_type(std::string_view key, std::string_view expected, const Json& got);
  std::optional<std::uint64_t> check_uint(const Json& v, const std::string& ptr, std::uint64_t min,
                                          std::uint64_t max);

  const Json* object_ = nullptr;
  std::string pointer_;
  ErrorSink& sink_;
  std::vector<std::string> known_;
  std::vector<std::string> missing_required_;
};

}  // namespace llmsize::catalog
