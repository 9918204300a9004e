// llama.cpp's CPU flash attention over a filled cache (cpu_attention.h), worked by hand.
#include <catch2/catch.hpp>

#include "llmsize/engine/cpu_attention.h"
#include "llmsize/engine/speed.h"
#include "test_models.h"

using namespace llmsize;
using namespace llmsize::engine;

namespace {

KvSettings q8_kv(const std::vector<TensorType>& types) {
  KvSettings s;
  s.type_k = find_type(types, "q8-0");
  s.type_v = s.type_k;
  return s;
}

}  // namespace

TEST_CASE("CPU flash attention: each query head walks the whole cache on one thread", "[speed][cpu]") {
  const auto types = test::ggml_types();
  const Model m = test::llama_3_1_8b();  // 32 layers, 32 query heads, head size 128
  const KvSettings kv = q8_kv(types);
  // 15,872 tokens filled + 64 (the mean of tg128): 15,936 cells. 32 threads: one head each,
  // 32 layers × 15,936 × (2·128 + 2·128) = 261,095,424 FLOPs for the busiest thread.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 15936, 32) == Approx(261095424.0));
  // 16 threads (a Ryzen 9 7950X): two heads each, twice the work.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 15936, 16) == Approx(522190848.0));
  // 48 threads: still one head for the busiest thread; 16 threads idle.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 15936, 48) == Approx(261095424.0));
  // Threadripper PRO 5975WX, one thread's peak 32 FLOP/cycle × 3.6 GHz = 115.2 GFLOP/s:
  // 261,095,424 / (115.2e9 × 0.028) = 0.080945 s (measured, PR #332: 1/6.49 − 1/16.96 = 0.0951 s).
  CHECK(cpu_flash_decode_seconds(m, kv, 15936, 32, 115.2e9) == Approx(0.080945).epsilon(1e-4));
}

TEST_CASE("CPU flash attention: an f16 cache is split across the cache, every thread working", "[speed][cpu]") {
  const auto types = test::ggml_types();
  const Model m = test::llama_3_1_8b();
  const KvSettings kv = test::f16_kv(types, 16384);
  // llama.cpp PR #19209: 32 heads × 15,936 cells / 48 threads × 512 = 174,063,616 FLOPs per thread.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 15936, 48) == Approx(174063616.0));
  // Below 512 cells, and for several sequences at once, the split stays by head.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 256, 48) == Approx(32.0 * 256 * 512));
  // 2 sequences: 64 query rows over 48 threads, two for the busiest: 32 × 2 × 15,936 × 512.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 15936, 48, 2) == Approx(522190848.0));
}

TEST_CASE("CPU flash attention under ik_llama.cpp: the work divides over every thread, at its own share",
          "[speed][cpu]") {
  const auto types = test::ggml_types();
  const Model m = test::llama_3_1_8b();
  const KvSettings kv = q8_kv(types);
  // A Q8_0 cache, 4,096 cells, 24 threads (a Threadripper PRO 7965WX). llama.cpp: ceil(32 / 24) = 2 heads for
  // the busiest thread, 32 × 2 × 4,096 × 512 = 134,217,728 FLOPs. ik_llama.cpp deals (KV head, cache chunk)
  // pieces to every thread: 32 × 32 / 24 × 4,096 × 512 = 89,478,485.3.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 4096, 24) == Approx(134217728.0));
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 4096, 24, 1, Engine::ik_llama_cpp) == Approx(89478485.33));
  // One thread's peak 32 FLOP/cycle × 4.2 GHz = 134.4 GFLOP/s: llama.cpp 134,217,728 / (134.4e9 × 0.028) =
  // 0.035666 s; ik_llama.cpp 89,478,485.3 / (134.4e9 × 0.184) = 0.0036183 s.
  CHECK(cpu_flash_decode_seconds(m, kv, 4096, 24, 134.4e9) == Approx(0.035666).epsilon(1e-4));
  CHECK(cpu_flash_decode_seconds(m, kv, 4096, 24, 134.4e9, 1, Engine::ik_llama_cpp) == Approx(0.0036183).epsilon(1e-4));
  // Several sequences keep llama.cpp's split by head under both.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 4096, 24, 2, Engine::ik_llama_cpp) ==
        Approx(cpu_flash_decode_flops_per_thread(m, kv, 4096, 24, 2)));
}

