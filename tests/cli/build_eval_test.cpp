// The llama-server and llama-bench command lines a placement turns into, the Ollama and vLLM settings beside
// them, and the depths of the decode-over-context curve.
#include <catch2/catch.hpp>

#include <algorithm>

#include "cli/build_eval.h"
#include "cli/runtime_lines.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;
using llmsize::cli::curve_depths;
using llmsize::cli::llama_bench_command;
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

TEST_CASE("llama_server_command: one GPU, defaults: only -m, -c, -ngl, -fa and --fit off", "[cli][runtime]") {
  const Setup s;
  CHECK(llama_server_command(s.sizing, s.placement) ==
        "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 33 -fa on --fit off");
}

TEST_CASE("llama_server_command: -c is the context of all sequences, -ts, -sm row, --n-cpu-moe, cache types, -ub",
          "[cli][runtime]") {
  Setup s;
  s.sizing.kv.context_tokens = 4096;
  s.sizing.kv.runtime.n_sequences = 4;  // -c 4 × 4096 = 16384: llama-server splits -c between the -np slots
  s.sizing.kv.type_k = &s.q8;
  s.sizing.kv.type_v = &s.q4;
  s.sizing.kv.runtime.ubatch = 2048;
  s.placement.devices.push_back({});
  s.placement.tensor_split = {20, 13};
  s.placement.split = SplitMode::row;
  s.placement.n_cpu_moe = 5;
  CHECK(llama_server_command(s.sizing, s.placement) ==
        "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 16384 -np 4 -ngl 33 -ts 20,13 -sm row --n-cpu-moe 5"
        " -ctk q8_0 -ctv q4_0 -fa on -ub 2048 --fit off");
}

TEST_CASE("llama_server_command: no GPU means -ngl 0 whatever the layer count, -fa off, layer split has no -sm",
          "[cli][runtime]") {
  Setup s;
  s.sizing.kv.runtime.flash_attention = false;
  s.placement.devices.clear();
  CHECK(llama_server_command(s.sizing, s.placement) ==
        "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 0 -fa off --fit off");
  Setup two;
  two.placement.devices.push_back({});
  two.placement.tensor_split = {17, 16};
  CHECK(llama_server_command(two.sizing, two.placement) ==
        "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 33 -ts 17,16 -fa on --fit off");
}

TEST_CASE("llama_bench_command: the server's placement and cache flags, -ts with slashes, -fa 1|0, -p -n 128 -d",
          "[cli][runtime]") {
  Setup s;
  s.placement.devices.push_back({});
  s.placement.tensor_split = {17, 16};  // llama-bench reads "17,16" as two runs: its split is written 17/16
  s.placement.n_cpu_moe = 3;
  s.sizing.kv.type_k = &s.q8;
  s.sizing.kv.runtime.ubatch = 1024;
  s.sizing.kv.runtime.n_sequences = 4;  // llama-bench has no -np: one sequence is what the headline predicts
  llmsize::cli::RunChoice run;
  run.threads = 8;
  run.depth_tokens = 4096;
  CHECK(llama_bench_command(s.sizing, s.placement, run, 512) ==
        "llama-bench -m llama-3.1-8b.Q4_K_M.gguf -ngl 33 -ts 17/16 --n-cpu-moe 3 -ctk q8_0 -fa 1 -ub 1024 -t 8"
        " -p 512 -n 128 -d 4096");
  CHECK(llama_server_command(s.sizing, s.placement, run) ==
        "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 32768 -np 4 -ngl 33 -ts 17,16 --n-cpu-moe 3 -ctk q8_0 -fa on"
        " -ub 1024 -t 8 --fit off");
  Setup cpu;
  cpu.sizing.kv.runtime.flash_attention = false;
  cpu.placement.devices.clear();
  CHECK(llama_bench_command(cpu.sizing, cpu.placement, {}, 2048) ==
        "llama-bench -m llama-3.1-8b.Q4_K_M.gguf -ngl 0 -fa 0 -p 2048 -n 128 -d 0");
}

