// The configuration case of a placement and each case's band from its own rows (issue 13).
#include <catch2/catch.hpp>

#include "llmsize/engine/speed.h"
#include "llmsize/engine/speed_case.h"

using namespace llmsize::engine;

namespace {

Model dense() {
  Model m;
  m.n_layers = 32;
  return m;
}

Model moe() {
  Model m = dense();
  MoeDims e;
  e.n_experts = 128;
  e.n_active_experts = 8;
  m.moe = e;
  return m;
}

DevicePlacement gpu(DeviceKind kind = DeviceKind::gpu) {
  DevicePlacement d;
  d.kind = kind;
  d.weights_bytes = 1;
  d.layers = 32;
  d.holds_output = true;
  return d;
}

}  // namespace

TEST_CASE("a placement's case: the first of depth, small micro-batch, CPU only, experts in RAM, offload, split, unified, one GPU", "[speed][case]") {
  Placement one;
  one.devices = {gpu()};
  CHECK(speed_case(dense(), one, 0) == SpeedCase::one_gpu_dense);
  CHECK(speed_case(moe(), one, 0) == SpeedCase::one_gpu_moe);
  // Any filled context is the depth case, whatever the placement.
  CHECK(speed_case(moe(), one, 4096) == SpeedCase::depth);
  // Then a micro-batch below 128 (-ub 16 .. 127), whatever the placement; 128 and llama.cpp's 512 are not.
  CHECK(speed_case(dense(), one, 0, 16) == SpeedCase::small_ubatch);
  CHECK(speed_case(dense(), one, 0, 127) == SpeedCase::small_ubatch);
  CHECK(speed_case(dense(), one, 0, 128) == SpeedCase::one_gpu_dense);
  CHECK(speed_case(dense(), one, 4096, 16) == SpeedCase::depth);

  Placement unified;
  unified.devices = {gpu(DeviceKind::unified)};
  CHECK(speed_case(dense(), unified, 0) == SpeedCase::unified_dense);
  CHECK(speed_case(moe(), unified, 0) == SpeedCase::unified_moe);

  Placement cpu;  // no GPU: everything in system RAM
  cpu.host.layers = 32;
  cpu.host.holds_output = true;
  CHECK(speed_case(dense(), cpu, 0) == SpeedCase::cpu_only);

  Placement zero;  // -ngl 0 on a machine with a GPU: every layer and the output in RAM
  zero.devices = {gpu()};
  zero.devices[0].layers = 0;
  zero.devices[0].holds_output = false;
  zero.host = cpu.host;
  CHECK(speed_case(dense(), zero, 0) == SpeedCase::cpu_only);

  Placement experts = one;  // --n-cpu-moe 8: experts of 8 layers in RAM, the layers on the GPU
  experts.n_cpu_moe = 8;
  experts.host.expert_bytes = 1000;
  CHECK(speed_case(moe(), experts, 0) == SpeedCase::experts_in_ram);

  Placement partial = one;  // -ngl 32: the output layer stays in RAM
  partial.devices[0].holds_output = false;
  partial.host.holds_output = true;
  CHECK(speed_case(dense(), partial, 0) == SpeedCase::partial_offload);
  // Whole MoE layers in RAM hold their experts there too: still a layer offload, not --n-cpu-moe.
  Placement moe_layers = one;  // -ngl 24
  moe_layers.devices[0].layers = 24;
  moe_layers.host.layers = 8;
  moe_layers.host.expert_bytes = 1000;
  CHECK(speed_case(moe(), moe_layers, 0) == SpeedCase::partial_offload);

  Placement two;
  two.devices = {gpu(), gpu()};
  CHECK(speed_case(dense(), two, 0) == SpeedCase::split_layer);
  two.split = SplitMode::row;
  CHECK(speed_case(dense(), two, 0) == SpeedCase::split_row);
  two.split = SplitMode::tensor;
  CHECK(speed_case(moe(), two, 0) == SpeedCase::split_tensor);

  CHECK(std::string(to_string(SpeedCase::experts_in_ram)) == "MoE experts in RAM");
}

