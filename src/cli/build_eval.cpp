#include "build_eval.h"

#include <fmt/format.h>

#include "number_checks.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

void add_cost_options(CLI::App* cmd, CostOptions& o) {
  cmd->add_option("--price-per-kwh", o.price_per_kwh, fmt::format("Electricity price per kWh (default {})", defaults::kPricePerKwh))
      ->check(between(0, 100));
  cmd->add_option("--currency", o.currency,
                  fmt::format("Currency of the prices you give (--price-per-kwh, --api-price, --price; default {}); "
                              "launch prices are USD and are not converted",
                              defaults::kCurrency));
  cmd->add_option("--hours-per-day", o.hours_per_day, fmt::format("Hours per day the machine is on (default {})", defaults::kHoursPerDay))
      ->check(between(0, 24));
  cmd->add_option("--utilisation", o.utilisation,
                  fmt::format("Share of those hours spent generating, 0..1 (default {})", defaults::kUtilisation))
      ->check(between(0, 1));
  cmd->add_option("--api-price", o.api_price_per_mtok, "An API's price per 1M output tokens, to compare and find break-even")
      ->check(at_least(0));
  add_price_option(cmd, o.prices);
}

void add_price_option(CLI::App* cmd, std::vector<std::string>& prices) {
  cmd->add_option("--price", prices,
                  "What a part costs you, in the --currency: ID=PRICE (rtx-3090=700; repeatable; any GPU, system or "
                  "CPU id or alias); replaces its launch MSRP and the prices file's line (docs/prices.md)")
      ->type_name("ID=PRICE");
}

std::string usage_profile(const CostOptions& cost) {
  return fmt::format("{:g} h/day, {:g}% generating at {:.2f} {}/kWh", cost.hours_per_day, cost.utilisation * 100,
                     cost.price_per_kwh, cost.currency);
}

std::optional<Assumption> usage_assumption(const CLI::App& cmd, const CostOptions& cost) {
  const bool all_given = cmd.count("--hours-per-day") > 0 && cmd.count("--utilisation") > 0 && cmd.count("--price-per-kwh") > 0;
  if (all_given) return std::nullopt;
  return Assumption{"usage", usage_profile(cost), AssumptionSource::default_value, ""};
}

std::vector<std::uint64_t> curve_depths(std::uint64_t context_tokens) {
  std::vector<std::uint64_t> depths = {0};
  for (std::uint64_t d = 1024; d <= context_tokens; d *= 2) depths.push_back(d);
  if (depths.back() != context_tokens) depths.push_back(context_tokens);
  return depths;
}

SpeedRequest speed_request(Context& ctx, const Sizing& s, const HardwareConfig& h, const Placement& p,
                           std::uint64_t prompt_tokens, const RunChoice& run) {
  SpeedRequest sr(*s.model, s.weights, s.kv, p, calibration(ctx));
  sr.devices = h.compute;
  sr.host = h.host;
  sr.prompt_tokens = prompt_tokens;
  sr.depth_tokens = run.depth_tokens;
  sr.engine = run.engine;
  sr.threads = run.threads;
  sr.tensor_parallel_link_bytes_per_s = h.tp_link_bytes_per_s;
  sr.tensor_parallel_link_latency_s = h.tp_link_latency_s;
  sr.device_nodes = h.device_nodes;
  sr.network = h.network;
  sr.params = s.params;
  sr.layer_summary = s.layer_summary;
  return sr;
}

PlacementRequest placement_request(const HardwareConfig& h, Offload offload, const PlacementChoice& choice,
                                   const std::vector<ExtraLoad>& extras) {
  PlacementRequest r;
  r.choice = choice;
  r.extras = extras;
  r.devices = h.devices;
  r.host_ram_bytes = h.host_ram_bytes;
  r.unified_memory = h.unified;
  r.split = h.split;
  r.cpu_repack = h.cpu_repack;
  r.allow_offload = offload == Offload::allowed;
  return r;
}

BuildEval evaluate_build(Context& ctx, const Sizing& s, const HardwareConfig& h, std::uint64_t prompt_tokens,
                         const CostOptions& cost, DecodeCurve curve, Offload offload, const RunChoice& run) {
  BuildEval e;
  e.placement = place(*s.model, s.weights, s.cache, placement_request(h, offload, run.placement, run.extras));
  if (e.placement.reason == PlacementReason::experts_in_ram && !e.placement.chosen_by_user) {
    // Experts in RAM against whole layers in RAM: keep the faster decode, report the other.
    PlacementRequest layers = placement_request(h, offload, run.placement, run.extras);
    layers.allow_expert_offload = false;
    Placement alt = place(*s.model, s.weights, s.cache, layers);
    if (alt.verdict != Verdict::does_not_fit) {
      const SpeedResult mine = estimate_speed(speed_request(ctx, s, h, e.placement, prompt_tokens, run), {});
      const SpeedResult theirs = estimate_speed(speed_request(ctx, s, h, alt, prompt_tokens, run), {});
      const bool swap = theirs.decode_tokens_per_s > mine.decode_tokens_per_s;
      if (swap) std::swap(e.placement, alt);
      const SpeedResult& other = swap ? mine : theirs;
      e.alternative = OffloadAlternative{alt.reason, alt.gpu_layers, alt.n_cpu_moe, other.decode_tokens_per_s,
                                         other.prefill_tokens_per_s};
    }
  }

  const SpeedRequest sr = speed_request(ctx, s, h, e.placement, prompt_tokens, run);
  if (e.placement.verdict != Verdict::does_not_fit) {
    e.speed = estimate_speed(sr, curve == DecodeCurve::compute ? curve_depths(s.kv.context_tokens) : std::vector<std::uint64_t>{});
  }
  PowerInputs power = h.power;
  power.cpu_runs_layers = power.cpu_runs_layers || e.placement.host.layers > 0 || e.placement.n_cpu_moe > 0;
  for (const DeviceLoad& load : e.speed.device_loads) {
    power.decode_utilisation.push_back(load.decode_utilisation);
    power.prefill_utilisation.push_back(load.prefill_utilisation);
  }
  e.power = estimate_power(power);
  UsageProfile usage;
  usage.price_per_kwh = cost.price_per_kwh;
  usage.hours_per_day = cost.hours_per_day;
  usage.utilisation = cost.utilisation;
  e.cost = estimate_cost(e.power, e.speed.decode_tokens_per_s, usage, cost.api_price_per_mtok, h.price());
  if (h.storage != nullptr) {
    e.load_seconds = load_seconds(s.weights.total_bytes, h.storage->read_mb_per_s, h.devices.empty() ? 0 : h.gpu_link_bytes_per_s);
  }
  return e;
}

}  // namespace llmsize::cli
