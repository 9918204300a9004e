// Layers grouped by shape (layer_summary.h): the grouping worked by hand, and the grouped sums of the
// speed model equal the per-layer sums they replaced (the reference loops below are those formulas as
// they stood before the summary, kept here verbatim).
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "llmsize/engine/cpu_attention.h"
#include "llmsize/engine/layer_summary.h"
#include "llmsize/engine/speed.h"
#include "test_models.h"
#include "test_models_layers.h"

using namespace llmsize;
using namespace llmsize::engine;

namespace {

// A Gemma 4 shape in miniature: five sliding layers of 16 query / 8 KV heads of 256, then a full one of
// 16 / 2 heads of 512 (LayerShape per layer, as the catalog gives Gemma 4), twice.
Model mixed_heads() {
  Model m = test::gemma_3_1b();
  m.n_layers = 12;
  m.n_heads = 16;
  m.n_kv_heads = 8;
  m.sliding_window = 1024;
  const LayerShape sliding{.mixer = MixerKind::attention, .ffn = FfnKind::dense, .n_kv_heads = 8, .head_dim = 256,
                           .sliding = true};
  const LayerShape full{.mixer = MixerKind::attention, .ffn = FfnKind::dense, .n_kv_heads = 2, .head_dim = 512,
                        .sliding = false};
  for (int i = 0; i < 2; ++i) {
    for (int s = 0; s < 5; ++s) m.layers.push_back(sliding);
    m.layers.push_back(full);
  }
  return m;
}

std::vector<Model> models() {
  return {test::llama_3_1_8b(),       test::gemma_3_1b(),         test::gemma_2_2b(),
          test::gemma_3n_e2b(),       test::deepseek_v3(),        test::granite_4_h_micro(),
          test::rwkv7_191m(),         test::nemotron_super_49b(), test::nemotron_nano_9b_v2(),
          test::nemotron_3_nano_30b_a3b(), mixed_heads()};
}

// The per-layer formulas the summary replaced.
std::uint64_t reference_kv_bytes_read(const Model& m, const KvSettings& s, std::uint64_t depth) {
  if (s.type_k == nullptr || s.type_v == nullptr) return 0;
  const bool kept_f16 = !s.runtime.flash_attention && s.type_v->block_weights > 1 && s.type_v_without_flash_attention;
  const TensorType& type_v = kept_f16 ? *s.type_v_without_flash_attention : *s.type_v;
  const std::uint64_t indexer = m.indexer ? kv_row_bytes(*s.type_k, m.indexer->head_dim) : 0;
  const std::uint64_t recurrent = m.ssm ? kv_cache(m, s).recurrent_bytes / std::max<std::uint64_t>(s.runtime.n_sequences, 1)
                                        : 0;  // every recurrent layer's state, one sequence
  std::uint64_t total = recurrent;
  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    if (is_recurrent_layer(m, layer) || !is_attention_layer(m, layer)) continue;
    std::uint64_t cells = depth;
    if (is_sliding_layer(m, layer) && !s.swa_full) cells = std::min<std::uint64_t>(cells, *m.sliding_window);
    const KvRowElements e = kv_row_elements(m, kv_source_layer(m, layer));
    total += (kv_row_bytes(*s.type_k, e.k) + (e.v == 0 ? 0 : kv_row_bytes(type_v, e.v)) + indexer) * cells;
  }
  return total;
}

double reference_flash_flops(const Model& m, const KvSettings& kv, std::uint64_t cells, std::uint32_t threads,
                             std::uint32_t queries) {
  if (!kv.runtime.flash_attention || kv.type_k == nullptr || kv.type_v == nullptr || threads == 0 || m.mla) return 0;
  const bool unquantized = kv.type_k == kv.type_v && kv.type_k->ggml_type && *kv.type_k->ggml_type <= 1;
  const bool split_cache = queries == 1 && cells >= kCpuSplitKvMinCells && unquantized;
  double flops = 0;
  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    if (!is_attention_layer(m, layer)) continue;
    std::uint64_t seen = cells;
    if (is_sliding_layer(m, layer) && !kv.swa_full) seen = std::min<std::uint64_t>(seen, *m.sliding_window);
    const double rows = static_cast<double>(queries) * n_heads(m, layer);
    const double per_thread = split_cache ? rows * static_cast<double>(seen) / threads
                                          : std::ceil(rows / threads) * static_cast<double>(seen);
    flops += per_thread * (2.0 * head_dim_k(m, layer) + 2.0 * head_dim_v(m, layer));
  }
  return flops;
}

// A prompt token's attention FLOPs layer by layer: n_head × (2·DK + 2·DV) × the cells it sees (MLA absorbed:
// DK = kv_lora_rank + rope, DV = kv_lora_rank); a sliding layer sees min(W, D + i) averaged over the prompt.
double reference_attention_flops(const Model& m, double prompt, double depth, bool swa_full = false) {
  double flops = 0;
  for (std::uint32_t l = 0; l < m.n_layers; ++l) {
    if (!is_attention_layer(m, l)) continue;
    const double pair = m.mla ? 2.0 * (m.mla->kv_lora_rank + m.mla->qk_rope_head_dim) + 2.0 * m.mla->kv_lora_rank
                              : 2.0 * head_dim_k(m, l) + 2.0 * head_dim_v(m, l);
    const bool windowed = is_sliding_layer(m, l) && !swa_full;
    const double seen = windowed ? mean_cells_seen(prompt, depth, static_cast<double>(*m.sliding_window)) : depth + prompt / 2;
    flops += static_cast<double>(n_heads(m, l)) * pair * seen;
  }
  return flops;
}

