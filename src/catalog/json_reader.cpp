#include "json_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::catalog {

std::string pointer_append(const std::string& pointer, std::string_view key) {
  std::string out = pointer + "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_append(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string format_number(double value) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc{}) return "?";
  return std::string(buf.data(), end);
}

std::string describe_type(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return format_number(value.get<double>());
    default: return "an unsupported value";
  }
}

ObjectReader::ObjectReader(const Json& value, std::string pointer, ErrorSink& sink)
    : pointer_(std::move(pointer)), sink_(sink) {
  if (value.is_object()) {
    object_ = &value;
  } else {
    sink_.error(pointer_.empty() ? "/" : pointer_, "expected an object, got " + describe_type(value));
  }
}

bool ObjectReader::has(std::string_view key) {
  known_.emplace_back(key);
  return object_ != nullptr && object_->contains(std::string(key));
}

const Json* ObjectReader::lookup(std::string_view key) {
  known_.emplace_back(key);
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(std::string(key));
  return it == object_->end() ? nullptr : &*it;
}

void ObjectReader::missing(std::string_view key) {
  if (object_ == nullptr) return;
  missing_required_.emplace_back(key);
  sink_.error(pointer_.empty() ? "/" : pointer_, "missing required key \"" + std::string(key) + "\"");
}

void ObjectReader::wrong_type(std::string_view key, std::string_view expected, const Json& got) {
  sink_.error(pointer_append(pointer_, key),
              "expected " + std::string(expected) + ", got " + describe_type(got));
}

std::optional<std::string> ObjectReader::opt_string(std::string_view key) {
  const Json* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    wrong_type(key, "a string", *v);
    return std::nullopt;
  }
  auto s = v->get<std::string>();
  if (s.empty()) {
    sink_.error(pointer_append(pointer_, key), "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::string ObjectReader::req_string(std::string_view key) {
  if (object_ != nullptr && !object_->contains(std::string(key))) {
    known_.emplace_back(key);
    missing(key);
    return {};
  }
  return opt_string(key).value_or("");
}

std::optional<std::uint64_t> ObjectReader::check_uint(const Json& v, const std::string& ptr,
                                                      std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  if (v.is_number_unsigned()) {
    value = v.get<std::uint64_t>();
  } else if (v.is_number_integer()) {
    sink_.error(ptr, "expected a non-negative integer, got " + describe_type(v));
    return std::nullopt;
  } else {
    sink_.error(ptr, "expected an integer, got " + describe_type(v));
    return std::nullopt;
  }
  if (value < min || value > max) {
    sink_.error(ptr, std::to_string(value) + " is out of range [" + std::to_string(min) + ", " +
                         std::to_string(max) + "]");
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> ObjectReader::opt_uint(std::string_view key, std::uint64_t min,
                                                    std::uint64_t max) {
  const Json* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  return check_uint(*v, pointer_append(pointer_, key), min, max);
}

std::uint64_t ObjectReader::req_uint(std::string_view key, std::uint64_t min, std::uint64_t max) {
  if (object_ != nullptr && !object_->contains(std::string(key))) {
    known_.emplace_back(key);
    missing(key);
    return min;
  }
  return opt_uint(key, min, max).value_or(min);
}

std::optional<std::uint32_t> ObjectReader::opt_u32(std::string_view key, std::uint32_t min,
                                                   std::uint32_t max) {
  auto v = opt_uint(key, min, max);
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::uint32_t ObjectReader::req_u32(std::string_view key, std::uint32_t min, std::uint32_t max) {
  return static_cast<std::uint32_t>(req_uint(key, min, max));
}

std::optional<double> ObjectReader::opt_number(std::string_view key, double min, double max) {
  const Json* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    wrong_type(key, "a number", *v);
    return std::nullopt;
  }
  const double value = v->get<double>();
  if (!std::isfinite(value) || value < min || value > max) {
    sink_.error(pointer_append(pointer_, key), format_number(value) + " is out of range [" +
                                                   format_number(min) + ", " + format_number(max) + "]");
    return std::nullopt;
  }
  return value;
}

double ObjectReader::req_number(std::string_view key, double min, double max) {
  if (object_ != nullptr && !object_->contains(std::string(key))) {
    known_.emplace_back(key);
    missing(key);
    return min;
  }
  return opt_number(key, min, max).value_or(min);
}

std::optional<bool> ObjectReader::opt_bool(std::string_view key) {
  const Json* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    wrong_type(key, "true or false", *v);
    return std::nullopt;
  }
  return v->get<bool>();
}

bool ObjectReader::opt_bool(std::string_view key, bool fallback) {
  return opt_bool(key).value_or(fallback);
}

namespace {
std::string join_quoted(const std::vector<std::string_view>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += "\"" + std::string(items[i]) + "\"";
  }
  return out;
}

std::optional<std::size_t> match_enum(const Json& v, const std::string& ptr,
                                      const std::vector<std::string_view>& allowed, ErrorSink& sink) {
  if (!v.is_string()) {
    sink.error(ptr, "expected one of " + join_quoted(allowed) + ", got " + describe_type(v));
    return std::nullopt;
  }
  const auto s = v.get<std::string>();
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (allowed[i] == s) return i;
  }
  std::string message = "\"" + s + "\" is not one of " + join_quoted(allowed);
  const std::string suggestion = closest(s, std::vector<std::string>(allowed.begin(), allowed.end()));
  if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
  sink.error(ptr, message);
  return std::nullopt;
}
}  // namespace

