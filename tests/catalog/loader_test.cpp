#include <catch2/catch.hpp>

#include <algorithm>

#include "llmsize/catalog/catalog.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::catalog::SourceText;

namespace {

std::vector<std::string> errors_of(const std::string& text, const std::string& name = "test.json") {
  const auto r = catalog::load({{name, text}}, {});
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.to_string());
  return out;
}

// A valid GPU entry with one field replaced or added.
std::string gpu(const std::string& extra_or_override) {
  return R"({"schema_version": 1, "gpus": [{"id": "g", "name": "G", "source": "s", "vendor": "nvidia",
    "form_factor": "desktop", "memory_type": "GDDR6", "bandwidth_gb_per_s": 360, "tdp_watts": 170,
    "launch_year": 2021, "backends": ["cuda"], "pcie_gen": 4, "pcie_lanes": 16, )" +
         extra_or_override + "}]}";
}

}  // namespace

TEST_CASE("the shipped catalog validates with zero errors", "[catalog]") {
  const auto r = catalog::load(catalog::embedded_files(), {});
  for (const auto& d : r.errors) FAIL_CHECK(d.to_string());
  CHECK(r.ok());
  CHECK(r.catalog.gpus.size() + r.catalog.systems.size() + r.catalog.cpus.size() >= 150);
  CHECK(r.catalog.models.size() >= 80);
}

TEST_CASE("loader errors, word for word", "[catalog]") {
  CHECK(errors_of(gpu(R"("vram_gb": 24)")) ==
        std::vector<std::string>{"test.json: /gpus/0: missing required key \"memory_gib\"",
                                 "test.json: /gpus/0/vram_gb: unknown key (did you mean \"memory_gib\"?)"});
  CHECK(errors_of(gpu(R"("memory_gib": 24, "tdp_watt": 1)")).front() ==
        "test.json: /gpus/0/tdp_watt: unknown key (did you mean \"idle_watts\"?)");
  CHECK(errors_of(gpu(R"("memroy_gib": 24)")) ==
        std::vector<std::string>{"test.json: /gpus/0: missing required key \"memory_gib\"",
                                 "test.json: /gpus/0/memroy_gib: unknown key (did you mean \"memory_gib\"?)"});
  CHECK(errors_of(gpu(R"("memory_gib": "24")")) ==
        std::vector<std::string>{"test.json: /gpus/0/memory_gib: expected a number, got a string"});
  CHECK(errors_of(gpu(R"("memory_gib": 24, "pcie_lanes": 16.5)")).front() ==
        "test.json: /gpus/0/pcie_lanes: expected an integer, got 16.5");
  CHECK(errors_of(gpu(R"("memory_gib": -1)")) ==
        std::vector<std::string>{"test.json: /gpus/0/memory_gib: -1 is out of range [0.25, 4096]"});
  CHECK(errors_of(gpu(R"("memory_gib": 24, "form_factor": "tower")")).front() ==
        "test.json: /gpus/0/form_factor: \"tower\" is not one of \"desktop\", \"laptop\", \"server\" or \"sbc\""
        " (did you mean \"server\"?)");
  CHECK(errors_of(gpu(R"("memory_gib": 24, "id": "RTX_3090")")).front() ==
        "test.json: /gpus/0/id: \"RTX_3090\" is not a valid id (lowercase letters and digits joined by '-' or '.')");
}

namespace {
// A valid benchmark entry whose "test" is `test`.
std::string bench(const std::string& test) {
  return R"({"schema_version": 1, "benchmarks": [{"id": "b", "name": "B", "source": "s", "hardware": "rtx-3090",
    "backend": "cuda", "model": "llama-3.1-8b", "quant": "q4-k-m", "tokens_per_s": 100, "set": "fit", "test": )" +
         test + "}]}";
}

// Errors of `text` loaded as an overlay on the shipped catalog (so its references resolve).
std::vector<std::string> overlay_errors(const std::string& text, const std::string& name = "test.json") {
  const auto r = catalog::load(catalog::embedded_files(), {{name, text}});
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.to_string());
  return out;
}
}  // namespace

