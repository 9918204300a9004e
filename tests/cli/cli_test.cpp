#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

#include "llmsize/cli/run.h"
#include "run_cli.h"

namespace {

using Result = llmsize::test::CliResult;
using llmsize::test::run;
using llmsize::test::json_of;

const std::string kFixtures = LLMSIZE_FIXTURES;

}  // namespace

TEST_CASE("help lists the exit codes, --version prints the version", "[cli]") {
  const Result help = run({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("2  usage, input or catalog error") != std::string::npos);
  const Result sub = run({"check", "--help"});
  CHECK(sub.code == 0);
  CHECK(sub.out.find("--gpu") != std::string::npos);
  CHECK(run({"--version"}).out == "0.1.0\n");
}

TEST_CASE("usage errors exit 2 with one line on stderr", "[cli]") {
  const Result none = run({});
  CHECK(none.code == 2);
  CHECK(none.err.rfind("llmsize: error: ", 0) == 0);
  const Result bad_flag = run({"memory", "--model", "8b", "--frobnicate"});
  CHECK(bad_flag.code == 2);
  CHECK(bad_flag.out.empty());
}

TEST_CASE("an unknown name gets a suggestion and exit 2", "[cli]") {
  const Result r = run({"check", "--gpu", "rtx-309", "--model", "8b"});
  CHECK(r.code == 2);
  CHECK(r.err == "llmsize: error: unknown GPU \"rtx-309\" (did you mean \"rtx-3090\"?); `llmsize hardware --kind gpu` "
                 "lists them\n");
  const Result q = run({"memory", "--model", "llama-3.1-8b", "--quant", "q4_k_n"});
  CHECK(q.code == 2);
  CHECK(q.err.find("did you mean \"q4-k-m\"?") != std::string::npos);
}

TEST_CASE("global flags work before and after the subcommand", "[cli]") {
  const auto before = json_of(run({"--json", "memory", "--model", "8b"}));
  const auto after = json_of(run({"memory", "--model", "8b", "--json"}));
  CHECK(before == after);
  CHECK(before["command"] == "memory");
}

TEST_CASE("check exits 0 when it fits, 1 when it does not, and --require-gpu counts offload as not fitting", "[cli]") {
  CHECK(run({"check", "--gpu", "rtx-3090", "--model", "llama-3.1-8b"}).code == 0);
  CHECK(run({"check", "--gpu", "rtx-3060-12gb", "--model", "llama-3.1-70b", "--ram", "16GB"}).code == 1);
  CHECK(run({"check", "--gpu", "rtx-3060-12gb", "--model", "llama-3.1-70b", "--ram", "64GB"}).code == 0);
  CHECK(run({"check", "--gpu", "rtx-3060-12gb", "--model", "llama-3.1-70b", "--ram", "64GB", "--require-gpu"}).code == 1);
}

TEST_CASE("check --gpu: a name that is a catalog alias whole is one card, before any count is read from it", "[cli][gpu]") {
  // "7900xtx" is rx-7900-xtx's alias; read as a count it would be 7900 cards of "tx" and refused.
  const auto one = json_of(run({"check", "--gpu", "7900xtx", "--model", "8b", "--json"}));
  REQUIRE(one["result"]["devices"].size() == 2);  // the card and system RAM
  CHECK(one["result"]["devices"][0]["id"] == "rx-7900-xtx");
  const auto two = json_of(run({"check", "--gpu", "2x7900xtx", "--model", "8b", "--json"}));
  REQUIRE(two["result"]["devices"].size() == 3);
  CHECK(two["result"]["devices"][1]["id"] == "rx-7900-xtx#1");  // the second card of the pair
  CHECK(json_of(run({"check", "--gpu", "9070xt", "--model", "8b", "--json"}))["result"]["devices"][0]["id"] == "rx-9070-xt");
  // A count outside 1–64 is still an input error, naming the spec.
  const auto zero = run({"check", "--gpu", "0x3090", "--model", "8b"});
  CHECK(zero.code == 2);
  CHECK_THAT(zero.err, Catch::Contains("the count must be 1 to 64"));
}

TEST_CASE("JSON contract: check", "[cli][json]") {
  const auto j = json_of(run({"check", "--gpu", "2x3090", "--model", "70b", "--quant", "q4_k_m", "--json"}));
  CHECK(j["schema_version"] == 4);
  CHECK(j["command"] == "check");
  const auto& r = j["result"];
  CHECK(r["model"]["id"] == "llama-3.1-70b");
  CHECK(r["model"]["params_total"].is_number_unsigned());
  CHECK(r["model"]["params_active"].is_number_unsigned());
  CHECK(r["quant"]["id"] == "q4-k-m");
  CHECK(r["context_tokens"] == 8192);
  for (const char* k : {"weights_bytes", "kv_cache_bytes", "compute_buffer_bytes", "overhead_bytes", "total_bytes"}) {
    CHECK(r["memory"][k].is_number_unsigned());
  }
  CHECK(r["verdict"] == "fits");
  REQUIRE(r["devices"].size() == 3);  // two GPUs and system RAM
  for (const char* k : {"id", "kind", "memory_bytes", "used_bytes", "weights_bytes", "kv_cache_bytes", "layers"}) {
    CHECK(r["devices"][0].contains(k));
  }
  for (const char* k : {"decode_tokens_per_s", "decode_low", "decode_high", "prefill_tokens_per_s", "curve"}) {
    CHECK(r["speed"].contains(k));
  }
  CHECK(r["speed"]["curve"][0].contains("depth_tokens"));
  CHECK(r["speed"]["curve"][0].contains("decode_tokens_per_s"));
  for (const char* k : {"watts_decode", "cost_per_mtok", "monthly_cost"}) CHECK(r["power"][k].is_number());
  CHECK(j["assumptions"].is_array());
}

TEST_CASE("JSON contract: memory, kv, recommend, hardware, models, quants, speed, cost, catalog", "[cli][json]") {
  const auto memory = json_of(run({"memory", "--model", "8b", "--json"}));
  CHECK(memory["result"]["memory"]["kv_cache_bytes"] == 1073741824ULL);  // 1024 MiB at 8192 tokens, f16
  const auto kv = json_of(run({"kv", "--model", "llama-3.1-8b", "--context", "4k,8k", "--json"}));
  CHECK(kv["result"]["rows"][0]["context_tokens"] == 4096);
  CHECK(kv["result"]["rows"][1]["kv_cache_bytes"] == 1073741824ULL);
  const auto rec = json_of(run({"recommend", "--model", "30b", "--quant", "q4_k_m", "--json", "--top", "3"}));
  REQUIRE(rec["result"]["options"].size() == 3);
  for (const char* k : {"hardware", "devices", "verdict", "decode_tokens_per_s", "prefill_tokens_per_s", "price",
                        "price_basis", "value_tokens_per_s_per_1k", "watts_decode", "monthly_cost"}) {
    CHECK(rec["result"]["options"][0].contains(k));
  }
  const auto hw = json_of(run({"hardware", "--kind", "gpu", "--json"}));
  for (const char* k : {"id", "name", "kind", "memory_bytes", "bandwidth_gb_per_s", "tdp_watts"}) {
    CHECK(hw["result"]["items"][0].contains(k));
  }
  CHECK(json_of(run({"models", "--json"}))["result"]["items"].size() >= 80);
  CHECK(json_of(run({"models", "--gpu", "3090", "--family", "qwen", "--json"}))["result"]["items"].size() > 5);
  CHECK(json_of(run({"quants", "--json"}))["result"]["items"].size() >= 30);
  CHECK(json_of(run({"speed", "--model", "8b", "--gpu", "3090", "--json"}))["result"]["curve"].size() >= 3);
  CHECK(json_of(run({"cost", "--model", "8b", "--gpu", "4090", "--json"}))["result"]["monthly_cost"].is_number());
  CHECK(json_of(run({"catalog", "stats", "--json"}))["result"]["models"] >= 80);
  CHECK(json_of(run({"catalog", "show", "--json"}))["gpus"].size() >= 100);
}

TEST_CASE("catalog validate: exit 2 with the JSON path and the right key suggested", "[cli][catalog]") {
  const Result r = run({"catalog", "validate", kFixtures + "/vram_key.json"});
  CHECK(r.code == 2);
  CHECK(r.err.find(kFixtures + "/vram_key.json: /gpus/0/vram_gb: unknown key (did you mean \"memory_gib\"?)") !=
        std::string::npos);
  const Result bad_json = run({"catalog", "validate", kFixtures + "/malformed.json"});
  CHECK(bad_json.code == 2);
  CHECK(bad_json.err.find("malformed.json: line 4, column 18: syntax error") != std::string::npos);
  const Result ok = run({"catalog", "validate", kFixtures + "/overlay_ok.json"});
  CHECK(ok.code == 0);
  CHECK(ok.out == "1 file(s) valid\n");
  CHECK(run({"catalog", "validate", kFixtures + "/no_such_file.json"}).code == 2);
}

TEST_CASE("the --catalog flag adds and overrides entries", "[cli][catalog]") {
  const auto j = json_of(run({"--catalog", kFixtures + "/overlay_ok.json", "hardware", "--kind", "gpu", "--json"}));
  bool found_new = false;
  for (const auto& item : j["result"]["items"]) {
    if (item["id"] == "my-new-gpu") found_new = true;
    if (item["id"] == "rtx-3090") CHECK(item["memory_bytes"] == 48ULL << 30);
  }
  CHECK(found_new);
  CHECK(run({"--catalog", kFixtures + "/vram_key.json", "hardware"}).code == 2);
}

TEST_CASE("a card without TFLOPS says what its prompt speed assumes", "[cli][catalog]") {
  // The fixture's two RTX 3090 (48 GB mod) cards give no TFLOPS: one assumption, key "tflops", 1 TFLOPS.
  const auto j = json_of(run({"--catalog", kFixtures + "/overlay_ok.json", "check", "--model", "8b", "--gpu", "2xrtx-3090", "--json"}));
  int found = 0;
  for (const auto& a : j["assumptions"]) {
    if (a["key"] != "tflops") continue;
    ++found;
    CHECK(a["value"] == "1 TFLOPS");
    CHECK(a["source"] == "estimate");
    CHECK(a["text"].get<std::string>().rfind("RTX 3090 (48 GB mod) has no TFLOPS in the catalog", 0) == 0);
  }
  CHECK(found == 1);
  // A catalog card with its TFLOPS: none.
  const auto plain = json_of(run({"check", "--model", "8b", "--gpu", "rtx-3090", "--json"}));
  for (const auto& a : plain["assumptions"]) CHECK(a["key"] != "tflops");
}

TEST_CASE("CSV for list-shaped results", "[cli]") {
  const Result r = run({"hardware", "--kind", "storage", "--csv"});
  CHECK(r.code == 0);
  CHECK(r.out.rfind("Id,Name,Kind,Memory [GiB],Bandwidth [GB/s],TDP [W],Price [USD],Notes\n", 0) == 0);
}

TEST_CASE("no colour unless asked or on a terminal", "[cli]") {
  CHECK(run({"memory", "--model", "8b"}).out.find("\x1b[") == std::string::npos);
  CHECK(run({"memory", "--model", "8b", "--color", "always"}).out.find("\x1b[") != std::string::npos);
}

TEST_CASE("LLMSIZE_CATALOG adds colon-separated catalog files", "[cli][catalog]") {
  const std::string path = kFixtures + "/overlay_ok.json";
  setenv("LLMSIZE_CATALOG", (path + ":").c_str(), 1);
  const Result r = run({"hardware", "--kind", "gpu", "--json"});
  unsetenv("LLMSIZE_CATALOG");
  CHECK(r.out.find("\"my-new-gpu\"") != std::string::npos);
  setenv("LLMSIZE_CATALOG", "/nonexistent/catalog.json", 1);
  const Result bad = run({"hardware"});
  unsetenv("LLMSIZE_CATALOG");
  CHECK(bad.code == 2);
  CHECK(bad.err == "llmsize: error: cannot read \"/nonexistent/catalog.json\"; check the path\n");
}

TEST_CASE("NO_COLOR wins over auto, and --explain lists the defaulted assumptions", "[cli]") {
  setenv("NO_COLOR", "1", 1);
  CHECK(run({"memory", "--model", "8b"}).out.find("\x1b[") == std::string::npos);
  unsetenv("NO_COLOR");
  const Result r = run({"memory", "--model", "8b", "--explain"});
  CHECK(r.out.find("Assumptions") != std::string::npos);
  CHECK(r.out.find("quantization not given: Q4_K_M") != std::string::npos);
  CHECK(r.out.find("context not given: 8192 tokens") != std::string::npos);
  for (const char* cmd : {"recommend", "check", "speed", "cost"}) {
    std::vector<std::string> args = {cmd, "--model", "8b", "--explain"};
    if (std::string(cmd) != "recommend") {
      args.push_back("--gpu");
      args.push_back("3090");
    }
    CHECK(run(args).out.find("Assumptions") != std::string::npos);
  }
}

TEST_CASE("context is capped at the model's maximum and says so", "[cli]") {
  const auto j = json_of(run({"memory", "--model", "30b", "--context", "8k", "--json"}));
  CHECK(j["result"]["context_tokens"] == 2048);
  bool said = false;
  for (const auto& a : j["assumptions"]) {
    if (a["key"] == "context_tokens") {
      said = true;
      CHECK(a["source"] == "capped");
      CHECK(a["value"] == "2048");
    }
  }
  CHECK(said);
}

TEST_CASE("mixed cards: repeated --gpu, each card in the placement", "[cli][multi-gpu]") {
  const auto j = json_of(run({"check", "--gpu", "3090", "--gpu", "rtx-3060-12gb", "--model", "qwen2.5-32b", "--json"}));
  const auto& d = j["result"]["devices"];
  REQUIRE(d.size() == 3);
  CHECK(d[0]["id"] == "rtx-3090");
  CHECK(d[1]["id"] == "rtx-3060-12gb");
  CHECK(d[0]["memory_bytes"] == 24ULL << 30);
  CHECK(d[1]["memory_bytes"] == 12ULL << 30);
  // Layers (incl. the output layer) add up to 64 + 1, split in proportion to memory.
  CHECK(d[0]["layers"].get<int>() + d[1]["layers"].get<int>() == 65);
  CHECK(d[0]["layers"].get<int>() > d[1]["layers"].get<int>());
  CHECK(j["result"]["runtime"]["llama_server"].get<std::string>().find(" -ts ") != std::string::npos);
}

TEST_CASE("catalog validate: a fractional count is an error, not silently truncated", "[cli][catalog]") {
  const Result r = run({"catalog", "validate", kFixtures + "/truncating_number.json"});
  CHECK(r.code == 2);
  CHECK(r.err.find(kFixtures + "/truncating_number.json: /models/0/n_layers: expected an integer, got 12.7") !=
        std::string::npos);
}

TEST_CASE("catalog validate: a misspelt key gets the key it should be", "[cli][catalog]") {
  const Result r = run({"catalog", "validate", kFixtures + "/misspelt_key.json"});
  CHECK(r.code == 2);
  CHECK(r.err.find(kFixtures + "/misspelt_key.json: /gpus/0/memroy_gib: unknown key (did you mean \"memory_gib\"?)") !=
        std::string::npos);
}

TEST_CASE("JSON contract: check on several machines (--nodes, --link)", "[cli][json][cluster]") {
  const auto one = json_of(run({"check", "--gpu", "3090", "--model", "70b", "--quant", "q4_k_m", "--ram", "64GB", "--json"}));
  CHECK(one["result"]["network"]["nodes"] == 1);
  CHECK(one["result"]["network"]["link"].is_null());
  CHECK(one["result"]["network"]["hops_per_token"] == 0);

  const auto j = json_of(run({"check", "--gpu", "3090", "--nodes", "2", "--link", "10gbe", "--model", "70b", "--quant",
                              "q4_k_m", "--json"}));
  const auto& r = j["result"];
  CHECK(r["verdict"] == "fits");  // 2 × 24 GiB hold what one card cannot
  const auto& n = r["network"];
  CHECK(n["nodes"] == 2);
  CHECK(n["link"] == "ethernet-10g");
  CHECK(n["link_bandwidth_bytes_per_s"].get<double>() == Approx(1.25e9));
  CHECK(n["link_latency_s"].get<double>() == Approx(20e-6));
  CHECK(n["hop_overhead_s"].get<double>() == Approx(0.4e-3));
  CHECK(n["hops_per_token"] == 2);  // hidden state to machine 2, logits back
  // 8192 × 4 B and 128,256 × 4 B over 1.25 GB/s, plus 2 × (20 us + 400 us): 1.2766 ms.
  CHECK(n["decode_seconds_per_token"].get<double>() == Approx(1.2766336e-3).epsilon(1e-6));
  CHECK(n["prefill_seconds"].get<double>() > n["decode_seconds_per_token"].get<double>());
  REQUIRE(r["devices"].size() == 3);
  CHECK(r["devices"][0]["id"] == "node1/rtx-3090");
  CHECK(r["devices"][1]["id"] == "node2/rtx-3090");
  CHECK(j["inputs"]["hardware"][1]["node"] == 1);
  // The same two cards in one machine are faster: the network only adds time.
  const auto local = json_of(run({"check", "--gpu", "2x3090", "--model", "70b", "--quant", "q4_k_m", "--json"}));
  CHECK(r["speed"]["decode_tokens_per_s"].get<double>() < local["result"]["speed"]["decode_tokens_per_s"].get<double>());
  CHECK(r["runtime"]["llama_server"].is_string());

  CHECK(run({"check", "--gpu", "3090", "--nodes", "2", "--split", "tensor", "--model", "8b"}).code == 2);
  CHECK(run({"check", "--gpu", "3090", "--link", "10gbe", "--model", "8b"}).code == 2);
  const Result text = run({"check", "--gpu", "3090", "--nodes", "2", "--model", "70b", "--quant", "q4_k_m"});
  CHECK(text.out.find("--rpc node2:50052") != std::string::npos);
  CHECK(text.out.find("rpc-server") != std::string::npos);
}

TEST_CASE("check --model ORG/REPO: the catalog model of that Hugging Face repository, else a pointer to hf:", "[cli][model]") {
  const auto j = json_of(run({"check", "--gpu", "3090", "--model", "Qwen/Qwen3-30B-A3B", "--json"}));
  CHECK(j["result"]["model"]["id"] == "qwen3-30b-a3b");
  CHECK(json_of(run({"check", "--gpu", "3090", "--model", "qwen/qwen3-30b-a3b", "--json"}))["result"]["model"]["id"] ==
        "qwen3-30b-a3b");  // the Hub ignores case
  const auto unknown = run({"check", "--gpu", "3090", "--model", "some-org/no-such-model"});
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("write hf:some-org/no-such-model"));
}

