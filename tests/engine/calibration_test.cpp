// Calibration's inputs: the one basis for the bytes a decoded token reads, and measurements turned
// into fit points.
#include <catch2/catch.hpp>

#include "llmsize/engine/speed.h"
#include "test_models.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using namespace llmsize;

namespace {

// `model` at Q8_0 placed whole on one 24 GiB CUDA card (or on the CPU alone), and what the speed
// estimate says a decoded token reads there.
struct Placed {
  std::vector<TensorType> types = test::ggml_types();
  Model model;
  WeightsResult weights;
  KvSettings settings;
  KvResult kv;
  Placement placement;
  Calibration calibration = fit_calibration({});

  Placed(Model m, bool on_gpu) : model(std::move(m)) {
    weights = weight_bytes(model, test::uniform_quant("q8-0"), types);
    settings.context_tokens = 4096;
    settings.type_k = find_type(types, "f16");
    settings.type_v = settings.type_k;
    kv = kv_cache(model, settings);
    PlacementRequest r;
    r.host_ram_bytes = 256 * units::kGiB;
    if (on_gpu) r.devices.push_back({"gpu", DeviceKind::gpu, Backend::cuda, 24 * units::kGiB, std::nullopt});
    placement = place(model, weights, kv, r);
  }
  double bytes_per_token() const {
    SpeedRequest s(model, weights, settings, placement, calibration);
    ComputeDevice gpu;
    gpu.id = "gpu";
    gpu.backend = Backend::cuda;
    gpu.bandwidth_bytes_per_s = 936e9;
    gpu.matmul_flops_per_s = 71e12;
    if (!placement.devices.empty()) s.devices = {gpu};
    HostDevice host;
    host.cpu = gpu;
    host.cpu.backend = Backend::cpu;
    s.host = host;
    return estimate_speed(s, {}).bytes_per_token;
  }
};

}  // namespace

TEST_CASE("calibration counts the bytes a decoded token reads as the predictor does", "[speed][calibration]") {
  // Tied Llama-3.2-1B: the output head is token_embd read whole, so a token reads every weight once
  // (the GPU holds a copy of token_embd as the output layer; the CPU reads its own as the head).
  for (const bool on_gpu : {true, false}) {
    INFO((on_gpu ? "all on the GPU" : "CPU only"));
    const Placed tied(test::llama_3_2_1b(), on_gpu);
    REQUIRE(tied.placement.verdict == Verdict::fits);
    CHECK(decode_weight_bytes_per_token(tied.model, tied.weights) == Approx(static_cast<double>(tied.weights.total_bytes)));
    CHECK(tied.bytes_per_token() == Approx(decode_weight_bytes_per_token(tied.model, tied.weights)));
    // Untied Llama-3.1-8B: token_embd is only looked up (one row); output.weight is its own tensor.
    const Placed untied(test::llama_3_1_8b(), on_gpu);
    REQUIRE(untied.placement.verdict == Verdict::fits);
    const double expected = static_cast<double>(untied.weights.total_bytes - untied.weights.token_embd_bytes);
    CHECK(decode_weight_bytes_per_token(untied.model, untied.weights) == Approx(expected));
    CHECK(untied.bytes_per_token() == Approx(expected));
  }
}

TEST_CASE("a measurement becomes a fit point: work over the peak rate", "[calibration]") {
  Measurement m;
  m.backend = Backend::cuda;
  m.phase = BenchPhase::decode;
  m.bandwidth_bytes_per_s = 1e12;      // 1 TB/s
  m.matmul_flops_per_s = 80e12;        // 80 TFLOP/s
  m.weight_bytes_per_token = 4e9;      // 4 GB a token
  m.flops_per_token = 16e9;            // 16 GFLOP a prompt token
  m.measured_tokens_per_s = 200;
  const CalibrationPoint decode = calibration_point(m, "row 1", true);
  CHECK(decode.decode);
  CHECK(decode.holdout);
  CHECK(decode.seconds_at_peak == Approx(4e-3));  // 4e9 B / 1e12 B/s
  CHECK(decode.measured_tokens_per_s == 200);
  CHECK(decode.label == "row 1");
  m.phase = BenchPhase::prefill;
  const CalibrationPoint prefill = calibration_point(m, "row 2", false);
  CHECK_FALSE(prefill.decode);
  CHECK(prefill.seconds_at_peak == Approx(0.2e-3));  // 16e9 FLOP / 80e12 FLOP/s
  m.matmul_flops_per_s = 0;  // a CPU whose peak is unknown: a point the fit ignores
  CHECK(calibration_point(m, "row 3", false).seconds_at_peak == 0);
}

TEST_CASE("the median helper", "[calibration]") {
  CHECK(median({3, 1, 2}) == 2);
  CHECK(median({4, 1, 3, 2}) == 2.5);
  CHECK(median({}) == 0);
}
