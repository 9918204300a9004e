// llmsize catalog validate FILE... | show | stats | calibration
#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "bench_cases.h"
#include "hardware_config.h"
#include "llmsize/machine/calibrate.h"
#include "pipeline.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

// --- catalog validate -----------------------------------------------------------------------------

class ValidateResult final : public Result {
 public:
  ValidateResult(std::vector<std::string> files, std::vector<std::string> errors)
      : files_(std::move(files)), errors_(std::move(errors)) {}

  [[nodiscard]] std::string text(const Style&) const override {
    return valid() ? fmt::format("{} file(s) valid\n", files_.size()) : "";
  }

  [[nodiscard]] Json json() const override {
    return envelope("catalog validate", {{"files", files_}}, {{"valid", valid()}, {"errors", errors_}}, Json::array());
  }

  /// `FILE: /pointer: problem`, one line each, then the count as an error line.
  [[nodiscard]] std::string diagnostics() const override {
    if (valid()) return "";
    std::string lines;
    for (const std::string& e : errors_) lines += e + "\n";
    return lines + fmt::format("llmsize: error: {} catalog error(s)\n", errors_.size());
  }

  [[nodiscard]] int exit_code() const override { return valid() ? kExitOk : kExitUsage; }

 private:
  [[nodiscard]] bool valid() const { return errors_.empty(); }

  std::vector<std::string> files_;
  std::vector<std::string> errors_;  ///< catalog::Diagnostic::to_string() of each problem found
};

std::unique_ptr<Result> run_validate(const std::vector<std::string>& files) {
  std::vector<catalog::SourceText> overlays;
  for (const std::string& path : files) overlays.push_back({path, read_file(path)});
  // The files are checked as overlays on the built-in catalog, so references to built-in ids resolve.
  const catalog::LoadResult loaded = catalog::load(catalog::embedded_files(), overlays);
  std::vector<std::string> errors;
  for (const auto& d : loaded.errors) errors.push_back(d.to_string());
  return std::make_unique<ValidateResult>(files, std::move(errors));
}

CommandSpec validate_command() {
  CommandSpec spec{"validate", "Check catalog FILEs (types, ranges, unknown keys, references); exit 2 on any error", false,
                   [](CLI::App& cmd) -> Runner {
                     auto files = std::make_shared<std::vector<std::string>>();
                     cmd.add_option("files", *files, "Catalog JSON files")->required()->type_name("FILE");
                     return [files](Context&) { return run_validate(*files); };
                   },
                   {}};
  // It checks FILEs on their own, so a broken --catalog or $LLMSIZE_CATALOG cannot stop it.
  spec.catalog_use = CatalogUse::none;
  return spec;
}

// --- catalog show ---------------------------------------------------------------------------------

/// The merged catalog in the data files' own format; --json prints it as is, not in an envelope.
class ShowResult final : public Result {
 public:
  explicit ShowResult(Json merged) : merged_(std::move(merged)) {}
  [[nodiscard]] std::string text(const Style&) const override { return merged_.dump(2) + "\n"; }
  [[nodiscard]] Json json() const override { return merged_; }

 private:
  Json merged_;
};

CommandSpec show_command() {
  CommandSpec spec{"show", "Print the merged catalog (built-in plus --catalog files) as JSON", false,
                   [](CLI::App&) -> Runner {
                     return [](Context& ctx) { return std::make_unique<ShowResult>(Json::parse(ctx.merged_catalog_json)); };
                   },
                   {}};
  spec.catalog_use = CatalogUse::loaded_with_json;
  return spec;
}

// --- catalog stats --------------------------------------------------------------------------------

class StatsResult final : public Result {
 public:
  explicit StatsResult(std::vector<std::pair<std::string, std::size_t>> counts, std::size_t hardware)
      : counts_(std::move(counts)), hardware_(hardware) {}

  [[nodiscard]] std::string text(const Style& style) const override { return table().text(style.color); }
  [[nodiscard]] std::string csv() const override { return table().csv(); }

  [[nodiscard]] Json json() const override {
    Json result = Json::object();
    for (const auto& [name, n] : counts_) result[name] = n;
    result["hardware"] = hardware_;
    return envelope("catalog stats", Json::object(), result, Json::array());
  }

 private:
  [[nodiscard]] Table table() const {
    Table t({{"Collection", Align::left}, {"Entries", Align::right}});
    for (const auto& [name, n] : counts_) t.add_row({name, std::to_string(n)});
    t.add_row({"hardware (gpus + systems + cpus)", std::to_string(hardware_)});
    return t;
  }

