#include "validate.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "json_reader.h"
#include "parse_entries.h"
#include "llmsize/engine/speed.h"
#include "llmsize/engine/weights.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::catalog {
namespace {

/// Relative disagreement allowed between a stated bandwidth and bus width × data rate.
constexpr double kBandwidthTolerance = 0.02;
/// Relative disagreement allowed between the published and the computed parameter count.
constexpr double kParamsTolerance = 0.02;

class Checker {
 public:
  explicit Checker(std::vector<Diagnostic>& errors) : errors_(errors) {}

  void error(const EntryMeta& meta, std::string_view field, std::string message) {
    std::string ptr = meta.origin_pointer;
    if (!field.empty()) ptr += "/" + std::string(field);
    errors_.push_back({meta.origin_file, ptr, std::move(message)});
  }

  template <class T, class U>
  void reference(const EntryMeta& meta, std::string_view field, const std::string& id,
                 const std::vector<U>& targets, std::string_view collection, const std::vector<T>* also = nullptr) {
    if (id.empty() || find(targets, id) != nullptr) return;
    if (also != nullptr && find(*also, id) != nullptr) return;
    std::vector<std::string> names = names_of(targets);
    if (also != nullptr) {
      auto more = names_of(*also);
      names.insert(names.end(), more.begin(), more.end());
    }
    std::string message = "unknown " + std::string(collection) + " id \"" + id + "\"";
    const std::string suggestion = closest(id, names);
    if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
    error(meta, field, message);
  }

  template <class T>
  void unique_aliases(const std::vector<T>& items) {
    std::map<std::string, const EntryMeta*> owner;
    for (const T& item : items) owner[normalize_name(item.meta.id)] = &item.meta;
    for (const T& item : items) {
      for (std::size_t i = 0; i < item.meta.aliases.size(); ++i) {
        const std::string key = normalize_name(item.meta.aliases[i]);
        auto [it, inserted] = owner.emplace(key, &item.meta);
        if (!inserted && it->second != &item.meta) {
          error(item.meta, "aliases/" + std::to_string(i),
                "alias \"" + item.meta.aliases[i] + "\" is already used by \"" + it->second->id + "\"");
        }
      }
    }
  }

 private:
  std::vector<Diagnostic>& errors_;
};

void check_gpu_bandwidth(Checker& check, const Gpu& g) {
  if (!g.bus_width_bits || !g.memory_data_rate_gbps) return;
  const double expected = *g.bus_width_bits / 8.0 * *g.memory_data_rate_gbps;
  if (std::abs(expected - g.bandwidth_gb_per_s) > kBandwidthTolerance * g.bandwidth_gb_per_s) {
    check.error(g.meta, "bandwidth_gb_per_s",
                format_number(g.bandwidth_gb_per_s) + " disagrees with bus_width_bits / 8 × memory_data_rate_gbps = " +
                    format_number(expected) + " (more than 2% apart)");
  }
}

// Every RAM kind a CPU lists must fill its bus with whole channels (a 32-bit LPDDR bus cannot take a
// 64-bit DDR channel), so that each kind gives the bus the same width.
void check_ram_kind_widths(Checker& check, const Cpu& c, const std::vector<RamKind>& kinds) {
  const std::uint32_t bus = memory_bus_width_bits(c);
  for (std::size_t i = 0; i < c.ram_kinds.size(); ++i) {
    const RamKind* k = find(kinds, c.ram_kinds[i]);
    if (k == nullptr || (k->channel_width_bits != 0 && bus % k->channel_width_bits == 0 && bus >= k->channel_width_bits)) {
      continue;
    }
    check.error(c.meta, "ram_kinds/" + std::to_string(i),
                "\"" + c.ram_kinds[i] + "\" has " + std::to_string(k->channel_width_bits) +
                    "-bit channels, which do not fill the CPU's " + std::to_string(bus) +
                    "-bit bus (memory_channels × memory_channel_width_bits)");
  }
}

template <class T>
void check_tdp_range(Checker& check, const T& hw) {
  if (hw.tdp_max_watts && *hw.tdp_max_watts < hw.tdp_watts) {
    check.error(hw.meta, "tdp_max_watts",
                format_number(*hw.tdp_max_watts) + " is below tdp_watts " + format_number(hw.tdp_watts));
  }
}

void check_model_params(Checker& check, const Model& m) {
  const ParamCounts counted = count_params(m);
  // A multimodal model's published count includes its vision encoder, which llmsize does not size.
  const double published = static_cast<double>(m.params_total - std::min(m.params_vision, m.params_total));
  const double computed = static_cast<double>(counted.total);
  if (std::abs(computed - published) > kParamsTolerance * published) {
    check.error(m.meta, "params_total",
                std::to_string(m.params_total) + " is more than 2% from the " + std::to_string(counted.total) +
                    " parameters the architecture gives");
  }
}

}  // namespace

