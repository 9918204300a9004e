// Catalog figures checked against real measurements: GGUF file sizes and GPU bandwidth ratios.
// (The engine's power and device arithmetic lives in tests/engine/power_test.cpp and devices_test.cpp.)
#include <catch2/catch.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/weights.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {
const catalog::Catalog& shipped() {
  static const catalog::Catalog cat = [] {
    auto r = catalog::load(catalog::embedded_files(), {});
    REQUIRE(r.ok());
    return r.catalog;
  }();
  return cat;
}

double file_gb(const char* model, const char* quant) {
  const auto& cat = shipped();
  const Model* m = catalog::find(cat.models, model);
  const Quant* q = catalog::find(cat.quants, quant);
  REQUIRE(m != nullptr);
  REQUIRE(q != nullptr);
  return static_cast<double>(weight_bytes(*m, *q, cat.tensor_types).total_bytes) / 1e9;
}
}  // namespace

TEST_CASE("weights within 2% of real GGUF file sizes", "[accuracy][weights]") {
  // bartowski / lmstudio-community Meta-Llama-3.1-8B-Instruct GGUFs: Q4_K_M 4.92 GB, Q8_0 8.54 GB
  // (file sizes include ~8 MB of tokenizer metadata).
  CHECK(file_gb("llama-3.1-8b", "q4_k_m") == Approx(4.92).epsilon(0.02));
  CHECK(file_gb("llama-3.1-8b", "q8_0") == Approx(8.54).epsilon(0.02));
  // unsloth/DeepSeek-R1-GGUF: Q4_K_M ≈ 404 GB, Q6_K ≈ 551 GB, Q8_0 ≈ 713 GB.
  CHECK(file_gb("deepseek-r1", "q4_k_m") == Approx(404).epsilon(0.02));
  CHECK(file_gb("deepseek-r1", "q6_k") == Approx(551).epsilon(0.02));
  CHECK(file_gb("deepseek-r1", "q8_0") == Approx(713).epsilon(0.02));
  // Oracle (make_gguf.py, llama.cpp 0.5.0 CPU_Mapped buffers): Llama-3.2-1B Q4_K_M 762.8 MiB, Q8_0 1252.4 MiB.
  CHECK(file_gb("llama-3.2-1b", "q4_k_m") * 1e9 / 1048576 == Approx(762.8).epsilon(0.02));
  CHECK(file_gb("llama-3.2-1b", "q8_0") * 1e9 / 1048576 == Approx(1252.4).epsilon(0.02));
}

TEST_CASE("catalog GPU bandwidths give the decode ratios the seed guides quote", "[accuracy][speed]") {
  const auto& cat = shipped();
  // RTX 5090 vs 3090 decode ≈ 1.9× (1792 vs 936 GB/s); 4090 vs 3090 ≈ 1.08×.
  const double bw3090 = catalog::find(cat.gpus, "rtx-3090")->bandwidth_gb_per_s;
  CHECK(catalog::find(cat.gpus, "rtx-5090")->bandwidth_gb_per_s / bw3090 == Approx(1.91).epsilon(0.01));
  CHECK(catalog::find(cat.gpus, "rtx-4090")->bandwidth_gb_per_s / bw3090 == Approx(1.077).epsilon(0.01));
}
