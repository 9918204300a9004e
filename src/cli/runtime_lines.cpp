#include "runtime_lines.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "llmsize/hub/hub.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

// rpc-server's default port; machine K of several is reached as nodeK:50052.
constexpr int kRpcPort = 50052;

// llama.cpp and Ollama spell types in lowercase with underscores: q8_0.
std::string runtime_type_name(const TensorType& t) {
  std::string out = t.meta.name;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A path as one shell word: unchanged when it holds only safe characters, else in single quotes.
std::string shell_word(const std::string& text) {
  const bool safe = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_./:@%+=,-").find(c) != std::string_view::npos;
  });
  if (safe) return text;
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool weights_from_file(const Sizing& s) {
  return s.file != nullptr && s.file->weights_source == modelfile::WeightsSource::file;
}

// The GGUF the commands load: the file given, else the name llama.cpp's conversions use.
std::string gguf_name(const Sizing& s) {
  if (weights_from_file(s)) return shell_word(s.file->path);
  return fmt::format("{}.{}.gguf", s.model->meta.id, s.quant->meta.name);
}

// The file part of a Hub or URL GGUF's address (".../resolve/main/sub/Model-Q4_K_M.gguf" -> "sub/Model-Q4_K_M.gguf").
std::string remote_file(const hub::ModelSource& src) {
  const std::string& url = src.url;
  const auto resolve = url.find("/resolve/");
  if (src.kind == hub::NameKind::hf_file && resolve != std::string::npos) {
    const auto file = url.find('/', resolve + 9);  // past the revision
    if (file != std::string::npos) return url.substr(file + 1);
  }
  const auto slash = url.rfind('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

// llama-server's model flags. A Hub or URL GGUF is named as llama.cpp downloads it (common/arg.cpp:
// -hf REPO[:QUANT], --hf-file FILE, -mu URL), not by the hf: name llmsize read it by.
std::string server_model(const Sizing& s) {
  if (s.source != nullptr && weights_from_file(s)) {
    const hub::ModelSource& src = *s.source;
    const auto quant_at = src.name.rfind(':');
    switch (src.kind) {
      case hub::NameKind::hf_quant:
        if (quant_at != std::string::npos) return "-hf " + shell_word(src.repo + src.name.substr(quant_at));
        break;
      case hub::NameKind::hf_file: return "-hf " + shell_word(src.repo) + " --hf-file " + shell_word(remote_file(src));
      case hub::NameKind::url: return "-mu " + shell_word(src.url);
      case hub::NameKind::hf_config: break;
    }
  }
  return "-m " + gguf_name(s);
}

// llama-bench reads local files only: a Hub or URL GGUF by the name it downloads to.
std::string bench_model(const Sizing& s) {
  if (s.source != nullptr && weights_from_file(s) && s.source->kind != hub::NameKind::hf_config) {
    return shell_word(std::filesystem::path(remote_file(*s.source)).filename().string());
  }
  return gguf_name(s);
}

// -ngl / num_gpu as llama.cpp counts it: its n_layer includes the MTP blocks after the trunk (GLM-4.5,
// Qwen3.5: block_count = trunk + nextn), it offloads blocks [n_layer - ngl, n_layer) and the output layer
// only when ngl > n_layer. The placement's count (trunk layers on GPUs, plus the output layer) therefore
// grows by the MTP blocks once any layer is on a GPU; otherwise `-ngl 65` for Qwen3.5-27B (64 + 1 blocks)
// would leave its output layer on the CPU.
std::uint32_t gpu_layers(const Sizing& s, const Placement& p) {
  if (p.devices.empty() || p.gpu_layers == 0) return 0;
  return p.gpu_layers + s.model->nextn_layers;
}

// The placement and cache flags llama-server and llama-bench share; `ts_separator` is "," for llama-server
// and "/" for llama-bench, which reads commas as a list of runs.
std::string placement_flags(const Sizing& s, const Placement& p, const char* ts_separator, Engine engine) {
  std::string out = fmt::format(" -ngl {}", gpu_layers(s, p));
  if (p.tensor_split.size() > 1) {
    std::string ts;
    for (std::size_t i = 0; i < p.tensor_split.size(); ++i) ts += (i > 0 ? ts_separator : "") + std::to_string(p.tensor_split[i]);
    out += " -ts " + ts;
  }
  // ik_llama.cpp's tensor parallelism is its -sm graph (it has no -sm row or -sm tensor).
  const bool graph = engine == Engine::ik_llama_cpp && p.split == SplitMode::tensor;
  if (p.split != SplitMode::layer) out += fmt::format(" -sm {}", graph ? "graph" : to_string(p.split));
  if (p.n_cpu_moe > 0) out += fmt::format(" --n-cpu-moe {}", p.n_cpu_moe);
  if (s.kv.type_k->meta.id != "f16") out += " -ctk " + runtime_type_name(*s.kv.type_k);
  if (s.kv.type_v->meta.id != "f16") out += " -ctv " + runtime_type_name(*s.kv.type_v);
  return out;
}

std::string rpc_list(std::uint32_t nodes) {
  std::string rpc;
  for (std::uint32_t n = 2; n <= nodes; ++n) rpc += fmt::format("{}node{}:{}", n > 2 ? "," : "", n, kRpcPort);
  return rpc;
}

// Ollama: num_ctx per sequence, num_gpu whole layers; no per-expert offload, no tensor split.
std::optional<std::string> ollama_settings(const RuntimeInputs& in, RuntimeLines& r) {
  std::vector<std::string>& notes = r.notes;
  const Sizing& s = in.sizing;
  const Placement& p = in.placement;
  std::uint32_t layers = gpu_layers(s, p);
  if (p.n_cpu_moe > 0) {
    if (!in.alternative || in.alternative->reason != PlacementReason::layers_in_ram) {
      r.ollama_none = "Ollama cannot keep only the routed experts in system RAM (--n-cpu-moe)";
      return std::nullopt;
    }
    layers = in.alternative->gpu_layers + (in.alternative->gpu_layers > 0 ? s.model->nextn_layers : 0);
    notes.push_back(fmt::format("Ollama cannot keep only the routed experts in RAM: num_gpu {} is the whole-layer "
                                "placement ({:.1f} tok/s decode)",
                                layers, in.alternative->decode_tokens_per_s));
  }
  std::string out = fmt::format("PARAMETER num_ctx {}\nPARAMETER num_gpu {}", s.kv.context_tokens, layers);
  if (s.kv.runtime.n_sequences > 1) out += fmt::format("\n(env) OLLAMA_NUM_PARALLEL={}", s.kv.runtime.n_sequences);
  if (s.kv.type_k->meta.id != "f16") out += "\n(env) OLLAMA_KV_CACHE_TYPE=" + runtime_type_name(*s.kv.type_k);
  if (s.kv.type_k != s.kv.type_v) notes.push_back("Ollama: OLLAMA_KV_CACHE_TYPE sets K and V alike");
  if (s.kv.runtime.flash_attention) out += "\n(env) OLLAMA_FLASH_ATTENTION=1";
  return out;
}

bool runs_vllm(const Gpu& g) {
  return std::any_of(g.backends.begin(), g.backends.end(), [](Backend b) { return b == Backend::cuda || b == Backend::rocm; });
}

// Why vLLM cannot run this prediction as placed, or "" when it can.
std::string vllm_refusal(const RuntimeInputs& in) {
  const Sizing& s = in.sizing;
  const HardwareConfig& h = in.hardware;
  if (h.nodes > 1) return "several machines need a Ray cluster under vLLM, not written here";
  if (h.gpus.empty()) return "vLLM runs on discrete CUDA or ROCm GPUs";
  for (const GpuPart& g : h.gpus) {
    if (!runs_vllm(*g.gpu)) return g.gpu->meta.name + " has no CUDA or ROCm backend, which vLLM needs";
  }
  if (in.placement.verdict != Verdict::fits) return "vLLM keeps every layer on the GPUs; this placement needs system RAM";
  const std::string& format = s.quant->format;
  if (format == "gguf") {
    return fmt::format("vLLM serves safetensors, GPTQ, AWQ and bitsandbytes checkpoints, not GGUF {}; size one with "
                       "--quant awq-4bit, gptq-4bit, fp8 or safetensors-bf16",
                       s.quant->meta.name);
  }
  if (format != "safetensors" && format != "gptq" && format != "awq" && format != "bnb") return "vLLM does not load " + format;
  for (const TensorType* t : {s.kv.type_k, s.kv.type_v}) {
    if (t->meta.id != "f16" && t->meta.id != "bf16" && t->meta.id != "q8_0") {
      return "vLLM keeps the KV cache in 16 or 8 bits (fp8), not " + t->meta.name;
    }
  }
  if (s.model->hf_repo.empty()) return "no Hugging Face repository is known for " + s.model->meta.name;
  return "";
}

// The checkpoint vLLM loads: the repository itself, quantized on load where vLLM can (fp8, bitsandbytes
// 4-bit), else a checkpoint already in the quant's format (named as a placeholder).
std::string vllm_model(const Sizing& s) {
  const std::string& repo = s.model->hf_repo;
  const std::string& id = s.quant->meta.id;
  if (id == "safetensors-bf16") return repo;
  if (id == "fp8") return repo + " --quantization fp8";
  if (id == "bnb-nf4") return repo + " --quantization bitsandbytes";
  return fmt::format("<{} checkpoint of {}>", s.quant->meta.name, repo);
}

std::optional<std::string> vllm_settings(const RuntimeInputs& in, RuntimeLines& r) {
  std::vector<std::string>& notes = r.notes;
  r.vllm_none = vllm_refusal(in);
  if (!r.vllm_none.empty()) return std::nullopt;
  const Sizing& s = in.sizing;
  std::string out = "vllm serve " + vllm_model(s) + fmt::format(" --max-model-len {}", s.kv.context_tokens);
  if (s.kv.runtime.n_sequences > 1) out += fmt::format(" --max-num-seqs {}", s.kv.runtime.n_sequences);
  const std::size_t gpus = in.hardware.gpus.size();
  // vLLM's tensor parallelism needs the attention heads to divide evenly; its pipeline mode is the layer
  // split. Predicted with --engine vllm, the split given decides.
  const bool tensor = in.run.engine == Engine::vllm ? in.placement.split == SplitMode::tensor : s.model->n_heads % gpus == 0;
  if (gpus > 1) out += fmt::format(" --{}-parallel-size {}", tensor ? "tensor" : "pipeline", gpus);
  if (s.kv.type_k->meta.id == "q8_0" || s.kv.type_v->meta.id == "q8_0") out += " --kv-cache-dtype fp8";
  if (in.run.engine != Engine::vllm) {
    notes.push_back(fmt::format("the speeds above are {}'s; --engine vllm --split {} predicts the vLLM line",
                                name_of(kEngineNames, in.run.engine), tensor ? "tensor" : "layer"));
  }
  return out;
}

}  // namespace

std::string llama_server_command(const Sizing& s, const Placement& p, const RunChoice& run, const std::string& extras) {
  std::string cmd = fmt::format("llama-server {} -c {}", server_model(s), s.kv.context_tokens * s.kv.runtime.n_sequences);
  if (s.kv.runtime.n_sequences > 1) cmd += fmt::format(" -np {}", s.kv.runtime.n_sequences);
  cmd += placement_flags(s, p, ",", run.engine);
  cmd += s.kv.runtime.flash_attention ? " -fa on" : " -fa off";
  if (s.kv.runtime.batch != kDefaultBatch) cmd += fmt::format(" -b {}", s.kv.runtime.batch);
  if (s.kv.runtime.ubatch != kDefaultUbatch) cmd += fmt::format(" -ub {}", s.kv.runtime.ubatch);
  if (run.threads) cmd += fmt::format(" -t {}", *run.threads);
  // ik_llama.cpp's --fit is a bare switch that turns fitting on (off by default): nothing to add there.
  return cmd + extras + (run.engine == Engine::ik_llama_cpp ? "" : " --fit off");
}

std::string llama_bench_command(const Sizing& s, const Placement& p, const RunChoice& run, std::uint64_t prompt_tokens) {
  std::string cmd = "llama-bench -m " + bench_model(s) + placement_flags(s, p, "/", run.engine);
  cmd += s.kv.runtime.flash_attention ? " -fa 1" : " -fa 0";  // 1/0: read by builds before and after "on|off"
  if (s.kv.runtime.batch != kDefaultBatch) cmd += fmt::format(" -b {}", s.kv.runtime.batch);
  if (s.kv.runtime.ubatch != kDefaultUbatch) cmd += fmt::format(" -ub {}", s.kv.runtime.ubatch);
  if (run.threads) cmd += fmt::format(" -t {}", *run.threads);
  if (run.engine == Engine::ik_llama_cpp) {
    // ik_llama.cpp's llama-bench has no -d: `-gp D,128` decodes 128 tokens after a prompt of D.
    cmd += fmt::format(" -p {} -n {}", prompt_tokens, kBenchGenTokens);
    return run.depth_tokens > 0 ? cmd + fmt::format(" -gp {},{}", run.depth_tokens, kBenchGenTokens) : cmd;
  }
  return cmd + fmt::format(" -p {} -n {} -d {}", prompt_tokens, kBenchGenTokens, run.depth_tokens);
}

RuntimeLines runtime_lines(const RuntimeInputs& in) {
  RuntimeLines r;
  if (in.sizing.quant->format == "gguf") {
    r.llama_server = llama_server_command(in.sizing, in.placement, in.run, in.server_extras);
    r.llama_bench = llama_bench_command(in.sizing, in.placement, in.run, in.prompt_tokens);
    if (in.hardware.nodes > 1) {
      const std::string rpc = " --rpc " + rpc_list(in.hardware.nodes);
      *r.llama_server += rpc;
      *r.llama_bench += rpc;
      r.rpc_server = fmt::format("rpc-server --host 0.0.0.0 -p {}", kRpcPort);
    }
    if (in.run.engine == Engine::ik_llama_cpp) {
      r.notes.push_back("the lines above are for ik_llama.cpp's own llama-server and llama-bench (same flags as "
                        "llama.cpp's; its --fit stays off unless given)");
    } else {
      r.notes.push_back("--fit off keeps this placement: llama.cpp refits it by default since PR #16653 (December 2025); "
                        "builds before that reject --fit, drop it there");
    }
    r.ollama = ollama_settings(in, r);
  } else {
    r.llama_cpp_none = fmt::format("llama.cpp and Ollama run GGUF files, not {}; size a GGUF quant (q4_k_m, q8_0) for "
                                   "their lines",
                                   in.sizing.quant->meta.name);
    r.ollama_none = r.llama_cpp_none;
  }
  r.vllm = vllm_settings(in, r);
  return r;
}

}  // namespace llmsize::cli
