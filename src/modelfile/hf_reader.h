#pragma once
// Reading config.json keys with type and range checks; every problem is a ModelFileError
// "FILE: KEY: problem". Private to src/modelfile.
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "arch_traits.h"
#include "llmsize/modelfile/model_file.h"

namespace llmsize::modelfile {

using Json = nlohmann::json;

class Reader {
 public:
  Reader(const Json& j, std::string name) : j_(j), name_(std::move(name)) {}

  /// The config class's own names for common keys (ChatGLM's num_layers), named beside the common
  /// name in errors: "num_hidden_layers (or num_layers)".
  void set_spellings(std::span<const HfSpelling> spellings) { spellings_ = spellings; }

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    std::string named = key;
    for (const HfSpelling& s : spellings_) {
      if (key == s.key) named += std::string(named.size() == key.size() ? " (or " : ", ") + s.spelled;
    }
    if (named.size() > key.size()) named += ")";
    throw ModelFileError(name_ + ": " + named + ": " + problem);
  }

  [[nodiscard]] bool has(const char* key) const { return j_.contains(key) && !j_.at(key).is_null(); }

  /// An integer within [lo, hi] (a float with no fraction counts); nullopt when absent or null.
  [[nodiscard]] std::optional<std::uint64_t> uint(const char* key, std::uint64_t lo, std::uint64_t hi) const {
    if (!has(key)) return std::nullopt;
    const Json& v = j_.at(key);
    if (!v.is_number_integer() && !(v.is_number_float() && v.get<double>() == std::floor(v.get<double>()))) {
      fail(key, std::string("expected an integer, found ") + v.type_name());
    }
    const double d = v.get<double>();
    if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi))) {
      fail(key, v.dump() + " is outside the plausible range " + std::to_string(lo) + ".." + std::to_string(hi));
    }
    return v.is_number_unsigned() ? v.get<std::uint64_t>() : static_cast<std::uint64_t>(v.get<std::int64_t>());
  }

  [[nodiscard]] std::uint64_t required(const char* key, std::uint64_t lo, std::uint64_t hi) const {
    const auto v = uint(key, lo, hi);
    if (!v) fail(key, "missing (required to size the model)");
    return *v;
  }

  [[nodiscard]] std::optional<bool> boolean(const char* key) const {
    if (!has(key)) return std::nullopt;
    if (!j_.at(key).is_boolean()) fail(key, std::string("expected true or false, found ") + j_.at(key).type_name());
    return j_.at(key).get<bool>();
  }

  [[nodiscard]] std::optional<std::string> string(const char* key) const {
    if (!has(key)) return std::nullopt;
    if (!j_.at(key).is_string()) fail(key, std::string("expected a string, found ") + j_.at(key).type_name());
    return j_.at(key).get<std::string>();
  }

  [[nodiscard]] const Json& json() const { return j_; }

 private:
  const Json& j_;
  std::string name_;
  std::span<const HfSpelling> spellings_{};
};

/// Parses `text` as JSON; errors name `name` and the byte offset.
[[nodiscard]] Json parse_json(const std::string& name, const std::string& text);

/// Sets mf.model.params_total (and params_active for MoE): the checkpoint's declared count from
/// model.safetensors.index.json (`index`) when usable, else the architecture's, saying which.
void read_param_count(const Json& root, bool has_text_config, const std::optional<Json>& index, ModelFile& mf);

}  // namespace llmsize::modelfile
