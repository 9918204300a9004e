// A GPU backend's prompt speed by the kernel family of the weights (docs/formulas.md "Prompt kernels by weight
// type", docs/calibration.md "Kernels by weight type").
#include <catch2/catch.hpp>

#include "llmsize/engine/speed.h"
#include "llmsize/engine/weights.h"
#include "test_models.h"

using namespace llmsize::engine;
using llmsize::test::ggml_types;
using llmsize::test::llama_3_1_8b;

namespace {

constexpr auto kLegacy = static_cast<std::size_t>(MatmulKernel::legacy);
constexpr auto kKQuant = static_cast<std::size_t>(MatmulKernel::k_quant);
constexpr auto kMxfp4 = static_cast<std::size_t>(MatmulKernel::mxfp4);

std::vector<TensorType> types_with_kernels() {
  std::vector<TensorType> types = ggml_types();
  for (TensorType& t : types) {
    if (t.meta.id == "q8-0") t.gpu_kernel = MatmulKernel::legacy;
    if (t.meta.id == "q4-k") t.gpu_kernel = MatmulKernel::k_quant;
  }
  return types;
}

// Q8_0 everywhere but ffn_down, which is Q4_K.
Quant q8_with_q4k_ffn_down() {
  Quant q;
  q.meta.id = "mixed";
  q.format = "gguf";
  q.default_type = "q8-0";
  QuantRule ffn_down;
  ffn_down.tensors = {"ffn_down"};
  ffn_down.type = "q4-k";
  q.rules.push_back(ffn_down);
  return q;
}

CalibrationPoint prefill_point(double seconds_at_peak, double measured, MatmulKernel kernel) {
  CalibrationPoint p;
  p.backend = Backend::cuda;
  p.decode = false;
  p.seconds_at_peak = seconds_at_peak;
  p.measured_tokens_per_s = measured;
  p.kernel_seconds_at_peak[static_cast<std::size_t>(kernel)] = seconds_at_peak;  // all of it matrix work
  return p;
}

}  // namespace

TEST_CASE("prompt kernel shares: each family's share of the matrix FLOPs a token spends", "[engine][speed][kernel]") {
  // Llama 3.1 8B: 7,504,658,432 matrix values a token multiplies (32 layers × 218,103,808 and the output head's
  // 525,336,576); ffn_down is 32 × 4096 × 14336 = 1,879,048,192 of them.
  const Model m = llama_3_1_8b();
  const WeightsResult w = weight_bytes(m, q8_with_q4k_ffn_down(), types_with_kernels());
  const PerKernel shares = prompt_kernel_shares(m, w, 1.0);
  CHECK(shares[kKQuant] == Approx(1'879'048'192.0 / 7'504'658'432.0));  // 0.2504
  CHECK(shares[kLegacy] == Approx(5'625'610'240.0 / 7'504'658'432.0));
  CHECK(shares[kMxfp4] == 0);
  // A backend whose K-quant kernels run at half its legacy speed: 1 / (0.7496 + 0.2504 / 0.5) = 0.7998.
  Efficiency e;
  e.prefill_kernel_speed[kKQuant] = 0.5;
  CHECK(gpu_matmul_speed(e, shares) == Approx(1.0 / (5'625'610'240.0 / 7'504'658'432.0 + 2 * 1'879'048'192.0 / 7'504'658'432.0)));
  CHECK(gpu_matmul_speed(e, shares) == Approx(0.7998).margin(0.0001));
}

TEST_CASE("prompt kernel shares: routed experts count n_active / n_experts, weighted as the prompt's work weighs them",
          "[engine][speed][kernel]") {
  // gpt-oss-20b's shape in miniature: 1e9 dense values in Q8_0, 8e9 expert values in MXFP4, 4 of 32 experts active.
  Model m = llama_3_1_8b();
  MoeDims moe;
  moe.n_experts = 32;
  moe.n_active_experts = 4;
  moe.expert_ffn_size = 2880;
  m.moe = moe;
  WeightsResult w;
  w.kernel_values[kLegacy] = 1e9;
  w.kernel_expert_values[kMxfp4] = 8e9;
  // At expert weight 2.5 (a 0.4 GEMM share): 8e9 × 4/32 × 2.5 = 2.5e9 against 1e9.
  const PerKernel shares = prompt_kernel_shares(m, w, 2.5);
  CHECK(shares[kMxfp4] == Approx(2.5 / 3.5));
  CHECK(shares[kLegacy] == Approx(1.0 / 3.5));
  Efficiency e;
  e.prefill_kernel_speed[kMxfp4] = 1.25;
  CHECK(gpu_matmul_speed(e, shares) == Approx(1.0 / (1.0 / 3.5 + 2.5 / 3.5 / 1.25)));  // 1.1667
  // No matrices listed: all on `other`, speed 1.
  CHECK(prompt_kernel_shares(m, WeightsResult{}, 1.0)[static_cast<std::size_t>(MatmulKernel::other)] == 1);
  CHECK(gpu_matmul_speed(e, prompt_kernel_shares(m, WeightsResult{}, 1.0)) == 1);
}

