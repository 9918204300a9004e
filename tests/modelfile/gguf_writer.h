#pragma once
// Writes GGUF files in tests (format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md).
// Headers are real; tensor data is zeros, or left out and the file extended sparsely so that a
// model of many gigabytes costs no disk.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace llmsize::test {

class GgufWriter {
 public:
  enum Type : std::uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 };

  std::uint32_t version = 3;
  std::uint64_t alignment = 32;

  void kv_u32(const std::string& key, std::uint32_t v) { kv_head(key, U32); put(v); }
  void kv_i32(const std::string& key, std::int32_t v) { kv_head(key, I32); put(v); }
  void kv_u64(const std::string& key, std::uint64_t v) { kv_head(key, U64); put(v); }
  void kv_f32(const std::string& key, float v) { kv_head(key, F32); put(v); }
  void kv_bool(const std::string& key, bool v) { kv_head(key, BOOL); put(static_cast<std::uint8_t>(v ? 1 : 0)); }
  void kv_str(const std::string& key, const std::string& v) { kv_head(key, STR); put_str(kv_, v); }
  void kv_arr_u32(const std::string& key, const std::vector<std::uint32_t>& v) {
    kv_head(key, ARR);
    put(static_cast<std::uint32_t>(U32));
    put(static_cast<std::uint64_t>(v.size()));
    for (std::uint32_t x : v) put(x);
  }
  void kv_arr_bool(const std::string& key, const std::vector<bool>& v) {
    kv_head(key, ARR);
    put(static_cast<std::uint32_t>(BOOL));
    put(static_cast<std::uint64_t>(v.size()));
    for (bool x : v) put(static_cast<std::uint8_t>(x ? 1 : 0));
  }
  void kv_arr_str(const std::string& key, const std::vector<std::string>& v) {
    kv_head(key, ARR);
    put(static_cast<std::uint32_t>(STR));
    put(static_cast<std::uint64_t>(v.size()));
    for (const std::string& s : v) put_str(kv_, s);
  }
  /// Raw bytes appended to the metadata section (for malformed values); counts as one pair.
  void kv_raw(const std::vector<std::uint8_t>& bytes) {
    kv_.insert(kv_.end(), bytes.begin(), bytes.end());
    ++n_kv_;
  }

  /// A tensor; `bytes` is its data size (the caller computes it from the type). Offsets follow
  /// one another, aligned.
  void tensor(const std::string& name, const std::vector<std::uint64_t>& shape, std::uint32_t ggml_type, std::uint64_t bytes) {
    put_str(ti_, name);
    append(ti_, static_cast<std::uint32_t>(shape.size()));
    for (std::uint64_t d : shape) append(ti_, d);
    append(ti_, ggml_type);
    append(ti_, data_bytes_);
    data_bytes_ += (bytes + alignment - 1) / alignment * alignment;
    ++n_tensors_;
  }

  [[nodiscard]] std::uint64_t data_bytes() const { return data_bytes_; }

  /// The header, padded to the alignment (no tensor data).
  [[nodiscard]] std::vector<std::uint8_t> header() const {
    std::vector<std::uint8_t> out = {'G', 'G', 'U', 'F'};
    append(out, version);
    append(out, n_tensors_);
    append(out, n_kv_);
    out.insert(out.end(), kv_.begin(), kv_.end());
    out.insert(out.end(), ti_.begin(), ti_.end());
    while (out.size() % alignment != 0) out.push_back(0);
    return out;
  }

  /// Header plus zero-filled tensor data, in memory.
  [[nodiscard]] std::vector<std::uint8_t> bytes() const {
    std::vector<std::uint8_t> out = header();
    out.resize(out.size() + data_bytes_, 0);
    return out;
  }

  /// Writes the header and extends the file to its full size without writing the data (sparse).
  void write_sparse(const std::string& path) const {
    const std::vector<std::uint8_t> h = header();
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(h.data()), static_cast<std::streamsize>(h.size()));
    }
    std::filesystem::resize_file(path, h.size() + data_bytes_);
  }

  template <class T>
  static void append(std::vector<std::uint8_t>& out, T v) {
    std::uint8_t raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));  // the tests run on little-endian machines, as GGUF is
    // Byte by byte: a range insert here trips GCC 12's false -Warray-bounds once inlined into some callers.
    for (const std::uint8_t b : raw) out.push_back(b);
  }
  static void put_str(std::vector<std::uint8_t>& out, const std::string& s) {
    append(out, static_cast<std::uint64_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }

 private:
  void kv_head(const std::string& key, Type t) {
    put_str(kv_, key);
    append(kv_, static_cast<std::uint32_t>(t));
    ++n_kv_;
  }
  template <class T>
  void put(T v) {
    append(kv_, v);
  }

  std::vector<std::uint8_t> kv_;
  std::vector<std::uint8_t> ti_;
  std::uint64_t n_kv_ = 0;
  std::uint64_t n_tensors_ = 0;
  std::uint64_t data_bytes_ = 0;
};

}  // namespace llmsize::test
