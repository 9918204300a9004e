// Calibration's inputs: the one basis for the bytes a decoded token reads, and measurements turned
// into fit points.
#include <cmath>
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

  double gpu_link_bytes_per_s = 0;  ///< PCIe to the GPU: 0 leaves a prompt's CPU-held weights uncopied

  Placed(Model m, bool on_gpu, std::optional<std::uint32_t> gpu_layers = std::nullopt) : model(std::move(m)) {
    weights = weight_bytes(model, test::uniform_quant("q8-0"), types);
    settings.context_tokens = 4096;
    settings.type_k = find_type(types, "f16");
    settings.type_v = settings.type_k;
    kv = kv_cache(model, settings);
    PlacementRequest r;
    r.host_ram_bytes = 256 * units::kGiB;
    if (on_gpu) r.devices.push_back({"gpu", DeviceKind::gpu, Backend::cuda, 24 * units::kGiB, std::nullopt});
    r.choice.gpu_layers = gpu_layers;
    placement = place(model, weights, kv, r);
  }
  double bytes_per_token() const { return speed(512).bytes_per_token; }
  /// Predict with CUDA's factors alone: a fresh Efficiency at `prefill_efficiency`, returned to set more.
  Efficiency& cuda_only(double prefill_efficiency) {
    Efficiency cuda;
    cuda.backend = Backend::cuda;
    cuda.prefill_efficiency = prefill_efficiency;
    calibration.backends = {cuda};
    return calibration.backends.front();
  }
  SpeedResult speed(std::uint64_t prompt_tokens, std::uint64_t depth_tokens = 0, Engine engine = Engine::llama_cpp) const {
    SpeedRequest s(model, weights, settings, placement, calibration);
    s.prompt_tokens = prompt_tokens;
    s.depth_tokens = depth_tokens;
    s.engine = engine;
    ComputeDevice gpu;
    gpu.id = "gpu";
    gpu.backend = Backend::cuda;
    gpu.bandwidth_bytes_per_s = 936e9;
    gpu.matmul_flops_per_s = 71e12;
    if (!placement.devices.empty()) s.devices = {gpu};
    HostDevice host;
    host.cpu = gpu;
    host.cpu.backend = Backend::cpu;
    host.gpu_link_bytes_per_s = gpu_link_bytes_per_s;
    s.host = host;
    return estimate_speed(s, {});
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

namespace {

CalibrationPoint point(bool decode, double seconds_at_peak, double measured, const std::string& device,
                       const std::string& device_class) {
  CalibrationPoint p;
  p.backend = Backend::cuda;
  p.decode = decode;
  p.seconds_at_peak = seconds_at_peak;
  p.measured_tokens_per_s = measured;
  p.device = device;
  p.device_class = device_class;
  return p;
}

}  // namespace

TEST_CASE("device classes: vendor and memory kind", "[calibration][class]") {
  CHECK(gpu_device_class("NVIDIA", "HBM2e") == "nvidia hbm");
  CHECK(gpu_device_class("amd", "GDDR6") == "amd gddr");
  CHECK(gpu_device_class("intel", "") == "intel gddr");
  CHECK(unified_device_class("Apple") == "apple unified");
  CHECK(cpu_device_class("amd") == "desktop cpu/amd");
  // A platform of six or more memory channels is a server's: Ryzen 9 7950X (2) against Threadripper PRO
  // 5975WX (8) and Xeon 6980P (12).
  CHECK(cpu_device_class("amd", 2) == "desktop cpu/amd");
  CHECK(cpu_device_class("amd", 4) == "desktop cpu/amd");
  CHECK(cpu_device_class("amd", 8) == "server cpu/amd");
  CHECK(cpu_device_class("Intel", 12) == "server cpu/intel");
  // A vendor sits below its platform, which a host of no named CPU (the generic desktop) takes alone.
  CHECK(class_parent("server cpu/intel") == "server cpu");
  CHECK(cpu_device_class("", 2) == "desktop cpu");
  CHECK(cpu_device_class("", 12) == "server cpu");
  Cpu epyc;
  epyc.vendor = "amd";
  epyc.memory_channels = 12;
  epyc.cores = 32;
  RamKind ddr5;
  ddr5.transfer_rate_mt_per_s = 6400;
  CHECK(host_from_cpu(epyc, ddr5, 12).cpu.device_class == "server cpu/amd");
  Gpu h100;
  h100.vendor = "nvidia";
  h100.memory_type = "HBM3";
  h100.backends = {Backend::cuda};
  CHECK(device_from_gpu(h100).device_class == "nvidia hbm");
  // With its architecture named, a GPU's class is that architecture within its vendor's memory kind.
  h100.architecture = "Hopper";
  CHECK(device_from_gpu(h100).device_class == "nvidia hbm/hopper");
  // A numbered architecture sits below its family (the name without the number): RDNA4 in RDNA, CDNA1 in CDNA.
  CHECK(gpu_device_class("AMD", "GDDR6", "RDNA4") == "amd gddr/rdna/rdna4");
  CHECK(gpu_device_class("AMD", "HBM2", "CDNA1") == "amd hbm/cdna/cdna1");
  CHECK(gpu_device_class("AMD", "LPDDR5X", "rdna3.5") == "amd gddr/rdna/rdna3.5");
  CHECK(class_parent("amd gddr/rdna/rdna4") == "amd gddr/rdna");
  CHECK(class_parent("amd gddr/rdna") == "amd gddr");
  CHECK(class_parent("amd gddr").empty());
  CHECK(class_lineage("amd hbm/cdna/cdna1") == std::vector<std::string>{"amd hbm/cdna/cdna1", "amd hbm/cdna", "amd hbm"});
  CHECK(class_lineage("").empty());
  CHECK(in_class("amd gddr/rdna/rdna4", "amd gddr"));
  CHECK(in_class("amd gddr/rdna/rdna4", "amd gddr/rdna"));
  CHECK(in_class("amd gddr/rdna/rdna4", "amd gddr/rdna/rdna4"));
  CHECK_FALSE(in_class("amd gddr/rdna/rdna4", "amd gddr/rdna/rdna3"));
  CHECK_FALSE(in_class("amd gddr/rdna/rdna4", "amd gddr/rd"));  // a whole name, not a prefix
  CHECK_FALSE(in_class("amd gddr", ""));
  // A unified machine's GPU likewise, by its generation; run on its CPU it is a CPU of its vendor.
  CHECK(unified_device_class("Apple", "M4") == "apple unified/m/m4");
  UnifiedSystem m4;
  m4.vendor = "apple";
  m4.architecture = "m4";
  m4.backends = {Backend::metal, Backend::cpu};
  CHECK(device_from_system(m4).device_class == "apple unified/m/m4");
  m4.backends = {Backend::cpu};
  CHECK(device_from_system(m4).device_class == "desktop cpu/apple");
  // Where the catalog names its CPU cores' generation, that generation's CPU class, below the vendor's.
  m4.cpu_architecture = "m4";
  CHECK(device_from_system(m4).device_class == "desktop cpu/apple/m/m4");
  CHECK(class_lineage("desktop cpu/apple/m/m4") ==
        std::vector<std::string>{"desktop cpu/apple/m/m4", "desktop cpu/apple/m", "desktop cpu/apple", "desktop cpu"});
}

TEST_CASE("a unified machine's CPU cores: the machine's bandwidth, cores x 32 FLOP x 3.6 GHz, their generation's class",
          "[calibration][class]") {
  // Apple M2 Max: 400 GB/s, 12 CPU cores: 12 × 32 × 3.6 GHz = 1.3824 TFLOP/s, class desktop cpu/apple/m/m2. The
  // predictor's host and the fit's points of its CPU rows both take this device.
  UnifiedSystem m2;
  m2.meta.id = "m2-max";
  m2.vendor = "apple";
  m2.architecture = "m2";
  m2.cpu_architecture = "m2";
  m2.bandwidth_gb_per_s = 400;
  m2.cpu_cores = 12;
  m2.tdp_watts = 145;
  m2.backends = {Backend::metal, Backend::cpu};
  const ComputeDevice cpu = unified_cpu_device(m2);
  CHECK(cpu.backend == Backend::cpu);
  CHECK(cpu.bandwidth_bytes_per_s == Approx(400e9));
  CHECK(cpu.matmul_flops_per_s == Approx(1.3824e12));
  CHECK(cpu.cores == 12);
  CHECK(cpu.device_class == "desktop cpu/apple/m/m2");
  CHECK(unified_cpu_device_class(m2) == "desktop cpu/apple/m/m2");
  m2.cpu_architecture.clear();  // not named: the vendor's CPU class
  CHECK(unified_cpu_device(m2).device_class == "desktop cpu/apple");
}

TEST_CASE("an architecture class is shrunk toward its parent's share, and one of too few rows takes the parent's",
          "[calibration][class]") {
  // Prefill, seconds_at_peak 1 ms: share = 0.001 × tok/s. Four Ampere rows at 0.6, two Ada rows at 0.3, two
  // GDDR rows without an architecture at 0.4, four HBM rows at 0.2.
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"a1", "a1", "a2", "a2"}) pts.push_back(point(false, 0.001, 600, d, "nvidia gddr/ampere"));
  for (const char* d : {"d1", "d2"}) pts.push_back(point(false, 0.001, 300, d, "nvidia gddr/ada"));
  for (const char* d : {"g1", "g2"}) pts.push_back(point(false, 0.001, 400, d, "nvidia gddr"));
  for (const char* d : {"h1", "h1", "h2", "h2"}) pts.push_back(point(false, 0.001, 200, d, "nvidia hbm"));
  const Calibration c = fit_calibration(pts);
  // The backend: the median of all twelve (0.2 ×4, 0.3 ×2, 0.4 ×2, 0.6 ×4) = (0.3 + 0.4) / 2.
  CHECK(c.get(Backend::cuda).prefill_efficiency == Approx(0.35));
  // NVIDIA GDDR: the eight rows of its own and of its architectures, median (0.4 + 0.6) / 2 = 0.5, pulled
  // toward the backend's 0.35 by one row's worth (kMemoryKindPriorRows): 0.5^(8/9) × 0.35^(1/9) = 0.4806.
  const double gddr = std::pow(0.5, 8.0 / 9) * std::pow(0.35, 1.0 / 9);
  CHECK(c.get(Backend::cuda, "nvidia gddr").prefill_efficiency == Approx(gddr));
  // Ampere: its median 0.6 over n = 4 rows with the parent's share worth k = 4: 0.6^(1/2) × gddr^(1/2).
  CHECK(c.get(Backend::cuda, "nvidia gddr/ampere").prefill_efficiency == Approx(std::sqrt(0.6 * gddr)));
  // Ada's two rows are too few: the parent's factors, as for an architecture without rows.
  CHECK(c.get(Backend::cuda, "nvidia gddr/ada") == c.get(Backend::cuda, "nvidia gddr"));
  CHECK(c.get(Backend::cuda, "nvidia gddr/blackwell") == c.get(Backend::cuda, "nvidia gddr"));
  // An architecture of a parent without rows: the backend's.
  CHECK(c.get(Backend::cuda, "amd gddr/rdna4") == c.get(Backend::cuda));
  // Hopper without rows: NVIDIA HBM's four rows at 0.2, pulled toward 0.35: 0.2^(4/5) × 0.35^(1/5).
  CHECK(c.get(Backend::cuda, "nvidia hbm/hopper").prefill_efficiency == Approx(std::pow(0.2, 0.8) * std::pow(0.35, 0.2)));
}

