#include "upgrade_advisor.h"

#include <fmt/format.h>

#include <algorithm>

#include "hardware_defaults.h"
#include "llmsize/units.h"
#include "render.h"
#include "wording.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

// What an upgrade is evaluated against: the model, the usage, and the machine now.
struct Advisor {
  Context& ctx;
  const Sizing& s;
  const CostOptions& cost;
  std::uint64_t prompt_tokens;
  const MachineSpec& now;
};

// "Memory used/total" of a row: the devices and the host's RAM together (engine totals, with_host).
void add_totals(UpgradeOption& r) {
  const MemoryTotals t = totals(r.eval.placement).with_host;
  r.used_bytes = t.used_bytes;
  r.memory_bytes = t.capacity_bytes;
}

UpgradeOption evaluate(const Advisor& a, UpgradeOption r, const MachineSpec& spec) {
  r.hardware = spec_config(a.ctx, spec);
  r.eval = evaluate_build(a.ctx, a.s, r.hardware, a.prompt_tokens, a.cost, DecodeCurve::skip);
  add_totals(r);
  return r;
}

// RAM in use by other programs now (MemTotal − what placement may use); an upgrade keeps it in use.
std::uint64_t ram_in_use(const HostSpec& host) {
  return host.ram_total_bytes - std::min(host.ram_total_bytes, host.ram_bytes.value_or(host.ram_total_bytes));
}

// A second card like the first.
std::optional<UpgradeOption> second_gpu(const Advisor& a) {
  if (a.now.gpus.empty()) return std::nullopt;
  MachineSpec two = a.now;
  const Gpu& g = *a.now.gpus.front().gpu;
  two.gpus.push_back({&g, units::gib_to_bytes(g.memory_gib), Origin::added});
  UpgradeOption r;
  r.kind = UpgradeKind::add_gpu;
  r.gpu = &g;
  return evaluate(a, r, two);
}

// The cheapest desktop catalog GPU that holds the whole model, in place of the current ones (or added).
std::optional<UpgradeOption> cheapest_gpu(const Advisor& a) {
  std::optional<UpgradeOption> cheapest;
  for (const Gpu& g : a.ctx.catalog.gpus) {
    const std::optional<PricedPart> price = price_part(a.ctx.prices, g.meta.id, g.launch_price_usd, g.launch_year);
    if (!price || g.form_factor != FormFactor::desktop) continue;
    if (cheapest && price->unit_price >= cheapest->hardware.price().value_or(0)) continue;
    MachineSpec one = a.now;
    one.gpus = {{&g, units::gib_to_bytes(g.memory_gib), Origin::added}};
    UpgradeOption r;
    r.kind = a.now.gpus.empty() ? UpgradeKind::add_gpu : UpgradeKind::replace_gpu;
    r.gpu = &g;
    r.cheapest_that_holds = true;
    r = evaluate(a, r, one);
    if (r.eval.placement.verdict == Verdict::fits) cheapest = std::move(r);
  }
  return cheapest;
}

// The smallest RAM total on the ladder (up to the CPU's maximum) that makes it run.
std::optional<UpgradeOption> more_ram(const Advisor& a) {
  const HostSpec& host = a.now.host;
  for (const std::uint64_t size_gib : kRamLadderGib) {
    const std::uint64_t size = size_gib * units::kGiB;
    if (size <= host.ram_total_bytes) continue;
    if (host.cpu != nullptr && host.cpu->max_memory_gib && static_cast<double>(size_gib) > *host.cpu->max_memory_gib) break;
    MachineSpec more = a.now;
    more.host.ram_total_bytes = size;
    more.host.ram_bytes = size - ram_in_use(host);
    UpgradeOption r;
    r.kind = UpgradeKind::add_ram;
    r.ram_total_bytes = size;
    r.ram_added_bytes = size - host.ram_total_bytes;
    r = evaluate(a, r, more);
    if (r.runs()) return r;
  }
  return std::nullopt;
}

