#pragma once
/// Decode and prefill speed: where the bytes are read and the FLOPs are done, with efficiency
/// factors fitted per backend on published llama-bench results (docs/calibration.md).
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/engine/benchmark.h"
#include "llmsize/engine/hardware.h"
#include "llmsize/engine/layer_summary.h"
#include "llmsize/engine/placement.h"
#include "llmsize/engine/quant.h"
#include "llmsize/engine/speed_case.h"

namespace llmsize::engine {

/// A device's peak rates, from the catalog.
struct ComputeDevice {
  std::string id;
  Backend backend = Backend::cuda;
  double bandwidth_bytes_per_s = 0;
  double matmul_flops_per_s = 0;  ///< dense FP16 matrix throughput (CPU: cores × FLOP/cycle × clock)
  double tdp_watts = 0;
  double idle_watts = 0;
  std::uint32_t cores = 0;  ///< CPU: physical cores (matmul_flops_per_s counts them all); 0 for GPUs
  /// The class its efficiency is fitted per beside the backend (device_class); empty: the backend's alone.
  std::string device_class;
  /// The share of its FP16 matrix path's speed that BF16 weights' prompt matrices reach on its backend
  /// (bf16_matmul_share): below 1 where the backend has no BF16 matrix kernel for it.
  double bf16_matmul_share = 1;
};

/// What llama.cpp's Vulkan backend multiplies BF16 weights with on an AMD GPU whose driver (RADV) reports no
/// BF16 cooperative matrix, RDNA3 and RDNA3.5: the scalar `matmul_bf16` shader, which converts each value to
/// FP32 and runs ordinary FP32 FMAs, against the FP16 cooperative matrix (WMMA) that quantized and F16 weights
/// use. An RDNA3 compute unit issues 128 single-issue FP32 FLOP per clock against 512 FP16 WMMA FLOP:
/// 0.25 (docs/research/bf16-amd.md; Strix Halo's BF16 prompts on Vulkan RADV measured 3.1–4.1× slower than
/// the FP16 path predicts). RDNA4's RADV reports BF16 cooperative matrices (kyuz0's R9700 logs, `bf16: 1`),
/// and so does NVIDIA's Vulkan driver from R580.
inline constexpr double kVulkanScalarBf16Share = 0.25;
/// BF16 on an AMD GPU without BF16 instructions, GCN (gfx906: MI50, MI60, Radeon VII, Vega) and RDNA1/RDNA2
/// (RX 5000/6000): neither ROCm nor Vulkan has a BF16 path that beats FP32 there. ROCm hands BF16 weights to
/// hipBLAS/rocBLAS in BF16 (ggml-cuda.cu ggml_cuda_mul_mat_cublas: compute_type = src0->type), which on
/// these chips widens to FP32 and runs FP32 FMAs; since PR #28846 (2026-09) llama.cpp converts large batches
/// to FP32 SGEMM itself. Vulkan runs the scalar shader as on RDNA3. Their FP16 rate, the catalog's matrix
/// rate, is packed math at twice FP32 (MI50 26.5 against 13.3 TFLOPS, RX 6800 32.3 against 16.2): 0.5.
/// Measured: llama 1B BF16 prompts at -ub 128–512 on an MI50 and an RX 6800 (PR #24216, #28846) ran at
/// 0.50–0.69 of what the FP16 path predicts (docs/calibration.md "BF16 on AMD GPUs without BF16").
inline constexpr double kFp32OnlyBf16Share = 0.5;
/// The share of the FP16 matrix path's speed that BF16 weights reach on backend `b` on a GPU of `vendor` and
/// `architecture` (catalog ids, "rdna3.5"): kVulkanScalarBf16Share on Vulkan for AMD RDNA3/RDNA3.5;
/// kFp32OnlyBf16Share on ROCm and Vulkan for AMD GCN, RDNA1 and RDNA2; else 1.
[[nodiscard]] double bf16_matmul_share(Backend b, const std::string& vendor, const std::string& architecture);

/// A device's class for calibration: its vendor and the kind of memory it streams weights from, the two
/// things the fit rows show moving a backend's share of peak (docs/calibration.md "Device classes"):
/// "nvidia hbm" (A100, H100), "amd gddr" (RX 7900 XTX), "apple unified", "nvidia unified" (DGX Spark),
/// "desktop cpu/amd". A GPU is "hbm" when its memory type names HBM, otherwise "gddr". Where the catalog names
/// the GPU's architecture, its class is that architecture within the vendor's memory kind,
/// "nvidia gddr/ampere", "amd gddr/rdna4": a generation's kernels reach their own share of peak (RDNA4's
/// decode measured 1.1–1.2× what the AMD GDDR factors predict, Pascal's 0.6–0.8×; docs/calibration.md
/// "One split rule and architecture classes"). An architecture with too few fit rows takes its parent's
/// factors (class_parent).
[[nodiscard]] std::string gpu_device_class(const std::string& vendor, const std::string& memory_type,
                                           const std::string& architecture = "");
/// The class a device class falls back to where it has no factors of its own: "nvidia gddr" for
/// "nvidia gddr/ampere", "amd hbm/cdna" for "amd hbm/cdna/cdna1" (a numbered architecture sits below its
/// family: the generations of one family share kernels, CDNA1 and CDNA2 prompts both reach ~0.2 of their MFMA
/// peak where GCN5 reaches 0.6 of its vector peak); empty for a class without an architecture (its backend's).
[[nodiscard]] std::string class_parent(const std::string& device_class);
/// Between a class and the family or architecture below it: "amd hbm/cdna/cdna1".
inline constexpr char kClassSeparator = '/';
/// Whether a device of class `device_class` counts among class `name`'s rows: the class itself or one it
/// descends from ("amd hbm/cdna/cdna1" is in "amd hbm/cdna" and in "amd hbm").
[[nodiscard]] bool in_class(const std::string& device_class, const std::string& name);
/// A class and each class it descends from, nearest first: "amd hbm/cdna/cdna1", "amd hbm/cdna", "amd hbm".
[[nodiscard]] std::vector<std::string> class_lineage(const std::string& device_class);
/// A unified machine's GPU: "apple unified", or with its generation named, "apple unified/m4" (its parent
/// "apple unified", as for a GPU's architecture).
[[nodiscard]] std::string unified_device_class(const std::string& vendor, const std::string& architecture = "");
/// A CPU's class: its platform, then its vendor below it: "desktop cpu/amd" (Ryzen, Core, a laptop's or
/// a unified machine's CPU), "server cpu/amd" for a platform of kServerMemoryChannels or more memory
/// channels (EPYC, Xeon, Threadripper PRO). A server's decode reaches a far smaller share of its channels'
/// peak than a desktop's (fit rows: Threadripper PRO 5975WX and Xeon 6980P at 0.5 of what the desktop
/// share predicts, Ryzen 9 7950X at 1.3; docs/calibration.md "CPU platforms"), and a vendor with few rows
/// takes its platform's share, not that of every CPU (docs/calibration.md "A desktop CPU named by no
/// one"). `memory_channels` 0: not a socket of its own (a unified machine's CPU, a desktop's platform).
/// No vendor: the platform alone, "desktop cpu" (the generic desktop host).
[[nodiscard]] std::string cpu_device_class(const std::string& vendor, std::uint32_t memory_channels = 0);
inline constexpr const char* kDesktopCpuClass = "desktop cpu";
inline constexpr const char* kServerCpuClass = "server cpu";
inline constexpr std::uint32_t kServerMemoryChannels = 6;
/// A catalog CPU's class, its bus counted in 64-bit channels (a Raspberry Pi 5's 2 × 16 bit is 0:
/// "desktop cpu/broadcom").
[[nodiscard]] std::string cpu_device_class(const Cpu& c);

/// System memory and CPU of the host (the CPU part of an offload, or a CPU-only run).
struct HostDevice {
  ComputeDevice cpu;                 ///< backend cpu; bandwidth = channels × MT/s × 8 bytes
  double gpu_link_bytes_per_s = 0;   ///< PCIe to the GPUs (weights streamed for prompt batches)
};

/// A GPU as `backend` runs it (unset: the card's first backend, else Vulkan). The matrix rate is what that
/// backend's prompt kernels run on: tensor cores (FP16 matrix) where the card has them, else DP4A (INT8,
/// llama.cpp's quantized matmul), else FP32 — except Vulkan on an Intel GPU, which runs in the shader ALUs
/// (vulkan_uses_matrix_engines).
[[nodiscard]] ComputeDevice device_from_gpu(const Gpu& g, std::optional<Backend> backend = std::nullopt);
/// Whether llama.cpp's Vulkan backend reaches a card's matrix engines. Not on Intel: it enables cooperative
/// matrices on Xe2 only ("some older hardware (ex. Arc A770) has performance regressions", PR #14001), and
/// where it does, an Arc B580 (Xe2) measured 621 tok/s on LLaMA 2 7B Q4_0 pp512 = 8.4 TFLOP/s, 8% of its
/// 109 TFLOPS XMX peak and 61% of its 13.7 TFLOPS FP32 (scoreboard #10879, b6527); SYCL on the same card
/// reached 36 TFLOP/s (ipex-llm #12991). So Vulkan on Intel is given its shader ALUs' FP16 rate: llama.cpp's
/// Vulkan matrix shader (mul_mm.comp) computes in float16_t where the device has shaderFloat16, and Arc's
/// vector engines run FP16 at kShaderFp16PerFp32 × FP32 (A770 39.3 against 19.7 TFLOPS, B580 27.3 against
/// 13.7: TechPowerUp's GPU database).
[[nodiscard]] bool vulkan_uses_matrix_engines(const std::string& vendor);
inline constexpr double kShaderFp16PerFp32 = 2.0;
/// A unified machine as `backend` runs it (unset: its first backend): on a GPU backend its GPU (the unified
/// class, bf16_matmul_share for that backend); a machine whose first backend is the CPU has no GPU backend and
/// stays on its CPU whatever is asked.
[[nodiscard]] ComputeDevice device_from_system(const UnifiedSystem& s, std::optional<Backend> backend = std::nullopt);
/// FLOP per cycle of the CPU cores of a unified-memory machine, at the vector width llama.cpp's CPU matmuls
/// use: Apple's performance cores (Firestorm and later) have four 128-bit FP/SIMD pipelines (4 × 4 lanes ×
/// 2 = 32; a commonly reported figure, not checked against Apple's own documentation here), as Zen 5 (Strix
/// Halo) does with llama.cpp's 256-bit AVX2 kernels (2 × 8 × 2 = 32; flops_per_cycle). The
/// catalog's Apple M2 Max CPU rows (Llama 3.1 8B pp512, 8 threads, every type but the ARM-repacked Q4_0
/// and IQ4_NL) measured 0.52–0.60 of the prediction at 16 (docs/calibration.md "CPU matrix multiplication").
inline constexpr double kUnifiedCpuFlopsPerCycle = 32;
/// Clock of a unified-memory machine's CPU cores for that rate, per thread run (-t counts threads against
/// cpu_cores since issue 13's CPU decode work). The M2 Max rows above were matched at 12 cores × 2.4 GHz
/// = 28.8 core-GHz while running 8 threads, i.e. 3.6 GHz per thread: the same rate, now per thread, and
/// close to the M2 Max performance cores' 3.7 GHz. Threads beyond the performance cores (Apple's efficiency
/// cores) are counted at this clock too, which overstates them.
inline constexpr double kUnifiedCpuClockGhz = 3.6;
/// The class of a unified machine's CPU cores: the vendor's CPU class with the cores' generation where the
/// catalog names it (cpu_architecture), "desktop cpu/apple/m/m2" below "desktop cpu/apple/m",
/// "desktop cpu/apple" and "desktop cpu"; else cpu_device_class(vendor), "desktop cpu/amd". The M2 Max's CPU
/// decode reads a smaller share of its 400 GB/s than the M4 Max's of its 546 (docs/calibration.md "The CPU of
/// a unified machine").
[[nodiscard]] std::string unified_cpu_device_class(const UnifiedSystem& s);
/// A unified machine's CPU cores as llama.cpp's CPU backend runs them: the machine's bandwidth, cpu_cores ×
/// kUnifiedCpuFlopsPerCycle × kUnifiedCpuClockGhz, and unified_cpu_device_class. The predictor's host and
/// the fit's points of CPU rows on such a machine both take it, so they count alike.
[[nodiscard]] ComputeDevice unified_cpu_device(const UnifiedSystem& s);
/// The matrix rate a GPU or system without any TFLOPS in its catalog entry (a user's --catalog card) is
/// given, so that a prompt still gets a speed; the front ends say so (assumption key `tflops`).
inline constexpr double kUnknownGpuTflops = 1.0;
inline constexpr double kUnknownSystemTflops = 0.5;
[[nodiscard]] bool has_tflops(const Gpu& g);
[[nodiscard]] bool has_tflops(const UnifiedSystem& s);
/// Peak FLOP/s of a CPU: cores × FLOP per cycle of its widest SIMD × base clock.
[[nodiscard]] double cpu_flops_per_s(const Cpu& c);
/// Channels × transfer rate × the kind's channel width in bytes: 2 × 3600 MT/s × 8 B = 57.6 GB/s (DDR4,
/// 64-bit channels); Raspberry Pi 5: 2 × 4266 MT/s × 2 B = 17.06 GB/s (LPDDR4X, 16-bit channels).
[[nodiscard]] double ram_bandwidth_bytes_per_s(const RamKind& r, std::uint32_t channels);
/// Bits of a CPU's memory bus: memory_channels × memory_channel_width_bits (Ryzen 7 7940HS: 2 × 64 = 128).
[[nodiscard]] std::uint32_t memory_bus_width_bits(const Cpu& c);
/// Channels of kind r that a bus of this many bits holds, at least 1: a 128-bit bus is 2 DDR5 or 8 LPDDR5X
/// channels, so both kinds give the same bus its bandwidth.
[[nodiscard]] std::uint32_t ram_channels_on_bus(const RamKind& r, std::uint32_t bus_width_bits);
/// The channels of kind r a catalog CPU has: ram_channels_on_bus(r, memory_bus_width_bits(c)).
[[nodiscard]] std::uint32_t cpu_ram_channels(const Cpu& c, const RamKind& r);
[[nodiscard]] HostDevice host_from_cpu(const Cpu& c, const RamKind& r, std::uint32_t channels);
/// PCIe bandwidth of a GPU's host link (per direction): gen 3/4/5 × lanes.
[[nodiscard]] double pcie_bytes_per_s(std::uint32_t gen, std::uint32_t lanes);

/// What one backend reaches of its peak rates, and how far measurements scatter around it.
struct Efficiency {
  Backend backend = Backend::cpu;
  /// The engine whose runs these factors predict: llama.cpp's (also vLLM's, which has no rows of its own) or
  /// another engine's fitted on its own rows (ik_llama.cpp: its CPU kernels reach 2–3× mainline's prompt
  /// speed), with the backend's fixed costs.
  Engine engine = Engine::llama_cpp;
  /// Empty for a backend's own factors; a device class (gpu_device_class) for the factors of that class's
  /// devices on the backend, fitted on their rows with the backend's fixed costs (fit_calibration).
  std::string device_class;
  double bandwidth_efficiency = 0.7;  ///< share of peak bandwidth decode streams weights at
  double per_token_s = 0;             ///< fixed cost per decoded token (kernel launches, sync)
  /// Extra fixed cost per MoE layer and decoded token: routing, top-k and the expert kernels'
  /// launches (fitted where the backend has ≥ 3 MoE rows; 0 otherwise).
  double per_moe_layer_s = 0;
  /// Extra fixed cost per layer and micro-batch of a prompt: a layer's kernels (norms, the activations'
  /// quantization, each matrix, attention), launched one by one — llama.cpp captures CUDA graphs for
  /// single-token batches only — and each too short to fill the GPU for small matrices. Fitted per GPU
  /// backend on its prompt rows (fit_prompt_fixed_cost); 0 on CPUs.
  double per_layer_prompt_s = 0;
  double prefill_efficiency = 0.4;    ///< share of peak matrix FLOP/s prompt processing reaches
  /// Share of peak matrix FLOP/s a CPU's decode (matrix-vector products) reaches, which bounds decode on few
  /// threads and of IQ weights: a CPU class's own where kMinRowsPerClass of its decode rows are bound by it
  /// (fit_class_decode, the kFewThreadBoundQuantile of theirs), else its parent's; 0: prefill_efficiency (one
  /// kernel speed, cpu_matmul_speed, serves both). ik_llama.cpp's factors keep llama.cpp's here: its repacked
  /// matrix-matrix kernels give prefill 2–3×, and its thread sweeps put few-thread decode near llama.cpp's rate
  /// (docs/calibration.md).
  double decode_compute_efficiency = 0;
  /// A CPU on few threads: the share of peak bandwidth decode streams at per unit of thread share (threads /
  /// physical cores), so that the share is min(bandwidth_efficiency, slope × thread share) (bandwidth_share).
  /// Each core keeps a bounded number of cache misses in flight, so few threads cannot draw the channels'
  /// bandwidth; how few depends on the platform: a Threadripper PRO 5975WX's decode reads 20 GB/s on 2 of
  /// its 32 cores, a Ryzen 9 7950X's 59 GB/s on 2 of 16 (docs/calibration.md "Few threads draw a share of
  /// the bandwidth"). Fitted per CPU class on its fit rows run on fewer than kMinBandwidthThreadShare of the
  /// cores; 0: no limit.
  double few_thread_bandwidth_slope = 0;
  /// A GPU backend's prompt speed on each GPU kernel family (MatmulKernel) relative to its share of peak,
  /// prefill_efficiency: the fit's rows of one family measure above or below the backend's median by what its
  /// kernels reach (fit_kernel_speeds; docs/calibration.md "Kernels by weight type"). 1 for a family with too
  /// few rows and on the CPU, whose kernels' speeds are the catalog's cpu_matmul_speed.
  PerKernel prefill_kernel_speed = {1, 1, 1, 1, 1, 1, 1, 1};
  /// A GPU backend's attention on a prompt, as a share of its matrix efficiency (prefill_efficiency): fitted
  /// on its prompt rows measured after a filled context (fit_attention_shares, docs/calibration.md "Attention
  /// fitted on the depth rows"); 0: attention_efficiency(backend), the default (attention_share).
  double attention_efficiency = 0;
  double decode_ratio_low = 0.8;      ///< band as a ratio measured / predicted: 5th percentile (fit rows; see fit_calibration)
  double decode_ratio_high = 1.2;     ///< 95th percentile of measured / predicted
  double prefill_ratio_low = 0.7;     ///< the same ratios for prefill
  double prefill_ratio_high = 1.3;
  std::size_t decode_rows = 0;        ///< rows the factors were fitted on
  std::size_t prefill_rows = 0;
  friend bool operator==(const Efficiency&, const Efficiency&) = default;
};

/// The share of a CPU's cores a decode row must run on for its speed to measure the channels' share of peak
/// (CalibrationPoint::thread_share): on a Threadripper PRO 5975WX (8 channels, 32 cores) ik_llama.cpp's
/// Llama 3.1 8B decode reads 20 GB/s on 2 threads, 38 on 4, 51 on 8 and 73 on 32 (docs/calibration.md
/// "CPU decode on few threads").
inline constexpr double kMinBandwidthThreadShare = 0.5;
/// Where a CPU decode row's bound is one of several (bandwidth on few threads, the matrix-vector rate), what
/// it measured is a lower bound of each: a class's few_thread_bandwidth_slope and decode_compute_efficiency
/// are this quantile of their rows' values rather than the median: near their top, not their maximum, which one
/// noisy row would set (docs/calibration.md "The CPU of a unified machine, and CPU decode's three bounds").
inline constexpr double kFewThreadBoundQuantile = 0.8;
/// A CPU decode row counts toward the matrix-vector rate when streaming its weights takes less than this
/// share of its measured time.
inline constexpr double kComputeBoundTimeShare = 0.8;
/// Rounds of a CPU class's decode fit (fit_class_decode): bandwidth share, slope and matrix-vector rate in turn.
inline constexpr int kCpuDecodeRounds = 4;
/// A CPU decode row whose matrix work is at least this share IQ types (the i_quant family,
/// CalibrationPoint::iq_weight_share) stays out of its class's bandwidth share: their dot products (IQ1–IQ3's
/// grids and sign tables, IQ4's non-linear tables), not the channels, hold it back even on all cores. On a
/// Threadripper PRO 5975WX, ik_llama.cpp's Llama 3.1 8B IQ1_M decodes 1.40× faster on 32 threads than on 16
/// and reads 0.17–0.23 of peak bandwidth, while Q4_0 on the same machine reads 0.36 and EPYC Genoa's DeepSeek
/// Q4_K_M 0.39–0.44 (docs/calibration.md "IQ rows and a CPU class's bandwidth share"). Such rows still fit
/// the matrix-vector rate.
inline constexpr double kMatrixBoundIqShare = 0.5;

/// Fit rows a device class needs, per test, before it gets factors of its own (fewer: the backend's).
inline constexpr std::size_t kMinRowsPerClass = 3;
/// The rows' worth of weight an architecture class's parent factors carry in its own (class_share in
/// calibration.cpp): with n fit rows its share of peak is its median^(n/(n+k)) × its parent's^(k/(n+k)).
inline constexpr double kArchitecturePriorRows = 4;
/// The rows' worth of weight a GPU backend's share carries in the share of each of its memory kinds (a class
/// without a parent, `nvidia hbm`): own^(n/(n+k)) × backend^(k/(n+k)); a CPU platform keeps its own median.
/// Trials on the held-back table (so this one choice has seen those rows; docs/calibration.md "Memory kinds
/// pulled toward their backend"): 0 (none, before), 1, 4 — 1 kept.
inline constexpr double kMemoryKindPriorRows = 1;

/// The share of peak bandwidth decode streams weights at on `thread_share` of a CPU's cores (threads / physical
/// cores; 1 on a GPU): the backend's or class's share, or on few threads the share they can draw.
[[nodiscard]] inline double bandwidth_share(const Efficiency& e, double thread_share = 1) {
  return e.few_thread_bandwidth_slope > 0 ? std::min(e.bandwidth_efficiency, e.few_thread_bandwidth_slope * thread_share)
                                          : e.bandwidth_efficiency;
}

/// How fast backend e's GPU kernels multiply a mix of weight types, relative to its share of peak: the harmonic
/// mean of e.prefill_kernel_speed weighted by each family's share of the matrix work (prompt_kernel_shares),
/// 1 / Σ share[k] / speed[k]. Gemma 3 27B BF16 on a backend whose BF16 speed is 0.4: 0.4.
/// On a device whose BF16 matrices run at `bf16_share` of its FP16 path (ComputeDevice::bf16_matmul_share), the
/// BF16 family's speed is e's × bf16_share.
[[nodiscard]] double gpu_matmul_speed(const Efficiency& e, const PerKernel& shares, double bf16_share = 1);
/// Rows of one kernel family (its share of a row's matrix work at least kMinKernelShare) a GPU backend's fit
/// needs before that family gets a speed of its own, and the rows' worth of weight the neutral speed 1 carries
/// against them: with n rows whose median measured / predicted is r, the family's speed moves by
/// r^(n/(n+k)), k = kKernelPriorRows, as an architecture's share moves from its parent's.
inline constexpr double kMinKernelShare = 0.5;
inline constexpr std::size_t kMinKernelRows = 3;
inline constexpr double kKernelPriorRows = 4;

/// The share of peak FLOP/s of a CPU's decode matrix-vector products (Efficiency::decode_compute_efficiency).
[[nodiscard]] inline double decode_compute_share(const Efficiency& e) {
  return e.decode_compute_efficiency > 0 ? e.decode_compute_efficiency : e.prefill_efficiency;
}

struct Calibration {
  std::vector<Efficiency> backends;
  /// Per (backend, device class) with at least kMinRowsPerClass fit rows of the test: the efficiency and band
  /// of that class's devices; the fixed costs stay the backend's.
  std::vector<Efficiency> classes;
  /// Each configuration case's band from its own fit rows, per engine (fit_case_bands); a case or test missing
  /// here for the run's engine takes llama.cpp's, and missing there too the band of the backend that takes
  /// most of the step.
  std::vector<CaseBand> case_bands;
  [[nodiscard]] const Efficiency& get(Backend b) const;
  /// The factors of a device of class `device_class` on backend `b`: its class's where fitted, else the backend's.
  [[nodiscard]] const Efficiency& get(Backend b, const std::string& device_class) const;
  /// The same for a run of `engine`: for an engine with rows of its own (ik_llama.cpp), its class's
  /// factors on `b` where fitted, else its own on `b`, else llama.cpp's.
  [[nodiscard]] const Efficiency& get(Backend b, const std::string& device_class, Engine engine) const;
  /// The band of case `c` fitted on `engine`'s rows, nullptr when it has none.
  [[nodiscard]] const CaseBand* band(SpeedCase c, Engine engine = Engine::llama_cpp) const;
  friend bool operator==(const Calibration&, const Calibration&) = default;
};

/// Weight bytes one decoded token reads with the whole model on one device (all layers on a GPU, or
/// CPU only): the bytes estimate_speed's parts add up (SpeedResult::bytes_per_token). Every tensor but
/// token_embd, of which the input lookup reads one row, plus the output head: for a tied-embedding
/// model that head *is* token_embd, read whole (placement puts a copy with the output layer), so
/// token_embd counts once. MoE routed experts count n_active / n_experts. The one basis of
/// "bytes a decoded token reads" for calibration and prediction (docs/calibration.md).
[[nodiscard]] double decode_weight_bytes_per_token(const Model& m, const WeightsResult& w);
/// The weight a prompt's routed-expert FLOPs carry in its matrix work on backend `b`, 1 / the GEMM share their
/// tiles reach (expert_gemm_efficiency of the tokens each expert gets from a micro-batch of min(P, ubatch)
/// tokens; kExpertGemmEfficiency on the CPU); 1 for a dense model.
[[nodiscard]] double routed_expert_work_weight(const Model& m, Backend b, double prompt_tokens, double ubatch);
/// A prompt token's matrix work at speed 1: 2 × its active parameters (per-layer input tables apart), the
/// routed experts' FLOPs × routed_expert_work_weight — the matrix part of prefill_work_per_token.
[[nodiscard]] double prompt_matmul_work_per_token(const Model& m, const ParamCounts& c, Backend b, double prompt_tokens,
                                                  double ubatch);
/// Each GPU kernel family's share of a prompt token's matrix work (MatmulKernel; they add up to 1): the values
/// of the matrices of each family's types (WeightsResult::kernel_values), routed experts × n_active / n_experts
/// × `expert_weight` (routed_expert_work_weight), token_embd only where it is the tied output head. Llama 3.1
/// 8B Q4_K_M: k_quant 1. gpt-oss-20b MXFP4 (experts MXFP4, the rest Q8_0) at expert weight 2.5: its 19.1 B
/// expert values × 4/32 × 2.5 = 5.97 B against 1.22 B of attention and output head, mxfp4 0.83, legacy 0.17.
/// All on `other` when the weights list no matrix.
[[nodiscard]] PerKernel prompt_kernel_shares(const Model& m, const WeightsResult& w, double expert_weight);
/// FLOPs per token of a prompt of P tokens: 2 × active parameters + the causal attention term
/// 2 × attention layers × n_head × head_dim × P.
/// Share of its dense-GEMM efficiency that a prompt's routed-expert matrix multiplications reach: each
/// expert multiplies only the tokens routed to it (llama.cpp's mul_mat_id), so the matrices are small
/// and many. Fitted on the catalog's "fit" rows of MoE models resident on one GPU or unified machine
/// (docs/calibration.md): measured / predicted prefill was 0.45–0.59 with expert FLOPs at full efficiency.
inline constexpr double kExpertGemmEfficiency = 0.4;
/// The share depends on how many tokens each expert multiplies in a micro-batch, m = min(P, n_ubatch) ×
/// n_active / n_experts: a tile of mul_mat_id's kernels holds few of them. kExpertGemmEfficiency is the share
/// at kExpertReferenceTokens (gpt-oss-20b at -ub 512: 512 × 4 / 32 = 64, most of the rows it was fitted on);
/// at m it is kExpertGemmEfficiency × [m / (m + h)] / [64 / (64 + h)], h = kExpertHalfTokens, at most 1, on
/// GPUs (a CPU's expert matmuls have no tiles to fill: 0.4). h chosen on the fit rows of the one-GPU and
/// unified prefill cases, mean |log(predicted / measured)| over 143 rows: 0.334 without (h → 0), 0.318 at 32,
/// 0.315 at 64 and at 128, 0.317 at 256 (one GPU MoE's 11 rows: 0.272 → 0.168 at 64; docs/calibration.md).
inline constexpr double kExpertReferenceTokens = 64;
inline constexpr double kExpertHalfTokens = 64;
/// The routed-expert GEMM share of a prompt whose micro-batches give each expert `tokens_per_expert`
/// tokens (at least 1: an expert routed to multiplies one); kExpertGemmEfficiency for 0 (no prompt: decode's
/// matrix-vector products).
[[nodiscard]] double expert_gemm_efficiency(double tokens_per_expert);
/// Share of the PCIe rate at which llama.cpp streams weights held in system RAM to the GPU for a prompt's
/// micro-batches (its op offload copies from pageable, memory-mapped pages); the GPU then multiplies them, after
/// the copy (compute_step). An RTX 4080's Qwen2.5-32B Q4_K_M prompts at -ngl 45, 40, 20, 10 and 0 (ik_llama.cpp
/// issue #255: 1,030.55, 985.30, 817.11, 750.98, 703.04 tok/s at pp2048, -ub 2048) lie on one line of
/// 1.597 s of GPU work plus the CPU-held layers' bytes at 15.1 GB/s: 0.48 of PCIe 4.0 x16's 31.5 GB/s. The
/// experts-in-RAM rows (Quadro RTX 5000 on PCIe 3 x16, Qwen3-30B-A3B Q4_K_M, --n-cpu-moe 16–40) are predicted
/// at 0.87–1.05 of measured with 0.5.
inline constexpr double kHostWeightStreamEfficiency = 0.5;
/// MoE layers of a model (those with routed experts).
[[nodiscard]] double moe_layer_count(const Model& m);
/// Share of its matrix-multiplication efficiency a backend's attention kernels reach on a prompt (QK^T,
/// softmax, AV over the cache: flash attention on GPUs, the CPU's f16 dot products). Chosen on the "fit"
/// rows alone: of GPU 0.3/0.5/0.7/1.0 and CPU 0.05/0.1/0.25, these give the smallest median error on the
/// fit rows of the depth (41.3%), one-GPU dense (19.5%) and CPU-only (37.8%) prefill cases
/// (docs/calibration.md).
/// A GPU backend's is the default only: where a backend has kMinRowsToFit prompt rows measured after a filled
/// context (llama-bench -d) its own share is fitted on them (Efficiency::attention_efficiency,
/// fit_attention_shares).
inline constexpr double kGpuAttentionEfficiency = 0.7;
inline constexpr double kCpuAttentionEfficiency = 0.25;
/// The bounds of a fitted attention share: a row whose measured time the matrix work alone exceeds says only
/// that attention is fast, and takes the upper bound.
inline constexpr double kMinAttentionShare = 0.05;
inline constexpr double kMaxAttentionShare = 4.0;
/// The default of backend `b`: kCpuAttentionEfficiency on the CPU, kGpuAttentionEfficiency on GPUs.
[[nodiscard]] double attention_efficiency(Backend b);
/// How a prompt runs, beyond the model and backend: what prefill_work_per_token weighs.
struct PromptRun {
  /// cpu_matmul_speed for the CPU, 1 elsewhere.
  double matmul_speed = 1.0;
  /// On the CPU, llama.cpp's flash attention ran the prompt's attention: its FLOPs past the cached cells
  /// (cpu_flash_prefill_flops_per_token) weigh 1 / kCpuFlashPrefillEfficiency.
  bool cpu_flash_attention = false;
  /// The engine that runs it (attention_pair_flops: only llama.cpp absorbs MLA on prompts).
  Engine engine = Engine::llama_cpp;
  /// Sliding-window layers keep the whole context (--swa-full; llama.cpp before PR #13194, b5429 of
  /// 2025-05-20, had no window-sized cache): they attend over the depth as full layers do, masked.
  bool swa_full = false;
  /// The micro-batch (-ub) the prompt runs in: with the prompt's length, the tokens each expert gets.
  double ubatch = 512;
  /// The attention share of the device's backend (attention_share of its Efficiency); 0: the backend's
  /// default, attention_efficiency(b).
  double attention_efficiency = 0;
};
/// The prefill FLOPs per token as the predictor weighs them on backend `b`: the matrix FLOPs, the routed
/// experts' share divided by kExpertGemmEfficiency, all divided by `run.matmul_speed`, and the attention
/// FLOPs (prompt_attention_flops_per_token) by run.attention_efficiency (attention_efficiency(b) where 0).
/// The basis of prefill calibration points and of prefill predictions alike.
[[nodiscard]] double prefill_work_per_token(const Model& m, Backend b, double prompt_tokens, double depth_tokens = 0,
                                            const PromptRun& run = {});
/// The same with `params` = count_params(m) already counted (counting enumerates every tensor) and
/// `layers` = summarize_layers(m) already summarized.
[[nodiscard]] double prefill_work_per_token(const Model& m, const ParamCounts& params, const LayerSummary& layers,
                                            Backend b, double prompt_tokens, double depth_tokens = 0,
                                            const PromptRun& run = {});
/// The attention FLOPs of one prompt token: Σ attention layers n_head × attention_pair_flops ×
/// mean_cells_seen (a sliding-window layer at most its window unless `run.swa_full`).
[[nodiscard]] double prompt_attention_flops_per_token(const Model& m, const LayerSummary& layers, double prompt_tokens,
                                                      double depth_tokens, const PromptRun& run = {});
/// How fast llama.cpp's CPU backend multiplies this model's weights, relative to Q8_0 weights: the harmonic
/// mean of each matrix's TensorType::cpu_matmul_speed weighted by the FLOPs a token spends on it (its
/// weights; routed experts × n_active / n_experts; token_embd only where it is the tied output head).
/// Llama 3.1 8B Q4_K_M: Q4_K (0.73) with Q6_K (0.56) in 16 of 32 layers' attn_v/ffn_down and the output: 0.69.
/// Read from the sums WeightsResult keeps (cpu_matmul_*), so it holds with or without the tensor list.
[[nodiscard]] double cpu_matmul_speed(const Model& m, const WeightsResult& w);

/// After `depth_tokens` already in the cache (llama-bench -d), each prompt token also attends to them:
/// the matrix FLOPs plus prompt_attention_flops_per_token (llama.cpp, windowed sliding layers).
[[nodiscard]] double prefill_flops_per_token(const Model& m, double prompt_tokens, double depth_tokens = 0);

/// Whether llama.cpp's -sm row splits rows on backend b: only where the backend's registry gives a split
/// buffer type (ggml_backend_split_buffer_type: CUDA, ROCm through the same code, SYCL). Elsewhere
/// (Vulkan, Metal) llama.cpp loads whole layers per GPU, a layer split (llama-model.cpp make_gpu_buft_list,
/// "add the device split buffer type if requested and available"): two R9700s on Vulkan measured -sm row
/// within 2% of -sm layer in every test (gaperton/cicero-home-ai), where ROCm's row split was 0.5–0.6× at pp512.
[[nodiscard]] constexpr bool has_row_split(Backend b) {
  return b == Backend::cuda || b == Backend::rocm || b == Backend::sycl;
}

/// Several GPUs splitting every layer synchronise inside each layer (docs/formulas.md, "Split modes").
/// llama.cpp -sm row: the main GPU sends each split matrix multiplication its activations and gathers the
/// partial results, once per matrix and micro-batch. Derived from ggml-org/llama.cpp PR #4766 (2023-12-31,
/// LLaMA 2 7B Q4_0 on Tesla P40s over PCIe 3): tg128 50.2 t/s on 2 GPUs and 55.16 on 3 where reading 1/N of
/// the weights alone would give 109 and 164 (one P40: 54.7): (1/50.2 − 1/109) s over 32 layers × 7
/// matrices = 48 µs, (1/55.16 − 1/164) / 224 = 54 µs.
inline constexpr double kRowSplitMatricesPerLayer = 7;  // attn q, k, v, output; ffn gate, up, down
inline constexpr double kRowSplitSyncS = 50e-6;
/// The share of the link's bandwidth -sm row's per-matrix copies (activations out, results back) reach in a
/// prompt: peer copies between consumer cards go through host memory, one matrix at a time. Chosen on the four
/// fit rows of -sm row prompts on CUDA and ROCm (P40 × 2 and × 3 on PCIe 3 of PR #4766; two R9700s on PCIe 5,
/// gaperton/cicero-home-ai), whose median it brings to 1.01 of measured (at 1: 1.81; 0.3: 0.90; 0.4: 1.10).
/// Those R9700s ran pp512 at 0.55–0.57 of one card with -sm row, at 0.96–0.98 with -sm layer.
inline constexpr double kRowSplitLinkShare = 0.35;
/// llama.cpp -sm tensor: an all-reduce after attention and after the FFN of every layer. Derived from
/// exabit-io/llama.cpp-gfx906-tuning (Qwen3.5-9B Q8_0 on 2 and 4 gfx906 dies, tg256 75.71 and 101.0 t/s):
/// t = a/N + s gives s = 6.6 ms per token over 32 layers × 2 = 103 µs per all-reduce.
inline constexpr double kTensorSplitAllReducesPerLayer = 2;
inline constexpr double kTensorSplitAllReduceS = 100e-6;
/// vLLM's tensor parallelism: NCCL all-reduces, two per layer, at the link's own latency (links.json).
inline constexpr double kVllmAllReducesPerLayer = 2;

/// One measurement reduced to what the fit needs.
struct CalibrationPoint {
  Backend backend = Backend::cpu;
  bool decode = true;             ///< tg (decode) or pp (prefill)
  bool holdout = false;
  double seconds_at_peak = 0;     ///< decode: bytes / bandwidth; prefill: FLOPs / peak FLOP/s, per token
  double moe_layers = 0;          ///< decode: MoE layers a token passes (per_moe_layer_s applies to each)
  /// Decode on a CPU: the matrix FLOPs of a token (at its kernels' speed) / peak FLOP/s of the threads run;
  /// 0 elsewhere. The token takes at least this / decode_compute_share (decode_seconds).
  double compute_seconds_at_peak = 0;
  /// Prefill: graph evaluations per prompt token, ⌈P / n_ubatch⌉ / P; each pays the backend's per_token_s
  /// (launching a micro-batch's graph, as a decoded token's). 0 for decode.
  double graph_runs_per_token = 0;
  double layers = 0;              ///< prefill: the model's repeating layers, each paying per_layer_prompt_s per run
  double measured_tokens_per_s = 0;
  std::string label;
  std::string device_class;       ///< of the device that ran it (empty: fitted with its backend only)
  std::string device;             ///< catalog id of that device: prefill bands leave each device out in turn
  Engine engine = Engine::llama_cpp;  ///< what ran it: other engines' rows fit factors of their own
  /// A CPU run: threads (-t) / physical cores. Decode on fewer than kMinBandwidthThreadShare of the cores is
  /// bounded by what those cores can have in flight, not by the channels: such rows stay out of the bandwidth
  /// share's median.
  double thread_share = 1;
  /// Prefill on a GPU: the part of seconds_at_peak that is each kernel family's matrix work (its share of the
  /// matrix work, prompt_kernel_shares); prefill_seconds_at_peak divides each by the backend's speed on it.
  PerKernel kernel_seconds_at_peak{};
  /// Decode on a CPU: the share of a token's matrix work in IQ types (prompt_kernel_shares at expert weight
  /// 1); at kMatrixBoundIqShare or more the row stays out of the bandwidth share. 0 where the types are not
  /// known (a user's llama-bench rows).
  double iq_weight_share = 0;
  /// Prefill on a GPU: the prompt's attention FLOPs over the cells it sees (prompt_attention_flops_per_token at
  /// the row's depth) / peak FLOP/s, outside seconds_at_peak; prefill_seconds_at_peak divides it by the
  /// attention share (attention_share). 0 for decode, the CPU and a user's rows, whose attention is in
  /// seconds_at_peak at the default share.
  double attention_seconds_at_peak = 0;
  /// Prefill: the tokens already in the context when the prompt ran (llama-bench -d). Points with depth fit
  /// the attention share alone (fit_attention_shares), nothing else.
  double depth_tokens = 0;
};

/// A backend's attention share: e.attention_efficiency where fitted, else attention_efficiency(e.backend).
[[nodiscard]] double attention_share(const Efficiency& e);

/// A prefill point's seconds at peak with backend e's speed on each kernel family: seconds_at_peak with each
/// family's part divided by e.prefill_kernel_speed and the attention's by attention_share(e) (decode points, and
/// the CPU's, unchanged).
[[nodiscard]] double prefill_seconds_at_peak(const CalibrationPoint& p, const Efficiency& e);

/// A llama-bench test as the fit sees it: the peak rates of the device(s) it ran on, the work of one
/// token, and the speed measured. Both the catalog's rows and the user's own rows (`calibrate`) are
/// turned into points by calibration_point, on one basis: weight_bytes_per_token from
/// decode_weight_bytes_per_token, flops_per_token from prefill_flops_per_token.
struct Measurement {
  Backend backend = Backend::cpu;
  BenchPhase phase = BenchPhase::decode;
  double bandwidth_bytes_per_s = 0;   ///< peak memory bandwidth of the device that streams the weights
  double matmul_flops_per_s = 0;      ///< peak matrix FLOP/s of all devices of the run together
  double weight_bytes_per_token = 0;  ///< decode: decode_weight_bytes_per_token
  /// Prefill: prefill_work_per_token at the test's prompt length; on a GPU the matrix work alone
  /// (prompt_matmul_work_per_token), its attention in attention_flops_per_token.
  double flops_per_token = 0;
  /// Prefill on a GPU: prompt_attention_flops_per_token at the test's prompt length and depth.
  double attention_flops_per_token = 0;
  double depth_tokens = 0;            ///< prefill: llama-bench -d (CalibrationPoint::depth_tokens)
  /// Decode on a CPU: matrix FLOPs per token / cpu_matmul_speed (prefill_work_per_token at 0 tokens); 0 on
  /// GPUs, whose decode the fit takes as bandwidth-bound.
  double decode_flops_per_token = 0;
  double moe_layers = 0;              ///< moe_layer_count of the model
  double graph_runs_per_token = 0;    ///< prefill: ⌈P / n_ubatch⌉ / P (CalibrationPoint)
  double layers = 0;                  ///< prefill: the model's repeating layers (CalibrationPoint)
  double thread_share = 1;            ///< a CPU run: threads (-t) / physical cores (CalibrationPoint)
  /// Prefill on a GPU: each kernel family's part of flops_per_token, its matrix work × prompt_kernel_shares.
  PerKernel kernel_flops_per_token{};
  double iq_weight_share = 0;         ///< decode on a CPU: CalibrationPoint::iq_weight_share
  /// Prefill on a GPU: ComputeDevice::bf16_matmul_share of the device; the BF16 family's part of
  /// kernel_flops_per_token counts at that share of the peak (calibration_point).
  double bf16_matmul_share = 1;
  double measured_tokens_per_s = 0;
  std::string device_class;           ///< of the device that streams the weights (ComputeDevice::device_class)
  std::string device;                 ///< its catalog id (empty when unknown)
  Engine engine = Engine::llama_cpp;  ///< the engine that ran the test
};

/// The point of a measurement: seconds_at_peak = bytes / bandwidth (decode) or FLOPs / FLOP/s
/// (prefill); 0, which the fit ignores, when that rate is unknown.
[[nodiscard]] CalibrationPoint calibration_point(const Measurement& m, std::string label, bool holdout);

/// Fits each backend's factors on the non-holdout points (docs/calibration.md). Decode,
/// 1/tps = x / efficiency + per_token_s (decode_seconds: on a CPU the max with the matrix work, prefill being
/// fitted first; compute-bound rows stay out of the bandwidth median): a grid search over per_token_s (0 to 5 ms in 0.05 ms steps),
/// each step taking the median efficiency of the rows, keeping the step with the smallest median
/// absolute error. Prefill: the median of measured × x. Bands: 5th–95th percentile of measured /
/// predicted, never narrower than the pooled 5th–95th percentile of all backends nor ±10%. Backends
/// with fewer than 3 points keep conservative defaults.
/// Then per device class of a backend with at least kMinRowsPerClass fit points of a test: decode's
/// bandwidth_efficiency is the median over those rows of x / (1/tps − the backend's fixed costs), prefill's
/// prefill_efficiency the median of measured × x, each with its own band (same quantiles and floors).
/// The backends and their classes are fitted on llama.cpp's points alone. Another engine's prefill points
/// (ik_llama.cpp) then fit its own prompt share per backend and per class, on top of llama.cpp's decode
/// factors for each class (Calibration::get with the engine). All of that is fitted first with every GPU kernel
/// family at speed 1, then again after each round of the families' speeds (Efficiency::prefill_kernel_speed,
/// docs/calibration.md "Kernels by weight type"), until they settle. Points with depth_tokens > 0 stay out of
/// all of that: last, each GPU backend with kMinRowsToFit of them (llama.cpp's, not held back) takes the
/// median over its rows of the attention share that predicts each exactly with the fitted factors
/// (attention_seconds_at_peak / (share of peak × (1/tps − graph costs) − the matrix work's seconds at peak)),
/// within [kMinAttentionShare, kMaxAttentionShare], and the factors are fitted again with it.
[[nodiscard]] Calibration fit_calibration(const std::vector<CalibrationPoint>& points);
/// The median (the mean of the two middle values for an even count); 0 for none.
[[nodiscard]] double median(std::vector<double> values);
/// The q-quantile (0 ≤ q ≤ 1), interpolating linearly between neighbours; 1 (a neutral ratio) for none.
[[nodiscard]] double quantile(std::vector<double> values, double q);
/// Seconds of one decoded token: streaming the weights at the fitted share of bandwidth or, where that takes
/// longer, computing the matrix-vector products at the fitted share of peak FLOP/s (a CPU on few threads or
/// with IQ weights; compute_seconds_at_peak is 0 on GPUs), plus the fixed costs:
/// max(x / bandwidth_efficiency, c / decode_compute_share) + per_token_s + moe_layers × per_moe_layer_s.
/// Both llama.cpp CPU decode and its prompt processing run the same per-type dot products (ggml-cpu
/// mul_mat), so the prefill share stands in where a CPU class has too few rows its matrix-vector products
/// bound to fit its own (docs/formulas.md "CPU decode").
[[nodiscard]] double decode_seconds(const Efficiency& e, double seconds_at_peak, double compute_seconds_at_peak,
                                    double moe_layers = 0, double per_token_share = 1, double thread_share = 1);
[[nodiscard]] double predict_decode_tokens_per_s(const Efficiency& e, double seconds_at_peak, double moe_layers = 0,
                                                 double compute_seconds_at_peak = 0, double thread_share = 1);
/// Seconds one micro-batch's graph costs beyond its matrix work, on a device running `layers` layers and
/// paying `per_token_share` of the per-token cost (split_per_token_share): per_token_s × share + layers ×
/// per_layer_prompt_s.
[[nodiscard]] inline double graph_run_seconds(const Efficiency& e, double layers, double per_token_share = 1) {
  return e.per_token_s * per_token_share + layers * e.per_layer_prompt_s;
}
/// Of the fixed per-token cost of a graph split by layers over several GPUs, the part each GPU pays whole
/// (its own graph's launch and synchronisation); the rest is shared by the layers each runs. From the layer
/// split case's fit rows: the time each GPU past the first adds, (1/tok/s − streaming − per_token_s) / (n − 1),
/// has a median of 1.6 ms over the 27 ROCm rows (RX 7900 XTX ×2–×6, MI50 ×2–×6, MI300X ×8), 0.53 of ROCm's
/// 3.05 ms per token (docs/calibration.md "Several GPUs share the per-token cost").
inline constexpr double kSplitDeviceFixedShare = 0.5;
/// The share of the per-token cost a GPU running `layers` of `total_layers` pays in a layer split over
/// `devices` GPUs: kSplitDeviceFixedShare + (1 − kSplitDeviceFixedShare) × layers / total_layers; 1 for one GPU.
[[nodiscard]] double split_per_token_share(double layers, double total_layers, std::size_t devices);
/// Prefill: 1 / (x / prefill_efficiency + graph_runs_per_token × graph_run_seconds(e, layers)).
[[nodiscard]] double predict_prefill_tokens_per_s(const Efficiency& e, double seconds_at_peak,
                                                  double graph_runs_per_token = 0, double layers = 0);
/// The share of peak a prefill point implies with `fixed`'s per-micro-batch cost taken out:
/// x / (1/tps − graph_runs_per_token × graph_run_seconds(fixed, layers)); 0 when that cost alone exceeds the
/// measured time.
[[nodiscard]] double prefill_share_of(const CalibrationPoint& p, const Efficiency& fixed);

/// Median absolute percentage error of the predictions on a subset of points.
struct ErrorReport {
  std::size_t rows = 0;
  double median_abs_pct = 0;
  double within_band_share = 0;  ///< measured inside [low, high] × prediction
};
/// Which points a report covers: those the factors were fitted on, or those held back to score them.
enum class Subset { fit, holdout };
[[nodiscard]] ErrorReport evaluate(const Calibration& c, const std::vector<CalibrationPoint>& points, BenchPhase phase,
                                   Subset subset);

/// Several machines in one pipeline (llama.cpp RPC, vLLM pipeline parallel, exo): layers are split
/// across nodes, which run one after another; every crossing from one node to the next sends the
/// hidden state (f32) over the network, and the logits come back to the first node.
inline constexpr double kActivationBytesPerValue = 4;  // llama.cpp hands f32 activations between backends
inline constexpr double kLogitBytesPerValue = 4;       // logits are f32
/// Software cost of one network crossing (serialise, send, schedule the remote graph). Derived from
/// the RPC backend's own measurement (ggml-org/llama.cpp PR #6829, 2024-05-10: TinyLlama-1.1B F16,
/// same GPU: 63 t/s direct, 60 t/s through rpc-server on localhost, two crossings per token:
/// (1/60 − 1/63) / 2 = 0.40 ms); an estimate for today's builds, which reuse graphs (PR #15405).
inline constexpr double kNetworkHopOverheadS = 0.4e-3;

struct Network {
  double bandwidth_bytes_per_s = 0;  ///< per direction (data/links.json)
  double latency_s = 0;              ///< one way, per crossing
  double hop_overhead_s = kNetworkHopOverheadS;
};

/// Where the pipeline crosses from one node to another, in execution order: the first node
/// embeds the tokens (and runs any CPU layers), then each device in placement order, then the
/// logits return to the first node when another node holds the output layer.
struct NetworkHops {
  std::uint32_t activation_hops = 0;  ///< crossings carrying the hidden state (n_embd values per token)
  bool logits_return = false;         ///< a last crossing carrying n_vocab logits per output token
  [[nodiscard]] std::uint32_t total() const { return activation_hops + (logits_return ? 1U : 0U); }
};

/// Per-token bytes one decode step reads: weights a token touches (MoE: non-expert weights plus
/// n_active / n_experts of the routed experts; token_embd one row for the input lookup, but whole
/// for a tied-embedding model's output head) and the KV cache.
/// The model, its weights, the KV settings, the placement and the calibration are required and held by
/// reference (they must outlive the request); the hardware rates and options are values.
struct SpeedRequest {
  SpeedRequest(const Model& m, const WeightsResult& w, const KvSettings& k, const Placement& p, const Calibration& c)
      : model(m), weights(w), kv(k), placement(p), calibration(c) {}
  const Model& model;
  const WeightsResult& weights;
  const KvSettings& kv;
  const Placement& placement;
  const Calibration& calibration;
  std::vector<ComputeDevice> devices;  ///< one per placement device, same order
  std::optional<HostDevice> host;      ///< needed when the host runs layers
  std::uint64_t prompt_tokens = 512;
  /// Tokens already in the cache when decoding or the prompt starts (llama-bench -d): decode reads their
  /// KV, prefill attends to them.
  std::uint64_t depth_tokens = 0;
  Engine engine = Engine::llama_cpp;
  std::optional<std::uint32_t> threads;         ///< CPU threads (-t); unset: one per physical core
  double tensor_parallel_link_bytes_per_s = 0;  ///< link between GPUs for split layers (row, tensor)
  double tensor_parallel_link_latency_s = 0;
  /// Node of each placement device (same order; 0 = the machine that runs llama-server and holds
  /// system RAM). Empty or all 0: one machine.
  std::vector<std::uint32_t> device_nodes;
  Network network;
  /// count_params(model), when the caller has it: a caller that predicts one model on many
  /// configurations counts once (counting enumerates every tensor). Unset: counted per step.
  std::optional<ParamCounts> params;
  /// summarize_layers(model), when the caller has it, likewise: the KV bytes, CPU flash-attention work and
  /// prefill attention FLOPs of every step are sums over its groups. Unset: summarized per step.
  std::optional<LayerSummary> layer_summary;
};

[[nodiscard]] NetworkHops network_hops(const SpeedRequest& r);
/// Seconds one step spends between nodes (layer split only): per crossing, latency + overhead per
/// micro-batch, plus bytes over the link: tokens × n_embd × 4 B for the hidden state and
/// outputs × n_vocab × 4 B for the logits' return.
[[nodiscard]] double network_seconds(const SpeedRequest& r, double tokens, double micro_batches, double outputs);

struct SpeedAt {
  std::uint64_t depth_tokens = 0;
  double decode_tokens_per_s = 0;
  double decode_low = 0;
  double decode_high = 0;
};

/// How hard a prediction drives one placement device: what its board power follows from (power.h).
struct DeviceLoad {
  std::string id;
  /// Decode (tg128): bytes the device reads per token × tokens/s ÷ its peak bandwidth; the share of the
  /// token's time its memory runs at full rate.
  double decode_utilisation = 0;
  /// Prefill (pp512): the share of the prompt's time the device computes at its backend's fitted rate.
  double prefill_utilisation = 0;
};

struct SpeedResult {
  /// One per SpeedRequest::devices, same order (the host CPU is not in it).
  std::vector<DeviceLoad> device_loads;
  double decode_tokens_per_s = 0;  ///< at the start of a conversation (llama-bench tg128)
  double decode_low = 0;
  double decode_high = 0;
  double prefill_tokens_per_s = 0; ///< for prompt_tokens (llama-bench pp512)
  double prefill_low = 0;
  double prefill_high = 0;
  double bytes_per_token = 0;      ///< weights and KV read per decoded token at depth 0
  std::vector<SpeedAt> curve;
  std::string bottleneck;          ///< the device that takes most of a token's time
  std::uint32_t network_hops = 0;  ///< node crossings per step (several machines)
  double network_seconds_per_token = 0;  ///< decode time spent on the network per token
  double prefill_network_seconds = 0;    ///< network time of the whole prompt
};

/// Decode at `depth_tokens` of context already in the cache.
[[nodiscard]] SpeedAt decode_at(const SpeedRequest& r, std::uint64_t depth_tokens);
[[nodiscard]] SpeedResult estimate_speed(const SpeedRequest& r, const std::vector<std::uint64_t>& curve_depths);

/// Aggregate and per-user decode speed with N parallel sequences (weights read once per step).
struct ConcurrencyAt {
  std::uint32_t sequences = 1;
  double aggregate_tokens_per_s = 0;
  double per_user_tokens_per_s = 0;
  bool compute_bound = false;
};
[[nodiscard]] ConcurrencyAt decode_concurrent(const SpeedRequest& r, std::uint32_t sequences, std::uint64_t depth_tokens);

}  // namespace llmsize::engine
