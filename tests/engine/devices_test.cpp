// Catalog hardware records to peak rates (src/engine/devices.cpp), with the seed guides' arithmetic.
#include <catch2/catch.hpp>

#include "llmsize/engine/speed.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

TEST_CASE("RAM bandwidth is 64-bit channels × MT/s × 8 bytes: the seed guides' DDR4-3600 arithmetic", "[engine][speed]") {
  RamKind ddr4_3600;
  ddr4_3600.transfer_rate_mt_per_s = 3600;
  // 4-channel DDR4-3600 = 4 × 3600 MT/s × 8 B = 115.2 GB/s; a 13 GB model at efficiency 1: 8.86 tok/s.
  CHECK(ram_bandwidth_bytes_per_s(ddr4_3600, 4) == Approx(115.2e9));
  Efficiency ideal;
  ideal.bandwidth_efficiency = 1.0;
  ideal.per_token_s = 0;
  CHECK(predict_decode_tokens_per_s(ideal, 13e9 / 115.2e9) == Approx(8.86).epsilon(0.001));
  // Dual channel: 57.6 GB/s; an 8 GB model: 7.2 tok/s ("about 7").
  CHECK(predict_decode_tokens_per_s(ideal, 8e9 / ram_bandwidth_bytes_per_s(ddr4_3600, 2)) == Approx(7.2));
}

TEST_CASE("PCIe link: per-lane GB/s after encoding × lanes", "[engine][speed]") {
  CHECK(pcie_bytes_per_s(4, 16) == Approx(31.504e9));  // 1.969 GB/s × 16
  CHECK(pcie_bytes_per_s(3, 8) == Approx(7.88e9));     // 0.985 GB/s × 8
}

TEST_CASE("CPU peak FLOP/s: cores × FLOP per cycle of llama.cpp's vector width × base clock", "[engine][speed]") {
  Cpu c;
  c.cores = 16;
  c.base_clock_ghz = 4.5;
  c.simd = {"avx2", "avx512"};
  // 16 × 32 × 4.5e9: llama.cpp's quantized dot products are 256-bit AVX2 code on AVX-512 CPUs too
  // (two 8-wide FMA pipes), so AVX-512 counts as AVX2.
  CHECK(cpu_flops_per_s(c) == Approx(2.304e12));
  c.simd = {"avx2"};
  CHECK(cpu_flops_per_s(c) == Approx(2.304e12));
  c.simd = {"neon"};
  CHECK(cpu_flops_per_s(c) == Approx(1.152e12));  // 16 × 16 × 4.5e9
}
