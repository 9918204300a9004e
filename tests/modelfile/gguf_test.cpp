// GGUF header reading: real values from files written in code, and every kind of malformed file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "gguf_writer.h"
#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/kv.h"
#include "llmsize/modelfile/model_file.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

using modelfile::GgufFile;
using modelfile::ModelFile;
using modelfile::ModelFileError;
using test::GgufWriter;
using u64 = std::uint64_t;

const catalog::Catalog& cat() {
  static const catalog::Catalog c = catalog::load(catalog::embedded_files(), {}).catalog;
  return c;
}

// ggml type ids (ggml.h) and bytes per block (ggml-common.h).
constexpr std::uint32_t kF32 = 0;
constexpr std::uint32_t kF16 = 1;
constexpr std::uint32_t kQ8_0 = 8;

// A 2-layer llama: n_embd 64, 4 heads of 16, 2 KV heads, FFN 128, vocab 256; matrices Q8_0
// (34 bytes per 32 values), norms F32, untied output.
GgufWriter tiny_llama() {
  GgufWriter w;
  w.kv_str("general.architecture", "llama");
  w.kv_str("general.name", "tiny");
  w.kv_u32("general.file_type", 7);  // LLAMA_FTYPE_MOSTLY_Q8_0
  w.kv_u32("llama.block_count", 2);
  w.kv_u32("llama.context_length", 4096);
  w.kv_u32("llama.embedding_length", 64);
  w.kv_u32("llama.feed_forward_length", 128);
  w.kv_u32("llama.attention.head_count", 4);
  w.kv_u32("llama.attention.head_count_kv", 2);
  w.kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5F);
  w.kv_arr_str("tokenizer.ggml.tokens", std::vector<std::string>(256, "t"));
  const auto q8 = [](u64 n) { return n / 32 * 34; };
  w.tensor("token_embd.weight", {64, 256}, kQ8_0, q8(64 * 256));
  for (int il = 0; il < 2; ++il) {
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
  w.tensor("output_norm.weight", {64}, kF32, 64 * 4);
  w.tensor("output.weight", {64, 256}, kQ8_0, q8(64 * 256));
  return w;
}

ModelFile from_bytes(const std::vector<std::uint8_t>& bytes, const std::string& name = "t.gguf") {
  const auto src = modelfile::memory_source(bytes.data(), bytes.size());
  std::vector<GgufFile> parts;
  parts.push_back(modelfile::read_gguf(*src, name));
  return modelfile::model_from_gguf(std::move(parts), cat().tensor_types);
}

// The name the catalog gives a file's general.file_type (the quant with that llama_ftype).
std::string file_type_name(const ModelFile& f) {
  for (const Quant& q : cat().quants) {
    if (q.llama_ftype && f.llama_ftype && *q.llama_ftype == *f.llama_ftype) return q.meta.name;
  }
  return "(none)";
}

// The bytes GgufWriter::bytes() would hold, without holding the tensor data: the header, then zeros.
class HeaderThenZeros final : public modelfile::ByteSource {
 public:
  explicit HeaderThenZeros(const GgufWriter& w) : header_(w.header()), size_(header_.size() + w.data_bytes()) {}
  [[nodiscard]] u64 size() const override { return size_; }
  void read(u64 offset, void* dst, std::size_t n) const override {
    auto* out = static_cast<std::uint8_t*>(dst);
    const std::size_t from_header = offset < header_.size() ? std::min<std::size_t>(n, header_.size() - offset) : 0;
    if (from_header > 0) std::memcpy(out, header_.data() + offset, from_header);
    std::memset(out + from_header, 0, n - from_header);
  }

 private:
  std::vector<std::uint8_t> header_;
  u64 size_;
};

// The writer's file read through a source that holds only its header, so many gigabytes of
// tensor data cost no memory.
ModelFile from_writer(const GgufWriter& w) {
  const HeaderThenZeros src(w);
  std::vector<GgufFile> parts;
  parts.push_back(modelfile::read_gguf(src, "t.gguf"));
  return modelfile::model_from_gguf(std::move(parts), cat().tensor_types);
}

