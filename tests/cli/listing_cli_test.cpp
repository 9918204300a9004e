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
