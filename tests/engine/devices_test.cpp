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

TEST_CASE("RAM bandwidth honours the kind's channel width: a Raspberry Pi 5's 2 × 16-bit LPDDR4X", "[engine][speed]") {
  // BCM2712: a 32-bit LPDDR4X-4267 bus, i.e. 2 channels of 16 bits (JEDEC's 4266 MT/s bin):
  // 2 × 4266 MT/s × 16 / 8 B = 17.064 GB/s, the "17 GB/s" Raspberry Pi quotes.
  RamKind lpddr4x;
  lpddr4x.transfer_rate_mt_per_s = 4266;
  lpddr4x.channel_width_bits = 16;
  CHECK(ram_bandwidth_bytes_per_s(lpddr4x, 2) == Approx(17.064e9));
  Cpu pi5;
  pi5.memory_channels = 2;
  pi5.memory_channel_width_bits = 16;
  CHECK(memory_bus_width_bits(pi5) == 32);
  CHECK(cpu_ram_channels(pi5, lpddr4x) == 2);
  CHECK(host_from_cpu(pi5, lpddr4x, cpu_ram_channels(pi5, lpddr4x)).cpu.bandwidth_bytes_per_s == Approx(17.064e9));
}

TEST_CASE("A CPU's bus has the same bandwidth in DDR or LPDDR channels: 128 bits = 2 DDR5 or 8 LPDDR5X channels",
          "[engine][speed]") {
  // Ryzen 7 7940HS: memory_channels 2 at the default 64 bits. LPDDR5X-7500 (16-bit channels) fills the
  // 128-bit bus with 8 channels: 8 × 7500 MT/s × 2 B = 120 GB/s = 2 × 7500 MT/s × 8 B, as before channel widths.
  Cpu laptop;
  laptop.memory_channels = 2;
  RamKind lpddr5x;
  lpddr5x.transfer_rate_mt_per_s = 7500;
  lpddr5x.channel_width_bits = 16;
  RamKind ddr5;
  ddr5.transfer_rate_mt_per_s = 5600;
  CHECK(cpu_ram_channels(laptop, lpddr5x) == 8);
  CHECK(cpu_ram_channels(laptop, ddr5) == 2);
  CHECK(ram_bandwidth_bytes_per_s(lpddr5x, cpu_ram_channels(laptop, lpddr5x)) == Approx(120e9));
  CHECK(ram_bandwidth_bytes_per_s(ddr5, cpu_ram_channels(laptop, ddr5)) == Approx(89.6e9));  // 2 × 5600 × 8 B
  // A bus narrower than one channel of the kind still gets one channel, never zero bandwidth.
  CHECK(ram_channels_on_bus(ddr5, 32) == 1);
}

TEST_CASE("A CPU's class counts its bus in 64-bit channels", "[engine][speed]") {
  Cpu pi5;
  pi5.vendor = "Broadcom";
  pi5.memory_channels = 2;
  pi5.memory_channel_width_bits = 16;
  CHECK(cpu_device_class(pi5) == "desktop cpu/broadcom");
  Cpu grace;  // 32 × 16-bit LPDDR5X channels = 512 bits = 8 DDR-channel equivalents: a server platform
  grace.vendor = "NVIDIA";
  grace.memory_channels = 32;
  grace.memory_channel_width_bits = 16;
  CHECK(cpu_device_class(grace) == "server cpu/nvidia");
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

TEST_CASE("a CPU's own FP32 FLOP per cycle replaces what its SIMD implies: four 128-bit pipes", "[engine][speed]") {
  // NVIDIA Grace: 72 Neoverse V2 cores at 3.1 GHz, four 128-bit pipes = 4 × 4 × 2 = 32 FLOP per cycle:
  // 72 × 32 × 3.1e9 = 7.14 TFLOP/s; by its NEON alone (two pipes, 16) half of it.
  Cpu grace;
  grace.cores = 72;
  grace.base_clock_ghz = 3.1;
  grace.simd = {"neon", "sve"};
  CHECK(cpu_flops_per_s(grace) == Approx(72 * 16 * 3.1e9));
  grace.fp32_flops_per_cycle = 32;
  CHECK(cpu_flops_per_s(grace) == Approx(7.1424e12));
}
