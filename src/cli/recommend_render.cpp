#include "recommend_render.h"

#include <fmt/format.h>

#include <algorithm>

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

// The column --sort value or efficiency ranks by, when the table has no column for it already.
struct SortColumn {
  std::string header;
  std::string (*cell)(const RecommendOption&);
};

std::optional<SortColumn> sort_column(const RecommendReport& r) {
  if (r.sort == "value") {
    return SortColumn{fmt::format("Value [tok/s per 1k {}]", r.cost.currency), [](const RecommendOption& o) {
                        const auto v = value(o);
                        return v ? fmt::format("{:.1f}", *v) : std::string("?");
                      }};
  }
  if (r.sort == "efficiency") {
    return SortColumn{"Efficiency [tok/s per W]", [](const RecommendOption& o) { return fmt::format("{:.3f}", efficiency(o)); }};
  }
  return std::nullopt;
}

// "Value [tok/s per 1k USD]" for the sort keys with a column of their own, else the column sorted on.
std::string sort_key_words(const RecommendReport& r) {
  if (r.sort == "value") return fmt::format("value: decode tok/s per 1,000 {} of hardware price, highest first", r.cost.currency);
  if (r.sort == "efficiency") return "efficiency: decode tok/s per watt, highest first";
  if (r.sort == "fastest") return "fastest: Decode [tok/s], highest first";
  return "cheapest: Price, lowest first";
}

Table options_table(const RecommendReport& r) {
  const std::optional<SortColumn> key = sort_column(r);
  std::vector<Column> columns = {{"Hardware", Align::left},
                                 {"Memory [GiB] used/total", Align::right},
                                 {"Verdict", Align::left},
                                 {"Decode [tok/s]", Align::right},
                                 {"Prefill [tok/s]", Align::right},
                                 {fmt::format("Price [{}]", r.cost.currency), Align::right}};
  if (key) columns.push_back({key->header, Align::right});
  columns.push_back({"Decode [W]", Align::right});
  columns.push_back({fmt::format("Month [{}]", r.cost.currency), Align::right});
  columns.push_back({fmt::format("1M tok [{}]", r.cost.currency), Align::right});
  Table table(columns);
  for (const RecommendOption& o : r.options) {
    const SpeedResult& sp = o.eval.speed;
    std::vector<std::string> row = {o.label, fmt::format("{}/{}", gib(o.used_bytes), gib(o.memory_bytes)),
                                    to_string(o.eval.placement.verdict), decode_cell(sp),
                                    fmt::format("{:.0f} ({:.0f}–{:.0f})", sp.prefill_tokens_per_s, sp.prefill_low, sp.prefill_high),
                                    price_cell(o.hardware.price_parts, r.cost.currency)};
    if (key) row.push_back(key->cell(o));
    row.push_back(fmt::format("{:.0f}", o.eval.power.watts_decode));
    row.push_back(fmt::format("{:.2f}", o.eval.cost.monthly_cost));
    row.push_back(fmt::format("{:.3f}", o.eval.cost.cost_per_mtok));
    table.add_row(row);
  }
  return table;
}

Json option_json(const RecommendOption& o, const std::string& currency) {
  const SpeedResult& sp = o.eval.speed;
  const std::optional<double> price = o.hardware.price();
  const std::optional<double> v = value(o);
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
          {"price", price ? Json(*price) : Json(nullptr)},
          {"price_basis", price_basis_json(o.hardware.price_parts)},
          {"price_parts", price_parts_json(o.hardware.price_parts, currency)},
          {"value_tokens_per_s_per_1k", v ? Json(*v) : Json(nullptr)},
          {"efficiency_tokens_per_s_per_watt", efficiency(o)},
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

std::optional<double> value(const RecommendOption& o) {
  const std::optional<double> price = o.hardware.price();
  if (!price || *price <= 0) return std::nullopt;
  return o.eval.speed.decode_tokens_per_s / *price * 1000;
}

double efficiency(const RecommendOption& o) {
  return o.eval.speed.decode_tokens_per_s / std::max(o.eval.power.watts_decode, 1.0);
}

std::string recommend_text(const RecommendReport& r, const Style& style) {
  const Sizing& s = r.sizing;
  std::string text = s.model_note.empty() ? "" : s.model_note + "\n";
  text += fmt::format("{} · {} · {} GB of weights · context {} tokens · KV {}\n", s.model->meta.name, s.quant->meta.name,
                      gb(s.weights.total_bytes), s.kv.context_tokens, s.kv.type_k->meta.name);
  text += fmt::format("{} of {} configurations run it entirely in GPU / unified / system memory; top {}, sorted by {}\n\n",
                      r.matching, r.candidates, r.options.size(), sort_key_words(r));
  text += options_table(r).text(style.color);
  text += fmt::format("\nDecode is at the start of a conversation (llama-bench tg128), with the likely range; the month assumes {}.\n"
                      "Prices are yours (--price, the prices file) or the launch MSRP in USD of the year shown (docs/prices.md).\n"
                      "`llmsize check` shows one build in detail.\n",
                      usage_profile(r.cost));
  if (style.explain) text += kHow + assumptions_text(r.assumptions);
  return text;
}

Json recommend_json(const RecommendReport& r) {
  Json inputs = inputs_json(r.sizing);
  inputs["max_gpus"] = r.max_gpus;
  inputs["sort"] = r.sort;
  inputs["currency"] = r.cost.currency;
  inputs["prices"] = prices_json(r.prices);
  Json options = Json::array();
  for (const RecommendOption& o : r.options) options.push_back(option_json(o, r.cost.currency));
  Json result = {{"model", model_json(r.sizing)}, {"quant", quant_json(r.sizing)},
                 {"context_tokens", r.sizing.kv.context_tokens}, {"matching", r.matching}, {"options", options}};
  return envelope("recommend", inputs, result, assumptions_json(r.assumptions));
}

std::string recommend_csv(const RecommendReport& r) { return options_table(r).csv(); }

}  // namespace llmsize::cli
