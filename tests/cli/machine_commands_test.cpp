// detect, probe and calibrate on the command pipeline: exact text, exit codes, which of them take --csv,
// and the profile's --show / --reset, on recorded machines ($LLMSIZE_DETECT_ROOT) and a temporary
// profile directory ($XDG_CONFIG_HOME). Nothing here reads the host's hardware except probe's own
// measurement, whose numbers are not asserted.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "llmsize/machine/profile.h"
#include "llmsize/units.h"
#include "run_cli.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

namespace fs = std::filesystem;

using llmsize::test::CliResult;
using llmsize::test::json_of_success;
using llmsize::test::run;

const std::string kMachines = std::string(LLMSIZE_FIXTURES) + "/machine/";
const std::string kCalibrate = std::string(LLMSIZE_FIXTURES) + "/calibrate/";

/// Sets an environment variable for one scope and restores what was there.
class EnvVar {
 public:
  EnvVar(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;
    set(value);
  }
  ~EnvVar() { set(previous_); }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  void set(const std::optional<std::string>& value) {
    if (value) {
      setenv(name_, value->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  const char* name_;
  std::optional<std::string> previous_;
};

/// A fresh directory, removed at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "llmsize-machine-commands-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Detection reads `tree` (a directory under tests/fixtures/machine, or any path); the profile lives in a
/// fresh directory.
struct Scene {
  TempDir config;
  EnvVar root;
  EnvVar xdg;
  explicit Scene(const std::string& tree) : root("LLMSIZE_DETECT_ROOT", tree), xdg("XDG_CONFIG_HOME", config.path().string()) {}
  [[nodiscard]] fs::path profile() const { return config.path() / "llmsize" / "machine.json"; }
  void save(const llmsize::machine::MachineProfile& p) const { llmsize::machine::save_profile(config.path() / "llmsize", p); }
};

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// A profile with every part filled: the probe's figure, one fitted backend, an overhead, one file.
llmsize::machine::MachineProfile full_profile() {
  llmsize::machine::MachineProfile p;
  p.bandwidth = llmsize::machine::BandwidthMeasurement{29.82, 2, 3, "AMD EPYC", "2025-11-21T11:32:05Z"};
  llmsize::engine::Efficiency e;
  e.backend = llmsize::engine::Backend::cuda;
  e.bandwidth_efficiency = 0.62;
  e.per_token_s = 0.0015;
  e.prefill_efficiency = 0.41;
  e.decode_rows = 5;
  e.prefill_rows = 3;
  p.efficiencies = {e};
  p.backend_overhead_bytes = 456 * llmsize::units::kMiB;
  p.calibration_files = {"/data/bench.jsonl"};
  return p;
}

}  // namespace

TEST_CASE("detect prints the recorded machine exactly and refuses --csv", "[cli][detect][pipeline]") {
  const std::string tree = kMachines + "nvidia-4090";
  const Scene scene(tree);
  const CliResult r = run({"detect"});
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  // Values from the fixture: MemTotal 65020860 KiB = 62.01 GiB (66.58 GB); nvidia-smi 24564 MiB total
  // (23.99 GiB) and 23012 MiB free (22.47 GiB).
  CHECK(r.out ==
        "CPU     AMD Ryzen 9 7950X 16-Core Processor · 16 cores, 32 threads · AVX2, AVX-512 · x86_64\n"
        "        catalog: ryzen-9-7950x (AMD Ryzen 9 7950X)\n"
        "RAM     62.01 GiB (66.58 GB) total; available: 56.20 GiB (60.35 GB)\n"
        "        type, speed, channels: not readable (see below)\n"
        "GPU 0   NVIDIA GeForce RTX 4090 · discrete · 23.99 GiB total, 22.47 GiB free · nvidia-smi 0000:01:00.0\n"
        "        catalog: rtx-4090 (GeForce RTX 4090)\n"
        "\n"
        "Could not read\n"
        "  RAM type, speed and channels: not readable (needs root): sudo llmsize detect\n"
        "\n"
        "Sources: " + tree + "/proc/cpuinfo read, " + tree + "/proc/meminfo read, dmidecode ran, " + tree +
            "/sys/class/drm absent, nvidia-smi ran, rocm-smi not found\n"
        "`llmsize check --this-machine --model X` sizes a model for this hardware.\n");

  const CliResult csv = run({"detect", "--csv"});
  CHECK(csv.code == 2);
  CHECK(csv.out.empty());
  CHECK(starts_with(csv.err, "llmsize: error: --csv does not apply to `llmsize detect` (it prints no table); it works with: "));
  CHECK(csv.err.find("calibrate") != std::string::npos);

  const auto j = json_of_success(run({"detect", "--json"}));
  CHECK(j["schema_version"] == 4);
  CHECK(j["command"] == "detect");
  CHECK(j["inputs"] == nlohmann::json::object());
  CHECK(j["assumptions"] == nlohmann::json::array());
  CHECK(j["result"]["gpus"][0]["memory_free_bytes"] == 23012 * llmsize::units::kMiB);
}

TEST_CASE("detect without a GPU says where it looked", "[cli][detect][pipeline]") {
  // The 4090 machine with nvidia-smi uninstalled: no tool and no DRM card reports a GPU.
  const TempDir tree;
  fs::copy(kMachines + "nvidia-4090", tree.path(), fs::copy_options::recursive);
  fs::remove(tree.path() / "commands" / "nvidia-smi.txt");
  const std::string root = tree.path().string();
  const Scene scene(root);
  const CliResult r = run({"detect"});
  CHECK(r.code == 0);
  CHECK(r.out.find("\nGPU     no GPU found (" + root +
                   "/sys/class/drm: absent, nvidia-smi: not found, rocm-smi: not found)\n\nCould not read\n") !=
        std::string::npos);
  CHECK(json_of_success(run({"detect", "--json"}))["result"]["gpus"].empty());
}

TEST_CASE("probe --show and calibrate --show print the stored profile, only calibrate's takes --csv",
          "[cli][probe][calibrate][pipeline]") {
  const Scene scene(kMachines + "nvidia-4090");
  scene.save(full_profile());
  const std::string path = scene.profile().string();
  // 0.0015 s per token = 1.50 ms; 456 MiB = "456.0"; the table's columns are as wide as their headers.
  const std::string text =
      "Profile: " + path + "\n"
      "\n"
      "Memory read bandwidth: 29.8 GB/s (2 threads, 3.0 s, AMD EPYC, measured 2025-11-21T11:32:05Z)\n"
      "\n"
      "Efficiency factors fitted on your runs (0 rows: the catalog's factor is kept)\n"
      "Backend  Bandwidth eff.  Per token [ms]  Prefill eff.  Rows fit (tg/pp)\n"
      "cuda              0.620            1.50         0.410               5/3\n"
      "Backend overhead per GPU: 456.0 MiB\n"
      "Calibrated from: /data/bench.jsonl\n";
  for (const char* command : {"probe", "calibrate"}) {
    const CliResult r = run({command, "--show"});
    INFO(command);
    CHECK(r.code == 0);
    CHECK(r.out == text);
    const auto j = json_of_success(run({command, "--show", "--json"}));
    CHECK(j["command"] == command);
    CHECK(j["result"]["efficiencies"][0]["per_token_s"] == 0.0015);
    CHECK(j["result"]["backend_overhead_bytes"] == 456 * llmsize::units::kMiB);
  }
  const CliResult csv = run({"calibrate", "--show", "--csv"});
  CHECK(csv.code == 0);
  CHECK(csv.out == "Backend,Bandwidth eff.,Per token [ms],Prefill eff.,Rows fit (tg/pp)\ncuda,0.620,1.50,0.410,5/3\n");

  const CliResult probe_csv = run({"probe", "--show", "--csv"});
  CHECK(probe_csv.code == 2);
  CHECK(probe_csv.out.empty());
  CHECK(starts_with(probe_csv.err, "llmsize: error: --csv does not apply to `llmsize probe` (it prints no table)"));

  const CliResult both = run({"probe", "--show", "--reset"});
  CHECK(both.code == 2);
  CHECK(both.err == "llmsize: error: use --show or --reset, not both\n");
  CHECK(fs::exists(scene.profile()));
}

TEST_CASE("calibrate --csv prints the fitted factors' table and nothing else", "[cli][calibrate][pipeline]") {
  const Scene scene(kMachines + "nvidia-4090");
  // Two rows, one per test: nothing fitted (3 rows of a test are needed), so the table is its header.
  const CliResult none = run({"calibrate", kCalibrate + "rtx4080.jsonl", "--csv"});
  CHECK(none.code == 0);
  CHECK(none.out == "Backend,Bandwidth eff.,Per token [ms],Prefill eff.,Rows fit (tg/pp)\n");

  // Three tg128 rows on the RTX 4080 (the fixture's tg row at 1, 0.5 and 2 × its model size, its speed
  // scaled the other way): one CUDA row fitted on 3 decode rows and no prefill rows.
  std::ifstream in(kCalibrate + "rtx4080.jsonl");
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  const nlohmann::json tg = nlohmann::json::parse(line);
  REQUIRE(tg["n_gen"] == 128);
  const fs::path bench = scene.config.path() / "three-tg.jsonl";
  {
    std::ofstream out(bench);
    for (const double scale : {1.0, 0.5, 2.0}) {
      nlohmann::json row = tg;
      row["model_size"] = static_cast<std::uint64_t>(tg["model_size"].get<double>() * scale);
      row["avg_ts"] = tg["avg_ts"].get<double>() / scale;
      out << row.dump() << "\n";
    }
  }
  const CliResult r = run({"calibrate", bench.string(), "--dry-run", "--csv"});
  CHECK(r.code == 0);
  CHECK_FALSE(fs::exists(scene.profile()));
  const auto fitted = json_of_success(run({"calibrate", bench.string(), "--dry-run", "--json"}))["result"]["fitted"];
  REQUIRE(fitted.size() == 1);
  const auto& f = fitted[0];
  CHECK(f["decode_rows"] == 3);
  CHECK(f["prefill_rows"] == 0);
  // Time per token is exactly proportional to the bytes read, so nothing is left per token (0.00 ms) and
  // the bandwidth efficiency is the fixture's. A decoded token reads the file less token_embd (Qwen2 7B
  // is untied; token_embd's share is its parameters' share, 152064 × 3584 / 7615616512 = 7.156%):
  // 4677120000 B × 0.928437 / 716.8 GB/s (the catalog's RTX 4080) × 119.844681 tok/s = 0.726025.
  // Prefill has no rows: the catalog-wide CUDA factor is kept.
  CHECK(f["bandwidth_efficiency"].get<double>() == Approx(0.726025).epsilon(1e-5));
  CHECK(f["per_token_s"].get<double>() == Approx(0).margin(1e-9));
  CHECK(r.out == fmt::format("Backend,Bandwidth eff.,Per token [ms],Prefill eff.,Rows fit (tg/pp)\n"
                             "cuda,0.726,0.00,{:.3f},3/0\n",
                             f["prefill_efficiency"].get<double>()));
}

TEST_CASE("calibrate --reset deletes the profile, with --csv it is refused and deletes nothing", "[cli][calibrate][pipeline]") {
  const Scene scene(kMachines + "nvidia-4090");
  scene.save(full_profile());
  const std::string path = scene.profile().string();

  const CliResult refused = run({"calibrate", "--reset", "--csv"});
  CHECK(refused.code == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err == "llmsize: error: --csv does not apply to `llmsize calibrate --reset` (it prints no table); `--show "
                         "--csv` prints the stored factors\n");
  CHECK(fs::exists(scene.profile()));

  const CliResult reset = run({"calibrate", "--reset"});
  CHECK(reset.code == 0);
  CHECK(reset.out == "Deleted " + path + "\n");
  CHECK_FALSE(fs::exists(scene.profile()));
  const CliResult again = run({"probe", "--reset"});
  CHECK(again.code == 0);
  CHECK(again.out == "No profile at " + path + "; nothing to delete\n");
  const auto j = json_of_success(run({"probe", "--reset", "--json"}));
  CHECK(j["result"]["deleted"] == false);
  CHECK(j["result"]["profile_path"] == path);
}

TEST_CASE("a profile that cannot be placed or read is one error line, exit 2", "[cli][probe][calibrate][pipeline]") {
  {
    const EnvVar xdg("XDG_CONFIG_HOME", std::nullopt);
    const EnvVar home("HOME", std::nullopt);
    for (const char* command : {"probe", "calibrate"}) {
      const CliResult r = run({command, "--show"});
      CHECK(r.code == 2);
      CHECK(r.out.empty());
      CHECK(r.err ==
            "llmsize: error: neither $XDG_CONFIG_HOME nor $HOME is set; set one to say where llmsize keeps its profile\n");
    }
  }
  const Scene scene(kMachines + "nvidia-4090");
  fs::create_directories(scene.profile().parent_path());
  std::ofstream(scene.profile()) << "{ not json";
  const CliResult r = run({"probe", "--show"});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(starts_with(r.err, "llmsize: error: " + scene.profile().string() + ": not valid JSON"));
  CHECK(r.err.find('\n') == r.err.size() - 1);
}

TEST_CASE("probe with --dry-run stores nothing and draws no bar when stderr is not a terminal", "[cli][probe][pipeline]") {
  const Scene scene(kMachines + "nvidia-4090");
  const CliResult r = run({"probe", "--seconds", "0.02", "--buffer-mib", "8", "--threads", "2", "--dry-run"});
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(starts_with(r.out, "Memory read bandwidth of this machine ("));
  CHECK(r.out.find("): 2 threads, 8 MiB of buffers, ") != std::string::npos);
  CHECK(r.out.find("\n  measured     ") != std::string::npos);
  const std::string tail = "\n--dry-run: nothing stored\n";
  CHECK(r.out.substr(r.out.size() - tail.size()) == tail);
  CHECK_FALSE(fs::exists(scene.profile()));
}