TEST_CASE("an architecture with too few rows takes its family's share, fitted on the family's generations together",
          "[calibration][class]") {
  // Prefill, seconds_at_peak 1 ms: share = 0.001 × tok/s. Four GCN5 rows at 0.6 of their peak, two CDNA1 rows
  // and one CDNA2 row at 0.2: neither CDNA generation has kMinRowsPerClass rows, their family has three.
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"mi50", "mi50", "mi60", "mi60"}) pts.push_back(point(false, 0.001, 600, d, "amd hbm/gcn/gcn5"));
  for (const char* d : {"mi100", "mi100"}) pts.push_back(point(false, 0.001, 200, d, "amd hbm/cdna/cdna1"));
  pts.push_back(point(false, 0.001, 200, "mi210", "amd hbm/cdna/cdna2"));
  for (CalibrationPoint& p : pts) p.backend = Backend::rocm;
  const Calibration c = fit_calibration(pts);
  // AMD HBM: the median of all seven, 0.6. CDNA: its three rows' 0.2, pulled toward 0.6 by k = 4 rows' worth:
  // 0.2^(3/7) × 0.6^(4/7) = 0.374 — where before CDNA1 and CDNA2 took the memory kind's 0.6.
  CHECK(c.get(Backend::rocm, "amd hbm").prefill_efficiency == Approx(0.6));
  const double cdna = std::pow(0.2, 3.0 / 7) * std::pow(0.6, 4.0 / 7);
  CHECK(c.get(Backend::rocm, "amd hbm/cdna").prefill_efficiency == Approx(cdna));
  CHECK(c.get(Backend::rocm, "amd hbm/cdna/cdna1").prefill_efficiency == Approx(cdna));
  CHECK(c.get(Backend::rocm, "amd hbm/cdna/cdna3").prefill_efficiency == Approx(cdna));  // no rows: the family's
  // GCN5's four rows: 0.6 against its family's 0.6.
  CHECK(c.get(Backend::rocm, "amd hbm/gcn/gcn5").prefill_efficiency == Approx(0.6));
}

TEST_CASE("a card without tensor cores computes prompts at its DP4A rate where it has one", "[calibration][devices]") {
  // Tesla P40: 11.76 TFLOPS FP32, 47 TOPS INT8 (NVIDIA's datasheet); llama.cpp's MMQ runs on __dp4a.
  Gpu p40;
  p40.vendor = "nvidia";
  p40.memory_type = "GDDR5";
  p40.fp32_tflops = 11.76;
  p40.int8_dp4a_tops = 47;
  CHECK(device_from_gpu(p40).matmul_flops_per_s == Approx(47e12));
  p40.int8_dp4a_tops.reset();  // a Maxwell card: FP32 only
  CHECK(device_from_gpu(p40).matmul_flops_per_s == Approx(11.76e12));
  p40.fp16_tensor_tflops = 100;  // tensor cores win over either
  p40.int8_dp4a_tops = 47;
  CHECK(device_from_gpu(p40).matmul_flops_per_s == Approx(100e12));
}


