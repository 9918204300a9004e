// llmsize cost --model M --gpu G [--hours-per-day 8 --utilisation 0.5 --price-per-kwh 0.30]
#include <fmt/format.h>

#include "build_eval.h"
#include "defaults.h"
#include "pipeline.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

struct CostCommandOptions {
  SizingOptions sizing;
  HardwareOptions hardware;
  CostOptions cost;
};

/// One model on one configuration: its power draw and what the electricity costs.
struct CostReport {
  Sizing sizing;
  HardwareConfig hardware;
  CostOptions cost;
  BuildEval eval;
  PriceBook prices;  ///< the user's prices in force
  Assumptions assumptions;
};

constexpr const char* kHow =
    "\nHow: GPUs draw 70% of board power decoding and 95% processing prompts, the CPU 25% of its TDP\n"
    "feeding them (80% running layers), the platform 50 W; kWh per 1M tokens = W × 1e6 / tok/s / 3.6e6;\n"
    "PSU = (boards + CPU + 50 W) × 1.3 rounded up to a standard size (docs/formulas.md).\n";

Json optional_json(const std::optional<double>& value) { return value ? Json(*value) : Json(nullptr); }

class CostCommandResult final : public Result {
 public:
  explicit CostCommandResult(CostReport r) : r_(std::move(r)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    const PowerResult& w = r_.eval.power;
    const CostResult& c = r_.eval.cost;
    const std::string& cur = r_.cost.currency;
    std::string out = r_.sizing.model_note.empty() ? "" : r_.sizing.model_note + "\n";
    out += fmt::format("{} · {} on {} · {:.1f} tok/s decoding\n\n", r_.sizing.model->meta.name,
                                  r_.sizing.quant->meta.name, hardware_label(r_.hardware), r_.eval.speed.decode_tokens_per_s);
    out += fmt::format("Power      {:.0f} W decoding, {:.0f} W prompt processing, {:.0f} W idle\n", w.watts_decode,
                       w.watts_prefill, w.watts_idle);
    if (w.psu_watts > 0) out += fmt::format("PSU        {:.0f} W (board powers + CPU + 50 W platform, × 1.3)\n", w.psu_watts);
    out += fmt::format("Energy     {:.3f} kWh per 1M tokens\n", c.kwh_per_mtok);
    out += fmt::format("Cost       {:.2f} {} per 1M tokens at {:.2f} {}/kWh\n", c.cost_per_mtok, cur, r_.cost.price_per_kwh, cur);
    out += fmt::format("Month      {:.1f} kWh = {:.2f} {} ({:.0f} h/day on, {:.0f}% generating: {:.1f}M tokens)\n",
                       c.monthly_kwh, c.monthly_cost, cur, r_.cost.hours_per_day, r_.cost.utilisation * 100,
                       c.tokens_per_month / 1e6);
    const auto& parts = r_.hardware.price_parts;
    if (!parts.empty()) out += "Hardware   " + price_text(parts, cur) + "\n";
    if (c.api_monthly_cost) {
      out += fmt::format("API        {:.2f} {} for the same tokens", *c.api_monthly_cost, cur);
      if (c.breakeven_months) out += fmt::format("; the hardware pays back in {:.1f} months", *c.breakeven_months);
      out += "\n";
    }
    if (style.explain) out += kHow + assumptions_text(r_.assumptions);
    return out;
  }

  [[nodiscard]] Json json() const override {
    const PowerResult& w = r_.eval.power;
    const CostResult& c = r_.eval.cost;
    Json inputs = inputs_json(r_.sizing);
    inputs["hardware"] = hardware_json(r_.hardware);
    inputs["price_per_kwh"] = r_.cost.price_per_kwh;
    inputs["currency"] = r_.cost.currency;
    inputs["hours_per_day"] = r_.cost.hours_per_day;
    inputs["utilisation"] = r_.cost.utilisation;
    inputs["prices"] = prices_json(r_.prices);
    Json result = {{"decode_tokens_per_s", r_.eval.speed.decode_tokens_per_s}, {"watts_decode", w.watts_decode},
                   {"watts_prefill", w.watts_prefill}, {"watts_idle", w.watts_idle}, {"psu_watts", w.psu_watts},
                   {"kwh_per_mtok", c.kwh_per_mtok}, {"cost_per_mtok", c.cost_per_mtok},
                   {"monthly_kwh", c.monthly_kwh}, {"monthly_cost", c.monthly_cost},
                   {"tokens_per_month", c.tokens_per_month}, {"api_monthly_cost", optional_json(c.api_monthly_cost)},
                   {"breakeven_months", optional_json(c.breakeven_months)},
                   {"price", optional_json(r_.hardware.price())},
                   {"price_basis", price_basis_json(r_.hardware.price_parts)},
                   {"price_parts", price_parts_json(r_.hardware.price_parts, r_.cost.currency)}};
    return envelope("cost", inputs, result, assumptions_json(r_.assumptions));
  }

 private:
  CostReport r_;
};

std::unique_ptr<Result> run_cost(Context& ctx, const CostCommandOptions& o) {
  ctx.prices = load_prices(ctx.catalog, o.cost.prices);
  CostReport r;
  r.prices = ctx.prices;
  r.sizing = resolve_sizing(ctx, o.sizing);
  r.hardware = resolve_hardware(ctx, o.hardware);
  r.cost = o.cost;
  r.eval = evaluate_build(ctx, r.sizing, r.hardware, defaults::kPromptTokens, r.cost, DecodeCurve::skip);
  if (r.eval.placement.verdict == Verdict::does_not_fit) {
    throw InputError(fmt::format("{} does not fit on {}; `llmsize check` shows why", r.sizing.model->meta.name,
                                 hardware_label(r.hardware)));
  }
  r.assumptions = r.sizing.assumptions;
  append(r.assumptions, r.hardware.assumptions);
  return std::make_unique<CostCommandResult>(std::move(r));
}

}  // namespace

CommandSpec cost_command() {
  return {"cost", "Power draw, electricity per 1M tokens and per month, API break-even", false,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<CostCommandOptions>();
            add_sizing_options(&cmd, o->sizing);
            add_hardware_options(&cmd, o->hardware);
            add_cost_options(&cmd, o->cost);
            return [o](Context& ctx) { return run_cost(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
