// llmsize speed --model M --gpu G [--context 32k] [--draft D]: decode and prefill over context, with
// parallel users, and with speculative decoding.
#include <fmt/format.h>

#include "build_eval.h"
#include "defaults.h"
#include "extras.h"
#include "llmsize/units.h"
#include "pipeline.h"
#include "render.h"
#include "wording.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

// Parallel users `speed` shows without --users.
const std::vector<std::uint32_t> kUsers = {1, 2, 4, 8, 16};

struct SpeedOptions {
  SizingOptions sizing;
  ExtrasOptions extras;  ///< the draft options only (add_draft_options)
  HardwareOptions hardware;
  RunOptions run;
  std::string prompt_tokens = std::to_string(defaults::kPromptTokens);
  std::vector<std::uint32_t> users = kUsers;
};

/// One model on one configuration: the curve over context and decode with parallel users.
struct SpeedReport {
  Sizing sizing;
  Extras extras;  ///< a draft model or MTP drafting, and its speculative band (none by default)
  HardwareConfig hardware;
  std::uint64_t prompt_tokens = 0;
  RunChoice run;
  BuildEval eval;
  std::vector<ConcurrencyAt> users;  ///< each user at half the context
  Assumptions assumptions;
};

constexpr const char* kWhySlower =
    "\nDecode slows as the KV cache it reads grows beside the weights: the drop at a depth is\n"
    "KV bytes at that depth / (weights + KV bytes). Models with a small KV per token (GQA, MLA,\n"
    "sliding windows) barely slow; a doubling of context halves speed only when the KV read\n"
    "dwarfs the weights.\n";
constexpr const char* kHow =
    "\nHow: decode tok/s = 1 / Σ parts (weights + KV at the depth) / (bandwidth × efficiency) + per-token\n"
    "cost; parallel users share one weight read per step (docs/formulas.md).\n";

class SpeedCommandResult final : public Result {
 public:
  explicit SpeedCommandResult(SpeedReport r) : r_(std::move(r)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    const Sizing& s = r_.sizing;
    const SpeedResult& sp = r_.eval.speed;
    std::string out = s.model_note.empty() ? "" : s.model_note + "\n";
    out += fmt::format("{} · {} on {} · {}\n", s.model->meta.name, s.quant->meta.name, hardware_label(r_.hardware),
                       to_string(r_.eval.placement.verdict));
    out += fmt::format("prefill {:.0f} tok/s (likely {:.0f}–{:.0f}) for {} tokens; {:.2f} GB read per decoded token\n\n",
                       sp.prefill_tokens_per_s, sp.prefill_low, sp.prefill_high, r_.prompt_tokens,
                       sp.bytes_per_token / units::kBytesPerGB);
    if (r_.extras.speculation) out += "Speculative decoding at the start of a conversation\n" + speculation_text(r_.extras) + "\n";
    out += "Decode over context\n" + curve_table().text(style.color);
    out += "\nParallel users, each at half the context (weights are read once per step for all of them)\n" +
           users_table().text(style.color);
    out += kWhySlower;
    if (style.explain) {
      const std::string extras = extras_explain(r_.extras);
      out += kHow + (extras.empty() ? "" : "\n" + extras) + assumptions_text(r_.assumptions);
    }
    return out;
  }

  [[nodiscard]] Json json() const override {
    Json curve = Json::array();
    for (const SpeedAt& c : r_.eval.speed.curve) {
      curve.push_back({{"depth_tokens", c.depth_tokens}, {"decode_tokens_per_s", c.decode_tokens_per_s},
                       {"decode_low", c.decode_low}, {"decode_high", c.decode_high}});
    }
    Json concurrency = Json::array();
    for (const ConcurrencyAt& c : r_.users) {
      concurrency.push_back({{"sequences", c.sequences}, {"aggregate_tokens_per_s", c.aggregate_tokens_per_s},
                             {"per_user_tokens_per_s", c.per_user_tokens_per_s}, {"compute_bound", c.compute_bound}});
    }
    Json inputs = inputs_json(r_.sizing);
    inputs["hardware"] = hardware_json(r_.hardware);
    inputs["prompt_tokens"] = r_.prompt_tokens;
    inputs["run"] = run_json(r_.run, r_.eval.placement);
    add_draft_inputs(r_.extras, inputs);
    Json result = {{"decode_tokens_per_s", r_.eval.speed.decode_tokens_per_s},
                   {"prefill_tokens_per_s", r_.eval.speed.prefill_tokens_per_s},
                   {"curve", curve},
                   {"concurrency", concurrency},
                   {"draft", draft_json(r_.extras, r_.sizing)}};
    return envelope("speed", inputs, result, assumptions_json(r_.assumptions));
  }

