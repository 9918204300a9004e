// llmsize recommend --model 30b --quant q4_k_m: ranks hardware that runs the model.
#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "build_eval.h"
#include "defaults.h"
#include "finetune_recommend.h"
#include "llmsize/units.h"
#include "pipeline.h"
#include "recommend_render.h"
#include "render.h"
#include "hardware_defaults.h"
#include "this_machine.h"
#include "upgrade_advisor.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

struct RecommendOptions {
  SizingOptions sizing;
  CostOptions cost;
  std::uint32_t max_gpus = defaults::kMaxGpus;
  std::optional<double> min_tps;
  std::optional<double> budget;
  std::string vendor;
  std::string form_factor;
  std::optional<double> max_watts;
  std::string sort = "value";
  std::size_t top = defaults::kTopRows;
  std::string prompt_tokens = std::to_string(defaults::kPromptTokens);
  std::string kind;
  bool this_machine = false;
  std::string task = "inference";
  FinetuneOptions finetune;
};


/// What the candidates are evaluated with: the model, the usage profile and the prompt.
struct Evaluation {
  Context& ctx;
  const Sizing& sizing;
  const CostOptions& cost;
  std::uint64_t prompt_tokens = 0;
};

// The configuration evaluated, when the model runs on it entirely in memory.
std::optional<RecommendOption> if_fits(const Evaluation& e, HardwareConfig h, std::string vendor, FormFactor form,
                                       std::string kind) {
  RecommendOption opt;
  opt.eval = evaluate_build(e.ctx, e.sizing, h, e.prompt_tokens, e.cost, DecodeCurve::skip, Offload::forbidden);
  if (opt.eval.placement.verdict != Verdict::fits) return std::nullopt;
  const Placement& p = opt.eval.placement;
  const PlacementTotals t = totals(p);  // deciding() refers into it: keep it alive
  opt.used_bytes = t.deciding(p).used_bytes;
  opt.memory_bytes = t.deciding(p).capacity_bytes;
  opt.label = hardware_label(h);
  opt.hardware = std::move(h);
  opt.vendor = std::move(vendor);
  opt.form_factor = form;
  opt.kind = std::move(kind);
  return opt;
}

// Each catalog GPU with the fewest cards that hold the model (more of the same card would only add
// cost: a layer split adds memory, not speed), each unified machine in its smallest memory option
// that fits, each CPU with the smallest RAM size that fits.
std::vector<RecommendOption> candidates(const Evaluation& e, std::uint32_t max_gpus) {
  std::vector<RecommendOption> out;
  auto first_fit = [&out](std::optional<RecommendOption> opt) {
    if (opt) out.push_back(std::move(*opt));
    return opt.has_value();
  };
  const catalog::Catalog& cat = e.ctx.catalog;
  for (const Gpu& g : cat.gpus) {
    for (std::uint32_t n = 1; n <= max_gpus; ++n) {
      if (first_fit(if_fits(e, gpu_config(e.ctx, g, n), g.vendor, g.form_factor, "gpu"))) break;
    }
  }
  for (const UnifiedSystem& sys : cat.systems) {
    for (const MemoryOption& m : sys.memory_options) {
      if (first_fit(if_fits(e, system_config(e.ctx, sys, m), sys.vendor, sys.form_factor, "system"))) break;
    }
  }
  for (const Cpu& c : cat.cpus) {
    for (std::uint64_t gib_size : kRamLadderGib) {
      if (c.max_memory_gib && static_cast<double>(gib_size) > *c.max_memory_gib) break;
      std::optional<RecommendOption> opt = if_fits(e, cpu_config(e.ctx, c, gib_size * units::kGiB), c.vendor, c.form_factor, "cpu");
      if (opt) opt->label = fmt::format("{} + {} GB RAM", c.meta.name, gib_size);  // a CPU build names its RAM size
      if (first_fit(std::move(opt))) break;
    }
  }
  return out;
}

bool keep(const RecommendOptions& o, const RecommendOption& opt) {
  if (o.min_tps && opt.eval.speed.decode_tokens_per_s < *o.min_tps) return false;
  if (o.budget && (!opt.hardware.price_usd || *opt.hardware.price_usd > *o.budget)) return false;
  if (!o.vendor.empty() && catalog::normalize_name(o.vendor) != opt.vendor) return false;
  if (!o.form_factor.empty() && o.form_factor != to_string(opt.form_factor)) return false;
  if (o.max_watts && opt.eval.power.watts_decode > *o.max_watts) return false;
  if (!o.kind.empty() && o.kind != opt.kind) return false;
  return true;
}

void sort_options(std::vector<RecommendOption>& options, const std::string& by) {
  auto price = [](const RecommendOption& o) { return o.hardware.price_usd.value_or(1e18); };
  auto speed = [](const RecommendOption& o) { return o.eval.speed.decode_tokens_per_s; };
  std::stable_sort(options.begin(), options.end(), [&](const RecommendOption& a, const RecommendOption& b) {
    if (by == "fastest") return speed(a) > speed(b);
    if (by == "efficiency") {
      return speed(a) / std::max(a.eval.power.watts_decode, 1.0) > speed(b) / std::max(b.eval.power.watts_decode, 1.0);
    }
    if (by == "value") {
      const double va = a.hardware.price_usd ? speed(a) / *a.hardware.price_usd : -1;
      const double vb = b.hardware.price_usd ? speed(b) / *b.hardware.price_usd : -1;
      return va > vb;
    }
    return price(a) < price(b) || (price(a) == price(b) && speed(a) > speed(b));
  });
}

