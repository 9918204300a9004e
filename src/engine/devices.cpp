// Catalog hardware records to peak rates.
#include <algorithm>
#include <cctype>

#include "llmsize/engine/speed.h"
#include "llmsize/units.h"

namespace llmsize::engine {
namespace {

constexpr double kMegaTransfers = 1e6;

// FLOP per cycle per core of the SIMD width llama.cpp's CPU matmuls use (FMA counts 2): AVX2 two 8-wide
// FMA pipes = 32; NEON two 4-wide = 16. AVX-512 counts as AVX2: llama.cpp's quantized dot products
// (ggml-cpu/arch/x86/quants.c, ggml_vec_dot_*_q8_*) are 256-bit AVX2 code on AVX-512 CPUs too (its only
// AVX-512 use there is the VNNI dpbusd in the 8-bit multiply-add helper), and Zen 4 runs 512-bit vectors
// as two 256-bit halves. Measured: catalog rows of Llama 3.1 8B pp512 on a Ryzen 9 7950X (AVX-512, 16
// threads) reach the same FLOP per cycle per core as the AVX2 rows (docs/calibration.md "CPU matrix
// multiplication"). AMX tiles are not counted either: llama.cpp uses them only through its AMX buffer
// type for Q4_0/Q4_1/Q8_0 (ggml-cpu/amx), and the xeon-platinum-8480-plus rows (Q4_K_M) run at the
// vector rate.
double flops_per_cycle(const std::vector<std::string>& simd) {
  auto has = [&](const char* s) { return std::find(simd.begin(), simd.end(), s) != simd.end(); };
  if (has("avx2") || has("avx512")) return 32;
  return 16;
}

// PCIe per-lane throughput per direction after encoding (GB/s): gen 3 0.985, gen 4 1.969,
// gen 5 3.938, gen 6 7.563 (PCI-SIG; 128b/130b encoding from gen 3, FLIT from gen 6).
double pcie_lane_gb_per_s(std::uint32_t gen) {
  switch (gen) {
    case 1: return 0.25;
    case 2: return 0.5;
    case 3: return 0.985;
    case 4: return 1.969;
    case 5: return 3.938;
    default: return 7.563;
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The family of a numbered architecture, its name without the generation: "cdna" of "cdna1", "rdna" of
// "rdna3.5", "m" of "m4"; empty for a name without a trailing number ("ampere", "xe2-hpg").
std::string architecture_family(const std::string& architecture) {
  std::size_t end = architecture.size();
  while (end > 0 && (std::isdigit(static_cast<unsigned char>(architecture[end - 1])) != 0 || architecture[end - 1] == '.')) --end;
  return end == architecture.size() ? std::string() : architecture.substr(0, end);
}

// A class and, where named, the architecture below it — below its family where it has one:
// "nvidia gddr" + "Ampere" = "nvidia gddr/ampere", "amd hbm" + "CDNA1" = "amd hbm/cdna/cdna1".
std::string with_architecture(std::string device_class, const std::string& architecture) {
  if (architecture.empty()) return device_class;
  const std::string arch = lower(architecture);
  const std::string family = architecture_family(arch);
  if (!family.empty()) device_class += kClassSeparator + family;
  return device_class + kClassSeparator + arch;
}

}  // namespace

std::string gpu_device_class(const std::string& vendor, const std::string& memory_type, const std::string& architecture) {
  return with_architecture(lower(vendor) + (lower(memory_type).find("hbm") != std::string::npos ? " hbm" : " gddr"),
                           architecture);
}

std::string class_parent(const std::string& device_class) {
  const auto at = device_class.rfind(kClassSeparator);
  return at == std::string::npos ? std::string() : device_class.substr(0, at);
}

bool in_class(const std::string& device_class, const std::string& name) {
  return !name.empty() && (device_class == name || (device_class.size() > name.size() &&
                                                    device_class.compare(0, name.size(), name) == 0 &&
                                                    device_class[name.size()] == kClassSeparator));
}

std::vector<std::string> class_lineage(const std::string& device_class) {
  std::vector<std::string> out;
  for (std::string name = device_class; !name.empty(); name = class_parent(name)) out.push_back(name);
  return out;
}

std::string unified_device_class(const std::string& vendor, const std::string& architecture) {
  return with_architecture(lower(vendor) + " unified", architecture);
}

std::string cpu_device_class(const std::string& vendor, std::uint32_t memory_channels) {
  const std::string platform = memory_channels >= kServerMemoryChannels ? kServerCpuClass : kDesktopCpuClass;
  return vendor.empty() ? platform : platform + kClassSeparator + lower(vendor);
}

std::string cpu_device_class(const Cpu& c) {
  return cpu_device_class(c.vendor, memory_bus_width_bits(c) / kDdrChannelBits);
}

bool has_tflops(const Gpu& g) { return g.fp16_tensor_tflops || g.int8_dp4a_tops || g.fp32_tflops; }

bool has_tflops(const UnifiedSystem& s) { return s.fp16_tflops || s.fp32_tflops; }

bool vulkan_uses_matrix_engines(const std::string& vendor) { return lower(vendor) != "intel"; }

double bf16_matmul_share(Backend b, const std::string& vendor, const std::string& architecture) {
  if (lower(vendor) != "amd" || (b != Backend::vulkan && b != Backend::rocm)) return 1.0;
  const std::string arch = lower(architecture);
  const bool no_bf16 = architecture_family(arch) == "gcn" || arch == "rdna1" || arch == "rdna2";
  if (no_bf16) return kFp32OnlyBf16Share;
  const bool rdna3 = arch == "rdna3" || arch == "rdna3.5";
  return b == Backend::vulkan && rdna3 ? kVulkanScalarBf16Share : 1.0;
}

ComputeDevice device_from_gpu(const Gpu& g, std::optional<Backend> backend) {
  ComputeDevice d;
  d.id = g.meta.id;
  d.backend = backend ? *backend : g.backends.empty() ? Backend::vulkan : g.backends.front();
  d.bandwidth_bytes_per_s = units::gb_per_s_to_bytes_per_s(g.bandwidth_gb_per_s);
  // Tensor cores where it has them; else DP4A, which llama.cpp's quantized matmul (MMQ) uses; else FP32.
  const bool shader_alus = d.backend == Backend::vulkan && !vulkan_uses_matrix_engines(g.vendor) && g.fp32_tflops;
  d.matmul_flops_per_s = units::tflops_to_flops(
      shader_alus ? kShaderFp16PerFp32 * *g.fp32_tflops
                  : g.fp16_tensor_tflops.value_or(g.int8_dp4a_tops.value_or(g.fp32_tflops.value_or(kUnknownGpuTflops))));
  d.tdp_watts = g.tdp_watts;
  d.idle_watts = g.idle_watts.value_or(0);
  d.device_class = gpu_device_class(g.vendor, g.memory_type, g.architecture);
  d.bf16_matmul_share = bf16_matmul_share(d.backend, g.vendor, g.architecture);
  return d;
}

ComputeDevice device_from_system(const UnifiedSystem& s, std::optional<Backend> backend) {
  ComputeDevice d;
  d.id = s.meta.id;
  d.backend = s.backends.empty() ? Backend::cpu : s.backends.front();
  if (backend && d.backend != Backend::cpu) d.backend = *backend;  // no GPU backend: its CPU, whatever is asked
  d.bandwidth_bytes_per_s = units::gb_per_s_to_bytes_per_s(s.bandwidth_gb_per_s);
  d.matmul_flops_per_s = units::tflops_to_flops(s.fp16_tflops.value_or(s.fp32_tflops.value_or(kUnknownSystemTflops)));
  d.tdp_watts = s.tdp_watts;
  d.idle_watts = s.idle_watts.value_or(0);
  // A unified machine run on its CPU backend is a CPU of that vendor; on its GPU, the unified class.
  d.device_class = d.backend == Backend::cpu ? unified_cpu_device_class(s) : unified_device_class(s.vendor, s.architecture);
  d.bf16_matmul_share = bf16_matmul_share(d.backend, s.vendor, s.architecture);
  return d;
}

std::string unified_cpu_device_class(const UnifiedSystem& s) {
  return with_architecture(cpu_device_class(s.vendor), s.cpu_architecture);
}

ComputeDevice unified_cpu_device(const UnifiedSystem& s) {
  ComputeDevice d;
  d.id = s.meta.id;
  d.backend = Backend::cpu;
  d.bandwidth_bytes_per_s = units::gb_per_s_to_bytes_per_s(s.bandwidth_gb_per_s);
  d.matmul_flops_per_s = static_cast<double>(s.cpu_cores) * kUnifiedCpuFlopsPerCycle * units::ghz_to_hz(kUnifiedCpuClockGhz);
  d.cores = s.cpu_cores;  // so -t counts: the matrix rate of the threads run (cpu_flops)
  d.tdp_watts = s.tdp_watts;
  d.idle_watts = s.idle_watts.value_or(0);
  d.device_class = unified_cpu_device_class(s);
  return d;
}

double cpu_flops_per_s(const Cpu& c) {
  return static_cast<double>(c.cores) * c.fp32_flops_per_cycle.value_or(flops_per_cycle(c.simd)) *
         units::ghz_to_hz(c.base_clock_ghz);
}

double ram_bandwidth_bytes_per_s(const RamKind& r, std::uint32_t channels) {
  constexpr double kBitsPerByte = 8;
  const double channel_bytes = r.channel_width_bits / kBitsPerByte;
  return static_cast<double>(channels) * r.transfer_rate_mt_per_s * kMegaTransfers * channel_bytes;
}

std::uint32_t memory_bus_width_bits(const Cpu& c) { return c.memory_channels * c.memory_channel_width_bits; }

std::uint32_t ram_channels_on_bus(const RamKind& r, std::uint32_t bus_width_bits) {
  return r.channel_width_bits == 0 ? 1 : std::max<std::uint32_t>(1, bus_width_bits / r.channel_width_bits);
}

std::uint32_t cpu_ram_channels(const Cpu& c, const RamKind& r) { return ram_channels_on_bus(r, memory_bus_width_bits(c)); }

HostDevice host_from_cpu(const Cpu& c, const RamKind& r, std::uint32_t channels) {
  HostDevice h;
  h.cpu.id = c.meta.id;
  h.cpu.backend = Backend::cpu;
  h.cpu.bandwidth_bytes_per_s = ram_bandwidth_bytes_per_s(r, channels);
  h.cpu.matmul_flops_per_s = cpu_flops_per_s(c);
  h.cpu.cores = c.cores;
  h.cpu.tdp_watts = c.tdp_watts;
  h.cpu.device_class = cpu_device_class(c);
  return h;
}

double pcie_bytes_per_s(std::uint32_t gen, std::uint32_t lanes) {
  return units::gb_per_s_to_bytes_per_s(pcie_lane_gb_per_s(gen) * lanes);
}

}  // namespace llmsize::engine