  /// The curve over context (the users table stays text-only).
  [[nodiscard]] std::string csv() const override { return curve_table().csv(); }

 private:
  [[nodiscard]] Table curve_table() const {
    Table t({{"Depth [tokens]", Align::right}, {"Decode [tok/s]", Align::right}, {"Likely range", Align::right},
             {"vs. start", Align::right}});
    const std::vector<SpeedAt>& curve = r_.eval.speed.curve;
    const double start = curve.empty() ? 0 : curve.front().decode_tokens_per_s;
    for (const SpeedAt& c : curve) {
      t.add_row({std::to_string(c.depth_tokens), fixed(c.decode_tokens_per_s, 1),
                 fmt::format("{:.1f}–{:.1f}", c.decode_low, c.decode_high),
                 start > 0 ? fmt::format("{:.0f}%", 100 * c.decode_tokens_per_s / start) : ""});
    }
    return t;
  }

  [[nodiscard]] Table users_table() const {
    Table t({{"Users", Align::right}, {"Total [tok/s]", Align::right}, {"Per user [tok/s]", Align::right},
             {"Bound", Align::left}});
    for (const ConcurrencyAt& c : r_.users) {
      t.add_row({std::to_string(c.sequences), fixed(c.aggregate_tokens_per_s, 1), fixed(c.per_user_tokens_per_s, 1),
                 c.compute_bound ? "compute" : "memory bandwidth"});
    }
    return t;
  }

  SpeedReport r_;
};

std::unique_ptr<Result> run_speed(Context& ctx, const SpeedOptions& o) {
  SpeedReport r;
  r.sizing = resolve_sizing(ctx, o.sizing);
  r.extras = resolve_extras(ctx, o.extras, r.sizing);
  r.hardware = resolve_hardware(ctx, o.hardware);
  r.prompt_tokens = parse_tokens(o.prompt_tokens, "--prompt-tokens");
  r.run = resolve_run(o.run, r.sizing, r.hardware);
  r.eval = evaluate_with_extras(ctx, r.extras, r.sizing, r.hardware, r.prompt_tokens, CostOptions{}, r.run);
  if (r.eval.placement.verdict == Verdict::does_not_fit) {
    throw InputError(fmt::format("{} does not fit on {} ({}); `llmsize check` shows why", r.sizing.model->meta.name,
                                 hardware_label(r.hardware), reason_text(r.eval.placement)));
  }
  const SpeedRequest sr = speed_request(ctx, r.sizing, r.hardware, r.eval.placement, r.prompt_tokens, r.run);
  for (std::uint32_t n : o.users) r.users.push_back(decode_concurrent(sr, n, r.sizing.kv.context_tokens / 2));
  r.assumptions = r.sizing.assumptions;
  append(r.assumptions, r.extras.assumptions);
  append(r.assumptions, r.hardware.assumptions);
  return std::make_unique<SpeedCommandResult>(std::move(r));
}

std::string users_help() {
  std::string list;
  for (std::uint32_t n : kUsers) list += (list.empty() ? "" : " ") + std::to_string(n);
  return fmt::format("Parallel users to show (default {})", list);
}

}  // namespace

CommandSpec speed_command() {
  return {"speed", "Decode speed over context, with parallel users and with a draft model, prefill speed", true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<SpeedOptions>();
            add_sizing_options(&cmd, o->sizing);
            add_draft_options(&cmd, o->extras);
            add_hardware_options(&cmd, o->hardware);
            add_run_options(&cmd, o->run);
            cmd.add_option("--prompt-tokens", o->prompt_tokens,
                           fmt::format("Prompt length for the prefill speed (default {})", defaults::kPromptTokens));
            cmd.add_option("--users", o->users, users_help())->delimiter(',');
            return [o](Context& ctx) { return run_speed(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