std::optional<std::size_t> ObjectReader::opt_enum(std::string_view key,
                                                  const std::vector<std::string_view>& allowed) {
  const Json* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  return match_enum(*v, pointer_append(pointer_, key), allowed, sink_);
}

std::size_t ObjectReader::req_enum(std::string_view key, const std::vector<std::string_view>& allowed) {
  if (object_ != nullptr && !object_->contains(std::string(key))) {
    known_.emplace_back(key);
    missing(key);
    return 0;
  }
  return opt_enum(key, allowed).value_or(0);
}

std::vector<std::string> ObjectReader::opt_string_array(std::string_view key) {
  std::vector<std::string> out;
  const Json* v = lookup(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    wrong_type(key, "an array of strings", *v);
    return out;
  }
  const std::string ptr = pointer_append(pointer_, key);
  for (std::size_t i = 0; i < v->size(); ++i) {
    const Json& item = (*v)[i];
    if (!item.is_string() || item.get<std::string>().empty()) {
      sink_.error(pointer_append(ptr, i), "expected a non-empty string, got " + describe_type(item));
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<std::size_t> ObjectReader::opt_enum_array(std::string_view key,
                                                      const std::vector<std::string_view>& allowed) {
  std::vector<std::size_t> out;
  const Json* v = lookup(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    wrong_type(key, "an array", *v);
    return out;
  }
  const std::string ptr = pointer_append(pointer_, key);
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (auto idx = match_enum((*v)[i], pointer_append(ptr, i), allowed, sink_)) out.push_back(*idx);
  }
  return out;
}

std::optional<std::vector<std::uint32_t>> ObjectReader::opt_u32_array(std::string_view key,
                                                                      std::uint32_t min,
                                                                      std::uint32_t max) {
  const Json* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    wrong_type(key, "an array of integers", *v);
    return std::nullopt;
  }
  std::vector<std::uint32_t> out;
  const std::string ptr = pointer_append(pointer_, key);
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (auto x = check_uint((*v)[i], pointer_append(ptr, i), min, max)) {
      out.push_back(static_cast<std::uint32_t>(*x));
    }
  }
  return out;
}

std::optional<ObjectReader> ObjectReader::opt_object(std::string_view key) {
  const Json* v = lookup(key);
  if (v == nullptr) return std::nullopt;
  ObjectReader reader(*v, pointer_append(pointer_, key), sink_);
  if (!reader.valid()) return std::nullopt;
  return reader;
}

std::vector<ObjectReader> ObjectReader::opt_object_array(std::string_view key) {
  std::vector<ObjectReader> out;
  const Json* v = lookup(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    wrong_type(key, "an array of objects", *v);
    return out;
  }
  const std::string ptr = pointer_append(pointer_, key);
  for (std::size_t i = 0; i < v->size(); ++i) {
    ObjectReader reader((*v)[i], pointer_append(ptr, i), sink_);
    if (reader.valid()) out.push_back(reader);
  }
  return out;
}

void ObjectReader::finish() {
  if (object_ == nullptr) return;
  for (const auto& item : object_->items()) {
    const std::string& key = item.key();
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string message = "unknown key";
    // A required key that is missing is the likeliest meaning of an unknown one ("vram_gb" for
    // "memory_gib"); otherwise the nearest optional key not present.
    std::string suggestion;
    if (missing_required_.size() == 1) {
      suggestion = missing_required_.front();
    } else {
      std::vector<std::string> candidates;
      for (const auto& k : known_) {
        if (!object_->contains(k)) candidates.push_back(k);
      }
      suggestion = closest(key, candidates);
    }
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    sink_.error(pointer_append(pointer_, key), message);
  }
}

}  // namespace llmsize::catalog
