#pragma once
// The command lines that run one prediction and measure it: llama-server and llama-bench with the
// placement's flags, and the nearest Ollama and vLLM settings where they exist (docs/runtimes.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "build_eval.h"
#include "hardware_config.h"
#include "run_options.h"
#include "sizing.h"

namespace llmsize::cli {

/// llama-bench's generation test: the decode headline is `tg128` (llama-bench's default -n).
inline constexpr std::uint32_t kBenchGenTokens = 128;

/// The llama-server flags that realise a placement: -c, -np, -ngl, -ts, -sm, --n-cpu-moe, -ctk, -ctv, -fa,
/// -ub, -t, `extras` (a draft model, a projector), and `--fit off`, so that llama.cpp's own fitting (on by default since PR #16653) leaves the
/// placement as given.
[[nodiscard]] std::string llama_server_command(const Sizing& s, const engine::Placement& p, const RunChoice& run = {},
                                               const std::string& extras = {});

/// The llama-bench command that measures the same prediction: the placement and cache options as above,
/// `-p prompt_tokens -n 128 -d depth` (tensor split written a/b: llama-bench separates values with commas).
[[nodiscard]] std::string llama_bench_command(const Sizing& s, const engine::Placement& p, const RunChoice& run,
                                              std::uint64_t prompt_tokens);

/// How to run and measure one prediction. llama.cpp and Ollama run GGUF files: for another format their
/// lines are none and `llama_cpp_none` says why.
struct RuntimeLines {
  std::optional<std::string> llama_server;  ///< on machine 1 of several: with --rpc to the others
  std::optional<std::string> llama_bench;   ///< the same placement under llama-bench
  std::string llama_cpp_none;               ///< why there are no llama.cpp lines ("" when there are)
  std::optional<std::string> rpc_server;  ///< what machines 2..N run; none for one machine
  std::optional<std::string> ollama;    ///< Modelfile PARAMETERs and (env) settings, one a line; none without one
  std::string ollama_none;              ///< why there are no Ollama settings ("" when there are)
  std::optional<std::string> vllm;      ///< `vllm serve ...`; none where vLLM has no equivalent
  std::string vllm_none;                ///< why there is no vLLM line ("" when there is)
  std::vector<std::string> notes;       ///< --fit on older builds; how the Ollama or vLLM settings differ
};

/// Everything a runtime line is made of: the sizing, the placement on the hardware, the run's flags.
struct RuntimeInputs {
  const Sizing& sizing;
  const engine::Placement& placement;
  const HardwareConfig& hardware;
  const RunChoice& run;
  std::uint64_t prompt_tokens = 0;
  const std::optional<OffloadAlternative>& alternative;  ///< whole layers in RAM, when experts were chosen
  /// What llama-server loads beside the model (` -md FILE --draft-max N`, ` --mmproj FILE`): llama-server only.
  std::string server_extras = {};
};

[[nodiscard]] RuntimeLines runtime_lines(const RuntimeInputs& in);

}  // namespace llmsize::cli
