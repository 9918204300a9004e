// The configuration a user runs, said with llama.cpp's flags (issue 13, item 1): --ngl, --n-cpu-moe,
// --cpu-moe, --tensor-split, --split, --threads, --depth, --engine, predicted as given or refused.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "run_cli.h"

namespace {

using llmsize::test::json_of;
using llmsize::test::run;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The JSON of `base` with `extra` flags appended.
nlohmann::json json_with(std::vector<std::string> base, const std::vector<std::string>& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return json_of(run(base));
}

}  // namespace

TEST_CASE("check with --n-cpu-moe predicts the placement as given and prints it in the server flags", "[cli][run]") {
  const auto j = json_of(run({"check", "--model", "qwen3-30b-a3b", "--gpu", "3060", "--cpu", "7950x", "--ram", "64GB",
                              "--n-cpu-moe", "20", "--json"}));
  CHECK(j["inputs"]["run"]["n_cpu_moe"] == 20);
  CHECK(j["inputs"]["run"]["placement_given"] == true);
  CHECK(j["inputs"]["run"]["ngl"].is_null());
  CHECK(j["result"]["verdict"] == "fits_with_offload");
  CHECK(j["result"]["reason_code"] == "experts_in_ram");
  CHECK(contains(j["result"]["runtime"]["llama_server"].get<std::string>(), "--n-cpu-moe 20"));
  // Fewer experts in RAM than fit: refused with the flags named, exit 1 (does not fit).
  const auto r = run({"check", "--model", "qwen3-30b-a3b", "--gpu", "3060", "--cpu", "7950x", "--ram", "64GB",
                      "--n-cpu-moe", "5"});
  CHECK(r.code == 1);
  CHECK(contains(r.out, "the placement given (-ngl 49, --n-cpu-moe 5) overfills a GPU"));
}

TEST_CASE("check: --ngl below the layer count puts the rest in RAM, and decode is slower than with every layer", "[cli][run]") {
  const std::vector<std::string> base = {"check", "--model", "llama-3.1-8b", "--gpu", "3090", "--cpu", "7950x",
                                         "--ram", "64GB", "--json"};
  auto with = [&](const std::vector<std::string>& extra) { return json_with(base, extra); };
  const auto all = with({});
  const auto eight = with({"--ngl", "8"});
  CHECK(eight["result"]["placement"]["gpu_layers"] == 8);
  CHECK(eight["result"]["reason_code"] == "layers_in_ram");
  CHECK(eight["result"]["speed"]["decode_tokens_per_s"].get<double>() <
        all["result"]["speed"]["decode_tokens_per_s"].get<double>() / 3);
}

TEST_CASE("check: --split row on two GPUs is slower at batch 1 than the layer split, as llama.cpp measures", "[cli][run][split]") {
  const std::vector<std::string> base = {"check", "--model", "llama-3.1-8b", "--gpu", "2x4090", "--json"};
  std::vector<std::string> row = base;
  row.insert(row.end(), {"--split", "row"});
  const auto layer = json_of(run(base));
  const auto split = json_of(run(row));
  CHECK(split["inputs"]["run"]["split"] == "row");
  CHECK(split["result"]["speed"]["decode_tokens_per_s"].get<double>() <
        layer["result"]["speed"]["decode_tokens_per_s"].get<double>());
  CHECK(contains(split["result"]["runtime"]["llama_server"].get<std::string>(), "-sm row"));
}

TEST_CASE("speed: --depth makes decode and prefill after a filled context slower", "[cli][run][depth]") {
  const std::vector<std::string> base = {"speed", "--model", "llama-3.1-8b", "--gpu", "3090", "--context", "32k", "--json"};
  std::vector<std::string> deep = base;
  deep.insert(deep.end(), {"--depth", "16k"});
  const auto empty = json_of(run(base));
  const auto filled = json_of(run(deep));
  CHECK(filled["inputs"]["run"]["depth_tokens"] == 16384);
  CHECK(filled["result"]["decode_tokens_per_s"].get<double>() <
        empty["result"]["decode_tokens_per_s"].get<double>());
  CHECK(filled["result"]["prefill_tokens_per_s"].get<double>() <
        empty["result"]["prefill_tokens_per_s"].get<double>());
}

