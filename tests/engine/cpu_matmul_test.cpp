// CPU prompt processing: the speed of llama.cpp's CPU kernels per weight type (docs/formulas.md,
// "CPU matrix multiplication").
#include <catch2/catch.hpp>

#include "llmsize/engine/speed.h"
#include "llmsize/engine/weights.h"
#include "test_models.h"

using namespace llmsize::engine;
using llmsize::test::ggml_types;
using llmsize::test::llama_3_1_8b;
using llmsize::test::uniform_quant;

namespace {

std::vector<TensorType> types_with_speeds() {
  std::vector<TensorType> types = ggml_types();
  for (TensorType& t : types) {
    if (t.meta.id == "q8-0") t.cpu_matmul_speed = 1.0;
    if (t.meta.id == "q6-k") t.cpu_matmul_speed = 0.25;
    if (t.meta.id == "q4-k") t.cpu_matmul_speed = 0.5;
  }
  return types;
}

}  // namespace

TEST_CASE("cpu_matmul_speed: one weight type gives that type's speed", "[engine][speed][cpu]") {
  const Model m = llama_3_1_8b();
  const std::vector<TensorType> types = types_with_speeds();
  CHECK(cpu_matmul_speed(m, weight_bytes(m, uniform_quant("q4-k"), types)) == Approx(0.5));
  CHECK(cpu_matmul_speed(m, weight_bytes(m, uniform_quant("q8-0"), types)) == Approx(1.0));
}

TEST_CASE("cpu_matmul_speed: the FLOP-weighted harmonic mean over the matrices a token multiplies",
          "[engine][speed][cpu]") {
  // Llama 3.1 8B with ffn_down in a type at speed 0.25 and every other matrix at 1 (Q8_0).
  // Per layer: attn_q + attn_output 2 × 4096² = 33,554,432, attn_k + attn_v 2 × 4096 × 1024 = 8,388,608,
  // ffn_gate + ffn_up + ffn_down 3 × 4096 × 14336 = 176,160,768 (ffn_down 58,720,256); the output head
  // 128256 × 4096 = 525,336,576; token_embd (a row lookup, untied) does not count.
  // FLOPs: 32 × 218,103,808 + 525,336,576 = 7,504,658,432, of which ffn_down 1,879,048,192.
  // Time: 5,625,610,240 / 1 + 1,879,048,192 / 0.25 = 13,141,803,008; speed 7,504,658,432 / that = 0.57105.
  const Model m = llama_3_1_8b();
  Quant q = uniform_quant("q8-0");
  q.rules.insert(q.rules.begin(), QuantRule{{"ffn_down"}, "q6-k", LayerSelector::all, std::nullopt, std::nullopt});
  CHECK(cpu_matmul_speed(m, weight_bytes(m, q, types_with_speeds())) == Approx(0.5710524216));
}

TEST_CASE("prefill work on the CPU: the matrix FLOPs divided by the weights' speed, attention apart",
          "[engine][speed][cpu]") {
  // work(s) = M / s + A, with A the attention FLOPs of a 512-token prompt weighed at the CPU's attention
  // efficiency: 4 × 32 layers × 32 heads × 128 × 256 (half the prompt) / 0.25 = 536,870,912.
  const Model m = llama_3_1_8b();
  const double at_q8 = prefill_work_per_token(m, Backend::cpu, 512, 0, {.matmul_speed = 1.0});
  const double attention = 4.0 * 32 * 32 * 128 * 256 / kCpuAttentionEfficiency;
  CHECK(attention == Approx(536870912.0));
  CHECK(prefill_work_per_token(m, Backend::cpu, 512, 0, {.matmul_speed = 0.5}) == Approx(2 * (at_q8 - attention) + attention));
  CHECK(prefill_work_per_token(m, Backend::cpu, 512) == Approx(at_q8));  // speed 1 by default
}

TEST_CASE("cpu_matmul_speed: the same from the totals alone (recommend's sizing) as from the tensor list",
          "[engine][speed][cpu]") {
  // weight_totals keeps no per-tensor list; the speed must come out the same as with it. Mixtral-style
  // experts and a tied head exercise the routed share (2 of 8) and token_embd as the output.
  const std::vector<TensorType> types = types_with_speeds();
  Quant q = uniform_quant("q4-k");
  q.rules.insert(q.rules.begin(), QuantRule{{"ffn_down"}, "q6-k", LayerSelector::all, std::nullopt, std::nullopt});
  Model dense = llama_3_1_8b();
  Model tied = llama_3_1_8b();
  tied.tied_embeddings = true;
  Model moe = llama_3_1_8b();
  moe.moe = MoeDims{};
  moe.moe->n_experts = 8;
  moe.moe->n_active_experts = 2;
  moe.moe->expert_ffn_size = 14336;
  for (const Model& m : {dense, tied, moe}) {
    const WeightsResult listed = weight_bytes(m, q, types);
    const WeightsResult totals = weight_totals(classify_tensors(m), q, types);
    REQUIRE(totals.tensors.empty());
    CHECK(cpu_matmul_speed(m, totals) == cpu_matmul_speed(m, listed));
  }
  // Tied: the head is token_embd, 128256 × 4096 = 525,336,576 values at Q4_K speed 0.5, as the untied
  // output head was: the same speed.
  CHECK(cpu_matmul_speed(tied, weight_bytes(tied, q, types)) == Approx(cpu_matmul_speed(dense, weight_bytes(dense, q, types))));
}

