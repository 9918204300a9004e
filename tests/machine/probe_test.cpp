// The bandwidth probe's arithmetic, its kernel run once tiny (never timed), and the profile round trip.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "llmsize/machine/bandwidth_probe.h"
#include "llmsize/machine/profile.h"
#include "temp_config.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize::machine;

namespace {
const std::string kFixtures = LLMSIZE_FIXTURES;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("probe arithmetic: bytes over seconds in GB/s (1e9), median of passes", "[machine][probe]") {
  CHECK(gb_per_s(2'000'000'000ULL, 0.5) == Approx(4.0));
  CHECK(gb_per_s(1ULL << 30, 1.0) == Approx(1.073741824));
  CHECK(gb_per_s(1000, 0) == 0);
}

TEST_CASE("probe buffer: max(1 GiB, 8 x LLC), capped at a quarter of free memory, at least 64 MiB", "[machine][probe]") {
  constexpr std::uint64_t MiB = 1ULL << 20;
  constexpr std::uint64_t GiB = 1ULL << 30;
  CHECK(default_probe_bytes(32 * MiB, 20 * GiB) == GiB);        // this machine: 32 MiB L3
  CHECK(default_probe_bytes(256 * MiB, 64 * GiB) == 2 * GiB);   // 8 x a 256 MiB L3
  CHECK(default_probe_bytes(32 * MiB, 2 * GiB) == 512 * MiB);   // little free memory
  CHECK(default_probe_bytes(0, 100 * MiB) == 64 * MiB);
  CHECK(default_probe_bytes(0, 0) == GiB);
}

TEST_CASE("cpu model from /proc/cpuinfo, x86 and ARM", "[machine][probe]") {
  CHECK(parse_cpuinfo(slurp(kFixtures + "/calibrate/cpuinfo-epyc-2core.txt")).model_name == "AMD EPYC");
  CHECK(parse_cpuinfo("processor\t: 0\nBogoMIPS\t: 108.00\nModel\t\t: Raspberry Pi 5 Model B Rev 1.0\n").model_name ==
        "Raspberry Pi 5 Model B Rev 1.0");
  CHECK(parse_cpuinfo("garbage without colons\n").model_name.empty());
}

TEST_CASE("the probe reads /proc and /sys through the detect source, with detect's parsers", "[machine][probe]") {
  DetectSource recorded;
  recorded.root = kFixtures + "/machine/epyc-2core";
  CHECK(read_available_memory_bytes(recorded) == 6086208ULL * 1024);  // MemAvailable 6086208 kB (KiB)
  CHECK(read_last_level_cache_bytes(recorded) == 32ULL << 20);         // index3/size "32768K"
  CHECK(read_cpu_model(recorded) == "AMD EPYC");
  DetectSource empty;
  empty.root = kFixtures + "/machine/no-such-tree";
  CHECK(read_available_memory_bytes(empty) == 0);
  CHECK(read_last_level_cache_bytes(empty) == 0);
  CHECK(read_cpu_model(empty).empty());
}

TEST_CASE("the probe kernel, run once tiny, reads every word of every buffer", "[machine][probe]") {
  ProbeOptions o;
  o.buffer_bytes = 8ULL << 20;
  o.threads = 2;
  o.seconds = 0.05;
  int calls = 0;
  double last = 0;
  const ProbeResult r = measure_read_bandwidth(o, [&](double f) {
    ++calls;
    last = f;
  });
  CHECK(std::isfinite(r.read_gb_per_s));
  CHECK(r.read_gb_per_s > 0);
  CHECK(r.best_gb_per_s >= r.read_gb_per_s);
  CHECK(r.threads == 2);
  CHECK(r.buffer_bytes == 8ULL << 20);
  REQUIRE(r.pass_gb_per_s.size() >= 3);
  CHECK(static_cast<std::size_t>(calls) == r.pass_gb_per_s.size());
  CHECK(last <= 1.0);
  // Thread t's word i holds i ^ t; every pass sums all of them.
  const std::size_t words = (8ULL << 20) / 2 / 8;
  std::uint64_t one_pass = 0;
  for (std::uint64_t t = 0; t < 2; ++t) {
    for (std::uint64_t i = 0; i < words; ++i) one_pass += i ^ t;
  }
  CHECK(r.checksum == one_pass * r.pass_gb_per_s.size());
  CHECK_THROWS_AS(measure_read_bandwidth(ProbeOptions{0, 1, 0.01, 1}, {}), llmsize::Error);
}

TEST_CASE("timestamps are ISO 8601 UTC", "[machine][probe]") {
  CHECK(std::regex_match(iso_utc_now(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

TEST_CASE("profile round trip: the measured bandwidth and fitted factors survive save and load", "[machine][probe]") {
  const TempConfig config;
  const auto dir = config_dir();
  CHECK(dir == config.path() / "llmsize");
  MachineProfile p;
  p.bandwidth = BandwidthMeasurement{29.82, 2, 3.0, "AMD EPYC", "2025-11-21T11:32:05Z"};
  llmsize::engine::Efficiency e;
  e.backend = llmsize::engine::Backend::cpu;
  e.bandwidth_efficiency = 1.02;
  e.per_token_s = 0.0004;
  e.decode_rows = 13;
  p.efficiencies.push_back(e);
  p.backend_overhead_bytes = 478150656;
  p.calibration_files = {"/tmp/a.json"};
  save_profile(dir, p);
  const MachineProfile q = load_profile(dir);
  REQUIRE(q.bandwidth);
  CHECK(q.bandwidth->read_gb_per_s == 29.82);
  CHECK(q.bandwidth->threads == 2);
  CHECK(q.bandwidth->cpu_model == "AMD EPYC");
  CHECK(q.bandwidth->measured_at == "2025-11-21T11:32:05Z");
  REQUIRE(q.efficiencies.size() == 1);
  CHECK(q.efficiencies[0].backend == llmsize::engine::Backend::cpu);
  CHECK(q.efficiencies[0].bandwidth_efficiency == 1.02);
  CHECK(q.efficiencies[0].per_token_s == 0.0004);
  CHECK(q.efficiencies[0].decode_rows == 13);
  CHECK(q.backend_overhead_bytes == 478150656ULL);
  CHECK(q.calibration_files == std::vector<std::string>{"/tmp/a.json"});
}
