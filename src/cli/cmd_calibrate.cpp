// llmsize calibrate FILE... [--dry-run] | --show | --reset
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hardware_config.h"
#include "llmsize/machine/bandwidth_probe.h"
#include "llmsize/machine/calibrate.h"
#include "llmsize/units.h"
#include "machine_profile.h"
#include "pipeline.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

struct CalibrateOptions {
  std::vector<std::string> files;
  bool dry_run = false;
  bool show = false;
  bool reset = false;
};

/// The user's files as read, the fit on them, and what was stored. `fit.rows[].row` points into
/// `input.rows`, so a report stays where it was built (it is held by pointer).
struct CalibrateReport {
  std::vector<std::string> files;
  bool dry_run = false;
  machine::CalibrationInput input;
  machine::CalibrationResult fit;
  bool saved = false;
  std::string profile_path;
};

std::string test_name(const machine::BenchRow& r) {
  return r.n_prompt > 0 && r.n_gen == 0 ? fmt::format("pp{}", r.n_prompt)
         : r.n_gen > 0 && r.n_prompt == 0 ? fmt::format("tg{}", r.n_gen)
                                          : fmt::format("pp{}+tg{}", r.n_prompt, r.n_gen);
}

// ---- Renderers: they format the report and compute nothing.

Json row_json(const machine::RowUse& u) {
  const machine::BenchRow& b = *u.row;
  Json j = {{"where", b.where}, {"model_filename", b.model_filename}, {"model_type", b.model_type},
            {"test", test_name(b)}, {"backends", b.backends}, {"used", u.used},
            {"measured_tokens_per_s", b.avg_tokens_per_s}};
  if (!u.used) {
    j["skipped_because"] = u.skipped_because;
    return j;
  }
  j["backend"] = to_string(u.backend);
  j["device"] = u.device;
  j["seconds_at_peak"] = u.seconds_at_peak;
  j["before_tokens_per_s"] = u.predicted_before_tokens_per_s;
  j["after_tokens_per_s"] = u.predicted_after_tokens_per_s;
  return j;
}

Json error_json(const ErrorReport& before, const ErrorReport& after) {
  return {{"rows", before.rows}, {"before_median_abs_pct", before.median_abs_pct}, {"after_median_abs_pct", after.median_abs_pct}};
}

Json log_json(const machine::LoadLogSummary& l) {
  return {{"file", l.file}, {"model_buffer_bytes", l.model_buffer_bytes}, {"kv_cache_bytes", l.kv_cache_bytes},
          {"compute_buffer_bytes", l.compute_buffer_bytes}, {"output_buffer_bytes", l.output_buffer_bytes},
          {"memory_breakdown_rows", l.breakdown.size()}};
}

Json calibrate_json(const CalibrateReport& r) {
  const machine::CalibrationResult& f = r.fit;
  Json rows = Json::array();
  for (const machine::RowUse& u : f.rows) rows.push_back(row_json(u));
  Json fitted = Json::array();
  for (const Efficiency& e : f.fitted) fitted.push_back(machine::efficiency_json(e));
  Json logs = Json::array();
  for (const machine::LoadLogSummary& l : r.input.logs) logs.push_back(log_json(l));
  Json result = {{"files", r.files},
                 {"rows", rows},
                 {"fitted", fitted},
                 {"errors", {{"decode", error_json(f.before_decode, f.after_decode)},
                             {"prefill", error_json(f.before_prefill, f.after_prefill)}}},
                 {"logs", logs},
                 {"backend_overhead_bytes", f.backend_overhead_bytes ? Json(*f.backend_overhead_bytes) : Json(nullptr)},
                 {"saved", r.saved},
                 {"profile_path", r.profile_path}};
  return envelope("calibrate", {{"files", r.files}, {"dry_run", r.dry_run}}, result, Json::array());
}