TEST_CASE("Vulkan on an Intel Arc computes prompts in its shader ALUs at FP16, not in the XMX engines", "[calibration][devices]") {
  // Arc B580 (TechPowerUp): 109.36 TFLOPS FP16 XMX, 13.67 TFLOPS FP32, FP16 vector 2:1 = 27.34.
  Gpu b580;
  b580.vendor = "Intel";
  b580.memory_type = "GDDR6";
  b580.fp16_tensor_tflops = 109.36;
  b580.fp32_tflops = 13.67;
  b580.backends = {Backend::sycl, Backend::vulkan};
  CHECK(device_from_gpu(b580).backend == Backend::sycl);
  CHECK(device_from_gpu(b580).matmul_flops_per_s == Approx(109.36e12));  // SYCL's oneDNN GEMMs use XMX
  CHECK(device_from_gpu(b580, Backend::vulkan).matmul_flops_per_s == Approx(27.34e12));
  CHECK(device_from_gpu(b580, Backend::vulkan).backend == Backend::vulkan);
  Gpu r9700;  // Vulkan reaches AMD's and NVIDIA's matrix cores (cooperative matrices): the tensor rate
  r9700.vendor = "amd";
  r9700.fp16_tensor_tflops = 191;
  r9700.fp32_tflops = 47.8;
  CHECK(device_from_gpu(r9700, Backend::vulkan).matmul_flops_per_s == Approx(191e12));
  b580.fp32_tflops.reset();  // a card with no FP32 figure keeps what it has
  CHECK(device_from_gpu(b580, Backend::vulkan).matmul_flops_per_s == Approx(109.36e12));
}
TEST_CASE("device classes get their own share of peak where they have the rows", "[calibration][class]") {
  // Prefill: two GDDR cards reach 0.5 of peak (seconds_at_peak 0.001 at 500 tok/s), two HBM cards 0.3
  // (300 tok/s), two rows each. The backend takes the median of all eight, 0.4; each class its own.
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"g1", "g1", "g2", "g2"}) pts.push_back(point(false, 0.001, 500, d, "nvidia gddr"));
  for (const char* d : {"h1", "h1", "h2", "h2"}) pts.push_back(point(false, 0.001, 300, d, "nvidia hbm"));
  // Decode: four rows per class, each reading 8 ms of bytes at peak; GDDR measures 100 tok/s (0.8 of peak),
  // HBM 62.5 (0.5). With the backend's fixed cost p, a class's share is x / (1/tps − p), so each class's
  // rows are predicted exactly whatever p the backend's own fit chose.
  for (const char* d : {"g1", "g1", "g2", "g2"}) pts.push_back(point(true, 0.008, 100, d, "nvidia gddr"));
  for (const char* d : {"h1", "h1", "h2", "h2"}) pts.push_back(point(true, 0.008, 62.5, d, "nvidia hbm"));
  const Calibration c = fit_calibration(pts);
  CHECK(c.get(Backend::cuda).prefill_efficiency == Approx(0.4));
  // Each memory kind's own median over its n = 4 rows, pulled toward the backend's by one row's worth
  // (kMemoryKindPriorRows): own^(4/5) × backend^(1/5).
  const auto pulled = [](double own, double backend) { return std::pow(own, 0.8) * std::pow(backend, 0.2); };
  CHECK(c.get(Backend::cuda, "nvidia gddr").prefill_efficiency == Approx(pulled(0.5, 0.4)));  // 0.478
  CHECK(c.get(Backend::cuda, "nvidia hbm").prefill_efficiency == Approx(pulled(0.3, 0.4)));   // 0.318
  // Decode likewise, each class's own share x / (1/tps − p) at the backend's fixed cost p.
  const Efficiency& backend = c.get(Backend::cuda);
  const double p = backend.per_token_s;
  const double gddr_bw = pulled(0.008 / (0.01 - p), backend.bandwidth_efficiency);
  const double hbm_bw = pulled(0.008 / (0.016 - p), backend.bandwidth_efficiency);
  CHECK(c.get(Backend::cuda, "nvidia gddr").bandwidth_efficiency == Approx(gddr_bw));
  CHECK(predict_decode_tokens_per_s(c.get(Backend::cuda, "nvidia gddr"), 0.008) == Approx(1 / (0.008 / gddr_bw + p)));
  CHECK(predict_decode_tokens_per_s(c.get(Backend::cuda, "nvidia hbm"), 0.008) == Approx(1 / (0.008 / hbm_bw + p)));
  // The pull costs these rows a few percent: 100 and 62.5 tok/s measured.
  CHECK(predict_decode_tokens_per_s(c.get(Backend::cuda, "nvidia gddr"), 0.008) == Approx(100).epsilon(0.06));
  CHECK(predict_decode_tokens_per_s(c.get(Backend::cuda, "nvidia hbm"), 0.008) == Approx(62.5).epsilon(0.06));
  CHECK(c.get(Backend::cuda, "nvidia hbm").per_token_s == c.get(Backend::cuda).per_token_s);
  // A class without rows, or none at all, gets the backend's factors.
  CHECK(c.get(Backend::cuda, "amd gddr") == c.get(Backend::cuda));
  CHECK(c.get(Backend::cuda, "") == c.get(Backend::cuda));
  CHECK(c.classes.size() == 2);

  // The prefill band: each row predicted without its own device. Without g1 the GDDR class keeps 2 rows,
  // fewer than kMinRowsPerClass, so g1 is predicted at the backend's median without it, 0.3 (six rows:
  // 0.5 0.5 0.3 0.3 0.3 0.3): 0.5 / 0.3 = 1.667. Without h1, 0.5 (0.5 ×4, 0.3 ×2): 0.3 / 0.5 = 0.6.
  const Efficiency& cuda = c.get(Backend::cuda);
  CHECK(cuda.prefill_ratio_low == Approx(0.6));
  CHECK(cuda.prefill_ratio_high == Approx(0.5 / 0.3));
  // A class's band is never narrower than its backend's.
  CHECK(c.get(Backend::cuda, "nvidia hbm").prefill_ratio_low == Approx(0.6));
  CHECK(c.get(Backend::cuda, "nvidia hbm").prefill_ratio_high == Approx(0.5 / 0.3));

  // Two rows are not enough for a class of its own (kMinRowsPerClass = 3, as many as a backend needs).
  std::vector<CalibrationPoint> few(pts.begin(), pts.begin() + 4);
  for (const char* d : {"h1", "h2"}) few.push_back(point(false, 0.001, 300, d, "nvidia hbm"));
  const Calibration f = fit_calibration(few);
  CHECK(f.get(Backend::cuda, "nvidia hbm") == f.get(Backend::cuda));
  CHECK(f.get(Backend::cuda, "nvidia gddr").prefill_efficiency == Approx(0.5));
}