TEST_CASE("CPU flash attention: a sliding-window layer sees at most its window", "[speed][cpu]") {
  const auto types = test::ggml_types();
  const Model m = test::gemma_3_1b();  // 26 layers, every 6th global (4), 22 of window 512; 4 heads of 256
  const KvSettings kv = q8_kv(types);
  // 4 threads, one head each: 4 × 4,096 × 1,024 + 22 × 512 × 1,024 = 16,777,216 + 11,534,336.
  CHECK(cpu_flash_decode_flops_per_thread(m, kv, 4096, 4) == Approx(28311552.0));
  KvSettings full = kv;
  full.swa_full = true;  // --swa-full: every layer keeps the whole context
  CHECK(cpu_flash_decode_flops_per_thread(m, full, 4096, 4) == Approx(26.0 * 4096 * 1024));
}

TEST_CASE("CPU flash attention: none without flash attention, and none modelled for MLA", "[speed][cpu]") {
  const auto types = test::ggml_types();
  KvSettings kv = q8_kv(types);
  kv.runtime.flash_attention = false;
  CHECK(cpu_flash_decode_flops_per_thread(test::llama_3_1_8b(), kv, 8192, 16) == 0);
  CHECK(cpu_flash_decode_flops_per_thread(test::deepseek_v3(), q8_kv(types), 8192, 16) == 0);
  CHECK(cpu_flash_decode_seconds(test::llama_3_1_8b(), q8_kv(types), 8192, 16, 0) == 0);
}

TEST_CASE("CPU flash attention on a prompt: every query head over depth + P / 2 cells, the first 512 cached",
          "[speed][cpu][prefill]") {
  // Llama 3.1 8B, P = 512 after D = 4096: each token sees 4,096 + 256 = 4,352 cells; past the 512 cached
  // ones (kCpuFlashCachedCells), 32 layers × 32 heads × 3,840 cells × (2·128 + 2·128) FLOPs.
  const Model llama = test::llama_3_1_8b();
  const LayerSummary layers = summarize_layers(llama);
  CHECK(cpu_flash_prefill_flops_per_token(llama, layers, 512, 4096) == Approx(32.0 * 32 * 3840 * 512));
  // Those FLOPs weigh 1 / 0.06 instead of the matrix-product 1 / 0.25 in the prompt work.
  const double plain = prefill_work_per_token(llama, Backend::cpu, 512, 4096);
  const double flash = prefill_work_per_token(llama, Backend::cpu, 512, 4096, {.cpu_flash_attention = true});
  CHECK(flash - plain == Approx(32.0 * 32 * 3840 * 512 * (1 / kCpuFlashPrefillEfficiency - 1 / kCpuAttentionEfficiency)));
  // At depth 0 a 512-token prompt's 256 cells stay cached: the work is the matrix-product one, as measured
  // (-fa 1 and -fa 0 alike), and so are a GPU's (its flash attention is in kGpuAttentionEfficiency).
  CHECK(prefill_work_per_token(llama, Backend::cpu, 512, 0, {.cpu_flash_attention = true}) == prefill_work_per_token(llama, Backend::cpu, 512, 0));
  CHECK(prefill_work_per_token(llama, Backend::cuda, 512, 4096, {.cpu_flash_attention = true}) == prefill_work_per_token(llama, Backend::cuda, 512, 4096));
  // Gemma 3 1B after D = 4096: its 4 global layers see 4,352 cells (3,840 past the cached ones), its 22
  // sliding ones their 512-cell window (none past); 4 heads of 256 (2·256 + 2·256 = 1,024 FLOPs a pair).
  const Model gemma = test::gemma_3_1b();
  CHECK(cpu_flash_prefill_flops_per_token(gemma, summarize_layers(gemma), 512, 4096) == Approx(4.0 * 3840 * 4 * 1024));
  // MLA: none (its prompt attention stays the matrix-product term).
  const Model ds = test::deepseek_v3();
  CHECK(cpu_flash_prefill_flops_per_token(ds, summarize_layers(ds), 512, 4096) == 0);
}