TEST_CASE("CPU decode: the slower of streaming the weights and computing their matrix-vector products",
          "[engine][speed][cpu]") {
  // decode_seconds = max(x / bandwidth_efficiency, c / prefill_efficiency) + per_token_s (docs/formulas.md
  // "CPU decode"). The 7950X's 2-thread IQ3_S row (ik_llama.cpp discussion #164, mainline): Llama 3.1 8B,
  // 3.42 GiB = 3.67e9 bytes over 83.2 GB/s (DDR5-5200, 2 channels) = 0.0441 s at peak; matrix FLOPs
  // 2 × 7.5e9 = 15.0e9 at IQ3_S's speed 0.20 = 75.0e9 over 2 threads × 32 FLOP/cycle × 4.5 GHz = 288e9
  // FLOP/s = 0.2604 s at peak.
  Efficiency e;
  e.bandwidth_efficiency = 0.5;
  e.prefill_efficiency = 1.0;
  e.per_token_s = 0.005;
  const double x = 3.67e9 / 83.2e9;
  const double c = 15.0e9 / 0.20 / 288e9;
  // Compute-bound: 0.2604 + 0.005 = 0.2654 s, 3.77 tok/s (measured 3.71); streaming alone gave 10.5.
  CHECK(decode_seconds(e, x, c) == Approx(0.2654).epsilon(0.001));
  CHECK(predict_decode_tokens_per_s(e, x, 0, c) == Approx(3.77).epsilon(0.002));
  CHECK(predict_decode_tokens_per_s(e, x) == Approx(1 / (2 * x + 0.005)));
  // 16 threads: c / 8 = 0.0326 s < 2 × 0.0441 s streaming: bandwidth-bound again.
  CHECK(decode_seconds(e, x, c / 8) == Approx(2 * x + 0.005));
}

TEST_CASE("CPU decode: a measurement's point carries its matrix work at the threads' peak", "[engine][calibration][cpu]") {
  // 15e9 FLOPs (after the kernels' speed) over 300 GFLOP/s = 0.05 s; the bytes give seconds_at_peak as before.
  Measurement m;
  m.backend = Backend::cpu;
  m.phase = BenchPhase::decode;
  m.bandwidth_bytes_per_s = 80e9;
  m.matmul_flops_per_s = 300e9;
  m.weight_bytes_per_token = 4e9;
  m.decode_flops_per_token = 15e9;
  m.measured_tokens_per_s = 10;
  const CalibrationPoint p = calibration_point(m, "row", false);
  CHECK(p.seconds_at_peak == Approx(0.05));
  CHECK(p.compute_seconds_at_peak == Approx(0.05));
  m.phase = BenchPhase::prefill;
  m.flops_per_token = 15e9;
  CHECK(calibration_point(m, "row", false).compute_seconds_at_peak == 0);  // prefill is all compute already
}

TEST_CASE("CPU decode: the fit takes its bandwidth share only from rows that stream", "[engine][calibration][cpu]") {
  // Two CPU rows read 1 s of bytes at peak and decode at 0.5 tok/s (efficiency 0.5); two more compute for
  // 4 s at peak and measure 0.25 tok/s. Taken as streaming they would read at 0.25 and pull the median
  // to 0.375; being compute-bound, they are left out of it, and predicted exactly.
  std::vector<CalibrationPoint> pts;
  for (int i = 0; i < 2; ++i) pts.push_back({Backend::cpu, true, false, 1.0, 0, 0, 0, 0, 0.5, "stream", "", ""});
  for (int i = 0; i < 2; ++i) pts.push_back({Backend::cpu, true, false, 1.0, 0, 4.0, 0, 0, 0.25, "compute", "", ""});
  // Prefill rows fix prefill_efficiency at 1: measured 1 tok/s at 1 s of FLOPs per token at peak.
  for (int i = 0; i < 3; ++i) pts.push_back({Backend::cpu, false, false, 1.0, 0, 0, 0, 0, 1.0, "prompt", "", ""});
  const Efficiency e = fit_calibration(pts).get(Backend::cpu);
  CHECK(e.prefill_efficiency == Approx(1.0));
  CHECK(e.per_token_s == Approx(0.0));
  CHECK(e.bandwidth_efficiency == Approx(0.5));
  CHECK(predict_decode_tokens_per_s(e, 1.0, 0, 4.0) == Approx(0.25));  // 4 s of compute
}