TEST_CASE("the cost per MoE layer is fitted on the MoE rows, each predicted with its class's share", "[calibration][class]") {
  // Decode, 1 ms per token on every row. GDDR cards reach 0.9 of peak bandwidth, HBM ones 0.6; three GDDR
  // rows run a 48-layer MoE model that costs 50 µs more per MoE layer (2.4 ms a token). 1/tps = x / share +
  // 0.001 (+ 0.0024): GDDR dense x = 0.0045 → 0.006 s, x = 0.009 → 0.011 s; HBM x = 0.003 → 0.006 s,
  // x = 0.009 → 0.016 s, x = 0.018 → 0.031 s; MoE GDDR x = 0.0027 → 0.003 + 0.001 + 0.0024 = 0.0064 s.
  std::vector<CalibrationPoint> pts;
  pts.push_back(point(true, 0.0045, 1 / 0.006, "g1", "nvidia gddr"));
  pts.push_back(point(true, 0.009, 1 / 0.011, "g2", "nvidia gddr"));
  pts.push_back(point(true, 0.0045, 1 / 0.006, "g3", "nvidia gddr"));
  pts.push_back(point(true, 0.009, 1 / 0.011, "g4", "nvidia gddr"));
  for (const char* d : {"h1", "h2", "h3"}) {
    pts.push_back(point(true, 0.003, 1 / 0.006, d, "nvidia hbm"));
    pts.push_back(point(true, 0.009, 1 / 0.016, d, "nvidia hbm"));
    pts.push_back(point(true, 0.018, 1 / 0.031, d, "nvidia hbm"));
  }
  for (const char* d : {"g1", "g2", "g3"}) {
    CalibrationPoint p = point(true, 0.0027, 1 / 0.0064, d, "nvidia gddr");
    p.moe_layers = 48;
    pts.push_back(p);
  }
  const Calibration c = fit_calibration(pts);
  // Every row is predicted exactly at (1 ms, 50 µs) with each class's own share; each memory kind's share is
  // pulled a row's worth toward the backend's (kMemoryKindPriorRows), so the fit lands next to it, at
  // (1.1 ms, 45 µs). Fitted on the median error of all 16 rows with the backend's one share (0.6, the nine HBM
  // rows' — the fit before this one), the three MoE rows barely moved that median: it chose no MoE cost, and
  // the MoE rows came out at 250 tok/s against 156 (the RTX 4090's Qwen3-30B-A3B: 301 predicted, 161 measured).
  CHECK(c.get(Backend::cuda).per_token_s == Approx(0.001).epsilon(0.15));
  CHECK(c.get(Backend::cuda).per_moe_layer_s == Approx(50e-6).epsilon(0.15));
  CHECK(c.get(Backend::cuda, "nvidia gddr").bandwidth_efficiency == Approx(0.9).epsilon(0.05));
  CHECK(c.get(Backend::cuda, "nvidia hbm").bandwidth_efficiency == Approx(0.6).epsilon(0.05));
  CHECK(predict_decode_tokens_per_s(c.get(Backend::cuda, "nvidia gddr"), 0.0027, 48) == Approx(1 / 0.0064).epsilon(0.01));
}

TEST_CASE("a GPU backend with too few MoE rows holds the fitted backends' cost per MoE layer, not 0",
          "[calibration]") {
  // CUDA: dense rows at 0.9 of peak and 1 ms a token; three MoE rows of 48 MoE layers at 50 µs more each
  // (x = 0.0027 → 0.003 + 0.001 + 0.0024 = 0.0064 s): it fits its cost per MoE layer. Metal: dense rows at 0.8
  // and 2 ms a token, and two MoE rows of 48 layers at 50 µs each (x = 0.004 → 0.005 + 0.002 + 0.0024 =
  // 0.0094 s): too few to fit one (kMinRowsToFit 3).
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"g1", "g2", "g3"}) {
    pts.push_back(point(true, 0.0045, 1 / 0.006, d, ""));
    pts.push_back(point(true, 0.009, 1 / 0.011, d, ""));
    CalibrationPoint moe = point(true, 0.0027, 1 / 0.0064, d, "");
    moe.moe_layers = 48;
    pts.push_back(moe);
  }
  auto metal = [](double x, double seconds, const char* d, double moe_layers) {
    CalibrationPoint p = point(true, x, 1 / seconds, d, "");
    p.backend = Backend::metal;
    p.moe_layers = moe_layers;
    return p;
  };
  for (const char* d : {"m1", "m2", "m3"}) {
    pts.push_back(metal(0.004, 0.007, d, 0));
    pts.push_back(metal(0.008, 0.012, d, 0));
  }
  pts.push_back(metal(0.004, 0.0094, "m1", 48));
  pts.push_back(metal(0.004, 0.0094, "m2", 48));
  const Calibration c = fit_calibration(pts);
  const Efficiency& cuda = c.get(Backend::cuda);
  REQUIRE(cuda.per_moe_layer_s == Approx(50e-6).epsilon(0.15));
  // Metal holds CUDA's fitted cost (the median of one backend) and refits its own per-token cost and share with
  // it: its MoE rows are predicted within the grid's step, where at 0 µs they came out 1.34× too fast
  // (1 / 0.007 against 1 / 0.0094 s).
  const Efficiency& m = c.get(Backend::metal);
  CHECK(m.per_moe_layer_s == cuda.per_moe_layer_s);
  CHECK(m.per_token_s == Approx(0.002).epsilon(0.05));
  CHECK(m.bandwidth_efficiency == Approx(0.8).epsilon(0.05));
  CHECK(predict_decode_tokens_per_s(m, 0.004, 48) == Approx(1 / 0.0094).epsilon(0.05));
}

