#include <catch2/catch.hpp>

#include "llmsize/engine/weights.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

TEST_CASE("Llama-3.1-8B has exactly 8,030,261,248 parameters by its architecture", "[weights]") {
  // embeddings 128256 × 4096 × 2 (untied) = 1,050,673,152
  // per layer: q 16,777,216 + k 4,194,304 + v 4,194,304 + o 16,777,216 + ffn 3 × 4096 × 14336
  //            (176,160,768) + 2 norms × 4096 = 218,112,000; × 32 = 6,979,584,000; output_norm 4096.
  const ParamCounts p = count_params(test::llama_3_1_8b());
  CHECK(p.total == 8'030'261'248ULL);
  CHECK(p.active == p.total);
  CHECK(p.routed_expert == 0);
}

TEST_CASE("DeepSeek-V3 counts 671B parameters and about 37B active", "[weights][moe][mla]") {
  // Published: 671B total, 37B activated (without the MTP module).
  const ParamCounts p = count_params(test::deepseek_v3());
  CHECK(p.total == Approx(671.0e9).epsilon(0.005));
  CHECK(p.active == Approx(37.5e9).epsilon(0.02));
}

TEST_CASE("a uniform Q4_0 file stores 18 bytes per 32 weights, norms in f32", "[weights]") {
  const auto types = test::ggml_types();
  const Model m = test::llama_3_1_8b();
  const WeightsResult w = weight_bytes(m, test::uniform_quant("q4-0"), types);
  REQUIRE(w.errors.empty());
  // 2-D: 8,030,261,248 − 65 × 4096 norm values = 8,029,995,008 weights × 18/32;
  // 1-D: 266,240 values × 4 B.
  const std::uint64_t matrices = 8'029'995'008ULL / 32 * 18;
  CHECK(w.total_bytes == matrices + 266'240ULL * 4);
  CHECK(w.token_embd_bytes == 128256ULL * 4096 / 32 * 18);
  CHECK(w.layer_bytes.size() == 32);
}

TEST_CASE("K-quants fall back when a row is not a multiple of 256", "[weights]") {
  // Qwen2.5-0.5B: n_embd 896 = 3.5 blocks of 256, so Q4_K falls back to Q5_0 (llama-quantize).
  const auto types = test::ggml_types();
  Model m = test::llama_3_1_8b();
  m.hidden_size = 896;
  m.n_heads = 14;
  m.n_kv_heads = 2;
  m.head_dim = 64;
  m.ffn_size = 4864;
  m.n_layers = 1;
  const WeightsResult w = weight_bytes(m, test::uniform_quant("q4-k"), types);
  for (const PlacedTensor& t : w.tensors) {
    if (t.spec.is_vector) continue;
    if (t.spec.row_length % 256 == 0) {
      CHECK(t.type->meta.id == "q4-k");
    } else {
      CHECK(t.type->meta.id == "q5-0");
    }
  }
}

TEST_CASE("recipe rules: first match wins, more_bits layers, tied embeddings take the output rule", "[weights]") {
  const auto types = test::ggml_types();
  Model m = test::llama_3_2_1b();  // 16 layers, tied embeddings
  Quant q = test::uniform_quant("q4-k");
  q.rules.push_back({{"output"}, "q6-k", LayerSelector::all, std::nullopt, std::nullopt});
  q.rules.push_back({{"attn_v", "ffn_down"}, "q6-k", LayerSelector::more_bits, std::nullopt, std::nullopt});
  const WeightsResult w = weight_bytes(m, q, types);
  // use_more_bits(i, 16): i < 2 || i >= 14 || (i - 2) % 3 == 2 → layers 0, 1, 4, 7, 10, 13, 14, 15.
  std::vector<int> promoted;
  for (const PlacedTensor& t : w.tensors) {
    if (t.spec.group == "token_embd") CHECK(t.type->meta.id == "q6-k");
    if (t.spec.group == "attn_q") CHECK(t.type->meta.id == "q4-k");
    if (t.spec.group == "ffn_down" && t.type->meta.id == "q6-k") promoted.push_back(t.spec.layer);
  }
  CHECK(promoted == std::vector<int>{0, 1, 4, 7, 10, 13, 14, 15});
}

TEST_CASE("routers stay f32 and routed experts are counted per layer", "[weights][moe]") {
  const auto types = test::ggml_types();
  const Model m = test::deepseek_v3();
  const WeightsResult w = weight_bytes(m, test::uniform_quant("q8-0"), types);
  for (const PlacedTensor& t : w.tensors) {
    if (t.spec.group == "ffn_gate_inp") CHECK(t.type->meta.id == "f32");
  }
  CHECK(w.layer_expert_bytes[0] == 0);  // first_k_dense_replace = 3
  // 3 expert tensors × 7168 × 2048 × 256 experts × 34/32 bytes.
  CHECK(w.layer_expert_bytes[3] == 3ULL * 7168 * 2048 * 256 / 32 * 34);
}

TEST_CASE("more bits never give fewer bytes", "[weights][property]") {
  const auto types = test::ggml_types();
  for (const Model& m : {test::llama_3_1_8b(), test::gemma_3_1b(), test::deepseek_v3(), test::granite_4_h_micro()}) {
    std::uint64_t previous = 0;
    for (const char* type : {"q4-0", "q5-0", "q8-0", "f16", "f32"}) {
      const std::uint64_t bytes = weight_bytes(m, test::uniform_quant(type), types).total_bytes;
      CHECK(bytes > previous);
      previous = bytes;
    }
  }
}

TEST_CASE("parts add up to the total", "[weights][property]") {
  const auto types = test::ggml_types();
  const WeightsResult w = weight_bytes(test::deepseek_v3(), test::uniform_quant("q4-k"), types);
  std::uint64_t sum = w.token_embd_bytes + w.output_bytes;
  for (std::uint64_t b : w.layer_bytes) sum += b;
  CHECK(sum == w.total_bytes);
}

TEST_CASE("non-GGUF formats pack groups across the whole tensor", "[weights]") {
  // bitsandbytes NF4 with double quantisation: 16384 weights in 8452 bytes.
  TensorType nf4;
  nf4.meta.id = "bnb-nf4";
  nf4.block_weights = 16384;
  nf4.block_bytes = 8452;
  CHECK(tensor_bytes(nf4, 4096, 4096ULL * 4096) == 4096ULL * 4096 / 16384 * 8452);
  CHECK(tensor_bytes(nf4, 100, 100) == 52);  // ⌈100 × 8452 / 16384⌉
}
