#include "assumption.h"

#include <fmt/format.h>

#include <string_view>

namespace llmsize::cli {
namespace {

struct Wording {
  std::string_view key;
  AssumptionSource source;
  std::string_view format;  ///< fmt format with {value} and {detail}
};

using S = AssumptionSource;

// One sentence per (key, source); docs/json.md lists the keys.
constexpr Wording kWordings[] = {
    {"model", S::alias, "\"{detail}\" is {value}"},
    {"model_file", S::model_file, "{detail}: {value}"},
    {"quant", S::default_value, "quantization not given: {value}"},
    {"context_tokens", S::default_value, "context not given: {value} tokens"},
    {"context_tokens", S::capped, "context capped at the model's maximum, {value} tokens"},
    {"contexts", S::default_value, "contexts not given: {value}"},
    {"kv_type", S::default_value, "KV cache type not given: {value}"},
    {"flash_attention", S::default_value, "flash attention {value} (llama.cpp -fa auto enables it on GPUs and CPUs)"},
    {"v_cache_type", S::capped, "V cache kept in {value}: a quantized V cache needs flash attention"},
    {"usage", S::default_value, "the month assumes {value}"},
    {"usage", S::catalog, "the month assumes {value}"},
    {"hardware", S::default_value, "{value}"},  // transitional: hardware sentences not yet typed
};

}  // namespace

const char* to_string(AssumptionSource s) {
  switch (s) {
    case S::default_value: return "default";
    case S::capped: return "capped";
    case S::alias: return "alias";
    case S::model_file: return "model_file";
    case S::catalog: return "catalog";
    case S::detected: return "detected";
    case S::estimate: return "estimate";
  }
  return "?";
}

std::string assumption_text(const Assumption& a) {
  for (const Wording& w : kWordings) {
    if (w.key == a.key && w.source == a.source) {
      return fmt::format(fmt::runtime(w.format), fmt::arg("value", a.value), fmt::arg("detail", a.detail));
    }
  }
  // Keys without a sentence of their own: still every fact, in a fixed shape.
  std::string text = a.source == S::default_value ? a.key + " not given: " + a.value
                                                  : a.key + ": " + a.value + " (" + to_string(a.source) + ")";
  if (!a.detail.empty()) text += "; " + a.detail;
  return text;
}

std::string assumptions_text(const Assumptions& assumptions) {
  std::string out = "\nAssumptions\n";
  if (assumptions.empty()) out += "  (none: every input was given)\n";
  for (const Assumption& a : assumptions) out += "  - " + assumption_text(a) + "\n";
  return out;
}

nlohmann::ordered_json assumptions_json(const Assumptions& assumptions) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Assumption& a : assumptions) {
    list.push_back({{"key", a.key}, {"value", a.value}, {"source", to_string(a.source)}, {"text", assumption_text(a)}});
  }
  return list;
}

void append(Assumptions& a, const Assumptions& b) { a.insert(a.end(), b.begin(), b.end()); }

}  // namespace llmsize::cli
