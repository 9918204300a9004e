// llmsize hardware [--kind gpu|system|cpu|ram|storage|link] [--vendor V] [--min-memory 24GB]
#include <fmt/format.h>

#include "build_eval.h"
#include "hardware_config.h"
#include "llmsize/engine/speed.h"
#include "llmsize/units.h"
#include "pipeline.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

struct HardwareListOptions {
  std::string kind;
  std::string vendor;
  std::string min_memory;
  std::string form_factor;
  std::vector<std::string> prices;  ///< --price ID=PRICE
};

struct Item {
  std::string id, name, kind, vendor, form;
  std::uint64_t memory_bytes = 0;
  double bandwidth_gb_per_s = 0;
  double tdp_watts = 0;
  std::optional<double> price_usd;  ///< the catalog's launch MSRP (a system: its smallest memory option's)
  std::uint32_t launch_year = 0;
  std::string extra;
  std::vector<PricedPart> price;  ///< the user's price, else the launch MSRP; empty when neither is known
};

// "8 cores, 2 channels" for DDR channels; "4 cores, 2 × 16-bit channels" for a CPU counted in LPDDR channels.
std::string cores_and_channels(const Cpu& c) {
  if (c.memory_channel_width_bits == kDdrChannelBits) return fmt::format("{} cores, {} channels", c.cores, c.memory_channels);
  return fmt::format("{} cores, {} × {}-bit channels", c.cores, c.memory_channels, c.memory_channel_width_bits);
}

std::vector<Item> items(const catalog::Catalog& cat, const PriceBook& prices) {
  std::vector<Item> out;
  const auto priced = [&prices](Item item) {
    if (auto part = price_part(prices, item.id, item.price_usd, item.launch_year)) item.price.push_back(*part);
    return item;
  };
  for (const Gpu& g : cat.gpus) {
    out.push_back(priced({g.meta.id, g.meta.name, "gpu", g.vendor, to_string(g.form_factor), units::gib_to_bytes(g.memory_gib),
                          g.bandwidth_gb_per_s, g.tdp_watts, g.launch_price_usd, g.launch_year,
                          g.fp16_tensor_tflops ? fmt::format("{:.0f} TFLOPS FP16", *g.fp16_tensor_tflops) : "", {}}));
  }
  for (const UnifiedSystem& s : cat.systems) {
    std::string sizes;
    for (const auto& m : s.memory_options) sizes += (sizes.empty() ? "" : "/") + fmt::format("{:.0f}", m.memory_gib);
    out.push_back(priced({s.meta.id, s.meta.name, "system", s.vendor, to_string(s.form_factor),
                          units::gib_to_bytes(s.memory_options.back().memory_gib), s.bandwidth_gb_per_s, s.tdp_watts,
                          s.memory_options.front().price_usd, s.launch_year, sizes + " GB", {}}));
  }
  for (const Cpu& c : cat.cpus) {
    const RamKind* fastest = fastest_ram_kind(cat, c);
    const double bw = fastest == nullptr ? 0 : units::bytes_per_s_to_gb_per_s(ram_bandwidth_bytes_per_s(*fastest, cpu_ram_channels(c, *fastest)));
    out.push_back(priced({c.meta.id, c.meta.name, "cpu", c.vendor, to_string(c.form_factor),
                          c.max_memory_gib ? units::gib_to_bytes(*c.max_memory_gib) : 0, bw, c.tdp_watts, c.launch_price_usd,
                          c.launch_year, cores_and_channels(c), {}}));
  }
  for (const RamKind& r : cat.ram_kinds) {
    out.push_back({r.meta.id, r.meta.name, "ram", "", "", 0, units::bytes_per_s_to_gb_per_s(ram_bandwidth_bytes_per_s(r, 1)), 0, std::nullopt,
                   0, fmt::format("per {}-bit channel", r.channel_width_bits), {}});
  }
  for (const StorageKind& s : cat.storage) {
    out.push_back({s.meta.id, s.meta.name, "storage", "", "", 0, s.read_mb_per_s / 1000, 0, std::nullopt, 0, "sequential read", {}});
  }
  for (const Link& l : cat.links) {
    out.push_back({l.meta.id, l.meta.name, "link", "", "", 0, l.bandwidth_gb_per_s, 0, std::nullopt, 0,
                   l.latency_us ? fmt::format("{:.1f} µs", *l.latency_us) : "", {}});
  }
  return out;
}