TEST_CASE("another engine's prompt speed is fitted on its own rows, its decode is llama.cpp's",
          "[calibration][class][engine]") {
  auto cpu_point = [](bool decode, double measured, const std::string& device, const std::string& device_class,
                      Engine engine) {
    CalibrationPoint p = point(decode, 0.01, measured, device, device_class);
    p.backend = Backend::cpu;
    p.engine = engine;
    if (decode) p.compute_seconds_at_peak = 0.001;
    return p;
  };
  // llama.cpp on two AMD CPUs: prompts at 1.0 of peak FLOP/s (0.01 s of work at peak, 100 tok/s), decode at
  // 0.5 of peak bandwidth (0.01 s of bytes at peak, 50 tok/s).
  std::vector<CalibrationPoint> mainline;
  for (const char* d : {"c1", "c1", "c2", "c2"}) mainline.push_back(cpu_point(false, 100, d, "desktop cpu/amd", Engine::llama_cpp));
  for (const char* d : {"c1", "c1", "c2"}) mainline.push_back(cpu_point(true, 50, d, "desktop cpu/amd", Engine::llama_cpp));
  // ik_llama.cpp on the same AMD CPUs at 2.5 of peak (250 tok/s), on two Intel CPUs at 2.0 (200 tok/s); its
  // decode rows (25 tok/s: 0.25 of peak bandwidth) join the CPU class's decode fit (cpu_decode_points).
  std::vector<CalibrationPoint> pts = mainline;
  for (const char* d : {"c1", "c1", "c2", "c2"}) pts.push_back(cpu_point(false, 250, d, "desktop cpu/amd", Engine::ik_llama_cpp));
  for (const char* d : {"i1", "i1", "i2", "i2"}) pts.push_back(cpu_point(false, 200, d, "desktop cpu/intel", Engine::ik_llama_cpp));
  for (const char* d : {"c1", "c1", "c2", "c2"}) pts.push_back(cpu_point(true, 25, d, "desktop cpu/amd", Engine::ik_llama_cpp));
  const Calibration c = fit_calibration(pts);
  // llama.cpp's backend factors and its classes' prompt shares are those of its own rows alone.
  const Calibration alone = fit_calibration(mainline);
  CHECK(c.backends == alone.backends);
  CHECK(c.get(Backend::cpu, "desktop cpu/amd").prefill_efficiency == alone.get(Backend::cpu, "desktop cpu/amd").prefill_efficiency);
  CHECK(c.get(Backend::cpu, "desktop cpu/amd").prefill_efficiency == Approx(1.0));
  // A CPU class's share of peak bandwidth is the median over every engine's decode rows: 0.5 (three
  // llama.cpp rows) and 0.25 (four ik_llama.cpp rows) give 0.25; alone, llama.cpp's three rows give 0.5. The
  // backend's per-token cost p is taken out (every p fits these rows, so the grid's choice among its first
  // steps is a tie): 0.01 s of bytes over 1/25 − per_token and 1/50 − per_token.
  const double per_token = c.get(Backend::cpu).per_token_s;
  CHECK(per_token < 0.001);
  CHECK(c.get(Backend::cpu, "desktop cpu/amd").bandwidth_efficiency == Approx(0.01 / (0.04 - per_token)));
  CHECK(alone.get(Backend::cpu, "desktop cpu/amd").bandwidth_efficiency ==
        Approx(0.01 / (0.02 - alone.get(Backend::cpu).per_token_s)));
  // ik_llama.cpp: its platform, "desktop cpu", the median of all eight (2.0 ×4, 2.5 ×4) = 2.25; each vendor
  // its own median pulled toward its platform's as an architecture is toward its family (class_share, four
  // rows against kArchitecturePriorRows 4: the geometric mean): AMD √(2.5 × 2.25) = 2.372, Intel
  // √(2.0 × 2.25) = 2.121; a vendor without rows, the platform's.
  const Efficiency& ik_amd = c.get(Backend::cpu, "desktop cpu/amd", Engine::ik_llama_cpp);
  CHECK(ik_amd.engine == Engine::ik_llama_cpp);
  CHECK(c.get(Backend::cpu, "desktop cpu", Engine::ik_llama_cpp).prefill_efficiency == Approx(2.25));
  CHECK(ik_amd.prefill_efficiency == Approx(2.3717).epsilon(1e-4));
  CHECK(c.get(Backend::cpu, "desktop cpu/intel", Engine::ik_llama_cpp).prefill_efficiency == Approx(2.1213).epsilon(1e-4));
  CHECK(c.get(Backend::cpu, "desktop cpu/apple", Engine::ik_llama_cpp).prefill_efficiency == Approx(2.25));
  CHECK(predict_prefill_tokens_per_s(ik_amd, 0.01) == Approx(237.17).epsilon(1e-4));
  // Decode, the few-thread matrix-vector bound included, is llama.cpp's: 50 tok/s, and 0.05 s of work at
  // peak / 1.0 = 20 tok/s on few threads, not 0.05 / 2.5.
  const Efficiency& amd = c.get(Backend::cpu, "desktop cpu/amd");
  CHECK(ik_amd.bandwidth_efficiency == amd.bandwidth_efficiency);
  CHECK(ik_amd.per_token_s == amd.per_token_s);
  CHECK(decode_compute_share(ik_amd) == Approx(1.0));
  CHECK(predict_decode_tokens_per_s(ik_amd, 0.01, 0, 0.05) == Approx(predict_decode_tokens_per_s(amd, 0.01, 0, 0.05)));
  CHECK(predict_decode_tokens_per_s(ik_amd, 0.01, 0, 0.05) == Approx(1.0 / (0.05 + amd.per_token_s)));
  // vLLM has no rows of its own: llama.cpp's. An engine without rows on a backend: llama.cpp's too.
  CHECK(c.get(Backend::cpu, "desktop cpu/amd", Engine::vllm) == amd);
  CHECK(c.get(Backend::cuda, "nvidia gddr", Engine::ik_llama_cpp) == c.get(Backend::cuda));
  // Its prompt band is never narrower than llama.cpp's backend band.
  CHECK(ik_amd.prefill_ratio_low <= c.get(Backend::cpu).prefill_ratio_low);
  CHECK(ik_amd.prefill_ratio_high >= c.get(Backend::cpu).prefill_ratio_high);

  // On a class the engine has no rows of, its prompt share with llama.cpp's decode factors for that class:
  // llama.cpp's CUDA rows give GDDR cards 0.8 of peak bandwidth and HBM cards 0.5 (as in the device-class
  // test above); ik_llama.cpp's rows, all on GDDR cards, 0.6 of peak FLOP/s for prompts.
  std::vector<CalibrationPoint> gpu;
  for (const char* d : {"g1", "g1", "g2", "g2"}) gpu.push_back(point(true, 0.008, 100, d, "nvidia gddr"));
  for (const char* d : {"h1", "h1", "h2", "h2"}) gpu.push_back(point(true, 0.008, 62.5, d, "nvidia hbm"));
  for (const char* d : {"g1", "g1", "g2", "g2"}) {
    CalibrationPoint p = point(false, 0.001, 600, d, "nvidia gddr");
    p.engine = Engine::ik_llama_cpp;
    gpu.push_back(p);
  }
  const Calibration g = fit_calibration(gpu);
  const Efficiency& ik_hbm = g.get(Backend::cuda, "nvidia hbm", Engine::ik_llama_cpp);
  CHECK(ik_hbm.engine == Engine::ik_llama_cpp);
  CHECK(ik_hbm.prefill_efficiency == Approx(0.6));
  CHECK(ik_hbm.bandwidth_efficiency == g.get(Backend::cuda, "nvidia hbm").bandwidth_efficiency);
  CHECK(predict_decode_tokens_per_s(ik_hbm, 0.008) == Approx(predict_decode_tokens_per_s(g.get(Backend::cuda, "nvidia hbm"), 0.008)));
  CHECK(predict_decode_tokens_per_s(ik_hbm, 0.008) == Approx(62.5).epsilon(0.06));
}

