// HardwareBuilder: hand-computed engine inputs for one GPU, two GPUs, a unified system and a CPU-only
// build; and the promise it exists for: `check --gpu X --cpu Y --ram Z` and `check --this-machine` on a
// recorded machine with that card, CPU and RAM give the same devices, placement and speed.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/hardware_builder.h"
#include "llmsize/units.h"
#include "run_cli.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

namespace fs = std::filesystem;
using llmsize::engine::Backend;
using llmsize::engine::DeviceKind;
using llmsize::units::kGiB;
namespace cli = llmsize::cli;

// A card with round numbers: 24 GiB, 1000 GB/s, 100 TFLOPS, PCIe 4.0 x16.
llmsize::engine::Gpu test_gpu() {
  llmsize::engine::Gpu g;
  g.meta.id = "test-gpu";
  g.meta.name = "Test GPU";
  g.memory_gib = 24;
  g.bandwidth_gb_per_s = 1000;
  g.fp16_tensor_tflops = 100;
  g.tdp_watts = 300;
  g.launch_price_usd = 1000;
  g.backends = {Backend::cuda};
  g.pcie_gen = 4;
  g.pcie_lanes = 16;
  return g;
}

llmsize::engine::RamKind ram_kind(const std::string& name, std::uint32_t mt_per_s) {
  llmsize::engine::RamKind k;
  k.meta.id = name;
  k.meta.name = name;
  k.transfer_rate_mt_per_s = mt_per_s;
  return k;
}

// 8 AVX2 cores at 4 GHz: 8 × 32 FLOP/cycle × 4e9 = 1.024e12 FLOP/s.
llmsize::engine::Cpu test_cpu() {
  llmsize::engine::Cpu c;
  c.meta.id = "test-cpu";
  c.meta.name = "Test CPU";
  c.cores = 8;
  c.base_clock_ghz = 4;
  c.simd = {"avx2"};
  c.memory_channels = 2;
  c.tdp_watts = 105;
  c.launch_price_usd = 300;
  return c;
}

// PCIe 4.0: 1.969 GB/s per lane × 16 lanes.
constexpr double kPcie4x16 = 1.969 * 16 * 1e9;

}  // namespace

TEST_CASE("builder: one GPU beside the assumed desktop host", "[cli][hardware-builder]") {
  const llmsize::engine::Gpu g = test_gpu();
  cli::HostSpec host;  // no catalog CPU: the generic desktop of hardware_defaults.h
  host.ram_kind = ram_kind("DDR5-5600", 5600);
  host.channels = 2;
  host.ram_bytes = 64 * kGiB;
  cli::HardwareBuilder b;
  b.add_gpu(g, 24 * kGiB, cli::Origin::named).set_host(host);
  const cli::HardwareConfig h = b.build();

  REQUIRE(h.devices.size() == 1);
  CHECK(h.devices[0].id == "test-gpu");
  CHECK(h.devices[0].kind == DeviceKind::gpu);
  CHECK(h.devices[0].backend == Backend::cuda);
  CHECK(h.devices[0].memory_bytes == 25769803776ULL);  // 24 × 2^30
  CHECK(h.compute[0].bandwidth_bytes_per_s == Approx(1000e9));
  CHECK(h.compute[0].matmul_flops_per_s == Approx(100e12));
  CHECK(h.gpu_link_bytes_per_s == Approx(kPcie4x16));  // 31.5 GB/s
  CHECK(h.tp_link_bytes_per_s == 0);                   // one GPU: no all-reduce
  REQUIRE(h.host);
  CHECK(h.host->cpu.id == "host");
  CHECK(h.host->cpu.bandwidth_bytes_per_s == Approx(2 * 5600e6 * 8));  // 89.6 GB/s
  CHECK(h.host->cpu.matmul_flops_per_s == Approx(cli::kGenericCpuFlopsPerS));
  CHECK(h.host->gpu_link_bytes_per_s == Approx(kPcie4x16));
  CHECK(h.host_ram_bytes == 64 * kGiB);
  CHECK(h.power.gpu_tdp_watts == std::vector<double>{300});
  CHECK(h.power.cpu_tdp_watts == 125);
  CHECK_FALSE(h.power.cpu_runs_layers);
  CHECK(h.price() == 1000.0);  // the card; the assumed host has no price
  CHECK(cli::hardware_label(h) == "Test GPU");
  CHECK(nlohmann::json::parse(cli::hardware_json(h).dump()) ==
        nlohmann::json::parse(R"([{"id": "test-gpu", "kind": "gpu", "memory_bytes": 25769803776, "backend": "cuda"}])"));

  SECTION("two machines of it over a 10 GB/s link") {
    llmsize::engine::Link link;
    link.meta.name = "Test link";
    link.bandwidth_gb_per_s = 10;  // no latency: kDefaultNetworkLatencyUs
    const cli::HardwareConfig two = cli::HardwareBuilder(b).set_nodes(2, &link).build();
    REQUIRE(two.devices.size() == 2);
    CHECK(two.devices[1].id == "node2/test-gpu");
    CHECK(two.device_nodes == std::vector<std::uint32_t>{0, 1});
    CHECK(two.network.bandwidth_bytes_per_s == Approx(10e9));
    CHECK(two.network.latency_s == Approx(50e-6));
    CHECK(two.power.gpu_tdp_watts == std::vector<double>{300, 300});
    CHECK(two.price() == 2000.0);
    REQUIRE(two.price_parts.size() == 1);
    CHECK(two.price_parts[0].count == 2);  // the card on each machine
    CHECK(cli::hardware_label(two) == "2 machines of Test GPU over Test link");
    CHECK(cli::hardware_json(two)[1]["node"] == 1);
  }
}

