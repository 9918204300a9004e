// The compiled catalog's bytes: each record's fields in the order record_fields.h lists them.
// Unsigned integers, enums, string lengths and element counts are LEB128 varints; doubles their
// 8 bytes as stored (exact bits); bool and "optional has a value" one byte.
#include "llmsize/catalog/compiled.h"

#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "record_fields.h"

namespace llmsize::catalog {
namespace {

template <class T>
inline constexpr bool kAlwaysFalse = false;

class Writer {
 public:
  std::string bytes;

  template <class T>
  void operator()(const char* /*name*/, const T& value) {
    write(value);
  }

 private:
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }

  template <class T>
  void write(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      bytes.push_back(value ? '\1' : '\0');
    } else if constexpr (std::is_enum_v<T>) {
      varint(static_cast<std::uint64_t>(value));
    } else if constexpr (std::is_unsigned_v<T>) {
      varint(value);
    } else if constexpr (std::is_same_v<T, double>) {
      const auto bits = std::bit_cast<std::uint64_t>(value);
      for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    } else if constexpr (std::is_same_v<T, std::string>) {
      varint(value.size());
      bytes += value;
    } else if constexpr (requires { value.has_value(); *value; }) {  // std::optional
      write(value.has_value());
      if (value) write(*value);
    } else if constexpr (requires { value.size(); value.begin(); }) {  // std::vector
      varint(value.size());
      for (const auto& item : value) write(item);
    } else if constexpr (requires(Writer& w) { fields(w, value); }) {
      fields(*this, value);
    } else {
      static_assert(kAlwaysFalse<T>, "no encoding for this field type: add it to Writer and Reader");
    }
  }
};

class Reader {
 public:
  explicit Reader(std::string_view b) : bytes_(b) {}

  template <class T>
  void operator()(const char* /*name*/, T& value) {
    read(value);
  }

  [[nodiscard]] bool at_end() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;

  [[noreturn]] static void corrupt() { throw std::logic_error("the compiled catalog's bytes are corrupt"); }

  unsigned char byte() {
    if (pos_ >= bytes_.size()) corrupt();
    return static_cast<unsigned char>(bytes_[pos_++]);
  }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const unsigned char b = byte();
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    corrupt();
  }

  std::size_t count() {
    const std::uint64_t n = varint();
    if (n > bytes_.size() - pos_) corrupt();  // every element takes at least one byte
    return static_cast<std::size_t>(n);
  }

  template <class T>
  void read(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      value = byte() != 0;
    } else if constexpr (std::is_enum_v<T>) {
      value = static_cast<T>(varint());
    } else if constexpr (std::is_unsigned_v<T>) {
      const std::uint64_t v = varint();
      if (v > std::numeric_limits<T>::max()) corrupt();
      value = static_cast<T>(v);
    } else if constexpr (std::is_same_v<T, double>) {
      std::uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits |= static_cast<std::uint64_t>(byte()) << (8 * i);
      value = std::bit_cast<double>(bits);
    } else if constexpr (std::is_same_v<T, std::string>) {
      const std::size_t n = count();
      value.assign(bytes_.substr(pos_, n));
      pos_ += n;
    } else if constexpr (requires { value.has_value(); value.emplace(); }) {  // std::optional
      bool present = false;
      read(present);
      if (present) {
        read(value.emplace());
      } else {
        value.reset();
      }
    } else if constexpr (requires { value.resize(0); value.begin(); }) {  // std::vector
      value.resize(count());
      for (auto& item : value) read(item);
    } else if constexpr (requires(Reader& r) { fields(r, value); }) {
      fields(*this, value);
    } else {
      static_assert(kAlwaysFalse<T>, "no decoding for this field type: add it to Writer and Reader");
    }
  }
};

}  // namespace

std::string encode(const Catalog& catalog) {
  Writer w;
  fields(w, catalog);
  return std::move(w.bytes);
}

Catalog decode(std::string_view bytes) {
  Catalog c;
  Reader r(bytes);
  fields(r, c);
  if (!r.at_end()) throw std::logic_error("the compiled catalog has bytes after its last entry");
  c.benchmarks_loaded = false;
  return c;
}

}  // namespace llmsize::catalog
