// --draft, --mmproj and --images through check and memory: totals that add up, the speculative band, the
// llama-server flags, and each input error's exact message.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "run_cli.h"

namespace {

using Result = llmsize::test::CliResult;
using llmsize::test::json_of;
using llmsize::test::run;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::uint64_t sum_devices(const nlohmann::json& devices, const char* key) {
  std::uint64_t total = 0;
  for (const auto& d : devices) total += d[key].get<std::uint64_t>();
  return total;
}

}  // namespace

TEST_CASE("check --draft: the draft's bytes join the devices and the totals still add up", "[cli][draft]") {
  const auto j = json_of(run({"check", "--model", "qwen2.5-32b", "--gpu", "rtx-3090", "--draft", "qwen2.5-0.5b", "--json"}));
  const auto& r = j["result"];
  CHECK(r["verdict"] == "fits");
  CHECK(r["memory"]["total_bytes"].get<std::uint64_t>() == sum_devices(r["devices"], "used_bytes"));
  CHECK(r["memory"]["draft_bytes"].get<std::uint64_t>() == sum_devices(r["devices"], "draft_bytes"));
  CHECK(r["memory"]["draft_bytes"].get<std::uint64_t>() > 0);
  CHECK(r["memory"]["projector_bytes"] == 0);
  const auto& m = r["memory"];
  CHECK(m["total_bytes"].get<std::uint64_t>() ==
        m["weights_bytes"].get<std::uint64_t>() + m["kv_cache_bytes"].get<std::uint64_t>() +
            m["compute_buffer_bytes"].get<std::uint64_t>() + m["overhead_bytes"].get<std::uint64_t>() +
            m["draft_bytes"].get<std::uint64_t>() + m["projector_bytes"].get<std::uint64_t>());
  // The draft holds the target's 8192 cells: Qwen2.5-0.5B has 24 layers × 2 KV heads × 64 × 2 (K, V) × 2 B
  // = 12 KiB a cell, 96 MiB in f16.
  CHECK(r["draft"]["memory"]["kv_cache_bytes"] == 96ULL * 1024 * 1024);
  CHECK(r["draft"]["gpu_layers"] == 25);
  const auto& sp = r["draft"]["speculation"];
  CHECK(sp["decode_low"].get<double>() < sp["decode_high"].get<double>());
  CHECK(sp["tokens_per_step_low"].get<double>() == Approx(1 + 0.187 * 3));
  CHECK(sp["tokens_per_step_high"].get<double>() == Approx(1 + 0.566 * 3));
  CHECK(contains(r["runtime"]["llama_server"].get<std::string>(), " -md qwen2.5-0.5b.Q4_K_M.gguf --draft-max 3"));
  CHECK(j["inputs"]["draft"] == "qwen2.5-0.5b");
}

TEST_CASE("check --draft-accept and --draft-max shape the band, a given -ngld reaches the flags", "[cli][draft]") {
  const auto j = json_of(run({"check", "--model", "qwen2.5-32b", "--gpu", "rtx-3090", "--draft", "qwen2.5-0.5b:q8_0",
                              "--draft-accept", "0.6-0.8", "--draft-max", "5", "--draft-ngl", "10", "--json"}));
  const auto& d = j["result"]["draft"];
  CHECK(d["quant"] == "q8-0");
  CHECK(d["acceptance_low"] == 0.6);
  CHECK(d["acceptance_high"] == 0.8);
  CHECK(d["gpu_layers"] == 10);
  CHECK(d["speculation"]["tokens_per_step_high"].get<double>() == Approx(5.0));
  CHECK(contains(j["result"]["runtime"]["llama_server"].get<std::string>(), "-md qwen2.5-0.5b.Q8_0.gguf --draft-max 5 -ngld 10"));
}

