#include <algorithm>
#include <cctype>
#include <string>

#include "parse_entries.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::catalog {
namespace {

const std::vector<std::string_view> kFormFactors = ids_of(kFormFactorNames);

// The ids of kBackendNames in its order: an index the reader returns is a row of that table.
const std::vector<std::string_view> kBackends = [] {
  std::vector<std::string_view> ids;
  for (const BackendName& row : kBackendNames) ids.emplace_back(row.id);
  return ids;
}();
const std::vector<std::string_view> kSimd = {"avx2", "avx512", "avx512-bf16", "avx512-vnni",
                                             "amx",  "neon",   "sve"};

// Plausible ranges: wide enough for every real part, narrow enough to catch unit slips
// (MiB for GiB, Gbit/s for GB/s).
constexpr double kMaxMemoryGib = 4096;
constexpr double kMaxBandwidthGbPerS = 20000;
constexpr double kMaxTflops = 10000;
constexpr double kMaxWatts = 5000;
constexpr double kMaxPriceUsd = 1e6;

std::vector<Backend> read_backends(ObjectReader& r) {
  std::vector<Backend> out;
  for (std::size_t idx : r.opt_enum_array("backends", kBackends)) out.push_back(kBackendNames[idx].backend);
  return out;
}

std::vector<std::string> read_simd(ObjectReader& r) {
  std::vector<std::string> out;
  for (std::size_t idx : r.opt_enum_array("simd", kSimd)) out.emplace_back(kSimd[idx]);
  return out;
}

FormFactor read_form_factor(ObjectReader& r) {
  return kFormFactorNames[r.req_enum("form_factor", kFormFactors)].value;
}

}  // namespace

bool is_valid_id(std::string_view id) {
  if (id.empty()) return false;
  bool previous_separator = true;  // no leading separator
  for (char c : id) {
    const bool separator = c == '-' || c == '.';
    if (separator) {
      if (previous_separator) return false;
    } else if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)))) {
      return false;
    }
    previous_separator = separator;
  }
  return !previous_separator;
}

EntryMeta read_meta(ObjectReader& r) {
  EntryMeta meta;
  meta.id = r.req_string("id");
  if (!meta.id.empty() && !is_valid_id(meta.id)) {
    r.sink().error(pointer_append(r.pointer(), "id"),
                   "\"" + meta.id + "\" is not a valid id (lowercase letters and digits joined by '-' or '.')");
  }
  meta.name = r.req_string("name");
  meta.source = r.req_string("source");
  meta.notes = r.opt_string("notes").value_or("");
  meta.aliases = r.opt_string_array("aliases");
  meta.origin_file = r.sink().file();
  meta.origin_pointer = r.pointer();
  return meta;
}

Gpu parse_gpu(ObjectReader& r) {
  Gpu g;
  g.meta = read_meta(r);
  g.vendor = r.req_string("vendor");
  g.form_factor = read_form_factor(r);
  g.memory_gib = r.req_number("memory_gib", 0.25, kMaxMemoryGib);
  g.memory_type = r.req_string("memory_type");
  g.architecture = r.opt_string("architecture").value_or("");
  g.bus_width_bits = r.opt_u32("bus_width_bits", 16, 16384);
  g.memory_data_rate_gbps = r.opt_number("memory_data_rate_gbps", 0.1, 100);
  g.bandwidth_gb_per_s = r.req_number("bandwidth_gb_per_s", 1, kMaxBandwidthGbPerS);
  g.fp16_tensor_tflops = r.opt_number("fp16_tensor_tflops", 0.01, kMaxTflops);
  g.fp16_tensor_fp32acc_tflops = r.opt_number("fp16_tensor_fp32acc_tflops", 0.01, kMaxTflops);
  g.int8_dp4a_tops = r.opt_number("int8_dp4a_tops", 0.01, kMaxTflops);
  g.fp32_tflops = r.opt_number("fp32_tflops", 0.01, kMaxTflops);
  g.tdp_watts = r.req_number("tdp_watts", 1, kMaxWatts);
  g.tdp_max_watts = r.opt_number("tdp_max_watts", 1, kMaxWatts);
  g.idle_watts = r.opt_number("idle_watts", 0, kMaxWatts);
  g.launch_year = r.req_u32("launch_year", 2000, 2100);
  g.launch_price_usd = r.opt_number("launch_price_usd", 1, kMaxPriceUsd);
  g.backends = read_backends(r);
  g.pcie_gen = r.req_u32("pcie_gen", 1, 7);
  g.pcie_lanes = r.req_u32("pcie_lanes", 1, 32);
  g.nvlink = r.opt_string("nvlink").value_or("");
  r.finish();
  return g;
}