std::vector<KvSettings> kv_settings(const std::vector<TensorType>& types) {
  KvSettings f16 = test::f16_kv(types, 8192);
  KvSettings q8 = f16;
  q8.type_k = find_type(types, "q8-0");
  q8.type_v = q8.type_k;
  KvSettings q4_v_without_fa = f16;  // V kept in f16: quantized V needs flash attention
  q4_v_without_fa.type_k = find_type(types, "q8-0");
  q4_v_without_fa.type_v = find_type(types, "q4-0");
  q4_v_without_fa.type_v_without_flash_attention = find_type(types, "f16");
  q4_v_without_fa.runtime.flash_attention = false;
  KvSettings swa_full = f16;
  swa_full.swa_full = true;
  return {f16, q8, q4_v_without_fa, swa_full};
}

}  // namespace

TEST_CASE("summarize_layers: one group for alike layers, one per shape otherwise", "[kv][speed]") {
  // Llama 3.1 8B: 32 alike layers, 32 query heads and 8 KV heads of 128: rows of 8 × 128 = 1,024 values.
  const LayerSummary llama = summarize_layers(test::llama_3_1_8b());
  REQUIRE(llama.attention.size() == 1);
  CHECK(llama.attention[0] == AttentionGroup{32, 32, 128, 128, 1024, 1024, false});
  CHECK(llama.recurrent_layers == 0);
  // Gemma 3 1B: every 6th layer global (5, 11, 17, 23: 4), 22 sliding; layer 0 slides, so its group is first.
  const LayerSummary gemma = summarize_layers(test::gemma_3_1b());
  REQUIRE(gemma.attention.size() == 2);
  CHECK(gemma.attention[0] == AttentionGroup{22, 4, 256, 256, 256, 256, true});
  CHECK(gemma.attention[1] == AttentionGroup{4, 4, 256, 256, 256, 256, false});
  // Gemma 3n E2B: layers 4, 9, ..., 29 full (6), 24 sliding; the shared layers 20..29 read the rows of
  // layers 18 and 19, of the same size (2 KV heads × 256).
  const LayerSummary gemma_3n = summarize_layers(test::gemma_3n_e2b());
  REQUIRE(gemma_3n.attention.size() == 2);
  CHECK(gemma_3n.attention[0] == AttentionGroup{24, 8, 256, 256, 512, 512, true});
  CHECK(gemma_3n.attention[1] == AttentionGroup{6, 8, 256, 256, 512, 512, false});
  // DeepSeek-V3 (MLA): one latent row of 512 + 64 values, no V; the test record sets no head_dim, so the
  // head size is 7,168 / 128 = 56.
  const LayerSummary deepseek = summarize_layers(test::deepseek_v3());
  REQUIRE(deepseek.attention.size() == 1);
  CHECK(deepseek.attention[0] == AttentionGroup{61, 128, 56, 56, 576, 0, false});
  // Granite 4.0-H-Micro: 4 attention layers, 36 Mamba-2 layers.
  const LayerSummary granite = summarize_layers(test::granite_4_h_micro());
  REQUIRE(granite.attention.size() == 1);
  CHECK(granite.attention[0].layers == 4);
  CHECK(granite.recurrent_layers == 36);
  // The mixed-head model: sliding 16 × 256 with 8 KV heads (2,048-value rows), full 16 × 512 with 2 (1,024).
  const LayerSummary mixed = summarize_layers(mixed_heads());
  REQUIRE(mixed.attention.size() == 2);
  CHECK(mixed.attention[0] == AttentionGroup{10, 16, 256, 256, 2048, 2048, true});
  CHECK(mixed.attention[1] == AttentionGroup{2, 16, 512, 512, 1024, 1024, false});
}

TEST_CASE("summarized sums equal the per-layer formulas they replace", "[kv][speed][cpu]") {
  const auto types = test::ggml_types();
  for (const Model& m : models()) {
    const LayerSummary layers = summarize_layers(m);
    CAPTURE(m.meta.id, m.n_layers);
    for (bool swa_full : {false, true}) {
      CHECK(prompt_attention_flops_per_token(m, layers, 512, 4096, {.swa_full = swa_full}) ==
            Approx(reference_attention_flops(m, 512, 4096, swa_full)).epsilon(1e-12));
    }
    for (const KvSettings& kv : kv_settings(types)) {
      for (std::uint64_t depth : {0ULL, 100ULL, 511ULL, 512ULL, 4000ULL, 70000ULL}) {
        CAPTURE(depth, kv.type_k->meta.id, kv.runtime.flash_attention, kv.swa_full);
        // Whole bytes: exactly.
        CHECK(kv_bytes_read_at_depth(m, layers, kv, depth) == reference_kv_bytes_read(m, kv, depth));
        CHECK(kv_bytes_read_at_depth(m, kv, depth) == reference_kv_bytes_read(m, kv, depth));
        for (std::uint32_t threads : {1U, 7U, 16U, 48U}) {
          for (std::uint32_t queries : {1U, 3U}) {
            // Equal terms counted once and multiplied: equal within rounding.
            const double expected = reference_flash_flops(m, kv, depth, threads, queries);
            CHECK(cpu_flash_decode_flops_per_thread(m, layers, kv, depth, threads, queries) ==
                  Approx(expected).epsilon(1e-12).margin(0));
          }
        }
      }
    }
  }
}

