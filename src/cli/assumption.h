#pragma once
// Assumptions are data: every value a command used without the user giving it, as {key, value,
// source}. The key is stable (docs/json.md lists them); the sentence is made from the record when
// text is rendered (assumption_text), so no code ever branches on, or restates, a sentence.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmsize::cli {

/// Where an assumed value came from.
enum class AssumptionSource {
  default_value,  ///< the flag was not given: its default (defaults.h)
  capped,         ///< the value given was over a limit and was lowered to it
  alias,          ///< a shorthand name resolved to a catalog entry
  model_file,     ///< a model file left it out; the reader inferred it
  catalog,        ///< a catalog value stands in for something not given
  detected,       ///< read from this machine
  estimate,       ///< an engineering estimate (its source in docs/formulas.md)
};

struct Assumption {
  std::string key;    ///< stable id: "quant", "context_tokens", "kv_type", "storage", ...
  std::string value;  ///< the value used, as the user would write it ("Q4_K_M", "8192", "NVMe Gen4")
  AssumptionSource source = AssumptionSource::default_value;
  std::string detail; ///< words some sentences add (a file's path, why)
};

using Assumptions = std::vector<Assumption>;

[[nodiscard]] const char* to_string(AssumptionSource s);

/// The sentence --explain prints, made from the record; e.g. {quant, Q4_K_M, default} gives
/// "quantization not given: Q4_K_M".
[[nodiscard]] std::string assumption_text(const Assumption& a);

/// The "Assumptions" block --explain adds.
[[nodiscard]] std::string assumptions_text(const Assumptions& assumptions);

/// {"key", "value", "source", "text"} per assumption (docs/json.md).
[[nodiscard]] nlohmann::ordered_json assumptions_json(const Assumptions& assumptions);

/// Appends b to a.
void append(Assumptions& a, const Assumptions& b);

}  // namespace llmsize::cli