TEST_CASE("each prompt micro-batch pays the backend's per-token cost", "[calibration]") {
  // 0.5 of peak and 1 ms per graph: a 512-token prompt in one micro-batch of a model worth 0.1 ms per token at
  // peak takes 512 × 0.1 / 0.5 + 1 = 103.4 ms (4,952 tok/s); a 128-token prompt 26.6 ms (4,812 tok/s).
  Efficiency e;
  e.prefill_efficiency = 0.5;
  e.per_token_s = 0.001;
  CHECK(predict_prefill_tokens_per_s(e, 1e-4, 1.0 / 512) == Approx(512 / 0.1034));
  CHECK(predict_prefill_tokens_per_s(e, 1e-4, 1.0 / 128) == Approx(128 / 0.0266));
  CHECK(predict_prefill_tokens_per_s(e, 1e-4) == Approx(5000));
  // A point's share of peak with that cost taken out: the 128-token one measured at 4,812 tok/s is 0.5.
  CalibrationPoint p = point(false, 1e-4, 128 / 0.0266, "g1", "nvidia gddr");
  p.graph_runs_per_token = 1.0 / 128;
  Efficiency fixed;
  fixed.per_token_s = 0.001;
  CHECK(prefill_share_of(p, fixed) == Approx(0.5));
  fixed.per_token_s = 0;
  CHECK(prefill_share_of(p, fixed) == Approx(1e-4 * 128 / 0.0266));
  // A cost larger than the measured time leaves no share (the row is not fitted).
  fixed.per_token_s = 1.0;
  CHECK(prefill_share_of(p, fixed) == 0);

  // The fit: decode rows give CUDA its 1 ms per token (as in the MoE test above); prompt rows of 128 and 512
  // tokens at 0.5 of peak with that cost per micro-batch are fitted at exactly 0.5.
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"g1", "g2", "g3"}) pts.push_back(point(true, 0.0045, 1 / 0.0055, d, "nvidia gddr"));
  for (const char* d : {"g4", "g5", "g6"}) pts.push_back(point(true, 0.009, 1 / 0.01, d, "nvidia gddr"));
  for (int i = 0; i < 3; ++i) pts.push_back(p);
  CalibrationPoint long_prompt = point(false, 1e-4, 512 / 0.1034, "g4", "nvidia gddr");
  long_prompt.graph_runs_per_token = 1.0 / 512;
  for (int i = 0; i < 3; ++i) pts.push_back(long_prompt);
  const Calibration c = fit_calibration(pts);
  CHECK(c.get(Backend::cuda).per_token_s == Approx(0.001));
  CHECK(c.get(Backend::cuda).prefill_efficiency == Approx(0.5));
}

TEST_CASE("a prompt's micro-batch pays a cost per layer, fitted on models of different depths", "[calibration]") {
  // CUDA at 0.5 of peak, 1 ms per graph and 50 µs per layer. A 16-layer model worth 0.1 ms per token at peak,
  // 128 tokens in one micro-batch: 128 × 0.2 + 1 + 16 × 0.05 = 27.4 ms (4,672 tok/s); a 32-layer model worth
  // 0.2 ms, 512 tokens: 204.8 + 1 + 1.6 = 207.4 ms; a 64-layer one worth 0.4 ms: 409.6 + 1 + 3.2 = 413.8 ms.
  Efficiency e;
  e.prefill_efficiency = 0.5;
  e.per_token_s = 0.001;
  e.per_layer_prompt_s = 50e-6;
  CHECK(graph_run_seconds(e, 16) == Approx(0.0018));
  CHECK(predict_prefill_tokens_per_s(e, 1e-4, 1.0 / 128, 16) == Approx(128 / 0.0274));
  CHECK(predict_prefill_tokens_per_s(e, 4e-4, 1.0 / 512, 64) == Approx(512 / 0.4138));
  // Without the cost per layer the 16-layer row reads as 0.4672 of peak, the 64-layer one as 0.4949: the
  // shallower the model and the shorter the prompt, the more the fixed cost weighs.
  auto prompt = [](double x, double tokens, double layers, double seconds, const char* device) {
    CalibrationPoint p = point(false, x, tokens / seconds, device, "nvidia gddr");
    p.graph_runs_per_token = 1.0 / tokens;
    p.layers = layers;
    return p;
  };
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"g1", "g2", "g3"}) pts.push_back(point(true, 0.0045, 1 / 0.0055, d, "nvidia gddr"));
  for (const char* d : {"g4", "g5", "g6"}) pts.push_back(point(true, 0.009, 1 / 0.01, d, "nvidia gddr"));
  for (const char* d : {"g1", "g2"}) pts.push_back(prompt(1e-4, 128, 16, 0.0274, d));
  for (const char* d : {"g3", "g4"}) pts.push_back(prompt(2e-4, 512, 32, 0.2074, d));
  for (const char* d : {"g5", "g6"}) pts.push_back(prompt(4e-4, 512, 64, 0.4138, d));
  CHECK(prefill_share_of(pts[6], Efficiency{}) == Approx(1e-4 * 128 / 0.0274));
  const Calibration c = fit_calibration(pts);
  CHECK(c.get(Backend::cuda).per_token_s == Approx(0.001));
  CHECK(c.get(Backend::cuda).per_layer_prompt_s == Approx(50e-6));
  CHECK(c.get(Backend::cuda).prefill_efficiency == Approx(0.5));
  // The CPU backend pays no cost per layer: its graph runs on the threads that compute it.
  std::vector<CalibrationPoint> cpu;
  for (const auto& p : pts) {
    CalibrationPoint q = p;
    q.backend = Backend::cpu;
    cpu.push_back(q);
  }
  CHECK(fit_calibration(cpu).get(Backend::cpu).per_layer_prompt_s == 0);
}

TEST_CASE("check's prompt on a GPU pays the cost per layer once per micro-batch", "[speed][calibration]") {
  // Llama 3.1 8B (32 layers) on one GPU, a 1,024-token prompt in two micro-batches of 512: 50 µs per layer
  // adds 2 × 32 × 50 µs = 3.2 ms to the prompt's time, whatever the rest of it.
  Placed gpu(test::llama_3_1_8b(), true);
  REQUIRE(gpu.placement.verdict == Verdict::fits);
  REQUIRE(gpu.settings.runtime.ubatch == 512);
  gpu.cuda_only(0.5).per_token_s = 0.001;
  const double without = 1024 / gpu.speed(1024).prefill_tokens_per_s;
  gpu.calibration.backends.front().per_layer_prompt_s = 50e-6;
  const double with = 1024 / gpu.speed(1024).prefill_tokens_per_s;
  CHECK(with - without == Approx(2 * 32 * 50e-6));
}

TEST_CASE("GPUs of a layer split share the per-token cost: half each pays whole, half by the layers it runs", "[speed][calibration]") {
  // Two GPUs of 16 and 48 layers: 0.5 + 0.5 × 16/64 = 0.625 and 0.5 + 0.5 × 48/64 = 0.875 — together 1.5 of
  // one GPU's cost, 1 + (n − 1) × 0.5. Six GPUs of 5 layers each pay 0.5 + 0.5/6 each, 3.5 together.
  CHECK(split_per_token_share(16, 64, 2) == Approx(0.625));
  CHECK(split_per_token_share(48, 64, 2) == Approx(0.875));
  CHECK(6 * split_per_token_share(5, 30, 6) == Approx(3.5));
  CHECK(split_per_token_share(64, 64, 1) == 1);
  // RX 7900 XTX ×6, Gemma 3 1B (fit row rx-7900-xtx-x6-rocm-gemma-3-1b-q4-k-m-tg128, 141.9 tok/s = 7.05 ms):
  // 1.11 ms of streaming and ROCm's 3.05 ms per token. Every GPU paying it whole: 1.11 + 6 × 3.05 = 19.4 ms
  // (52 tok/s); shared: 1.11 + 3.5 × 3.05 = 11.8 ms (85 tok/s).
  Efficiency rocm;
  rocm.bandwidth_efficiency = 1;
  rocm.per_token_s = 3.05e-3;
  double shared = 0;
  for (int gpu = 0; gpu < 6; ++gpu) shared += decode_seconds(rocm, 1.11e-3 / 6, 0, 0, split_per_token_share(26.0 / 6, 26, 6));
  CHECK(shared == Approx(1.11e-3 + 3.5 * 3.05e-3));
}

