#include "recommend_render.h"

#include <fmt/format.h>

#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

std::string decode_cell(const SpeedResult& sp) {
  // Below 10 tok/s the range needs its decimal to say anything.
  if (sp.decode_tokens_per_s < 10) {
    return fmt::format("{:.1f} ({:.1f}–{:.1f})", sp.decode_tokens_per_s, sp.decode_low, sp.decode_high);
  }
  return fmt::format("{:.1f} ({:.0f}–{:.0f})", sp.decode_tokens_per_s, sp.decode_low, sp.decode_high);
}

Table options_table(const RecommendReport& r) {
  Table table({{"Hardware", Align::left},
               {"Memory [GiB] used/total", Align::right},
               {"Verdict", Align::left},
               {"Decode [tok/s]", Align::right},
               {"Prefill [tok/s]", Align::right},
               {"Price [USD]", Align::right},
               {"Decode [W]", Align::right},
               {fmt::format("Month [{}]", r.cost.currency), Align::right},
               {fmt::format("1M tok [{}]", r.cost.currency), Align::right}});
  for (const RecommendOption& o : r.options) {
    const SpeedResult& sp = o.eval.speed;
    table.add_row({o.label, fmt::format("{}/{}", gib(o.used_bytes), gib(o.memory_bytes)),
                   to_string(o.eval.placement.verdict), decode_cell(sp),
                   fmt::format("{:.0f} ({:.0f}–{:.0f})", sp.prefill_tokens_per_s, sp.prefill_low, sp.prefill_high),
                   o.hardware.price_usd ? fmt::format("{:.0f}", *o.hardware.price_usd) : "?",
                   fmt::format("{:.0f}", o.eval.power.watts_decode), fmt::format("{:.2f}", o.eval.cost.monthly_cost),
                   fmt::format("{:.3f}", o.eval.cost.cost_per_mtok)});
  }
  return table;
}

Json option_json(const RecommendOption& o) {
  const SpeedResult& sp = o.eval.speed;
  return {{"hardware", o.label},
          {"kind", o.kind},
          {"devices", hardware_json(o.hardware)},
          {"verdict", to_string(o.eval.placement.verdict)},
          {"used_bytes", o.used_bytes},
          {"memory_bytes", o.memory_bytes},
          {"decode_tokens_per_s", sp.decode_tokens_per_s},
          {"decode_low", sp.decode_low},
          {"decode_high", sp.decode_high},
          {"prefill_tokens_per_s", sp.prefill_tokens_per_s},
          {"price_usd", o.hardware.price_usd ? Json(*o.hardware.price_usd) : Json(nullptr)},
          {"watts_decode", o.eval.power.watts_decode},
          {"monthly_cost", o.eval.cost.monthly_cost},
          {"cost_per_mtok", o.eval.cost.cost_per_mtok}};
}

constexpr const char* kHow =
    "\nHow: each configuration is placed as llama.cpp would (docs/formulas.md); N identical cards are tried\n"
    "from 1 up to --max-gpus and the first N that holds everything is kept; unified machines in their\n"
    "smallest memory option that fits; CPUs with the smallest RAM size that fits. Decode and prefill use\n"
    "the efficiency factors in `llmsize catalog calibration`.\n";

}  // namespace

std::string recommend_text(const RecommendReport& r, const Style& style) {
  const Sizing& s = r.sizing;
  std::string text = s.model_note.empty() ? "" : s.model_note + "\n";
  text += fmt::format("{} · {} · {} GB of weights · context {} tokens · KV {}\n", s.model->meta.name, s.quant->meta.name,
                      gb(s.weights.total_bytes), s.kv.context_tokens, s.kv.type_k->meta.name);
  text += fmt::format("{} of {} configurations run it entirely in GPU / unified / system memory; sorted by {}, top {}\n\n",
                      r.matching, r.candidates, r.sort, r.options.size());
  text += options_table(r).text(style.color);
  text += fmt::format("\nDecode is at the start of a conversation (llama-bench tg128), with the likely range; prices are launch\n"
                      "prices; the month assumes {}. `llmsize check` shows one build in detail.\n",
                      usage_profile(r.cost));
  if (style.explain) text += kHow + assumptions_text(r.assumptions);
  return text;
}

Json recommend_json(const RecommendReport& r) {
  Json inputs = inputs_json(r.sizing);
  inputs["max_gpus"] = r.max_gpus;
  inputs["sort"] = r.sort;
  Json options = Json::array();
  for (const RecommendOption& o : r.options) options.push_back(option_json(o));
  Json result = {{"model", model_json(r.sizing)}, {"quant", quant_json(r.sizing)},
                 {"context_tokens", r.sizing.kv.context_tokens}, {"matching", r.matching}, {"options", options}};
  return envelope("recommend", inputs, result, assumptions_json(r.assumptions));
}

std::string recommend_csv(const RecommendReport& r) { return options_table(r).csv(); }

}  // namespace llmsize::cli
