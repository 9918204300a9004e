// llmsize finetune --model M --method qlora [--gpu 3060]: the memory of fine-tuning, per GPU and term.
#include "finetune_render.h"
#include "pipeline.h"

namespace llmsize::cli {
namespace {

struct FinetuneCommandOptions {
  std::string model;
  FinetuneOptions finetune;
  std::vector<std::string> gpus;
};

std::unique_ptr<Result> run_finetune(const Context& ctx, const FinetuneCommandOptions& o) {
  std::optional<HardwareConfig> hardware;
  if (!o.gpus.empty()) {
    HardwareOptions h;
    h.gpus = o.gpus;
    hardware = resolve_hardware(ctx, h);
  }
  const auto n_gpus = static_cast<std::uint32_t>(hardware ? hardware->devices.size() : 1);
  return finetune_result(size_finetune(resolve_finetune(ctx, o.model, o.finetune, n_gpus), std::move(hardware)),
                         "finetune");
}

}  // namespace

CommandSpec finetune_command() {
  return {"finetune",
          "Memory of fine-tuning a model (full, LoRA, QLoRA) per GPU and term. With --gpu: exit 0 if it fits, 1 if not",
          false,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<FinetuneCommandOptions>();
            cmd.add_option("--model,-m", o->model,
                           "Model: catalog id or alias (llama-3.1-8b, 8b), a GGUF file, or a Hugging Face config.json "
                           "or its directory")
                ->required();
            add_finetune_options(&cmd, o->finetune);
            cmd.add_option("--gpu,-g", o->gpus, "GPU(s) to check, optionally with a count: 3090, 2x3090; repeat for mixed cards")
                ->type_name("[Nx]GPU");
            return [o](Context& ctx) { return run_finetune(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
