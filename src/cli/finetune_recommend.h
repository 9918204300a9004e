#pragma once
// `llmsize recommend --task finetune`: the catalog GPUs, alone or as 2..N cards, that hold a fine-tuning run.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "finetune_options.h"
#include "pipeline.h"

namespace llmsize::cli {

/// recommend's filters that apply to a fine-tuning ranking.
struct FinetuneRankOptions {
  std::uint32_t max_gpus = 1;
  std::optional<double> budget;
  std::string vendor;
  std::string form_factor;
  std::size_t top = 1;
};

/// Each CUDA or ROCm catalog GPU with the fewest cards whose per-GPU peak fits, cheapest first.
/// Exit 1 when none fits.
[[nodiscard]] std::unique_ptr<Result> recommend_finetune(const Context& ctx, const std::string& model,
                                                         const FinetuneOptions& finetune, const FinetuneRankOptions& rank);

}  // namespace llmsize::cli
