#pragma once
// `recommend --this-machine --model X`: does it run on the detected machine now, and what adding or
// replacing one part would do. advise_upgrades computes the options as data; render_upgrades only
// formats them (text, CSV, JSON).
#include <cstdint>
#include <string>
#include <vector>

#include "build_eval.h"
#include "pipeline.h"
#include "this_machine.h"

namespace llmsize::cli {

enum class UpgradeKind {
  now,          ///< the machine as it is
  add_gpu,      ///< a second card like the first, or (no GPU now) the cheapest card that holds it all
  replace_gpu,  ///< the cheapest catalog card that holds it all, in place of the current ones
  add_ram,      ///< the smallest RAM total on kRamLadderGib that makes it run
  faster_ram,   ///< the CPU's fastest RAM kind in all its channels
  more_memory,  ///< a unified machine's smallest larger memory option that holds it all
};

/// The JSON `option` value: "now", "add_gpu", ...
[[nodiscard]] const char* to_string(UpgradeKind kind);

/// One option, with what it changes as data and its evaluation.
struct UpgradeOption {
  UpgradeKind kind = UpgradeKind::now;
  const engine::Gpu* gpu = nullptr;                 ///< add_gpu / replace_gpu: the card
  bool cheapest_that_holds = false;         ///< add_gpu / replace_gpu: the cheapest catalog card that fits
  std::uint64_t ram_total_bytes = 0;        ///< add_ram: the new total; more_memory: the option's size
  std::uint64_t ram_added_bytes = 0;        ///< add_ram: above today's MemTotal
  const engine::RamKind* ram_kind = nullptr;        ///< faster_ram: the kind
  std::uint32_t channels = 0;               ///< faster_ram: populated channels
  double bandwidth_ratio = 1;               ///< faster_ram: new / current RAM bandwidth
  const engine::UnifiedSystem* system = nullptr;    ///< more_memory: the machine
  double memory_gib = 0;                    ///< more_memory: the option (GB as sold, GiB in fact)
  HardwareConfig hardware;
  BuildEval eval;
  std::uint64_t used_bytes = 0;             ///< devices' used bytes plus the host's
  std::uint64_t memory_bytes = 0;           ///< devices' memory plus the host's available RAM
  [[nodiscard]] bool runs() const { return eval.placement.verdict != engine::Verdict::does_not_fit; }
};

/// The machine now (options[0]) and each upgrade that was found, in a fixed order.
struct UpgradeAdvice {
  std::vector<UpgradeOption> options;
  std::string currency;  ///< --currency: the unit of the user's prices
  PriceBook prices;      ///< the user's prices in force (inputs.prices)
  [[nodiscard]] const UpgradeOption& now() const { return options.front(); }
};

/// Evaluates the machine in `spec` and its upgrades for the model in `s`.
[[nodiscard]] UpgradeAdvice advise_upgrades(Context& ctx, const Sizing& s, const MachineSpec& spec,
                                            const CostOptions& cost, std::uint64_t prompt_tokens);

/// "add a second GeForce RTX 4090", "64 GiB of RAM in total (+32.00 GiB)", ...
[[nodiscard]] std::string change_text(const UpgradeOption& option);

/// The advice rendered: text, the options table as CSV, the `recommend` JSON envelope (docs/json.md).
[[nodiscard]] std::string upgrades_text(const Sizing& s, const UpgradeAdvice& advice, const Style& style);
[[nodiscard]] std::string upgrades_csv(const UpgradeAdvice& advice);
[[nodiscard]] Json upgrades_json(const Sizing& s, const UpgradeAdvice& advice);
/// The sizing's assumptions and the machine's.
[[nodiscard]] Assumptions advice_assumptions(const Sizing& s, const UpgradeAdvice& advice);

/// `recommend --this-machine --model X`: detects and advises, pricing what it adds from `ctx.prices` (loaded
/// by the caller); the result's exit code is 0 when the model runs now, else 1.
[[nodiscard]] std::unique_ptr<Result> recommend_for_this_machine(Context& ctx, const SizingOptions& sizing,
                                                                 const CostOptions& cost, std::uint64_t prompt_tokens);

}  // namespace llmsize::cli