TEST_CASE("builder: two GPUs on a detected machine, one owned and one added", "[cli][hardware-builder]") {
  const llmsize::engine::Gpu g = test_gpu();
  const llmsize::engine::Cpu c = test_cpu();
  cli::HostSpec host;
  host.cpu = &c;
  host.ram_kind = ram_kind("DDR4-3200", 3200);
  host.channels = 2;
  host.ram_bytes = 30 * kGiB;
  host.ram_total_bytes = 32 * kGiB;
  host.origin = cli::Origin::detected;
  llmsize::engine::Link nvlink;
  nvlink.bandwidth_gb_per_s = 112.5;  // no latency given: kDefaultGpuLinkLatencyUs
  const cli::HardwareConfig h = cli::HardwareBuilder()
                                    .add_gpu(g, 22 * kGiB, cli::Origin::detected)
                                    .add_gpu(g, 24 * kGiB, cli::Origin::added)
                                    .set_link(&nvlink)
                                    .set_host(host)
                                    .build();
  REQUIRE(h.devices.size() == 2);
  CHECK(h.devices[0].id == "test-gpu#0");
  CHECK(h.devices[1].id == "test-gpu#1");
  CHECK(h.compute[1].id == "test-gpu#1");
  CHECK(h.devices[0].memory_bytes == 22 * kGiB);  // free memory, as detected
  CHECK(h.tp_link_bytes_per_s == Approx(112.5e9));
  CHECK(h.tp_link_latency_s == Approx(2e-6));
  CHECK(h.host->cpu.id == "test-cpu");
  CHECK(h.host->cpu.bandwidth_bytes_per_s == Approx(2 * 3200e6 * 8));  // 51.2 GB/s
  CHECK(h.host->cpu.matmul_flops_per_s == Approx(8 * 32 * 4e9));      // 1.024 TFLOP/s
  CHECK(h.power.cpu_tdp_watts == 105);
  CHECK(h.cpu_repack);                    // x86: repacked copies
  CHECK(h.price() == 1000.0);             // only the added card; the owned card and CPU cost nothing
  CHECK(cli::hardware_label(h) == "this machine (2× Test GPU + Test CPU + 32.00 GiB RAM)");
  const auto json = cli::hardware_json(h);
  CHECK(json[0]["added"] == false);
  CHECK(json[1]["added"] == true);

  SECTION("a measured bandwidth replaces channels × transfer rate") {
    host.measured_bandwidth_bytes_per_s = 40e9;
    const cli::HardwareConfig m = cli::HardwareBuilder().add_gpu(g, 24 * kGiB, cli::Origin::detected).set_host(host).build();
    CHECK(m.host->cpu.bandwidth_bytes_per_s == 40e9);
  }
}

