#include "finetune_recommend.h"

#include <fmt/format.h>

#include <algorithm>

#include "finetune_render.h"
#include "llmsize/units.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

/// One GPU model with the fewest cards that hold the run.
struct FinetuneOption {
  const Gpu* gpu = nullptr;
  std::uint32_t count = 0;
  FinetuneSettings settings;
  FinetuneResult result;
  std::uint64_t memory_bytes = 0;  ///< per GPU
  std::optional<double> price_usd;
};

struct FinetuneRanking {
  FinetunePlan plan;
  FinetuneRankOptions rank;
  std::size_t candidates = 0;  ///< GPU models that hold it, before the filters
  std::size_t matching = 0;    ///< of those, the ones the filters kept, before --top
  std::vector<FinetuneOption> options;
};

// PyTorch trains on CUDA and ROCm; the fine-tuning frameworks sized here run on those.
bool trains_on(const Gpu& g) {
  return std::any_of(g.backends.begin(), g.backends.end(), [](Backend b) { return b == Backend::cuda || b == Backend::rocm; });
}

std::optional<FinetuneOption> fewest_cards(const FinetunePlan& plan, const Gpu& g, std::uint32_t max_gpus) {
  const std::uint64_t memory = units::gib_to_bytes(g.memory_gib);
  for (std::uint32_t n = 1; n <= max_gpus; ++n) {
    FinetuneOption opt;
    opt.settings = on_gpus(plan, n, memory);
    opt.result = finetune_memory(*plan.model.model, opt.settings);
    if (opt.result.per_gpu_bytes() + kFitMarginBytes > memory) continue;
    opt.gpu = &g;
    opt.count = n;
    opt.memory_bytes = memory;
    if (g.launch_price_usd) opt.price_usd = *g.launch_price_usd * n;
    return opt;
  }
  return std::nullopt;
}

bool keep(const FinetuneRankOptions& o, const FinetuneOption& opt) {
  if (o.budget && (!opt.price_usd || *opt.price_usd > *o.budget)) return false;
  if (!o.vendor.empty() && catalog::normalize_name(o.vendor) != opt.gpu->vendor) return false;
  if (!o.form_factor.empty() && o.form_factor != to_string(opt.gpu->form_factor)) return false;
  return true;
}

std::string label(const FinetuneOption& o) {
  return o.count == 1 ? o.gpu->meta.name : fmt::format("{}× {}", o.count, o.gpu->meta.name);
}

Table options_table(const FinetuneRanking& r) {
  Table t({{"Hardware", Align::left}, {"GPUs", Align::right}, {"Peak per GPU [GiB]", Align::right},
           {"Memory per GPU [GiB]", Align::right}, {"Sharding", Align::left}, {"Price [USD]", Align::right}});
  for (const FinetuneOption& o : r.options) {
    t.add_row({label(o), std::to_string(o.count), gib(o.result.per_gpu_bytes()), gib(o.memory_bytes),
               o.count > 1 ? name_of(kShardingNames, o.settings.sharding) : "-",
               o.price_usd ? fmt::format("{:.0f}", *o.price_usd) : "?"});
  }
  return t;
}

class FinetuneRankingResult final : public Result {
 public:
  explicit FinetuneRankingResult(FinetuneRanking r) : r_(std::move(r)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    std::string out = r_.plan.model.note.empty() ? "" : r_.plan.model.note + "\n";
    FinetuneSettings one = r_.plan.settings;  // the card count differs per option (the table's GPUs column)
    one.n_gpus = 1;
    out += finetune_headline(r_.plan, one, train_params(*r_.plan.model.model, one)) + "\n";
    if (r_.options.empty()) {
      out += fmt::format("No catalog GPU holds it with up to {} card(s) and these filters ({} would without them).\n",
                         r_.rank.max_gpus, r_.candidates);
    } else {
      out += options_table(r_).text(style.color);
      out += fmt::format("\n{} of {} GPU models hold it with up to {} card(s) each; showing {}, cheapest first (launch "
                         "prices). `llmsize finetune --gpu` shows one in detail.\n",
                         r_.matching, r_.candidates, r_.rank.max_gpus, r_.options.size());
    }
    if (style.explain) out += assumptions_text(r_.plan.assumptions);
    return out;
  }

  [[nodiscard]] Json json() const override {
    Json inputs = finetune_settings_json(r_.plan, r_.plan.settings);
    inputs.erase("n_gpus");
    inputs.erase("sharding");
    inputs["task"] = "finetune";
    inputs["max_gpus"] = r_.rank.max_gpus;
    Json options = Json::array();
    for (const FinetuneOption& o : r_.options) {
      Json devices = Json::array();
      for (std::uint32_t i = 0; i < o.count; ++i) {
        devices.push_back({{"id", o.gpu->meta.id}, {"kind", "gpu"}, {"memory_bytes", o.memory_bytes}});
      }
      options.push_back({{"hardware", label(o)},
                         {"kind", "gpu"},
                         {"gpu_count", o.count},
                         {"devices", devices},
                         {"memory_bytes", o.memory_bytes},
                         {"used_bytes", o.result.per_gpu_bytes()},
                         {"peak_phase", to_string(o.result.peak_phase)},
                         {"sharding", o.count > 1 ? Json(name_of(kShardingNames, o.settings.sharding)) : Json()},
                         {"price_usd", o.price_usd ? Json(*o.price_usd) : Json()}});
    }
    Json result = {{"task", "finetune"}, {"candidates", r_.candidates}, {"matching", r_.matching}, {"options", options}};
    return envelope("recommend", inputs, result, assumptions_json(r_.plan.assumptions));
  }

  [[nodiscard]] std::string csv() const override { return options_table(r_).csv(); }
  [[nodiscard]] int exit_code() const override { return r_.options.empty() ? kExitDoesNotFit : kExitOk; }

 private:
  FinetuneRanking r_;
};

}  // namespace

std::unique_ptr<Result> recommend_finetune(const Context& ctx, const std::string& model, const FinetuneOptions& finetune,
                                           const FinetuneRankOptions& rank) {
  FinetuneRanking r;
  r.plan = resolve_finetune(ctx, model, finetune, rank.max_gpus);
  r.rank = rank;
  std::vector<FinetuneOption> all;
  for (const Gpu& g : ctx.catalog.gpus) {
    if (!trains_on(g)) continue;
    if (auto opt = fewest_cards(r.plan, g, rank.max_gpus)) all.push_back(std::move(*opt));
  }
  r.candidates = all.size();
  for (FinetuneOption& opt : all) {
    if (keep(rank, opt)) r.options.push_back(std::move(opt));
  }
  std::stable_sort(r.options.begin(), r.options.end(), [](const FinetuneOption& a, const FinetuneOption& b) {
    const double pa = a.price_usd.value_or(1e18);
    const double pb = b.price_usd.value_or(1e18);
    return pa < pb || (pa == pb && a.memory_bytes > b.memory_bytes);
  });
  r.matching = r.options.size();
  if (r.options.size() > rank.top) r.options.resize(rank.top);
  return std::make_unique<FinetuneRankingResult>(std::move(r));
}

}  // namespace llmsize::cli
