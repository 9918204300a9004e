// Worked examples for the 2025-2026 architecture patterns on models built in code: gated attention,
// tensor groups shipped in a native type, DeepSeek sparse attention's indexer and its key cache, and MTP
// (nextn) blocks that the file holds but llama.cpp never loads. Sources in docs/formulas.md.
#include <catch2/catch.hpp>

#include "llmsize/engine/kv.h"
#include "llmsize/engine/weights.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

// https://huggingface.co/openai/gpt-oss-20b/blob/main/config.json (data/models-b.json): 24 layers of 2880,
// 64 query heads and 8 KV heads of 64, 32 experts of 2880 with biases, untied vocabulary 201088.
Model gpt_oss_20b(bool native_experts) {
  Model m;
  m.meta.id = "gpt-oss-20b";
  m.n_layers = 24;
  m.hidden_size = 2880;
  m.n_heads = 64;
  m.n_kv_heads = 8;
  m.head_dim = 64;
  m.ffn_size = 2880;
  m.vocab_size = 201088;
  m.attention_bias = true;
  m.attention_output_bias = true;
  MoeDims e;
  e.n_experts = 32;
  e.n_active_experts = 4;
  e.expert_ffn_size = 2880;
  e.expert_bias = true;
  m.moe = e;
  if (native_experts) m.native_types.push_back({{"ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"}, "mxfp4"});
  return m;
}

std::vector<TensorType> types_with_mxfp4() {
  std::vector<TensorType> types = test::ggml_types();
  types.push_back(test::ggml("mxfp4", 32, 17, 39, false, "f16", true));
  return types;
}

Quant gguf_f16() {
  Quant q = test::uniform_quant("f16");
  q.keeps_native_types = true;
  return q;
}

// DeepSeek-V3 (test_models.h) with the DeepSeek-V3.2 lightning indexer: index_n_heads 64, index_head_dim
// 128, index_topk 2048 (DeepseekV32Config).
Model deepseek_v32() {
  Model m = test::deepseek_v3();
  m.indexer = IndexerDims{64, 128, 2048};
  return m;
}

// Gated DeltaNet as Qwen3-Next / Qwen3.5 configure it: key and value heads of 128, conv kernel 4.
SsmDims gated_deltanet(std::uint32_t d_inner, std::uint32_t key_heads, std::uint32_t value_heads) {
  SsmDims s;
  s.kind = SsmKind::gated_deltanet;
  s.d_inner = d_inner;
  s.d_state = 128;
  s.d_conv = 4;
  s.n_groups = key_heads;
  s.n_heads = value_heads;
  s.head_dim = 128;
  return s;
}

}  // namespace

