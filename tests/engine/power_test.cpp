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

TEST_CASE("board power rises from idle to the power limit with the load the prediction puts on a device", "[engine][power]") {
  // RTX 3090: 350 W limit, 28 W idle (8% of 350). Decode streaming at 80% of peak bandwidth:
  // 28 + (350 − 28) × 0.8 = 285.6 W; a prompt computing the whole time: 350 W; loads past 1 count as 1.
  CHECK(board_watts(350, 28, 0.8) == Approx(285.6));
  CHECK(board_watts(350, 28, 1.0) == Approx(350));
  CHECK(board_watts(350, 28, 1.7) == Approx(350));
  CHECK(board_watts(350, 28, 0) == Approx(28));

  // Two 3090s splitting layers, each streaming 40% of the time at peak, computing half the prompt's
  // time; a 105 W CPU feeding them (0.25) and 50 W platform.
  PowerInputs in;
  in.gpu_tdp_watts = {350, 350};
  in.gpu_idle_watts = {std::nullopt, 20.0};
  in.cpu_tdp_watts = 105;
  in.decode_utilisation = {0.4, 0.4};
  in.prefill_utilisation = {0.5, 0.5};
  const PowerResult p = estimate_power(in);
  REQUIRE(p.devices.size() == 2);
  CHECK(p.devices[0].board_watts_decode == Approx(28 + 322 * 0.4));  // 156.8 W
  CHECK(p.devices[1].board_watts_decode == Approx(20 + 330 * 0.4));  // 152 W
  CHECK(p.devices[1].board_watts_prefill == Approx(20 + 330 * 0.5)); // 185 W
  CHECK(p.watts_decode == Approx(156.8 + 152 + 105 * 0.25 + 50));   // 385.05 W
  CHECK(p.watts_prefill == Approx(189 + 185 + 105 * 0.25 + 50));    // 450.25 W
  // Without a prediction the flat fractions of the limit apply and no device is listed.
  PowerInputs flat = in;
  flat.decode_utilisation.clear();
  flat.prefill_utilisation.clear();
  CHECK(estimate_power(flat).devices.empty());
  CHECK(estimate_power(flat).watts_decode == Approx(700 * 0.7 + 105 * 0.25 + 50));

  // A unified machine: the package from its idle to its TDP (M4 Max 16c: 140 W, idle 10 W) at 70%.
  PowerInputs mac;
  mac.system_tdp_watts = 140;
  mac.system_idle_watts = 10;
  mac.decode_utilisation = {0.7};
  mac.prefill_utilisation = {1.0};
  CHECK(estimate_power(mac).watts_decode == Approx(10 + 130 * 0.7));
  CHECK(estimate_power(mac).watts_prefill == Approx(140));
}

TEST_CASE("a single-board computer's power is its board's: no platform watts, no ATX PSU", "[engine][power]") {
  // Raspberry Pi 5: tdp_watts is the 5 V × 5 A = 25 W supply, the whole board. CPU-only decode at 0.8 of it:
  // 20 W; idle 0.08 × 25 = 2 W. As a desktop CPU it would add 50 W of platform and ask for a 450 W PSU.
  PowerInputs in;
  in.cpu_tdp_watts = 25;
  in.cpu_runs_layers = true;
  in.single_board = true;
  const PowerResult pi = estimate_power(in);
  CHECK(pi.watts_decode == Approx(20));
  CHECK(pi.watts_idle == Approx(2));
  CHECK(pi.psu_watts == 0);
  in.single_board = false;
  const PowerResult desktop = estimate_power(in);
  CHECK(desktop.watts_decode == Approx(70));
  CHECK(desktop.psu_watts == 450);
}
