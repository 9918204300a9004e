// The llama-server command line a placement turns into, and the depths of the decode-over-context curve.
#include <catch2/catch.hpp>

#include "cli/build_eval.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::cli::curve_depths;
using llmsize::cli::llama_server_command;
using llmsize::cli::Sizing;

namespace {

TensorType kv_type(const char* id, const char* name) {
  TensorType t;
  t.meta.id = id;
  t.meta.name = name;
  return t;
}

struct Setup {
  Model model;
  Quant quant;
  TensorType f16 = kv_type("f16", "F16");
  TensorType q8 = kv_type("q8_0", "Q8_0");
  TensorType q4 = kv_type("q4_0", "Q4_0");
  Sizing sizing;
  Placement placement;
  Setup() {
    model.meta.id = "llama-3.1-8b";
    quant.meta.id = "q4_k_m";
    quant.meta.name = "Q4_K_M";
    sizing.model = &model;
    sizing.quant = &quant;
    sizing.kv.context_tokens = 8192;
    sizing.kv.type_k = &f16;
    sizing.kv.type_v = &f16;
    placement.devices.push_back({});
    placement.gpu_layers = 33;  // 32 repeating layers + the output layer
  }
};

}  // namespace

TEST_CASE("llama_server_command: one GPU, defaults: only -m, -c, -ngl and -fa", "[cli][runtime]") {
  const Setup s;
  CHECK(llama_server_command(s.sizing, s.placement) == "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 33 -fa on");
}

TEST_CASE("llama_server_command: -c is the context of all sequences; -ts, -sm row, --n-cpu-moe, cache types, -ub",
          "[cli][runtime]") {
  Setup s;
  s.sizing.kv.context_tokens = 4096;
  s.sizing.kv.runtime.n_sequences = 4;  // -c 4 × 4096 = 16384: llama-server splits -c between the -np slots
  s.sizing.kv.type_k = &s.q8;
  s.sizing.kv.type_v = &s.q4;
  s.sizing.kv.runtime.ubatch = 2048;
  s.placement.devices.push_back({});
  s.placement.tensor_split = {20, 13};
  s.placement.split = SplitMode::tensor;
  s.placement.n_cpu_moe = 5;
  CHECK(llama_server_command(s.sizing, s.placement) ==
        "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 16384 -np 4 -ngl 33 -ts 20,13 -sm row --n-cpu-moe 5"
        " -ctk q8_0 -ctv q4_0 -fa on -ub 2048");
}

TEST_CASE("llama_server_command: no GPU means -ngl 0 whatever the layer count; -fa off; layer split has no -sm",
          "[cli][runtime]") {
  Setup s;
  s.sizing.kv.runtime.flash_attention = false;
  s.placement.devices.clear();
  CHECK(llama_server_command(s.sizing, s.placement) == "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 0 -fa off");
  Setup two;
  two.placement.devices.push_back({});
  two.placement.tensor_split = {17, 16};
  CHECK(llama_server_command(two.sizing, two.placement) ==
        "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 33 -ts 17,16 -fa on");
}

TEST_CASE("curve_depths: 0, then powers of two from 1024 up to the context, then the context itself", "[cli][runtime]") {
  using Depths = std::vector<std::uint64_t>;
  CHECK(curve_depths(8192) == Depths{0, 1024, 2048, 4096, 8192});  // 8192 is a power of two: not repeated
  CHECK(curve_depths(5000) == Depths{0, 1024, 2048, 4096, 5000});
  CHECK(curve_depths(1024) == Depths{0, 1024});
  CHECK(curve_depths(512) == Depths{0, 512});  // below the first step: only the ends
  CHECK(curve_depths(131072).size() == 9);      // 0, 1K, 2K, 4K, 8K, 16K, 32K, 64K, 128K
}