UnifiedSystem parse_system(ObjectReader& r) {
  UnifiedSystem s;
  s.meta = read_meta(r);
  s.vendor = r.req_string("vendor");
  s.form_factor = read_form_factor(r);
  if (!r.has("memory_options")) r.sink().error(r.pointer(), "missing required key \"memory_options\"");
  for (ObjectReader& opt : r.opt_object_array("memory_options")) {
    MemoryOption m;
    m.memory_gib = opt.req_number("memory_gib", 0.25, kMaxMemoryGib);
    m.price_usd = opt.opt_number("price_usd", 1, kMaxPriceUsd);
    opt.finish();
    s.memory_options.push_back(m);
  }
  s.memory_type = r.req_string("memory_type");
  s.architecture = r.opt_string("architecture").value_or("");
  s.cpu_architecture = r.opt_string("cpu_architecture").value_or("");
  s.bus_width_bits = r.opt_u32("bus_width_bits", 16, 16384);
  s.bandwidth_gb_per_s = r.req_number("bandwidth_gb_per_s", 1, kMaxBandwidthGbPerS);
  s.cpu_cores = r.req_u32("cpu_cores", 1, 1024);
  s.gpu_cores = r.opt_u32("gpu_cores", 1, 100000);
  s.fp16_tflops = r.opt_number("fp16_tflops", 0.001, kMaxTflops);
  s.fp32_tflops = r.opt_number("fp32_tflops", 0.001, kMaxTflops);
  s.gpu_memory_fraction = r.opt_number("gpu_memory_fraction", 0.05, 1.0);
  s.tdp_watts = r.req_number("tdp_watts", 1, kMaxWatts);
  s.tdp_max_watts = r.opt_number("tdp_max_watts", 1, kMaxWatts);
  s.idle_watts = r.opt_number("idle_watts", 0, kMaxWatts);
  s.launch_year = r.req_u32("launch_year", 2000, 2100);
  s.backends = read_backends(r);
  s.simd = read_simd(r);
  r.finish();
  return s;
}

Cpu parse_cpu(ObjectReader& r) {
  Cpu c;
  c.meta = read_meta(r);
  c.vendor = r.req_string("vendor");
  c.platform = r.req_string("platform");
  c.form_factor = read_form_factor(r);
  c.cores = r.req_u32("cores", 1, 4096);
  c.threads = r.req_u32("threads", 1, 8192);
  c.base_clock_ghz = r.req_number("base_clock_ghz", 0.1, 10);
  c.boost_clock_ghz = r.req_number("boost_clock_ghz", 0.1, 10);
  c.simd = read_simd(r);
  c.fp32_flops_per_cycle = r.opt_number("fp32_flops_per_cycle", 1, 1024);
  c.memory_channels = r.req_u32("memory_channels", 1, 32);
  c.memory_channel_width_bits = r.opt_u32("memory_channel_width_bits", 8, 1024).value_or(c.memory_channel_width_bits);
  c.ram_kinds = r.opt_string_array("ram_kinds");
  c.max_memory_gib = r.opt_number("max_memory_gib", 1, 65536);
  c.tdp_watts = r.req_number("tdp_watts", 1, kMaxWatts);
  c.tdp_max_watts = r.opt_number("tdp_max_watts", 1, kMaxWatts);
  c.launch_year = r.req_u32("launch_year", 2000, 2100);
  c.launch_price_usd = r.opt_number("launch_price_usd", 1, kMaxPriceUsd);
  r.finish();
  return c;
}

RamKind parse_ram_kind(ObjectReader& r) {
  RamKind k;
  k.meta = read_meta(r);
  k.generation = r.req_string("generation");
  k.transfer_rate_mt_per_s = r.req_u32("transfer_rate_mt_per_s", 100, 20000);
  k.channel_width_bits = r.req_u32("channel_width_bits", 8, 1024);
  r.finish();
  return k;
}

StorageKind parse_storage(ObjectReader& r) {
  StorageKind s;
  s.meta = read_meta(r);
  s.kind = r.req_string("kind");
  s.read_mb_per_s = r.req_number("read_mb_per_s", 1, 100000);
  r.finish();
  return s;
}