class RecommendResult final : public Result {
 public:
  explicit RecommendResult(RecommendReport r) : r_(std::move(r)) {}
  [[nodiscard]] std::string text(const Style& style) const override { return recommend_text(r_, style); }
  [[nodiscard]] Json json() const override { return recommend_json(r_); }
  [[nodiscard]] std::string csv() const override { return recommend_csv(r_); }
  [[nodiscard]] int exit_code() const override { return r_.options.empty() ? kExitDoesNotFit : kExitOk; }

 private:
  RecommendReport r_;
};

std::unique_ptr<Result> run_this_machine(Context& ctx, const RecommendOptions& o) {
  return recommend_for_this_machine(ctx, o.sizing, o.cost, parse_tokens(o.prompt_tokens, "--prompt-tokens"));
}

// --task finetune: GPUs that hold the fine-tuning run (finetune_recommend.h); the speed filters and sorts
// do not apply to it.
std::unique_ptr<Result> run_finetune_ranking(const Context& ctx, const RecommendOptions& o, const CLI::App& cmd) {
  for (const char* flag : {"--min-tps", "--max-watts", "--sort", "--kind", "--this-machine"}) {
    if (cmd.count(flag) > 0) throw InputError(std::string(flag) + " ranks inference; --task finetune ranks GPUs by price");
  }
  const FinetuneRankOptions rank{o.max_gpus, o.budget, o.vendor, o.form_factor, o.top};
  return recommend_finetune(ctx, o.sizing.model, o.finetune, rank);
}

std::unique_ptr<Result> run_recommend(Context& ctx, const RecommendOptions& o, const CLI::App& cmd) {
  if (o.task == "finetune") return run_finetune_ranking(ctx, o, cmd);
  if (!o.finetune.method.empty()) throw InputError("--method sizes fine-tuning: add --task finetune");
  if (o.this_machine) return run_this_machine(ctx, o);
  RecommendReport r;
  r.sizing = resolve_sizing(ctx, o.sizing);
  r.cost = o.cost;
  r.max_gpus = o.max_gpus;
  r.sort = o.sort;
  const Evaluation e{ctx, r.sizing, r.cost, parse_tokens(o.prompt_tokens, "--prompt-tokens")};
  std::vector<RecommendOption> all = candidates(e, o.max_gpus);
  r.candidates = all.size();
  for (RecommendOption& opt : all) {
    if (keep(o, opt)) r.options.push_back(std::move(opt));
  }
  sort_options(r.options, o.sort);
  r.matching = r.options.size();
  if (r.options.size() > o.top) r.options.resize(o.top);
  r.assumptions = r.sizing.assumptions;
  if (auto usage = usage_assumption(cmd, o.cost)) r.assumptions.push_back(*usage);
  return std::make_unique<RecommendResult>(std::move(r));
}

void add_recommend_options(CLI::App& cmd, RecommendOptions& o) {
  add_sizing_options(&cmd, o.sizing);
  add_cost_options(&cmd, o.cost);
  cmd.add_option("--max-gpus", o.max_gpus, fmt::format("Most identical cards to combine (default {})", defaults::kMaxGpus))
      ->check(CLI::Range(1, 16));
  cmd.add_option("--min-tps", o.min_tps, "Only options that decode at least this many tokens/s");
  cmd.add_option("--budget", o.budget, "Only options whose launch price is at most this (USD)");
  cmd.add_option("--vendor", o.vendor, "nvidia, amd, intel, apple, ...");
  cmd.add_option("--form-factor", o.form_factor, "desktop, laptop, server or sbc")
      ->check(CLI::IsMember({"desktop", "laptop", "server", "sbc"}));
  cmd.add_option("--kind", o.kind, "gpu, system (unified memory) or cpu")->check(CLI::IsMember({"gpu", "system", "cpu"}));
  cmd.add_option("--max-watts", o.max_watts, "Only options drawing at most this many watts while decoding");
  cmd.add_option("--sort", o.sort, "value (default: tok/s per USD), cheapest, fastest, efficiency (tok/s per W)")
      ->check(CLI::IsMember({"cheapest", "fastest", "value", "efficiency"}));
  cmd.add_option("--top", o.top, fmt::format("Rows to show (default {})", defaults::kTopRows))->check(CLI::Range(1, 10000));
  cmd.add_option("--prompt-tokens", o.prompt_tokens,
                 fmt::format("Prompt length for the prefill column (default {})", defaults::kPromptTokens));
  cmd.add_option("--task", o.task,
                 "inference (default) or finetune: GPUs that hold the fine-tuning run (--method, as `llmsize finetune`)")
      ->check(CLI::IsMember({"inference", "finetune"}));
  add_finetune_options(&cmd, o.finetune);
  cmd.add_flag("--this-machine", o.this_machine,
               "What to add or replace on the machine llmsize runs on (a second GPU, a bigger GPU, more or faster RAM) "
               "for --model; exit 1 if it does not run here now");
}

}  // namespace

CommandSpec recommend_command() {
  return {"recommend",
          "Rank the hardware that runs a model: every catalog GPU alone or as 2..N cards, unified-memory machines in "
          "each memory size, CPU-only platforms. Exit 1 when nothing matches",
          true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<RecommendOptions>();
            add_recommend_options(cmd, *o);
            const CLI::App* parsed = &cmd;
            return [o, parsed](Context& ctx) { return run_recommend(ctx, *o, *parsed); };
          },
          {}};
}

}  // namespace llmsize::cli
