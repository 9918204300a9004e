#pragma once
// The formula lines --explain prints. Each is verbatim text of docs/formulas.md (a test checks that
// it still is), so an explanation cannot drift from the documentation.
#include <string_view>

namespace llmsize::cli::formulas {

inline constexpr std::string_view kWeights = "bytes(tensor) = rows × ⌈row_length / block_weights⌉ × block_bytes";
inline constexpr std::string_view kCells = "cells            = pad(context × n_seq, 256)";
inline constexpr std::string_view kKvCache = "KV               = Σ attention layers cells(layer) × (K row + V row bytes)";
inline constexpr std::string_view kCellsSliding =
    "cells (sliding)  = min(cells, pad(window × n_seq + n_ubatch, 256))     unless --swa-full";
inline constexpr std::string_view kKvRow =
    "K row (layer)    = n_kv_heads(layer) × head_dim_k values;  V row = n_kv_heads(layer) × head_dim_v";
inline constexpr std::string_view kMlaRow = "MLA row          = kv_lora_rank + qk_rope_head_dim values, no V";
inline constexpr std::string_view kComputeFlash =
    "compute (flash attention)  = max(logits, n_ubatch × (6·cells + 8·n_embd + 8·n_head·head_dim)) B";
inline constexpr std::string_view kComputeNoFlash =
    "compute (no flash attn.)   = max(logits, n_ubatch × (4·n_head·cells + 4·cells + 22·n_embd)) B";
inline constexpr std::string_view kLogits = "logits                     = n_ubatch × (4·n_vocab + 8·n_embd) B";
inline constexpr std::string_view kOutputBuffer = "output buffer              = n_vocab × 4 B × n_seq";
inline constexpr std::string_view kDecodePart =
    "t(part)     = max(bytes(part) / (bandwidth × min(bandwidth_efficiency[b, c, e], CPU: few_thread_bandwidth_slope[c] × threads / cores)), CPU: FLOPs(part) / (FLOP/s(-t) × decode_compute_efficiency[b, c, e])) + per_token_s[b]";
inline constexpr std::string_view kDecodeRate = "tok/s       = 1 / t(token)";
inline constexpr std::string_view kPrefillFlops =
    "FLOPs = 2 × active params × P + Σ attention layers n_head × (2·DK + 2·DV) × P × cells seen";
inline constexpr std::string_view kPrefillWorkGpu =
    "work(GPU) = matrix FLOPs (experts weighted) / g + attention FLOPs / a[backend]";
inline constexpr std::string_view kPrefillKernels = "g         = 1 / Σ_families share(f) / speed[b](f)";

inline constexpr std::string_view kDraftMemory =
    "draft            = its weights + KV at the target's cells (f16) + its compute buffer, where -ngld puts its layers";
inline constexpr std::string_view kSpeculativeTokens = "tokens per step  = 1 + acceptance × draft_max";
inline constexpr std::string_view kSpeculativeRate =
    "tok/s            = tokens per step / (draft_max × t(draft token) + t(target batch of draft_max + 1))";
inline constexpr std::string_view kMtpMemory =
    "MTP              = nextn blocks' weights + their KV at the model's cells (f16) + a compute buffer with the output head";
inline constexpr std::string_view kMtpDraftToken =
    "t(MTP token)     = t(model token) × bytes of the nextn blocks and output head / bytes the model reads per token";
inline constexpr std::string_view kProjectorWeights =
    "projector        = (params − f32 params) × bytes per value(type) + f32 params × 4 B";
inline constexpr std::string_view kProjectorCompute =
    "encoder compute  = N × 4 × (n_ff + 3·n_embd) B, N = (warm-up image / patch)²; + N² × n_head × 4 B without flash attention";
inline constexpr std::string_view kImageTokens = "context          = --context + images × tokens per image";

// Fine-tuning (llmsize finetune; docs/formulas.md, "Fine-tuning").
inline constexpr std::string_view kFtWeights =
    "weights      = 2 B × params; QLoRA: NF4 ⌈n/2⌉ + ⌈n/64⌉ + 4·⌈n/16384⌉ B per block matrix, 2 B for the rest";
inline constexpr std::string_view kFtAdapters = "adapters     = rank × (in + out) per targeted matrix (× experts)";
inline constexpr std::string_view kFtStates =
    "states       = trainable × 2 × (4 B | 2 B bf16); 8-bit: trainable × (2 + 8/256) B";
inline constexpr std::string_view kFtStep = "step         = one state-sized temporary (torch AdamW foreach)";
inline constexpr std::string_view kFtSaved =
    "saved        = tokens × (layers × checkpoint bytes × hidden + final norm), or every layer without checkpointing";
inline constexpr std::string_view kFtLayer =
    "layer        = tokens × (2 norms × hidden + attention q/k/v + 4·heads + MLP × ffn + LoRA inputs + 4 × widest)";
inline constexpr std::string_view kFtLogits = "logits       = tokens at once × bytes per entry × vocab";
inline constexpr std::string_view kFtShards =
    "shards       = ZeRO-2: gradients, states ÷ GPUs; ZeRO-3 / FSDP: weights too, plus 2 gathered blocks";
inline constexpr std::string_view kFtPeak =
    "peak per GPU = max(loss, end of backward, optimizer step) + CUDA context";

/// Every line above, for the test that finds each in docs/formulas.md.
inline constexpr std::string_view kAll[] = {kWeights,      kCells,          kKvCache,   kCellsSliding, kKvRow,
                                            kMlaRow,       kComputeFlash,   kComputeNoFlash, kLogits, kOutputBuffer,
                                            kDecodePart,   kDecodeRate,     kPrefillFlops,   kPrefillWorkGpu, kPrefillKernels,
                                            kFtWeights,    kFtAdapters,
                                            kFtStates,     kFtStep,         kFtSaved,        kFtLayer,   kFtLogits,
                                            kFtShards,     kFtPeak,         kDraftMemory,    kSpeculativeTokens,
                                            kSpeculativeRate, kMtpMemory,     kMtpDraftToken,  kProjectorWeights, kProjectorCompute, kImageTokens};

}  // namespace llmsize::cli::formulas
