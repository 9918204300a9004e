// llmsize calibrate FILE... [--dry-run] | --show | --reset
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "context.h"
#include "hardware_config.h"
#include "llmsize/machine/bandwidth_probe.h"
#include "llmsize/machine/calibrate.h"
#include "machine_profile.h"
#include "render.h"

namespace llmsize::cli {
namespace {

struct CalibrateOptions {
  std::vector<std::string> files;
  bool dry_run = false;
  bool show = false;
  bool reset = false;
};

std::string test_name(const machine::BenchRow& r) {
  return r.n_prompt > 0 && r.n_gen == 0 ? fmt::format("pp{}", r.n_prompt)
         : r.n_gen > 0 && r.n_prompt == 0 ? fmt::format("tg{}", r.n_gen)
                                          : fmt::format("pp{}+tg{}", r.n_prompt, r.n_gen);
}

Json error_json(const ErrorReport& before, const ErrorReport& after) {
  return {{"rows", before.rows}, {"before_median_abs_pct", before.median_abs_pct}, {"after_median_abs_pct", after.median_abs_pct}};
}

void run_calibrate(Context& ctx, const CalibrateOptions& o) {
  if (o.show && o.reset) throw InputError("use --show or --reset, not both");
  if (o.show) return show_machine_profile(ctx, "calibrate");
  if (o.reset) return reset_machine_profile(ctx, "calibrate");
  if (o.files.empty()) throw InputError("name llama-bench JSON/JSONL files or load logs to calibrate from (or use --show)");

  // Everything is read and checked before anything is written: any error leaves the profile as it was.
  machine::CalibrationInput input;
  for (const std::string& path : o.files) {
    const std::string text = read_file(path);
    machine::parse_calibration_file(path, text, input);
  }
  machine::MachineProfile profile = load_machine_profile();
  machine::ThisMachine here = machine::this_machine_cpu(machine::detect_source_from_environment());
  if (profile.bandwidth && profile.bandwidth->read_gb_per_s > 0) {
    here.measured_bandwidth_bytes_per_s = profile.bandwidth->read_gb_per_s * 1e9;
  }
  const Calibration& catalog_fit = calibration(ctx);
  const machine::CalibrationResult r = machine::calibrate(ctx.catalog, catalog_fit, input, here);

  const std::size_t used = r.points.size();
  if (used == 0 && !r.backend_overhead_bytes) {
    std::string why = input.rows.empty() ? "the load logs have no final memory breakdown (llama_memory_breakdown_print)"
                                         : r.rows.front().row->where + ": " + r.rows.front().skipped_because;
    throw InputError("nothing to calibrate from: " + why + "; the profile is unchanged");
  }

  // The profile: fitted backends replace their previous entries; others are kept.
  for (const Efficiency& e : r.fitted) {
    auto& list = profile.efficiencies;
    list.erase(std::remove_if(list.begin(), list.end(), [&](const Efficiency& x) { return x.backend == e.backend; }),
               list.end());
    list.push_back(e);
  }
  if (r.backend_overhead_bytes) profile.backend_overhead_bytes = r.backend_overhead_bytes;
  for (const std::string& path : o.files) {
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
    const std::string name = ec ? path : absolute;
    if (std::find(profile.calibration_files.begin(), profile.calibration_files.end(), name) == profile.calibration_files.end()) {
      profile.calibration_files.push_back(name);
    }
  }
  const std::string profile_path = machine_profile_path();
  if (!o.dry_run && (!r.fitted.empty() || r.backend_overhead_bytes)) save_machine_profile(profile);
  const bool saved = !o.dry_run && (!r.fitted.empty() || r.backend_overhead_bytes);

  // Render.
  Json rows = Json::array();
  Table table({{"Row", Align::left}, {"Model", Align::left}, {"Test", Align::left}, {"Backend", Align::left},
               {"Device", Align::left}, {"Measured [tok/s]", Align::right}, {"Before [tok/s]", Align::right},
               {"After [tok/s]", Align::right}});
  std::string skipped;
  for (const machine::RowUse& u : r.rows) {
    const machine::BenchRow& b = *u.row;
    Json j = {{"where", b.where}, {"model_filename", b.model_filename}, {"model_type", b.model_type},
              {"test", test_name(b)}, {"backends", b.backends}, {"used", u.used},
              {"measured_tokens_per_s", b.avg_tokens_per_s}};
    if (u.used) {
      j["backend"] = to_string(u.backend);
      j["device"] = u.device;
      j["seconds_at_peak"] = u.seconds_at_peak;
      j["before_tokens_per_s"] = u.predicted_before_tokens_per_s;
      j["after_tokens_per_s"] = u.predicted_after_tokens_per_s;
      const std::string model = std::filesystem::path(b.model_filename).filename().string();
      table.add_row({b.where, model.empty() ? b.model_type : model, test_name(b), to_string(u.backend), u.device,
                     fixed(b.avg_tokens_per_s, 2), fixed(u.predicted_before_tokens_per_s, 2),
                     fixed(u.predicted_after_tokens_per_s, 2)});
    } else {
      j["skipped_because"] = u.skipped_because;
      skipped += "  " + b.where + ": " + u.skipped_because + "\n";
    }
    rows.push_back(j);
  }
  Json fitted = Json::array();
  Table factors({{"Backend", Align::left}, {"Bandwidth eff.", Align::right}, {"Per token [ms]", Align::right},
                 {"Prefill eff.", Align::right}, {"Rows fit (tg/pp)", Align::right}});
  for (const Efficiency& e : r.fitted) {
    fitted.push_back(efficiency_json(e));
    factors.add_row({to_string(e.backend), fixed(e.bandwidth_efficiency, 3), fixed(e.per_token_s * 1e3, 2),
                     fixed(e.prefill_efficiency, 3), fmt::format("{}/{}", e.decode_rows, e.prefill_rows)});
  }
  Table errors({{"Test", Align::left}, {"Rows", Align::right}, {"Before: catalog-wide factors", Align::right},
                {"After: your factors", Align::right}});
  errors.add_row({"decode (tg)", std::to_string(r.before_decode.rows), fmt::format("{:.1f}%", r.before_decode.median_abs_pct),
                  fmt::format("{:.1f}%", r.after_decode.median_abs_pct)});
  errors.add_row({"prefill (pp)", std::to_string(r.before_prefill.rows),
                  fmt::format("{:.1f}%", r.before_prefill.median_abs_pct), fmt::format("{:.1f}%", r.after_prefill.median_abs_pct)});
  Json logs = Json::array();
  std::string log_text;
  for (const machine::LoadLogSummary& l : input.logs) {
    logs.push_back({{"file", l.file}, {"model_buffer_bytes", l.model_buffer_bytes}, {"kv_cache_bytes", l.kv_cache_bytes},
                    {"compute_buffer_bytes", l.compute_buffer_bytes}, {"output_buffer_bytes", l.output_buffer_bytes},
                    {"memory_breakdown_rows", l.breakdown.size()}});
    log_text += fmt::format("  {}: weights {} MiB, KV {} MiB, compute {} MiB, output {} MiB, {} memory-breakdown row(s)\n",
                            l.file, mib(l.model_buffer_bytes), mib(l.kv_cache_bytes), mib(l.compute_buffer_bytes),
                            mib(l.output_buffer_bytes), l.breakdown.size());
  }

  std::string text = fmt::format("Read {} file(s): {} llama-bench row(s), {} used; {} load log(s)\n", o.files.size(),
                                 input.rows.size(), used, input.logs.size());
  if (!table.empty()) text += "\n" + table.text(ctx.color());
  if (!skipped.empty()) text += "\nSkipped\n" + skipped;
  if (used > 0) {
    text += r.fitted.empty()
                ? "\nNo backend has 3 rows of one test (tg or pp): the catalog's factors are kept\n"
                : "\nFactors fitted on your rows (a backend needs 3 rows of a test; 0 rows keep the catalog's)\n" +
                      factors.text(ctx.color());
    text += "\nMedian absolute error on these rows (in-sample: the factors were fitted on them)\n" + errors.text(ctx.color());
  }
  if (!input.logs.empty()) {
    text += "\nLoad logs (as reported)\n" + log_text;
    text += r.backend_overhead_bytes
                ? fmt::format("  backend overhead per GPU: {} MiB (median \"unaccounted\" of {} memory-breakdown row(s))\n",
                              mib(*r.backend_overhead_bytes), r.overhead_rows)
                : "  no GPU memory-breakdown rows: backend overhead not fitted\n";
  }
  text += o.dry_run ? "\n--dry-run: nothing written\n"
          : saved   ? "\nStored in " + profile_path + "; predictions for this machine (--this-machine) use it\n"
                    : "\nNothing fitted; the profile is unchanged\n";

  Json result = {{"files", o.files},
                 {"rows", rows},
                 {"fitted", fitted},
                 {"errors", {{"decode", error_json(r.before_decode, r.after_decode)},
                             {"prefill", error_json(r.before_prefill, r.after_prefill)}}},
                 {"logs", logs},
                 {"backend_overhead_bytes", r.backend_overhead_bytes ? Json(*r.backend_overhead_bytes) : Json(nullptr)},
                 {"saved", saved},
                 {"profile_path", profile_path}};
  emit(ctx, envelope("calibrate", {{"files", o.files}, {"dry_run", o.dry_run}}, result, {}), text);
}

}  // namespace

void add_calibrate_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = add_command(app, ctx, "calibrate",
                              "Fit this machine's speed factors on your llama-bench JSON/JSONL and load logs; store them in your profile",
                              [o](Context& c) { run_calibrate(c, *o); });
  cmd->add_option("files", o->files, "llama-bench -o json / -o jsonl output, llama.cpp or Ollama load logs")->type_name("FILE");
  cmd->add_flag("--dry-run", o->dry_run, "Fit and print; write nothing");
  cmd->add_flag("--show", o->show, "Print what your profile holds and exit");
  cmd->add_flag("--reset", o->reset, "Delete your profile ($XDG_CONFIG_HOME/llmsize/machine.json) and exit");
}

}  // namespace llmsize::cli