namespace {
// Three CPU prompt rows at a prefill share of 1: the matrix-vector rate a CPU decode fit starts from.
void add_cpu_prompt_rows(std::vector<CalibrationPoint>& pts) {
  for (int i = 0; i < 3; ++i) {
    CalibrationPoint prompt;
    prompt.backend = Backend::cpu;
    prompt.decode = false;
    prompt.seconds_at_peak = 1.0;
    prompt.measured_tokens_per_s = 1.0;
    pts.push_back(prompt);
  }
}
}  // namespace

TEST_CASE("CPU decode on few threads: the share of bandwidth they draw grows with the threads, to the class's share",
          "[engine][calibration][cpu]") {
  // A Threadripper PRO 5975WX (8 × DDR4-3200 = 204.8 GB/s, 32 cores) running ik_llama.cpp's Llama 3.1 8B
  // Q4_K_S decode (4.4 GB) on 2 threads measured 4.6 tok/s: 20 GB/s, 0.0988 of peak on 1/16 of the cores,
  // a slope of 1.58. With the class's share 0.355 on all cores, 2 threads draw min(0.355, 1.58 / 16).
  Efficiency e;
  e.bandwidth_efficiency = 0.355;
  e.few_thread_bandwidth_slope = 1.58;
  CHECK(bandwidth_share(e, 2.0 / 32) == Approx(0.09875));
  CHECK(bandwidth_share(e, 8.0 / 32) == Approx(0.355));  // 1.58 / 4 = 0.395: the channels' share again
  CHECK(bandwidth_share(e) == Approx(0.355));
  const double x = 4.4e9 / 204.8e9;
  CHECK(predict_decode_tokens_per_s(e, x, 0, 0, 2.0 / 32) == Approx(4.6).epsilon(0.01));
  e.few_thread_bandwidth_slope = 0;  // no rows on few threads: no limit
  CHECK(bandwidth_share(e, 2.0 / 32) == Approx(0.355));

  // The fit, per CPU class: four rows on all cores stream 1 s of bytes at peak at 0.5 tok/s (share 0.5); four
  // on 1/16 of the cores measure 0.1 tok/s (share 0.1: a slope of 1.6); two on 1/16 compute-bound rows (8 s
  // of matrix work at peak, 0.1 tok/s) stay out of it. The share is fitted on the rows of at least half the
  // cores, the slope on the streaming rows of fewer, both with the backend's per-token cost p.
  std::vector<CalibrationPoint> pts;
  auto row = [](double tps, double share, double compute) {
    CalibrationPoint p;
    p.backend = Backend::cpu;
    p.seconds_at_peak = 1.0;
    p.compute_seconds_at_peak = compute;
    p.measured_tokens_per_s = tps;
    p.device_class = "server cpu/amd";
    p.device = "tr";
    p.thread_share = share;
    return p;
  };
  for (int i = 0; i < 4; ++i) pts.push_back(row(0.5, 1.0, 0));
  for (int i = 0; i < 4; ++i) pts.push_back(row(0.1, 1.0 / 16, 0));
  for (int i = 0; i < 2; ++i) pts.push_back(row(0.1, 1.0 / 16, 8.0));
  add_cpu_prompt_rows(pts);
  const Calibration c = fit_calibration(pts);
  const Efficiency& server = c.get(Backend::cpu, "server cpu/amd");
  const double p = server.per_token_s;
  CHECK(server.bandwidth_efficiency == Approx(1.0 / (2.0 - p)));
  CHECK(server.few_thread_bandwidth_slope == Approx(16.0 / (10.0 - p)));
  CHECK(predict_decode_tokens_per_s(server, 1.0, 0, 0, 1.0 / 16) == Approx(0.1));
  CHECK(c.get(Backend::cpu).few_thread_bandwidth_slope == 0);  // the backend's own factors: no limit
}