TEST_CASE("run flags that cannot apply are input errors naming the flag", "[cli][run][errors]") {
  auto error_of = [](std::vector<std::string> args) {
    const auto r = run(args);
    CHECK(r.code == 2);
    return r.err;
  };
  CHECK(contains(error_of({"check", "--model", "8b", "--gpu", "3090", "--n-cpu-moe", "4"}),
                 "--n-cpu-moe and --cpu-moe move routed experts; Llama 3.1 8B is a dense model"));
  CHECK(contains(error_of({"check", "--model", "8b", "--cpu", "7950x", "--ram", "64GB", "--ngl", "10"}),
                 "--ngl, --n-cpu-moe and --cpu-moe place layers on GPUs"));
  CHECK(contains(error_of({"check", "--model", "8b", "--gpu", "3090", "--tensor-split", "3,1"}),
                 "--tensor-split 3,1: give one non-negative share per GPU (1 here)"));
  CHECK(contains(error_of({"check", "--model", "8b", "--gpu", "3090", "--depth", "8192"}),
                 "--depth 8192 leaves no room in a context of 8192 tokens; raise --context"));
  // At the model's own maximum, raising --context cannot help: say so (Llama 2 7B was trained for 4,096).
  CHECK(contains(error_of({"check", "--model", "llama-2-7b", "--gpu", "3090", "--depth", "32768"}),
                 "--depth 32768 leaves no room in Llama 2 7B's context of 4096 tokens, the most it was trained for"));
  CHECK(contains(error_of({"check", "--model", "8b", "--gpu", "3090", "--engine", "vllm", "--ngl", "10"}),
                 "are llama.cpp options; vLLM keeps every layer on the GPUs"));
  CHECK(contains(error_of({"check", "--model", "8b", "--gpu", "2x3090", "--engine", "vllm", "--split", "row"}),
                 "--split row is llama.cpp's"));
  CHECK(contains(error_of({"check", "--model", "8b", "--gpu", "2x3090", "--split", "row", "--ngl", "10"}),
                 "--ngl below 33 (all layers), --n-cpu-moe, --cpu-moe and --tensor-split place whole layers (--split layer)"));
  CHECK(contains(error_of({"check", "--model", "8b", "--gpu", "2x3090", "--split", "tensor", "--ngl", "32"}),
                 "--ngl below 33 (all layers)"));
}

TEST_CASE("ngl 99 with a row or tensor split says every layer on the GPUs, as llama-bench commands do", "[cli][run]") {
  // llama-bench -ngl 99 -sm row: Llama 3.1 8B has 32 layers, so 33 or more is all of them, the split's own
  // placement. The prediction is the one without --ngl.
  const auto with = json_of(run({"check", "--model", "8b", "--gpu", "2x3090", "--split", "row", "--ngl", "99", "--json"}));
  const auto without = json_of(run({"check", "--model", "8b", "--gpu", "2x3090", "--split", "row", "--json"}));
  CHECK(with["result"]["speed"]["decode_tokens_per_s"] == without["result"]["speed"]["decode_tokens_per_s"]);
  CHECK(with["result"]["speed"]["prefill_tokens_per_s"] == without["result"]["speed"]["prefill_tokens_per_s"]);
  const auto at_33 = run({"check", "--model", "8b", "--gpu", "2x3090", "--split", "tensor", "--ngl", "33"});
  CHECK(at_33.code == 0);
}

TEST_CASE("split row on Vulkan is the layer split llama.cpp runs there, and says so", "[cli][run]") {
  // llama.cpp splits rows only through a backend's split buffer type (CUDA, ROCm, SYCL); Vulkan loads whole
  // layers per GPU. Two RX 7900 XTX on Vulkan with --split row: the layer split's numbers, and the assumption.
  const auto row = json_of(run({"check", "--model", "8b", "--gpu", "2x7900xtx", "--backend", "vulkan", "--split", "row", "--json"}));
  const auto layer = json_of(run({"check", "--model", "8b", "--gpu", "2x7900xtx", "--backend", "vulkan", "--split", "layer", "--json"}));
  CHECK(row["result"]["speed"]["decode_tokens_per_s"] == layer["result"]["speed"]["decode_tokens_per_s"]);
  CHECK(row["result"]["speed"]["prefill_tokens_per_s"] == layer["result"]["speed"]["prefill_tokens_per_s"]);
  bool said = false;
  for (const auto& a : row["assumptions"]) {
    if (a["key"] == "split") {
      said = true;
      CHECK(a["value"] == "layer");
      CHECK(a["source"] == "capped");
      CHECK(a["text"] == "--split row runs as a layer split on vulkan: llama.cpp splits rows on CUDA, ROCm and SYCL only");
    }
  }
  CHECK(said);
  // On ROCm the same cards split rows: another prediction, no such assumption.
  const auto rocm = json_of(run({"check", "--model", "8b", "--gpu", "2x7900xtx", "--backend", "rocm", "--split", "row", "--json"}));
  const auto rocm_layer = json_of(run({"check", "--model", "8b", "--gpu", "2x7900xtx", "--backend", "rocm", "--split", "layer", "--json"}));
  CHECK(rocm["result"]["speed"]["decode_tokens_per_s"] != rocm_layer["result"]["speed"]["decode_tokens_per_s"]);
  for (const auto& a : rocm["assumptions"]) CHECK(a["key"] != "split");
}

