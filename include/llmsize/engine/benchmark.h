#pragma once
/// One published llama-bench measurement (calibration and held-back checks).
#include <cstdint>
#include <optional>
#include <string>

#include "llmsize/engine/entry.h"

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
};

}  // namespace llmsize::engine
