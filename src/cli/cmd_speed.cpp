// llmsize speed --model M --gpu G [--context 32k]: decode and prefill over context, and with
// parallel users.
#include <fmt/format.h>

#include "build_eval.h"
#include "wording.h"
#include "render.h"

namespace llmsize::cli {
namespace {

struct SpeedOptions {
  SizingOptions sizing;
  HardwareOptions hardware;
  CostOptions cost;
  std::string prompt_tokens = "512";
  std::vector<std::uint32_t> users = {1, 2, 4, 8, 16};
};

void run(Context& ctx, const SpeedOptions& o) {
  Sizing s = resolve_sizing(ctx, o.sizing);
  const HardwareConfig h = resolve_hardware(ctx, o.hardware);
  const std::uint64_t prompt = parse_tokens(o.prompt_tokens, "--prompt-tokens");
  const BuildEval e = evaluate_build(ctx, s, h, prompt, o.cost, true);
  if (e.placement.verdict == Verdict::does_not_fit) {
    throw InputError(fmt::format("{} does not fit on {} ({}); `llmsize check` shows why", s.model->meta.name,
                                 hardware_label(h), reason_text(e.placement)));
  }
  // The curve: decode at each depth, and the prefill of a prompt that long.
  Table curve({{"Depth [tokens]", Align::right}, {"Decode [tok/s]", Align::right}, {"Likely range", Align::right},
               {"vs. start", Align::right}});
  Json rows = Json::array();
  const double start = e.speed.curve.empty() ? 0 : e.speed.curve.front().decode_tokens_per_s;
  for (const SpeedAt& c : e.speed.curve) {
    curve.add_row({std::to_string(c.depth_tokens), fixed(c.decode_tokens_per_s, 1),
                   fmt::format("{:.1f}–{:.1f}", c.decode_low, c.decode_high),
                   start > 0 ? fmt::format("{:.0f}%", 100 * c.decode_tokens_per_s / start) : ""});
    rows.push_back({{"depth_tokens", c.depth_tokens}, {"decode_tokens_per_s", c.decode_tokens_per_s},
                    {"decode_low", c.decode_low}, {"decode_high", c.decode_high}});
  }
  // Concurrency: N sequences each at half the context.
  const SpeedRequest sr = speed_request(ctx, s, h, e.placement, prompt);
  Table users({{"Users", Align::right}, {"Total [tok/s]", Align::right}, {"Per user [tok/s]", Align::right}, {"Bound", Align::left}});
  Json concurrency = Json::array();
  for (std::uint32_t n : o.users) {
    const ConcurrencyAt c = decode_concurrent(sr, n, s.kv.context_tokens / 2);
    users.add_row({std::to_string(n), fixed(c.aggregate_tokens_per_s, 1), fixed(c.per_user_tokens_per_s, 1),
                   c.compute_bound ? "compute" : "memory bandwidth"});
    concurrency.push_back({{"sequences", n}, {"aggregate_tokens_per_s", c.aggregate_tokens_per_s},
                           {"per_user_tokens_per_s", c.per_user_tokens_per_s}, {"compute_bound", c.compute_bound}});
  }
  std::string text = s.model_note.empty() ? "" : s.model_note + "\n";
  text += fmt::format("{} · {} on {} · {}\n", s.model->meta.name, s.quant->meta.name, hardware_label(h), to_string(e.placement.verdict));
  text += fmt::format("prefill {:.0f} tok/s (likely {:.0f}–{:.0f}) for {} tokens; {:.2f} GB read per decoded token\n\n",
                      e.speed.prefill_tokens_per_s, e.speed.prefill_low, e.speed.prefill_high, prompt, e.speed.bytes_per_token / 1e9);
  text += "Decode over context\n" + curve.text(ctx.color());
  text += "\nParallel users, each at half the context (weights are read once per step for all of them)\n" + users.text(ctx.color());
  text += "\nDecode slows as the KV cache it reads grows beside the weights: the drop at a depth is\n"
          "KV bytes at that depth / (weights + KV bytes). Models with a small KV per token (GQA, MLA,\n"
          "sliding windows) barely slow; a doubling of context halves speed only when the KV read\n"
          "dwarfs the weights.\n";
  if (ctx.global.explain) {
    Assumptions all = s.assumptions;
    append(all, untyped(h.assumptions));
    text += "\nHow: decode tok/s = 1 / Σ parts (weights + KV at the depth) / (bandwidth × efficiency) + per-token\n"
            "cost; parallel users share one weight read per step (docs/formulas.md).\n" + assumptions_text(all);
  }
  if (ctx.global.csv) text = curve.csv();
  Json inputs = inputs_json(s);
  inputs["hardware"] = hardware_json(h);
  inputs["prompt_tokens"] = prompt;
  emit(ctx, envelope("speed", inputs,
                     {{"decode_tokens_per_s", e.speed.decode_tokens_per_s}, {"prefill_tokens_per_s", e.speed.prefill_tokens_per_s},
                      {"curve", rows}, {"concurrency", concurrency}},
                     s.assumptions),
       text);
}

}  // namespace

void add_speed_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SpeedOptions>();
  CLI::App* cmd = add_command(app, ctx, "speed", "Decode speed over context and with parallel users, prefill speed",
                              [o](Context& c) { run(c, *o); });
  add_sizing_options(cmd, o->sizing);
  add_hardware_options(cmd, o->hardware);
  cmd->add_option("--prompt-tokens", o->prompt_tokens, "Prompt length for the prefill speed (default 512)");
  cmd->add_option("--users", o->users, "Parallel users to show (default 1 2 4 8 16)")->delimiter(',');
}

}  // namespace llmsize::cli
