#pragma once
// One model on one hardware configuration: placement, speed, power and cost together.
#include <optional>

#include "assumption.h"
#include "defaults.h"
#include "hardware_config.h"
#include "run_options.h"
#include "sizing.h"

namespace llmsize::cli {

struct CostOptions {
  double price_per_kwh = defaults::kPricePerKwh;
  std::string currency = defaults::kCurrency;
  double hours_per_day = defaults::kHoursPerDay;
  double utilisation = defaults::kUtilisation;
  std::optional<double> api_price_per_mtok;
  std::vector<std::string> prices;  ///< --price ID=PRICE, as given (load_prices resolves them)
};

/// Binds --price-per-kwh, --currency, --hours-per-day, --utilisation, --api-price and --price.
void add_cost_options(CLI::App* cmd, CostOptions& o);

/// Binds --price ID=PRICE (repeatable) alone, for commands without a usage profile (hardware).
void add_price_option(CLI::App* cmd, std::vector<std::string>& prices);

/// The usage profile in words: "24 h/day, 100% generating at 0.16 USD/kWh".
[[nodiscard]] std::string usage_profile(const CostOptions& cost);
/// The `usage` assumption, when `cmd` (parsed, with add_cost_options) left out --hours-per-day,
/// --utilisation or --price-per-kwh; nothing when all three were given.
[[nodiscard]] std::optional<Assumption> usage_assumption(const CLI::App& cmd, const CostOptions& cost);

/// The offload llmsize did not choose for a MoE model that needs RAM: whole layers in RAM when it chose
/// experts in RAM, or the other way round; the faster one (decode) is the placement.
struct OffloadAlternative {
  engine::PlacementReason reason = engine::PlacementReason::none;
  std::uint32_t gpu_layers = 0;
  std::uint32_t n_cpu_moe = 0;
  double decode_tokens_per_s = 0;
  double prefill_tokens_per_s = 0;
};

struct BuildEval {
  engine::Placement placement;
  std::optional<OffloadAlternative> alternative;  ///< MoE with offload, placement not given
  engine::SpeedResult speed;
  engine::PowerResult power;
  engine::CostResult cost;
  double load_seconds = 0;
};

/// Default depths of the decode-over-context curve, up to the context.
[[nodiscard]] std::vector<std::uint64_t> curve_depths(std::uint64_t context_tokens);

/// Whether the decode-over-context curve is computed (check, speed) or only the headline (lists).
enum class DecodeCurve { skip, compute };
/// Offload::forbidden judges only "fits entirely" (recommend ranks those alone).
enum class Offload { allowed, forbidden };

/// The placement options on `h`: the one wiring from HardwareConfig to PlacementRequest (the model,
/// weights and KV cache go to place() beside it).
[[nodiscard]] engine::PlacementRequest placement_request(const HardwareConfig& h, Offload offload,
                                                        const engine::PlacementChoice& choice = {},
                                                        const std::vector<engine::ExtraLoad>& extras = {});

/// `run`: the -ngl / --n-cpu-moe / -ts / -t / -d / engine given (check, speed); default: llmsize chooses.
[[nodiscard]] BuildEval evaluate_build(Context& ctx, const Sizing& s, const HardwareConfig& h,
                                       std::uint64_t prompt_tokens, const CostOptions& cost, DecodeCurve curve,
                                       Offload offload = Offload::allowed, const RunChoice& run = {});

/// The engine's speed inputs for a placement on a configuration (the placement must outlive it).
[[nodiscard]] engine::SpeedRequest speed_request(Context& ctx, const Sizing& s, const HardwareConfig& h,
                                                 const engine::Placement& p, std::uint64_t prompt_tokens,
                                                 const RunChoice& run = {});

}  // namespace llmsize::cli