TEST_CASE("gated attention doubles attn_q: Qwen3-Next-80B-A3B's 12 attention layers", "[weights][recent]") {
  // llama.cpp src/models/qwen3next.cpp: create_tensor_qkv(layer, i, n_embd, n_embd_head_k * n_head * 2, ...).
  // The gate adds 12 layers × 2048 × (16 × 256) = 100,663,296 parameters.
  Model m;
  m.n_layers = 48;
  m.hidden_size = 2048;
  m.n_heads = 16;
  m.n_kv_heads = 2;
  m.head_dim = 256;
  m.vocab_size = 151936;
  m.qk_norm = true;
  MoeDims e;
  e.n_experts = 512;
  e.n_active_experts = 10;
  e.expert_ffn_size = 512;
  e.n_shared_experts = 1;
  e.shared_expert_ffn_size = 512;
  e.shared_expert_gate = true;  // ffn_gate_inp_shexp {2048} per layer: 48 × 2048 = 98,304
  m.moe = e;
  m.ssm = gated_deltanet(4096, 16, 32);
  m.attention_layers = std::vector<std::uint32_t>{3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47};
  const std::uint64_t plain = count_params(m).total;
  m.attention_output_gate = true;
  const std::uint64_t gated = count_params(m).total;
  CHECK(gated - plain == 12ULL * 2048 * 16 * 256);
  // The published exact count (data/models-b.json, from the checkpoint's tensor shapes).
  CHECK(gated == 79'674'391'296ULL);
}

TEST_CASE("native MXFP4 experts keep their type under every GGUF recipe", "[weights][recent][native]") {
  const auto types = types_with_mxfp4();
  // Experts: 24 layers × 3 tensors × 2880 × 2880 × 32 = 19,110,297,600 weights; MXFP4 stores 17 B per 32.
  constexpr std::uint64_t kExpertWeights = 24ULL * 3 * 2880 * 2880 * 32;
  const WeightsResult native = weight_bytes(gpt_oss_20b(true), gguf_f16(), types);
  REQUIRE(native.errors.empty());
  CHECK(native.routed_expert_bytes == kExpertWeights / 32 * 17);  // 10,152,345,600 B
  // F16: everything else as the recipe says. Matrices: 2 × 2880 × 201088 (embeddings, output) + 24 ×
  // 2880 × (4096 + 512 + 512) (q, k, v) + 24 × 4096 × 2880 (attn_output) = 1,795,276,800 weights × 2 B;
  // F32: 24 × (2 norms × 2880 + biases 8000 + router 92,160 + expert biases 276,480) + 2880 = 9,180,480
  // values × 4 B. Total 13,779,621,120 B = 13.78 GB.
  CHECK(native.total_bytes == kExpertWeights / 32 * 17 + 1'795'276'800ULL * 2 + 9'180'480ULL * 4);
  // Without the native type the recipe would make the experts F16: the 41.8 GB the issue reports.
  const WeightsResult requantized = weight_bytes(gpt_oss_20b(false), gguf_f16(), types);
  CHECK(requantized.routed_expert_bytes == kExpertWeights * 2);
  // A recipe that does not keep native types (a format made from a dequantized checkpoint) ignores them.
  Quant dequantized = gguf_f16();
  dequantized.keeps_native_types = false;
  CHECK(weight_bytes(gpt_oss_20b(true), dequantized, types).total_bytes == requantized.total_bytes);
}

TEST_CASE("a native type the catalog lacks is reported, not guessed", "[weights][recent][native]") {
  Model m = gpt_oss_20b(false);
  m.native_types.push_back({{"ffn_down_exps"}, "mxfp6"});
  const WeightsResult w = weight_bytes(m, gguf_f16(), types_with_mxfp4());
  REQUIRE_FALSE(w.errors.empty());
  CHECK(w.errors.front() == "unknown tensor type \"mxfp6\"");
}

TEST_CASE("DeepSeek-V3.2's indexer adds 13,959,424 parameters per layer", "[weights][recent][dsa]") {
  // llama_model_deepseek32::load_arch_tensors: indexer.attn_q_b {1536, 64 × 128} = 12,582,912,
  // indexer.attn_k {7168, 128} = 917,504, indexer.proj {7168, 64} = 458,752, indexer.k_norm + bias 2 × 128.
  const ParamCounts v3 = count_params(test::deepseek_v3());
  const ParamCounts v32 = count_params(deepseek_v32());
  CHECK(v32.total - v3.total == 61ULL * 13'959'424);
  CHECK(v32.routed_expert == v3.routed_expert);
}

TEST_CASE("DeepSeek-V3.2 keeps a second cache of indexer keys beside the MLA latent", "[kv][recent][dsa]") {
  const auto types = test::ggml_types();
  // 8192 cells (already a multiple of 256), f16: MLA 61 × 576 × 2 B = 70,272 B per cell, indexer
  // 61 × 128 × 2 B = 15,616 B per cell (llama_kv_cache_dsa: n_head_kv 1, n_embd_head_k 128, no V).
  const KvResult r = kv_cache(deepseek_v32(), test::f16_kv(types, 8192));
  CHECK(r.k_bytes == 8192ULL * 70'272);
  CHECK(r.v_bytes == 0);
  CHECK(r.indexer_bytes == 8192ULL * 15'616);  // 127,926,272 B
  CHECK(r.total_bytes == 8192ULL * (70'272 + 15'616));
  CHECK(r.bytes_per_token_full == 70'272 + 15'616);
  CHECK(r.layer_bytes[0] == 8192ULL * (1152 + 256));
  // Without the indexer the cache is the DeepSeek-V3 one.
  CHECK(kv_cache(test::deepseek_v3(), test::f16_kv(types, 8192)).total_bytes == 8192ULL * 70'272);
  // q8_0 keys: 128 values = 4 blocks of 34 B.
  KvSettings q8 = test::f16_kv(types, 8192);
  q8.type_k = find_type(types, "q8-0");
  CHECK(kv_cache(deepseek_v32(), q8).indexer_bytes == 8192ULL * 61 * 136);
  // A decode step scores every cached key and, the top-k being a mask, reads every MLA row too.
  CHECK(kv_bytes_read_at_depth(deepseek_v32(), test::f16_kv(types, 8192), 1000) == 1000ULL * (70'272 + 15'616));
}

TEST_CASE("MTP blocks are in the file but not loaded, placed or read", "[weights][recent][nextn]") {
  // Qwen3.5-27B (https://huggingface.co/Qwen/Qwen3.5-27B config.json, text_config): 64 layers of 5120,
  // 24/4 heads of 256 with the output gate, FFN 17408, GDN on 48 layers; mtp_num_hidden_layers 1.
  Model m;
  m.n_layers = 64;
  m.hidden_size = 5120;
  m.n_heads = 24;
  m.n_kv_heads = 4;
  m.head_dim = 256;
  m.ffn_size = 17408;
  m.vocab_size = 248320;
  m.qk_norm = true;
  m.attention_output_gate = true;
  m.ssm = gated_deltanet(6144, 16, 48);
  std::vector<std::uint32_t> attention;
  for (std::uint32_t il = 3; il < 64; il += 4) attention.push_back(il);
  m.attention_layers = attention;
  const ParamCounts trunk = count_params(m);
  const WeightsResult trunk_w = weight_bytes(m, test::uniform_quant("f16"), test::ggml_types());
  m.nextn_layers = 1;
  const ParamCounts with_mtp = count_params(m);
  // The MTP block as the checkpoint's mtp.* tensors: attention with the gate (5120 × 12288 + 2 × 5120 × 1024
  // + 6144 × 5120 = 104,857,600), FFN 3 × 5120 × 17408 = 267,386,880, fc 10240 × 5120 = 52,428,800, and
  // norms 5120 × 5 + 2 × 256 = 26,112: 424,699,392, the count data/models-d.json gives.
  CHECK(with_mtp.not_loaded == 424'699'392ULL);
  CHECK(with_mtp.total == trunk.total);
  const WeightsResult w = weight_bytes(m, test::uniform_quant("f16"), test::ggml_types());
  REQUIRE(w.errors.empty());
  // F16 matrices (424,673,280 × 2 B) and F32 vectors (26,112 × 4 B).
  CHECK(w.not_loaded_bytes == 424'673'280ULL * 2 + 26'112ULL * 4);
  CHECK(w.file_bytes() == w.total_bytes + w.not_loaded_bytes);
  // Memory, per-layer placement and the bytes a token reads are the trunk's alone.
  CHECK(w.total_bytes == trunk_w.total_bytes);
  CHECK(w.layer_bytes == trunk_w.layer_bytes);
  CHECK(w.output_bytes == trunk_w.output_bytes);
}

TEST_CASE("llama-quantize's more-bits layers count the MTP blocks", "[weights][recent][nextn]") {
  // llama-quant.cpp: n_ffn_down = n_layer_all (trunk + nextn). With 92 + 1 layers use_more_bits(80, 93) is
  // false (80 < 7 × 93 / 8 = 81 and (80 − 11) % 3 = 0); with 92 alone it is true (80 ≥ 80).
  Model m = test::llama_3_1_8b();
  m.n_layers = 92;
  m.nextn_layers = 1;
  Quant q = test::uniform_quant("q4-k");
  q.rules.push_back({{"ffn_down"}, "q6-k", LayerSelector::more_bits, std::nullopt, std::nullopt});
  const std::vector<TensorType> types = test::ggml_types();  // outlives w: its tensors point into it
  const WeightsResult w = weight_bytes(m, q, types);
  const auto down_type = [&](std::int32_t layer) {
    for (const PlacedTensor& t : w.tensors) {
      if (t.spec.group == "ffn_down" && t.spec.layer == layer) return t.type->meta.id;
    }
    return std::string("none");
  };
  CHECK(down_type(80) == "q4-k");
  CHECK(down_type(81) == "q6-k");
  CHECK(down_type(92) == "q6-k");  // the MTP block itself
}