TEST_CASE("a MoE model that needs RAM: experts in RAM against whole layers in RAM, the faster kept", "[cli][run][moe]") {
  const auto j = json_of(run({"check", "--model", "qwen3-30b-a3b", "--gpu", "3060", "--cpu", "7950x", "--ram", "64GB", "--json"}));
  const auto& alt = j["result"]["offload_alternative"];
  REQUIRE(alt.is_object());
  const double chosen = j["result"]["speed"]["decode_tokens_per_s"].get<double>();
  CHECK(chosen >= alt["decode_tokens_per_s"].get<double>());
  // The two are the two kinds of offload.
  CHECK(alt["reason_code"] != j["result"]["reason_code"]);
  // Given a placement, nothing is compared; a model that fits needs no comparison.
  CHECK(json_of(run({"check", "--model", "qwen3-30b-a3b", "--gpu", "3060", "--cpu", "7950x", "--ram", "64GB",
                     "--n-cpu-moe", "24", "--json"}))["result"]["offload_alternative"].is_null());
  CHECK(json_of(run({"check", "--model", "qwen3-30b-a3b", "--gpu", "4090", "--json"}))["result"]["offload_alternative"].is_null());
}

TEST_CASE("check: --backend runs the GPUs on the backend given, with that backend's factors", "[cli][run][backend]") {
  // An RTX 4090 (1008 GB/s) on Vulkan: decode is bytes / (bandwidth × Vulkan's share) + Vulkan's fixed cost,
  // the factors `catalog calibration` lists for vulkan (the card's class has no Vulkan factors of its own).
  const auto j = json_of(run({"check", "--model", "llama-3.1-8b", "--gpu", "4090", "--backend", "vulkan", "--json"}));
  CHECK(j["inputs"]["hardware"][0]["backend"] == "vulkan");
  const auto cal = json_of(run({"catalog", "calibration", "--json"}));
  double efficiency = 0;
  double per_token_s = 0;
  for (const auto& b : cal["result"]["backends"]) {
    if (b["backend"] != "vulkan") continue;
    efficiency = b["bandwidth_efficiency"].get<double>();
    per_token_s = b["per_token_s"].get<double>();
  }
  for (const auto& c : cal["result"]["classes"]) CHECK_FALSE((c["backend"] == "vulkan" && c["device_class"] == "nvidia gddr"));
  REQUIRE(efficiency > 0);
  const double bytes = j["result"]["speed"]["bytes_per_token"].get<double>();
  const double expected = 1.0 / (bytes / (1008e9 * efficiency) + per_token_s);
  // tg128 decodes from an empty cache to 128 tokens: the KV read at mean depth 64 makes it a little slower.
  CHECK(j["result"]["speed"]["decode_tokens_per_s"].get<double>() == Approx(expected).epsilon(0.01));
  // Without --backend the card runs its first catalog backend, CUDA.
  const auto cuda = json_of(run({"check", "--model", "llama-3.1-8b", "--gpu", "4090", "--json"}));
  CHECK(cuda["inputs"]["hardware"][0]["backend"] == "cuda");
}

TEST_CASE("check: a --backend the card does not run, or no GPU at all, is an input error naming it", "[cli][run][backend][errors]") {
  const auto r = run({"check", "--model", "llama-3.1-8b", "--gpu", "4090", "--backend", "rocm"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "--backend rocm: rtx-4090 does not run it (its backends: cuda, vulkan)"));
  const auto cpu = run({"check", "--model", "llama-3.1-8b", "--cpu", "7950x", "--ram", "64GB", "--backend", "cuda"});
  CHECK(cpu.code == 2);
  CHECK(contains(cpu.err, "--backend cuda needs a GPU: --gpu or --system"));
  const auto bad = run({"check", "--model", "llama-3.1-8b", "--gpu", "4090", "--backend", "opencl"});
  CHECK(bad.code == 2);
  // A unified machine's GPU backend: Strix Halo on Vulkan.
  const auto halo = json_of(run({"check", "--model", "llama-3.1-8b", "--system", "ryzen-ai-max-plus-395", "--backend",
                                 "vulkan", "--json"}));
  CHECK(halo["inputs"]["hardware"][0]["backend"] == "vulkan");
}

