#include <catch2/catch.hpp>

#include "llmsize/engine/kv.h"
#include "llmsize/engine/weights.h"
#include "llmsize/units.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::units::kMiB;

namespace {

struct Types {
  std::vector<TensorType> all = test::ggml_types();
  const TensorType* get(const char* id) const { return find_type(all, id); }
};

KvSettings settings(const Types& t, std::uint64_t ctx, const char* k = "f16", const char* v = "f16") {
  KvSettings s;
  s.context_tokens = ctx;
  s.type_k = t.get(k);
  s.type_v = t.get(v);
  s.type_v_without_flash_attention = t.get("f16");
  return s;
}
}  // namespace

TEST_CASE("Llama-3.1-8B f16 KV at 8192 tokens is 1024 MiB, as llama.cpp reports", "[kv]") {
  // 32 layers × 8192 cells × (8 kv heads × 128) × 2 bytes = 512 MiB each for K and V.
  // Oracle (llama.cpp 0.5.0): "llama_kv_cache: size = 1024.00 MiB, K (f16): 512.00 MiB, V (f16): 512.00 MiB".
  Types t;
  const KvResult r = kv_cache(test::llama_3_1_8b(), settings(t, 8192));
  CHECK(r.k_bytes == 512 * kMiB);
  CHECK(r.v_bytes == 512 * kMiB);
  CHECK(r.total_bytes == 1024 * kMiB);
  CHECK(r.bytes_per_token_full == 131072);  // 128 KiB per token
}

TEST_CASE("q8_0 KV rows are 34 bytes per 32 values", "[kv]") {
  // Row of 1024 values = 32 blocks × 34 B = 1088 B; × 2 (K, V) × 32 layers × 8192 cells = 544 MiB.
  Types t;
  const KvResult r = kv_cache(test::llama_3_1_8b(), settings(t, 8192, "q8-0", "q8-0"));
  CHECK(r.total_bytes == 544 * kMiB);
}

TEST_CASE("a quantized V cache without flash attention stays f16", "[kv]") {
  Types t;
  KvSettings s = settings(t, 8192, "q4-0", "q4-0");
  s.runtime.flash_attention = false;
  const KvResult r = kv_cache(test::llama_3_1_8b(), s);
  CHECK(r.v_kept_f16);
  CHECK(r.v_bytes == 512 * kMiB);            // f16
  CHECK(r.k_bytes == 32ULL * 8192 * 32 * 18);  // q4_0: 32 blocks of 18 B per row
}

TEST_CASE("cells are the context padded to 256, times parallel sequences", "[kv]") {
  Types t;
  KvSettings s = settings(t, 1000);
  CHECK(kv_cache(test::llama_3_1_8b(), s).full_cells == 1024);
  s.context_tokens = 4096;
  s.runtime.n_sequences = 4;
  const KvResult r = kv_cache(test::llama_3_1_8b(), s);
  CHECK(r.full_cells == 16384);
  CHECK(r.total_bytes == 2048 * kMiB);
}

TEST_CASE("Gemma-3-1B sliding-window cache matches llama.cpp at 4096 and 16384", "[kv][swa]") {
  // 26 layers, pattern 6: layers 5, 11, 17, 23 are global (4), 22 are sliding (window 512).
  // Row: 1 kv head × 256 × 2 B = 512 B for K and for V.
  // Oracle (node-llama-cpp, n_ubatch 513): SWA cells = pad256(512 + 513) = 1280;
  // 4 × 4096 × 1024 B + 22 × 1280 × 1024 B = 16 MiB + 27.5 MiB = 43.5 MiB; at 16384: 64 + 27.5 = 91.5 MiB.
  Types t;
  KvSettings s = settings(t, 4096);
  s.runtime.ubatch = 513;
  KvResult r = kv_cache(test::gemma_3_1b(), s);
  CHECK(r.sliding_cells == 1280);
  CHECK(r.total_bytes == 43 * kMiB + kMiB / 2);
  s.context_tokens = 16384;
  r = kv_cache(test::gemma_3_1b(), s);
  CHECK(r.total_bytes == 91 * kMiB + kMiB / 2);
  // llama.cpp's own default n_ubatch 512: pad256(512 + 512) = 1024 cells.
  s.runtime.ubatch = 512;
  CHECK(kv_cache(test::gemma_3_1b(), s).sliding_cells == 1024);
}

