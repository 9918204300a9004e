// Compute buffers against published GPU load logs (docs/research/gpu-compute-buffers.md: each row
// quotes the log line and where it was published).
#include <catch2/catch.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/buffers.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize {
namespace {

const Model& model(const char* id) {
  static const catalog::Catalog c = catalog::load(catalog::embedded_files(), {}).catalog;
  const Model* m = catalog::find(c.models, id);
  REQUIRE(m != nullptr);
  return *m;
}

double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

TEST_CASE("GPU compute buffer with flash attention at long context (ROCm log)", "[buffers]") {
  // Ollama on gfx1151, Llama-3.2-3B, 131072 cells, ubatch 512, flash attention:
  // "ROCm0 compute buffer size = 408.01 MiB", "ROCm_Host compute buffer size = 262.01 MiB".
  const RuntimeSettings s{.ubatch = 512, .flash_attention = true};
  // 512 × (6 × 131072 + 8 × 3072 + 8 × 24 × 128) = 512 × 835584 B = 408.0 MiB; the logits term,
  // 512 × (4 × 128256 + 8 × 3072) = 262.5 MiB, is smaller here.
  CHECK(mib(compute_buffer_bytes(model("llama-3.2-3b"), s, 131072)) == Approx(408.0));
  // 512 × (4 × 3072 + 4 × 131072) = 262.0 MiB.
  CHECK(mib(host_compute_buffer_bytes(model("llama-3.2-3b"), s, 131072)) == Approx(262.0));
  // At 16384 cells the logits term still wins, as in every CPU oracle row.
  CHECK(mib(compute_buffer_bytes(model("llama-3.2-3b"), s, 16384)) == Approx(262.5));
}

TEST_CASE("GPU compute buffers without flash attention (CUDA logs)", "[buffers]") {
  // Ollama issue 9352: Llama-3.1-8B, 10 sequences × 8192 = 81920 cells, ubatch 512, no flash
  // attention: "CUDA0 compute buffer size = 5312.00 MiB", "CUDA_Host compute buffer size = 168.01 MiB".
  const RuntimeSettings s{.ubatch = 512, .flash_attention = false};
  // 512 × (4 × 32 × 81920 + 4 × 81920 + 22 × 4096) = 5324 MiB: 0.2% above the log (the CPU-fitted
  // 22·n_embd term; GPU logs fit 16·n_embd).
  CHECK(mib(compute_buffer_bytes(model("llama-3.1-8b"), s, 81920)) == Approx(5324.0));
  CHECK(mib(compute_buffer_bytes(model("llama-3.1-8b"), s, 81920)) / 5312.0 == Approx(1.0).margin(0.01));
  // 512 × (4 × 4096 + 4 × 81920) = 168.0 MiB.
  CHECK(mib(host_compute_buffer_bytes(model("llama-3.1-8b"), s, 81920)) == Approx(168.0));
}

}  // namespace llmsize
