// MTP drafting (llama-server --spec-type draft-mtp): the nextn blocks become loaded, the MTP context adds a KV
// cache of the nextn layers at the model's cells and a compute buffer with the output head. Hand-computed
// worked examples, and the one published measurement of the reservation (ggml-org/llama.cpp#23801).
#include <catch2/catch.hpp>

#include "llmsize/engine/mtp.h"
#include "llmsize/units.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

using llmsize::units::kMiB;

namespace {

// Qwen3.5-27B (Qwen/Qwen3.5-27B config.json text_config, as tests/engine/recent_patterns_test.cpp): 64 layers
// of 5120, 24/4 heads of 256 with the output gate, FFN 17408, gated DeltaNet on 48 layers, one MTP layer.
Model qwen35_27b() {
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
  SsmDims s;
  s.kind = SsmKind::gated_deltanet;
  s.d_inner = 6144;
  s.d_state = 128;
  s.d_conv = 4;
  s.n_groups = 16;
  s.n_heads = 48;
  s.head_dim = 128;
  m.ssm = s;
  std::vector<std::uint32_t> attention;
  for (std::uint32_t il = 3; il < 64; il += 4) attention.push_back(il);
  m.attention_layers = attention;
  m.nextn_layers = 1;
  return m;
}

}  // namespace

TEST_CASE("Qwen3.5-27B's MTP block adds its weights, one layer of KV and a compute buffer", "[mtp]") {
  const auto types = test::ggml_types();
  const Model m = qwen35_27b();
  const WeightsResult w = weight_bytes(m, test::uniform_quant("f16"), types);
  const MtpMemory r = mtp_memory(m, w, test::f16_kv(types, 8192));
  // Weights: the block's 424,699,392 parameters (the checkpoint's mtp.* tensors), F16 matrices
  // (424,673,280 × 2 B) and F32 vectors (26,112 × 4 B).
  CHECK(r.weights_bytes == 424'673'280ULL * 2 + 26'112ULL * 4);
  CHECK(r.weights_bytes == w.not_loaded_bytes);
  // KV: 8192 cells × 1 layer × (4 heads × 256) × 2 (K and V) × 2 B (f16) = 32 MiB.
  CHECK(r.kv_cache_bytes == 32 * kMiB);
  // Compute (flash attention, -ub 512): 512 × (4 × 248320 + 8 × 5120) B = 529,530,880 B (505 MiB).
  CHECK(r.compute_bytes == 529'530'880ULL);
  // In RAM: the host compute buffer 512 × (4 × 5120 + 4 × 8192) B = 26 MiB and one row of logits.
  CHECK(r.host_compute_bytes == 26 * kMiB);
  CHECK(r.output_bytes == 248'320ULL * 4);
  CHECK(r.total_bytes() == r.weights_bytes + 32 * kMiB + 529'530'880ULL + 26 * kMiB + 248'320ULL * 4);
}

TEST_CASE("the MTP KV cache is linear in context and follows the draft KV type", "[mtp]") {
  const auto types = test::ggml_types();
  const Model m = qwen35_27b();
  CHECK(mtp_kv_bytes(m, test::f16_kv(types, 32768)) == 4 * mtp_kv_bytes(m, test::f16_kv(types, 8192)));
  // Two sequences of 8192: 16,384 cells.
  KvSettings two = test::f16_kv(types, 8192);
  two.runtime.n_sequences = 2;
  CHECK(mtp_kv_bytes(m, two) == 64 * kMiB);
  // -ctkd/-ctvd q8_0: 1024 values = 32 blocks of 34 B per row.
  KvSettings q8 = test::f16_kv(types, 8192);
  q8.type_k = find_type(types, "q8-0");
  q8.type_v = q8.type_k;
  CHECK(mtp_kv_bytes(m, q8) == 8192ULL * 2 * 32 * 34);
}

TEST_CASE("the MTP reservation of Qwen3.6-35B-A3B matches llama-server's 8 + 501 MiB", "[mtp]") {
  // ggml-org/llama.cpp#23801 (RTX 3090 Ti, unsloth Qwen3.6-35B-A3B-MTP UD-Q4_K_M, --ctx-size 4096,
  // --flash-attn on, default -ub 512): "[spec] adding 509.00 MiB to fit_params_target", 8 MiB of context and
  // 501 MiB of compute. Qwen3.6-35B-A3B: 2048 wide, 2 KV heads of 256, vocabulary 248,320 (data/models-d.json).
  Model m;
  m.n_layers = 40;
  m.hidden_size = 2048;
  m.n_heads = 16;
  m.n_kv_heads = 2;
  m.head_dim = 256;
  m.vocab_size = 248320;
  m.nextn_layers = 1;
  const auto types = test::ggml_types();
  const MtpMemory r = mtp_memory(m, WeightsResult{}, test::f16_kv(types, 4096));
  // 4096 cells × (2 × 256) × 2 × 2 B = 8 MiB exactly.
  CHECK(r.kv_cache_bytes == 8 * kMiB);
  // 512 × (4 × 248320 + 8 × 2048) B = 516,947,968 B = 493.0 MiB: 1.6% under the measured 501 MiB.
  CHECK(r.compute_bytes == 516'947'968ULL);
  CHECK(static_cast<double>(r.compute_bytes) == Approx(501.0 * kMiB).epsilon(0.02));
}

TEST_CASE("a drafted token reads the MTP block and the shared output head", "[mtp]") {
  const auto types = test::ggml_types();
  const Model m = qwen35_27b();
  const WeightsResult w = weight_bytes(m, test::uniform_quant("f16"), types);
  // Dense block: all of it, plus output.weight (248320 × 5120 × 2 B) and output_norm (5120 × 4 B).
  CHECK(mtp_read_bytes_per_token(m, w) == Approx(static_cast<double>(w.not_loaded_bytes + w.output_bytes)));
  CHECK(w.output_bytes == 248'320ULL * 5120 * 2 + 5120 * 4);
  // A model without nextn blocks has no MTP memory.
  Model plain = m;
  plain.nextn_layers = 0;
  const MtpMemory none = mtp_memory(plain, weight_bytes(plain, test::uniform_quant("f16"), types), test::f16_kv(types, 8192));
  CHECK(none.total_bytes() == 0);
}
