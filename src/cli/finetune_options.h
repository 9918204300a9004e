#pragma once
// The flags of `llmsize finetune` (also `check` / `recommend` with --task finetune) and their resolution
// into the engine's FinetuneSettings; each choice left to the framework's default is an assumption.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "assumption.h"
#include "context.h"
#include "hardware_config.h"
#include "llmsize/engine/finetune.h"
#include "sizing.h"

namespace llmsize::cli {

struct FinetuneOptions {
  std::string method;     ///< full | lora | qlora (required)
  std::string framework;  ///< transformers | unsloth | torchtune
  std::string precision;  ///< mixed | bf16 (full fine-tuning)
  std::string optimizer;  ///< adamw | adamw-8bit | paged-adamw-8bit
  std::string seq_len;    ///< tokens per sequence: 2048, 4k
  std::optional<std::uint32_t> batch;
  std::string grad_checkpointing;  ///< on | off
  std::optional<std::uint32_t> lora_rank;
  std::string lora_targets;  ///< attn | all
  std::string sharding;      ///< ddp | fsdp | zero2 | zero3
};

/// Binds --method, --framework, --precision, --optimizer, --seq-len, --batch, --grad-checkpointing,
/// --lora-rank, --lora-targets and --sharding.
void add_finetune_options(CLI::App* cmd, FinetuneOptions& o);

/// The model, the settings and what was assumed, before any GPU is chosen.
struct FinetunePlan {
  ResolvedModel model;
  engine::FinetuneSettings settings;
  bool sharding_given = false;
  Assumptions assumptions;
};

/// Checks and resolves the flags (throws InputError naming the flag). `n_gpus` is the GPUs the run
/// will use (1 without --gpu): sharding applies only to several.
[[nodiscard]] FinetunePlan resolve_finetune(const Context& ctx, const std::string& model, const FinetuneOptions& o,
                                            std::uint32_t n_gpus);

/// The settings on `n_gpus` GPUs of `memory_bytes` each: the framework's sharding unless one was given.
[[nodiscard]] engine::FinetuneSettings on_gpus(const FinetunePlan& plan, std::uint32_t n_gpus, std::uint64_t memory_bytes);

/// The sharding a framework uses across several GPUs when --sharding is not given.
[[nodiscard]] engine::Sharding default_sharding(engine::TrainFramework f);

}  // namespace llmsize::cli
