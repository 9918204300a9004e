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
        "llmsize: error: --draft-accept, --draft-max and --draft-ngl describe a draft model; give it with --draft MODEL\n");
  const Result text_model = run({"memory", "--model", "llama-3.1-8b", "--images", "1"});
  CHECK(text_model.err ==
        "llmsize: error: Llama 3.1 8B has no vision projector in the catalog; give its mmproj GGUF with --mmproj FILE\n");
  const Result quantized = run({"memory", "--model", "gemma-3-4b", "--mmproj", "q8_0"});
  CHECK(quantized.err == "llmsize: error: --mmproj q8_0: the catalog sizes f16, bf16 and f32 projectors; give a quantized "
                         "projector's GGUF file with --mmproj FILE\n");
  const Result vllm = run({"check", "--model", "qwen2.5-32b", "--gpu", "2x3090", "--split", "tensor", "--engine", "vllm",
                           "--draft", "qwen2.5-0.5b"});
  CHECK(vllm.err == "llmsize: error: --draft, --mmproj and --images size llama-server's draft model and projector; drop "
                    "--engine vllm\n");
  const Result finetune = run({"check", "--task", "finetune", "--model", "llama-3.1-8b", "--method", "lora", "--gpu",
                               "rtx-3090", "--images", "1"});
  CHECK(finetune.err ==
        "llmsize: error: --draft, --mmproj and --images size what llama-server loads; drop them with --task finetune\n");
}
