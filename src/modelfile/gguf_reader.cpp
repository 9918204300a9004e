// GGUF header reader: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
// Layout: magic "GGUF", u32 version, u64 tensor_count, u64 kv_count (v1 used u32 counts and is not
// supported), kv pairs (string key, u32 type, value), tensor infos (string name, u32 n_dims,
// u64 ne[n_dims], u32 type, u64 offset), padding to general.alignment, tensor data.
#include <array>
#include <cstring>
#include <limits>
#include <regex>
#include <unordered_set>

#include "llmsize/modelfile/gguf.h"

namespace llmsize::modelfile {
namespace {

using u64 = std::uint64_t;

/// Reads little-endian fields in order, checking each against the end of the file. Reads go
/// through a small window so a header of many small fields costs few system calls.
class Cursor {
 public:
  Cursor(const ByteSource& src, std::string name) : src_(src), name_(std::move(name)), size_(src.size()) {}

  [[nodiscard]] u64 offset() const { return pos_; }
  [[nodiscard]] u64 remaining() const { return size_ - pos_; }

  [[noreturn]] void fail(const std::string& problem) const { fail_at(pos_, problem); }
  [[noreturn]] void fail_at(u64 at, const std::string& problem) const {
    throw ModelFileError(name_ + ": offset " + std::to_string(at) + ": " + problem);
  }

  void bytes(void* dst, std::size_t n, const char* what) {
    if (n > remaining()) {
      fail(std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(remaining()) + " left");
    }
    auto* out = static_cast<std::uint8_t*>(dst);
    std::size_t left = n;
    while (left > 0) {
      if (pos_ < window_start_ || pos_ >= window_start_ + window_len_) refill();
      const auto in_window = static_cast<std::size_t>(window_start_ + window_len_ - pos_);
      const std::size_t take = std::min(left, in_window);
      std::memcpy(out, window_.data() + (pos_ - window_start_), take);
      out += take;
      left -= take;
      pos_ += take;
    }
  }

  void skip(u64 n, const char* what) {
    if (n > remaining()) {
      fail(std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(remaining()) + " left");
    }
    pos_ += n;
  }

  template <class T>
  T scalar(const char* what) {
    std::array<std::uint8_t, sizeof(T)> raw{};
    bytes(raw.data(), raw.size(), what);
    // GGUF is little-endian; assemble explicitly so the reader is endian-neutral.
    std::conditional_t<sizeof(T) == 8, std::uint64_t,
                       std::conditional_t<sizeof(T) == 4, std::uint32_t,
                                          std::conditional_t<sizeof(T) == 2, std::uint16_t, std::uint8_t>>>
        bits = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) bits = static_cast<decltype(bits)>((bits << 8U) | raw[i]);
    T value;
    std::memcpy(&value, &bits, sizeof(T));
    return value;
  }

  /// A GGUF string: u64 length, then bytes. Lengths beyond the file or `max_length` are refused.
  std::string string(const char* what, u64 max_length) {
    const u64 at = pos_;
    const u64 length = scalar<u64>(what);
    if (length > remaining()) {
      fail_at(at, std::string(what) + " length " + std::to_string(length) + " is larger than the " +
                      std::to_string(remaining()) + " bytes left in the file");
    }
    if (length > max_length) {
      fail_at(at, std::string(what) + " length " + std::to_string(length) + " is over the limit of " +
                      std::to_string(max_length));
    }
    std::string s(static_cast<std::size_t>(length), '\0');
    bytes(s.data(), s.size(), what);
    return s;
  }

 private:
  void refill() {
    window_start_ = pos_;
    window_len_ = std::min<u64>(window_.size(), size_ - pos_);
    src_.read(window_start_, window_.data(), static_cast<std::size_t>(window_len_));
  }