// The CPU's fastest RAM kind in every channel, when that is faster than what is fitted now.
std::optional<UpgradeOption> faster_ram(const Advisor& a) {
  const HostSpec& host = a.now.host;
  const RamKind* fastest = fastest_ram_kind(a.ctx.catalog, *host.cpu);
  if (fastest == nullptr || host.ram_kind.transfer_rate_mt_per_s == 0) return std::nullopt;
  const std::uint32_t channels = cpu_ram_channels(*host.cpu, *fastest);
  const double now_bytes_per_s = ram_bandwidth_bytes_per_s(host.ram_kind, std::max<std::uint32_t>(1, host.channels));
  const double faster_bytes_per_s = ram_bandwidth_bytes_per_s(*fastest, channels);
  if (faster_bytes_per_s <= now_bytes_per_s) return std::nullopt;
  UpgradeOption r;
  r.kind = UpgradeKind::faster_ram;
  r.ram_kind = fastest;
  r.channels = channels;
  r.bandwidth_ratio = faster_bytes_per_s / now_bytes_per_s;
  MachineSpec faster = a.now;
  faster.host.ram_kind = *fastest;
  faster.host.channels = channels;
  if (host.measured_bandwidth_bytes_per_s) faster.host.measured_bandwidth_bytes_per_s = *host.measured_bandwidth_bytes_per_s * r.bandwidth_ratio;
  return evaluate(a, r, faster);
}

// The same unified machine with the smallest larger memory option that holds it all.
std::optional<UpgradeOption> bigger_unified(const Advisor& a) {
  const UnifiedSystem& system = *a.now.system;
  for (const MemoryOption& option : system.memory_options) {
    const std::uint64_t size = units::gib_to_bytes(option.memory_gib);
    if (size <= a.now.host.ram_total_bytes) continue;
    MachineSpec bigger = a.now;
    bigger.host.ram_total_bytes = size;
    bigger.host.ram_bytes = size - ram_in_use(a.now.host);
    bigger.unified_gpu_bytes = unified_gpu_bytes(system, *bigger.host.ram_bytes);
    bigger.system_price_usd = option.price_usd;
    UpgradeOption r;
    r.kind = UpgradeKind::more_memory;
    r.system = &system;
    r.memory_gib = option.memory_gib;
    r.ram_total_bytes = size;
    r = evaluate(a, r, bigger);
    if (r.eval.placement.verdict == Verdict::fits) return r;
  }
  return std::nullopt;
}

void add(std::vector<UpgradeOption>& options, std::optional<UpgradeOption> option) {
  if (option) options.push_back(std::move(*option));
}

}  // namespace

const char* to_string(UpgradeKind kind) {
  switch (kind) {
    case UpgradeKind::now: return "now";
    case UpgradeKind::add_gpu: return "add_gpu";
    case UpgradeKind::replace_gpu: return "replace_gpu";
    case UpgradeKind::add_ram: return "add_ram";
    case UpgradeKind::faster_ram: return "faster_ram";
    case UpgradeKind::more_memory: return "more_memory";
  }
  return "now";
}

UpgradeAdvice advise_upgrades(Context& ctx, const Sizing& s, const MachineSpec& spec, const CostOptions& cost,
                              std::uint64_t prompt_tokens) {
  const Advisor a{ctx, s, cost, prompt_tokens, spec};
  UpgradeAdvice advice;
  advice.currency = cost.currency;
  advice.prices = ctx.prices;
  advice.options.push_back(evaluate(a, UpgradeOption{}, spec));
  const Placement now = advice.now().eval.placement;  // a copy: options grows below
  const bool host_works = now.host.layers > 0 || now.n_cpu_moe > 0 || now.devices.empty() || now.verdict == Verdict::does_not_fit;
  if (spec.system == nullptr) {
    add(advice.options, second_gpu(a));
    add(advice.options, cheapest_gpu(a));
    if (now.verdict == Verdict::does_not_fit) add(advice.options, more_ram(a));
    if (spec.host.cpu != nullptr && host_works) add(advice.options, faster_ram(a));
  } else if (now.verdict != Verdict::fits) {
    add(advice.options, bigger_unified(a));
  }
  return advice;
}

