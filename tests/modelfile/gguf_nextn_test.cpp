// A GGUF whose last block is an MTP (nextn) block, as GLM-4.5, Qwen3.5 and DeepSeek-V3.2 GGUFs are:
// block_count counts it, <arch>.nextn_predict_layers says how many there are, and llama.cpp loads them
// with TENSOR_SKIP, so they are in the file but not in memory, placement or the parameter count.
#include <catch2/catch.hpp>

// GCC 12 at -O3 reports false out-of-bounds memcpys inside GgufWriter::header()'s vector growth when it
// is inlined here (the same code compiles cleanly in gguf_test.cpp).
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wstringop-overflow"

#include "gguf_writer.h"
#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/kv.h"
#include "llmsize/modelfile/model_file.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

using u64 = std::uint64_t;

constexpr std::uint32_t kF32 = 0;
constexpr std::uint32_t kQ8_0 = 8;

u64 q8(u64 n) { return n / 32 * 34; }

// Two trunk layers and one MTP block of a tiny llama (n_embd 64, 4 heads of 16, 2 KV heads, FFN 128,
// vocab 256), Q8_0 matrices, F32 norms; the MTP block adds nextn.eh_proj {128, 64} and three norms.
test::GgufWriter tiny_with_mtp() {
  test::GgufWriter w;
  w.kv_str("general.architecture", "llama");
  w.kv_str("general.name", "tiny-mtp");
  w.kv_u32("llama.block_count", 3);
  w.kv_u32("llama.nextn_predict_layers", 1);
  w.kv_u32("llama.context_length", 4096);
  w.kv_u32("llama.embedding_length", 64);
  w.kv_u32("llama.feed_forward_length", 128);
  w.kv_u32("llama.attention.head_count", 4);
  w.kv_u32("llama.attention.head_count_kv", 2);
  w.tensor("token_embd.weight", {64, 256}, kQ8_0, q8(64 * 256));
  for (int il = 0; il < 3; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    w.tensor(b + "attn_norm.weight", {64}, kF32, 64 * 4);
    w.tensor(b + "attn_q.weight", {64, 64}, kQ8_0, q8(64 * 64));
    w.tensor(b + "attn_k.weight", {64, 32}, kQ8_0, q8(64 * 32));
    w.tensor(b + "attn_v.weight", {64, 32}, kQ8_0, q8(64 * 32));
    w.tensor(b + "attn_output.weight", {64, 64}, kQ8_0, q8(64 * 64));
    w.tensor(b + "ffn_norm.weight", {64}, kF32, 64 * 4);
    w.tensor(b + "ffn_gate.weight", {64, 128}, kQ8_0, q8(64 * 128));
    w.tensor(b + "ffn_up.weight", {64, 128}, kQ8_0, q8(64 * 128));
    w.tensor(b + "ffn_down.weight", {128, 64}, kQ8_0, q8(128 * 64));
  }
  w.tensor("blk.2.nextn.eh_proj.weight", {128, 64}, kQ8_0, q8(128 * 64));
  for (const char* norm : {"enorm", "hnorm", "shared_head_norm"}) {
    w.tensor(std::string("blk.2.nextn.") + norm + ".weight", {64}, kF32, 64 * 4);
  }
  w.tensor("output_norm.weight", {64}, kF32, 64 * 4);
  w.tensor("output.weight", {64, 256}, kQ8_0, q8(64 * 256));
  return w;
}

modelfile::ModelFile read(const std::vector<std::uint8_t>& bytes) {
  static const catalog::Catalog c = catalog::load(catalog::embedded_files(), {}).catalog;
  const auto src = modelfile::memory_source(bytes.data(), bytes.size());
  std::vector<modelfile::GgufFile> parts;
  parts.push_back(modelfile::read_gguf(*src, "mtp.gguf"));
  return modelfile::model_from_gguf(std::move(parts), c.tensor_types);
}

}  // namespace

TEST_CASE("GGUF: an MTP block is in the file but not in the model llama.cpp runs", "[gguf][recent][nextn]") {
  const modelfile::ModelFile f = read(tiny_with_mtp().bytes());
  const Model& m = f.model;
  CHECK(m.n_layers == 2);
  CHECK(m.nextn_layers == 1);
  // Parameters of the trunk only, as llama.cpp's llama_model_n_params (gguf_test.cpp's tiny llama): 106,816.
  CHECK(m.params_total == 106'816);
  const WeightsResult w = summarize_weights(m, f.tensors);
  // Trunk: embd 17408 + output 17408 + output_norm 256 + 2 × 39,680 per layer.
  CHECK(w.total_bytes == 17'408 + 17'664 + 2 * 39'680);
  CHECK(w.layer_bytes.size() == 2);
  // The MTP block: a layer (39,680 B) + eh_proj 128 × 64 / 32 × 34 = 8704 B + 3 norms × 256 B.
  CHECK(w.not_loaded_bytes == 39'680 + 8'704 + 3 * 256);
  CHECK(w.file_bytes() == w.total_bytes + w.not_loaded_bytes);
  // The KV cache covers the trunk: 2 layers × 2 KV heads × 16 × 2 (K and V) × 2 B = 256 B per cell.
  const auto& types = catalog::load(catalog::embedded_files(), {}).catalog.tensor_types;
  KvSettings s;
  s.context_tokens = 256;
  s.type_k = find_type(types, "f16");
  s.type_v = s.type_k;
  CHECK(kv_cache(m, s).total_bytes == 256ULL * 256);
}

TEST_CASE("GGUF: a tensor beyond block_count is still an error with MTP blocks", "[gguf][recent][nextn]") {
  test::GgufWriter w = tiny_with_mtp();
  w.tensor("blk.3.attn_norm.weight", {64}, kF32, 64 * 4);
  const auto bytes = w.bytes();
  REQUIRE_THROWS_WITH(read(bytes), Catch::Contains("layer 3 is beyond llama.block_count = 3"));
}

}  // namespace llmsize
