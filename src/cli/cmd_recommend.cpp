// llmsize recommend --model 30b --quant q4_k_m: ranks hardware that runs the model.
#include <fmt/format.h>

#include <algorithm>

#include "build_eval.h"
#include "llmsize/units.h"
#include "render.h"
#include "hardware_defaults.h"
#include "upgrade_advisor.h"

namespace llmsize::cli {
namespace {

struct RecommendOptions {
  SizingOptions sizing;
  CostOptions cost;
  std::uint32_t max_gpus = 4;
  std::optional<double> min_tps;
  std::optional<double> budget;
  std::string vendor;
  std::string form_factor;
  std::optional<double> max_watts;
  std::string sort = "value";
  std::size_t top = 15;
  std::string prompt_tokens = "512";
  std::string kind;
  bool this_machine = false;
};

struct Option {
  HardwareConfig hardware;
  BuildEval eval;
  std::string vendor;
  FormFactor form_factor = FormFactor::desktop;
  std::string kind;
  std::uint64_t used_bytes = 0;
  std::uint64_t available_bytes = 0;
};

void totals(Option& opt) {
  const Placement& p = opt.eval.placement;
  const MemoryTotals& m = llmsize::totals(p).deciding(p);
  opt.used_bytes = m.used_bytes;
  opt.available_bytes = m.capacity_bytes;
}

Option make_option(HardwareConfig h, std::string vendor, FormFactor form, std::string kind) {
  Option opt;
  opt.hardware = std::move(h);
  opt.vendor = std::move(vendor);
  opt.form_factor = form;
  opt.kind = std::move(kind);
  return opt;
}

// A CPU build names its RAM size ("AMD Ryzen 9 7950X + 64 GB RAM"); the others are their hardware_label.
std::string option_label(const Option& opt) {
  const HardwareConfig& h = opt.hardware;
  if (opt.kind != "cpu") return hardware_label(h);
  return fmt::format("{} + {} GB RAM", hardware_label(h), h.host_ram_bytes.value_or(0) / units::kGiB);
}

bool keep(const RecommendOptions& o, const Option& opt) {
  const Verdict v = opt.eval.placement.verdict;
  if (v != Verdict::fits) return false;
  if (o.min_tps && opt.eval.speed.decode_tokens_per_s < *o.min_tps) return false;
  if (o.budget && (!opt.hardware.price_usd || *opt.hardware.price_usd > *o.budget)) return false;
  if (!o.vendor.empty() && catalog::normalize_name(o.vendor) != opt.vendor) return false;
  if (!o.form_factor.empty() && o.form_factor != to_string(opt.form_factor)) return false;
  if (o.max_watts && opt.eval.power.watts_decode > *o.max_watts) return false;
  if (!o.kind.empty() && o.kind != opt.kind) return false;
  return true;
}

std::vector<Option> candidates(Context& ctx, const Sizing& s, const RecommendOptions& o, std::uint64_t prompt) {
  std::vector<Option> out;
  const auto& cat = ctx.catalog;
  for (const Gpu& g : cat.gpus) {
    for (std::uint32_t n = 1; n <= o.max_gpus; ++n) {
      Option opt = make_option(gpu_config(ctx, g, n), g.vendor, g.form_factor, "gpu");
      opt.eval = evaluate_build(ctx, s, opt.hardware, prompt, o.cost, false, false);
      totals(opt);
      if (opt.eval.placement.verdict == Verdict::fits) {
        out.push_back(std::move(opt));
        break;  // more of the same card would only add cost: layer split adds memory, not speed
      }
    }
  }
  for (const UnifiedSystem& sys : cat.systems) {
    for (const MemoryOption& m : sys.memory_options) {
      Option opt = make_option(system_config(ctx, sys, m), sys.vendor, sys.form_factor, "system");
      opt.eval = evaluate_build(ctx, s, opt.hardware, prompt, o.cost, false, false);
      totals(opt);
      if (opt.eval.placement.verdict == Verdict::fits) {
        out.push_back(std::move(opt));
        break;  // the smallest memory option that fits
      }
    }
  }
  for (const Cpu& c : cat.cpus) {
    for (std::uint64_t gib_size : kRamLadderGib) {
      if (c.max_memory_gib && static_cast<double>(gib_size) > *c.max_memory_gib) break;
      Option opt = make_option(cpu_config(ctx, c, gib_size * units::kGiB), c.vendor, c.form_factor, "cpu");
      opt.eval = evaluate_build(ctx, s, opt.hardware, prompt, o.cost, false, false);
      totals(opt);
      if (opt.eval.placement.verdict == Verdict::fits) {
        out.push_back(std::move(opt));
        break;
      }
    }
  }
  return out;
}

void sort_options(std::vector<Option>& options, const std::string& by) {
  auto price = [](const Option& o) { return o.hardware.price_usd.value_or(1e18); };
  auto speed = [](const Option& o) { return o.eval.speed.decode_tokens_per_s; };
  std::stable_sort(options.begin(), options.end(), [&](const Option& a, const Option& b) {
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

void run_recommend(Context& ctx, const RecommendOptions& o) {
  if (o.this_machine) {
    // Transitional, until recommend returns a Result itself.
    const auto r = recommend_for_this_machine(ctx, o.sizing, o.cost, parse_tokens(o.prompt_tokens, "--prompt-tokens"));
    ctx.out << (ctx.global.json  ? r->json().dump(2) + "\n"
                : ctx.global.csv ? r->csv()
                                 : r->text(Style{ctx.color(), ctx.global.explain}));
    ctx.exit_code = r->exit_code();
    return;
  }
  const Sizing s = resolve_sizing(ctx, o.sizing);
  const std::uint64_t prompt = parse_tokens(o.prompt_tokens, "--prompt-tokens");
  std::vector<Option> all = candidates(ctx, s, o, prompt);
  std::vector<Option> options;
  for (Option& opt : all) {
    if (keep(o, opt)) options.push_back(std::move(opt));
  }
  sort_options(options, o.sort);
  const std::size_t total = options.size();
  if (options.size() > o.top) options.resize(o.top);

  Table table({{"Hardware", Align::left},
               {"Memory [GiB] used/total", Align::right},
               {"Verdict", Align::left},
               {"Decode [tok/s]", Align::right},
               {"Prefill [tok/s]", Align::right},
               {"Price [USD]", Align::right},
               {"Decode [W]", Align::right},
               {fmt::format("Month [{}]", o.cost.currency), Align::right},
               {fmt::format("1M tok [{}]", o.cost.currency), Align::right}});
  Json rows = Json::array();
  for (const Option& opt : options) {
    const auto& sp = opt.eval.speed;
    table.add_row({option_label(opt), fmt::format("{}/{}", gib(opt.used_bytes), gib(opt.available_bytes)),
                   to_string(opt.eval.placement.verdict),
                   sp.decode_tokens_per_s < 10
                       ? fmt::format("{:.1f} ({:.1f}–{:.1f})", sp.decode_tokens_per_s, sp.decode_low, sp.decode_high)
                       : fmt::format("{:.1f} ({:.0f}–{:.0f})", sp.decode_tokens_per_s, sp.decode_low, sp.decode_high),
                   fmt::format("{:.0f} ({:.0f}–{:.0f})", sp.prefill_tokens_per_s, sp.prefill_low, sp.prefill_high),
                   opt.hardware.price_usd ? fmt::format("{:.0f}", *opt.hardware.price_usd) : "?",
                   fmt::format("{:.0f}", opt.eval.power.watts_decode), fmt::format("{:.2f}", opt.eval.cost.monthly_cost),
                   fmt::format("{:.3f}", opt.eval.cost.cost_per_mtok)});
    Json price = opt.hardware.price_usd ? Json(*opt.hardware.price_usd) : Json(nullptr);
    rows.push_back({{"hardware", option_label(opt)},
                    {"kind", opt.kind},
                    {"devices", hardware_json(opt.hardware)},
                    {"verdict", to_string(opt.eval.placement.verdict)},
                    {"used_bytes", opt.used_bytes},
                    {"memory_bytes", opt.available_bytes},
                    {"decode_tokens_per_s", sp.decode_tokens_per_s},
                    {"decode_low", sp.decode_low},
                    {"decode_high", sp.decode_high},
                    {"prefill_tokens_per_s", sp.prefill_tokens_per_s},
                    {"price_usd", price},
                    {"watts_decode", opt.eval.power.watts_decode},
                    {"monthly_cost", opt.eval.cost.monthly_cost},
                    {"cost_per_mtok", opt.eval.cost.cost_per_mtok}});
  }
  std::string text = s.model_note.empty() ? "" : s.model_note + "\n";
  text += fmt::format("{} · {} · {} GB of weights · context {} tokens · KV {}\n", s.model->meta.name, s.quant->meta.name,
                      gb(s.weights.total_bytes), s.kv.context_tokens, s.kv.type_k->meta.name);
  text += fmt::format("{} of {} configurations run it entirely in GPU / unified / system memory; sorted by {}, top {}\n\n",
                      total, all.size(), o.sort, options.size());
  text += ctx.global.csv ? table.csv() : table.text(ctx.color());
  text += fmt::format("\nDecode is at the start of a conversation (llama-bench tg128), with the likely range; prices are launch\n"
                      "prices; the month assumes {:.0f} h/day, {:.0f}% generating, at {:.2f} {}/kWh. `llmsize check` shows one "
                      "build in detail.\n",
                      o.cost.hours_per_day, o.cost.utilisation * 100, o.cost.price_per_kwh, o.cost.currency);
  if (ctx.global.explain) {
    text += "\nHow: each configuration is placed as llama.cpp would (docs/formulas.md); N identical cards are tried\n"
            "from 1 up to --max-gpus and the first N that holds everything is kept; unified machines in their\n"
            "smallest memory option that fits; CPUs with the smallest RAM size that fits. Decode and prefill use\n"
            "the efficiency factors in `llmsize catalog calibration`.\n";
    text += assumptions_text(s.assumptions);
  }
  if (ctx.global.csv) text = table.csv();
  Json inputs = inputs_json(s);
  inputs["max_gpus"] = o.max_gpus;
  inputs["sort"] = o.sort;
  emit(ctx, envelope("recommend", inputs, {{"model", model_json(s)}, {"quant", quant_json(s)},
                                           {"context_tokens", s.kv.context_tokens}, {"matching", total}, {"options", rows}},
                     s.assumptions),
       text);
  ctx.exit_code = options.empty() ? 1 : 0;
}

}  // namespace

void add_recommend_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<RecommendOptions>();
  CLI::App* cmd = add_command(app, ctx, "recommend",
                              "Rank the hardware that runs a model: every catalog GPU alone or as 2..N cards, unified-memory "
                              "machines in each memory size, CPU-only platforms. Exit 1 when nothing matches",
                              [o](Context& c) { run_recommend(c, *o); });
  add_sizing_options(cmd, o->sizing);
  add_cost_options(cmd, o->cost);
  cmd->add_option("--max-gpus", o->max_gpus, "Most identical cards to combine (default 4)")->check(CLI::Range(1, 16));
  cmd->add_option("--min-tps", o->min_tps, "Only options that decode at least this many tokens/s");
  cmd->add_option("--budget", o->budget, "Only options whose launch price is at most this (USD)");
  cmd->add_option("--vendor", o->vendor, "nvidia, amd, intel, apple, ...");
  cmd->add_option("--form-factor", o->form_factor, "desktop, laptop, server or sbc")
      ->check(CLI::IsMember({"desktop", "laptop", "server", "sbc"}));
  cmd->add_option("--kind", o->kind, "gpu, system (unified memory) or cpu")->check(CLI::IsMember({"gpu", "system", "cpu"}));
  cmd->add_option("--max-watts", o->max_watts, "Only options drawing at most this many watts while decoding");
  cmd->add_option("--sort", o->sort, "value (default: tok/s per USD), cheapest, fastest, efficiency (tok/s per W)")
      ->check(CLI::IsMember({"cheapest", "fastest", "value", "efficiency"}));
  cmd->add_option("--top", o->top, "Rows to show (default 15)")->check(CLI::Range(1, 10000));
  cmd->add_option("--prompt-tokens", o->prompt_tokens, "Prompt length for the prefill column (default 512)");
  cmd->add_flag("--this-machine", o->this_machine,
                "What to add or replace on the machine llmsize runs on (a second GPU, a bigger GPU, more or faster RAM) "
                "for --model; exit 1 if it does not run here now");
}

}  // namespace llmsize::cli
