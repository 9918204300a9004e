#pragma once
/// Decode attention over a filled cache on llama.cpp's CPU backend with flash attention (docs/formulas.md,
/// "CPU decode at depth"). ggml-cpu ops.cpp ggml_compute_forward_flash_attn_ext_f16 gives each query head
/// to one thread, which walks every cached position of its KV head: a K·q dot product (kq_vec_dot), an
/// expf for the online softmax and a multiply-add of the V row (ggml_vec_mad). With GQA the cache is
/// therefore worked through once per *query* head, and at most n_head threads work. Since llama.cpp PR
/// #19209 (2026-01-30) a single decoded token with an unquantized (f16/f32) cache of 512 or more cells is
/// split across the cache instead, so every thread works; a quantized cache (q8_0, q4_0) keeps the split
/// by head.
#include <cstdint>

#include "llmsize/engine/kv.h"
#include "llmsize/engine/layer_summary.h"
#include "llmsize/engine/model.h"
#include "llmsize/engine/runtime.h"

namespace llmsize::engine {

/// Share of one thread's peak FLOP/s (its core's FLOP per cycle × base clock, as cpu_flops_per_s counts
/// it) that llama.cpp's CPU flash-attention kernel reaches on a decoded token's (query head, cached
/// position) pairs, each 2·DK + 2·DV FLOPs. Fitted on the "fit" rows (docs/calibration.md, "CPU decode at
/// depth"): the median over the 10 tg128 rows at depth 1024–15872 of ik_llama.cpp PR #332's mainline runs
/// (Threadripper PRO 5975WX, 32 threads, Q8_0 cache, Llama 3.1 8B and Gemma 3 12B Q4_0) of
/// (extra work per thread over depth 0) / (thread peak × (1/tps(d) − 1/tps(0))): Llama 0.022–0.024,
/// Gemma 0.032–0.033 (head size 256), median 0.028. The held-back Ryzen 9 7950X rows of PR #351 give
/// 0.029–0.034.
inline constexpr double kCpuFlashAttentionEfficiency = 0.028;
/// The same share for ik_llama.cpp's CPU flash attention (ggml/src/iqk/iqk_flash_attn.cpp,
/// iqk_flash_attn_noalibi): for one decoded token with GQA it deals (KV head, 32-cell chunk of the cache)
/// pieces out to every thread and multiplies all the query heads of a KV head at once (iqk_flash_attn_impl
/// with rk2 query rows), so the work divides evenly over the threads whatever the cache type, and each K row
/// read serves n_head / n_kv_head heads. Fitted on the "fit" rows of ik_llama.cpp's CPU depth series
/// (docs/calibration.md "ik_llama.cpp's CPU flash attention"): the median over 7 rows (Ryzen 9 7950X,
/// Threadripper PRO 7965WX, Xeon 6980P; Qwen3-30B-A3B, Qwen2.5-72B, Llama 3.1 8B, gpt-oss-20b; 2048–8192
/// tokens) of (extra work per thread over depth 0) / (thread peak × (1/tps(d) − 1/tps(0))): 0.085–0.325,
/// median 0.184. gpt-oss-20b (attention sinks, head size 64) sits lowest, at 0.085–0.088.
inline constexpr double kIkCpuFlashAttentionEfficiency = 0.184;
/// llama.cpp splits one decoded token's attention across the cache (not the heads) from this many cells
/// (ops.cpp use_split_kv_path: nek1 >= 512), with an f16 or f32 cache.
inline constexpr std::uint64_t kCpuSplitKvMinCells = 512;

/// FLOPs the busiest of `threads` threads spends on the attention of `queries` decoded tokens (one per
/// sequence) over `cells` cached positions: per attention layer, the query heads it is given × the cells
/// it sees (a sliding-window layer at most its window) × (2·DK + 2·DV). Heads are dealt out in blocks of
/// ceil(queries × n_head / threads); with the split across the cache (one query, f16/f32 cache, cells ≥
/// kCpuSplitKvMinCells) each thread takes n_head heads over cells / threads positions. 0 without flash
/// attention or a cache type, and for MLA models (one latent row shared by every head: the one measured
/// series, DeepSeek-V2-Lite on a Ryzen 9 7950X, runs at 5× this share; their cache stays streamed).
/// Under ik_llama.cpp (`engine`) one decoded token's work divides evenly over the threads (n_head × cells /
/// threads per layer, kIkCpuFlashAttentionEfficiency).
[[nodiscard]] double cpu_flash_decode_flops_per_thread(const Model& m, const KvSettings& kv, std::uint64_t cells,
                                                       std::uint32_t threads, std::uint32_t queries = 1,
                                                       Engine engine = Engine::llama_cpp);
/// Seconds of that attention at kCpuFlashAttentionEfficiency of one thread's peak FLOP/s
/// (kIkCpuFlashAttentionEfficiency under ik_llama.cpp).
[[nodiscard]] double cpu_flash_decode_seconds(const Model& m, const KvSettings& kv, std::uint64_t cells,
                                              std::uint32_t threads, double thread_flops_per_s,
                                              std::uint32_t queries = 1, Engine engine = Engine::llama_cpp);
/// The same two from `layers` = summarize_layers(m), summarized once: one term per group of alike layers
/// (a sum of equal terms becomes their count times one, equal to the per-layer sum within rounding).
[[nodiscard]] double cpu_flash_decode_flops_per_thread(const Model& m, const LayerSummary& layers, const KvSettings& kv,
                                                       std::uint64_t cells, std::uint32_t threads,
                                                       std::uint32_t queries = 1, Engine engine = Engine::llama_cpp);
[[nodiscard]] double cpu_flash_decode_seconds(const Model& m, const LayerSummary& layers, const KvSettings& kv,
                                              std::uint64_t cells, std::uint32_t threads, double thread_flops_per_s,
                                              std::uint32_t queries = 1, Engine engine = Engine::llama_cpp);

/// Share of its matrix-multiplication efficiency llama.cpp's CPU flash-attention kernel reaches on a prompt's
/// (query head, cached position) pairs (as attention_efficiency for the matrix-product attention without
/// flash attention, kCpuAttentionEfficiency 0.25). The kernel takes one query row at a time, as in decode,
/// so a prompt's attention does not run as matrix products. Chosen on the "fit" rows alone: the Threadripper PRO
/// 5975WX rows of ik_llama.cpp PR #332's mainline runs (Llama 3.1 8B and Gemma 3 12B Q4_0, pp512 at depth
/// 1024–15872, -fa 1), with kCpuFlashCachedCells: of cells 512/1024/2048 × efficiency 0.04/0.06/0.08, (512, 0.06)
/// gives their smallest median error, 6.6% (512: 14.9%, 6.6%, 20.0%; 1024: 11.9%, 18.8%, 30.0%; 2048: 21.3%,
/// 30.5%, 39.4%); docs/calibration.md "CPU prefill with flash attention".
inline constexpr double kCpuFlashPrefillEfficiency = 0.06;
/// Cells per KV head the kernel works through at the matrix-product rate (kCpuAttentionEfficiency) before
/// its rate drops to kCpuFlashPrefillEfficiency: while a head's K and V rows stay in the core's cache, the
/// query rows that walk them one after another cost no more than matrix products (-fa 1 and -fa 0 measure
/// alike at depth 0). Chosen on the same fit rows with the efficiency; docs/calibration.md.
inline constexpr double kCpuFlashCachedCells = 512;
/// The FLOPs of one prompt token's flash attention on the CPU beyond the cached cells: per attention layer,
/// n_head × the cells it sees past kCpuFlashCachedCells (mean_cells_seen: depth + P / 2, a sliding layer at
/// most its window unless `swa_full`) × (2·DK + 2·DV). 0 for MLA models (their prompt attention stays the
/// matrix-product term, as their decode stays streamed).
[[nodiscard]] double cpu_flash_prefill_flops_per_token(const Model& m, const LayerSummary& layers, double prompt_tokens,
                                                       double depth_tokens, bool swa_full = false);

}  // namespace llmsize::engine
