// `llmsize probe` and `llmsize calibrate` through the CLI: the JSON contract (docs/json.md), the
// profile written or left alone, and the exact one-line errors for untrusted files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/context.h"
#include "cli/hardware_config.h"
#include "llmsize/cli/run.h"
#include "../cli/run_cli.h"
#include "llmsize/engine/buffers.h"
#include "llmsize/machine/profile.h"
#include "temp_config.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

using Result = llmsize::test::CliResult;
using llmsize::test::run;
using llmsize::test::json_of_success;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kDir = std::string(LLMSIZE_FIXTURES) + "/calibrate/";

}  // namespace

TEST_CASE("JSON contract: probe, probe --show, probe --reset", "[cli][json][probe]") {
  const TempConfig config;
  const auto j = json_of_success(run({"probe", "--seconds", "0.05", "--buffer-mib", "8", "--threads", "2", "--json"}));
  CHECK(j["schema_version"] == 4);
  CHECK(j["command"] == "probe");
  const auto& r = j["result"];
  CHECK(r["read_gb_per_s"].get<double>() > 0);
  CHECK(r["best_gb_per_s"].get<double>() >= r["read_gb_per_s"].get<double>());
  CHECK(r["pass_gb_per_s"].size() >= 3);
  CHECK(r["threads"] == 2);
  CHECK(r["buffer_bytes"] == 8ULL << 20);
  for (const char* k : {"seconds", "cpu_model", "measured_at", "theoretical_gb_per_s", "catalog_cpu", "theoretical_basis"}) {
    CHECK(r.contains(k));
  }
  CHECK(r["saved"] == true);
  CHECK(r["profile_path"] == config.profile().string());

  const auto stored = llmsize::machine::load_profile(config.path() / "llmsize");
  REQUIRE(stored.bandwidth);
  CHECK(stored.bandwidth->read_gb_per_s == r["read_gb_per_s"].get<double>());
  CHECK(stored.bandwidth->threads == 2);

  const auto show = json_of_success(run({"probe", "--show", "--json"}));
  CHECK(show["result"]["exists"] == true);
  CHECK(show["result"]["bandwidth"]["read_gb_per_s"] == r["read_gb_per_s"]);
  CHECK(show["result"]["efficiencies"].empty());
  CHECK(show["result"]["backend_overhead_bytes"].is_null());

  const auto reset = json_of_success(run({"probe", "--reset", "--json"}));
  CHECK(reset["result"]["deleted"] == true);
  CHECK_FALSE(std::filesystem::exists(config.profile()));
  CHECK(json_of_success(run({"calibrate", "--show", "--json"}))["result"]["exists"] == false);
}

TEST_CASE("probe --dry-run stores nothing", "[cli][probe]") {
  const TempConfig config;
  const auto j = json_of_success(run({"probe", "--seconds", "0.02", "--buffer-mib", "8", "--dry-run", "--json"}));
  CHECK(j["result"]["saved"] == false);
  CHECK_FALSE(std::filesystem::exists(config.profile()));
}

TEST_CASE("JSON contract: calibrate", "[cli][json][calibrate]") {
  const TempConfig config;
  const auto j = json_of_success(run({"calibrate", kDir + "rtx4080.jsonl", kDir + "cuda-breakdown.log", "--json"}));
  CHECK(j["command"] == "calibrate");
  const auto& r = j["result"];
  REQUIRE(r["rows"].size() == 2);
  const auto& pp = r["rows"][0];
  CHECK(pp["where"] == kDir + "rtx4080.jsonl:1");
  CHECK(pp["test"] == "pp512");
  CHECK(pp["used"] == true);
  CHECK(pp["backend"] == "cuda");
  CHECK(pp["device"] == "rtx-4080");
  CHECK(pp["measured_tokens_per_s"] == 7263.609157);
  for (const char* k : {"seconds_at_peak", "before_tokens_per_s", "after_tokens_per_s"}) CHECK(pp[k].is_number());
  CHECK(r["fitted"].empty());  // one row per test: the catalog's CUDA factors stay
  CHECK(r["errors"]["decode"]["rows"] == 1);
  for (const char* k : {"before_median_abs_pct", "after_median_abs_pct"}) CHECK(r["errors"]["prefill"][k].is_number());
  REQUIRE(r["logs"].size() == 1);
  CHECK(r["logs"][0]["memory_breakdown_rows"] == 3);
  CHECK(r["backend_overhead_bytes"] == 456ULL << 20);
  CHECK(r["saved"] == true);

  const auto stored = llmsize::machine::load_profile(config.path() / "llmsize");
  CHECK(stored.backend_overhead_bytes == (456ULL << 20));
  CHECK(stored.efficiencies.empty());
  REQUIRE(stored.calibration_files.size() == 2);
  CHECK(stored.calibration_files[0] == std::filesystem::path(kDir + "rtx4080.jsonl").lexically_normal().string());
}