TEST_CASE("builder: a unified-memory system shares its RAM with its GPU", "[cli][hardware-builder]") {
  llmsize::engine::UnifiedSystem s;
  s.meta.id = "test-max";
  s.meta.name = "Test Max";
  s.bandwidth_gb_per_s = 400;
  s.fp16_tflops = 30;
  s.cpu_cores = 12;
  s.gpu_memory_fraction = 0.75;
  s.tdp_watts = 150;
  s.backends = {Backend::metal};
  cli::UnifiedSpec u;
  u.system = &s;
  u.ram_total_bytes = 64 * kGiB;
  u.ram_bytes = 64 * kGiB;
  u.gpu_bytes = cli::unified_gpu_bytes(s, u.ram_bytes);
  u.price_usd = 3000;
  CHECK(u.gpu_bytes == 48 * kGiB);  // 0.75 × 64 GiB
  const cli::HardwareConfig h = cli::HardwareBuilder().set_unified(u).build();
  REQUIRE(h.devices.size() == 1);
  CHECK(h.devices[0].kind == DeviceKind::unified);
  CHECK(h.devices[0].backend == Backend::metal);
  CHECK(h.devices[0].memory_bytes == 48 * kGiB);
  CHECK(h.unified);
  CHECK(h.host_ram_bytes == 64 * kGiB);
  CHECK(h.host->cpu.backend == Backend::cpu);
  CHECK(h.host->cpu.bandwidth_bytes_per_s == Approx(400e9));
  // 12 cores × 32 FLOP/cycle (four 128-bit NEON FMA pipes) × 3.6 GHz per thread = 1382.4 GFLOP/s; -t counts
  // threads against the 12 cores (8 threads: 921.6 GFLOP/s, the rate the M2 Max rows were matched at).
  CHECK(h.host->cpu.matmul_flops_per_s == Approx(12 * 32 * 3.6e9));
  CHECK(h.host->cpu.cores == 12);
  CHECK(h.gpu_link_bytes_per_s == 0);
  CHECK_FALSE(h.cpu_repack);
  CHECK(h.power.system_tdp_watts == 150.0);
  CHECK(h.price() == 3000.0);
  CHECK(cli::hardware_label(h) == "Test Max 64 GB");
  CHECK(cli::hardware_json(h)[0]["memory_bytes"] == 64 * kGiB);
}

TEST_CASE("builder: the user's prices replace launch prices part by part, an owned part stays free",
          "[cli][hardware-builder][prices]") {
  const llmsize::engine::Gpu g = test_gpu();  // launch 1000
  const llmsize::engine::Cpu c = test_cpu();  // launch 300
  cli::PriceBook book;
  book.by_id["test-gpu"] = {650, "--price test-gpu=650"};
  cli::HostSpec host;
  host.cpu = &c;
  host.ram_kind = ram_kind("DDR5-6000", 6000);
  host.channels = 2;
  host.ram_bytes = 64 * kGiB;
  const cli::HardwareConfig h =
      cli::HardwareBuilder().set_prices(book).add_gpu(g, 24 * kGiB, cli::Origin::named).add_gpu(g, 24 * kGiB, cli::Origin::named)
          .set_host(host).build();
  CHECK(h.price() == 2 * 650.0 + 300.0);
  REQUIRE(h.price_parts.size() == 2);
  CHECK(h.price_parts[0].basis == cli::PriceBasis::user);
  CHECK(h.price_parts[0].count == 2);
  CHECK(h.price_parts[1].basis == cli::PriceBasis::launch);
  CHECK(cli::price_basis_json(h.price_parts) == "mixed");

  host.origin = cli::Origin::detected;  // the user's price of a part they own does not make it cost anything
  const cli::HardwareConfig owned = cli::HardwareBuilder().set_prices(book).add_gpu(g, 24 * kGiB, cli::Origin::detected)
                                        .set_host(host).build();
  CHECK_FALSE(owned.price());
  CHECK(owned.price_parts.empty());
}

TEST_CASE("builder: a CPU-only build", "[cli][hardware-builder]") {
  const llmsize::engine::Cpu c = test_cpu();
  cli::HostSpec host;
  host.cpu = &c;
  host.ram_kind = ram_kind("DDR5-6000", 6000);
  host.channels = 2;
  host.ram_bytes = 96 * kGiB;
  const cli::HardwareConfig h = cli::HardwareBuilder().set_host(host).build();
  CHECK(h.devices.empty());
  CHECK(h.host->cpu.bandwidth_bytes_per_s == Approx(2 * 6000e6 * 8));  // 96 GB/s
  CHECK(h.host->cpu.matmul_flops_per_s == Approx(1.024e12));
  CHECK(h.host->gpu_link_bytes_per_s == 0);
  CHECK(h.power.cpu_runs_layers);
  CHECK(h.price() == 300.0);
  CHECK(cli::hardware_label(h) == "Test CPU");
  CHECK(cli::hardware_json(h).empty());
}

// ---------------------------------------------------------------------------------------------
// The flags and detection agree.

