// Power, electricity cost, PSU size and load time (src/engine/power.cpp), hand-computed.
#include <catch2/catch.hpp>

#include "llmsize/engine/power.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

TEST_CASE("electricity: RTX 4090 at 450 W for 24 h × 30 days at 0.16 USD/kWh is 51.84 USD", "[engine][cost]") {
  PowerResult p;
  p.watts_decode = 450;
  UsageProfile usage;  // 24 h/day, 30 days, 0.16 USD/kWh, always generating
  const CostResult c = estimate_cost(p, 100, usage, std::nullopt, std::nullopt);
  // 450 W × 720 h = 324 kWh × 0.16 = 51.84 USD.
  CHECK(c.monthly_kwh == Approx(324));
  CHECK(c.monthly_cost == Approx(51.84));
  // 1M tokens at 100 tok/s = 10,000 s × 450 W = 1.25 kWh = 0.20 USD.
  CHECK(c.kwh_per_mtok == Approx(1.25));
  CHECK(c.cost_per_mtok == Approx(0.20));
}

TEST_CASE("PSU size: board powers + CPU + platform with 30% headroom, rounded up", "[engine][cost]") {
  PowerInputs in;
  in.gpu_tdp_watts = {350, 350};
  in.cpu_tdp_watts = 105;
  // (700 + 105 + 50) × 1.3 = 1111.5 W → 1200 W.
  CHECK(estimate_power(in).psu_watts == 1200);
}

TEST_CASE("load time: bytes over storage read speed", "[engine][cost]") {
  // 42.5 GB from a 7000 MB/s NVMe Gen4 drive: 6.07 s; from a 550 MB/s SATA SSD: 77 s.
  CHECK(load_seconds(42'500'000'000ULL, 7000, 0) == Approx(6.07).epsilon(0.01));
  CHECK(load_seconds(42'500'000'000ULL, 550, 0) == Approx(77.3).epsilon(0.01));
}