// The used rows as a table, then the skipped ones with their reasons.
std::string rows_text(const machine::CalibrationResult& f, bool color) {
  Table table({{"Row", Align::left}, {"Model", Align::left}, {"Test", Align::left}, {"Backend", Align::left},
               {"Device", Align::left}, {"Measured [tok/s]", Align::right}, {"Before [tok/s]", Align::right},
               {"After [tok/s]", Align::right}});
  std::string skipped;
  for (const machine::RowUse& u : f.rows) {
    const machine::BenchRow& b = *u.row;
    if (!u.used) {
      skipped += "  " + b.where + ": " + u.skipped_because + "\n";
      continue;
    }
    const std::string model = std::filesystem::path(b.model_filename).filename().string();
    table.add_row({b.where, model.empty() ? b.model_type : model, test_name(b), to_string(u.backend), u.device,
                   fixed(b.avg_tokens_per_s, 2), fixed(u.predicted_before_tokens_per_s, 2),
                   fixed(u.predicted_after_tokens_per_s, 2)});
  }
  std::string out = table.empty() ? "" : "\n" + table.text(color);
  return skipped.empty() ? out : out + "\nSkipped\n" + skipped;
}

// The fitted factors and the in-sample error before and after them.
std::string fit_text(const machine::CalibrationResult& f, bool color) {
  std::string out = f.fitted.empty()
                        ? "\nNo backend has 3 rows of one test (tg or pp): the catalog's factors are kept\n"
                        : "\nFactors fitted on your rows (a backend needs 3 rows of a test; 0 rows keep the catalog's)\n" +
                              efficiency_table(f.fitted).text(color);
  Table errors({{"Test", Align::left}, {"Rows", Align::right}, {"Before: catalog-wide factors", Align::right},
                {"After: your factors", Align::right}});
  errors.add_row({"decode (tg)", std::to_string(f.before_decode.rows), fmt::format("{:.1f}%", f.before_decode.median_abs_pct),
                  fmt::format("{:.1f}%", f.after_decode.median_abs_pct)});
  errors.add_row({"prefill (pp)", std::to_string(f.before_prefill.rows),
                  fmt::format("{:.1f}%", f.before_prefill.median_abs_pct), fmt::format("{:.1f}%", f.after_prefill.median_abs_pct)});
  return out + "\nMedian absolute error on these rows (in-sample: the factors were fitted on them)\n" + errors.text(color);
}

std::string logs_text(const CalibrateReport& r) {
  std::string out = "\nLoad logs (as reported)\n";
  for (const machine::LoadLogSummary& l : r.input.logs) {
    out += fmt::format("  {}: weights {} MiB, KV {} MiB, compute {} MiB, output {} MiB, {} memory-breakdown row(s)\n",
                       l.file, mib(l.model_buffer_bytes), mib(l.kv_cache_bytes), mib(l.compute_buffer_bytes),
                       mib(l.output_buffer_bytes), l.breakdown.size());
  }
  const machine::CalibrationResult& f = r.fit;
  return out + (f.backend_overhead_bytes
                    ? fmt::format("  backend overhead per GPU: {} MiB (median \"unaccounted\" of {} memory-breakdown row(s))\n",
                                  mib(*f.backend_overhead_bytes), f.overhead_rows)
                    : "  no GPU memory-breakdown rows: backend overhead not fitted\n");
}

std::string calibrate_text(const CalibrateReport& r, bool color) {
  const std::size_t used = r.fit.points.size();
  std::string out = fmt::format("Read {} file(s): {} llama-bench row(s), {} used; {} load log(s)\n", r.files.size(),
                                r.input.rows.size(), used, r.input.logs.size());
  out += rows_text(r.fit, color);
  if (used > 0) out += fit_text(r.fit, color);
  if (!r.input.logs.empty()) out += logs_text(r);
  return out + (r.dry_run ? "\n--dry-run: nothing written\n"
                : r.saved ? "\nStored in " + r.profile_path + "; predictions for this machine (--this-machine) use it\n"
                          : "\nNothing fitted; the profile is unchanged\n");
}

class CalibrateResult final : public Result {
 public:
  explicit CalibrateResult(std::unique_ptr<const CalibrateReport> r) : r_(std::move(r)) {}
  [[nodiscard]] std::string text(const Style& style) const override { return calibrate_text(*r_, style.color); }
  [[nodiscard]] Json json() const override { return calibrate_json(*r_); }
  /// The one table calibrate makes: the factors fitted on the user's rows (header only when none).
  [[nodiscard]] std::string csv() const override { return efficiency_table(r_->fit.fitted).csv(); }

 private:
  std::unique_ptr<const CalibrateReport> r_;
};