TEST_CASE("a CPU class's bandwidth share is fitted on rows that ran at least half its cores", "[calibration][class]") {
  // Four decode rows of an 8-channel server on all its cores read 0.05 s of bytes at peak and run at 10 tok/s
  // (0.5 of peak); four on 2 of 32 cores (thread_share 1/16) at 2 tok/s: those cores' outstanding reads, not
  // the channels, bound them. The class's share comes from the first four alone, the backend's fixed cost
  // taken out: 0.05 / (0.1 − per_token_s). With all eight it would be their median, ~0.3.
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"s1", "s2", "s3", "s4"}) pts.push_back(point(true, 0.05, 10, d, "server cpu/amd"));
  for (const char* d : {"s5", "s6", "s7", "s8"}) {
    CalibrationPoint few = point(true, 0.05, 2, d, "server cpu/amd");
    few.thread_share = 2.0 / 32;
    pts.push_back(few);
  }
  for (auto& p : pts) p.backend = Backend::cpu;
  const Calibration c = fit_calibration(pts);
  const Efficiency& server = c.get(Backend::cpu, "server cpu/amd");
  REQUIRE(server.device_class == "server cpu/amd");
  CHECK(server.bandwidth_efficiency == Approx(0.05 / (0.1 - c.get(Backend::cpu).per_token_s)));
  CHECK(server.bandwidth_efficiency > 0.45);
}

TEST_CASE("a host of no named CPU takes the desktop platform's share, not every CPU's", "[calibration][class]") {
  // Decode rows that read 0.01 s of bytes at peak: four on desktop AMD CPUs at 70 tok/s (0.7 of peak), one on
  // a desktop Intel at 60 (0.6), four on Intel servers at 30 (0.3, twelve channels: cpu_device_class).
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"a1", "a2", "a3", "a4"}) pts.push_back(point(true, 0.01, 70, d, cpu_device_class("amd", 2)));
  pts.push_back(point(true, 0.01, 60, "i1", cpu_device_class("intel", 2)));
  for (const char* d : {"x1", "x2", "x3", "x4"}) pts.push_back(point(true, 0.01, 30, d, cpu_device_class("intel", 12)));
  for (auto& p : pts) p.backend = Backend::cpu;
  const Calibration c = fit_calibration(pts);
  const double p = c.get(Backend::cpu).per_token_s;
  auto share = [&](double tok_per_s) { return 0.01 / (1 / tok_per_s - p); };
  // The backend: the median of all nine rows, the desktop Intel's 0.6 — what a generic desktop host (class
  // "desktop cpu", hardware_builder) took before, below every desktop row but one.
  CHECK(c.get(Backend::cpu).bandwidth_efficiency == Approx(share(60)));
  // The desktop platform: the median of its five rows, 0.7; the server platform: its four, 0.3.
  CHECK(c.get(Backend::cpu, cpu_device_class("", 2)).bandwidth_efficiency == Approx(share(70)));
  CHECK(c.get(Backend::cpu, cpu_device_class("", 12)).bandwidth_efficiency == Approx(share(30)));
  // A desktop Intel has one row, too few for a class: its platform's 0.7, not the backend's 0.6.
  CHECK(c.get(Backend::cpu, cpu_device_class("intel", 2)).bandwidth_efficiency == Approx(share(70)));
  // The AMD desktops' four rows pulled toward their platform's identical median: 0.7.
  CHECK(c.get(Backend::cpu, cpu_device_class("amd", 2)).bandwidth_efficiency == Approx(share(70)));
}

TEST_CASE("a GPU backend without fit rows borrows the fitted GPU backends' median fixed costs", "[calibration]") {
  // CUDA fitted at 1 ms per token (the rows of "each prompt micro-batch pays the backend's per-token cost");
  // ROCm's rows at 3 ms. SYCL has none: it takes their median, 2 ms, not 0 — an MoE model on it would
  // otherwise decode as if its graph cost nothing. The CPU keeps its own (none here: 0).
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"g1", "g2", "g3"}) pts.push_back(point(true, 0.0045, 1 / 0.0055, d, "nvidia gddr"));
  for (const char* d : {"g4", "g5", "g6"}) pts.push_back(point(true, 0.009, 1 / 0.01, d, "nvidia gddr"));
  for (const char* d : {"r1", "r2", "r3"}) {
    pts.push_back(point(true, 0.0045, 1 / 0.0075, d, "amd gddr"));
    pts.back().backend = Backend::rocm;
  }
  for (const char* d : {"r4", "r5", "r6"}) {
    pts.push_back(point(true, 0.009, 1 / 0.012, d, "amd gddr"));
    pts.back().backend = Backend::rocm;
  }
  const Calibration c = fit_calibration(pts);
  REQUIRE(c.get(Backend::cuda).per_token_s == Approx(0.001));
  REQUIRE(c.get(Backend::rocm).per_token_s == Approx(0.003));
  CHECK(c.get(Backend::sycl).decode_rows == 0);
  CHECK(c.get(Backend::sycl).per_token_s == Approx(0.002));
  CHECK(c.get(Backend::cpu).per_token_s == 0);
}

TEST_CASE("a GPU backend's attention share is fitted on its prompts after a filled context", "[calibration][attention]") {
  // CUDA prompts at 0.5 of peak: three at depth 0 (0.1 ms of matrix work per token at peak: 5,000 tok/s), and
  // three after 4K, 8K and 16K tokens whose attention, at peak, adds 0.02, 0.04 and 0.08 ms a token and runs
  // at 0.25 of the matrix share: (0.1 + 0.02 / 0.25) / 0.5 = 0.36 ms (2,777.8 tok/s), (0.1 + 0.16) / 0.5 =
  // 0.52 ms, (0.1 + 0.32) / 0.5 = 0.84 ms.
  std::vector<CalibrationPoint> pts;
  for (const char* d : {"g1", "g2", "g3"}) pts.push_back(point(false, 1e-4, 5000, d, "nvidia gddr"));
  const std::vector<std::pair<double, double>> depths{{4096, 2e-5}, {8192, 4e-5}, {16384, 8e-5}};
  for (const auto& [depth, attention] : depths) {
    CalibrationPoint p = point(false, 1e-4, 1 / ((1e-4 + attention / 0.25) / 0.5), "g1", "nvidia gddr");
    p.depth_tokens = depth;
    p.attention_seconds_at_peak = attention;
    pts.push_back(p);
  }
  const Calibration c = fit_calibration(pts);
  const Efficiency& cuda = c.get(Backend::cuda);
  CHECK(cuda.attention_efficiency == Approx(0.25));
  CHECK(attention_share(cuda) == Approx(0.25));
  // The depth rows fit the attention share alone: the prefill share is the depth-0 rows' 0.5, and their class's
  // factors carry the backend's attention share.
  CHECK(cuda.prefill_efficiency == Approx(0.5));
  CHECK(attention_share(c.get(Backend::cuda, "nvidia gddr")) == Approx(0.25));
  // A point's seconds at peak price its attention at the share: 0.1 + 0.08 / 0.25 = 0.42 ms at 16K.
  CHECK(prefill_seconds_at_peak(pts.back(), cuda) == Approx(1e-4 + 8e-5 / 0.25));
  CHECK(predict_prefill_tokens_per_s(cuda, prefill_seconds_at_peak(pts.back(), cuda)) == Approx(1 / 0.00084));
  // A row faster than its matrix work alone says only that attention is fast: the upper bound.
  std::vector<CalibrationPoint> fast = pts;
  for (std::size_t i = 3; i < fast.size(); ++i) fast[i].measured_tokens_per_s = 6000;
  CHECK(fit_calibration(fast).get(Backend::cuda).attention_efficiency == Approx(kMaxAttentionShare));
  // Two depth rows are too few: the GPU default (kGpuAttentionEfficiency); a held-back row does not count.
  pts[5].holdout = true;
  const Calibration few = fit_calibration(pts);
  CHECK(few.get(Backend::cuda).attention_efficiency == 0);
  CHECK(attention_share(few.get(Backend::cuda)) == Approx(kGpuAttentionEfficiency));
  // The CPU keeps its own: its prompt attention runs through llama.cpp's CPU kernels (cpu_attention.h).
  CHECK(attention_share(few.get(Backend::cpu)) == Approx(kCpuAttentionEfficiency));
}

