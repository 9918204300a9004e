#pragma once
/// One published llama-bench measurement (calibration and held-back checks).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/entry.h"
#include "llmsize/engine/runtime.h"

namespace llmsize::engine {

/// What a llama-bench test measures: prompt processing ("pp512") or token generation ("tg128").
enum class BenchPhase { prefill, decode };

struct Benchmark {
  EntryMeta meta;
  std::string hardware;
  std::uint32_t n_devices = 1;
  Backend backend = Backend::cpu;
  std::string model;
  std::string quant;
  BenchPhase phase = BenchPhase::decode;  ///< from "test": "pp…" prefill, "tg…" decode
  std::uint32_t tokens = 0;               ///< the test's token count: 512 of "pp512", 128 of "tg128"
  double tokens_per_s = 0;
  std::optional<bool> flash_attention;
  std::optional<std::uint32_t> ngl;
  std::string build;
  std::string set;  ///< "fit" or "holdout"
  // The configuration, as llama-bench (or the engine) was given it; absent: that engine's default.
  std::uint32_t depth = 0;                ///< llama-bench -d: tokens already in the context
  std::optional<SplitMode> split;         ///< -sm (several GPUs)
  std::optional<std::uint32_t> n_cpu_moe; ///< -ncmoe: layers whose routed experts stay in RAM
  std::vector<double> tensor_split;       ///< -ts proportions
  std::optional<std::uint32_t> ubatch;    ///< -ub
  std::optional<std::uint32_t> batch;     ///< -b
  std::optional<std::uint32_t> threads;   ///< -t
  std::string kv_type;                    ///< -ctk/-ctv when both are this type; empty: f16
  Engine engine = Engine::llama_cpp;
  std::string cpu;                        ///< host CPU (catalog id) of a CPU or offload run
  std::string ram_kind;                   ///< host RAM kind (catalog id)
  std::optional<std::uint32_t> channels;  ///< populated memory channels
  std::string link;                       ///< link between the GPUs (catalog id), when stated
  friend bool operator==(const Benchmark&, const Benchmark&) = default;
};

/// The micro-batch a row ran its prompt in: llama.cpp's -ub, at most -b (their defaults where not stated).
[[nodiscard]] inline std::uint32_t micro_batch_of(const Benchmark& b) {
  const std::uint32_t ubatch = b.ubatch.value_or(kDefaultUbatch);
  const std::uint32_t batch = b.batch.value_or(kDefaultBatch);
  return ubatch < batch ? ubatch : batch;
}

}  // namespace llmsize::engine