void validate_references(const Catalog& cat, std::vector<Diagnostic>& errors) {
  Checker check(errors);
  check.unique_aliases(cat.gpus);
  check.unique_aliases(cat.systems);
  check.unique_aliases(cat.cpus);
  check.unique_aliases(cat.ram_kinds);
  check.unique_aliases(cat.storage);
  check.unique_aliases(cat.links);
  check.unique_aliases(cat.models);
  check.unique_aliases(cat.tensor_types);
  check.unique_aliases(cat.quants);

  for (const Gpu& g : cat.gpus) {
    check.reference<Link>(g.meta, "nvlink", g.nvlink, cat.links, "links");
    check_gpu_bandwidth(check, g);
    check_tdp_range(check, g);
  }
  for (const UnifiedSystem& s : cat.systems) check_tdp_range(check, s);
  for (const Cpu& c : cat.cpus) {
    check_tdp_range(check, c);
    for (std::size_t i = 0; i < c.ram_kinds.size(); ++i) {
      check.reference<RamKind>(c.meta, "ram_kinds/" + std::to_string(i), c.ram_kinds[i], cat.ram_kinds,
                               "ram_kinds");
    }
    check_ram_kind_widths(check, c, cat.ram_kinds);
  }
  for (const TensorType& t : cat.tensor_types) {
    check.reference<TensorType>(t.meta, "fallback", t.fallback, cat.tensor_types, "tensor_types");
  }
  for (const Quant& q : cat.quants) {
    check.reference<TensorType>(q.meta, "default_type", q.default_type, cat.tensor_types, "tensor_types");
    check.reference<TensorType>(q.meta, "vector_type", q.vector_type, cat.tensor_types, "tensor_types");
    for (std::size_t i = 0; i < q.rules.size(); ++i) {
      check.reference<TensorType>(q.meta, "rules/" + std::to_string(i) + "/type", q.rules[i].type,
                                  cat.tensor_types, "tensor_types");
    }
  }
  validate_quants(cat.quants, errors);
  for (const Model& m : cat.models) {
    check_model_params(check, m);
    for (std::size_t i = 0; i < m.native_types.size(); ++i) {
      check.reference<TensorType>(m.meta, "native_types/" + std::to_string(i) + "/type", m.native_types[i].type,
                                  cat.tensor_types, "tensor_types");
    }
  }
  for (const Benchmark& b : cat.benchmarks) {
    if (find(cat.gpus, b.hardware) == nullptr && find(cat.systems, b.hardware) == nullptr) {
      check.reference<Cpu>(b.meta, "hardware", b.hardware, cat.gpus, "hardware", &cat.cpus);
    }
    check.reference<Model>(b.meta, "model", b.model, cat.models, "models");
    check.reference<Quant>(b.meta, "quant", b.quant, cat.quants, "quants");
    if (!b.cpu.empty()) check.reference<Cpu>(b.meta, "cpu", b.cpu, cat.cpus, "cpus");
    if (!b.ram_kind.empty()) check.reference<RamKind>(b.meta, "ram_kind", b.ram_kind, cat.ram_kinds, "ram_kinds");
    if (!b.link.empty()) check.reference<Link>(b.meta, "link", b.link, cat.links, "links");
    if (!b.kv_type.empty()) check.reference<TensorType>(b.meta, "kv_type", b.kv_type, cat.tensor_types, "tensor_types");
  }
}

}  // namespace llmsize::catalog
