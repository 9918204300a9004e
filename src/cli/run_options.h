#pragma once
// How the model is run, as llama.cpp's (or vLLM's) own flags say it: -ngl, --n-cpu-moe, -ts, -t, -d, the
// engine. Given, a placement is predicted as given; left out, llmsize chooses (docs/json.md, `inputs.run`).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hardware_config.h"
#include "llmsize/engine/placement.h"
#include "llmsize/engine/runtime.h"
#include "sizing.h"

namespace llmsize::cli {

struct RunOptions {
  std::optional<std::uint32_t> ngl;        ///< --ngl / -ngl
  std::optional<std::uint32_t> n_cpu_moe;  ///< --n-cpu-moe
  bool cpu_moe = false;                    ///< --cpu-moe: every layer's experts in RAM
  std::string tensor_split;                ///< --tensor-split / -ts
  std::optional<std::uint32_t> threads;    ///< --threads / -t
  std::string depth;                       ///< --depth / -d: tokens already in the context
  std::string engine = "llama.cpp";        ///< --engine
};

/// The flags above, for check and speed.
void add_run_options(CLI::App* cmd, RunOptions& o);

/// The run as the engine takes it.
struct RunChoice {
  engine::PlacementChoice placement;  ///< -ngl, --n-cpu-moe, -ts
  engine::Engine engine = engine::Engine::llama_cpp;
  std::optional<std::uint32_t> threads;
  std::uint64_t depth_tokens = 0;
  /// A draft model and a vision projector, placed before the model's layers (extras.h, place_extras).
  std::vector<engine::ExtraLoad> extras;
};

/// Checks the flags against the model and the hardware and resolves them. Throws InputError naming the
/// flag: --ngl or --n-cpu-moe without a GPU, a -ts with another count than the GPUs, --n-cpu-moe on a
/// dense model, --depth beyond the context, vLLM with llama.cpp-only options, layer placement flags with
/// --split row or tensor.
[[nodiscard]] RunChoice resolve_run(const RunOptions& o, const Sizing& s, const HardwareConfig& h);

/// The flags given, for `inputs.run` (null for each one left out).
[[nodiscard]] Json run_json(const RunChoice& run, const engine::Placement& p);

}  // namespace llmsize::cli