TEST_CASE("benchmark tests are pp or tg and a token count, stored typed", "[catalog]") {
  // The loader must refuse what the fit later parses (`ppx` once aborted every sizing command).
  const std::string why = " is not a llama-bench test (\"pp\" or \"tg\" and a token count, e.g. \"pp512\", \"tg128\")";
  CHECK(overlay_errors(bench(R"("ppx")"), "user.json") == std::vector<std::string>{"user.json: /benchmarks/0/test: \"ppx\"" + why});
  for (const char* bad : {R"("tg")", R"("pp0")", R"("pp-5")", R"("tg128 ")", R"("PP512")", R"("pg512")", R"("pp99999999")"}) {
    INFO(bad);
    const auto e = overlay_errors(bench(bad));
    REQUIRE(e.size() == 1);
    CHECK(e[0].rfind("test.json: /benchmarks/0/test: ", 0) == 0);
  }
  CHECK(overlay_errors(bench("512")) == std::vector<std::string>{"test.json: /benchmarks/0/test: expected a string, got 512"});
  const std::vector<SourceText> base = catalog::embedded_files();
  const auto ok = catalog::load(base, {{"user.json", bench(R"("pp2048")")}});
  REQUIRE(ok.ok());
  const auto& b = ok.catalog.benchmarks.back();
  CHECK(b.phase == BenchPhase::prefill);
  CHECK(b.tokens == 2048);
  const auto tg = catalog::load(base, {{"user.json", bench(R"("tg128")")}});
  REQUIRE(tg.ok());
  CHECK(tg.catalog.benchmarks.back().phase == BenchPhase::decode);
  CHECK(tg.catalog.benchmarks.back().tokens == 128);
}

TEST_CASE("malformed JSON reports line and column", "[catalog]") {
  CHECK(errors_of("{\n  \"schema_version\": 1,\n  \"gpus\": [ { \"id\": \"x\", } ]\n}") ==
        std::vector<std::string>{"test.json: line 3, column 26: syntax error while parsing object key - unexpected '}'; "
                                 "expected string literal"});
}

TEST_CASE("schema_version, unknown collections, and every error collected", "[catalog]") {
  CHECK(errors_of(R"({"schema_version": 2})") ==
        std::vector<std::string>{"test.json: /schema_version: unsupported schema_version 2 (this llmsize reads 1)"});
  CHECK(errors_of(R"({"schema_version": 1, "gpu": []})") ==
        std::vector<std::string>{"test.json: /gpu: unknown key (did you mean \"gpus\"?)"});
  CHECK(errors_of(R"({"gpus": []})") == std::vector<std::string>{"test.json: /: missing required key \"schema_version\""});
  // Three problems in one entry are all reported.
  CHECK(errors_of(gpu(R"("memory_gib": "x", "tdp_watts": 0, "colour": 1)")).size() == 3);
}

TEST_CASE("cross-entry checks: duplicate ids and aliases, unknown references", "[catalog]") {
  const std::string two = R"({"schema_version": 1, "links": [
      {"id": "l", "name": "L", "source": "s", "kind": "pcie", "bandwidth_gb_per_s": 1, "aliases": ["x"]},
      {"id": "l", "name": "L2", "source": "s", "kind": "pcie", "bandwidth_gb_per_s": 1},
      {"id": "m", "name": "M", "source": "s", "kind": "pcie", "bandwidth_gb_per_s": 1, "aliases": ["X"]}]})";
  CHECK(errors_of(two) == std::vector<std::string>{
                              "test.json: /links/1/id: duplicate id \"l\" (first defined at test.json: /links/0)",
                              "test.json: /links/2/aliases/0: alias \"X\" is already used by \"l\""});
  CHECK(errors_of(gpu(R"("memory_gib": 24, "nvlink": "nvlink-9")")) ==
        std::vector<std::string>{"test.json: /gpus/0/nvlink: unknown links id \"nvlink-9\""});
  CHECK(errors_of(gpu(R"("memory_gib": 24, "bus_width_bits": 192, "memory_data_rate_gbps": 20)")) ==
        std::vector<std::string>{"test.json: /gpus/0/bandwidth_gb_per_s: 360 disagrees with bus_width_bits / 8 × "
                                 "memory_data_rate_gbps = 480 (more than 2% apart)"});
}