TEST_CASE("calibrate --dry-run writes nothing", "[cli][calibrate]") {
  const TempConfig config;
  const auto j = json_of_success(run({"calibrate", kDir + "cuda-breakdown.log", "--dry-run", "--json"}));
  CHECK(j["result"]["saved"] == false);
  CHECK(j["result"]["backend_overhead_bytes"] == 456ULL << 20);
  CHECK_FALSE(std::filesystem::exists(config.profile()));
}

TEST_CASE("calibrate on a malformed file: one line naming it, exit 2, the profile unchanged", "[cli][calibrate]") {
  const TempConfig config;
  REQUIRE(run({"calibrate", kDir + "cuda-breakdown.log"}).code == 0);
  const std::string before = slurp(config.profile());
  REQUIRE_FALSE(before.empty());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated.json", "truncated.json:86: the JSON ends early (truncated file?); expected llama-bench -o json or -o jsonl output"},
      {"missing-avg-ts.json", "missing-avg-ts.json: row 2: missing \"avg_ts\""},
      {"negative.json", "negative.json: row 1: \"model_size\" must be positive, got -4677120000"},
      {"garbage.log", "garbage.log:3: cannot read \"37#4.00\" as a size in MiB"},
  };
  for (const auto& [file, message] : cases) {
    // A good file first: nothing of it may be written when a later one fails.
    const Result r = run({"calibrate", kDir + "rtx4080.jsonl", kDir + file});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "llmsize: error: " + kDir + message + "\n");
    CHECK(slurp(config.profile()) == before);
  }
  const Result none = run({"calibrate", kDir + "cann.json"});
  CHECK(none.code == 2);
  CHECK(none.err == "llmsize: error: nothing to calibrate from: " + kDir +
                        "cann.json: row 1: backend \"CANN\" is not one llmsize models (CUDA, ROCm, Vulkan, SYCL, Metal, CPU)"
                        "; the profile is unchanged\n");
  const Result missing = run({"calibrate", kDir + "no-such-file.json"});
  CHECK(missing.code == 2);
  CHECK(missing.err == "llmsize: error: cannot read \"" + kDir + "no-such-file.json\"; check the path\n");
  CHECK(slurp(config.profile()) == before);
}

TEST_CASE("a malformed stored profile is an input error, not a crash", "[cli][calibrate]") {
  const TempConfig config;
  std::filesystem::create_directories(config.path() / "llmsize");
  std::ofstream(config.profile()) << "{ not json";
  const Result r = run({"calibrate", kDir + "cuda-breakdown.log"});
  CHECK(r.code == 2);
  CHECK(r.err.rfind("llmsize: error: " + config.profile().string() + ": not valid JSON", 0) == 0);
  CHECK(slurp(config.profile()) == "{ not json");
}

TEST_CASE("predictions use the profile's factors only when asked for this machine", "[cli][calibrate]") {
  const TempConfig config;
  llmsize::machine::MachineProfile p;
  llmsize::engine::Efficiency e;
  e.backend = llmsize::engine::Backend::cpu;
  e.bandwidth_efficiency = 0.99;
  e.per_token_s = 0.0002;
  e.decode_rows = 13;
  p.efficiencies.push_back(e);
  p.bandwidth = llmsize::machine::BandwidthMeasurement{29.82, 2, 3, "AMD EPYC", "2025-11-21T11:32:05Z"};
  llmsize::machine::save_profile(config.path() / "llmsize", p);

  std::ostringstream out;
  std::ostringstream err;
  llmsize::cli::Context plain(err);
  plain.load_catalog(llmsize::cli::CatalogUse::loaded);
  const double catalog_cpu = llmsize::cli::calibration(plain).get(llmsize::engine::Backend::cpu).bandwidth_efficiency;
  CHECK(catalog_cpu != 0.99);

  llmsize::cli::Context mine(err);
  mine.load_catalog(llmsize::cli::CatalogUse::loaded);
  mine.use_machine_profile = true;
  const auto& c = llmsize::cli::calibration(mine);
  CHECK(c.get(llmsize::engine::Backend::cpu).bandwidth_efficiency == 0.99);
  CHECK(c.get(llmsize::engine::Backend::cpu).per_token_s == 0.0002);
  CHECK(c.get(llmsize::engine::Backend::cpu).prefill_efficiency ==
        llmsize::cli::calibration(plain).get(llmsize::engine::Backend::cpu).prefill_efficiency);
  CHECK(c.get(llmsize::engine::Backend::cuda).bandwidth_efficiency ==
        llmsize::cli::calibration(plain).get(llmsize::engine::Backend::cuda).bandwidth_efficiency);
}