TEST_CASE("memory --images: each image's tokens join the context, the projector its bytes", "[cli][projector]") {
  const auto j = json_of(run({"memory", "--model", "gemma-3-4b", "--images", "2", "--json"}));
  const auto& r = j["result"];
  CHECK(r["context_tokens"] == 8192 + 2 * 256);
  CHECK(r["projector"]["weights_bytes"] == 851'226'048);    // the f16 mmproj-model-f16.gguf, 851 MB
  CHECK(r["projector"]["compute_buffer_bytes"] == 127'139'840);
  CHECK(r["projector"]["host_compute_buffer_bytes"] == 9'633'792);
  CHECK(r["memory"]["projector_bytes"] == 851'226'048 + 127'139'840 + 9'633'792);
  CHECK(r["projector"]["path"].is_null());
  CHECK(r["projector"]["type"] == "f16");
  const auto& m = r["memory"];
  CHECK(m["total_bytes"].get<std::uint64_t>() ==
        m["weights_bytes"].get<std::uint64_t>() + m["kv_cache_bytes"].get<std::uint64_t>() +
            m["compute_buffer_bytes"].get<std::uint64_t>() + m["overhead_bytes"].get<std::uint64_t>() +
            m["projector_bytes"].get<std::uint64_t>());
}

TEST_CASE("check --images puts the projector on the first GPU and --mmproj on the llama-server line", "[cli][projector]") {
  const auto j = json_of(run({"check", "--model", "gemma-3-12b", "--gpu", "2x3090", "--images", "1", "--json"}));
  const auto& devices = j["result"]["devices"];
  CHECK(devices[0]["projector_bytes"].get<std::uint64_t>() > 0);
  CHECK(devices[1]["projector_bytes"] == 0);
  CHECK(devices[2]["projector_bytes"] == 9'633'792);  // system RAM: the warm-up image
  CHECK(contains(j["result"]["runtime"]["llama_server"].get<std::string>(), " --mmproj mmproj-gemma-3-12b-f16.gguf"));
}

TEST_CASE("input errors name the flag and the fix", "[cli][draft][projector]") {
  const Result accept = run({"memory", "--model", "qwen2.5-7b", "--draft", "qwen2.5-0.5b", "--draft-accept", "1.5"});
  CHECK(accept.code == 2);
  CHECK(accept.err == "llmsize: error: --draft-accept 1.5: give a rate between 0 and 1 (0.6) or a range LOW-HIGH (0.4-0.7)\n");
  const Result lonely = run({"memory", "--model", "qwen2.5-7b", "--draft-max", "4"});
  CHECK(lonely.err ==
        "llmsize: error: --draft-accept, --draft-max and --draft-ngl describe a draft model; give it with --draft MODEL "
                    "(or draft with the model's MTP block: --spec-type draft-mtp)\n");
  const Result text_model = run({"memory", "--model", "llama-3.1-8b", "--images", "1"});
  CHECK(text_model.err ==
        "llmsize: error: Llama 3.1 8B has no vision projector in the catalog; give its mmproj GGUF with --mmproj FILE\n");
  const Result quantized = run({"memory", "--model", "gemma-3-4b", "--mmproj", "q8_0"});
  CHECK(quantized.err == "llmsize: error: --mmproj q8_0: the catalog sizes f16, bf16 and f32 projectors; give a quantized "
                         "projector's GGUF file with --mmproj FILE\n");
  const Result vllm = run({"check", "--model", "qwen2.5-32b", "--gpu", "2x3090", "--split", "tensor", "--engine", "vllm",
                           "--draft", "qwen2.5-0.5b"});
  CHECK(vllm.err == "llmsize: error: --draft, --spec-type, --mmproj and --images size llama-server's draft model and projector; drop "
                    "--engine vllm\n");
  const Result finetune = run({"check", "--task", "finetune", "--model", "llama-3.1-8b", "--method", "lora", "--gpu",
                               "rtx-3090", "--images", "1"});
  CHECK(finetune.err ==
        "llmsize: error: --draft, --spec-type, --mmproj and --images size what llama-server loads; drop them with "
                       "--task finetune\n");
}