bool matches(const Item& it, const HardwareListOptions& o, std::uint64_t min_memory_bytes) {
  if (!o.kind.empty() && it.kind != o.kind) return false;
  if (!o.vendor.empty() && it.vendor != catalog::normalize_name(o.vendor)) return false;
  if (!o.form_factor.empty() && it.form != o.form_factor) return false;
  return min_memory_bytes == 0 || it.memory_bytes >= min_memory_bytes;
}

/// The catalog's hardware that passed the filters.
struct HardwareList {
  HardwareListOptions options;
  std::uint64_t min_memory_bytes = 0;
  std::vector<Item> items;
  PriceBook prices;  ///< the user's prices in force
};

class HardwareResult final : public Result {
 public:
  explicit HardwareResult(HardwareList l) : l_(std::move(l)) {}

  [[nodiscard]] std::string text(const Style& style) const override { return table().text(style.color); }
  [[nodiscard]] std::string csv() const override { return table().csv(); }

  [[nodiscard]] Json json() const override {
    Json list = Json::array();
    for (const Item& it : l_.items) {
      list.push_back({{"id", it.id}, {"name", it.name}, {"kind", it.kind}, {"vendor", it.vendor},
                      {"memory_bytes", it.memory_bytes}, {"bandwidth_gb_per_s", it.bandwidth_gb_per_s},
                      {"tdp_watts", it.tdp_watts}, {"price_usd", it.price_usd ? Json(*it.price_usd) : Json(nullptr)},
                      {"launch_year", it.launch_year == 0 ? Json(nullptr) : Json(it.launch_year)},
                      {"price", it.price.empty() ? Json(nullptr) : Json(it.price.front().unit_price)},
                      {"price_basis", price_basis_json(it.price)}});
    }
    Json inputs = {{"kind", l_.options.kind}, {"vendor", l_.options.vendor}, {"min_memory_bytes", l_.min_memory_bytes},
                   {"prices", prices_json(l_.prices)}};
    return envelope("hardware", std::move(inputs), {{"items", list}}, Json::array());
  }

  /// 1 when the filters leave nothing.
  [[nodiscard]] int exit_code() const override { return l_.items.empty() ? kExitDoesNotFit : kExitOk; }

 private:
  [[nodiscard]] Table table() const {
    Table t({{"Id", Align::left}, {"Name", Align::left}, {"Kind", Align::left}, {"Memory [GiB]", Align::right},
             {"Bandwidth [GB/s]", Align::right}, {"TDP [W]", Align::right}, {"Price [USD]", Align::right},
             {"Notes", Align::left}});
    for (const Item& it : l_.items) {
      t.add_row({it.id, it.name, it.kind, it.memory_bytes ? gib(it.memory_bytes) : "", fixed(it.bandwidth_gb_per_s, 1),
                 it.tdp_watts > 0 ? fixed(it.tdp_watts, 0) : "", it.price.empty() ? "" : price_cell(it.price, "USD"), it.extra});
    }
    return t;
  }

  HardwareList l_;
};

std::unique_ptr<Result> run_hardware(const Context& ctx, const HardwareListOptions& o) {
  HardwareList l{o, o.min_memory.empty() ? 0 : parse_memory(o.min_memory, "--min-memory"), {},
                 load_prices(ctx.catalog, o.prices)};
  for (Item& it : items(ctx.catalog, l.prices)) {
    if (matches(it, o, l.min_memory_bytes)) l.items.push_back(std::move(it));
  }
  return std::make_unique<HardwareResult>(std::move(l));
}

}  // namespace

CommandSpec hardware_command() {
  return {"hardware", "List catalog hardware: GPUs, unified-memory systems, CPUs, RAM, storage, links", true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<HardwareListOptions>();
            cmd.add_option("--kind", o->kind, "gpu, system, cpu, ram, storage or link")
                ->check(CLI::IsMember({"gpu", "system", "cpu", "ram", "storage", "link"}));
            cmd.add_option("--vendor", o->vendor, "nvidia, amd, intel, apple, ...");
            cmd.add_option("--form-factor", o->form_factor, "desktop, laptop, server or sbc");
            cmd.add_option("--min-memory", o->min_memory, "At least this much memory (24GB; GB means GiB here)");
            add_price_option(&cmd, o->prices);
            return [o](Context& ctx) { return run_hardware(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