TEST_CASE("inspect ORG/REPO that is no local path points to hf:", "[cli][model]") {
  const auto r = run({"inspect", "Qwen/Qwen3-8B"});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("write hf:Qwen/Qwen3-8B"));
}

TEST_CASE("check without --cpu: the experts in RAM stream at a desktop platform's share", "[cli][offload]") {
  // Quadro RTX 5000 (16 GB) with Qwen3-30B-A3B Q4_K_M, the routed experts of 40 of its 48 layers in RAM
  // (-ncmoe 40), 6 threads, DDR5-4800 on an unnamed Intel desktop of 4 DIMMs: measured 44.95 tok/s
  // (data/benchmarks-configs.json quadro-rtx-5000-cuda-qwen3-30b-a3b-q4-k-m-tg128-ncmoe40-ddr5-4800). The
  // generic desktop host now takes the "desktop cpu" class's share of its two channels (0.68 today) where it
  // took every CPU row's median (0.44, pulled down by 8- and 12-channel servers) and predicted 28.3 tok/s,
  // 0.63 of measured.
  const auto j = json_of(run({"check", "--gpu", "quadro rtx 5000", "--model", "qwen3-30b-a3b", "--quant", "q4_k_m",
                              "--n-cpu-moe", "40", "--threads", "6", "--ram-kind", "ddr5-4800", "--ram", "64", "--json"}));
  const double tps = j["result"]["speed"]["decode_tokens_per_s"].get<double>();
  CHECK(tps > 0.8 * 44.95);
  CHECK(tps < 1.2 * 44.95);
  bool generic = false;
  for (const auto& a : j["assumptions"]) generic = generic || (a.value("key", "") == "cpu" && a.value("value", "") == "generic desktop");
  CHECK(generic);
}

TEST_CASE("check: BF16 prompts on an RX 6800 under ROCm run at its FP32 rate", "[cli][kernel]") {
  // RDNA2 has no BF16 instructions; rocBLAS widens BF16 to FP32 (kFp32OnlyBf16Share). Llama 3.2 1B BF16
  // pp512 at -ub 512 on an RX 6800 measured 1532.81 tok/s (llama.cpp PR #24216's table, data/benchmarks-
  // configs.json rx-6800-rocm-llama-3.2-1b-bf16-pp512-ub512-pr24216-d1408e59d). At the packed FP16 rate it was
  // predicted at 1.59× that; F16 weights of the same model keep the FP16 path, more than twice as fast.
  auto prefill = [](const std::string& quant) {
    const auto j = json_of(run({"check", "--gpu", "rx-6800", "--backend", "rocm", "--model", "llama-3.2-1b", "--quant",
                                quant, "--ubatch", "512", "--json"}));
    return j["result"]["speed"]["prefill_tokens_per_s"].get<double>();
  };
  const double bf16 = prefill("bf16");
  CHECK(bf16 > 0.75 * 1532.81);
  CHECK(bf16 < 1.25 * 1532.81);
  CHECK(prefill("f16") > 2 * bf16);
}
