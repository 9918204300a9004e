#pragma once
/// One published llama-bench measurement (calibration and held-back checks).
#include <cstdint>
#include <optional>
#include <string>

#include "llmsize/engine/entry.h"

namespace llmsize {

struct Benchmark {
  EntryMeta meta;
  std::string hardware;
  std::uint32_t n_devices = 1;
  Backend backend = Backend::cpu;
  std::string model;
  std::string quant;
  std::string test;  ///< "pp512", "tg128"
  double tokens_per_s = 0;
  std::optional<bool> flash_attention;
  std::optional<std::uint32_t> ngl;
  std::string build;
  std::string set;  ///< "fit" or "holdout"
};

}  // namespace llmsize
