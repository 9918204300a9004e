// Figures checked against real measurements: GGUF file sizes and the seed guides' arithmetic.
#include <catch2/catch.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/power.h"
#include "llmsize/engine/speed.h"
#include "llmsize/engine/weights.h"

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

TEST_CASE("the seed guides' bandwidth arithmetic", "[accuracy][speed]") {
  const auto& cat = shipped();
  // 4-channel DDR4-3600 = 4 × 3600 MT/s × 8 B = 115.2 GB/s; a 13 GB model at efficiency 1: 8.86 tok/s.
  const RamKind& ddr4_3600 = *catalog::find(cat.ram_kinds, "ddr4-3600");
  CHECK(ram_bandwidth_bytes_per_s(ddr4_3600, 4) == Approx(115.2e9));
  Efficiency ideal;
  ideal.bandwidth_efficiency = 1.0;
  ideal.per_token_s = 0;
  CHECK(predict_decode_tokens_per_s(ideal, 13e9 / 115.2e9) == Approx(8.86).epsilon(0.001));
  // Dual channel: 57.6 GB/s; an 8 GB model: 7.2 tok/s ("about 7").
  CHECK(predict_decode_tokens_per_s(ideal, 8e9 / ram_bandwidth_bytes_per_s(ddr4_3600, 2)) == Approx(7.2));
  // RTX 5090 vs 3090 decode ≈ 1.9× (1792 vs 936 GB/s); 4090 vs 3090 ≈ 1.08×.
  const double bw3090 = catalog::find(cat.gpus, "rtx-3090")->bandwidth_gb_per_s;
  CHECK(catalog::find(cat.gpus, "rtx-5090")->bandwidth_gb_per_s / bw3090 == Approx(1.91).epsilon(0.01));
  CHECK(catalog::find(cat.gpus, "rtx-4090")->bandwidth_gb_per_s / bw3090 == Approx(1.077).epsilon(0.01));
}

TEST_CASE("electricity: RTX 4090 at 450 W for 24 h × 30 days at 0.16 USD/kWh is 51.84 USD", "[accuracy][cost]") {
  PowerResult p;
  p.watts_decode = 450;
  UsageProfile usage;  // 24 h/day, 30 days, 0.16 USD/kWh, always generating
  const CostResult c = estimate_cost(p, 100, usage, std::nullopt, std::nullopt);
  CHECK(c.monthly_kwh == Approx(324));
  CHECK(c.monthly_cost == Approx(51.84));
  // 1M tokens at 100 tok/s = 10,000 s × 450 W = 1.25 kWh = 0.20 USD.
  CHECK(c.kwh_per_mtok == Approx(1.25));
  CHECK(c.cost_per_mtok == Approx(0.20));
}

TEST_CASE("PSU size: board powers + CPU + platform with 30% headroom, rounded up", "[accuracy][cost]") {
  PowerInputs in;
  in.gpu_tdp_watts = {350, 350};
  in.cpu_tdp_watts = 105;
  // (700 + 105 + 50) × 1.3 = 1111.5 W → 1200 W.
  CHECK(estimate_power(in).psu_watts == 1200);
}

TEST_CASE("load time: bytes over storage read speed", "[accuracy][cost]") {
  // 42.5 GB from a 7000 MB/s NVMe Gen4 drive: 6.07 s; from a 550 MB/s SATA SSD: 77 s.
  CHECK(load_seconds(42'500'000'000ULL, 7000, 0) == Approx(6.07).epsilon(0.01));
  CHECK(load_seconds(42'500'000'000ULL, 550, 0) == Approx(77.3).epsilon(0.01));
}