namespace {

// A recorded machine like tests/fixtures/machine/nvidia-4090 (Ryzen 9 7950X, RTX 4090, dmidecode denied),
// changed so that detection's inputs equal the flags': detection gives llama.cpp the card's *free* memory
// and placement the RAM *available*, where the flags take the catalog's 24 GiB and --ram. So the card here
// has all 24576 MiB free, and MemAvailable (62 GiB) + the 2 GiB OS reserve covers MemTotal (64 GiB).
// Without dmidecode both sides take the CPU's fastest RAM kind in all its channels.
struct AgreeingMachine {
  fs::path root;
  fs::path config;
  explicit AgreeingMachine(bool with_gpu) {
    const std::string tag = std::to_string(getpid()) + (with_gpu ? "-gpu" : "-cpu");
    root = fs::temp_directory_path() / ("llmsize-builder-test-" + tag);
    config = root / "config";
    fs::remove_all(root);
    fs::copy(fs::path(LLMSIZE_FIXTURES) / "machine" / "nvidia-4090", root, fs::copy_options::recursive);
    std::ofstream(root / "proc" / "meminfo") << "MemTotal:       67108864 kB\n"
                                                "MemFree:        60000000 kB\n"
                                                "MemAvailable:   65011712 kB\n";
    if (with_gpu) {
      std::ofstream(root / "commands" / "nvidia-smi.txt") << "NVIDIA GeForce RTX 4090, 24576, 0, 24576, 00000000:01:00.0\n";
    } else {
      fs::remove(root / "commands" / "nvidia-smi.txt");
    }
    fs::create_directories(config);
    setenv("LLMSIZE_DETECT_ROOT", root.c_str(), 1);
    setenv("XDG_CONFIG_HOME", config.c_str(), 1);  // an empty profile: no probe, no calibrate factors
  }
  ~AgreeingMachine() {
    unsetenv("LLMSIZE_DETECT_ROOT");
    unsetenv("XDG_CONFIG_HOME");
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  AgreeingMachine(const AgreeingMachine&) = delete;
  AgreeingMachine& operator=(const AgreeingMachine&) = delete;
};

// What must agree: the devices (ids, memory, what each holds), the verdict and its reason, the placement,
// the speed (with its curve), power, load time and the runtime flags. Labels ("this machine (...)") and
// the price (an owned machine costs nothing) legitimately differ.
void check_agree(const nlohmann::json& flags, const nlohmann::json& detected) {
  for (const char* key : {"devices", "verdict", "reason", "placement", "speed", "memory", "power", "load_seconds", "runtime"}) {
    INFO(key);
    CHECK(flags["result"][key] == detected["result"][key]);
  }
  const auto& a = flags["inputs"]["hardware"];
  const auto& b = detected["inputs"]["hardware"];
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i]["id"] == b[i]["id"]);
    CHECK(a[i]["memory_bytes"] == b[i]["memory_bytes"]);
  }
}

}  // namespace

TEST_CASE("check --gpu 4090 --cpu 7950x --ram 64GB agrees with --this-machine on that machine", "[cli][hardware-builder]") {
  const AgreeingMachine m(true);
  for (const char* model : {"llama-3.1-8b", "llama-3.1-70b"}) {  // all in VRAM, and offloaded to RAM
    INFO(model);
    const auto flags = llmsize::test::json_of(
        llmsize::test::run({"check", "--model", model, "--gpu", "4090", "--cpu", "7950x", "--ram", "64GB", "--json"}));
    const auto detected = llmsize::test::json_of(llmsize::test::run({"check", "--model", model, "--this-machine", "--json"}));
    CHECK(flags["result"]["devices"][0]["memory_bytes"] == 24 * kGiB);
    CHECK(flags["result"]["devices"][1]["id"] == "system-ram");
    CHECK(flags["result"]["devices"][1]["memory_bytes"] == 64 * kGiB);
    check_agree(flags, detected);
  }
  // The comparison is sensitive: on the recorded machine as it was (1.5 GiB of VRAM in use) the devices differ.
  setenv("LLMSIZE_DETECT_ROOT", (std::string(LLMSIZE_FIXTURES) + "/machine/nvidia-4090").c_str(), 1);
  const auto busy = llmsize::test::json_of(llmsize::test::run({"check", "--model", "llama-3.1-8b", "--this-machine", "--json"}));
  CHECK(busy["result"]["devices"][0]["memory_bytes"] == 23012 * llmsize::units::kMiB);
}

TEST_CASE("check --cpu 7950x --ram 64GB agrees with --this-machine on a machine without a GPU", "[cli][hardware-builder]") {
  const AgreeingMachine m(false);
  const auto flags = llmsize::test::json_of(
      llmsize::test::run({"check", "--model", "llama-3.1-8b", "--cpu", "7950x", "--ram", "64GB", "--json"}));
  const auto detected = llmsize::test::json_of(llmsize::test::run({"check", "--model", "llama-3.1-8b", "--this-machine", "--json"}));
  REQUIRE(flags["result"]["devices"].size() == 1);  // the host alone
  CHECK(flags["result"]["devices"][0]["id"] == "system-ram");
  CHECK(flags["result"]["devices"][0]["memory_bytes"] == 64 * kGiB);
  check_agree(flags, detected);
}
