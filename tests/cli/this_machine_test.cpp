// detect and --this-machine through the CLI, on recorded machines ($LLMSIZE_DETECT_ROOT) and an empty or
// prepared user profile ($XDG_CONFIG_HOME).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "llmsize/cli/run.h"
#include "run_cli.h"
#include "llmsize/machine/detect.h"
#include "llmsize/machine/profile.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

namespace fs = std::filesystem;

using Result = llmsize::test::CliResult;
using llmsize::test::run;
using llmsize::test::json_of;

const std::string kMachines = std::string(LLMSIZE_FIXTURES) + "/machine/";

// Points detection at a recorded machine (or the real one with "") and the profile at a fresh directory.
struct Machine {
  fs::path config;
  explicit Machine(const std::string& tree) {
    if (tree.empty()) {
      unsetenv("LLMSIZE_DETECT_ROOT");
    } else {
      setenv("LLMSIZE_DETECT_ROOT", (kMachines + tree).c_str(), 1);
    }
    config = fs::temp_directory_path() / ("llmsize-this-machine-test-" + std::to_string(getpid()));
    fs::remove_all(config);
    fs::create_directories(config);
    setenv("XDG_CONFIG_HOME", config.c_str(), 1);
  }
  ~Machine() {
    unsetenv("LLMSIZE_DETECT_ROOT");
    unsetenv("XDG_CONFIG_HOME");
    std::error_code ec;
    fs::remove_all(config, ec);
  }
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;
  void save(const llmsize::machine::MachineProfile& p) const { llmsize::machine::save_profile(config / "llmsize", p); }
};

