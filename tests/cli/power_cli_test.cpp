// Board power per device from the load the speed prediction puts on it (issue 13 item 5), checked against
// published readings and against the structure: dense decode near the limit, small and MoE models far
// below it, a layer split sharing the work.
#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/power.h"
#include "llmsize/engine/speed.h"
#include "llmsize/engine/weights.h"
#include "run_cli.h"

using namespace llmsize;
using Json = nlohmann::ordered_json;

namespace {

Json check_json(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"check", "--json"};
  all.insert(all.end(), args.begin(), args.end());
  const test::CliResult r = test::run(all);
  REQUIRE(r.code == 0);
  return Json::parse(r.out);
}

}  // namespace

TEST_CASE("decode board power on an RTX 3080 against nvidia-smi readings", "[power][accuracy]") {
  // Readings: dilberx/universal-llm-telemetry-suite, results/reference_benchmarks/rtx_3080_baseline/
  // production_benchmarks.csv @ad76b57 (llama-cli -ngl 99 -c 512 -n 200, run 1; watts are the process's mean
  // board power, model load included, so they under-state decode a little). The load comes from the
  // measured tokens/s here, so the check is of the power model alone: bytes a token reads (llmsize's count)
  // × measured tok/s ÷ 760 GB/s, then 25.6 W idle (8% of 320 W) + (320 − 25.6) × load.
  struct Reading {
    const char* model;
    const char* quant;
    double tokens_per_s;
    double watts;
  };
  const std::vector<Reading> readings = {{"llama-3.1-8b", "q4-k-m", 108.1, 197.36},
                                         {"mistral-7b-v0.3", "q5-k-m", 102.0, 221.69},
                                         {"qwen2.5-3b", "q4-k-m", 182.3, 169.14},
                                         {"qwen2.5-3b", "q5-k-m", 171.6, 204.97},
                                         {"qwen2.5-3b", "q8-0", 136.3, 197.15}};
  const auto loaded = catalog::load(catalog::embedded_files(), {});
  REQUIRE(loaded.ok());
  const catalog::Catalog& cat = loaded.catalog;
  std::vector<double> errors;
  for (const Reading& r : readings) {
    const engine::Model& m = *catalog::find(cat.models, r.model);
    const engine::Quant& q = *catalog::find(cat.quants, r.quant);
    const double bytes = engine::decode_weight_bytes_per_token(m, engine::weight_bytes(m, q, cat.tensor_types));
    const double predicted = engine::board_watts(320, 25.6, bytes * r.tokens_per_s / 760e9);
    const double error = (predicted - r.watts) / r.watts;
    INFO(r.model << " " << r.quant << ": predicted " << predicted << " W, measured " << r.watts << " W");
    CHECK(std::abs(error) <= 0.16);  // worst: Qwen2.5-3B Q5_K_M, 173 W against 205 W
    errors.push_back(std::abs(error));
  }
  std::sort(errors.begin(), errors.end());
  CHECK(errors[errors.size() / 2] <= 0.05);  // median 4.5%
}

TEST_CASE("prefill drives a single resident GPU to its power limit, as the R9700 readings show", "[power][accuracy]") {
  // Radeon AI PRO R9700 prefill at four power limits read 209/210, 248/250, 289/290 and 313/330 W
  // (Tanguille/cluster PR #4137, 2026-07-22; SGLang, dense 27B): within 5% of the limit. The prediction for a
  // prompt on one GPU holding the whole model: busy the whole prompt, so board power = the limit.
  const Json d = check_json({"--gpu", "3090", "--model", "qwen3-14b", "--quant", "q4_k_m"});
  const Json& dev = d["result"]["power"]["devices"][0];
  CHECK(dev["prefill_utilisation"].get<double>() == Approx(1.0));
  CHECK(dev["board_watts_prefill"].get<double>() == Approx(350));
}

TEST_CASE("dense decode draws near the limit, a MoE model of the same size far less, and a layer split shares it", "[power]") {
  const Json dense = check_json({"--gpu", "3090", "--model", "qwen3-32b", "--quant", "q4_k_m"});
  const Json moe = check_json({"--gpu", "3090", "--model", "qwen3-30b-a3b", "--quant", "q4_k_m"});
  const double dense_w = dense["result"]["power"]["devices"][0]["board_watts_decode"].get<double>();
  const double moe_w = moe["result"]["power"]["devices"][0]["board_watts_decode"].get<double>();
  INFO("dense " << dense_w << " W, MoE " << moe_w << " W");
  CHECK(dense_w >= 0.75 * 350);  // streams its 19 GB at most of the 3090's bandwidth
  // 3B active: launches and routing, not bandwidth, take much of its time (211 W against 288 W).
  CHECK(moe_w <= 0.75 * dense_w);
  // The bytes per token and tokens/s behind each load agree with it.
  const Json& sp = dense["result"]["speed"];
  CHECK(dense["result"]["power"]["devices"][0]["decode_utilisation"].get<double>() ==
        Approx(sp["bytes_per_token"].get<double>() * sp["decode_tokens_per_s"].get<double>() / 936e9).epsilon(0.02));

  // Two 3090s take turns on the layers of a 70B model: each is busy about half of each token.
  const Json two = check_json({"--gpu", "2x3090", "--model", "llama-3.1-70b", "--quant", "q4_k_m"});
  const Json& devs = two["result"]["power"]["devices"];
  REQUIRE(devs.size() == 2);
  double total = 0;
  for (const Json& dev : devs) {
    CHECK(dev["decode_utilisation"].get<double>() < 0.5);
    total += dev["decode_utilisation"].get<double>();
  }
  CHECK(total > 0.6);
  CHECK(total < 1.0);
}