// ---- The run: everything is read and checked before anything is written, so an error leaves the
// profile as it was.

machine::CalibrationInput read_inputs(const std::vector<std::string>& files) {
  machine::CalibrationInput input;
  for (const std::string& path : files) {
    const std::string text = read_file(path);
    machine::parse_calibration_file(path, text, input);
  }
  return input;
}

// This machine's CPU, read through LLMSIZE_DETECT_ROOT when set (so tests replay recorded machines).
machine::ThisMachine this_machine(const machine::MachineProfile& profile) {
  machine::ThisMachine here = machine::this_machine_cpu(machine::detect_source_from_environment());
  if (profile.bandwidth && profile.bandwidth->read_gb_per_s > 0) {
    here.measured_bandwidth_bytes_per_s = units::gb_per_s_to_bytes_per_s(profile.bandwidth->read_gb_per_s);
  }
  return here;
}

// Fitted backends replace their previous entries, others are kept; the files are recorded once each.
void update_profile(machine::MachineProfile& profile, const machine::CalibrationResult& fit,
                    const std::vector<std::string>& files) {
  auto& list = profile.efficiencies;
  for (const Efficiency& e : fit.fitted) {
    list.erase(std::remove_if(list.begin(), list.end(), [&](const Efficiency& x) { return x.backend == e.backend; }),
               list.end());
    list.push_back(e);
  }
  if (fit.backend_overhead_bytes) profile.backend_overhead_bytes = fit.backend_overhead_bytes;
  for (const std::string& path : files) {
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
    const std::string name = ec ? path : absolute;
    auto& stored = profile.calibration_files;
    if (std::find(stored.begin(), stored.end(), name) == stored.end()) stored.push_back(name);
  }
}

std::unique_ptr<Result> run_calibrate(Context& ctx, const CalibrateOptions& o) {
  if (o.show && o.reset) throw InputError("use --show or --reset, not both");
  if (o.show) return show_machine_profile("calibrate");
  if (o.reset && ctx.format == OutputFormat::csv) {
    throw InputError("--csv does not apply to `llmsize calibrate --reset` (it prints no table); "
                     "`--show --csv` prints the stored factors");
  }
  if (o.reset) return reset_machine_profile("calibrate");
  if (o.files.empty()) throw InputError("name llama-bench JSON/JSONL files or load logs to calibrate from (or use --show)");

  auto r = std::make_unique<CalibrateReport>();
  r->files = o.files;
  r->dry_run = o.dry_run;
  r->input = read_inputs(o.files);
  machine::MachineProfile profile = load_machine_profile();
  r->fit = machine::calibrate(ctx.catalog, calibration(ctx), r->input, this_machine(profile));
  const machine::CalibrationResult& f = r->fit;
  if (f.points.empty() && !f.backend_overhead_bytes) {
    const std::string why = r->input.rows.empty()
                                ? "the load logs have no final memory breakdown (llama_memory_breakdown_print)"
                                : f.rows.front().row->where + ": " + f.rows.front().skipped_because;
    throw InputError("nothing to calibrate from: " + why + "; the profile is unchanged");
  }
  update_profile(profile, f, o.files);
  r->profile_path = machine_profile_path();
  r->saved = !o.dry_run && (!f.fitted.empty() || f.backend_overhead_bytes);
  if (r->saved) save_machine_profile(profile);
  return std::make_unique<CalibrateResult>(std::move(r));
}

}  // namespace

CommandSpec calibrate_command() {
  return {"calibrate",
          "Fit this machine's speed factors on your llama-bench JSON/JSONL and load logs; store them in your profile",
          true,
          [](CLI::App& cmd) -> Runner {
            auto o = std::make_shared<CalibrateOptions>();
            cmd.add_option("files", o->files, "llama-bench -o json / -o jsonl output, llama.cpp or Ollama load logs")
                ->type_name("FILE");
            cmd.add_flag("--dry-run", o->dry_run, "Fit and print; write nothing");
            cmd.add_flag("--show", o->show, "Print what your profile holds and exit");
            cmd.add_flag("--reset", o->reset, "Delete your profile ($XDG_CONFIG_HOME/llmsize/machine.json) and exit");
            return [o](Context& ctx) { return run_calibrate(ctx, *o); };
          },
          {}};
}

}  // namespace llmsize::cli
