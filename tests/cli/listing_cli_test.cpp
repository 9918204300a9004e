// The catalog's listing commands end to end: hardware, quants and catalog (validate, show, stats,
// calibration), each as one Result rendered in the one format asked for.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "run_cli.h"

namespace {

using llmsize::test::json_of;
using llmsize::test::run;

const std::string kFixtures = LLMSIZE_FIXTURES;

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n') + 1); }

}  // namespace

TEST_CASE("hardware --csv: the table alone, one row per item", "[cli][csv]") {
  const auto r = run({"hardware", "--kind", "storage", "--csv"});
  REQUIRE(r.code == 0);
  CHECK(first_line(r.out) == "Id,Name,Kind,Memory [GiB],Bandwidth [GB/s],TDP [W],Price [USD],Notes\n");
  CHECK(lines(r.out) == 1 + json_of(run({"hardware", "--kind", "storage", "--json"}))["result"]["items"].size());
  // data/memory.json: read_mb_per_s 7000 -> 7.0 GB/s; the name's comma makes the cell quoted.
  CHECK(r.out.find("\nnvme-gen4,\"NVMe SSD, PCIe 4.0 x4\",storage,,7.0,,,sequential read\n") != std::string::npos);
}

TEST_CASE("hardware: filters that leave nothing exit 1, in every format", "[cli][csv]") {
  const auto csv = run({"hardware", "--kind", "gpu", "--min-memory", "9999GB", "--csv"});
  CHECK(csv.code == 1);
  CHECK(csv.out == "Id,Name,Kind,Memory [GiB],Bandwidth [GB/s],TDP [W],Price [USD],Notes\n");
  const auto json = run({"hardware", "--kind", "gpu", "--min-memory", "9999GB", "--json"});
  CHECK(json.code == 1);
  CHECK(nlohmann::json::parse(json.out)["result"]["items"].empty());
}

TEST_CASE("quants --csv: the table alone, without the guide to the names", "[cli][csv]") {
  const auto r = run({"quants", "--csv"});
  REQUIRE(r.code == 0);
  CHECK(first_line(r.out) == "Id,Name,Format,Bits/weight,8B size [GB],Quality\n");
  CHECK(r.out.find("Reading the names") == std::string::npos);
  CHECK(r.out.find("KV cache types") == std::string::npos);
  CHECK(lines(r.out) == 1 + json_of(run({"quants", "--json"}))["result"]["items"].size());
  // F32 on Llama-3.1-8B: 8,030,261,248 weights × 4 B = 32,121,044,992 B = 32.12 GB at 32.00 bits each.
  CHECK(r.out.find("\nf32,F32,gguf,32.00,32.12,") != std::string::npos);
  // The text keeps the guide and the KV cache types after the table.
  const auto text = run({"quants", "--format", "awq"});
  CHECK(text.out.find("Reading the names (llama.cpp GGUF):") != std::string::npos);
  CHECK(text.out.find("KV cache types (--kv-type): f32 (32.00 bits) f16 (16.00 bits)") != std::string::npos);
  // Q8_0: a block of 32 int8 weights and one f16 scale, 34 B × 8 / 32 = 8.50 bits.
  CHECK(text.out.find(" q8-0 (8.50 bits) ") != std::string::npos);
}
TEST_CASE("catalog stats --csv: the counts table", "[cli][csv][catalog]") {
  const auto r = run({"catalog", "stats", "--csv"});
  REQUIRE(r.code == 0);
  const auto j = json_of(run({"catalog", "stats", "--json"}));
  CHECK(first_line(r.out) == "Collection,Entries\n");
  CHECK(r.out.find("\ngpus," + std::to_string(j["result"]["gpus"].get<int>()) + "\n") != std::string::npos);
  // 10 collections and the hardware sum under the header.
  CHECK(lines(r.out) == 12);
  CHECK(j["result"]["hardware"] == j["result"]["gpus"].get<int>() + j["result"]["systems"].get<int>() +
                                       j["result"]["cpus"].get<int>());
}