TEST_CASE("check --spec-type draft-mtp: the MTP block joins the last GPU and speculation is a band", "[cli][mtp]") {
  const auto j = json_of(run({"check", "--model", "qwen3.5-27b", "--gpu", "rtx-3090", "--gpu", "rtx-3090", "--spec-type",
                              "draft-mtp", "--json"}));
  const auto& r = j["result"];
  CHECK(r["verdict"] == "fits");
  CHECK(j["inputs"]["spec_type"] == "draft-mtp");
  const auto& d = r["draft"];
  CHECK(d["spec_type"] == "draft-mtp");
  CHECK(d["model"] == "qwen3.5-27b");
  CHECK(d["gpu_layers"].is_null());
  CHECK(d["draft_max"] == 3);
  // At 8192 cells one MTP layer of 4 KV heads × 256 holds 8192 × 4 × 256 × 2 (K, V) × 2 B = 32 MiB (f16).
  CHECK(d["memory"]["kv_cache_bytes"] == 32ULL << 20);
  // Compute with the output head: 512 × (4 × 248,320 + 8 × 5120) B.
  CHECK(d["memory"]["compute_buffer_bytes"] == 529'530'880ULL);
  const std::uint64_t on_gpu = d["memory"]["weights_bytes"].get<std::uint64_t>() + (32ULL << 20) + 529'530'880ULL;
  // Layers n_layer_all − 1 and n_layer_all (the output) share the last GPU: the first holds none of it.
  CHECK(r["devices"][0]["draft_bytes"] == 0);
  CHECK(r["devices"][1]["draft_bytes"] == on_gpu);
  // In RAM: the host compute buffer 512 × (4 × 5120 + 4 × 8192) B = 26 MiB and one row of logits (248,320 × 4 B).
  CHECK(r["devices"][2]["draft_bytes"] == (26ULL << 20) + 248'320ULL * 4);
  CHECK(r["memory"]["draft_bytes"] == sum_devices(r["devices"], "draft_bytes"));
  CHECK(r["memory"]["total_bytes"].get<std::uint64_t>() == sum_devices(r["devices"], "used_bytes"));
  const auto& sp = d["speculation"];
  REQUIRE(sp.is_object());
  CHECK(sp["tokens_per_step_low"].get<double>() == Approx(1 + 0.542 * 3));
  CHECK(sp["tokens_per_step_high"].get<double>() == Approx(1 + 0.915 * 3));
  CHECK(sp["decode_low"].get<double>() < sp["decode_high"].get<double>());
  CHECK(sp["speedup_low"].get<double>() < sp["speedup_high"].get<double>());
  CHECK(contains(r["runtime"]["llama_server"].get<std::string>(), " --spec-type draft-mtp --spec-draft-n-max 3 --fit off"));
}

TEST_CASE("memory --spec-type draft-mtp adds the MTP block to the one-device total", "[cli][mtp]") {
  const auto j = json_of(run({"memory", "--model", "qwen3.5-27b", "--spec-type", "draft-mtp", "--draft-max", "2", "--json"}));
  const auto& m = j["result"]["memory"];
  const auto& d = j["result"]["draft"];
  CHECK(d["draft_max"] == 2);
  // One device holds it all: weights, KV and compute buffer plus the host compute buffer and the logits row.
  CHECK(m["draft_bytes"] == d["memory"]["total_bytes"]);
  CHECK(d["memory"]["total_bytes"].get<std::uint64_t>() ==
        d["memory"]["weights_bytes"].get<std::uint64_t>() + d["memory"]["kv_cache_bytes"].get<std::uint64_t>() +
            d["memory"]["compute_buffer_bytes"].get<std::uint64_t>() + (26ULL << 20) + 248'320ULL * 4);
  CHECK(m["total_bytes"].get<std::uint64_t>() ==
        m["weights_bytes"].get<std::uint64_t>() + m["kv_cache_bytes"].get<std::uint64_t>() +
            m["compute_buffer_bytes"].get<std::uint64_t>() + m["overhead_bytes"].get<std::uint64_t>() +
            m["draft_bytes"].get<std::uint64_t>());
}

TEST_CASE("MTP and draft-vocabulary input errors name the fix", "[cli][mtp][errors]") {
  const Result no_nextn = run({"check", "--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--spec-type", "draft-mtp"});
  CHECK(no_nextn.code == 2);
  CHECK(no_nextn.err ==
        "llmsize: error: Llama 3.1 8B has no MTP (nextn) layers to draft with; --spec-type draft-mtp needs a model whose "
        "GGUF keeps them (GLM-4.5/4.6/4.7, Qwen3.5/3.6, DeepSeek-V3.2), or give a draft model with --draft\n");
  const Result both = run({"memory", "--model", "qwen3.5-27b", "--spec-type", "draft-mtp", "--draft", "qwen3.5-9b"});
  CHECK(both.code == 2);
  CHECK(both.err == "llmsize: error: --spec-type draft-mtp drafts with the model's own MTP block; drop --draft (or use "
                    "--spec-type draft-simple)\n");
  const Result ngld = run({"memory", "--model", "qwen3.5-27b", "--spec-type", "draft-mtp", "--draft-ngl", "0"});
  CHECK(ngld.code == 2);
  CHECK(ngld.err == "llmsize: error: --draft-ngl places a draft model's layers; the MTP block sits with the model's last layer\n");
  const Result simple = run({"memory", "--model", "qwen3.5-27b", "--spec-type", "draft-simple"});
  CHECK(simple.code == 2);
  CHECK(simple.err == "llmsize: error: --spec-type draft-simple drafts with a second model; give it with --draft MODEL\n");
  // llama.cpp's common_speculative_are_compatible: sizes more than 128 apart are refused.
  const Result vocab = run({"check", "--model", "qwen3-8b", "--gpu", "rtx-4090", "--draft", "llama-3.2-1b"});
  CHECK(vocab.code == 2);
  CHECK(vocab.err == "llmsize: error: --draft Llama 3.2 1B: its vocabulary (128256 tokens) is not Qwen3 8B's (151936 "
                     "tokens); llama.cpp refuses a draft whose vocabulary size differs by more than 128 tokens: pick a "
                     "draft of the model's family\n");
}

TEST_CASE("a draft vocabulary within 128 tokens of the model's is an assumption, not an error", "[cli][draft]") {
  // Qwen2.5-7B has 152,064 tokens, Qwen2.5-0.5B 151,936: 128 apart, which llama.cpp accepts when the texts match.
  const auto j = json_of(run({"check", "--model", "qwen2.5-7b", "--gpu", "rtx-3090", "--draft", "qwen2.5-0.5b", "--json"}));
  bool found = false;
  for (const auto& a : j["assumptions"]) found = found || a["key"] == "draft_vocab";
  CHECK(found);
  CHECK(j["result"]["draft"]["spec_type"] == "draft-simple");
  CHECK(j["inputs"]["spec_type"] == "draft-simple");
}

TEST_CASE("speed --draft: the speculative band by hand from speed's own predictions", "[cli][draft][speed]") {
  // At --depth 4096 of 8192 the verify batch and the users table meet: llama.cpp verifies draft_max + 1 = 4 tokens
  // in one batch, which the engine prices as 4 sequences decoding at once (decode_concurrent), the users row of 4
  // at half the context.
  const auto j = json_of(run({"speed", "--model", "qwen2.5-32b", "--gpu", "rtx-3090", "--draft", "qwen2.5-0.5b", "--depth",
                              "4096", "--users", "4", "--json"}));
  const auto& r = j["result"];
  CHECK(j["inputs"]["draft"] == "qwen2.5-0.5b");
  CHECK(j["inputs"]["spec_type"] == "draft-simple");
  const auto& d = r["draft"];
  CHECK(d["spec_type"] == "draft-simple");
  CHECK(d["draft_max"] == 3);
  const auto& sp = d["speculation"];
  REQUIRE(sp.is_object());
  // When written: the 32B alone 37.03 tok/s (t = 27.01 ms), four at once 128.85 tok/s (verify = 4 / 128.85 =
  // 31.04 ms), the 0.5B draft beside it 568.9 tok/s (1.758 ms). A step: 3 × 1.758 + 31.04 = 36.32 ms.
  const double target_s = 1.0 / r["decode_tokens_per_s"].get<double>();
  const auto& four = r["concurrency"][0];
  REQUIRE(four["sequences"] == 4);
  const double verify_s = 4.0 / four["aggregate_tokens_per_s"].get<double>();
  const double draft_s = 1.0 / sp["draft_tokens_per_s"].get<double>();
  const double step_s = 3 * draft_s + verify_s;
  // Tokens per step: 1 + 0.187 × 3 = 1.561 and 1 + 0.566 × 3 = 2.698 (the default acceptance range).
  CHECK(sp["tokens_per_step_low"].get<double>() == Approx(1.561));
  CHECK(sp["tokens_per_step_high"].get<double>() == Approx(2.698));
  // Speed-up: 1.561 / 36.32 ms = 42.98 tok/s = 1.16 × 37.03; 2.698 / 36.32 ms = 74.3 tok/s = 2.01×.
  CHECK(sp["speedup_low"].get<double>() == Approx(1.561 / step_s * target_s));
  CHECK(sp["speedup_high"].get<double>() == Approx(2.698 / step_s * target_s));
  CHECK(sp["speedup_low"].get<double>() == Approx(1.16).epsilon(0.05));
  CHECK(sp["speedup_high"].get<double>() == Approx(2.01).epsilon(0.05));
  // The band carries the model's own band at that depth (the curve's row at 4096): low × its low ratio.
  const auto& at = r["curve"][3];
  REQUIRE(at["depth_tokens"] == 4096);
  const double low_ratio = at["decode_low"].get<double>() / at["decode_tokens_per_s"].get<double>();
  const double high_ratio = at["decode_high"].get<double>() / at["decode_tokens_per_s"].get<double>();
  CHECK(sp["decode_low"].get<double>() == Approx(1.561 / step_s * low_ratio).epsilon(0.002));
  CHECK(sp["decode_high"].get<double>() == Approx(2.698 / step_s * high_ratio).epsilon(0.002));
}

TEST_CASE("speed and check give the same draft and band for the same build", "[cli][draft][speed]") {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--model", "qwen2.5-32b", "--gpu", "rtx-3090", "--draft", "qwen2.5-0.5b:q8_0", "--draft-max",
                                 "5", "--draft-ngl", "10", "--draft-accept", "0.5-0.7"},
        std::vector<std::string>{"--model", "qwen3.5-27b", "--gpu", "2x3090", "--spec-type", "draft-mtp"}}) {
    std::vector<std::string> speed = {"speed", "--json"};
    std::vector<std::string> check = {"check", "--json"};
    speed.insert(speed.end(), extra.begin(), extra.end());
    check.insert(check.end(), extra.begin(), extra.end());
    const auto s = json_of(run(speed));
    const auto c = json_of(run(check));
    CHECK(s["result"]["draft"] == c["result"]["draft"]);
    CHECK(s["result"]["decode_tokens_per_s"] == c["result"]["speed"]["decode_tokens_per_s"]);
    CHECK(s["inputs"]["spec_type"] == c["inputs"]["spec_type"]);
  }
}

