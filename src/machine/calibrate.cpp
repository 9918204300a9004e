// llmsize calibrate: the user's llama-bench results and load logs -> this machine's factors.
// Reading the files is calibrate_input.cpp and load_log.cpp; turning rows into points shares
// calibration_points.cpp's basis with the catalog's rows.
#include "llmsize/machine/calibrate.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

#include "llmsize/units.h"
#include "text.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

constexpr std::size_t kMinRowsPerBackend = 3;  // as fit_calibration: fewer keep the catalog's factors

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Lowercase words of a CPU description without trademarks, core counts or clocks, joined by '-', to tell
// whether llama-bench's cpu_info names this machine's CPU: "AMD Ryzen 7 7800X3D 8-Core Processor" ->
// "amd-ryzen-7-7800x3d".
std::string hardware_key(std::string_view description) {
  std::string s;
  int depth = 0;
  for (char c : description) {
    if (c == '(') ++depth;
    if (depth == 0) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == ')' && depth > 0) --depth;
  }
  for (const std::string noise : {"(r)", "(tm)"}) {
    for (auto p = s.find(noise); p != std::string::npos; p = s.find(noise)) s.erase(p, noise.size());
  }
  s = std::regex_replace(s, std::regex(R"(\d+-core processor.*|\bcpu @.*|\bprocessor\b|with radeon.*graphics)"), " ");
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::vector<std::string> split_devices(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const std::string_view item = trim(std::string_view(list).substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<Backend> backend_of(const std::string& backends) {
  const std::string s = lower(backends);
  if (s.find("rpc") != std::string::npos) return std::nullopt;
  for (const BackendName& row : kBackendNames) {
    if (row.backend != Backend::cpu && s.find(row.id) != std::string::npos) return row.backend;
  }
  // llama.cpp's other spellings: HIP for its ROCm backend, MTL for Metal.
  if (s.find("hip") != std::string::npos) return Backend::rocm;
  if (s.find("mtl") != std::string::npos) return Backend::metal;
  if (s == "cpu" || s == "blas" || s == "cpu,blas" || s == "blas,cpu") return Backend::cpu;
  return std::nullopt;
}

bool is_moe(const BenchRow& r) {
  const std::string s = lower(r.model_type);
  return s.find("moe") != std::string::npos || std::regex_search(s, std::regex(R"(\d(\.\d+)?b\.a\d)"));
}

void copy_decode(Efficiency& to, const Efficiency& from) {
  to.bandwidth_efficiency = from.bandwidth_efficiency;
  to.per_token_s = from.per_token_s;
  to.per_moe_layer_s = from.per_moe_layer_s;
  to.decode_ratio_low = from.decode_ratio_low;
  to.decode_ratio_high = from.decode_ratio_high;
  to.decode_rows = from.decode_rows;
}

// The user's prompt rows replace the kernel-family speeds too: llama-bench names their weight types only in
// prose ("Q4_K - Medium"), so their points carry no matrix work per family, their fit leaves every speed at 1,
// and their share of peak is measured on their own weights' kernels already; the catalog's speeds on top
// would count those kernels twice.
void copy_prefill(Efficiency& to, const Efficiency& from) {
  to.prefill_efficiency = from.prefill_efficiency;
  to.prefill_kernel_speed = from.prefill_kernel_speed;
  to.per_layer_prompt_s = from.per_layer_prompt_s;  // fitted together with the share of peak
  to.prefill_ratio_low = from.prefill_ratio_low;
  to.prefill_ratio_high = from.prefill_ratio_high;
  to.prefill_rows = from.prefill_rows;
}

// Why a row cannot be calibrated from, judged on the row alone; "" when it can.
std::string shape_problem(const BenchRow& row) {
  const bool decode = row.n_gen > 0 && row.n_prompt == 0;
  const bool prefill = row.n_prompt > 0 && row.n_gen == 0;
  if (!decode && !prefill) return "a combined prompt + generation test (-pg); only pp and tg tests are calibrated";
  if (row.n_depth > 0) return "measured at depth " + std::to_string(row.n_depth) + " (-d); only depth-0 tests are calibrated";
  if (is_moe(row)) return "a mixture-of-experts model: the bytes read per token are not the file size";
  if (!backend_of(row.backends)) {
    return "backend \"" + row.backends + "\" is not one llmsize models (" + backend_labels() + ")";
  }
  return "";
}

std::string cpu_device(const catalog::Catalog& cat, const BenchRow& row, const ThisMachine& machine, RowUse& use) {
  if (!machine.cpu_model.empty() && !row.cpu_info.empty() && hardware_key(row.cpu_info) != hardware_key(machine.cpu_model)) {
    return "run on another CPU (\"" + row.cpu_info + "\"; this machine has \"" + machine.cpu_model + "\")";
  }
  if (!machine.measured_bandwidth_bytes_per_s) {
    return "a CPU run, and this machine's bandwidth is not measured yet: run `llmsize probe` first";
  }
  use.device = "this machine";
  use.bandwidth_bytes_per_s = *machine.measured_bandwidth_bytes_per_s;
  const Cpu* c = match_cpu(cat, row.cpu_info);
  use.flops_per_s = c != nullptr ? cpu_flops_per_s(*c) : machine.cpu_flops_per_s;
  if (c != nullptr) use.device_class = cpu_device_class(*c);
  // The matrix rate of the threads the row ran (n_threads), as the predictor counts -t (speed.cpp cpu_flops).
  if (c != nullptr && c->cores > 0 && row.n_threads > 0 && row.n_threads < c->cores) {
    use.flops_per_s *= static_cast<double>(row.n_threads) / c->cores;
  }
  return "";
}

std::string metal_device(const catalog::Catalog& cat, const BenchRow& row, RowUse& use) {
  const UnifiedSystem* s = match_system(cat, row.gpu_info);
  if (s == nullptr) s = match_system(cat, row.cpu_info);
  if (s == nullptr) return "\"" + (row.gpu_info.empty() ? row.cpu_info : row.gpu_info) + "\" is not in the catalog's systems";
  const ComputeDevice d = device_from_system(*s);
  use.device = s->meta.id;
  use.device_class = unified_device_class(s->vendor, s->architecture);  // a Metal row: its GPU, whatever the first backend
  use.bandwidth_bytes_per_s = d.bandwidth_bytes_per_s;
  use.flops_per_s = d.matmul_flops_per_s;
  return "";
}

std::string gpu_device(const catalog::Catalog& cat, const BenchRow& row, RowUse& use) {
  if (row.n_gpu_layers == 0) return "no layers on the GPU (n_gpu_layers 0)";
  const auto names = split_devices(row.gpu_info);
  const Gpu* gpu = names.empty() ? nullptr : match_gpu(cat, names.front());
  const bool same = gpu != nullptr && std::all_of(names.begin(), names.end(),
                                                  [&](const std::string& name) { return match_gpu(cat, name) == gpu; });
  if (!same) return "GPU \"" + row.gpu_info + "\" is not in the catalog (or the GPUs differ)";
  const ComputeDevice d = device_from_gpu(*gpu, use.backend);
  use.device = gpu->meta.id;
  use.device_class = d.device_class;
  use.bandwidth_bytes_per_s = d.bandwidth_bytes_per_s;
  use.flops_per_s = d.matmul_flops_per_s * static_cast<double>(names.size());
  return "";
}

// The work of one token of the row on the predictor's basis. The bytes start from the row's own
// model_size (the file's tensors); the catalog model gives what the file does not say: whether the
// output head is token_embd (tied) and, when it is not, token_embd's share to leave out, estimated
// at the file's average bytes per parameter (vocab × hidden of n_params).
std::string token_work(const catalog::Catalog& cat, const BenchRow& row, Measurement& m) {
  const Model* model = match_bench_model(cat, row);
  if (model == nullptr) {
    return "model \"" + row.model_type + "\" (" + std::to_string(row.model_n_params) +
           " parameters) is not in the catalog: the bytes a token reads are not known";
  }
  const double embd_params = static_cast<double>(model->vocab_size) * model->hidden_size;
  WeightsResult w;
  w.total_bytes = row.model_size_bytes;
  w.token_embd_bytes = static_cast<std::uint64_t>(
      std::llround(static_cast<double>(row.model_size_bytes) * embd_params / static_cast<double>(row.model_n_params)));
  w.token_embd_bytes = std::min(w.token_embd_bytes, w.total_bytes);
  m.weight_bytes_per_token = decode_weight_bytes_per_token(*model, w);
  m.flops_per_token = prefill_work_per_token(*model, m.backend, static_cast<double>(row.n_prompt), 0,
                                             {.cpu_flash_attention = m.backend == Backend::cpu && row.flash_attention});
  // CPU decode is bounded by the matrix rate too (decode_seconds); the file's weight types are not known
  // here, so its kernels count at Q8_0's speed (1) and none as IQ (iq_weight_share 0).
  if (m.backend == Backend::cpu) m.decode_flops_per_token = prefill_work_per_token(*model, m.backend, 0);
  m.moe_layers = moe_layer_count(*model);
  m.layers = model->n_layers;
  // llama-bench's JSON does not give n_ubatch here: its default micro-batch.
  if (row.n_prompt > 0) {
    const double prompt = static_cast<double>(row.n_prompt);
    m.graph_runs_per_token = std::ceil(prompt / kDefaultUbatch) / prompt;
  }
  return "";
}

// The row as a fit point, or the reason it is skipped (in use.skipped_because).
std::optional<CalibrationPoint> point_of(const catalog::Catalog& cat, const BenchRow& row, const ThisMachine& machine,
                                         RowUse& use) {
  use.skipped_because = shape_problem(row);
  if (!use.skipped_because.empty()) return std::nullopt;
  use.decode = row.n_gen > 0;
  use.backend = *backend_of(row.backends);
  use.skipped_because = use.backend == Backend::cpu     ? cpu_device(cat, row, machine, use)
                        : use.backend == Backend::metal ? metal_device(cat, row, use)
                                                        : gpu_device(cat, row, use);
  Measurement m;
  m.backend = use.backend;  // token_work weighs the attention FLOPs by the backend's efficiency
  if (use.skipped_because.empty()) use.skipped_because = token_work(cat, row, m);
  if (!use.skipped_because.empty()) return std::nullopt;
  m.phase = use.decode ? BenchPhase::decode : BenchPhase::prefill;
  m.device_class = use.device_class;
  m.device = use.device;
  m.bandwidth_bytes_per_s = use.bandwidth_bytes_per_s;
  m.matmul_flops_per_s = use.flops_per_s;
  m.measured_tokens_per_s = row.avg_tokens_per_s;
  const CalibrationPoint p = calibration_point(m, row.where, false);
  if (!(p.seconds_at_peak > 0)) {
    use.skipped_because = "the CPU's peak FLOP/s is unknown (not in the catalog, /proc/cpuinfo unreadable)";
    return std::nullopt;
  }
  use.seconds_at_peak = p.seconds_at_peak;
  use.compute_seconds_at_peak = p.compute_seconds_at_peak;
  use.moe_layers = p.moe_layers;
  use.graph_runs_per_token = p.graph_runs_per_token;
  use.layers = p.layers;
  use.thread_share = p.thread_share;
  use.used = true;
  return p;
}

// Backends with enough of the user's rows, their catalog factors replaced by the fitted ones.
std::vector<Efficiency> fitted_backends(const Calibration& catalog_fit, const std::vector<CalibrationPoint>& points) {
  std::vector<Efficiency> out;
  for (const Efficiency& fitted : fit_calibration(points).backends) {
    if (fitted.decode_rows < kMinRowsPerBackend && fitted.prefill_rows < kMinRowsPerBackend) continue;
    Efficiency e = catalog_fit.get(fitted.backend);
    e.backend = fitted.backend;
    e.decode_rows = 0;
    e.prefill_rows = 0;
    if (fitted.decode_rows >= kMinRowsPerBackend) copy_decode(e, fitted);
    if (fitted.prefill_rows >= kMinRowsPerBackend) copy_prefill(e, fitted);
    out.push_back(e);
  }
  return out;
}

double predicted(const Efficiency& e, const RowUse& use) {
  return use.decode ? predict_decode_tokens_per_s(e, use.seconds_at_peak, use.moe_layers, use.compute_seconds_at_peak,
                                                  use.thread_share)
                    : predict_prefill_tokens_per_s(e, use.seconds_at_peak, use.graph_runs_per_token, use.layers);
}

// Backend overhead: memory on a GPU that is neither llama.cpp's buffers nor free ("unaccounted" in
// the final memory breakdown: driver context, and whatever else holds the card). The median over
// the GPU rows; negative values (never seen in final tables) are ignored.
void fit_overhead(const std::vector<LoadLogSummary>& logs, CalibrationResult& result) {
  std::vector<double> unaccounted;
  for (const LoadLogSummary& log : logs) {
    for (const BreakdownRow& b : log.breakdown) {
      const bool host = b.device.rfind("Host", 0) == 0 || b.device.rfind("CPU", 0) == 0;
      if (!host && b.unaccounted_mib >= 0) unaccounted.push_back(static_cast<double>(b.unaccounted_mib));
    }
  }
  if (unaccounted.empty()) return;
  result.overhead_rows = unaccounted.size();
  result.backend_overhead_bytes = static_cast<std::uint64_t>(std::llround(median(unaccounted) * static_cast<double>(units::kMiB)));
}

}  // namespace

ThisMachine this_machine_cpu(const DetectSource& source) {
  ThisMachine here;
  if (const auto text = read_source_file(source, "proc/cpuinfo")) {
    const CpuInfo cpu = parse_cpuinfo(*text);
    here.cpu_model = cpu.model_name;
    here.cpu_flops_per_s = cpuinfo_flops_per_s(cpu);
  }
  return here;
}

double cpuinfo_flops_per_s(const CpuInfo& cpu) {
  if (cpu.cores == 0 || !(cpu.mhz > 0)) return 0;
  Cpu c;
  c.cores = cpu.cores;
  c.base_clock_ghz = cpu.mhz / 1000;  // MHz -> GHz
  c.simd = cpu.simd;
  return cpu_flops_per_s(c);
}

// The same matcher as `llmsize detect` (detect.h), so both name the same catalog entry for a device.
const Gpu* match_gpu(const catalog::Catalog& cat, std::string_view description) {
  return trim(description).empty() ? nullptr : match_name(cat.gpus, description);
}
const Cpu* match_cpu(const catalog::Catalog& cat, std::string_view description) {
  return trim(description).empty() ? nullptr : match_name(cat.cpus, description);
}
const UnifiedSystem* match_system(const catalog::Catalog& cat, std::string_view description) {
  return trim(description).empty() ? nullptr : match_name(cat.systems, description);
}

Calibration merge_calibration(const Calibration& base, const std::vector<Efficiency>& mine) {
  Calibration out = base;
  // The user's own rows (llama.cpp's) win over the catalog's for their backend, whatever the class of the
  // device; another engine's factors stay.
  for (Efficiency& e : out.classes) {
    for (const Efficiency& m : mine) {
      if (m.backend != e.backend || e.engine != Engine::llama_cpp) continue;
      if (m.decode_rows > 0) copy_decode(e, m);
      if (m.prefill_rows > 0) copy_prefill(e, m);
    }
  }
  for (Efficiency& e : out.backends) {
    for (const Efficiency& m : mine) {
      if (m.backend != e.backend) continue;
      if (m.decode_rows > 0) copy_decode(e, m);
      if (m.prefill_rows > 0) copy_prefill(e, m);
    }
  }
  return out;
}

CalibrationResult calibrate(const catalog::Catalog& cat, const Calibration& catalog_fit, const CalibrationInput& input,
                            const ThisMachine& machine) {
  CalibrationResult result;
  for (const BenchRow& row : input.rows) {
    RowUse use;
    use.row = &row;
    if (auto p = point_of(cat, row, machine, use)) result.points.push_back(std::move(*p));
    result.rows.push_back(use);
  }
  result.fitted = fitted_backends(catalog_fit, result.points);
  result.after = merge_calibration(catalog_fit, result.fitted);
  result.before_decode = evaluate(catalog_fit, result.points, BenchPhase::decode, Subset::fit);
  result.after_decode = evaluate(result.after, result.points, BenchPhase::decode, Subset::fit);
  result.before_prefill = evaluate(catalog_fit, result.points, BenchPhase::prefill, Subset::fit);
  result.after_prefill = evaluate(result.after, result.points, BenchPhase::prefill, Subset::fit);
  for (RowUse& use : result.rows) {
    if (!use.used) continue;
    use.predicted_before_tokens_per_s = predicted(catalog_fit.get(use.backend, use.device_class), use);
    use.predicted_after_tokens_per_s = predicted(result.after.get(use.backend, use.device_class), use);
  }
  fit_overhead(input.logs, result);
  return result;
}

}  // namespace llmsize::machine
