#pragma once
// `llmsize finetune`'s report (also `check --task finetune`) and its renderers: they format, never compute.
#include <memory>
#include <optional>
#include <string>

#include "finetune_options.h"
#include "pipeline.h"

namespace llmsize::cli {

/// One fine-tuning run sized once, on the GPUs named (if any).
struct FinetuneReport {
  FinetunePlan plan;
  engine::FinetuneSettings settings;  ///< the plan's settings on the GPUs named
  engine::FinetuneResult result;
  std::optional<HardwareConfig> hardware;  ///< --gpu given: the cards, each checked against the peak
  Assumptions assumptions;
  /// Every GPU holds the per-GPU peak and keeps kFitMarginBytes free; nullopt without --gpu.
  [[nodiscard]] std::optional<bool> fits() const;
};

/// Sizes the plan on the hardware (the GPUs of `hardware`, or one unnamed GPU).
[[nodiscard]] FinetuneReport size_finetune(FinetunePlan plan, std::optional<HardwareConfig> hardware);

[[nodiscard]] std::string finetune_text(const FinetuneReport& r, const Style& style);
/// The envelope under `command` ("finetune", or "check" for check --task finetune).
[[nodiscard]] Json finetune_json(const FinetuneReport& r, const std::string& command);

/// The settings as `inputs` shows them (model, method, framework, ..., sharding).
[[nodiscard]] Json finetune_settings_json(const FinetunePlan& plan, const engine::FinetuneSettings& s);
/// "Llama 3.1 8B · QLoRA ..., rank 16 on all linear layers · Transformers + PEFT" and the run's line.
[[nodiscard]] std::string finetune_headline(const FinetunePlan& plan, const engine::FinetuneSettings& s,
                                            const engine::TrainParams& p);

/// The Result of either command: exit 1 when a named GPU cannot hold the peak.
[[nodiscard]] std::unique_ptr<Result> finetune_result(FinetuneReport r, std::string command);

}  // namespace llmsize::cli
