// llmsize catalog validate FILE... | show | stats
#include <fmt/format.h>

#include "context.h"
#include "hardware_config.h"
#include "llmsize/machine/calibrate.h"
#include "render.h"

namespace llmsize::cli {
namespace {

struct ValidateOptions {
  std::vector<std::string> files;
};

void run_validate(Context& ctx, const ValidateOptions& o) {
  std::vector<catalog::SourceText> overlays;
  for (const std::string& path : o.files) overlays.push_back({path, read_file(path)});
  // The files are checked as overlays on the built-in catalog, so references to built-in ids resolve.
  const catalog::LoadResult loaded = catalog::load(catalog::embedded_files(), overlays);
  Json errors = Json::array();
  for (const auto& d : loaded.errors) errors.push_back(d.to_string());
  if (ctx.global.json) {
    Json result = {{"valid", loaded.ok()}, {"errors", errors}};
    ctx.out << envelope("catalog validate", {{"files", o.files}}, result, {}).dump(2) << "\n";
  } else {
    for (const auto& d : loaded.errors) ctx.err << d.to_string() << "\n";
    if (loaded.ok()) ctx.out << fmt::format("{} file(s) valid\n", o.files.size());
  }
  if (!loaded.ok()) {
    ctx.err << fmt::format("llmsize: error: {} catalog error(s)\n", loaded.errors.size());
    ctx.exit_code = 2;
  }
}

void run_show(Context& ctx) {
  ctx.load_catalog(true);  // again, keeping the merged JSON
  ctx.out << ctx.merged_catalog_json << "\n";
}

void run_stats(Context& ctx) {
  const auto& c = ctx.catalog;
  const std::vector<std::pair<std::string, std::size_t>> counts = {
      {"gpus", c.gpus.size()},           {"systems", c.systems.size()}, {"cpus", c.cpus.size()},
      {"ram_kinds", c.ram_kinds.size()}, {"storage", c.storage.size()}, {"links", c.links.size()},
      {"models", c.models.size()},       {"tensor_types", c.tensor_types.size()},
      {"quants", c.quants.size()},       {"benchmarks", c.benchmarks.size()}};
  Json result = Json::object();
  Table table({{"Collection", Align::left}, {"Entries", Align::right}});
  std::size_t hardware = c.gpus.size() + c.systems.size() + c.cpus.size();
  for (const auto& [name, n] : counts) {
    result[name] = n;
    table.add_row({name, std::to_string(n)});
  }
  result["hardware"] = hardware;
  table.add_row({"hardware (gpus + systems + cpus)", std::to_string(hardware)});
  emit(ctx, envelope("catalog stats", Json::object(), result, {}), ctx.global.csv ? table.csv() : table.text(ctx.color()));
}

void run_calibration(Context& ctx) {
  const auto points = machine::catalog_calibration_points(ctx.catalog);
  const Calibration& c = calibration(ctx);
  Table table({{"Backend", Align::left}, {"Bandwidth eff.", Align::right}, {"Per token [ms]", Align::right},
               {"Prefill eff.", Align::right}, {"Decode band", Align::right}, {"Prefill band", Align::right},
               {"Rows fit (tg/pp)", Align::right}});
  Json backends = Json::array();
  for (const Efficiency& e : c.backends) {
    table.add_row({to_string(e.backend), fixed(e.bandwidth_efficiency, 3), fixed(e.per_token_s * 1e3, 2),
                   fixed(e.prefill_efficiency, 3), fmt::format("{:.2f}–{:.2f}", e.decode_low, e.decode_high),
                   fmt::format("{:.2f}–{:.2f}", e.prefill_low, e.prefill_high),
                   fmt::format("{}/{}", e.decode_rows, e.prefill_rows)});
    backends.push_back({{"backend", to_string(e.backend)}, {"bandwidth_efficiency", e.bandwidth_efficiency},
                        {"per_token_s", e.per_token_s}, {"prefill_efficiency", e.prefill_efficiency},
                        {"decode_low", e.decode_low}, {"decode_high", e.decode_high}, {"prefill_low", e.prefill_low},
                        {"prefill_high", e.prefill_high}, {"decode_rows", e.decode_rows}, {"prefill_rows", e.prefill_rows}});
  }
  Table errors({{"Set", Align::left}, {"Test", Align::left}, {"Rows", Align::right}, {"Median abs. error", Align::right},
                {"Inside band", Align::right}});
  Json report = Json::array();
  for (const bool holdout : {false, true}) {
    for (const bool decode : {true, false}) {
      const ErrorReport r = evaluate(c, points, decode, holdout);
      errors.add_row({holdout ? "held back" : "fitted", decode ? "decode (tg)" : "prefill (pp)", std::to_string(r.rows),
                      fmt::format("{:.1f}%", r.median_abs_pct), fmt::format("{:.0f}%", 100 * r.within_band_share)});
      report.push_back({{"set", holdout ? "holdout" : "fit"}, {"test", decode ? "decode" : "prefill"}, {"rows", r.rows},
                        {"median_abs_pct", r.median_abs_pct}, {"within_band_share", r.within_band_share}});
    }
  }
  const std::string text = "Efficiency factors fitted on the catalog's llama-bench rows (set \"fit\")\n\n" +
                           table.text(ctx.color()) + "\nPrediction error\n\n" + errors.text(ctx.color());
  emit(ctx, envelope("catalog calibration", Json::object(), {{"backends", backends}, {"errors", report}}, {}), text);
}

}  // namespace

void add_catalog_command(CLI::App& app, Context& ctx) {
  CLI::App* cat = app.add_subcommand("catalog", "Validate, show and count catalog entries");
  cat->require_subcommand(1);
  cat->fallthrough();

  auto validate = std::make_shared<ValidateOptions>();
  CLI::App* v = cat->add_subcommand("validate", "Check catalog FILEs (types, ranges, unknown keys, references); exit 2 on any error");
  v->add_option("files", validate->files, "Catalog JSON files")->required()->type_name("FILE");
  v->fallthrough();
  v->callback([&ctx, validate]() { run_validate(ctx, *validate); });

  add_command(*cat, ctx, "show", "Print the merged catalog (built-in plus --catalog files) as JSON", run_show);
  add_command(*cat, ctx, "stats", "Count the entries of each collection", run_stats);
  add_command(*cat, ctx, "calibration",
              "Per-backend efficiency factors fitted on the benchmark rows, and the error on held-back rows", run_calibration);
}

}  // namespace llmsize::cli
