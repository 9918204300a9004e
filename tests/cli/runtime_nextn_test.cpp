// -ngl for models whose GGUF carries MTP blocks after the trunk (src/cli/runtime_lines.cpp, gpu_layers):
// llama.cpp's n_layer counts them (block_count = trunk + nextn), offloads blocks [n_layer - ngl, n_layer)
// and puts the output layer on a GPU only when ngl > n_layer (src/llama-model.cpp, i_gpu_start and
// dev_output).
#include <catch2/catch.hpp>

#include "run_cli.h"

using llmsize::test::json_of_success;
using llmsize::test::run;

TEST_CASE("runtime lines count the MTP blocks in -ngl, so the output layer stays on the GPU", "[cli][runtime][nextn]") {
  // Qwen3.5-27B: 64 trunk layers + 1 MTP block = n_layer 65; everything on one 4090 needs -ngl 66 (65 would
  // leave the output layer, 1.3 GB of Q6_K head, on the CPU).
  const auto qwen = json_of_success(run({"--json", "check", "--model", "qwen3.5-27b", "--gpu", "rtx-4090"}));
  CHECK(qwen["result"]["runtime"]["llama_server"] == "llama-server -m qwen3.5-27b.Q4_K_M.gguf -c 8192 -ngl 66 -fa on --fit off");
  CHECK(qwen["result"]["runtime"]["ollama"] == "PARAMETER num_ctx 8192\nPARAMETER num_gpu 66\n(env) OLLAMA_FLASH_ATTENTION=1");
  // A model without MTP blocks: trunk + output, as before (Llama 3.1 8B: 32 + 1).
  const auto llama = json_of_success(run({"--json", "check", "--model", "llama-3.1-8b", "--gpu", "rtx-4090"}));
  CHECK(llama["result"]["runtime"]["llama_server"] == "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 33 -fa on --fit off");
  // Partial offload: the last g trunk layers and the MTP block after them, i_gpu_start = 65 - (g + 1) = 64 - g.
  const auto part = json_of_success(run({"--json", "check", "--model", "qwen3.5-27b", "--quant", "q8_0", "--gpu", "rtx-3060-12gb", "--ram", "64GB"}));
  const std::uint32_t g = part["result"]["placement"]["gpu_layers"].get<std::uint32_t>();
  REQUIRE(g > 0);
  REQUIRE(g < 64);
  CHECK(part["result"]["runtime"]["llama_server"].get<std::string>().find(" -ngl " + std::to_string(g + 1) + " ") != std::string::npos);
}