std::string change_text(const UpgradeOption& r) {
  const char* cheapest = " (the cheapest catalog GPU that holds it all)";
  switch (r.kind) {
    case UpgradeKind::now: return "as it is";
    case UpgradeKind::add_gpu:
      return r.cheapest_that_holds ? "add " + r.gpu->meta.name + cheapest : "add a second " + r.gpu->meta.name;
    case UpgradeKind::replace_gpu: return "replace the GPU with " + r.gpu->meta.name + cheapest;
    case UpgradeKind::add_ram:
      return fmt::format("{} GiB of RAM in total (+{} GiB)", r.ram_total_bytes / units::kGiB, gib(r.ram_added_bytes));
    case UpgradeKind::faster_ram:
      return fmt::format("{} in all {} channels ({:.2f}× the RAM bandwidth)", r.ram_kind->meta.name, r.channels,
                         r.bandwidth_ratio);
    case UpgradeKind::more_memory: return fmt::format("the {} with {:.0f} GB instead", r.system->meta.name, r.memory_gib);
  }
  return "";
}

namespace {

std::string adds_text(const UpgradeOption& r, const std::string& currency) {
  if (r.kind == UpgradeKind::now) return "0";
  return price_cell(r.hardware.price_parts, currency);
}

Json option_json(const UpgradeOption& r, const std::string& currency) {
  const auto& sp = r.eval.speed;
  const bool ok = r.runs();
  return {{"option", to_string(r.kind)},
          {"change", change_text(r)},
          {"hardware", hardware_label(r.hardware)},
          {"devices", hardware_json(r.hardware)},
          {"verdict", to_string(r.eval.placement.verdict)},
          {"reason", reason_text(r.eval.placement)},
          {"reason_code", to_string(r.eval.placement.reason)},
          {"used_bytes", r.used_bytes},
          {"memory_bytes", r.memory_bytes},
          {"decode_tokens_per_s", ok ? Json(sp.decode_tokens_per_s) : Json(nullptr)},
          {"decode_low", ok ? Json(sp.decode_low) : Json(nullptr)},
          {"decode_high", ok ? Json(sp.decode_high) : Json(nullptr)},
          {"prefill_tokens_per_s", ok ? Json(sp.prefill_tokens_per_s) : Json(nullptr)},
          {"price", r.hardware.price() ? Json(*r.hardware.price()) : Json(nullptr)},
          {"price_basis", price_basis_json(r.hardware.price_parts)},
          {"price_parts", price_parts_json(r.hardware.price_parts, currency)}};
}

Table options_table(const UpgradeAdvice& advice) {
  Table table({{"Option", Align::left},
               {"Memory [GiB] used/total", Align::right},
               {"Verdict", Align::left},
               {"Decode [tok/s]", Align::right},
               {"Prefill [tok/s]", Align::right},
               {fmt::format("Adds [{}]", advice.currency), Align::right}});
  for (const UpgradeOption& r : advice.options) {
    const auto& sp = r.eval.speed;
    const bool ok = r.runs();
    table.add_row({change_text(r), fmt::format("{}/{}", gib(r.used_bytes), gib(r.memory_bytes)),
                   to_string(r.eval.placement.verdict),
                   ok ? fmt::format("{:.1f} ({:.1f}–{:.1f})", sp.decode_tokens_per_s, sp.decode_low, sp.decode_high) : "–",
                   ok ? fmt::format("{:.0f}", sp.prefill_tokens_per_s) : "–", adds_text(r, advice.currency)});
  }
  return table;
}

// "It runs now, entirely in GPU memory, at 95.1 tok/s." and the like.
std::string verdict_sentence(const UpgradeOption& now) {
  const Placement& p = now.eval.placement;
  if (p.verdict == Verdict::fits) {
    return fmt::format("It runs now, entirely in {} memory, at {:.1f} tok/s.", p.devices.empty() ? "system" : "GPU",
                       now.eval.speed.decode_tokens_per_s);
  }
  if (now.runs()) {
    return fmt::format("It runs now with {:.0f}% of the weights in system RAM, at {:.1f} tok/s.",
                       p.offloaded_weight_fraction * 100, now.eval.speed.decode_tokens_per_s);
  }
  return "It does not fit now" + (p.reason == PlacementReason::none ? std::string(".") : ": " + reason_text(p) + ".");
}

}  // namespace