  const ByteSource& src_;
  std::string name_;
  u64 size_;
  u64 pos_ = 0;
  std::array<std::uint8_t, 1U << 16U> window_{};
  u64 window_start_ = 0;
  u64 window_len_ = 0;
};

constexpr u64 kMaxKeyLength = 1U << 16U;          // keys are short ASCII paths
constexpr u64 kMaxStringValueLength = 1ULL << 30;  // a chat template is kilobytes; refuse gigabytes
constexpr u64 kMaxAlignment = 1U << 20U;

std::size_t value_size(GgufType t) {
  switch (t) {
    case GgufType::uint8: case GgufType::int8: case GgufType::boolean: return 1;
    case GgufType::uint16: case GgufType::int16: return 2;
    case GgufType::uint32: case GgufType::int32: case GgufType::float32: return 4;
    case GgufType::uint64: case GgufType::int64: case GgufType::float64: return 8;
    case GgufType::string: case GgufType::array: return 0;
  }
  return 0;
}

bool known_type(std::uint32_t t) { return t <= static_cast<std::uint32_t>(GgufType::float64); }

// A fixed-size scalar as the variant, and as a double for number arrays.
std::variant<u64, std::int64_t, double, bool, std::string> read_fixed(Cursor& c, GgufType t) {
  switch (t) {
    case GgufType::uint8: return u64{c.scalar<std::uint8_t>("uint8 value")};
    case GgufType::int8: return std::int64_t{c.scalar<std::int8_t>("int8 value")};
    case GgufType::uint16: return u64{c.scalar<std::uint16_t>("uint16 value")};
    case GgufType::int16: return std::int64_t{c.scalar<std::int16_t>("int16 value")};
    case GgufType::uint32: return u64{c.scalar<std::uint32_t>("uint32 value")};
    case GgufType::int32: return std::int64_t{c.scalar<std::int32_t>("int32 value")};
    case GgufType::uint64: return c.scalar<u64>("uint64 value");
    case GgufType::int64: return c.scalar<std::int64_t>("int64 value");
    case GgufType::float32: return double{c.scalar<float>("float32 value")};
    case GgufType::float64: return c.scalar<double>("float64 value");
    case GgufType::boolean: {
      const auto b = c.scalar<std::uint8_t>("bool value");
      if (b > 1) c.fail_at(c.offset() - 1, "bool value " + std::to_string(b) + " is neither 0 nor 1");
      return b == 1;
    }
    case GgufType::string: case GgufType::array: break;
  }
  return u64{0};
}

double to_double(const std::variant<u64, std::int64_t, double, bool, std::string>& v) {
  if (const auto* u = std::get_if<u64>(&v)) return static_cast<double>(*u);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  return 0.0;
}

void read_value(Cursor& c, GgufValue& out, std::uint32_t depth);

// Skips an array's elements (nested or strings), checking each length as it goes.
void skip_array(Cursor& c, GgufType element, u64 length, std::uint32_t depth) {
  if (depth > kMaxArrayDepth) c.fail("arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
  const std::size_t fixed = value_size(element);
  if (fixed > 0) {
    if (length > c.remaining() / fixed) {
      c.fail("array of " + std::to_string(length) + " " + to_string(element) + " values is larger than the " +
             std::to_string(c.remaining()) + " bytes left in the file");
    }
    c.skip(length * fixed, "array");
    return;
  }
  // Each string or nested array takes at least 8 bytes (its length).
  if (length > c.remaining() / 8) {
    c.fail("array of " + std::to_string(length) + " " + to_string(element) + " values cannot fit in the " +
           std::to_string(c.remaining()) + " bytes left in the file");
  }
  for (u64 i = 0; i < length; ++i) {
    if (element == GgufType::string) {
      const u64 at = c.offset();
      const u64 n = c.scalar<u64>("string length");
      if (n > c.remaining()) {
        c.fail_at(at, "string length " + std::to_string(n) + " is larger than the " + std::to_string(c.remaining()) +
                          " bytes left in the file");
      }
      c.skip(n, "string");
    } else {
      GgufValue nested;
      read_value(c, nested, depth + 1);
    }
  }
}

void read_value(Cursor& c, GgufValue& out, std::uint32_t depth) {
  const u64 type_at = c.offset();
  const auto raw_type = c.scalar<std::uint32_t>("value type");
  if (!known_type(raw_type)) c.fail_at(type_at, "unknown value type " + std::to_string(raw_type));
  out.type = static_cast<GgufType>(raw_type);
  if (out.type == GgufType::string) {
    out.scalar = c.string("string value", kMaxStringValueLength);
    return;
  }
  if (out.type != GgufType::array) {
    out.scalar = read_fixed(c, out.type);
    return;
  }
  if (depth >= kMaxArrayDepth) c.fail_at(type_at, "arrays nested deeper than " + std::to_string(kMaxArrayDepth) + " levels");
  const u64 element_at = c.offset();
  const auto raw_element = c.scalar<std::uint32_t>("array element type");
  if (!known_type(raw_element)) c.fail_at(element_at, "unknown array element type " + std::to_string(raw_element));
  out.element_type = static_cast<GgufType>(raw_element);
  out.array_length = c.scalar<u64>("array length");
  const std::size_t fixed = value_size(out.element_type);
  if (fixed > 0 && out.array_length <= kKeptArrayLength) {
    if (out.array_length > c.remaining() / fixed) {
      c.fail("array of " + std::to_string(out.array_length) + " " + to_string(out.element_type) +
             " values is larger than the " + std::to_string(c.remaining()) + " bytes left in the file");
    }
    out.numbers.reserve(static_cast<std::size_t>(out.array_length));
    for (u64 i = 0; i < out.array_length; ++i) out.numbers.push_back(to_double(read_fixed(c, out.element_type)));
    out.numbers_kept = true;
    return;
  }
  skip_array(c, out.element_type, out.array_length, depth + 1);
}

}  // namespace

const char* to_string(GgufType t) {
  switch (t) {
    case GgufType::uint8: return "uint8";
    case GgufType::int8: return "int8";
    case GgufType::uint16: return "uint16";
    case GgufType::int16: return "int16";
    case GgufType::uint32: return "uint32";
    case GgufType::int32: return "int32";
    case GgufType::float32: return "float32";
    case GgufType::boolean: return "bool";
    case GgufType::string: return "string";
    case GgufType::array: return "array";
    case GgufType::uint64: return "uint64";
    case GgufType::int64: return "int64";
    case GgufType::float64: return "float64";
  }
  return "?";
}

bool GgufValue::is_number() const {
  return type != GgufType::array && type != GgufType::string && type != GgufType::boolean;
}

std::optional<u64> GgufValue::as_uint() const {
  if (type == GgufType::array) return std::nullopt;
  if (const auto* u = std::get_if<u64>(&scalar)) return *u;
  if (const auto* i = std::get_if<std::int64_t>(&scalar); i != nullptr && *i >= 0) return static_cast<u64>(*i);
  return std::nullopt;
}

std::optional<double> GgufValue::as_double() const {
  if (!is_number()) return std::nullopt;
  return to_double(scalar);
}

const std::string* GgufValue::as_string() const {
  if (type != GgufType::string) return nullptr;
  return std::get_if<std::string>(&scalar);
}

u64 GgufTensorInfo::n_elements() const {
  u64 n = 1;
  for (u64 d : shape) n *= d;  // overflow is ruled out when the tensor is read
  return n;
}

const GgufValue* GgufFile::find(std::string_view key) const {
  for (const GgufKeyValue& kv : metadata) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

namespace {

struct Counts {
  u64 n_tensors = 0;
  u64 n_kv = 0;
};

// Magic, version and the two counts, each checked against the bytes that follow.
Counts read_preamble(Cursor& c, GgufFile& f) {
  std::array<char, 4> magic{};
  if (c.remaining() < 4) c.fail("truncated: " + std::to_string(c.remaining()) + " bytes is not a GGUF file");
  c.bytes(magic.data(), magic.size(), "magic");
  if (std::memcmp(magic.data(), "GGUF", 4) != 0) {
    c.fail_at(0, "not a GGUF file (the first 4 bytes are not \"GGUF\")");
  }
  f.version = c.scalar<std::uint32_t>("version");
  if (f.version != 2 && f.version != 3) {
    c.fail_at(4, "GGUF version " + std::to_string(f.version) + " is not supported (2 and 3 are)");
  }
  Counts n;
  n.n_tensors = c.scalar<u64>("tensor count");
  n.n_kv = c.scalar<u64>("metadata count");
  // A key/value takes at least 8 (key length) + 4 (type) + 1 bytes; a tensor info at least 8 + 4 + 4 + 8.
  if (n.n_kv > c.remaining() / 13) {
    c.fail_at(16, "metadata count " + std::to_string(n.n_kv) + " cannot fit in a file of " + std::to_string(f.file_bytes) + " bytes");
  }
  if (n.n_tensors > c.remaining() / 24) {
    c.fail_at(8, "tensor count " + std::to_string(n.n_tensors) + " cannot fit in a file of " + std::to_string(f.file_bytes) + " bytes");
  }
  return n;
}

void read_metadata(Cursor& c, u64 n_kv, GgufFile& f) {
  f.metadata.reserve(static_cast<std::size_t>(n_kv));
  std::unordered_set<std::string> keys;
  for (u64 i = 0; i < n_kv; ++i) {
    const u64 at = c.offset();
    GgufKeyValue kv;
    kv.key = c.string("key", kMaxKeyLength);
    if (kv.key.empty()) c.fail_at(at, "empty metadata key");
    if (!keys.insert(kv.key).second) c.fail_at(at, "duplicate metadata key \"" + kv.key + "\"");
    read_value(c, kv.value, 0);
    f.metadata.push_back(std::move(kv));
  }
  if (const GgufValue* a = f.find("general.alignment")) {
    const auto alignment = a->as_uint();
    if (!alignment || *alignment == 0 || *alignment > kMaxAlignment || (*alignment & (*alignment - 1)) != 0) {
      throw ModelFileError(f.path + ": general.alignment: must be a power of two up to " + std::to_string(kMaxAlignment));
    }
    f.alignment = *alignment;
  }
}

GgufTensorInfo read_tensor_info(Cursor& c, u64 alignment) {
  GgufTensorInfo t;
  t.name = c.string("tensor name", kMaxNameLength);
  const u64 dims_at = c.offset();
  const auto n_dims = c.scalar<std::uint32_t>("tensor dimension count");
  if (n_dims == 0 || n_dims > kMaxTensorDims) {
    c.fail_at(dims_at, "tensor \"" + t.name + "\" has " + std::to_string(n_dims) + " dimensions (1 to " +
                           std::to_string(kMaxTensorDims) + " allowed)");
  }
  u64 elements = 1;
  for (std::uint32_t d = 0; d < n_dims; ++d) {
    const u64 ne = c.scalar<u64>("tensor dimension");
    if (ne == 0) c.fail(("tensor \"" + t.name + "\" has a zero dimension").c_str());
    if (ne > static_cast<u64>(std::numeric_limits<std::int64_t>::max()) / elements) {
      c.fail("tensor \"" + t.name + "\" has more than 2^63 elements");
    }
    elements *= ne;
    t.shape.push_back(ne);
  }
  t.ggml_type = c.scalar<std::uint32_t>("tensor type");
  const u64 offset_at = c.offset();
  t.offset = c.scalar<u64>("tensor data offset");
  if (t.offset % alignment != 0) {
    c.fail_at(offset_at, "tensor \"" + t.name + "\" data offset " + std::to_string(t.offset) +
                             " is not a multiple of the alignment " + std::to_string(alignment));
  }
  return t;
}

}  // namespace

GgufFile read_gguf(const ByteSource& src, const std::string& name) {
  Cursor c(src, name);
  GgufFile f;
  f.path = name;
  f.file_bytes = src.size();
  const Counts n = read_preamble(c, f);
  read_metadata(c, n.n_kv, f);
  f.tensors.reserve(static_cast<std::size_t>(n.n_tensors));
  std::unordered_set<std::string> names;
  for (u64 i = 0; i < n.n_tensors; ++i) {
    const u64 at = c.offset();
    GgufTensorInfo t = read_tensor_info(c, f.alignment);
    if (!names.insert(t.name).second) c.fail_at(at, "duplicate tensor \"" + t.name + "\"");
    f.tensors.push_back(std::move(t));
  }
  const u64 header_end = c.offset();
  f.data_offset = header_end + (f.alignment - header_end % f.alignment) % f.alignment;
  if (!f.tensors.empty() && f.data_offset > f.file_bytes) {
    throw ModelFileError(name + ": offset " + std::to_string(header_end) + ": truncated: the file ends before its tensor data");
  }
  return f;
}

std::vector<std::string> split_parts(const std::string& path) {
  static const std::regex pattern(R"(^(.*)-(\d{5})-of-(\d{5})\.gguf$)");
  std::smatch m;
  if (!std::regex_match(path, m, pattern)) return {path};
  const int count = std::stoi(m[3].str());
  if (count < 1) return {path};
  std::vector<std::string> parts;
  for (int i = 1; i <= count; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "%05d", i);
    parts.push_back(m[1].str() + "-" + number + "-of-" + m[3].str() + ".gguf");
  }
  return parts;
}

}  // namespace llmsize::modelfile
