#include <catch2/catch.hpp>

#include "llmsize/engine/speed.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

TEST_CASE("prefill FLOPs per token: matmuls plus causal attention over attention layers only", "[speed]") {
  // Llama-3.1-8B, P = 512: 2 × 8,030,261,248 + 2 × 32 layers × 32 heads × 128 × 512 = 16,194,740,224.
  CHECK(prefill_flops_per_token(test::llama_3_1_8b(), 512) == Approx(16'194'740'224.0));
  // The Granite-4.0-H shape attends in 4 of 40 layers: attention term 2 × 4 × 32 × 64 × 512.
  const Model g = test::granite_4_h_micro();
  CHECK(prefill_flops_per_token(g, 512) - prefill_flops_per_token(g, 0) == Approx(2.0 * 4 * 32 * 64 * 512));
}

TEST_CASE("decode reads every weight but token_embd (untied), and k/E of the routed experts", "[speed][moe]") {
  const auto types = test::ggml_types();
  const Model dense = test::llama_3_1_8b();
  const WeightsResult wd = weight_bytes(dense, test::uniform_quant("q8-0"), types);
  CHECK(decode_weight_bytes_per_token(dense, wd) == Approx(static_cast<double>(wd.total_bytes - wd.token_embd_bytes)));
  const Model moe = test::deepseek_v3();  // 8 of 256 experts
  const WeightsResult wm = weight_bytes(moe, test::uniform_quant("q8-0"), types);
  const double experts = static_cast<double>(wm.routed_expert_bytes);
  const double others = static_cast<double>(wm.total_bytes - wm.token_embd_bytes) - experts;
  CHECK(decode_weight_bytes_per_token(moe, wm) == Approx(others + experts * 8 / 256));
}
