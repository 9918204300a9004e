#include <catch2/catch.hpp>

#include "llmsize/engine/buffers.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::units::kMiB;

TEST_CASE("compute buffer with flash attention matches llama.cpp's CPU log lines", "[buffers]") {
  // Oracle (llama.cpp 0.5.0, CPU, n_ubatch 512): Llama-3.1-8B 266.5 MiB, Llama-3.2-1B 258.5 MiB.
  // 512 × (4 × 128256 + 8 × 4096) = 279,445,504 B = 266.5 MiB.
  const RuntimeSettings s;
  CHECK(compute_buffer_bytes(test::llama_3_1_8b(), s, 8192) == 266 * kMiB + kMiB / 2);
  CHECK(compute_buffer_bytes(test::llama_3_2_1b(), s, 8192) == 258 * kMiB + kMiB / 2);
  // At 65536 cells the logits term still dominates: 6 × 65536 + 16 × 4096 < 4 × 128256 + 8 × 4096.
  CHECK(compute_buffer_bytes(test::llama_3_1_8b(), s, 65536) == 266 * kMiB + kMiB / 2);
  // Past about 2/3 of the vocabulary in cells the KQ mask wins (a published ROCm log, tests in
  // gpu_buffers_test.cpp): 512 × (6 × 131072 + 8 × 4096 + 8 × 32 × 128) = 416 MiB.
  CHECK(compute_buffer_bytes(test::llama_3_1_8b(), s, 131072) == 416 * kMiB);
}

TEST_CASE("compute buffer without flash attention grows with context", "[buffers]") {
  // Oracle, Llama-3.2-1B Q4_0, -fa off: 286.0 MiB at 4096 and 1078.0 MiB at 16384 (within 1%).
  const RuntimeSettings s{.flash_attention = false};
  CHECK(static_cast<double>(compute_buffer_bytes(test::llama_3_2_1b(), s, 4096)) == Approx(286.0 * kMiB).epsilon(0.01));
  CHECK(static_cast<double>(compute_buffer_bytes(test::llama_3_2_1b(), s, 16384)) == Approx(1078.0 * kMiB).epsilon(0.01));
}

TEST_CASE("output buffer is one row of f32 logits per sequence", "[buffers]") {
  CHECK(output_buffer_bytes(test::llama_3_1_8b(), 1) == 128256ULL * 4);
  CHECK(output_buffer_bytes(test::llama_3_1_8b(), 4) == 4ULL * 128256 * 4);
}
