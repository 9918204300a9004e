#pragma once
/// `llmsize calibrate`: the user's own llama-bench results (`-o json` / `-o jsonl`) and llama.cpp /
/// Ollama load logs, read as untrusted input, turned into this machine's efficiency factors
/// (docs/this-machine.md). Every reading error is a CalibrationInputError whose message names the
/// file and the row or line.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmsize/catalog/catalog.h"
#include "llmsize/engine/speed.h"
#include "llmsize/error.h"
#include "llmsize/machine/detect.h"

namespace llmsize::machine {

/// A llama-bench file or load log that cannot be read. The one error type (llmsize/error.h): no
/// caller tells it apart from other input errors.
using CalibrationInputError = llmsize::Error;

/// One llama-bench result, with the fields calibration reads (names as llama-bench prints them).
struct BenchRow {
  std::string where;  ///< "FILE: row 3" (JSON array) or "FILE:3" (JSONL line), for messages
  std::string model_filename;
  std::string model_type;  ///< "qwen2 7B Q4_K - Medium"
  std::uint64_t model_size_bytes = 0;
  std::uint64_t model_n_params = 0;
  std::string backends;  ///< "CUDA", "Metal,BLAS", "CPU", ...
  std::string gpu_info;
  std::string cpu_info;
  std::int64_t n_gpu_layers = 99;
  std::uint64_t n_threads = 0;
  std::uint64_t n_prompt = 0;
  std::uint64_t n_gen = 0;
  std::uint64_t n_depth = 0;
  bool flash_attention = false;    ///< flash_attn: true, 1, or -1 (auto: on for a CPU); absent: off
  double avg_tokens_per_s = 0;     ///< avg_ts
  double stddev_tokens_per_s = 0;  ///< stddev_ts
  std::string test_time;
};

/// One row of llama.cpp's "memory breakdown" table (MiB as printed; unaccounted may be negative in
/// the --fit simulation, which prints the same table before anything is allocated).
struct BreakdownRow {
  std::string device;  ///< "CUDA0 (RTX 4090)"
  std::int64_t total_mib = 0;
  std::int64_t free_mib = 0;
  std::int64_t self_mib = 0;
  std::int64_t model_mib = 0;
  std::int64_t context_mib = 0;
  std::int64_t compute_mib = 0;
  std::int64_t unaccounted_mib = 0;
};

/// What a load log reports, summed over devices, in bytes (the log's MiB × 2^20).
struct LoadLogSummary {
  std::string file;
  std::uint64_t model_buffer_bytes = 0;
  std::uint64_t kv_cache_bytes = 0;
  std::uint64_t compute_buffer_bytes = 0;
  std::uint64_t output_buffer_bytes = 0;
  std::size_t buffer_lines = 0;
  std::vector<BreakdownRow> breakdown;  ///< final tables only (llama_memory_breakdown_print)
};

struct CalibrationInput {
  std::vector<BenchRow> rows;
  std::vector<LoadLogSummary> logs;
};

/// Reads llama-bench JSON (an array of objects), JSONL (one object per line) or a load log, told
/// apart by the first non-blank character ('[', '{', anything else). Appends to `input`.
void parse_calibration_file(const std::string& path, const std::string& text, CalibrationInput& input);
[[nodiscard]] std::vector<BenchRow> parse_llama_bench_json(const std::string& path, const std::string& text);
[[nodiscard]] std::vector<BenchRow> parse_llama_bench_jsonl(const std::string& path, const std::string& text);
[[nodiscard]] LoadLogSummary parse_load_log(const std::string& path, const std::string& text);

/// What calibrate knows about the machine it runs on (CPU-only rows are measured against it).
struct ThisMachine {
  std::string cpu_model;                        ///< /proc/cpuinfo model name
  std::optional<double> measured_bandwidth_bytes_per_s;  ///< `llmsize probe`, from the profile
  double cpu_flops_per_s = 0;                   ///< cores × FLOP/cycle × clock, from /proc/cpuinfo
};

/// The CPU of the machine `source` describes (its proc/cpuinfo, read with detect's parser; a
/// recorded tree under $LLMSIZE_DETECT_ROOT in tests). The bandwidth is left for the caller (the profile).
[[nodiscard]] ThisMachine this_machine_cpu(const DetectSource& source);

/// Peak FP32 FLOP/s of a CPU as parse_cpuinfo read it, with the catalog's convention
/// (cpu_flops_per_s: physical cores × FLOP/cycle of the widest SIMD × cpuinfo's clock); 0 when unknown.
[[nodiscard]] double cpuinfo_flops_per_s(const CpuInfo& cpu);

/// The catalog's llama-bench rows as fit points (holdout rows marked), through calibration_point on
/// the predictor's basis. Rows whose hardware, model or quant the catalog lacks are left out.
/// Throws std::logic_error when the catalog was loaded without its benchmarks.
[[nodiscard]] std::vector<engine::CalibrationPoint> catalog_calibration_points(const catalog::Catalog& cat);

/// The per-backend factors fitted on a catalog's rows: fit_calibration(catalog_calibration_points(cat)).
/// For the built-in catalog the build runs this once and compiles the result in (baked_calibration.h).
[[nodiscard]] engine::Calibration fit_catalog_calibration(const catalog::Catalog& cat);

/// The catalog model a llama-bench row ran: its architecture is the first word of model_type
/// ("qwen2 7B Q4_K - Medium") and its published parameter count within 1% of model_n_params
/// (the closest wins); nullptr if none.
[[nodiscard]] const engine::Model* match_bench_model(const catalog::Catalog& cat, const BenchRow& row);

/// A hardware description as llama-bench and /proc print it ("NVIDIA GeForce RTX 4090",
/// "AMD Ryzen 7 7800X3D 8-Core Processor", "Apple M2 Max") matched to a catalog entry; nullptr if none.
[[nodiscard]] const engine::Gpu* match_gpu(const catalog::Catalog& cat, std::string_view description);
[[nodiscard]] const engine::Cpu* match_cpu(const catalog::Catalog& cat, std::string_view description);
[[nodiscard]] const engine::UnifiedSystem* match_system(const catalog::Catalog& cat, std::string_view description);

/// One llama-bench row as used (or skipped) by the fit.
struct RowUse {
  const BenchRow* row = nullptr;
  bool used = false;
  std::string skipped_because;  ///< when not used
  engine::Backend backend = engine::Backend::cpu;
  bool decode = true;
  std::string device;              ///< catalog id, or "this machine"
  std::string device_class;        ///< engine::gpu_device_class & co.; empty when the catalog does not know the device
  double bandwidth_bytes_per_s = 0;
  double flops_per_s = 0;
  double seconds_at_peak = 0;
  double compute_seconds_at_peak = 0;  ///< CPU decode: matrix FLOPs / peak FLOP/s of the threads run
  double moe_layers = 0;  ///< decode: MoE layers of the model (the fixed cost per MoE layer applies to each)
  double graph_runs_per_token = 0;  ///< prefill: ⌈P / n_ubatch⌉ / P, each paying the backend's per_token_s
  double layers = 0;                ///< prefill: the model's repeating layers, each paying per_layer_prompt_s per run
  double thread_share = 1;          ///< a CPU run: threads (-t) / physical cores (few_thread_bandwidth_slope)
  double predicted_before_tokens_per_s = 0;
  double predicted_after_tokens_per_s = 0;
};

struct CalibrationResult {
  std::vector<RowUse> rows;
  std::vector<engine::CalibrationPoint> points;  ///< the used rows, all as fit rows
  std::vector<engine::Efficiency> fitted;        ///< backends the user's rows fitted (for the profile)
  engine::Calibration after;                     ///< catalog-wide factors with `fitted` in place
  engine::ErrorReport before_decode, after_decode, before_prefill, after_prefill;
  std::optional<std::uint64_t> backend_overhead_bytes;
  std::size_t overhead_rows = 0;         ///< GPU breakdown rows the overhead is the median of
};

/// Builds a CalibrationPoint per usable row (calibration_point, on the same basis as the catalog's
/// rows: the row's model is matched in the catalog for its token_embd share, tied head and FLOPs;
/// the bytes come from the row's model_size), fits this machine's factors with fit_calibration, and
/// compares predictions on those rows before (`catalog_fit`) and after. A backend needs at least 3
/// decode (or prefill) rows to replace the catalog's decode (or prefill) factors; fewer keep them.
/// The backend overhead is the median "unaccounted" MiB of the logs' GPU breakdown rows.
[[nodiscard]] CalibrationResult calibrate(const catalog::Catalog& cat, const engine::Calibration& catalog_fit,
                                          const CalibrationInput& input, const ThisMachine& machine);

/// `base` with each backend of `mine` replacing its entry: decode factors and band when
/// decode_rows > 0, prefill factors and band when prefill_rows > 0.
[[nodiscard]] engine::Calibration merge_calibration(const engine::Calibration& base, const std::vector<engine::Efficiency>& mine);

}  // namespace llmsize::machine
