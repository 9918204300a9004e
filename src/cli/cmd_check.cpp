// llmsize check --gpu 2x3090 --model 70b: a planned build, before buying parts.
#include <fmt/format.h>

#include "build_eval.h"
#include "check_render.h"
#include "defaults.h"
#include "extras.h"
#include "finetune_render.h"
#include "pipeline.h"
#include "render.h"
#include "this_machine.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

struct CheckOptions {
  SizingOptions sizing;
  ExtrasOptions extras;
  HardwareOptions hardware;
  RunOptions run;
  bool this_machine = false;
  CostOptions cost;
  std::string prompt_tokens = std::to_string(defaults::kPromptTokens);
  bool require_gpu = false;
  std::string task = "inference";
  FinetuneOptions finetune;
};

class CheckResult final : public Result {
 public:
  explicit CheckResult(CheckReport r) : r_(std::move(r)) {}
  [[nodiscard]] std::string text(const Style& style) const override { return check_text(r_, style); }
  [[nodiscard]] Json json() const override { return check_json(r_); }
  [[nodiscard]] int exit_code() const override {
    const Verdict v = r_.eval.placement.verdict;
    const bool fits = v == Verdict::fits || (v == Verdict::fits_with_offload && !r_.require_gpu);
    return fits ? kExitOk : kExitDoesNotFit;
  }

 private:
  CheckReport r_;
};

// --task finetune: the fine-tuning memory per GPU against the GPUs named (finetune_render.h).
std::unique_ptr<Result> run_finetune_check(const Context& ctx, const CheckOptions& o) {
  if (o.this_machine || o.hardware.gpus.empty() || !o.hardware.system.empty()) {
    throw InputError("--task finetune checks named GPUs: give --gpu (for example --gpu 2x3090)");
  }
  HardwareConfig h = resolve_hardware(ctx, o.hardware);
  const auto n_gpus = static_cast<std::uint32_t>(h.devices.size());
  return finetune_result(size_finetune(resolve_finetune(ctx, o.sizing.model, o.finetune, n_gpus), std::move(h)), "check");
}

std::unique_ptr<Result> run_check(Context& ctx, const CheckOptions& o) {
  if (o.task == "finetune" &&
      (!o.extras.draft.empty() || !o.extras.spec_type.empty() || !o.extras.mmproj.empty() || o.extras.images > 0)) {
    throw InputError("--draft, --spec-type, --mmproj and --images size what llama-server loads; drop them with --task finetune");
  }
  if (o.task == "finetune") return run_finetune_check(ctx, o);
  if (!o.finetune.method.empty()) throw InputError("--method sizes fine-tuning: add --task finetune");
  ctx.prices = load_prices(ctx.catalog, o.cost.prices);
  CheckReport r;
  r.prices = ctx.prices;
  r.sizing = resolve_sizing(ctx, o.sizing);
  r.extras = resolve_extras(ctx, o.extras, r.sizing);
  if (o.this_machine) {
    check_this_machine_alone(o.hardware);
    use_machine_profile(ctx);
  }
  r.hardware = o.this_machine ? this_machine_hardware(ctx, o.hardware) : resolve_hardware(ctx, o.hardware);
  r.prompt_tokens = parse_tokens(o.prompt_tokens, "--prompt-tokens");
  r.cost = o.cost;
  r.require_gpu = o.require_gpu;
  r.run = resolve_run(o.run, r.sizing, r.hardware);
  r.eval = evaluate_with_extras(ctx, r.extras, r.sizing, r.hardware, r.prompt_tokens, o.cost, r.run);
  r.totals = totals(r.eval.placement);
  r.assumptions = r.sizing.assumptions;
  append(r.assumptions, r.extras.assumptions);
  append(r.assumptions, r.hardware.assumptions);
  return std::make_unique<CheckResult>(std::move(r));
}

}  // namespace

CommandSpec check_command() {
  return {"check",
          "A planned build: memory per device, placement, speed, power, cost, and the llama-server, llama-bench, "
          "Ollama and vLLM settings. Exit 0 if it runs, 1 if it does not fit",
          false,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<CheckOptions>();
            add_sizing_options(&cmd, o->sizing);
            add_extras_options(&cmd, o->extras);
            add_hardware_options(&cmd, o->hardware);
            add_run_options(&cmd, o->run);
            add_this_machine_flag(&cmd, o->this_machine);
            add_cost_options(&cmd, o->cost);
            cmd.add_option("--prompt-tokens", o->prompt_tokens,
                           fmt::format("Prompt length for the prefill speed (default {}, as llama-bench pp512)",
                                       defaults::kPromptTokens));
            cmd.add_flag("--require-gpu", o->require_gpu, "Count offload to system RAM as \"does not fit\" (exit 1)");
            cmd.add_option("--task", o->task,
                           "inference (default) or finetune: the fine-tuning memory per GPU (--method, as `llmsize finetune`)")
                ->check(CLI::IsMember({"inference", "finetune"}));
            add_finetune_options(&cmd, o->finetune);
            return [o](Context& ctx) { return run_check(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