Link parse_link(ObjectReader& r) {
  Link l;
  l.meta = read_meta(r);
  l.kind = r.req_string("kind");
  l.bandwidth_gb_per_s = r.req_number("bandwidth_gb_per_s", 0.01, 10000);
  l.latency_us = r.opt_number("latency_us", 0, 100000);
  r.finish();
  return l;
}

namespace {

// llama-bench's test names: "pp" or "tg" and a positive token count ("pp512", "tg128"). The count
// is parsed later (prefill FLOPs grow with the prompt), so anything else is refused here.
void read_bench_test(ObjectReader& r, Benchmark& b) {
  constexpr std::uint32_t kMaxTokens = 1U << 24U;  // 16M tokens: beyond any context length
  const std::size_t errors = r.sink().count();
  const std::string test = r.req_string("test");
  if (r.sink().count() > errors) return;  // missing or not a string: already reported
  const std::string_view kind = std::string_view(test).substr(0, 2);
  const std::string digits = test.size() > 2 ? test.substr(2) : "";
  const bool numeric = !digits.empty() && digits.size() <= 8 && digits.front() != '0' &&
                       std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::uint64_t tokens = numeric ? std::stoull(digits) : 0;
  if ((kind != "pp" && kind != "tg") || !numeric || tokens > kMaxTokens) {
    r.sink().error(pointer_append(r.pointer(), "test"),
                   "\"" + test + "\" is not a llama-bench test (\"pp\" or \"tg\" and a token count, e.g. \"pp512\", \"tg128\")");
    return;
  }
  b.phase = kind == "pp" ? BenchPhase::prefill : BenchPhase::decode;
  b.tokens = static_cast<std::uint32_t>(tokens);
}


// The llama-bench options of the run (docs/catalog.md, "benchmarks"); absent ones are llama.cpp's defaults.
void read_bench_configuration(ObjectReader& r, Benchmark& b) {
  constexpr std::uint32_t kMaxTokens = 1U << 24U;
  static const std::vector<std::string_view> kSplits = ids_of(kSplitModeNames);
  static const std::vector<std::string_view> kEngines = ids_of(kEngineNames);
  b.depth = r.opt_u32("depth", 0, kMaxTokens).value_or(0);
  if (const auto s = r.opt_enum("split_mode", kSplits)) b.split = kSplitModeNames[*s].value;
  b.n_cpu_moe = r.opt_u32("n_cpu_moe", 0, 10000);
  if (const auto ts = r.opt_string("tensor_split")) {
    if (auto parsed = parse_tensor_split(*ts, 64)) {
      b.tensor_split = std::move(*parsed);
    } else {
      r.sink().error(pointer_append(r.pointer(), "tensor_split"),
                     "\"" + *ts + "\" is not a -ts list (non-negative proportions, e.g. \"3,1\")");
    }
  }
  b.ubatch = r.opt_u32("ubatch", 1, kMaxTokens);
  b.batch = r.opt_u32("batch", 1, kMaxTokens);
  b.threads = r.opt_u32("threads", 1, 4096);
  b.kv_type = r.opt_string("kv_type").value_or("");
  if (const auto e = r.opt_enum("engine", kEngines)) b.engine = kEngineNames[*e].value;
  b.cpu = r.opt_string("cpu").value_or("");
  b.ram_kind = r.opt_string("ram_kind").value_or("");
  b.channels = r.opt_u32("channels", 1, 64);
  b.link = r.opt_string("link").value_or("");
}

}  // namespace

Benchmark parse_benchmark(ObjectReader& r) {
  Benchmark b;
  b.meta = read_meta(r);
  b.hardware = r.req_string("hardware");
  b.n_devices = r.opt_u32("n_devices", 1, 64).value_or(1);
  b.backend = kBackendNames[r.req_enum("backend", kBackends)].backend;
  b.model = r.req_string("model");
  b.quant = r.req_string("quant");
  read_bench_test(r, b);
  b.tokens_per_s = r.req_number("tokens_per_s", 0.001, 1e7);
  b.flash_attention = r.opt_bool("flash_attention");
  b.ngl = r.opt_u32("ngl", 0, 10000);
  b.build = r.opt_string("build").value_or("");
  static const std::vector<std::string_view> kSets = {"fit", "holdout"};
  b.set = std::string(kSets[r.req_enum("set", kSets)]);
  read_bench_configuration(r, b);
  r.finish();
  return b;
}

}  // namespace llmsize::catalog
