// GGUF files of architectures whose layers differ (llama.cpp's per-layer head_count, head_count_kv
// and feed_forward_length arrays): Nemotron-H, DeciLM, Gemma 4. Files written in code; each KV
// number worked out in the comment above it.
// GCC 12 at -O3 reports false -Warray-bounds / -Wstringop-overread in std::vector::insert inlined
// into GgufWriter::header() for this file's call pattern (the appended 4-byte value is in bounds).
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overread"

#include <catch2/catch.hpp>

#include "gguf_writer.h"
#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/kv.h"
#include "llmsize/modelfile/model_file.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

using modelfile::GgufFile;
using modelfile::ModelFile;
using test::GgufWriter;

constexpr std::uint32_t kF16 = 1;

const catalog::Catalog& cat() {
  static const catalog::Catalog c = catalog::load(catalog::embedded_files(), {}).catalog;
  return c;
}

ModelFile from_bytes(const std::vector<std::uint8_t>& bytes) {
  const auto src = modelfile::memory_source(bytes.data(), bytes.size());
  std::vector<GgufFile> parts;
  parts.push_back(modelfile::read_gguf(*src, "t.gguf"));
  return modelfile::model_from_gguf(std::move(parts), cat().tensor_types);
}

KvResult f16_cache(const Model& m, std::uint64_t ctx) {
  KvSettings s;
  s.type_k = find_type(cat().tensor_types, "f16");
  s.type_v = s.type_k;
  s.context_tokens = ctx;
  return kv_cache(m, s);
}

}  // namespace

TEST_CASE("GGUF: Nemotron-H layers are a Mamba-2 mixer, attention or an MLP, never two", "[gguf][layers]") {
  // llama.cpp load_hparams (LLM_ARCH_NEMOTRON_H): a layer is recurrent iff n_head_kv(il) == 0 and
  // n_ff(il) == 0. Pattern "M-*-": layer 0 Mamba, 1 and 3 MLP, 2 attention.
  GgufWriter w;
  w.kv_str("general.architecture", "nemotron_h");
  w.kv_u32("nemotron_h.block_count", 4);
  w.kv_u32("nemotron_h.context_length", 8192);
  w.kv_u32("nemotron_h.embedding_length", 64);
  w.kv_u32("nemotron_h.attention.head_count", 4);
  w.kv_arr_u32("nemotron_h.attention.head_count_kv", {0, 0, 2, 0});
  w.kv_arr_u32("nemotron_h.feed_forward_length", {0, 96, 0, 96});
  w.kv_u32("nemotron_h.ssm.conv_kernel", 4);
  w.kv_u32("nemotron_h.ssm.inner_size", 128);
  w.kv_u32("nemotron_h.ssm.state_size", 16);
  w.kv_u32("nemotron_h.ssm.group_count", 1);
  w.kv_u32("nemotron_h.ssm.time_step_rank", 8);
  w.kv_u32("nemotron_h.vocab_size", 100);
  w.tensor("token_embd.weight", {64, 100}, kF16, 64 * 100 * 2);
  const ModelFile f = from_bytes(w.bytes());
  const Model& m = f.model;
  REQUIRE(m.layers.size() == 4);
  CHECK(mixer_kind(m, 0) == MixerKind::recurrent);
  CHECK(ffn_kind(m, 0) == FfnKind::none);
  CHECK(mixer_kind(m, 1) == MixerKind::none);
  CHECK(ffn_size(m, 1) == 96);
  CHECK(mixer_kind(m, 2) == MixerKind::attention);
  CHECK(ffn_kind(m, 2) == FfnKind::none);
  CHECK_FALSE(m.ffn_gated);  // ReLU²: up and down only
  // Attention layer 2: 256 cells × (2 × 16 + 2 × 16) × 2 B = 32,768. One Mamba layer (not three, as
  // a reading by KV heads alone would give): (4 − 1) × (128 + 2 × 16) + 16 × 128 = 2528 f32 = 10,112 B.
  const KvResult kv = f16_cache(m, 256);
  CHECK(kv.k_bytes + kv.v_bytes == 32768);
  CHECK(kv.recurrent_bytes == 10112);
  CHECK(kv.layer_bytes[1] == 0);
  CHECK(kv.layer_bytes[3] == 0);
}

