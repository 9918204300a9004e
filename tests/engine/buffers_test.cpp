#include <catch2/catch.hpp>

#include "llmsize/engine/buffers.h"
#include "test_models.h"

using namespace llmsize;
using llmsize::units::kMiB;

TEST_CASE("compute buffer with flash attention matches llama.cpp's CPU log lines", "[buffers]") {
  // Oracle (llama.cpp 0.5.0, CPU, n_ubatch 512): Llama-3.1-8B 266.5 MiB, Llama-3.2-1B 258.5 MiB.
  // 512 × (4 × 128256 + 8 × 4096) = 279,445,504 B = 266.5 MiB.
  ComputeSettings s;
  s.context_cells = 8192;
  CHECK(compute_buffer_bytes(test::llama_3_1_8b(), s) == 266 * kMiB + kMiB / 2);
  CHECK(compute_buffer_bytes(test::llama_3_2_1b(), s) == 258 * kMiB + kMiB / 2);
  s.context_cells = 65536;  // the logits term still dominates: 6 × 65536 + 16 × 4096 < 4 × 128256 + 8 × 4096
  CHECK(compute_buffer_bytes(test::llama_3_1_8b(), s) == 266 * kMiB + kMiB / 2);
  // Past about 2/3 of the vocabulary in cells the KQ mask wins (a published ROCm log, tests in
  // gpu_buffers_test.cpp): 512 × (6 × 131072 + 8 × 4096 + 8 × 32 × 128) = 416 MiB.
  s.context_cells = 131072;
  CHECK(compute_buffer_bytes(test::llama_3_1_8b(), s) == 416 * kMiB);
}

TEST_CASE("compute buffer without flash attention grows with context", "[buffers]") {
  // Oracle, Llama-3.2-1B Q4_0, -fa off: 286.0 MiB at 4096 and 1078.0 MiB at 16384 (within 1%).
  ComputeSettings s;
  s.flash_attention = false;
  s.context_cells = 4096;
  CHECK(static_cast<double>(compute_buffer_bytes(test::llama_3_2_1b(), s)) == Approx(286.0 * kMiB).epsilon(0.01));
  s.context_cells = 16384;
  CHECK(static_cast<double>(compute_buffer_bytes(test::llama_3_2_1b(), s)) == Approx(1078.0 * kMiB).epsilon(0.01));
}

TEST_CASE("output buffer is one row of f32 logits per sequence", "[buffers]") {
  CHECK(output_buffer_bytes(test::llama_3_1_8b(), 1) == 128256ULL * 4);
  CHECK(output_buffer_bytes(test::llama_3_1_8b(), 4) == 4ULL * 128256 * 4);
}
