#include "run_options.h"

#include <fmt/format.h>

#include "context.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {

void add_run_options(CLI::App* cmd, RunOptions& o) {
  cmd->add_option("--ngl", o.ngl,
                  "Layers on the GPUs, as llama.cpp -ngl (the output layer counts: n_layers + 1 is all; with --split row "
                  "or tensor only all, as -ngl 99); default: llmsize chooses")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--n-cpu-moe", o.n_cpu_moe,
                  "MoE: keep the routed experts of the first N layers in system RAM (llama.cpp --n-cpu-moe)")
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--cpu-moe", o.cpu_moe, "MoE: every layer's routed experts in system RAM (llama.cpp --cpu-moe)");
  cmd->add_option("--tensor-split", o.tensor_split, "Share of the layers per GPU, as llama.cpp -ts: 3,1 or 0.6,0.4");
  cmd->add_option("--threads,-t", o.threads, "CPU threads (llama.cpp -t); default one per physical core")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--depth,-d", o.depth,
                  "Tokens already in the context when the prompt and decoding start (llama-bench -d): 4096, 32k");
  cmd->add_option("--engine", o.engine,
                  "llama.cpp (default); ik_llama.cpp (its own fitted prompt speeds on CPUs, llama.cpp's elsewhere; --split tensor is its -sm graph); or vllm "
                  "(tensor parallel with --split tensor, pipeline parallel with --split layer)")
      ->check(CLI::IsMember({"llama.cpp", "ik_llama.cpp", "vllm"}));
}

namespace {

bool has_gpu(const HardwareConfig& h) { return !h.devices.empty(); }

void check_vllm(const RunOptions& o, const HardwareConfig& h) {
  if (o.ngl || o.n_cpu_moe || o.cpu_moe || !o.tensor_split.empty()) {
    throw InputError("--ngl, --n-cpu-moe, --cpu-moe and --tensor-split are llama.cpp options; vLLM keeps every layer on "
                     "the GPUs");
  }
  if (h.split == SplitMode::row) throw InputError("--split row is llama.cpp's; vLLM splits by tensor or by layer (pipeline)");
  if (!has_gpu(h) || h.unified) throw InputError("--engine vllm needs discrete GPUs (--gpu)");
}

}  // namespace

RunChoice resolve_run(const RunOptions& o, const Sizing& s, const HardwareConfig& h) {
  RunChoice run;
  run.engine = value_of(kEngineNames, o.engine).value_or(Engine::llama_cpp);
  if (run.engine == Engine::vllm) check_vllm(o, h);
  if (run.engine == Engine::ik_llama_cpp && h.split == SplitMode::row && h.devices.size() > 1) {
    throw InputError("ik_llama.cpp has no -sm row: it splits by layer, or every layer's graph over the GPUs (-sm graph, "
                     "predicted as --split tensor)");
  }
  const std::uint32_t n = s.model->n_layers;
  // Row and tensor splits give every GPU a share of every layer: -ngl can only say "all of them" there (n + 1
  // or more, the -ngl 99 of every llama-bench command), which is what they predict anyway.
  const bool shared_layers = h.split != SplitMode::layer && h.devices.size() > 1;
  const bool some_layers = o.ngl && *o.ngl <= n;
  if ((some_layers || o.n_cpu_moe || o.cpu_moe || !o.tensor_split.empty()) && shared_layers) {
    throw InputError(fmt::format("--ngl below {} (all layers), --n-cpu-moe, --cpu-moe and --tensor-split place whole "
                                 "layers (--split layer); with --split row or tensor every GPU holds an equal share of "
                                 "every layer",
                                 n + 1));
  }
  if ((o.ngl || o.n_cpu_moe || o.cpu_moe) && !has_gpu(h)) {
    throw InputError("--ngl, --n-cpu-moe and --cpu-moe place layers on GPUs; give a --gpu or a --system with one");
  }
  if (o.ngl && !shared_layers) run.placement.gpu_layers = std::min(*o.ngl, n + 1);
  if (o.n_cpu_moe || o.cpu_moe) {
    if (!is_moe(*s.model)) {
      throw InputError(fmt::format("--n-cpu-moe and --cpu-moe move routed experts; {} is a dense model (use --ngl)",
                                   s.model->meta.name));
    }
    run.placement.n_cpu_moe = o.cpu_moe ? n : std::min(o.n_cpu_moe.value_or(0), n);
  }
  if (!o.tensor_split.empty()) {
    const auto split = parse_tensor_split(o.tensor_split, h.devices.size());
    if (!split || split->size() != h.devices.size()) {
      throw InputError(fmt::format("--tensor-split {}: give one non-negative share per GPU ({} here), e.g. {}",
                                   o.tensor_split, h.devices.size(), h.devices.size() == 2 ? "3,1" : "1,1,1"));
    }
    run.placement.tensor_split = *split;
  }
  run.threads = o.threads;
  if (!o.depth.empty()) {
    run.depth_tokens = parse_tokens(o.depth, "--depth");
    if (run.depth_tokens >= s.kv.context_tokens) {
      if (s.kv.context_tokens >= s.model->context_length) {
        throw InputError(fmt::format("--depth {} leaves no room in {}'s context of {} tokens, the most it was trained for",
                                     run.depth_tokens, s.model->meta.name, s.model->context_length));
      }
      throw InputError(fmt::format("--depth {} leaves no room in a context of {} tokens; raise --context",
                                   run.depth_tokens, s.kv.context_tokens));
    }
  }
  return run;
}

Json run_json(const RunChoice& run, const Placement& p) {
  const PlacementChoice& c = run.placement;
  Json ts = Json::array();
  for (double v : c.tensor_split) ts.push_back(v);
  return {{"engine", name_of(kEngineNames, run.engine)},
          {"split", to_string(p.split)},
          {"ngl", c.gpu_layers ? Json(*c.gpu_layers) : Json(nullptr)},
          {"n_cpu_moe", c.n_cpu_moe ? Json(*c.n_cpu_moe) : Json(nullptr)},
          {"tensor_split", c.tensor_split.empty() ? Json(nullptr) : ts},
          {"threads", run.threads ? Json(*run.threads) : Json(nullptr)},
          {"depth_tokens", run.depth_tokens},
          {"placement_given", p.chosen_by_user}};
}

}  // namespace llmsize::cli