namespace {

// Points detection (and calibrate's and probe's reads of /proc and /sys) at a recorded tree.
class RecordedMachine {
 public:
  explicit RecordedMachine(const std::string& tree) {
    setenv("LLMSIZE_DETECT_ROOT", (std::string(LLMSIZE_FIXTURES) + "/machine/" + tree).c_str(), 1);
  }
  ~RecordedMachine() { unsetenv("LLMSIZE_DETECT_ROOT"); }
  RecordedMachine(const RecordedMachine&) = delete;
  RecordedMachine& operator=(const RecordedMachine&) = delete;
};

}  // namespace

TEST_CASE("calibrate's \"same CPU\" decision follows the recorded machine, not the host", "[cli][calibrate]") {
  const TempConfig config;
  llmsize::machine::MachineProfile p;
  p.bandwidth = llmsize::machine::BandwidthMeasurement{29.82, 2, 3, "AMD EPYC", "2025-11-21T11:32:05Z"};
  llmsize::machine::save_profile(config.path() / "llmsize", p);
  {
    // The tree's CPU is the EPYC the oracle rows ran on: all 26 rows are used, measured against it.
    const RecordedMachine epyc("epyc-2core");
    const auto j = json_of_success(run({"calibrate", kDir + "oracle-cpu.json", "--dry-run", "--json"}));
    const auto& rows = j["result"]["rows"];
    REQUIRE(rows.size() == 26);
    for (const auto& row : rows) {
      INFO(row.dump());
      CHECK(row["used"] == true);
      CHECK(row["device"] == "this machine");
    }
  }
  {
    // A recorded Ryzen 9 7950X: every row ran on another CPU, so nothing is calibrated.
    const RecordedMachine ryzen("nvidia-4090");
    const Result r = run({"calibrate", kDir + "oracle-cpu.json", "--dry-run"});
    CHECK(r.code == 2);
    CHECK(r.err == "llmsize: error: nothing to calibrate from: " + kDir +
                       "oracle-cpu.json: row 1: run on another CPU (\"AMD EPYC\"; this machine has \"AMD Ryzen 9 7950X "
                       "16-Core Processor\"); the profile is unchanged\n");
  }
}

TEST_CASE("the overhead calibrate fitted is the runtime bytes check --this-machine places on each GPU", "[cli][calibrate]") {
  const TempConfig config;
  const RecordedMachine rtx4090("nvidia-4090");
  const std::vector<std::string> args = {"check", "--this-machine", "--model", "llama-3.1-8b", "--json"};
  auto runtime_bytes = [&]() {
    const auto j = llmsize::test::json_of(run(args));
    for (const auto& d : j["result"]["devices"]) {
      if (d["id"] == "rtx-4090") return d["overhead_bytes"].get<std::uint64_t>();
    }
    FAIL("no rtx-4090 among the devices: " + j["result"]["devices"].dump());
    return std::uint64_t{0};
  };
  // No profile: the fixed CUDA overhead of the table (backend_overhead_bytes).
  CHECK(runtime_bytes() == llmsize::engine::backend_overhead_bytes(llmsize::engine::Backend::cuda));
  llmsize::machine::MachineProfile p;
  p.backend_overhead_bytes = 777ULL << 20;  // as if the user's load logs said 777 MiB unaccounted per GPU
  llmsize::machine::save_profile(config.path() / "llmsize", p);
  CHECK(runtime_bytes() == 777ULL << 20);
  CHECK(llmsize::engine::backend_overhead_bytes(llmsize::engine::Backend::cuda) != 777ULL << 20);
}