TEST_CASE("a prefill point's seconds at peak divide each family's part by the backend's speed on it",
          "[engine][calibration][kernel]") {
  CalibrationPoint p = prefill_point(1e-3, 100, MatmulKernel::k_quant);
  p.seconds_at_peak = 1.5e-3;  // 0.5 ms of attention beside 1 ms of K-quant matrices
  Efficiency e;
  e.prefill_kernel_speed[kKQuant] = 0.8;
  CHECK(prefill_seconds_at_peak(p, e) == Approx(0.5e-3 + 1e-3 / 0.8));
  p.decode = true;  // decode points are bytes, not FLOPs: unchanged
  CHECK(prefill_seconds_at_peak(p, e) == Approx(1.5e-3));
}

TEST_CASE("the fit gives each kernel family with the rows its own speed, pulled toward 1", "[engine][calibration][kernel]") {
  // Four Q4_0 rows that reach 0.5 of peak and four Q4_K rows that reach 0.4 (seconds at peak 1 ms: 500 and
  // 400 tok/s; no fixed costs: one layer-less graph run). The rounds settle where each family's speed is
  // (0.5 or 0.4 / S)^(4/8) and the share S is the median of 0.5 / x and 0.4 / y: √S = (√0.5 + √0.4) / 2,
  // S = 0.4486, x = √(0.5 / S) = 1.0557, y = √(0.4 / S) = 0.9443 — y / x = √0.8, half the measured gap in
  // log terms (four rows against kKernelPriorRows = 4).
  std::vector<CalibrationPoint> pts;
  for (int i = 0; i < 4; ++i) pts.push_back(prefill_point(1e-3, 500, MatmulKernel::legacy));
  for (int i = 0; i < 4; ++i) pts.push_back(prefill_point(1e-3, 400, MatmulKernel::k_quant));
  const Calibration c = fit_calibration(pts);
  const Efficiency& e = c.get(Backend::cuda);
  const double root_s = (std::sqrt(0.5) + std::sqrt(0.4)) / 2;
  CHECK(e.prefill_efficiency == Approx(root_s * root_s).epsilon(1e-3));
  CHECK(e.prefill_kernel_speed[kLegacy] == Approx(std::sqrt(0.5) / root_s).epsilon(1e-3));
  CHECK(e.prefill_kernel_speed[kKQuant] == Approx(std::sqrt(0.4) / root_s).epsilon(1e-3));
  CHECK(e.prefill_kernel_speed[kMxfp4] == 1);  // no rows: 1
  // Two MXFP4 rows are too few (kMinKernelRows 3): the family keeps 1.
  pts.push_back(prefill_point(1e-3, 900, MatmulKernel::mxfp4));
  pts.push_back(prefill_point(1e-3, 900, MatmulKernel::mxfp4));
  CHECK(fit_calibration(pts).get(Backend::cuda).prefill_kernel_speed[kMxfp4] == 1);
  // The CPU keeps 1 everywhere: its kernels' speeds are the catalog's cpu_matmul_speed.
  CHECK(c.get(Backend::cpu).prefill_kernel_speed[kKQuant] == 1);
}

