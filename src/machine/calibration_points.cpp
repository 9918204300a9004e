// Measurements -> fit points, on one basis for both sources: the catalog's published llama-bench
// rows and the user's own (calibrate.cpp). Both go through the engine's calibration_point with
// decode_weight_bytes_per_token and prefill_work_per_token, the bytes and FLOPs the predictor uses.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "llmsize/machine/calibrate.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

// A CPU row's threads (-t, at most the cores; all of them when not given): the matrix rate of those threads,
// as the predictor counts it (speed.cpp cpu_flops), and their share of the cores.
void count_threads(Measurement& m, const Benchmark& b, std::uint32_t cores) {
  if (cores == 0) return;
  const double threads = b.threads ? std::min<double>(*b.threads, cores) : cores;
  m.matmul_flops_per_s *= threads / cores;
  m.thread_share = threads / cores;
}

// Peak rates of the hardware a catalog row ran on; nullopt when the catalog cannot give them.
std::optional<Measurement> peak_rates(const catalog::Catalog& cat, const Benchmark& b) {
  Measurement m;
  if (const Gpu* g = catalog::find(cat.gpus, b.hardware)) {
    const ComputeDevice d = device_from_gpu(*g, b.backend);
    m.bandwidth_bytes_per_s = d.bandwidth_bytes_per_s;
    m.matmul_flops_per_s = d.matmul_flops_per_s * b.n_devices;
    m.device_class = d.device_class;
    m.bf16_matmul_share = d.bf16_matmul_share;
  } else if (const UnifiedSystem* s = catalog::find(cat.systems, b.hardware)) {
    // Run on its GPU: the unified class. Run on its CPU backend: its CPU cores, as the predictor's host
    // (unified_cpu_device), the matrix rate of the threads run (-t).
    const ComputeDevice d = b.backend == Backend::cpu ? unified_cpu_device(*s) : device_from_system(*s, b.backend);
    m.bandwidth_bytes_per_s = d.bandwidth_bytes_per_s;
    m.matmul_flops_per_s = d.matmul_flops_per_s;
    m.device_class = d.device_class;
    m.bf16_matmul_share = d.bf16_matmul_share;
    if (b.backend == Backend::cpu) count_threads(m, b, d.cores);
  } else if (const Cpu* c = catalog::find(cat.cpus, b.hardware)) {
    const RamKind* best = catalog::fastest_ram_kind(cat, *c);
    if (best == nullptr) return std::nullopt;
    m.bandwidth_bytes_per_s = ram_bandwidth_bytes_per_s(*best, cpu_ram_channels(*c, *best));
    m.matmul_flops_per_s = cpu_flops_per_s(*c);
    count_threads(m, b, c->cores);
    m.device_class = cpu_device_class(*c);
  } else {
    return std::nullopt;
  }
  return m;
}

// The rows the per-backend factors are fitted on and scored against: one device (or one CPU's sockets)
// holding the whole model, llama.cpp (or ik_llama.cpp, whose rows fit factors of their own), an empty
// context and the default micro-batch; a CPU row's peak
// FLOP/s counts the threads it ran (-t), as the predictor does. Rows of
// other configurations (offload, split modes, depth, other engines) are scored by the per-case table
// (`llmsize catalog calibration --cases`), through the same predictor `check` uses.
bool resident_single_device(const catalog::Catalog& cat, const Benchmark& b, const Model& m) {
  constexpr std::uint32_t kMinPromptTokens = 128;  // a prompt shorter than this is a batch-size sweep
  // A prompt after a filled context fits a GPU backend's attention share alone (fit_calibration).
  const bool attention_row = b.phase == BenchPhase::prefill && b.backend != Backend::cpu && b.engine == Engine::llama_cpp;
  if (b.engine == Engine::vllm || (b.depth > 0 && !attention_row) || !b.tensor_split.empty()) return false;
  if (b.n_cpu_moe.value_or(0) > 0 || (b.ngl && *b.ngl < m.n_layers + 1)) return false;
  if (b.ubatch && *b.ubatch < kDefaultUbatch) return false;
  if (b.phase == BenchPhase::prefill && b.tokens < kMinPromptTokens) return false;
  const Cpu* cpu = catalog::find(cat.cpus, b.hardware);
  if (cpu == nullptr && (b.n_devices > 1 || b.split)) return false;
  // A CPU row on a CPU, or on a unified machine's CPU cores; a GPU row on a GPU or a unified machine's GPU.
  const bool system = catalog::find(cat.systems, b.hardware) != nullptr;
  return b.backend == Backend::cpu ? cpu != nullptr || system : cpu == nullptr;
}

std::string first_word_lower(const std::string& text) {
  std::string word;
  for (char c : text) {
    if (c == ' ') break;
    word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return word;
}

}  // namespace