std::string upgrades_text(const Sizing& s, const UpgradeAdvice& advice, const Style& style) {
  const UpgradeOption& now = advice.now();
  std::string text = s.model_note.empty() ? "" : s.model_note + "\n";
  text += fmt::format("{} · {} · {} GB of weights · context {} tokens · KV {}\n", s.model->meta.name, s.quant->meta.name,
                      gb(s.weights.total_bytes), s.kv.context_tokens, s.kv.type_k->meta.name);
  text += fmt::format("on {}\n\n", hardware_label(now.hardware));
  text += verdict_sentence(now);
  text += advice.options.size() > 1 ? " What adding or replacing parts would do:\n\n" : "\n\n";
  text += options_table(advice).text(style.color);
  text += "\nDecode is at the start of a conversation, with the likely range; \"Adds\" is the price of the new part: yours\n"
          "(--price, the prices file) or its launch MSRP (\"?\": RAM prices vary). `llmsize check --this-machine` shows\n"
          "the placement in detail.\n";
  if (style.explain) text += assumptions_text(advice_assumptions(s, advice));
  return text;
}

std::string upgrades_csv(const UpgradeAdvice& advice) { return options_table(advice).csv(); }

Json upgrades_json(const Sizing& s, const UpgradeAdvice& advice) {
  const UpgradeOption& now = advice.now();
  Json options = Json::array();
  for (const UpgradeOption& r : advice.options) options.push_back(option_json(r, advice.currency));
  Json inputs = inputs_json(s);
  inputs["this_machine"] = true;
  inputs["currency"] = advice.currency;
  inputs["prices"] = prices_json(advice.prices);
  inputs["hardware"] = hardware_json(now.hardware);
  Json result = {{"model", model_json(s)}, {"quant", quant_json(s)}, {"context_tokens", s.kv.context_tokens},
                 {"this_machine", hardware_label(now.hardware)}, {"runs_now", now.runs()}, {"options", options}};
  return envelope("recommend", inputs, result, assumptions_json(advice_assumptions(s, advice)));
}

Assumptions advice_assumptions(const Sizing& s, const UpgradeAdvice& advice) {
  Assumptions all = s.assumptions;
  append(all, advice.now().hardware.assumptions);
  return all;
}

namespace {

class UpgradesResult final : public Result {
 public:
  UpgradesResult(Sizing s, UpgradeAdvice advice) : s_(std::move(s)), advice_(std::move(advice)) {}
  [[nodiscard]] std::string text(const Style& style) const override { return upgrades_text(s_, advice_, style); }
  [[nodiscard]] Json json() const override { return upgrades_json(s_, advice_); }
  [[nodiscard]] std::string csv() const override { return upgrades_csv(advice_); }
  [[nodiscard]] int exit_code() const override { return advice_.now().runs() ? kExitOk : kExitDoesNotFit; }

 private:
  Sizing s_;
  UpgradeAdvice advice_;
};

}  // namespace

std::unique_ptr<Result> recommend_for_this_machine(Context& ctx, const SizingOptions& sizing, const CostOptions& cost,
                                                   std::uint64_t prompt_tokens) {
  use_machine_profile(ctx);  // predictions about this machine: the user's calibrate factors apply
  Sizing s = resolve_sizing(ctx, sizing);
  const machine::Detection d = detect_this_machine();
  const MachineSpec spec = machine_spec(ctx.catalog, d, machine::match_machine(ctx.catalog, d));
  UpgradeAdvice advice = advise_upgrades(ctx, s, spec, cost, prompt_tokens);
  return std::make_unique<UpgradesResult>(std::move(s), std::move(advice));
}

}  // namespace llmsize::cli