TEST_CASE("CPU decode: the few-thread slope and the matrix-vector rate are taken near the top of their rows",
          "[engine][calibration][cpu]") {
  // What a row measured bounds each limit from below: a row its matrix work holds back draws less
  // bandwidth than its threads could. So both are the kFewThreadBoundQuantile (0.8) of their rows, not the
  // median. Class "desktop cpu/apple", per-token cost p (the backend's):
  // - four rows on all cores stream 1 s of bytes at peak at 0.5 tok/s: share 1 / (2 − p);
  // - five on 1/16 of the cores at 0.06, 0.07, 0.08, 0.09 and 0.1 tok/s: slopes 16 / (1/tps − p), of which
  //   the 0.8 quantile lies 0.2 of the way from the fourth (0.09) to the fifth (0.1);
  // - three on all cores with 0.1 s of bytes and 1 s of matrix work at peak at 0.5 tok/s: streaming takes
  //   0.1 / share ≈ 0.2 s of their 2 s, so the matrix-vector products bound them: a share of 1 / (2 − p).
  std::vector<CalibrationPoint> pts;
  auto row = [](double tps, double share, double bytes, double compute) {
    CalibrationPoint p;
    p.backend = Backend::cpu;
    p.seconds_at_peak = bytes;
    p.compute_seconds_at_peak = compute;
    p.measured_tokens_per_s = tps;
    p.device_class = "desktop cpu/apple";
    p.device = "m2";
    p.thread_share = share;
    return p;
  };
  for (int i = 0; i < 4; ++i) pts.push_back(row(0.5, 1.0, 1.0, 0));
  for (double tps : {0.06, 0.07, 0.08, 0.09, 0.1}) pts.push_back(row(tps, 1.0 / 16, 1.0, 0));
  for (int i = 0; i < 3; ++i) pts.push_back(row(0.5, 1.0, 0.1, 1.0));
  add_cpu_prompt_rows(pts);
  const Calibration c = fit_calibration(pts);
  const Efficiency& apple = c.get(Backend::cpu, "desktop cpu/apple");
  REQUIRE(apple.device_class == "desktop cpu/apple");
  const double p = apple.per_token_s;
  CHECK(apple.bandwidth_efficiency == Approx(1.0 / (2.0 - p)));
  const double fourth = 16.0 / (1.0 / 0.09 - p);
  const double fifth = 16.0 / (10.0 - p);
  CHECK(apple.few_thread_bandwidth_slope == Approx(fourth + 0.2 * (fifth - fourth)));
  CHECK(apple.decode_compute_efficiency == Approx(1.0 / (2.0 - p)));
  CHECK(predict_decode_tokens_per_s(apple, 0.1, 0, 1.0) == Approx(0.5));
  // The median would have been the third row's slope, below what two of the five drew.
  CHECK(apple.few_thread_bandwidth_slope > 16.0 / (1.0 / 0.08 - p));
}

TEST_CASE("CPU decode: rows of mostly IQ weights stay out of the class's bandwidth share",
          "[engine][calibration][cpu]") {
  // Their matrix-vector products hold them back on all cores, so what they read is no measure of the
  // channels. Class "server cpu/amd", per-token cost p: three K-quant rows on all cores stream 1 s of bytes
  // at peak at 0.4, 0.5 and 0.6 tok/s; four IQ rows (iq_weight_share 0.9, at kMatrixBoundIqShare or more)
  // stream 0.2 s at 1 tok/s (apparent share 0.2 / (1 − p)) with 0.01 s of matrix work at peak. The share is
  // the median of the three, 0.5 / (1 − 0.5 p); with the IQ rows counted it would be the fourth of seven.
  std::vector<CalibrationPoint> pts;
  auto row = [](double tps, double bytes, double iq) {
    CalibrationPoint p;
    p.backend = Backend::cpu;
    p.seconds_at_peak = bytes;
    p.compute_seconds_at_peak = 0.01;
    p.measured_tokens_per_s = tps;
    p.device_class = "server cpu/amd";
    p.device = "threadripper-pro-5975wx";
    p.iq_weight_share = iq;
    return p;
  };
  for (double tps : {0.4, 0.5, 0.6}) pts.push_back(row(tps, 1.0, 0.0));
  for (int i = 0; i < 4; ++i) pts.push_back(row(1.0, 0.2, 0.9));
  add_cpu_prompt_rows(pts);
  const Calibration c = fit_calibration(pts);
  const Efficiency& server = c.get(Backend::cpu, "server cpu/amd");
  REQUIRE(server.device_class == "server cpu/amd");
  const double p = server.per_token_s;
  CHECK(server.bandwidth_efficiency == Approx(1.0 / (2.0 - p)));
  CHECK(server.bandwidth_efficiency > 0.49);

  // A row's IQ share comes from its weights' kernel families: half its matrix values IQ is at the threshold.
  Measurement m;
  m.backend = Backend::cpu;
  m.bandwidth_bytes_per_s = 1e11;
  m.weight_bytes_per_token = 4e9;
  m.matmul_flops_per_s = 1e12;
  m.decode_flops_per_token = 1.6e10;
  m.iq_weight_share = kMatrixBoundIqShare;
  m.measured_tokens_per_s = 10;
  CHECK(calibration_point(m, "iq", false).iq_weight_share == Approx(0.5));
  m.backend = Backend::cuda;  // a GPU's decode has no matrix bound: the share is not carried
  CHECK(calibration_point(m, "gpu", false).iq_weight_share == 0);
}