  std::vector<std::pair<std::string, std::size_t>> counts_;  ///< collection key, entries
  std::size_t hardware_ = 0;                                 ///< gpus + systems + cpus
};

std::unique_ptr<Result> run_stats(const Context& ctx) {
  const auto& c = ctx.catalog;
  return std::make_unique<StatsResult>(
      std::vector<std::pair<std::string, std::size_t>>{
          {"gpus", c.gpus.size()},           {"systems", c.systems.size()}, {"cpus", c.cpus.size()},
          {"ram_kinds", c.ram_kinds.size()}, {"storage", c.storage.size()}, {"links", c.links.size()},
          {"models", c.models.size()},       {"tensor_types", c.tensor_types.size()},
          {"quants", c.quants.size()},       {"benchmarks", c.benchmarks.size()}},
      c.gpus.size() + c.systems.size() + c.cpus.size());
}

// --- catalog calibration --------------------------------------------------------------------------

/// The prediction error on one set of rows (fitted or held back) for one test (decode or prefill).
struct ErrorRow {
  Engine engine = Engine::llama_cpp;  ///< the engine that ran the rows (each engine's rows are reported apart)
  bool holdout = false;
  bool decode = true;
  ErrorReport report;
};

class CalibrationResult final : public Result {
 public:
  CalibrationResult(Calibration c, std::vector<ErrorRow> errors) : c_(std::move(c)), errors_(std::move(errors)) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    Table table({{"Backend", Align::left}, {"Bandwidth eff.", Align::right}, {"Per token [ms]", Align::right},
                 {"Per MoE layer [us]", Align::right}, {"Per layer, prompt [us]", Align::right},
                 {"Prefill eff.", Align::right}, {"Decode band", Align::right}, {"Prefill band", Align::right},
                 {"Rows fit (tg/pp)", Align::right}});
    // Each backend, then its device classes with factors of their own ("cuda · nvidia hbm").
    auto add = [&](const Efficiency& e) {
      std::string name = to_string(e.backend);
      if (e.engine != Engine::llama_cpp) name += std::string(" · ") + name_of(kEngineNames, e.engine);
      if (!e.device_class.empty()) name += " · " + e.device_class;
      table.add_row({name, fixed(e.bandwidth_efficiency, 3), fixed(units::s_to_ms(e.per_token_s), 2),
                     fixed(units::s_to_us(e.per_moe_layer_s), 1), fixed(units::s_to_us(e.per_layer_prompt_s), 1),
                     fixed(e.prefill_efficiency, 3), fmt::format("{:.2f}–{:.2f}", e.decode_ratio_low, e.decode_ratio_high),
                     fmt::format("{:.2f}–{:.2f}", e.prefill_ratio_low, e.prefill_ratio_high),
                     fmt::format("{}/{}", e.decode_rows, e.prefill_rows)});
    };
    for (const Efficiency& backend : c_.backends) {
      add(backend);
      for (const Efficiency& e : c_.classes) {
        if (e.backend == backend.backend) add(e);
      }
    }
    // Each GPU backend's prompt speed per kernel family, relative to its share of peak (docs/calibration.md
    // "Kernels by weight type"); its classes share it.
    std::vector<Column> kernel_columns{{"Backend", Align::left}};
    for (const auto& row : kMatmulKernelNames) kernel_columns.push_back({row.id, Align::right});
    kernel_columns.push_back({"attention", Align::right});  // attention_share: fitted on the depth rows, or the default
    Table kernels(kernel_columns);
    for (const Efficiency& e : c_.backends) {
      if (e.backend == Backend::cpu) continue;
      std::vector<std::string> cells{to_string(e.backend)};
      for (const auto& row : kMatmulKernelNames) cells.push_back(fixed(e.prefill_kernel_speed[static_cast<std::size_t>(row.value)], 3));
      cells.push_back(fixed(attention_share(e), 3));
      kernels.add_row(cells);
    }
    Table errors({{"Engine", Align::left}, {"Set", Align::left}, {"Test", Align::left}, {"Rows", Align::right},
                  {"Median abs. error", Align::right}, {"Inside band", Align::right}});
    for (const ErrorRow& row : errors_) {
      errors.add_row({name_of(kEngineNames, row.engine), row.holdout ? "held back" : "fitted",
                      row.decode ? "decode (tg)" : "prefill (pp)",
                      std::to_string(row.report.rows), fmt::format("{:.1f}%", row.report.median_abs_pct),
                      fmt::format("{:.0f}%", 100 * row.report.within_band_share)});
    }
    return "Efficiency factors fitted on the catalog's llama-bench rows (set \"fit\")\n\n" + table.text(style.color) +
           "\nPrompt speed by the weights' GPU kernel family and of attention (× the prefill share of peak)\n\n" + kernels.text(style.color) +
           "\nPrediction error\n\n" + errors.text(style.color);
  }

  [[nodiscard]] Json json() const override {
    auto factors = [](const Efficiency& e) {
      Json j = {{"backend", to_string(e.backend)}, {"bandwidth_efficiency", e.bandwidth_efficiency},
                {"per_token_s", e.per_token_s}, {"per_moe_layer_s", e.per_moe_layer_s},
                {"per_layer_prompt_s", e.per_layer_prompt_s}, {"prefill_efficiency", e.prefill_efficiency},
                {"attention_share", attention_share(e)}, {"decode_ratio_low", e.decode_ratio_low}, {"decode_ratio_high", e.decode_ratio_high}, {"prefill_ratio_low", e.prefill_ratio_low},
                {"prefill_ratio_high", e.prefill_ratio_high}, {"decode_rows", e.decode_rows}, {"prefill_rows", e.prefill_rows}};
      if (!e.device_class.empty()) j["device_class"] = e.device_class;
      if (e.engine != Engine::llama_cpp) j["engine"] = name_of(kEngineNames, e.engine);
      if (e.decode_compute_efficiency > 0) j["decode_compute_efficiency"] = e.decode_compute_efficiency;
      if (e.few_thread_bandwidth_slope > 0) j["few_thread_bandwidth_slope"] = e.few_thread_bandwidth_slope;
      if (e.backend != Backend::cpu) {  // the CPU's kernel speeds are the catalog's cpu_matmul_speed
        Json speeds = Json::object();
        for (const auto& row : kMatmulKernelNames) speeds[row.id] = e.prefill_kernel_speed[static_cast<std::size_t>(row.value)];
        j["prefill_kernel_speed"] = speeds;
      }
      return j;
    };
    Json backends = Json::array();
    for (const Efficiency& e : c_.backends) backends.push_back(factors(e));
    Json classes = Json::array();
    for (const Efficiency& e : c_.classes) classes.push_back(factors(e));
    Json report = Json::array();
    for (const ErrorRow& row : errors_) {
      report.push_back({{"engine", name_of(kEngineNames, row.engine)}, {"set", row.holdout ? "holdout" : "fit"},
                        {"test", row.decode ? "decode" : "prefill"},
                        {"rows", row.report.rows}, {"median_abs_pct", row.report.median_abs_pct},
                        {"within_band_share", row.report.within_band_share}});
    }
    return envelope("catalog calibration", Json::object(), {{"backends", backends}, {"classes", classes}, {"errors", report}}, Json::array());
  }

 private:
  Calibration c_;
  std::vector<ErrorRow> errors_;  ///< per engine: fitted then held back; decode then prefill in each
};