TEST_CASE("catalog calibration takes --csv only with --cases, catalog validate refuses it", "[cli][csv][catalog]") {
  const auto r = run({"catalog", "calibration", "--csv"});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "llmsize: error: catalog calibration --csv needs --cases\n");
  const auto cases = run({"catalog", "calibration", "--cases", "--csv"});
  CHECK(cases.code == 0);
  CHECK(cases.out.rfind("Case,Test,n,Median |error|,p90,Inside band\n", 0) == 0);
  CHECK(cases.out.find("\"one GPU, dense\",decode,") != std::string::npos);  // a comma in a field is quoted
  CHECK(run({"catalog", "validate", kFixtures + "/overlay_ok.json", "--csv"}).code == 2);
}

TEST_CASE("catalog validate: every problem on stderr, then the count, exit 2", "[cli][catalog]") {
  const std::string file = kFixtures + "/vram_key.json";
  const auto r = run({"catalog", "validate", file});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == file + ": /gpus/0: missing required key \"memory_gib\"\n" + file +
                     ": /gpus/0/vram_gb: unknown key (did you mean \"memory_gib\"?)\n"
                     "llmsize: error: 2 catalog error(s)\n");
  // --json: the same lines on stderr, the errors again in the one document on stdout.
  const auto j = run({"catalog", "validate", file, "--json"});
  CHECK(j.code == 2);
  CHECK(j.err == r.err);
  const auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["command"] == "catalog validate");
  CHECK(doc["result"]["valid"] == false);
  CHECK(doc["result"]["errors"].size() == 2);
  CHECK(doc["result"]["errors"][1] == file + ": /gpus/0/vram_gb: unknown key (did you mean \"memory_gib\"?)");
}

TEST_CASE("catalog validate: a valid file exits 0 and says so", "[cli][catalog]") {
  const auto r = run({"catalog", "validate", kFixtures + "/overlay_ok.json"});
  CHECK(r.code == 0);
  CHECK(r.out == "1 file(s) valid\n");
  CHECK(r.err.empty());
  const auto doc = json_of(run({"catalog", "validate", kFixtures + "/overlay_ok.json", "--json"}));
  CHECK(doc["result"]["valid"] == true);
  CHECK(doc["result"]["errors"].empty());
}

TEST_CASE("catalog validate checks FILE even when the catalog in use is broken", "[cli][catalog]") {
  // Any other command stops at the broken --catalog file; validate reads only the files it checks.
  CHECK(run({"--catalog", kFixtures + "/vram_key.json", "catalog", "stats"}).code == 2);
  const auto r = run({"--catalog", kFixtures + "/vram_key.json", "catalog", "validate", kFixtures + "/overlay_ok.json"});
  CHECK(r.code == 0);
  CHECK(r.out == "1 file(s) valid\n");
  setenv("LLMSIZE_CATALOG", (kFixtures + "/malformed.json").c_str(), 1);
  const auto env = run({"catalog", "validate", kFixtures + "/overlay_ok.json"});
  unsetenv("LLMSIZE_CATALOG");
  CHECK(env.code == 0);
  CHECK(env.err.empty());
}

TEST_CASE("catalog show prints the merged catalog, --catalog entries included", "[cli][catalog]") {
  const auto r = run({"--catalog", kFixtures + "/overlay_ok.json", "catalog", "show"});
  REQUIRE(r.code == 0);
  const auto merged = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& g : merged["gpus"]) {
    if (g["id"] == "my-new-gpu") found = true;
    if (g["id"] == "rtx-3090") CHECK(g["memory_gib"] == 48);  // the overlay replaced the built-in 24
  }
  CHECK(found);
  // --json prints the same document (the data files' format, not an envelope).
  CHECK(run({"--catalog", kFixtures + "/overlay_ok.json", "catalog", "show", "--json"}).out == r.out);
}

TEST_CASE("catalog needs a subcommand", "[cli][catalog]") {
  const auto r = run({"catalog"});
  CHECK(r.code == 2);
  CHECK(r.err.rfind("llmsize: error: ", 0) == 0);
  CHECK(lines(r.err) == 1);
}