std::string error_of(const std::vector<std::uint8_t>& bytes) {
  try {
    (void)from_bytes(bytes);
  } catch (const ModelFileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("GGUF: a tiny llama is read exactly", "[gguf]") {
  const ModelFile f = from_bytes(tiny_llama().bytes());
  const Model& m = f.model;
  CHECK(f.gguf_version == 3);
  CHECK(m.arch == "llama");
  CHECK(m.meta.name == "tiny");
  CHECK(m.n_layers == 2);
  CHECK(m.hidden_size == 64);
  CHECK(m.n_heads == 4);
  CHECK(m.n_kv_heads == 2);
  CHECK(head_dim_k(m) == 16);
  CHECK(m.vocab_size == 256);  // token_embd's second dimension
  CHECK_FALSE(m.tied_embeddings);
  CHECK(m.context_length == 4096);
  CHECK(f.weights_source == modelfile::WeightsSource::file);
  CHECK(f.llama_ftype == 7U);  // LLAMA_FTYPE_MOSTLY_Q8_0
  CHECK(file_type_name(f) == "Q8_0");
  // Parameters: embd 16384 + output 16384 + output_norm 64 + 2 × (4096 + 2048 + 2048 + 4096 +
  // 3 × 8192 + 2 × 64 norms) = 32832 + 2 × 36992 = 106816.
  CHECK(m.params_total == 106816);
  // Bytes: Q8_0 matrices (106816 − 5 × 64 f32 values) / 32 × 34 = 113152.5 → per tensor exact:
  // embd/output 17408 each; per layer q,o 4352, k,v 2176, gate,up,down 8704, norms 256.
  const WeightsResult w = summarize_weights(m, f.tensors);
  CHECK(w.token_embd_bytes == 17408);
  CHECK(w.output_bytes == 17408 + 256);
  CHECK(w.layer_bytes[0] == 2 * 4352 + 2 * 2176 + 3 * 8704 + 2 * 256);
  CHECK(w.total_bytes == 17408 + 17664 + 2 * 39680);
  CHECK(w.cpu_repack_bytes == 0);  // Q8_0 is not repacked
}

TEST_CASE("GGUF: KV cache from the header equals llama.cpp's formula", "[gguf]") {
  const ModelFile f = from_bytes(tiny_llama().bytes());
  KvSettings s;
  s.type_k = find_type(cat().tensor_types, "f16");
  s.type_v = s.type_k;
  s.context_tokens = 1000;  // padded to 1024 cells
  const KvResult kv = kv_cache(f.model, s);
  // 2 layers × 1024 cells × (K 2 heads × 16 + V 2 × 16) × 2 bytes = 262144.
  CHECK(kv.total_bytes == 262144);
}

TEST_CASE("GGUF: per-layer KV heads mark the attention layers of a hybrid", "[gguf]") {
  GgufWriter w;
  w.kv_str("general.architecture", "granitehybrid");
  w.kv_u32("granitehybrid.block_count", 4);
  w.kv_u32("granitehybrid.context_length", 8192);
  w.kv_u32("granitehybrid.embedding_length", 64);
  w.kv_arr_u32("granitehybrid.attention.head_count", {4, 4, 4, 4});
  w.kv_arr_u32("granitehybrid.attention.head_count_kv", {0, 2, 0, 0});
  w.kv_u32("granitehybrid.ssm.conv_kernel", 4);
  w.kv_u32("granitehybrid.ssm.inner_size", 128);
  w.kv_u32("granitehybrid.ssm.state_size", 16);
  w.kv_u32("granitehybrid.ssm.group_count", 1);
  w.kv_u32("granitehybrid.ssm.time_step_rank", 8);
  w.kv_u32("granitehybrid.vocab_size", 100);
  w.tensor("token_embd.weight", {64, 100}, kF16, 64 * 100 * 2);
  const ModelFile f = from_bytes(w.bytes());
  const Model& m = f.model;
  REQUIRE(m.ssm);
  CHECK(m.ssm->kind == SsmKind::mamba2);
  REQUIRE(m.attention_layers);
  CHECK(*m.attention_layers == std::vector<std::uint32_t>{1});
  CHECK(is_recurrent_layer(m, 0));
  CHECK_FALSE(is_recurrent_layer(m, 1));
  CHECK(m.tied_embeddings);
  KvSettings s;
  s.type_k = find_type(cat().tensor_types, "f16");
  s.type_v = s.type_k;
  s.context_tokens = 256;
  const KvResult kv = kv_cache(m, s);
  // Attention layer 1: 256 cells × (2 × 16 + 2 × 16) × 2 B = 32768. Recurrent layers 0, 2, 3:
  // f32 state (4 − 1) × (128 + 2 × 1 × 16) + 16 × 128 = 480 + 2048 = 2528 values × 4 B = 10112 each.
  CHECK(kv.k_bytes + kv.v_bytes == 32768);
  CHECK(kv.recurrent_bytes == 3 * 10112);
}

TEST_CASE("GGUF: Gemma 3 gets llama.cpp's sliding-window layout", "[gguf]") {
  GgufWriter w;
  w.kv_str("general.architecture", "gemma3");
  w.kv_u32("gemma3.block_count", 12);
  w.kv_u32("gemma3.context_length", 32768);
  w.kv_u32("gemma3.embedding_length", 64);
  w.kv_u32("gemma3.attention.head_count", 4);
  w.kv_u32("gemma3.attention.head_count_kv", 1);
  w.kv_u32("gemma3.attention.key_length", 256);
  w.kv_u32("gemma3.attention.value_length", 256);
  w.kv_u32("gemma3.attention.sliding_window", 512);
  w.kv_u32("gemma3.vocab_size", 100);
  w.tensor("token_embd.weight", {64, 100}, kF16, 64 * 100 * 2);
  const Model m = from_bytes(w.bytes()).model;
  CHECK(m.sliding_window == 512U);
  CHECK(m.sliding_window_pattern == 6U);  // set_swa_pattern(6) in llama-model.cpp
  CHECK(is_sliding_layer(m, 0));
  CHECK_FALSE(is_sliding_layer(m, 5));
  CHECK(*m.head_dim == 256);

  // The same layout given as one bool per layer.
  GgufWriter v = w;
  v.kv_arr_bool("gemma3.attention.sliding_window_pattern",
                {true, true, true, true, true, false, true, true, true, true, true, false});
  CHECK(from_bytes(v.bytes()).model.sliding_window_pattern == 6U);
  GgufWriter odd = w;
  odd.kv_arr_bool("gemma3.attention.sliding_window_pattern",
                  {true, false, true, true, true, false, true, true, true, true, true, false});
  CHECK_THAT(error_of(odd.bytes()), Catch::Contains("does not repeat"));
}

TEST_CASE("GGUF: MoE and MLA keys (DeepSeek-V3 shape)", "[gguf]") {
  GgufWriter w;
  const std::string a = "deepseek2.";
  w.kv_str("general.architecture", "deepseek2");
  w.kv_u32(a + "block_count", 61);
  w.kv_u32(a + "context_length", 163840);
  w.kv_u32(a + "embedding_length", 7168);
  w.kv_u32(a + "feed_forward_length", 18432);
  w.kv_u32(a + "attention.head_count", 128);
  w.kv_u32(a + "attention.head_count_kv", 128);
  w.kv_u32(a + "attention.q_lora_rank", 1536);
  w.kv_u32(a + "attention.kv_lora_rank", 512);
  w.kv_u32(a + "attention.key_length", 192);
  w.kv_u32(a + "attention.value_length", 128);
  w.kv_u32(a + "rope.dimension_count", 64);
  w.kv_u32(a + "expert_count", 256);
  w.kv_u32(a + "expert_used_count", 8);
  w.kv_u32(a + "expert_feed_forward_length", 2048);
  w.kv_u32(a + "expert_shared_count", 1);
  w.kv_u32(a + "leading_dense_block_count", 3);
  w.kv_u32(a + "vocab_size", 129280);
  // One MoE block's routed experts, F16: 256 × 7168 × 2048 values each (7 GiB of data, read from
  // a source that holds only the header).
  w.tensor("blk.3.ffn_gate_exps.weight", {7168, 2048, 256}, kF16, u64{7168} * 2048 * 256 * 2);
  w.tensor("blk.3.ffn_gate_shexp.weight", {7168, 2048}, kF16, u64{7168} * 2048 * 2);
  const ModelFile f = from_writer(w);
  const Model& m = f.model;
  REQUIRE(m.mla);
  CHECK(m.mla->qk_nope_head_dim == 128);
  CHECK(m.mla->v_head_dim == 128);
  REQUIRE(m.moe);
  CHECK(m.moe->n_dense_leading_layers == 3);
  KvSettings s;
  s.type_k = find_type(cat().tensor_types, "f16");
  s.type_v = s.type_k;
  s.context_tokens = 256;
  // (512 + 64) × 2 bytes × 61 layers = 70,272 bytes per token, as llama.cpp allocates for V3.
  CHECK(kv_cache(m, s).total_bytes == u64{70272} * 256);
  const WeightsResult wr = summarize_weights(m, f.tensors);
  CHECK(wr.routed_expert_bytes == u64{7168} * 2048 * 256 * 2);
  CHECK(wr.layer_expert_bytes[3] == wr.routed_expert_bytes);
  // Active: shared 14.7M + routed 3.76G × 8 / 256.
  CHECK(*m.params_active == u64{7168} * 2048 + u64{7168} * 2048 * 256 / 32);
}

TEST_CASE("GGUF: a 100 GB file is inspected from its header in milliseconds", "[gguf]") {
  // Llama-3.1-8B at Q4_K_M as make_gguf.py (../shared/oracle) lays it out, written sparsely:
  // the oracle's summary for `--preset llama3.1-8b --ftype Q4_K_M` gives 4,912,898,048 tensor bytes.
  const Model* ref = catalog::find(cat().models, "llama-3.1-8b");
  const Quant* q4km = catalog::find(cat().quants, "q4-k-m");
  REQUIRE(ref != nullptr);
  REQUIRE(q4km != nullptr);
  const WeightsResult expected = weight_bytes(*ref, *q4km, cat().tensor_types);
  GgufWriter w;
  w.kv_str("general.architecture", "llama");
  w.kv_u32("general.file_type", 15);
  w.kv_u32("llama.block_count", 32);
  w.kv_u32("llama.context_length", 131072);
  w.kv_u32("llama.embedding_length", 4096);
  w.kv_u32("llama.feed_forward_length", 14336);
  w.kv_u32("llama.attention.head_count", 32);
  w.kv_u32("llama.attention.head_count_kv", 8);
  w.kv_u32("llama.vocab_size", 128256);
  for (const PlacedTensor& t : expected.tensors) {
    std::string name = t.spec.layer >= 0 ? "blk." + std::to_string(t.spec.layer) + "." : "";
    std::string group(t.spec.group);
    const bool bias = group.size() > 5 && group.compare(group.size() - 5, 5, "_bias") == 0;
    name += bias ? group.substr(0, group.size() - 5) + ".bias" : group + ".weight";
    std::vector<u64> shape = {t.spec.row_length};
    if (!t.spec.is_vector) shape.push_back(t.spec.n_elements / t.spec.row_length);
    w.tensor(name, shape, *t.type->ggml_type, t.bytes);
  }
  const std::string dir = (std::filesystem::temp_directory_path() / "llmsize-gguf-test").string();
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/llama-8b-Q4_K_M.gguf";
  w.write_sparse(path);

  const auto start = std::chrono::steady_clock::now();
  const ModelFile f = modelfile::load_gguf(path, cat().tensor_types);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const WeightsResult got = summarize_weights(f.model, f.tensors);
  CHECK(got.total_bytes == 4912898048ULL);
  CHECK(got.total_bytes == expected.total_bytes);
  CHECK(got.layer_bytes == expected.layer_bytes);
  CHECK(got.cpu_repack_bytes == expected.cpu_repack_bytes);
  CHECK(f.model.params_total == 8030261248ULL);  // Meta's published count
  CHECK(f.llama_ftype == 15U);  // LLAMA_FTYPE_MOSTLY_Q4_K_M
  CHECK(file_type_name(f) == "Q4_K_M");
  // Not a timing test: a generous bound that only fails if the weights were read.
  CHECK(elapsed < std::chrono::seconds(2));
  std::filesystem::remove(path);
}

TEST_CASE("GGUF: split files are read part by part", "[gguf]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "llmsize-gguf-split").string();
  std::filesystem::create_directories(dir);
  GgufWriter first = tiny_llama();
  first.kv_u32("split.count", 2);
  GgufWriter second;
  second.kv_u32("split.no", 1);
  second.tensor("extra.weight", {64}, kF32, 256);
  first.write_sparse(dir + "/m-00001-of-00002.gguf");
  second.write_sparse(dir + "/m-00002-of-00002.gguf");
  const ModelFile f = modelfile::load_gguf(dir + "/m-00001-of-00002.gguf", cat().tensor_types);
  CHECK(f.parts.size() == 2);
  CHECK(summarize_weights(f.model, f.tensors).total_bytes == 17408 + 17664 + 2 * 39680 + 256);
  std::filesystem::remove(dir + "/m-00002-of-00002.gguf");
  try {
    (void)modelfile::load_gguf(dir + "/m-00001-of-00002.gguf", cat().tensor_types);
    FAIL("a missing part must be an error");
  } catch (const ModelFileError& e) {
    CHECK_THAT(e.what(), Catch::Contains("m-00002-of-00002.gguf: cannot open"));
  }
  CHECK(modelfile::split_parts("a/b-00002-of-00003.gguf") ==
        std::vector<std::string>{"a/b-00001-of-00003.gguf", "a/b-00002-of-00003.gguf", "a/b-00003-of-00003.gguf"});
  CHECK(modelfile::split_parts("plain.gguf") == std::vector<std::string>{"plain.gguf"});
}

TEST_CASE("GGUF: malformed headers are one-line errors with the offset", "[gguf]") {
  const std::vector<std::uint8_t> good = tiny_llama().bytes();
  SECTION("wrong magic") {
    auto b = good;
    b[0] = 'X';
    CHECK(error_of(b) == "t.gguf: offset 0: not a GGUF file (the first 4 bytes are not \"GGUF\")");
  }
  SECTION("unknown versions") {
    for (std::uint32_t v : {1U, 4U, 0xFFFFFFFFU}) {
      GgufWriter w = tiny_llama();
      w.version = v;
      CHECK(error_of(w.bytes()) == "t.gguf: offset 4: GGUF version " + std::to_string(v) + " is not supported (2 and 3 are)");
    }
    GgufWriter v2 = tiny_llama();
    v2.version = 2;
    CHECK(from_bytes(v2.bytes()).gguf_version == 2);
  }
  SECTION("counts larger than the file") {
    auto b = good;
    for (int i = 0; i < 8; ++i) b[8 + i] = 0xFF;  // tensor count
    CHECK_THAT(error_of(b), Catch::StartsWith("t.gguf: offset 8: tensor count 18446744073709551615 cannot fit"));
    b = good;
    b[16 + 6] = 0x01;  // metadata count 2^48 + n
    CHECK_THAT(error_of(b), Catch::StartsWith("t.gguf: offset 16: metadata count"));
  }
  SECTION("a string length past the end") {
    GgufWriter w;
    std::vector<std::uint8_t> raw;
    GgufWriter::put_str(raw, "general.architecture");
    GgufWriter::append(raw, std::uint32_t{8});
    GgufWriter::append(raw, std::uint64_t{1} << 40);
    w.kv_raw(raw);
    CHECK_THAT(error_of(w.bytes()), Catch::Contains("string value length 1099511627776 is larger than the"));
  }
  SECTION("unknown value type") {
    GgufWriter w;
    std::vector<std::uint8_t> raw;
    GgufWriter::put_str(raw, "general.architecture");
    GgufWriter::append(raw, std::uint32_t{13});
    w.kv_raw(raw);
    CHECK(error_of(w.bytes()) == "t.gguf: offset 52: unknown value type 13");
  }
  SECTION("arrays nested too deep") {
    GgufWriter w;
    std::vector<std::uint8_t> raw;
    GgufWriter::put_str(raw, "deep");
    for (int level = 0; level < 12; ++level) {
      GgufWriter::append(raw, std::uint32_t{9});  // array
      if (level < 11) {
        GgufWriter::append(raw, std::uint32_t{9});  // of arrays
        GgufWriter::append(raw, std::uint64_t{1});
      }
    }
    raw.resize(raw.size() + 64, 0);
    w.kv_raw(raw);
    CHECK_THAT(error_of(w.bytes()), Catch::Contains("arrays nested deeper than 8 levels"));
  }
  SECTION("a huge array of numbers") {
    GgufWriter w;
    std::vector<std::uint8_t> raw;
    GgufWriter::put_str(raw, "big");
    GgufWriter::append(raw, std::uint32_t{9});
    GgufWriter::append(raw, std::uint32_t{10});  // uint64 elements
    GgufWriter::append(raw, std::uint64_t{1} << 60);
    w.kv_raw(raw);
    CHECK_THAT(error_of(w.bytes()), Catch::Contains("array of 1152921504606846976 uint64 values is larger than the"));
  }
  SECTION("tensor table problems") {
    GgufWriter w = tiny_llama();
    w.tensor("five", {1, 1, 1, 1, 1}, kF32, 4);
    CHECK_THAT(error_of(w.bytes()), Catch::Contains("tensor \"five\" has 5 dimensions (1 to 4 allowed)"));
    GgufWriter z = tiny_llama();
    z.tensor("zero", {64, 0}, kF32, 0);
    CHECK_THAT(error_of(z.bytes()), Catch::Contains("tensor \"zero\" has a zero dimension"));
    GgufWriter t = tiny_llama();
    t.tensor("weird", {64}, 99, 256);
    CHECK(error_of(t.bytes()) == "t.gguf: tensor weird: ggml type 99 is unknown to llmsize's catalog (tensor_types)");
    GgufWriter d = tiny_llama();
    d.tensor("output.weight", {64}, kF32, 256);
    CHECK_THAT(error_of(d.bytes()), Catch::Contains("duplicate tensor \"output.weight\""));
    GgufWriter r = tiny_llama();
    r.tensor("blk.0.odd.weight", {48, 2}, kQ8_0, 102);
    CHECK(error_of(r.bytes()) == "t.gguf: tensor blk.0.odd.weight: row of 48 values is not a whole number of q8-0 blocks (32)");
    GgufWriter l = tiny_llama();
    l.tensor("blk.7.attn_q.weight", {64}, kF32, 256);
    CHECK(error_of(l.bytes()) == "t.gguf: tensor blk.7.attn_q.weight: layer 7 is beyond llama.block_count = 2");
  }
  SECTION("tensor data past the end of the file") {
    const std::vector<std::uint8_t> b(good.begin(), good.end() - 1);
    CHECK_THAT(error_of(b), Catch::StartsWith("t.gguf: tensor output.weight: its 17408 bytes at data offset"));
    CHECK_THAT(error_of(b), Catch::EndsWith("the file is truncated or corrupt"));
  }
  SECTION("missing and absurd hyperparameters") {
    GgufWriter w;
    w.kv_str("general.architecture", "llama");
    w.kv_u32("llama.embedding_length", 64);
    w.tensor("x.weight", {64}, kF32, 256);
    CHECK(error_of(w.bytes()) == "t.gguf: llama.block_count: missing (required to size the model)");
    GgufWriter zero = w;
    zero.kv_u32("llama.block_count", 0);
    CHECK(error_of(zero.bytes()) == "t.gguf: llama.block_count: 0 is outside the plausible range 1..4096");
    GgufWriter heads = w;
    heads.kv_u32("llama.block_count", 1);
    heads.kv_u64("llama.attention.head_count", u64{1} << 40);
    CHECK(error_of(heads.bytes()) == "t.gguf: llama.attention.head_count: 1099511627776 is outside the plausible range 0..65536");
    GgufWriter text = w;
    text.kv_str("llama.block_count", "32");
    CHECK(error_of(text.bytes()) == "t.gguf: llama.block_count: expected a non-negative integer, found string");
    GgufWriter arch;
    arch.tensor("x.weight", {64}, kF32, 256);
    CHECK(error_of(arch.bytes()) == "t.gguf: general.architecture: missing (every GGUF model names its architecture)");
  }
}

TEST_CASE("GGUF: every truncation and every single-byte change is handled", "[gguf]") {
  // Not a fuzzer (tests/fuzz has one), but every prefix and a byte flip at every offset of a
  // small file must give a model or a ModelFileError: no crash, no other exception.
  const std::vector<std::uint8_t> good = tiny_llama().bytes();
  const std::size_t header = tiny_llama().header().size();
  std::size_t errors = 0;
  for (std::size_t n = 0; n < good.size(); n += (n < header ? 1 : 997)) {
    const std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_NOTHROW(errors += error_of(cut) != "(no error)" ? 1 : 0);
  }
  // Every strict prefix is missing some tensor data, so each must be refused.
  CHECK(errors == header + (good.size() - header + 996) / 997);
  for (std::size_t i = 0; i < header; ++i) {
    for (std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
      auto b = good;
      b[i] ^= flip;
      CHECK_NOTHROW((void)error_of(b));
    }
  }
}

}  // namespace llmsize