std::unique_ptr<Result> run_calibration(Context& ctx) {
  const auto points = machine::catalog_calibration_points(ctx.catalog);
  const Calibration& c = calibration(ctx);
  std::vector<ErrorRow> errors;
  for (const EnumName<Engine>& engine : kEngineNames) {
    std::vector<CalibrationPoint> of_engine;
    std::copy_if(points.begin(), points.end(), std::back_inserter(of_engine),
                 [&](const CalibrationPoint& p) { return p.engine == engine.value; });
    if (of_engine.empty()) continue;
    for (const bool holdout : {false, true}) {
      for (const bool decode : {true, false}) {
        errors.push_back({engine.value, holdout, decode,
                          evaluate(c, of_engine, decode ? BenchPhase::decode : BenchPhase::prefill,
                                   holdout ? Subset::holdout : Subset::fit)});
      }
    }
  }
  return std::make_unique<CalibrationResult>(c, std::move(errors));
}

// --- catalog calibration --cases -------------------------------------------------------------------

class CasesResult final : public Result {
 public:
  CasesResult(std::vector<CasePrediction> rows, bool list_rows) : rows_(std::move(rows)), list_rows_(list_rows) {}

  [[nodiscard]] std::string text(const Style& style) const override {
    std::string out;
    for (const bool holdout : {true, false}) {
      out += holdout ? "Held-back rows (the factors were fitted on the others), per case\n\n"
                     : "\nAll rows, per case\n\n";
      out += table(score_cases(rows_, holdout)).text(style.color);
    }
    std::size_t skipped = 0;
    for (const CasePrediction& r : rows_) skipped += r.predicted ? 0 : 1;
    const OrderingScore order = score_ordering(rows_);
    return out + fmt::format("\n{} of {} rows predicted; the others' configuration cannot be given yet (--json lists why)\n"
                             "Device order: {:.0f}% of {} pairs of devices measured on the same model and test (more than "
                             "5% apart) are predicted in the measured order\n",
                             rows_.size() - skipped, rows_.size(), 100 * order.agree_share, order.pairs);
  }
  [[nodiscard]] std::string csv() const override { return table(score_cases(rows_, true)).csv(); }

