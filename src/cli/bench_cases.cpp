#include "bench_cases.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "build_eval.h"
#include "hardware_config.h"
#include "run_options.h"
#include "sizing.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

std::string configuration_of(const catalog::Catalog& cat, const Benchmark& b, const Model& m);

// The configuration case, prefixed with the engine when it is not llama.cpp.
std::string case_of(const catalog::Catalog& cat, const Benchmark& b, const Model& m) {
  const std::string configuration = configuration_of(cat, b, m);
  if (b.engine == Engine::llama_cpp) return configuration;
  return fmt::format("{}: {}", name_of(kEngineNames, b.engine), configuration);
}

std::string configuration_of(const catalog::Catalog& cat, const Benchmark& b, const Model& m) {
  if (b.depth > 0) return to_string(SpeedCase::depth);
  // The micro-batch llama.cpp runs: -ub, at most -b.
  const std::uint32_t ubatch = micro_batch_of(b);
  if (ubatch < kSmallUbatch) return to_string(SpeedCase::small_ubatch);
  // No layer on a GPU: a CPU, a CPU-backend run on a GPU or unified machine (predicted with -ngl 0), or -ngl 0.
  if (catalog::find(cat.cpus, b.hardware) != nullptr || b.backend == Backend::cpu || (b.ngl && *b.ngl == 0)) {
    return to_string(SpeedCase::cpu_only);
  }
  if (b.n_cpu_moe.value_or(0) > 0) return to_string(SpeedCase::experts_in_ram);
  if (b.ngl && *b.ngl < m.n_layers + 1) return to_string(SpeedCase::partial_offload);
  if (b.n_devices > 1) {
    switch (b.split.value_or(SplitMode::layer)) {
      case SplitMode::layer: return to_string(SpeedCase::split_layer);
      case SplitMode::row:  // where llama.cpp has no row split, -sm row runs the layer split
        return to_string(has_row_split(b.backend) ? SpeedCase::split_row : SpeedCase::split_layer);
      case SplitMode::tensor: return to_string(SpeedCase::split_tensor);
    }
  }
  if (catalog::find(cat.systems, b.hardware) != nullptr) {
    return to_string(is_moe(m) ? SpeedCase::unified_moe : SpeedCase::unified_dense);
  }
  return to_string(is_moe(m) ? SpeedCase::one_gpu_moe : SpeedCase::one_gpu_dense);
}

// The command line a row's configuration corresponds to, as option structs.
struct RowOptions {
  SizingOptions sizing;
  HardwareOptions hardware;
  RunOptions run;
};

RowOptions options_of(const catalog::Catalog& cat, const Benchmark& b) {
  RowOptions o;
  o.sizing.model = b.model;
  o.sizing.quant = b.quant;
  constexpr std::uint64_t kContextRoomTokens = 256;  // llama-bench sizes the context to the test (n_prompt + n_gen + depth)
  o.sizing.context = std::to_string(b.depth + b.tokens + kContextRoomTokens);
  o.sizing.no_flash_attention = b.flash_attention.has_value() && !*b.flash_attention;
  if (b.ubatch) o.sizing.ubatch = *b.ubatch;
  if (b.batch) o.sizing.batch = *b.batch;
  if (!b.kv_type.empty()) o.sizing.kv_type = b.kv_type;
  // Rows rarely state the RAM size, and the run they record fitted: a host's RAM is taken as large enough (speed does
  // not depend on its size). A unified machine's memory is the system's own.
  constexpr const char* kRowHostRam = "4096GB";
  if (catalog::find(cat.gpus, b.hardware) != nullptr) {
    o.hardware.gpus = {fmt::format("{}x{}", b.n_devices, b.hardware)};
    o.hardware.cpu = b.cpu;
    o.hardware.ram = kRowHostRam;
  } else if (catalog::find(cat.systems, b.hardware) != nullptr) {
    o.hardware.system = b.hardware;
  } else {
    o.hardware.cpu = b.hardware;
    o.hardware.ram = kRowHostRam;
  }
  o.hardware.ram_kind = b.ram_kind;
  if (b.channels) o.hardware.channels = *b.channels;
  if (b.split) o.hardware.split = name_of(kSplitModeNames, *b.split);
  if (b.backend != Backend::cpu) o.hardware.backend = to_string(b.backend);  // Vulkan on an NVIDIA card, ...
  o.run.ngl = b.ngl;
  if (b.backend == Backend::cpu && catalog::find(cat.cpus, b.hardware) == nullptr) o.run.ngl = 0;  // a GPU box run on its CPU
  o.run.n_cpu_moe = b.n_cpu_moe;
  for (std::size_t i = 0; i < b.tensor_split.size(); ++i) {
    o.run.tensor_split += (i > 0 ? "," : "") + fmt::format("{}", b.tensor_split[i]);
  }
  o.run.threads = b.threads;
  // ik_llama.cpp's rows are predicted with its own factors, under cases of their own.
  o.run.engine = name_of(kEngineNames, b.engine);
  if (b.depth > 0) o.run.depth = std::to_string(b.depth);
  return o;
}