TEST_CASE("check's prompt after a filled context prices its attention at the backend's fitted share", "[speed][calibration][attention]") {
  // Llama 3.1 8B on one GPU (71 TFLOP/s), a 512-token prompt after 8,192 tokens: its attention FLOPs per token
  // (prompt_attention_flops_per_token) at 0.35 of the prefill share of 0.5 instead of the default 0.7 add
  // 512 × attention × (1/0.35 - 1/0.7) / (71e12 × 0.5) seconds; at depth 0 the prompt's own attention moves too.
  Placed gpu(test::llama_3_1_8b(), true);
  REQUIRE(gpu.placement.verdict == Verdict::fits);
  gpu.cuda_only(0.5);
  const double before = 512 / gpu.speed(512, 8192).prefill_tokens_per_s;
  gpu.calibration.backends.front().attention_efficiency = 0.35;
  const double after = 512 / gpu.speed(512, 8192).prefill_tokens_per_s;
  const double attention = prompt_attention_flops_per_token(gpu.model, summarize_layers(gpu.model), 512, 8192);
  CHECK(after - before == Approx(512 * attention * (1 / 0.35 - 1 / 0.7) / (71e12 * 0.5)));
  // Each prompt token attends to the 8,192 cached cells and half the prompt (8,448 on average,
  // mean_cells_seen) in 32 layers × 32 heads × (2 × 128 + 2 × 128) FLOPs: 4.43 GFLOP a token, 2.27 TFLOP
  // over the prompt, 0.064 s more at 0.35.
  CHECK(attention == Approx(32.0 * 32 * 512 * (8192 + 512 / 2.0)));
}

TEST_CASE("an ik_llama.cpp prediction prints its engine's case band, else llama.cpp's", "[speed][calibration][case]") {
  // One GPU holding Llama 3.1 8B; CUDA's own bands 0.8–1.2 (decode) and 0.7–1.3 (prefill). llama.cpp's rows of
  // the case: decode 0.6–1.15, prefill 0.75–1.25; ik_llama.cpp's: prefill 0.45–1.35, no decode band of its own.
  Placed gpu(test::llama_3_1_8b(), true);
  REQUIRE(gpu.placement.verdict == Verdict::fits);
  gpu.cuda_only(0.5);
  CaseBand mainline{.speed_case = SpeedCase::one_gpu_dense, .decode_ratio_low = 0.6, .decode_ratio_high = 1.15,
                    .prefill_ratio_low = 0.75, .prefill_ratio_high = 1.25, .decode_rows = 20, .prefill_rows = 20};
  CaseBand ik{.speed_case = SpeedCase::one_gpu_dense, .engine = Engine::ik_llama_cpp, .prefill_ratio_low = 0.45,
              .prefill_ratio_high = 1.35, .prefill_rows = 12};
  gpu.calibration.case_bands = {mainline, ik};
  const SpeedResult l = gpu.speed(512);
  CHECK(l.prefill_low == Approx(0.7 * l.prefill_tokens_per_s));  // the hull of 0.7–1.3 and 0.75–1.25
  CHECK(l.prefill_high == Approx(1.3 * l.prefill_tokens_per_s));
  CHECK(l.decode_low == Approx(0.6 * l.decode_tokens_per_s));
  const SpeedResult i = gpu.speed(512, 0, Engine::ik_llama_cpp);
  CHECK(i.prefill_low == Approx(0.45 * i.prefill_tokens_per_s));
  CHECK(i.prefill_high == Approx(1.35 * i.prefill_tokens_per_s));
  CHECK(i.decode_low == Approx(0.6 * i.decode_tokens_per_s));  // llama.cpp's decode band: ik has none
  CHECK(i.decode_high == Approx(1.2 * i.decode_tokens_per_s));
}

TEST_CASE("a prompt's layers in system RAM are copied to the GPU and multiplied there, one after the other", "[speed][offload]") {
  // Llama 3.1 8B Q8_0 with -ngl 17 (the output layer and the last 16 of 32 layers on the GPU) against all 33 on
  // it, a 512-token prompt (one micro-batch), PCIe 4.0 x16 (31.5 GB/s). llama.cpp's op offload copies the
  // CPU-held layers' weights to the GPU at kHostWeightStreamEfficiency of the link and multiplies them there, so
  // the GPU does the same matrix work either way and the prompt takes longer by the copy alone.
  Placed all(test::llama_3_1_8b(), true, 33);
  Placed half(test::llama_3_1_8b(), true, 17);
  REQUIRE(all.placement.verdict == Verdict::fits);
  REQUIRE(half.placement.devices.front().layers == 16);
  for (Placed* p : {&all, &half}) {
    p->cuda_only(0.5);
    p->gpu_link_bytes_per_s = 31.5e9;
  }
  const double held = static_cast<double>(half.placement.host.weights_bytes - all.placement.host.weights_bytes);
  // 16 layers of Q8_0 (218.1 M values each at 34/32 bytes): 3.71 GB, 0.236 s at 15.75 GB/s.
  CHECK(held == Approx(16.0 * 218103808 * 34 / 32).epsilon(0.001));
  const double t_all = 512 / all.speed(512).prefill_tokens_per_s;
  const double t_half = 512 / half.speed(512).prefill_tokens_per_s;
  CHECK(t_half - t_all == Approx(held / (31.5e9 * kHostWeightStreamEfficiency)));
  // Before stop 30 the CPU-held layers paid the copy alone: fewer layers on the GPU made the prompt faster
  // than the whole model's matrix work allows. The 4080's Qwen2.5-32B rows (ik_llama.cpp issue #255) fall from
  // 1,030 tok/s at -ngl 45 to 751 at -ngl 10, as the copy grows by what each layer holds.
  CHECK(t_half > t_all);
}