  [[nodiscard]] Json json() const override {
    Json cases = Json::array();
    for (const bool holdout : {true, false}) {
      for (const CaseScore& s : score_cases(rows_, holdout)) {
        cases.push_back({{"set", holdout ? "holdout" : "all"}, {"case", s.case_name}, {"test", s.decode ? "decode" : "prefill"},
                         {"rows", s.rows}, {"median_abs_pct", s.median_abs_pct}, {"p90_abs_pct", s.p90_abs_pct},
                         {"within_band_share", s.within_band_share}});
      }
    }
    const OrderingScore order = score_ordering(rows_);
    Json result = {{"cases", cases}, {"ordering", {{"pairs", order.pairs}, {"agree_share", order.agree_share}}}};
    if (list_rows_) {
      Json rows = Json::array();
      for (const CasePrediction& r : rows_) {
        rows.push_back({{"id", r.bench->meta.id}, {"case", r.case_name}, {"set", r.bench->set},
                        {"test", r.bench->phase == BenchPhase::decode ? "decode" : "prefill"},
                        {"measured_tokens_per_s", r.bench->tokens_per_s},
                        {"predicted_tokens_per_s", r.predicted ? Json(r.tokens_per_s) : Json(nullptr)},
                        {"low", r.predicted ? Json(r.low) : Json(nullptr)}, {"high", r.predicted ? Json(r.high) : Json(nullptr)},
                        {"why_not", r.why_not}});
      }
      result["rows"] = rows;
    }
    return envelope("catalog calibration", {{"cases", true}, {"rows", list_rows_}}, result, Json::array());
  }

 private:
  static Table table(const std::vector<CaseScore>& scores) {
    Table t({{"Case", Align::left}, {"Test", Align::left}, {"n", Align::right}, {"Median |error|", Align::right},
             {"p90", Align::right}, {"Inside band", Align::right}});
    for (const CaseScore& s : scores) {
      t.add_row({s.case_name, s.decode ? "decode" : "prefill", std::to_string(s.rows), fmt::format("{:.1f}%", s.median_abs_pct),
                 fmt::format("{:.1f}%", s.p90_abs_pct), fmt::format("{:.0f}%", 100 * s.within_band_share)});
    }
    return t;
  }

  std::vector<CasePrediction> rows_;
  bool list_rows_ = false;
};

struct CalibrationOptions {
  bool cases = false;
  bool rows = false;
};

CommandSpec calibration_command() {
  CommandSpec spec{"calibration",
          "Per-backend efficiency factors fitted on the benchmark rows, and the error on held-back rows; --cases: "
          "every row predicted as `check` would, scored per configuration case",
          true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<CalibrationOptions>();
            cmd.add_flag("--cases", o->cases,
                         "Score every benchmark row per case (one GPU, offload, multi-GPU by split mode, CPU only, depth, ...)");
            cmd.add_flag("--rows", o->rows, "With --cases --json: every row's prediction beside its measurement");
            return [o](Context& ctx) -> std::unique_ptr<Result> {
              if (!o->cases) {
                if (ctx.format == OutputFormat::csv) throw InputError("catalog calibration --csv needs --cases");
                return run_calibration(ctx);
              }
              return std::make_unique<CasesResult>(predict_benchmarks(ctx), o->rows);
            };
          },
          {}};
  spec.catalog_use = CatalogUse::loaded_with_benchmarks;
  return spec;
}

CommandSpec stats_command() {
  CommandSpec spec{"stats", "Count the entries of each collection", true,
                   [](CLI::App&) -> Runner { return [](Context& ctx) { return run_stats(ctx); }; }, {}};
  spec.catalog_use = CatalogUse::loaded_with_benchmarks;  // it counts the rows too
  return spec;
}

}  // namespace

CommandSpec catalog_command() {
  return {"catalog", "Validate, show and count catalog entries", false, nullptr,
          {validate_command(), show_command(), stats_command(), calibration_command()}};
}

}  // namespace llmsize::cli