TEST_CASE("prefill work from a summary equals the per-layer attention term", "[speed]") {
  for (const Model& m : models()) {
    CAPTURE(m.meta.id);
    const LayerSummary layers = summarize_layers(m);
    const ParamCounts params = count_params(m);
    const double attention = reference_attention_flops(m, 512, 4096) - reference_attention_flops(m, 512, 0);
    // GPU: the depth's attention term at kGpuAttentionEfficiency beside the same prompt's work at depth 0.
    CHECK(prefill_work_per_token(m, params, layers, Backend::cuda, 512, 4096) ==
          Approx(prefill_work_per_token(m, params, layers, Backend::cuda, 512, 0) + attention / kGpuAttentionEfficiency)
              .epsilon(1e-12));
    CHECK(prefill_work_per_token(m, params, layers, Backend::cpu, 512, 4096, {.matmul_speed = 0.5}) ==
          prefill_work_per_token(m, Backend::cpu, 512, 4096, {.matmul_speed = 0.5}));
  }
}

TEST_CASE("attention pair FLOPs: 2·DK + 2·DV, MLA absorbed as llama.cpp runs it", "[speed]") {
  // Llama 3.1 8B: 2 × 128 + 2 × 128 = 512 per query head and cached position.
  const Model llama = test::llama_3_1_8b();
  const LayerSummary l = summarize_layers(llama);
  CHECK(attention_pair_flops(llama, l.attention[0]) == 512);
  // DeepSeek-V3: every head attends to the latent row, K = 512 + 64, V = 512: 2 × 576 + 2 × 512 = 2,176;
  // expanded (ik_llama.cpp -mla 3 prompts, vLLM) the test record's own head size 56: 2 × 56 + 2 × 56 = 224.
  const Model deepseek = test::deepseek_v3();
  const LayerSummary d = summarize_layers(deepseek);
  CHECK(attention_pair_flops(deepseek, d.attention[0]) == 2176);
  CHECK(attention_pair_flops(deepseek, d.attention[0], false) == 224);
  // So a prompt's attention on llama.cpp costs 2,176 / 224 of ik_llama.cpp's at the same depth.
  CHECK(prompt_attention_flops_per_token(deepseek, d, 512, 4096) ==
        Approx(prompt_attention_flops_per_token(deepseek, d, 512, 4096, {.engine = Engine::ik_llama_cpp}) * 2176 / 224));
}

TEST_CASE("cells a prompt token sees: depth plus half the prompt, a sliding layer at most its window", "[speed]") {
  CHECK(mean_cells_seen(512, 4096, std::nullopt) == 4352);
  // Window 1,024 after 4,096 cached: every token sees 1,024.
  CHECK(mean_cells_seen(512, 4096, 1024.0) == 1024);
  // Window 1,024, 256 cached, 512-token prompt: all of it inside the window, 256 + 256 = 512.
  CHECK(mean_cells_seen(512, 256, 1024.0) == 512);
  // Window 128, no depth, 512-token prompt: positions 0..128 see x, the 384 after see 128:
  // (128² / 2 + 128 × 384) / 512 = (8,192 + 49,152) / 512 = 112.
  CHECK(mean_cells_seen(512, 0, 128.0) == 112);
  // Decode (no prompt): min(W, D).
  CHECK(mean_cells_seen(0, 100, 128.0) == 100);
  CHECK(mean_cells_seen(0, 4096, 128.0) == 128);
}

TEST_CASE("sliding layers see their window on a deep prompt, all the depth with --swa-full", "[speed]") {
  // Gemma 3 1B: 22 sliding layers (window 512) and 4 full, 4 query heads of 256: 2 × 256 + 2 × 256 = 1,024
  // FLOPs per head and cell. At depth 32,768 with a 2,048 prompt the full layers see 33,792 cells, the
  // sliding ones 512: 4 × 4 × 1,024 × 33,792 + 22 × 4 × 1,024 × 512 = 553,648,128 + 46,137,344 = 599,785,472.
  const Model g = test::gemma_3_1b();
  const LayerSummary l = summarize_layers(g);
  CHECK(prompt_attention_flops_per_token(g, l, 2048, 32768) == 599'785'472.0);
  // --swa-full: every layer sees the whole depth.
  CHECK(prompt_attention_flops_per_token(g, l, 2048, 32768, {.swa_full = true}) == 26 * 4 * 1024.0 * 33792);
}
