#pragma once
// Models the Hub tests serve: a Llama-3.1-8B Q4_K_M GGUF header with its 128,256-token vocabulary (a
// 2.4 MB header in front of 4.9 GB of tensor data that is never written) and the fixture config.json files.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../modelfile/gguf_writer.h"
#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/weights.h"

namespace llmsize::test {

inline const catalog::Catalog& hub_catalog() {
  static const catalog::Catalog c = catalog::load(catalog::embedded_files(), {}).catalog;
  return c;
}

/// Llama-3.1-8B at Q4_K_M, every tensor as llama.cpp lays it out (the catalog's recipe gives each its
/// type), 4,912,898,048 tensor bytes; tokens as strings so that the header is as large as a real one.
inline GgufWriter llama_8b_q4km() {
  const catalog::Catalog& cat = hub_catalog();
  const engine::WeightsResult w8b = engine::weight_bytes(*catalog::find(cat.models, "llama-3.1-8b"), *catalog::find(cat.quants, "q4-k-m"),
                                                        cat.tensor_types);
  GgufWriter w;
  w.kv_str("general.architecture", "llama");
  w.kv_str("general.name", "Llama 3.1 8B (hub test)");
  w.kv_u32("general.file_type", 15);
  w.kv_u32("llama.block_count", 32);
  w.kv_u32("llama.context_length", 131072);
  w.kv_u32("llama.embedding_length", 4096);
  w.kv_u32("llama.feed_forward_length", 14336);
  w.kv_u32("llama.attention.head_count", 32);
  w.kv_u32("llama.attention.head_count_kv", 8);
  w.kv_u32("llama.vocab_size", 128256);
  std::vector<std::string> tokens;
  tokens.reserve(128256);
  for (int i = 0; i < 128256; ++i) tokens.push_back("<tok_" + std::to_string(i) + ">");
  w.kv_arr_str("tokenizer.ggml.tokens", tokens);
  for (const engine::PlacedTensor& t : w8b.tensors) {
    std::string name = t.spec.layer >= 0 ? "blk." + std::to_string(t.spec.layer) + "." : "";
    std::string group(t.spec.group);
    const bool bias = group.size() > 5 && group.compare(group.size() - 5, 5, "_bias") == 0;
    name += bias ? group.substr(0, group.size() - 5) + ".bias" : group + ".weight";
    std::vector<std::uint64_t> shape = {t.spec.row_length};
    if (!t.spec.is_vector) shape.push_back(t.spec.n_elements / t.spec.row_length);
    w.tensor(name, shape, *t.type->ggml_type, t.bytes);
  }
  return w;
}

inline std::string header_text(const GgufWriter& w) {
  const std::vector<std::uint8_t> h = w.header();
  return std::string(h.begin(), h.end());
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Every byte of every file under `dir`, for "the token is never written" checks.
inline std::string all_bytes_under(const std::filesystem::path& dir) {
  std::string all;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) all += slurp(e.path()) + "\n" + e.path().string() + "\n";
  }
  return all;
}

/// A fresh, empty directory under the temporary directory, one per process (ctest runs test cases as
/// parallel processes, and other checkouts may run the same tests at the same time).
inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace llmsize::test
