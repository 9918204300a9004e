// llmsize cost --model M --gpu G [--hours-per-day 8 --utilisation 0.5 --price-per-kwh 0.30]
#include <fmt/format.h>

#include "build_eval.h"
#include "render.h"

namespace llmsize::cli {
namespace {

struct CostCommandOptions {
  SizingOptions sizing;
  HardwareOptions hardware;
  CostOptions cost;
};

void run(Context& ctx, const CostCommandOptions& o) {
  const Sizing s = resolve_sizing(ctx, o.sizing);
  const HardwareConfig h = resolve_hardware(ctx, o.hardware);
  const BuildEval e = evaluate_build(ctx, s, h, 512, o.cost, false);
  if (e.placement.verdict == Verdict::does_not_fit) {
    throw InputError(fmt::format("{} does not fit on {}; `llmsize check` shows why", s.model->meta.name, hardware_label(h)));
  }
  const std::string& cur = o.cost.currency;
  std::string text = fmt::format("{} · {} on {} · {:.1f} tok/s decoding\n\n", s.model->meta.name, s.quant->meta.name, hardware_label(h),
                                 e.speed.decode_tokens_per_s);
  text += fmt::format("Power      {:.0f} W decoding, {:.0f} W prompt processing, {:.0f} W idle\n", e.power.watts_decode,
                      e.power.watts_prefill, e.power.watts_idle);
  if (e.power.psu_watts > 0) text += fmt::format("PSU        {:.0f} W (board powers + CPU + 50 W platform, × 1.3)\n", e.power.psu_watts);
  text += fmt::format("Energy     {:.3f} kWh per 1M tokens\n", e.cost.kwh_per_mtok);
  text += fmt::format("Cost       {:.2f} {} per 1M tokens at {:.2f} {}/kWh\n", e.cost.cost_per_mtok, cur, o.cost.price_per_kwh, cur);
  text += fmt::format("Month      {:.1f} kWh = {:.2f} {} ({:.0f} h/day on, {:.0f}% generating: {:.1f}M tokens)\n",
                      e.cost.monthly_kwh, e.cost.monthly_cost, cur, o.cost.hours_per_day, o.cost.utilisation * 100,
                      e.cost.tokens_per_month / 1e6);
  if (e.cost.api_monthly_cost) {
    text += fmt::format("API        {:.2f} {} for the same tokens", *e.cost.api_monthly_cost, cur);
    if (e.cost.breakeven_months) text += fmt::format("; hardware ({:.0f} USD) pays back in {:.1f} months", *h.price_usd, *e.cost.breakeven_months);
    text += "\n";
  }
  Json inputs = inputs_json(s);
  inputs["hardware"] = hardware_json(h);
  inputs["price_per_kwh"] = o.cost.price_per_kwh;
  inputs["currency"] = cur;
  inputs["hours_per_day"] = o.cost.hours_per_day;
  inputs["utilisation"] = o.cost.utilisation;
  Json result = {{"decode_tokens_per_s", e.speed.decode_tokens_per_s}, {"watts_decode", e.power.watts_decode},
                 {"watts_prefill", e.power.watts_prefill}, {"watts_idle", e.power.watts_idle}, {"psu_watts", e.power.psu_watts},
                 {"kwh_per_mtok", e.cost.kwh_per_mtok}, {"cost_per_mtok", e.cost.cost_per_mtok},
                 {"monthly_kwh", e.cost.monthly_kwh}, {"monthly_cost", e.cost.monthly_cost},
                 {"tokens_per_month", e.cost.tokens_per_month},
                 {"api_monthly_cost", e.cost.api_monthly_cost ? Json(*e.cost.api_monthly_cost) : Json(nullptr)},
                 {"breakeven_months", e.cost.breakeven_months ? Json(*e.cost.breakeven_months) : Json(nullptr)}};
  Assumptions assumptions = s.assumptions;
  append(assumptions, untyped(h.assumptions));
  if (ctx.global.explain) {
    text += "\nHow: GPUs draw 70% of board power decoding and 95% processing prompts, the CPU 25% of its TDP\n"
            "feeding them (80% running layers), the platform 50 W; kWh per 1M tokens = W × 1e6 / tok/s / 3.6e6;\n"
            "PSU = (boards + CPU + 50 W) × 1.3 rounded up to a standard size (docs/formulas.md).\n" +
            assumptions_text(assumptions);
  }
  emit(ctx, envelope("cost", inputs, result, assumptions), text);
}

}  // namespace

void add_cost_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CostCommandOptions>();
  CLI::App* cmd = add_command(app, ctx, "cost", "Power draw, electricity per 1M tokens and per month, API break-even",
                              [o](Context& c) { run(c, *o); });
  add_sizing_options(cmd, o->sizing);
  add_hardware_options(cmd, o->hardware);
  add_cost_options(cmd, o->cost);
}

}  // namespace llmsize::cli