TEST_CASE("Gemma-2-2B: 416 MiB at 4096, 663 MiB at 8192 (llama.cpp)", "[kv][swa]") {
  // 13 global + 13 sliding layers (window 4096); row 4 × 256 × 2 B = 2048 B for K and V.
  // 8192: 13 × 8192 × 4096 B + 13 × pad256(4096 + 513) × 4096 B = 416 + 247 = 663 MiB.
  Types t;
  KvSettings s = settings(t, 4096);
  s.runtime.ubatch = 513;
  CHECK(kv_cache(test::gemma_2_2b(), s).total_bytes == 416 * kMiB);
  s.context_tokens = 8192;
  CHECK(kv_cache(test::gemma_2_2b(), s).total_bytes == 663 * kMiB);
  s.swa_full = true;  // --swa-full: every layer keeps the whole context
  CHECK(kv_cache(test::gemma_2_2b(), s).total_bytes == 832 * kMiB);
}

TEST_CASE("DeepSeek-V3 MLA caches 70,272 bytes per token", "[kv][mla]") {
  // 61 layers × (kv_lora_rank 512 + rope 64) × 2 B = 70,272 B; no V rows.
  Types t;
  const KvResult r = kv_cache(test::deepseek_v3(), settings(t, 4096));
  CHECK(r.bytes_per_token_full == 70272);
  CHECK(r.v_bytes == 0);
  CHECK(r.total_bytes == 70272ULL * 4096);
}

TEST_CASE("recurrent layers hold a fixed f32 state that does not grow with context", "[kv][ssm]") {
  // Mamba2 layer: conv (4 - 1) × (4096 + 2 × 1 × 128) = 13,056 values; SSM 128 × 4096 = 524,288 values;
  // (13,056 + 524,288) × 4 B = 2,149,376 B per layer per sequence; 36 recurrent layers.
  // Attention: 4 layers × 8 × 64... head_dim = 2048 / 32 = 64 → row 512 values × 2 B = 1 KiB, K and V.
  Types t;
  const Model m = test::granite_4_h_micro();
  const KvResult small = kv_cache(m, settings(t, 4096));
  const KvResult large = kv_cache(m, settings(t, 65536));
  CHECK(small.recurrent_bytes == 36ULL * 2149376);
  CHECK(large.recurrent_bytes == small.recurrent_bytes);
  CHECK(small.total_bytes - small.recurrent_bytes == 4ULL * 4096 * 2048);
}

TEST_CASE("KV is linear in context for full attention and flat past the window for sliding layers", "[kv][property]") {
  Types t;
  const Model dense = test::llama_3_1_8b();
  Model sliding = test::gemma_3_1b();
  sliding.sliding_window_pattern = 1;  // every layer sliding
  const std::uint64_t per_256 = kv_cache(dense, settings(t, 256)).total_bytes;
  std::uint64_t previous_sliding = 0;
  for (std::uint64_t ctx = 256; ctx <= 32768; ctx *= 2) {
    CHECK(kv_cache(dense, settings(t, ctx)).total_bytes == per_256 * (ctx / 256));
    const std::uint64_t s = kv_cache(sliding, settings(t, ctx)).total_bytes;
    CHECK(s >= previous_sliding);
    if (ctx >= 2048) CHECK(s == previous_sliding);  // window 512 + ubatch 512 = 1024 cells at most
    previous_sliding = s;
  }
}

TEST_CASE("KV read at a depth counts sliding layers only up to the window", "[kv]") {
  Types t;
  const KvSettings s = settings(t, 32768);
  CHECK(kv_bytes_read_at_depth(test::llama_3_1_8b(), s, 1000) == 131072ULL * 1000);
  // Gemma-3-1B: 4 global layers × 1024 B × depth + 22 sliding × 1024 B × min(depth, 512).
  CHECK(kv_bytes_read_at_depth(test::gemma_3_1b(), s, 4000) == 4ULL * 1024 * 4000 + 22ULL * 1024 * 512);
}
