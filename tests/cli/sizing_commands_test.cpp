// recommend, models, kv, speed and cost through the command pipeline: exit codes, CSV (or its
// rejection), exact lines and the usage profile the month is computed with.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "run_cli.h"

namespace {

using Result = llmsize::test::CliResult;
using llmsize::test::json_of;
using llmsize::test::run;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

const nlohmann::json* assumption(const nlohmann::json& doc, const std::string& key) {
  for (const auto& a : doc["assumptions"]) {
    if (a["key"] == key) return &a;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("recommend: the month, its footer and the usage assumption state one profile", "[cli][recommend]") {
  const Result text = run({"recommend", "--model", "8b", "--hours-per-day", "8", "--utilisation", "0.5", "--top", "2"});
  CHECK(text.code == 0);
  CHECK(contains(text.out, "the likely range; the month assumes 8 h/day, 50% generating at 0.16 USD/kWh.\nPrices are yours"));
  CHECK_FALSE(contains(text.out, "24 h/day"));

  const auto j = json_of(run({"recommend", "--model", "8b", "--hours-per-day", "8", "--utilisation", "0.5", "--json"}));
  const nlohmann::json* usage = assumption(j, "usage");
  REQUIRE(usage != nullptr);
  CHECK((*usage)["value"] == "8 h/day, 50% generating at 0.16 USD/kWh");
  CHECK((*usage)["source"] == "default");  // --price-per-kwh was left out
  CHECK((*usage)["text"] == "the month assumes 8 h/day, 50% generating at 0.16 USD/kWh");

  // All three given: nothing assumed.
  const auto given = json_of(run({"recommend", "--model", "8b", "--hours-per-day", "8", "--utilisation", "0.5",
                                  "--price-per-kwh", "0.30", "--json"}));
  CHECK(assumption(given, "usage") == nullptr);
}

TEST_CASE("recommend: the Month column is the stated profile's", "[cli][recommend]") {
  // At utilisation 1 there are no idle hours: month = W × 8 h/day × 30 days / 1000 × 0.16 USD/kWh = W × 0.0384.
  const auto j = json_of(run({"recommend", "--model", "8b", "--hours-per-day", "8", "--top", "5", "--json"}));
  const auto& options = j["result"]["options"];
  REQUIRE(options.size() == 5);
  for (const auto& o : options) {
    CHECK(o["monthly_cost"].get<double>() == Approx(o["watts_decode"].get<double>() * 0.0384));
  }
}

TEST_CASE("recommend: --csv is the options table alone, nothing matching exits 1", "[cli][recommend][csv]") {
  const Result csv = run({"recommend", "--model", "8b", "--top", "3", "--csv"});
  CHECK(csv.code == 0);
  CHECK(csv.out.rfind("Hardware,Memory [GiB] used/total,Verdict,Decode [tok/s],Prefill [tok/s],Price [USD],"
                      "Value [tok/s per 1k USD],Decode [W],Month [USD],1M tok [USD]\n",
                      0) == 0);
  CHECK(lines(csv.out) == 4);  // header + --top 3

  const Result none = run({"recommend", "--model", "8b", "--budget", "1", "--json"});
  CHECK(none.code == 1);
  const auto j = json_of(none);
  CHECK(j["result"]["matching"] == 0);
  CHECK(j["result"]["options"].empty());
}

TEST_CASE("kv: every row computed, the CSV its table", "[cli][kv]") {
  // Llama 3.1 8B: 32 layers × 8 KV heads × 128 dims × (K + V) × 2 B (f16) = 131,072 B = 128 KiB per token.
  const auto j = json_of(run({"kv", "--model", "llama-3.1-8b", "--context", "4k,8k,200k", "--json"}));
  const auto& rows = j["result"]["rows"];
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["kv_cache_bytes"] == 536870912ULL);      // 4096 × 131,072
  CHECK(rows[1]["kv_cache_bytes"] == 1073741824ULL);     // 8192 × 131,072
  CHECK(rows[2]["kv_cache_bytes"] == 26843545600ULL);    // 204,800 × 131,072, over the 131,072-token maximum
  CHECK(rows[2]["over_model_maximum"] == true);
  CHECK(j["inputs"]["contexts"] == nlohmann::json::array({4096, 8192, 204800}));

  const Result csv = run({"kv", "--model", "llama-3.1-8b", "--context", "4k,200k", "--csv"});
  CHECK(csv.code == 0);
  CHECK(csv.out ==
        "Context [tokens],KV cache [GiB],KV cache [MiB],Per token [KiB]\n"
        "4096,0.50,512.0,128.0\n"
        "204800 (over max),25.00,25600.0,128.0\n");
}

TEST_CASE("kv: the default contexts are one assumption", "[cli][kv]") {
  const auto j = json_of(run({"kv", "--model", "llama-3.1-8b", "--json"}));
  CHECK(j["inputs"]["contexts"] == nlohmann::json::array({4096, 8192, 32768, 131072}));
  const nlohmann::json* contexts = assumption(j, "contexts");
  REQUIRE(contexts != nullptr);
  CHECK((*contexts)["value"] == "4K, 8K, 32K, 128K");
  CHECK(assumption(j, "context_tokens") == nullptr);
}

TEST_CASE("speed: --csv prints the curve over context alone", "[cli][speed][csv]") {
  const auto j = json_of(run({"speed", "--model", "8b", "--gpu", "3090", "--json"}));
  const std::size_t depths = j["result"]["curve"].size();
  CHECK(depths >= 3);
  CHECK(j["result"]["concurrency"].size() == 5);  // the default users: 1 2 4 8 16
  const Result csv = run({"speed", "--model", "8b", "--gpu", "3090", "--csv"});
  CHECK(csv.code == 0);
  CHECK(csv.out.rfind("Depth [tokens],Decode [tok/s],Likely range,vs. start\n0,", 0) == 0);
  CHECK(lines(csv.out) == depths + 1);
  CHECK_FALSE(contains(csv.out, "Users"));
}

TEST_CASE("speed and cost: a model that does not fit is an input error naming check", "[cli][speed]") {
  const Result speed = run({"speed", "--model", "405b", "--gpu", "3090"});
  CHECK(speed.code == 2);
  CHECK(contains(speed.err, "`llmsize check` shows why"));
  const Result cost = run({"cost", "--model", "405b", "--gpu", "3090"});
  CHECK(cost.code == 2);
  CHECK(contains(cost.err, "does not fit on "));
  CHECK(contains(cost.err, "; `llmsize check` shows why"));
}

TEST_CASE("cost: no table, so --csv is refused naming the commands that take it", "[cli][cost][csv]") {
  const Result r = run({"cost", "--model", "8b", "--gpu", "4090", "--csv"});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "llmsize: error: --csv does not apply to `llmsize cost` (it prints no table); it works with:"));
  for (const char* name : {"recommend", "models", "kv", "speed"}) CHECK(contains(r.err, name));
  // The usage profile and its defaults in the help are the constants'.
  const Result help = run({"cost", "--help"});
  CHECK(contains(help.out, "Electricity price per kWh (default 0.16)"));
  CHECK(contains(help.out, "Hours per day the machine is on (default 24)"));
}

TEST_CASE("models: the list and the fit are tables, nothing matching exits 1", "[cli][models][csv]") {
  const Result none = run({"models", "--family", "no-such-family"});
  CHECK(none.code == 1);
  const Result list = run({"models", "--family", "llama", "--csv"});
  CHECK(list.code == 0);
  CHECK(list.out.rfind("Id,Name,Arch,Params [B],Active [B],Layers,Context [tokens],Aliases\n", 0) == 0);
  const Result fit = run({"models", "--gpu", "3090", "--family", "llama", "--max-params", "8", "--csv"});
  CHECK(fit.code == 0);
  CHECK(fit.out.rfind("Model,Best quant,Weights [GB],Verdict,Decode [tok/s],Prefill [tok/s]\n", 0) == 0);
  const Result text = run({"models", "--gpu", "3090", "--family", "llama", "--max-params", "8"});
  CHECK(text.out.rfind("Models that run on GeForce RTX 3090 (largest GGUF quant that fits entirely in GPU memory), "
                       "context 8192 tokens or the model's maximum\n\n",
                       0) == 0);
  CHECK(lines(text.out) == lines(fit.out) + 2);  // the heading and a blank line, then the same table
}