TEST_CASE("tdp_max_watts: optional top of a configurable power range, at least tdp_watts", "[catalog]") {
  const auto r = catalog::load({{"test.json", gpu(R"("memory_gib": 8, "tdp_max_watts": 200)")}}, {});
  REQUIRE(r.ok());
  CHECK(r.catalog.gpus[0].tdp_watts == 170);
  CHECK(r.catalog.gpus[0].tdp_max_watts == 200);
  const auto none = catalog::load({{"test.json", gpu(R"("memory_gib": 8)")}}, {});
  REQUIRE(none.ok());
  CHECK_FALSE(none.catalog.gpus[0].tdp_max_watts.has_value());
  CHECK(errors_of(gpu(R"("memory_gib": 8, "tdp_max_watts": 100)")) ==
        std::vector<std::string>{"test.json: /gpus/0/tdp_max_watts: 100 is below tdp_watts 170"});
  CHECK(errors_of(gpu(R"("memory_gib": 8, "tdp_max_watts": 0)")) ==
        std::vector<std::string>{"test.json: /gpus/0/tdp_max_watts: 0 is out of range [1, 5000]"});
  // Systems and CPUs read and check it too.
  const std::string sys = R"({"schema_version": 1, "systems": [{"id": "s", "name": "S", "source": "s", "vendor": "amd",
    "form_factor": "laptop", "memory_options": [{"memory_gib": 32}], "memory_type": "LPDDR5X", "bandwidth_gb_per_s": 100,
    "cpu_cores": 8, "tdp_watts": 55, "tdp_max_watts": 120, "launch_year": 2025, "backends": ["vulkan"]}],
    "cpus": [{"id": "c", "name": "C", "source": "s", "vendor": "amd", "platform": "fp8", "form_factor": "laptop",
    "cores": 12, "threads": 24, "base_clock_ghz": 2, "boost_clock_ghz": 5.1, "memory_channels": 2, "tdp_watts": 28,
    "tdp_max_watts": 15, "launch_year": 2024}]})";
  const auto rs = catalog::load({{"test.json", sys}}, {});
  REQUIRE(rs.catalog.systems.size() == 1);
  CHECK(rs.catalog.systems[0].tdp_max_watts == 120);
  CHECK(errors_of(sys) == std::vector<std::string>{"test.json: /cpus/0/tdp_max_watts: 15 is below tdp_watts 28"});
}

TEST_CASE("a CPU's RAM kinds must fill its memory bus with whole channels", "[catalog]") {
  // A Raspberry Pi 5 style bus: 2 x 16-bit = 32 bits. LPDDR4X (16-bit channels) fills it with 2; a 64-bit
  // DDR4 channel does not fit, so listing ddr4-3200 is an error naming the bus width.
  const std::string c = R"({"schema_version": 1, "ram_kinds": [
    {"id": "lpddr4x-4266", "name": "LPDDR4X-4266", "source": "s", "generation": "lpddr4x", "transfer_rate_mt_per_s": 4266,
     "channel_width_bits": 16},
    {"id": "ddr4-3200", "name": "DDR4-3200", "source": "s", "generation": "ddr4", "transfer_rate_mt_per_s": 3200,
     "channel_width_bits": 64}],
    "cpus": [{"id": "pi", "name": "Pi", "source": "s", "vendor": "broadcom", "platform": "bcm2712", "form_factor": "sbc",
    "cores": 4, "threads": 4, "base_clock_ghz": 2.4, "boost_clock_ghz": 2.4, "memory_channels": 2,
    "memory_channel_width_bits": 16, "ram_kinds": ["lpddr4x-4266", "ddr4-3200"], "tdp_watts": 25, "launch_year": 2023}]})";
  const auto rs = catalog::load({{"test.json", c}}, {});
  REQUIRE(rs.catalog.cpus.size() == 1);
  CHECK(rs.catalog.cpus[0].memory_channel_width_bits == 16);
  CHECK(errors_of(c) == std::vector<std::string>{"test.json: /cpus/0/ram_kinds/1: \"ddr4-3200\" has 64-bit channels, "
                                                 "which do not fill the CPU's 32-bit bus (memory_channels × "
                                                 "memory_channel_width_bits)"});
}