// Whether an assumption's sentence (schema_version 2: {key, value, source, text}) contains `text`.
bool any_contains(const nlohmann::json& list, const std::string& text) {
  for (const auto& item : list) {
    if (item.at("text").get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

constexpr std::uint64_t kMiB = llmsize::units::kMiB;

}  // namespace

TEST_CASE("detect on a recorded machine: free memory, catalog ids and what needs root", "[cli][detect]") {
  const Machine m("nvidia-4090");
  const Result r = run({"detect"});
  CHECK(r.code == 0);
  CHECK(r.out.find("NVIDIA GeForce RTX 4090 · discrete · 23.99 GiB total, 22.47 GiB free") != std::string::npos);
  CHECK(r.out.find("catalog: rtx-4090") != std::string::npos);
  CHECK(r.out.find("catalog: ryzen-9-7950x") != std::string::npos);
  CHECK(r.out.find("16 cores, 32 threads · AVX2, AVX-512") != std::string::npos);
  CHECK(r.out.find("RAM type, speed and channels: not readable (needs root)") != std::string::npos);
  const auto j = json_of(run({"detect", "--json"}));
  CHECK(j["result"]["gpus"][0]["memory_total_bytes"] == 24564 * kMiB);
  CHECK(j["result"]["gpus"][0]["memory_free_bytes"] == 23012 * kMiB);
  CHECK(j["result"]["gpus"][0]["catalog_id"] == "rtx-4090");
  CHECK(j["result"]["memory"]["total_bytes"] == 65020860ULL * 1024);
  CHECK(j["result"]["memory"]["type"].is_null());
}

TEST_CASE("detect says no GPU found exactly when none was found", "[cli][detect]") {
  // no-gpu/: a 4-vCPU Xeon 8480+ VM whose nvidia-smi is installed but cannot reach a driver, and no DRM cards.
  {
    const Machine m("no-gpu");
    const Result r = run({"detect"});
    CHECK(r.code == 0);
    CHECK(r.out.find("GPU     no GPU found") != std::string::npos);
    CHECK(r.out.find("2 cores, 4 threads") != std::string::npos);
    const auto j = json_of(run({"detect", "--json"}));
    CHECK(j["result"]["gpus"].empty());
    CHECK(j["result"]["memory"]["total_bytes"] == 16393220ULL * 1024);
  }
  // The same question on a machine with a card: no such line.
  const Machine m("nvidia-4090");
  const Result r = run({"detect"});
  CHECK(r.code == 0);
  CHECK(r.out.find("no GPU found") == std::string::npos);
  CHECK(r.out.find("NVIDIA GeForce RTX 4090") != std::string::npos);
}

TEST_CASE("check --this-machine uses the GPU's free memory and says so", "[cli][this-machine]") {
  const Machine m("nvidia-4090");
  const Result r = run({"check", "--this-machine", "--model", "llama-3.1-8b", "--json"});
  CHECK(r.code == 0);
  const auto j = json_of(r);
  CHECK(j["result"]["verdict"] == "fits");
  CHECK(j["result"]["devices"][0]["id"] == "rtx-4090");
  CHECK(j["result"]["devices"][0]["memory_bytes"] == 23012 * kMiB);
  CHECK(any_contains(j["assumptions"], "rtx-4090: 22.47 GiB free of 23.99 GiB now (nvidia-smi)"));
  // RAM: MemAvailable (58934592 KiB) plus the 2 GiB OS reserve placement takes back out.
  CHECK(j["result"]["devices"][1]["memory_bytes"] == 58934592ULL * 1024 + 2 * llmsize::units::kGiB);
  CHECK(any_contains(j["assumptions"], "RAM type and channels not readable"));
  // 70B at Q4_K_M needs offload on one 4090: exit 0, but 1 with --require-gpu.
  CHECK(run({"check", "--this-machine", "--model", "llama-3.1-70b"}).code == 0);
  CHECK(run({"check", "--this-machine", "--model", "llama-3.1-70b", "--require-gpu"}).code == 1);
}

TEST_CASE("hardware flags beside this-machine, or an unknown GPU, are an input error", "[cli][this-machine]") {
  {
    const Machine m("nvidia-4090");
    const Result r = run({"check", "--this-machine", "--gpu", "3090", "--model", "8b"});
    CHECK(r.code == 2);
    CHECK(r.err.find("--this-machine uses the detected hardware") != std::string::npos);
  }
  const Machine m("unknown-gpu");
  const Result r = run({"check", "--this-machine", "--model", "8b"});
  CHECK(r.code == 2);
  CHECK(r.err.find("detected GPU \"NVIDIA GeForce GTX 980\" (4.00 GiB) is not in the catalog") != std::string::npos);
}

TEST_CASE("check on this machine keeps the choices about how it runs (--storage, --split) and refuses --nodes", "[cli][this-machine]") {
  const Machine m("nvidia-4090");
  const auto plain = json_of(run({"check", "--this-machine", "--model", "llama-3.1-8b", "--json"}));
  const auto hdd = json_of(run({"check", "--this-machine", "--model", "llama-3.1-8b", "--storage", "hdd", "--json"}));
  // The same load from a hard disk (catalog: 285 MB/s sustained) takes far longer than from the
  // default NVMe gen 4 drive; before, --storage was dropped without a word under --this-machine.
  CHECK(hdd["result"]["load_seconds"].get<double>() > 10 * plain["result"]["load_seconds"].get<double>());
  CHECK_FALSE(any_contains(hdd["assumptions"], "storage"));
  CHECK(any_contains(plain["assumptions"], "storage"));
  const Result nodes = run({"check", "--this-machine", "--model", "8b", "--nodes", "2"});
  CHECK(nodes.code == 2);
  CHECK(nodes.err.find("--nodes and --link describe several identical named machines") != std::string::npos);
}

TEST_CASE("Strix Halo: one unified device with the carve-out plus GTT, never two GPUs", "[cli][this-machine]") {
  const Machine m("strix-halo");
  const auto j = json_of(run({"check", "--this-machine", "--model", "llama-3.1-70b", "--json"}));
  REQUIRE(j["result"]["devices"].size() == 2);  // the unified GPU and system RAM
  CHECK(j["result"]["devices"][0]["kind"] == "unified");
  // GPU share: the free carve-out (4294967296 - 211992576) + GTT 103079215104.
  CHECK(j["result"]["devices"][0]["memory_bytes"] == 4294967296ULL - 211992576ULL + 103079215104ULL);
  CHECK(j["result"]["verdict"] == "fits");
}

TEST_CASE("the probe's bandwidth and calibrate's factors apply to this machine", "[cli][this-machine][profile]") {
  const std::vector<std::string> args = {"check", "--this-machine", "--model", "llama-3.1-70b", "--json"};
  double plain = 0;
  {
    const Machine m("nvidia-4090");
    plain = json_of(run(args))["result"]["speed"]["decode_tokens_per_s"].get<double>();
  }
  llmsize::machine::BandwidthMeasurement b;
  b.read_gb_per_s = 40;  // below the assumed 2 × DDR5-5200 = 83.2 GB/s
  b.threads = 32;
  b.seconds = 3;
  b.cpu_model = "AMD Ryzen 9 7950X 16-Core Processor";
  b.measured_at = "2025-06-01T10:00:00Z";
  {
    const Machine m("nvidia-4090");
    llmsize::machine::MachineProfile p;
    p.bandwidth = b;
    m.save(p);
    const auto j = json_of(run(args));
    CHECK(any_contains(j["assumptions"], "system RAM bandwidth: 40.0 GB/s measured by llmsize probe on 2025-06-01T10:00:00Z"));
    // Half the weights are read from RAM: slower RAM, slower decode.
    CHECK(j["result"]["speed"]["decode_tokens_per_s"].get<double>() < plain * 0.8);
  }
  {
    const Machine m("nvidia-4090");
    llmsize::machine::MachineProfile p;
    b.cpu_model = "Intel(R) Core(TM) i5-10400F CPU @ 2.90GHz";
    p.bandwidth = b;
    m.save(p);
    const auto j = json_of(run(args));
    CHECK(any_contains(j["assumptions"], "was taken on \"Intel(R) Core(TM) i5-10400F CPU @ 2.90GHz\", not this CPU"));
    CHECK(j["result"]["speed"]["decode_tokens_per_s"].get<double>() == Approx(plain));
  }
  {
    const Machine m("nvidia-4090");
    llmsize::machine::MachineProfile p;
    llmsize::engine::Efficiency cpu;
    cpu.backend = llmsize::engine::Backend::cpu;
    cpu.bandwidth_efficiency = 0.2;  // far below the catalog's CPU fit
    cpu.decode_rows = 5;
    p.efficiencies = {cpu};
    m.save(p);
    const auto j = json_of(run(args));
    CHECK(any_contains(j["assumptions"], "efficiency factors for cpu fitted by `llmsize calibrate`"));
    CHECK(j["result"]["speed"]["decode_tokens_per_s"].get<double>() < plain * 0.8);
  }
}

TEST_CASE("models --this-machine sizes every model for the detected free memory", "[cli][this-machine]") {
  const Machine m("nvidia-4090");
  const auto j = json_of(run({"models", "--this-machine", "--family", "llama", "--json"}));
  CHECK(j["inputs"]["hardware"][0]["memory_bytes"] == 23012 * kMiB);
  REQUIRE(j["result"]["items"].size() > 3);
  for (const auto& item : j["result"]["items"]) CHECK(item["verdict"] == "fits");
}

TEST_CASE("JSON contract: recommend --this-machine lists what to add or replace", "[cli][json][this-machine]") {
  const Machine m("nvidia-4090");
  const Result r = run({"recommend", "--this-machine", "--model", "llama-3.1-70b", "--json"});
  CHECK(r.code == 0);  // it runs now, with offload
  const auto j = json_of(r);
  CHECK(j["command"] == "recommend");
  CHECK(j["inputs"]["this_machine"] == true);
  CHECK(j["result"]["runs_now"] == true);
  const auto& options = j["result"]["options"];
  REQUIRE(options.size() >= 2);
  for (const char* k : {"option", "change", "hardware", "devices", "verdict", "reason", "used_bytes", "memory_bytes",
                        "decode_tokens_per_s", "decode_low", "decode_high", "prefill_tokens_per_s", "price", "price_basis",
                        "price_parts"}) {
    CHECK(options[0].contains(k));
  }
  CHECK(options[0]["option"] == "now");
  CHECK(options[0]["verdict"] == "fits_with_offload");
  CHECK(options[0]["price"].is_null());
  CHECK(options[0]["price_basis"].is_null());
  CHECK(options[1]["option"] == "add_gpu");
  CHECK(options[1]["change"] == "add a second GeForce RTX 4090");
  CHECK(options[1]["verdict"] == "fits");
  CHECK(options[1]["price"] == 1599.0);  // the catalog's launch price of the RTX 4090
  CHECK(options[1]["price_basis"] == "launch_msrp");
  CHECK(options[1]["price_parts"][0]["launch_year"] == 2022);
  CHECK(options[1]["decode_tokens_per_s"].get<double>() > 5 * options[0]["decode_tokens_per_s"].get<double>());

  // A machine where it does not fit now: exit 1, and more RAM is one of the ways out.
  const Machine cpu_only("mac-m2-max");
  const Result mac = run({"recommend", "--this-machine", "--model", "llama-3.1-70b", "--quant", "q8_0", "--json"});
  CHECK(mac.code == 1);
  CHECK(json_of(mac)["result"]["runs_now"] == false);
}

TEST_CASE("JSON contract: detect", "[cli][json][detect]") {
  const Machine m("amd-dgpu-igpu");
  const auto j = json_of(run({"detect", "--json"}));
  CHECK(j["command"] == "detect");
  const auto& r = j["result"];
  for (const char* k : {"os", "cpu", "memory", "gpus", "system", "unreadable", "sources"}) CHECK(r.contains(k));
  for (const char* k : {"model_name", "vendor", "arch", "cores", "threads", "sockets", "mhz", "simd", "catalog_id"}) {
    CHECK(r["cpu"].contains(k));
  }
  for (const char* k : {"total_bytes", "available_bytes", "type", "speed_mt_per_s", "channels", "modules", "slots"}) {
    CHECK(r["memory"].contains(k));
  }
  REQUIRE(r["gpus"].size() == 2);
  for (const char* k : {"name", "vendor", "kind", "kind_reason", "source", "pci_bus_id", "memory_total_bytes",
                        "memory_used_bytes", "memory_free_bytes", "gtt_total_bytes", "gpu_cores", "catalog_id"}) {
    CHECK(r["gpus"][0].contains(k));
  }
  CHECK(r["cpu"]["catalog_id"] == "ryzen-9-7950x");
  CHECK(r["memory"]["type"] == "DDR5");
  CHECK(r["memory"]["speed_mt_per_s"] == 6000);
  CHECK(r["memory"]["channels"] == 2);
  CHECK(r["gpus"][0]["catalog_id"] == "rx-7900-xtx");
  CHECK(r["gpus"][0]["kind"] == "discrete");
  CHECK(r["gpus"][1]["kind"] == "integrated");
  CHECK(r["gpus"][1]["catalog_id"].is_null());
  CHECK(r["system"].is_null());
  CHECK(r["unreadable"].empty());
}