std::vector<CalibrationPoint> catalog_calibration_points(const catalog::Catalog& cat) {
  if (!cat.benchmarks_loaded) throw std::logic_error("catalog_calibration_points: the catalog was loaded without its benchmarks");
  std::vector<CalibrationPoint> points;
  std::map<std::string, WeightsResult> weights_cache;
  // Prefill work per (model/quant, backend, prompt, depth): many rows share them, and each enumerates the
  // tensors. Each value: the work (on a GPU its matrix part alone), the GPU's attention FLOPs, and the GPU's
  // matrix part by kernel family.
  struct Work {
    double flops = 0;
    double attention = 0;
    PerKernel kernels{};
  };
  std::map<std::tuple<std::string, Backend, std::uint32_t, bool, Engine, double, double>, Work> work_cache;
  for (const Benchmark& b : cat.benchmarks) {
    const Model* m = catalog::find(cat.models, b.model);
    const Quant* q = catalog::find(cat.quants, b.quant);
    std::optional<Measurement> measured = peak_rates(cat, b);
    if (m == nullptr || q == nullptr || !measured || !resident_single_device(cat, b, *m)) continue;
    const std::string key = m->meta.id + "/" + q->meta.id;
    auto it = weights_cache.find(key);
    if (it == weights_cache.end()) it = weights_cache.emplace(key, weight_bytes(*m, *q, cat.tensor_types)).first;
    measured->backend = b.backend;
    measured->device = b.hardware;
    measured->engine = b.engine;
    measured->phase = b.phase;
    measured->weight_bytes_per_token = decode_weight_bytes_per_token(*m, it->second);
    // The CPU's matrices run at the speed of its kernels for the row's weight types (cpu_matmul_speed).
    // A CPU row's prompt attention through llama.cpp's flash-attention kernel unless it ran -fa 0, as the
    // predictor counts it (bench_cases passes --no-flash-attn only for those).
    const bool cpu_flash = b.backend == Backend::cpu && b.engine == Engine::llama_cpp && b.flash_attention.value_or(true);
    const double ubatch = micro_batch_of(b);  // the micro-batches llama-bench ran the prompt in (-ub, at most -b)
    const double depth = static_cast<double>(b.depth);
    const auto work_key = std::make_tuple(key, b.backend, b.tokens, cpu_flash, b.engine, ubatch, depth);
    auto work = work_cache.find(work_key);
    if (work == work_cache.end()) {
      const ParamCounts params = count_params(*m);
      const LayerSummary layers = summarize_layers(*m);
      const PromptRun run{.cpu_flash_attention = cpu_flash, .engine = b.engine, .ubatch = ubatch};
      Work w;
      if (b.backend == Backend::cpu) {
        PromptRun cpu = run;
        cpu.matmul_speed = cpu_matmul_speed(*m, it->second);
        w.flops = prefill_work_per_token(*m, params, layers, b.backend, b.tokens, 0, cpu);
      } else {
        // A GPU's matrix work by kernel family, each at its backend's speed, and its attention at the backend's
        // attention share (prefill_seconds_at_peak).
        w.flops = prompt_matmul_work_per_token(*m, params, b.backend, b.tokens, ubatch);
        w.attention = prompt_attention_flops_per_token(*m, layers, b.tokens, depth, run);
        const PerKernel shares = prompt_kernel_shares(*m, it->second, routed_expert_work_weight(*m, b.backend, b.tokens, ubatch));
        for (std::size_t k = 0; k < kMatmulKernels; ++k) w.kernels[k] = w.flops * shares[k];
      }
      work = work_cache.emplace(work_key, w).first;
    }
    measured->flops_per_token = work->second.flops;
    measured->attention_flops_per_token = work->second.attention;
    measured->depth_tokens = depth;
    measured->kernel_flops_per_token = work->second.kernels;
    if (b.backend == Backend::cpu) {
      // Decode's matrix-vector products at the same kernels' speed: the prompt work of zero tokens.
      measured->decode_flops_per_token = prefill_work_per_token(*m, b.backend, 0, 0, {.matmul_speed = cpu_matmul_speed(*m, it->second)});
      // Each active expert's matrices once per token: expert weight 1.
      measured->iq_weight_share = prompt_kernel_shares(*m, it->second, 1.0)[static_cast<std::size_t>(MatmulKernel::i_quant)];
    }
    measured->moe_layers = moe_layer_count(*m);
    measured->layers = m->n_layers;
    // Each micro-batch is one graph evaluation.
    if (b.tokens > 0) measured->graph_runs_per_token = std::ceil(b.tokens / ubatch) / b.tokens;
    measured->measured_tokens_per_s = b.tokens_per_s;
    points.push_back(calibration_point(*measured, b.meta.id, b.set == "holdout"));
  }
  return points;
}

const Model* match_bench_model(const catalog::Catalog& cat, const BenchRow& row) {
  constexpr double kParamsTolerance = 0.01;  // llama-bench's n_params is the file's exact count
  const std::string arch = first_word_lower(row.model_type);
  const double params = static_cast<double>(row.model_n_params);
  const Model* best = nullptr;
  double best_gap = kParamsTolerance;
  for (const Model& m : cat.models) {
    if (m.arch != arch || params <= 0) continue;
    const double gap = std::abs(static_cast<double>(m.params_total) - params) / params;
    if (gap <= best_gap) {
      best = &m;
      best_gap = gap;
    }
  }
  return best;
}

Calibration fit_catalog_calibration(const catalog::Catalog& cat) {
  return fit_calibration(catalog_calibration_points(cat));
}

}  // namespace llmsize::machine