TEST_CASE("a model whose published count is far from its architecture is rejected", "[catalog]") {
  // 12 layers × (4 × 2048² attention... ) — the shape gives ~0.87B, not 5B.
  const std::string m = R"({"schema_version": 1, "models": [{"id": "tiny", "name": "Tiny", "source": "s", "family": "llama",
      "arch": "llama", "params_total": 5000000000, "n_layers": 12, "hidden_size": 2048, "n_heads": 16, "n_kv_heads": 4,
      "ffn_size": 8192, "vocab_size": 32000, "context_length": 4096}]})";
  const auto e = errors_of(m);
  REQUIRE(e.size() == 1);
  CHECK(e[0].rfind("test.json: /models/0/params_total: 5000000000 is more than 2% from the ", 0) == 0);
}

TEST_CASE("overlays add entries and replace entries with the same id", "[catalog]") {
  const std::string base = gpu(R"("memory_gib": 8)");
  const std::string over = R"({"schema_version": 1, "gpus": [{"id": "g", "name": "G 16", "source": "s", "vendor": "nvidia",
    "form_factor": "desktop", "memory_gib": 16, "memory_type": "GDDR6", "bandwidth_gb_per_s": 360, "tdp_watts": 170,
    "launch_year": 2021, "backends": ["cuda"], "pcie_gen": 4, "pcie_lanes": 16}]})";
  const auto r = catalog::load({{"base.json", base}}, {{"user.json", over}});
  REQUIRE(r.ok());
  REQUIRE(r.catalog.gpus.size() == 1);
  CHECK(r.catalog.gpus[0].memory_gib == 16);
  CHECK(r.catalog.gpus[0].meta.origin_file == "user.json");
}

TEST_CASE("lookups ignore case and treat _ as -, suggestions find the near name", "[catalog]") {
  const auto r = catalog::load(catalog::embedded_files(), {});
  REQUIRE(r.ok());
  CHECK(catalog::find(r.catalog.quants, "Q4_K_M") != nullptr);
  CHECK(catalog::find(r.catalog.gpus, "3090")->meta.id == "rtx-3090");
  CHECK(catalog::closest("rtx-309", catalog::names_of(r.catalog.gpus)) == "rtx-3090");
  CHECK(catalog::closest("zzzzzzzzzzzz", catalog::names_of(r.catalog.gpus)).empty());
}

TEST_CASE("a benchmark row carries its configuration: depth, split, offload, threads, engine, host", "[catalog][bench]") {
  const std::string row = bench(R"("pp512", "depth": 4096, "split_mode": "row", "n_devices": 2, "n_cpu_moe": 12,
    "tensor_split": "3,1", "ubatch": 256, "batch": 2048, "threads": 16, "kv_type": "q8-0", "engine": "ik_llama.cpp",
    "cpu": "ryzen-9-7950x", "ram_kind": "ddr5-6000", "channels": 2)");
  const auto r = catalog::load(catalog::embedded_files(), {{"test.json", row}});
  REQUIRE(r.ok());
  const auto it = std::find_if(r.catalog.benchmarks.begin(), r.catalog.benchmarks.end(),
                               [](const Benchmark& b) { return b.meta.id == "b"; });
  REQUIRE(it != r.catalog.benchmarks.end());
  CHECK(it->depth == 4096);
  CHECK(it->split == SplitMode::row);
  CHECK(it->n_cpu_moe == 12U);
  CHECK(it->tensor_split == std::vector<double>{3, 1});
  CHECK(it->ubatch == 256U);
  CHECK(it->threads == 16U);
  CHECK(it->engine == Engine::ik_llama_cpp);
  CHECK(it->cpu == "ryzen-9-7950x");
  CHECK(it->channels == 2U);
  // A -ts that is not a list of shares, and a host CPU the catalog lacks, are errors naming the field.
  CHECK(overlay_errors(bench(R"("tg128", "tensor_split": "3;1")")) ==
        std::vector<std::string>{"test.json: /benchmarks/0/tensor_split: \"3;1\" is not a -ts list (non-negative "
                                 "proportions, e.g. \"3,1\")"});
  const auto unknown = overlay_errors(bench(R"("tg128", "cpu": "ryzen-9-7951x")"));
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].find("cpu") != std::string::npos);
}