TEST_CASE("a case's band is the 5th-95th percentile of its own rows, at least ±10%", "[speed][case][calibration]") {
  // 21 decode rows of one case at ratios 0.50, 0.55, ..., 1.50: the 5th percentile sits at position
  // 0.05 × 20 = 1 (0.55), the 95th at 19 (1.45).
  std::vector<CaseRatio> ratios;
  for (int i = 0; i <= 20; ++i) ratios.push_back({SpeedCase::one_gpu_dense, true, 0.5 + 0.05 * i});
  // 10 prefill rows all at 1.02: the percentiles are 1.02 and 1.02, widened to ±10%.
  for (int i = 0; i < 10; ++i) ratios.push_back({SpeedCase::one_gpu_dense, false, 1.02});
  const std::vector<CaseBand> bands = fit_case_bands(ratios);
  REQUIRE(bands.size() == 1);
  const CaseBand& b = bands[0];
  CHECK(b.speed_case == SpeedCase::one_gpu_dense);
  CHECK(b.decode_rows == 21);
  CHECK(b.decode_ratio_low == Approx(0.55));
  CHECK(b.decode_ratio_high == Approx(1.45));
  CHECK(b.prefill_rows == 10);
  CHECK(b.prefill_ratio_low == Approx(0.9));
  CHECK(b.prefill_ratio_high == Approx(1.1));
}

TEST_CASE("a test with fewer than 10 rows of a case has no band of its own", "[speed][case][calibration]") {
  // 21 decode rows of one GPU and 3 of a row split, no prefill rows: only one GPU's decode has a band.
  std::vector<CaseRatio> ratios;
  for (int i = 0; i <= 20; ++i) ratios.push_back({SpeedCase::one_gpu_dense, true, 0.8 + 0.02 * i});
  for (const double r : {0.6, 1.0, 1.1}) ratios.push_back({SpeedCase::split_row, true, r});
  const std::vector<CaseBand> bands = fit_case_bands(ratios);
  REQUIRE(bands.size() == 1);
  CHECK(bands[0].speed_case == SpeedCase::one_gpu_dense);
  CHECK(bands[0].decode_rows == 21);
  CHECK(bands[0].prefill_rows == 0);
  Calibration c;
  c.case_bands = bands;
  REQUIRE(c.band(SpeedCase::one_gpu_dense) != nullptr);
  CHECK(c.band(SpeedCase::split_row) == nullptr);
}

TEST_CASE("each engine's rows give its predictions bands of their own, and a test it lacks takes llama.cpp's", "[speed][case][calibration]") {
  // llama.cpp: 21 depth prefill rows at 0.80 … 1.20 (5th–95th percentile 0.82–1.18) and 21 decode rows.
  // ik_llama.cpp: 21 depth prefill rows at 0.40 … 1.40 (0.45–1.35), its decode rows too few (3).
  std::vector<CaseRatio> ratios;
  for (int i = 0; i <= 20; ++i) {
    ratios.push_back({SpeedCase::depth, false, 0.8 + 0.02 * i});
    ratios.push_back({SpeedCase::depth, true, 0.9 + 0.01 * i});
    ratios.push_back({SpeedCase::depth, false, 0.4 + 0.05 * i, Engine::ik_llama_cpp});
  }
  for (const double r : {0.5, 1.0, 1.5}) ratios.push_back({SpeedCase::depth, true, r, Engine::ik_llama_cpp});
  const std::vector<CaseBand> bands = fit_case_bands(ratios);
  REQUIRE(bands.size() == 2);
  Calibration c;
  c.case_bands = bands;
  const CaseBand* mainline = c.band(SpeedCase::depth);
  const CaseBand* ik = c.band(SpeedCase::depth, Engine::ik_llama_cpp);
  REQUIRE(mainline != nullptr);
  REQUIRE(ik != nullptr);
  CHECK(mainline->engine == Engine::llama_cpp);
  CHECK(mainline->prefill_ratio_low == Approx(0.82));
  CHECK(mainline->prefill_ratio_high == Approx(1.18));
  CHECK(ik->engine == Engine::ik_llama_cpp);
  CHECK(ik->prefill_rows == 21);
  CHECK(ik->prefill_ratio_low == Approx(0.45));
  CHECK(ik->prefill_ratio_high == Approx(1.35));
  CHECK(ik->decode_rows == 0);  // 3 rows: its decode predictions print llama.cpp's depth band (estimate_speed)
  CHECK(c.band(SpeedCase::depth, Engine::vllm) == nullptr);
}