namespace {

// One model on CUDA GPUs, fitting: the case where every runtime has an equivalent but for the quant.
struct RuntimeSetup : Setup {
  Gpu gpu;
  llmsize::cli::HardwareConfig hardware;
  llmsize::cli::RunChoice run;
  std::optional<llmsize::cli::OffloadAlternative> alternative;
  RuntimeSetup() {
    model.meta.name = "Llama 3.1 8B";
    model.hf_repo = "meta-llama/Llama-3.1-8B-Instruct";
    model.n_heads = 32;
    quant.format = "gguf";
    gpu.meta.id = "rtx-3090";
    gpu.meta.name = "GeForce RTX 3090";
    gpu.backends = {Backend::cuda, Backend::vulkan};
    hardware.gpus = {{&gpu, 24ULL << 30, llmsize::cli::Origin::named}};
    placement.verdict = Verdict::fits;
  }
  [[nodiscard]] llmsize::cli::RuntimeLines lines() const {
    return llmsize::cli::runtime_lines({sizing, placement, hardware, run, 512, alternative});
  }
  void use_safetensors() {
    quant.meta.id = "safetensors-bf16";
    quant.meta.name = "BF16 (safetensors)";
    quant.format = "safetensors";
  }
};

bool has_note(const llmsize::cli::RuntimeLines& r, const std::string& text) {
  return std::any_of(r.notes.begin(), r.notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("runtime_lines: a GGUF quant has Ollama settings and no vLLM line, and a note on --fit for old builds",
          "[cli][runtime]") {
  const RuntimeSetup s;
  const auto r = s.lines();
  CHECK(r.llama_server == "llama-server -m llama-3.1-8b.Q4_K_M.gguf -c 8192 -ngl 33 -fa on --fit off");
  CHECK(r.llama_bench == "llama-bench -m llama-3.1-8b.Q4_K_M.gguf -ngl 33 -fa 1 -p 512 -n 128 -d 0");
  CHECK_FALSE(r.rpc_server);
  REQUIRE(r.ollama);
  CHECK(*r.ollama == "PARAMETER num_ctx 8192\nPARAMETER num_gpu 33\n(env) OLLAMA_FLASH_ATTENTION=1");
  CHECK_FALSE(r.vllm);
  CHECK(has_note(r, "PR #16653"));
  CHECK(r.vllm_none.find("not GGUF Q4_K_M") != std::string::npos);
}

TEST_CASE("runtime_lines: vLLM serves a safetensors model on CUDA GPUs: tensor parallel when the heads divide, "
          "else pipeline, --engine vllm follows --split",
          "[cli][runtime]") {
  RuntimeSetup s;
  s.use_safetensors();
  auto r = s.lines();
  REQUIRE(r.vllm);
  CHECK(*r.vllm == "vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192");
  CHECK(has_note(r, "--engine vllm --split tensor"));
  CHECK_FALSE(r.llama_server);  // llama.cpp and Ollama load GGUF files only
  CHECK_FALSE(r.llama_bench);
  CHECK_FALSE(r.ollama);
  CHECK(r.llama_cpp_none == "llama.cpp and Ollama run GGUF files, not BF16 (safetensors); size a GGUF quant (q4_k_m, "
                            "q8_0) for their lines");
  s.quant.meta.id = "gptq-4bit";
  s.quant.meta.name = "GPTQ 4-bit";
  s.quant.format = "gptq";
  REQUIRE(s.lines().vllm);
  CHECK(*s.lines().vllm == "vllm serve <GPTQ 4-bit checkpoint of meta-llama/Llama-3.1-8B-Instruct> --max-model-len 8192");
  s.use_safetensors();

  s.hardware.gpus.push_back(s.hardware.gpus.front());
  s.sizing.kv.runtime.n_sequences = 4;
  s.sizing.kv.type_k = &s.q8;  // q8_0 K: vLLM's 8-bit cache is fp8
  r = s.lines();
  REQUIRE(r.vllm);
  CHECK(*r.vllm == "vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192 --max-num-seqs 4"
                   " --tensor-parallel-size 2 --kv-cache-dtype fp8");

  s.model.n_heads = 3;  // 3 heads do not split over 2 GPUs
  r = s.lines();
  REQUIRE(r.vllm);
  CHECK(r.vllm->find("--pipeline-parallel-size 2") != std::string::npos);

  s.model.n_heads = 32;
  s.run.engine = Engine::vllm;  // the prediction is vLLM's: its split decides (layer = pipeline)
  s.placement.split = SplitMode::layer;
  r = s.lines();
  REQUIRE(r.vllm);
  CHECK(r.vllm->find("--pipeline-parallel-size 2") != std::string::npos);
  CHECK_FALSE(has_note(r, "--engine vllm"));
}

TEST_CASE("runtime_lines: no vLLM line without a CUDA or ROCm GPU, with offload, a 4-bit KV cache or no repository",
          "[cli][runtime]") {
  RuntimeSetup s;
  s.use_safetensors();
  s.gpu.backends = {Backend::vulkan};
  CHECK(s.lines().vllm_none == "GeForce RTX 3090 has no CUDA or ROCm backend, which vLLM needs");
  s.gpu.backends = {Backend::rocm};
  CHECK(s.lines().vllm);
  CHECK(s.lines().vllm_none.empty());
  s.placement.verdict = Verdict::fits_with_offload;
  CHECK(s.lines().vllm_none == "vLLM keeps every layer on the GPUs; this placement needs system RAM");
  s.placement.verdict = Verdict::fits;
  s.sizing.kv.type_v = &s.q4;
  CHECK(s.lines().vllm_none == "vLLM keeps the KV cache in 16 or 8 bits (fp8), not Q4_0");
  s.sizing.kv.type_v = &s.f16;
  s.model.hf_repo.clear();
  CHECK(s.lines().vllm_none == "no Hugging Face repository is known for Llama 3.1 8B");
  s.hardware.gpus.clear();
  CHECK(s.lines().vllm_none == "vLLM runs on discrete CUDA or ROCm GPUs");
}

TEST_CASE("runtime_lines: experts in RAM have no Ollama equivalent but whole layers, several machines add rpc-server",
          "[cli][runtime]") {
  RuntimeSetup s;
  s.placement.n_cpu_moe = 20;
  CHECK_FALSE(s.lines().ollama);
  CHECK(s.lines().ollama_none == "Ollama cannot keep only the routed experts in system RAM (--n-cpu-moe)");
  s.alternative = llmsize::cli::OffloadAlternative{PlacementReason::layers_in_ram, 30, 0, 21.5, 400};
  auto r = s.lines();
  REQUIRE(r.ollama);
  CHECK(r.ollama->find("PARAMETER num_gpu 30") != std::string::npos);
  CHECK(has_note(r, "num_gpu 30 is the whole-layer placement (21.5 tok/s decode)"));

  s.placement.n_cpu_moe = 0;
  s.hardware.nodes = 3;
  r = s.lines();
  REQUIRE(r.rpc_server);
  CHECK(*r.rpc_server == "rpc-server --host 0.0.0.0 -p 50052");
  CHECK(r.llama_server->ends_with("--fit off --rpc node2:50052,node3:50052"));
  CHECK(r.llama_bench->ends_with("-d 0 --rpc node2:50052,node3:50052"));
}

TEST_CASE("curve_depths: 0, then powers of two from 1024 up to the context, then the context itself", "[cli][runtime]") {
  using Depths = std::vector<std::uint64_t>;
  CHECK(curve_depths(8192) == Depths{0, 1024, 2048, 4096, 8192});  // 8192 is a power of two: not repeated
  CHECK(curve_depths(5000) == Depths{0, 1024, 2048, 4096, 5000});
  CHECK(curve_depths(1024) == Depths{0, 1024});
  CHECK(curve_depths(512) == Depths{0, 512});  // below the first step: only the ends
  CHECK(curve_depths(131072).size() == 9);      // 0, 1K, 2K, 4K, 8K, 16K, 32K, 64K, 128K
}