TEST_CASE("GGUF: DeciLM blocks without attention, with linear attention or without an FFN", "[gguf][layers]") {
  // llama.cpp LLM_ARCH_DECI: n_head_kv 0 with n_head > 0 is the linear layer (wo only), n_head 0 is
  // attention-free, n_ff 0 has no FFN. Layer 0 attends (4 heads of 16, 2 KV), 1 is FFN-only (96),
  // 2 is linear with no FFN.
  GgufWriter w;
  w.kv_str("general.architecture", "deci");
  w.kv_u32("deci.block_count", 3);
  w.kv_u32("deci.context_length", 8192);
  w.kv_u32("deci.embedding_length", 64);
  w.kv_arr_u32("deci.attention.head_count", {4, 0, 4});
  w.kv_arr_u32("deci.attention.head_count_kv", {2, 0, 0});
  w.kv_arr_u32("deci.feed_forward_length", {128, 96, 0});
  w.kv_u32("deci.attention.key_length", 16);
  w.kv_u32("deci.vocab_size", 100);
  w.tensor("token_embd.weight", {64, 100}, kF16, 64 * 100 * 2);
  const ModelFile f = from_bytes(w.bytes());
  const Model& m = f.model;
  REQUIRE(m.layers.size() == 3);
  CHECK(mixer_kind(m, 0) == MixerKind::attention);
  CHECK(ffn_size(m, 0) == 128);
  CHECK(mixer_kind(m, 1) == MixerKind::none);
  CHECK(ffn_size(m, 1) == 96);
  CHECK(mixer_kind(m, 2) == MixerKind::linear);
  CHECK(ffn_kind(m, 2) == FfnKind::none);
  // Only layer 0 holds cells: 1024 × (2 × 16 + 2 × 16) × 2 B = 131,072.
  const KvResult kv = f16_cache(m, 1024);
  CHECK(kv.total_bytes == 131072);
  CHECK(kv.layer_bytes[0] == 131072);
}

TEST_CASE("GGUF: Gemma 4 sliding and global layers take their own head size and KV heads", "[gguf][layers]") {
  // convert_hf_to_gguf.py Gemma4Model: key_length = global_head_dim (64 here), key_length_swa = head_dim
  // (32), head_count_kv per layer (sliding 4, global 1), sliding_window_pattern one bool per layer,
  // shared_kv_layers. Twelve layers, five sliding then one global, twice; window 1024; layers 6-11
  // share (llama.cpp: n_layer_kv_from_start = 12 − 6, reuse 6 − 2 = 4 when sliding, 6 − 1 = 5 when global).
  const std::vector<bool> sliding = {true, true, true, true, true, false, true, true, true, true, true, false};
  std::vector<std::uint32_t> kv_heads_arr, ffn;
  for (std::size_t il = 0; il < 12; ++il) {
    kv_heads_arr.push_back(sliding[il] ? 4 : 1);
    ffn.push_back(il < 6 ? 256 : 512);  // use_double_wide_mlp on the shared layers
  }
  GgufWriter w;
  w.kv_str("general.architecture", "gemma4");
  w.kv_u32("gemma4.block_count", 12);
  w.kv_u32("gemma4.context_length", 131072);
  w.kv_u32("gemma4.embedding_length", 128);
  w.kv_u32("gemma4.attention.head_count", 8);
  w.kv_arr_u32("gemma4.attention.head_count_kv", kv_heads_arr);
  w.kv_arr_u32("gemma4.feed_forward_length", ffn);
  w.kv_u32("gemma4.attention.key_length", 64);
  w.kv_u32("gemma4.attention.value_length", 64);
  w.kv_u32("gemma4.attention.key_length_swa", 32);
  w.kv_u32("gemma4.attention.value_length_swa", 32);
  w.kv_u32("gemma4.attention.sliding_window", 1024);
  w.kv_arr_bool("gemma4.attention.sliding_window_pattern", sliding);
  w.kv_u32("gemma4.attention.shared_kv_layers", 6);
  w.kv_u32("gemma4.embedding_length_per_layer_input", 16);
  w.kv_u32("gemma4.vocab_size", 100);
  w.tensor("token_embd.weight", {128, 100}, kF16, 128 * 100 * 2);
  const ModelFile f = from_bytes(w.bytes());
  const Model& m = f.model;
  REQUIRE(m.layers.size() == 12);
  CHECK(head_dim_k(m, 0) == 32);
  CHECK(head_dim_k(m, 5) == 64);
  CHECK(kv_heads(m, 5) == 1);
  CHECK(ffn_size(m, 7) == 512);
  CHECK(is_sliding_layer(m, 4));
  CHECK_FALSE(is_sliding_layer(m, 5));
  REQUIRE(m.kv_shared_from_layer);
  CHECK(*m.kv_shared_from_layer == 6);
  CHECK(kv_source_layer(m, 7) == 4);
  CHECK(kv_source_layer(m, 11) == 5);
  REQUIRE(m.per_layer_inputs);
  CHECK(m.per_layer_inputs->size == 16);
  // Owning sliding layers 0-4: 4 KV heads × 32 = 128 values per K and V row, 256 B each in f16, 512 B
  // per cell × min(4096, pad256(1024 + 512)) = 1536 cells: 5 × 786,432 = 3,932,160 B. Global layer 5:
  // 1 × 64 values per row, 256 B per cell × 4096 = 1,048,576 B. Layers 6-11 hold none.
  const KvResult kv = f16_cache(m, 4096);
  CHECK(kv.total_bytes == 5ULL * 512 * 1536 + 256ULL * 4096);
  CHECK(kv.total_bytes == 4980736);
  CHECK(kv.shared_kv_layers == 6);
}

}  // namespace llmsize