CasePrediction predict_row(Context& ctx, const Benchmark& b) {
  CasePrediction out;
  out.bench = &b;
  const Model* m = catalog::find(ctx.catalog.models, b.model);
  if (m == nullptr) {
    out.why_not = "model not in the catalog";
    return out;
  }
  out.case_name = case_of(ctx.catalog, b, *m);
  if (catalog::find(ctx.catalog.cpus, b.hardware) != nullptr && b.n_devices > 1) {
    out.why_not = "several CPU sockets are not modelled";
    return out;
  }
  try {
    const RowOptions o = options_of(ctx.catalog, b);
    const Sizing s = resolve_sizing(ctx, o.sizing);
    const HardwareConfig h = resolve_hardware(ctx, o.hardware);
    const RunChoice run = resolve_run(o.run, s, h);
    const BuildEval e = evaluate_build(ctx, s, h, b.tokens, CostOptions{}, DecodeCurve::skip, Offload::allowed, run);
    const bool decode = b.phase == BenchPhase::decode;
    out.tokens_per_s = decode ? e.speed.decode_tokens_per_s : e.speed.prefill_tokens_per_s;
    out.low = decode ? e.speed.decode_low : e.speed.prefill_low;
    out.high = decode ? e.speed.decode_high : e.speed.prefill_high;
    out.predicted = out.tokens_per_s > 0;
    out.speed_case = speed_case(*m, e.placement, b.depth, s.kv.runtime.ubatch);
    if (!out.predicted) out.why_not = "does not fit as given";
  } catch (const Error& err) {
    out.why_not = err.what();
  }
  return out;
}

}  // namespace

std::vector<CasePrediction> predict_benchmarks(Context& ctx, RowSet set) {
  std::vector<CasePrediction> out;
  out.reserve(ctx.catalog.benchmarks.size());
  for (const Benchmark& b : ctx.catalog.benchmarks) {
    if (set == RowSet::all || b.set == "fit") out.push_back(predict_row(ctx, b));
  }
  return out;
}

std::vector<CaseBand> fit_case_bands(const std::vector<CasePrediction>& rows) {
  std::vector<CaseRatio> ratios;
  for (const CasePrediction& r : rows) {
    if (!r.predicted || !r.speed_case || r.bench->set != "fit") continue;
    ratios.push_back({*r.speed_case, r.bench->phase == BenchPhase::decode, r.bench->tokens_per_s / r.tokens_per_s, r.bench->engine});
  }
  return engine::fit_case_bands(ratios);
}

std::vector<CaseScore> score_cases(const std::vector<CasePrediction>& rows, bool holdout_only) {
  struct Acc {
    std::vector<double> errors;
    std::size_t inside = 0;
  };
  std::map<std::pair<std::string, bool>, Acc> by_case;
  for (const CasePrediction& r : rows) {
    if (!r.predicted || (holdout_only && r.bench->set != "holdout")) continue;
    Acc& a = by_case[{r.case_name, r.bench->phase == BenchPhase::decode}];
    const double measured = r.bench->tokens_per_s;
    a.errors.push_back(100.0 * std::abs(r.tokens_per_s - measured) / measured);
    if (measured >= r.low && measured <= r.high) ++a.inside;
  }
  std::vector<CaseScore> out;
  for (const auto& [key, a] : by_case) {
    CaseScore s;
    s.case_name = key.first;
    s.decode = key.second;
    s.rows = a.errors.size();
    s.median_abs_pct = quantile(a.errors, 0.5);
    s.p90_abs_pct = quantile(a.errors, 0.9);
    s.within_band_share = static_cast<double>(a.inside) / static_cast<double>(s.rows);
    out.push_back(s);
  }
  return out;
}

OrderingScore score_ordering(const std::vector<CasePrediction>& rows) {
  constexpr double kTieRatio = 1.05;  // measurements closer than 5% are not ordered
  std::map<std::string, std::vector<const CasePrediction*>> groups;
  for (const CasePrediction& r : rows) {
    if (!r.predicted) continue;
    const Benchmark& b = *r.bench;
    const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", b.model, b.quant, b.phase == BenchPhase::decode,
                                        b.tokens, b.depth, b.n_devices, b.ngl.value_or(0), b.n_cpu_moe.value_or(0),
                                        r.case_name);
    groups[key].push_back(&r);
  }
  OrderingScore s;
  std::size_t agree = 0;
  for (const auto& [key, members] : groups) {
    for (std::size_t i = 0; i < members.size(); ++i) {
      for (std::size_t j = i + 1; j < members.size(); ++j) {
        const CasePrediction& a = *members[i];
        const CasePrediction& c = *members[j];
        if (a.bench->hardware == c.bench->hardware) continue;
        const double ma = a.bench->tokens_per_s;
        const double mc = c.bench->tokens_per_s;
        if (std::max(ma, mc) < kTieRatio * std::min(ma, mc)) continue;
        ++s.pairs;
        if ((ma > mc) == (a.tokens_per_s > c.tokens_per_s)) ++agree;
      }
    }
  }
  s.agree_share = s.pairs == 0 ? 0 : static_cast<double>(agree) / static_cast<double>(s.pairs);
  return s;
}

}  // namespace llmsize::cli
