#pragma once
/// The llama.cpp context options that size the KV cache and the compute buffers: set once per run, read
/// by kv_cache() (which keeps a copy in its result) and from there by placement and speed.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "llmsize/engine/entry.h"

namespace llmsize::engine {

/// llama.cpp's default micro-batch (`-ub`, n_ubatch).
inline constexpr std::uint32_t kDefaultUbatch = 512;
/// llama.cpp's default logical batch (`-b`, n_batch; llama-bench's too): the tokens one llama_decode call takes,
/// which it runs as micro-batches of `-ub`.
inline constexpr std::uint32_t kDefaultBatch = 2048;

struct RuntimeSettings {
  std::uint32_t ubatch = kDefaultUbatch;  ///< `-ub`: tokens per micro-batch
  /// `-b`: tokens per llama_decode call (n_batch), run as micro-batches of `ubatch` (llama.cpp caps -ub at
  /// -b); with pipeline parallelism the micro-batches of one call overlap across GPUs.
  std::uint32_t batch = kDefaultBatch;
  bool flash_attention = true;            ///< `-fa on|off`
  std::uint32_t n_sequences = 1;          ///< `-np`: parallel sequences, each with its own context
};

/// How several GPUs share a model. llama.cpp `-sm layer` (the default: each GPU runs a contiguous run of
/// layers, one after another), `-sm row` (each matrix split by rows, the KV cache and the rest on the main
/// GPU, partial results gathered after every matrix multiplication) and `-sm tensor` (weights and KV
/// cache split per head and column, an all-reduce after every layer). With the vLLM engine, `layer` is
/// pipeline parallelism and `tensor` its tensor parallelism (NCCL all-reduce); vLLM has no `row`.
enum class SplitMode { layer, row, tensor };

/// The inference engine a prediction or a measurement is for.
enum class Engine { llama_cpp, ik_llama_cpp, vllm };

/// llama.cpp's `-ts` text, "3,1" or "0.75,0.25": non-negative proportions, at least one above 0, at most
/// `max_devices` of them. nullopt for anything else.
[[nodiscard]] std::optional<std::vector<double>> parse_tensor_split(std::string_view text, std::size_t max_devices);

/// The one list of split modes and of engines with their names (catalog, flags, JSON).
inline constexpr std::array<EnumName<SplitMode>, 3> kSplitModeNames = {{
    {SplitMode::layer, "layer"},
    {SplitMode::row, "row"},
    {SplitMode::tensor, "tensor"},
}};
inline constexpr std::array<EnumName<Engine>, 3> kEngineNames = {{
    {Engine::llama_cpp, "llama.cpp"},
    {Engine::ik_llama_cpp, "ik_llama.cpp"},
    {Engine::vllm, "vllm"},
}};

}  // namespace llmsize::engine