TEST_CASE("BF16 on AMD GPUs without BF16 instructions: the FP32 rate, half the packed FP16 path",
          "[engine][speed][kernel]") {
  // GCN (MI50: gfx906) and RDNA1/RDNA2 have no BF16 instructions: ROCm's rocBLAS widens BF16 to FP32, Vulkan
  // runs the scalar shader; their FP16 rate is packed math at twice FP32 (MI50 26.5 against 13.3 TFLOPS).
  // BF16 matrix instructions: CDNA's MFMA, RDNA3's WMMA under ROCm, RDNA4; the CPU runs none of these.
  struct Case {
    Backend backend;
    const char* architecture;
    double share;
  };
  for (const Case& c : {Case{Backend::rocm, "gcn5", 0.5}, Case{Backend::rocm, "rdna2", 0.5}, Case{Backend::vulkan, "rdna1", 0.5},
                        Case{Backend::vulkan, "gcn5", 0.5}, Case{Backend::rocm, "cdna1", 1}, Case{Backend::rocm, "rdna3", 1},
                        Case{Backend::rocm, "rdna4", 1}, Case{Backend::cpu, "gcn5", 1}}) {
    INFO(c.architecture);
    CHECK(bf16_matmul_share(c.backend, "AMD", c.architecture) == Approx(c.share));
  }
  Gpu mi50;
  mi50.vendor = "amd";
  mi50.architecture = "gcn5";
  mi50.fp16_tensor_tflops = 26.5;
  mi50.fp32_tflops = 13.3;
  mi50.backends = {Backend::rocm, Backend::vulkan};
  // The constant is the catalog's FP32 rate over the matrix rate the device is given: 13.3 / 26.5 = 0.50.
  const ComputeDevice d = device_from_gpu(mi50);
  CHECK(d.bf16_matmul_share == Approx(kFp32OnlyBf16Share));
  CHECK(d.matmul_flops_per_s * d.bf16_matmul_share == Approx(*mi50.fp32_tflops * 1e12).epsilon(0.01));
}

TEST_CASE("BF16 on Vulkan without a BF16 cooperative matrix: a quarter of the FP16 path", "[engine][speed][kernel]") {
  // RADV on RDNA3 / RDNA3.5 reports no BF16 cooperative matrix: the scalar matmul_bf16 shader's 128 FP32 FLOP
  // per CU and clock against 512 FP16 WMMA FLOP. RDNA4's RADV, ROCm and other vendors take the matrix path.
  CHECK(bf16_matmul_share(Backend::vulkan, "AMD", "rdna3.5") == Approx(0.25));
  CHECK(bf16_matmul_share(Backend::vulkan, "amd", "rdna3") == Approx(0.25));
  CHECK(bf16_matmul_share(Backend::vulkan, "amd", "rdna4") == 1);
  CHECK(bf16_matmul_share(Backend::rocm, "amd", "rdna3.5") == 1);
  CHECK(bf16_matmul_share(Backend::vulkan, "nvidia", "ada") == 1);

  // A unified machine takes the share of the backend it is run on; one without a GPU backend stays on its CPU.
  UnifiedSystem halo;
  halo.vendor = "amd";
  halo.architecture = "rdna3.5";
  halo.backends = {Backend::rocm, Backend::vulkan};
  CHECK(device_from_system(halo).bf16_matmul_share == 1);
  const ComputeDevice on_vulkan = device_from_system(halo, Backend::vulkan);
  CHECK(on_vulkan.backend == Backend::vulkan);
  CHECK(on_vulkan.bf16_matmul_share == Approx(0.25));
  UnifiedSystem cpu_only = halo;
  cpu_only.backends = {Backend::cpu};
  CHECK(device_from_system(cpu_only, Backend::vulkan).backend == Backend::cpu);

  // The prediction: half the matrix work BF16, half Q8_0, on a backend whose speeds are 1: 1 / (0.5 / 0.25 + 0.5).
  Efficiency e;
  e.backend = Backend::vulkan;
  PerKernel shares{};
  shares[static_cast<std::size_t>(MatmulKernel::bf16)] = 0.5;
  shares[kLegacy] = 0.5;
  CHECK(gpu_matmul_speed(e, shares, 0.25) == Approx(0.4));
  CHECK(gpu_matmul_speed(e, shares) == Approx(1.0));

  // The fit point: 1 TFLOP of BF16 matrices at 10 TFLOP/s is 0.1 s at peak, 0.4 s at a quarter; the point's
  // seconds at peak grow by the 0.3 s, so the backend's BF16 speed is fitted relative to what the device does.
  Measurement m;
  m.backend = Backend::vulkan;
  m.phase = BenchPhase::prefill;
  m.matmul_flops_per_s = 1e13;
  m.flops_per_token = 2e12;
  m.kernel_flops_per_token[static_cast<std::size_t>(MatmulKernel::bf16)] = 1e12;
  m.kernel_flops_per_token[kLegacy] = 1e12;
  m.bf16_matmul_share = 0.25;
  m.measured_tokens_per_s = 1;
  const CalibrationPoint p = calibration_point(m, "bf16", false);
  CHECK(p.kernel_seconds_at_peak[static_cast<std::size_t>(MatmulKernel::bf16)] == Approx(0.4));
  CHECK(p.kernel_seconds_at_peak[kLegacy] == Approx(0.1));
  CHECK(p.seconds_at_peak == Approx(0.5));
}
