#pragma once
/// The llama.cpp context options that size the KV cache and the compute buffers: set once per run, read
/// by kv_cache() (which keeps a copy in its result) and from there by placement and speed.
#include <cstdint>

namespace llmsize::engine {

/// llama.cpp's default micro-batch (`-ub`, n_ubatch).
inline constexpr std::uint32_t kDefaultUbatch = 512;

struct RuntimeSettings {
  std::uint32_t ubatch = kDefaultUbatch;  ///< `-ub`: tokens per micro-batch
  bool flash_attention = true;            ///< `-fa on|off`
  std::uint32_t n_sequences = 1;          ///< `-np`: parallel sequences, each with its own context
};

}  // namespace llmsize::engine
