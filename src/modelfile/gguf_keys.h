#pragma once
// Reading one architecture's GGUF keys (<arch>.<suffix>) with range checks; every problem is a
// ModelFileError "FILE: KEY: problem". Private to src/modelfile.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/modelfile/gguf.h"

namespace llmsize::modelfile {

class GgufKeys {
 public:
  GgufKeys(const GgufFile& f, std::string arch) : f_(f), arch_(std::move(arch)) {}

  [[nodiscard]] const std::string& arch() const { return arch_; }
  [[nodiscard]] std::string full(const std::string& suffix) const { return arch_ + "." + suffix; }
  [[nodiscard]] const GgufValue* find(const std::string& suffix) const { return f_.find(full(suffix)); }

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

  /// A non-negative integer key within [lo, hi]; nullopt when absent.
  [[nodiscard]] std::optional<std::uint64_t> uint(const std::string& suffix, std::uint64_t lo, std::uint64_t hi) const;
  /// As uint(), but absence is an error.
  [[nodiscard]] std::uint64_t required(const std::string& suffix, std::uint64_t lo, std::uint64_t hi) const;
  /// A key that is a scalar or one value per layer (llama.cpp get_key_or_arr); nullopt when absent.
  [[nodiscard]] std::optional<std::vector<std::uint64_t>> per_layer(const std::string& suffix, std::uint64_t n_layers,
                                                                    std::uint64_t lo, std::uint64_t hi) const;
  /// `v` (the value of `key`) as an integer within [lo, hi].
  [[nodiscard]] std::uint64_t check_uint(const std::string& key, const GgufValue& v, std::uint64_t lo, std::uint64_t hi) const;

 private:
  const GgufFile& f_;
  std::string arch_;
};

/// Narrows a value the caller has range-checked to 32 bits.
[[nodiscard]] inline std::uint32_t narrow(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

}  // namespace llmsize::modelfile