TEST_CASE("speed without a draft prints no band, and its draft errors are check's", "[cli][draft][speed]") {
  const auto j = json_of(run({"speed", "--model", "llama-3.1-8b", "--gpu", "rtx-3090", "--json"}));
  CHECK(j["result"]["draft"].is_null());
  CHECK(j["inputs"]["draft"].is_null());
  CHECK(j["inputs"]["spec_type"].is_null());
  const Result lonely = run({"speed", "--model", "qwen2.5-7b", "--gpu", "rtx-3090", "--draft-accept", "0.5"});
  CHECK(lonely.code == 2);
  CHECK(lonely.err ==
        "llmsize: error: --draft-accept, --draft-max and --draft-ngl describe a draft model; give it with --draft MODEL "
        "(or draft with the model's MTP block: --spec-type draft-mtp)\n");
  const Result no_mtp = run({"speed", "--model", "llama-3.1-8b", "--gpu", "rtx-3090", "--spec-type", "draft-mtp"});
  CHECK(no_mtp.code == 2);
  CHECK(no_mtp.err.rfind("llmsize: error: Llama 3.1 8B has no MTP (nextn) layers to draft with;", 0) == 0);
  const Result vllm = run({"speed", "--model", "qwen2.5-32b", "--gpu", "2x3090", "--split", "tensor", "--engine", "vllm",
                           "--draft", "qwen2.5-0.5b"});
  CHECK(vllm.code == 2);
  CHECK(vllm.err == "llmsize: error: --draft, --spec-type, --mmproj and --images size llama-server's draft model and projector; drop "
                    "--engine vllm\n");
}

TEST_CASE("a draft on two GPUs sits on llama.cpp's default devices: no -devd on the line", "[cli][draft]") {
  // -devd unset leaves params.speculative.devices empty: the draft loads on every device, as llmsize places it.
  const auto j = json_of(run({"check", "--model", "qwen2.5-32b", "--gpu", "2x3090", "--draft", "qwen2.5-0.5b", "--draft-ngl",
                              "20", "--json"}));
  const auto& r = j["result"];
  CHECK(r["devices"][0]["draft_bytes"].get<std::uint64_t>() > 0);
  CHECK(r["devices"][1]["draft_bytes"].get<std::uint64_t>() > 0);
  const std::string line = r["runtime"]["llama_server"].get<std::string>();
  CHECK(contains(line, " -md qwen2.5-0.5b.Q4_K_M.gguf --draft-max 3 -ngld 20 "));
  CHECK_FALSE(contains(line, "-devd"));
}
