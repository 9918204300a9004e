#pragma once
// The command line's defaults, each stated once: the flags' help text and the assumption labels are
// made from these values, never restated by hand.
#include <cstdint>

#include "llmsize/engine/kv.h"

namespace llmsize::cli::defaults {

/// --context: llama.cpp's common default when a model's own maximum is larger (llama-server -c 8192
/// is what most guides use; the engine's KvSettings default agrees).
inline constexpr std::uint64_t kContextTokens = engine::KvSettings{}.context_tokens;
/// --quant: the most downloaded GGUF quantization and llama.cpp's recommended default.
inline constexpr const char* kQuant = "q4-k-m";
/// --kv-type: llama.cpp's -ctk/-ctv default.
inline constexpr const char* kKvType = "f16";
/// --ubatch: llama.cpp's -ub default.
inline constexpr std::uint32_t kUbatch = engine::kDefaultUbatch;
/// --batch-size: llama.cpp's -b default (llama-bench's too).
inline constexpr std::uint32_t kBatch = engine::kDefaultBatch;
/// --prompt-tokens: llama-bench's pp512.
inline constexpr std::uint64_t kPromptTokens = 512;
/// `kv` without --context: a short chat, the common default, a long document, a model's maximum.
inline constexpr std::uint64_t kKvContexts[] = {4096, 8192, 32768, 131072};

/// --draft-max: llama.cpp's default draft length (common/common.h, common_params_speculative_draft::n_max = 3;
/// llama-server --spec-draft-n-max, alias --draft-max).
inline constexpr std::uint32_t kDraftMax = 3;
/// --draft-accept for a draft model: the lowest and highest draft acceptance rate (accepted / drafted) of four
/// published llama.cpp runs: 0.187 (ggml-org/llama.cpp#12603: Qwen2.5-7B with a 0.5B draft, a story, 65 of 347),
/// 0.343 (#10455: Qwen2.5-Coder-32B with the 3B coder, 313 of 912), 0.356 (#2926: LLaMA 2 70B F16 with 7B Q8_0,
/// 47 of 132) and 0.566 (#14132: Qwen3-235B-A22B with Qwen3-0.6B, a script refactor, 1376 of 2433).
inline constexpr double kDraftAcceptLow = 0.187;
inline constexpr double kDraftAcceptHigh = 0.566;
/// --draft-accept with --spec-type draft-mtp: the lowest and highest acceptance of nine prompts drafted by
/// Qwen3.6's MTP head in llama.cpp (am17an/llama.cpp#6, the mtp-clean branch merged as ggml-org/llama.cpp#22673):
/// 0.542 (translation, 13 of 24) to 0.915 (code_python, 140 of 153). Other published runs fall inside it: ~0.57
/// (noonghunna/club-3090#64, Qwen3.6-27B on an RTX 3090, --spec-draft-n-max 3) and 0.65-0.90 (#22673,
/// Qwen3.6-35B-A3B, --spec-draft-n-max 2).
inline constexpr double kMtpAcceptLow = 0.542;
inline constexpr double kMtpAcceptHigh = 0.915;
/// llama.cpp refuses a draft whose vocabulary size differs from the model's by more than this
/// (common/speculative.cpp, SPEC_VOCAB_MAX_SIZE_DIFFERENCE; common_speculative_are_compatible).
inline constexpr std::uint64_t kDraftVocabMaxDifference = 128;
/// --mmproj without a file: the type llama.cpp's converter writes mmproj files in (convert_hf_to_gguf.py
/// --mmproj; ggml-org's *-GGUF repositories ship mmproj-*-f16.gguf).
inline constexpr const char* kProjectorType = "f16";

/// Usage profile for power and cost.
inline constexpr double kPricePerKwh = 0.16;  ///< USD; the US residential average, 2024 (EIA Electric Power Monthly)
inline constexpr const char* kCurrency = "USD";
inline constexpr double kHoursPerDay = 24;
inline constexpr double kUtilisation = 1.0;

/// finetune. Sequence length: the max_seq_length of Unsloth's notebooks and of many SFT recipes.
inline constexpr std::uint64_t kFinetuneSeqLen = 2048;
inline constexpr std::uint32_t kFinetuneBatch = 1;
/// LoRA rank: Unsloth's notebooks (r = 16); PEFT's LoraConfig default is 8.
inline constexpr std::uint32_t kLoraRank = 16;
inline constexpr const char* kLoraTargets = "all";
inline constexpr const char* kFramework = "transformers";

/// recommend
inline constexpr std::uint32_t kMaxGpus = 4;
inline constexpr std::size_t kTopRows = 15;

}  // namespace llmsize::cli::defaults