TEST_CASE("check --engine ik_llama.cpp: prompts at ik_llama.cpp's own fitted share of peak, decode as llama.cpp's",
          "[cli][run][engine]") {
  // Without flash attention: with it, llama.cpp's CPU kernel runs the prompt's attention at a rate of its own
  // (kCpuFlashPrefillEfficiency) while ik_llama.cpp's is in its fitted share, so the two differ by more than
  // their shares.
  const std::vector<std::string> base = {"check", "--model", "llama-3.1-8b", "--quant", "q4_0", "--cpu", "7950x",
                                         "--ram", "64GB", "--no-flash-attn", "--json"};
  const auto mainline = json_with(base, {"--depth", "4096"});
  const auto ik = json_with(base, {"--engine", "ik_llama.cpp", "--depth", "4096"});
  CHECK(ik["inputs"]["run"]["engine"] == "ik_llama.cpp");
  // The factors: `catalog calibration` lists ik_llama.cpp's AMD CPU class beside llama.cpp's.
  const auto cal = json_of(run({"catalog", "calibration", "--json"}));
  double ik_share = 0;
  double main_share = 0;
  for (const auto& c : cal["result"]["classes"]) {
    if (c["backend"] != "cpu" || c.value("device_class", "") != "desktop cpu/amd") continue;
    (c.value("engine", "llama.cpp") == "ik_llama.cpp" ? ik_share : main_share) = c["prefill_efficiency"].get<double>();
  }
  // Published: ik_llama.cpp's prompt speed on CPUs is 2–3× mainline's (its fit rows' median 2.5 of peak).
  CHECK(ik_share / main_share > 2.0);
  CHECK(ik_share / main_share < 3.0);
  // A 512-token prompt on a CPU is compute-bound: the prediction moves by the ratio of the shares, but for
  // the per-token cost both pay once per micro-batch (the CPU's 5 ms on a prompt of ~5 s, 0.1%).
  const auto& s_ik = ik["result"]["speed"];
  const auto& s_main = mainline["result"]["speed"];
  CHECK(s_ik["prefill_tokens_per_s"].get<double>() / s_main["prefill_tokens_per_s"].get<double>() ==
        Approx(ik_share / main_share).epsilon(0.005));
  CHECK(s_ik["decode_tokens_per_s"].get<double>() == Approx(s_main["decode_tokens_per_s"].get<double>()).epsilon(1e-12));
  // Its own command lines: no --fit off (a bare switch there), and -gp for a decode after D tokens (no -d).
  const std::string server = ik["result"]["runtime"]["llama_server"];
  const std::string bench = ik["result"]["runtime"]["llama_bench"];
  CHECK(!contains(server, "--fit"));
  CHECK(contains(bench, " -p 512 -n 128 -gp 4096,128"));
  CHECK(!contains(bench, " -d "));
  // ik_llama.cpp has no -sm row; its tensor parallelism is -sm graph.
  const auto r = run({"check", "--model", "8b", "--gpu", "2x3090", "--engine", "ik_llama.cpp", "--split", "row"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "ik_llama.cpp has no -sm row"));
  const auto graph = json_of(run({"check", "--model", "8b", "--gpu", "2x3090", "--engine", "ik_llama.cpp", "--split",
                                  "tensor", "--json"}));
  CHECK(contains(graph["result"]["runtime"]["llama_server"].get<std::string>(), " -sm graph"));
  CHECK(contains(graph["result"]["runtime"]["llama_bench"].get<std::string>(), " -sm graph"));
}

TEST_CASE("check --batch-size: llama.cpp's -b caps the micro-batch and sets how many overlap across GPUs",
          "[cli][run][pipeline]") {
  const std::vector<std::string> base = {"check", "--model", "llama-3.1-8b", "--gpu", "2x3090", "--prompt-tokens", "4096", "--json"};
  auto with = [&](const std::vector<std::string>& extra) { return json_with(base, extra); };
  const auto piped = with({});
  const auto one_per_call = with({"--batch-size", "512"});
  CHECK(piped["inputs"]["batch"] == 2048);
  CHECK(one_per_call["inputs"]["batch"] == 512);
  // -b 2048: two calls of four 512-token micro-batches that overlap on the two GPUs; -b 512: eight calls of one,
  // each through both GPUs in turn. Stages a and b per micro-batch, b the slower (it also holds the output
  // layer): 2 × (a + b + 3b) against 8 × (a + b), 1.6× for equal halves and a little less here.
  const double ratio = piped["result"]["speed"]["prefill_tokens_per_s"].get<double>() /
                       one_per_call["result"]["speed"]["prefill_tokens_per_s"].get<double>();
  CHECK(ratio > 1.5);
  CHECK(ratio <= 1.6 + 1e-9);
  CHECK(contains(one_per_call["result"]["runtime"]["llama_server"].get<std::string>(), " -b 512"));
  CHECK(contains(one_per_call["result"]["runtime"]["llama_bench"].get<std::string>(), " -b 512"));
  CHECK(!contains(piped["result"]["runtime"]["llama_server"].get<std::string>(), " -b "));
  // -ub above -b runs at -b, as llama.cpp does; the assumption says so.
  const auto capped = with({"--batch-size", "256", "--ubatch", "1024"});
  CHECK(capped["inputs"]["ubatch"] == 256);
  bool said = false;
  for (const auto& a : capped["assumptions"]) said = said || (a["key"] == "ubatch" && a["value"] == "256");
  CHECK(said);
}
