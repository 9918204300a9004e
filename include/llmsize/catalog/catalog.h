#pragma once
/// The catalog: every entry of every collection, validated and merged.
#include <string>
#include <string_view>
#include <vector>

#include "llmsize/engine/benchmark.h"
#include "llmsize/engine/hardware.h"
#include "llmsize/engine/model.h"
#include "llmsize/engine/quant.h"

namespace llmsize::catalog {

struct Catalog {
  std::vector<engine::Gpu> gpus;
  std::vector<engine::UnifiedSystem> systems;
  std::vector<engine::Cpu> cpus;
  std::vector<engine::RamKind> ram_kinds;
  std::vector<engine::StorageKind> storage;
  std::vector<engine::Link> links;
  std::vector<engine::Model> models;
  std::vector<engine::TensorType> tensor_types;
  std::vector<engine::Quant> quants;
  /// The published measurements calibration is fitted and scored on. Empty unless the catalog was
  /// loaded with LoadOptions::benchmarks (benchmarks_loaded says which).
  std::vector<engine::Benchmark> benchmarks;
  bool benchmarks_loaded = true;
  friend bool operator==(const Catalog&, const Catalog&) = default;
};

/// One problem found while loading: `FILE: /json/pointer: message`.
struct Diagnostic {
  std::string file;
  std::string location;  ///< JSON pointer, or "line L, column C" for malformed JSON
  std::string message;
  [[nodiscard]] std::string to_string() const;
};

/// A catalog file's text and the name errors are reported under.
struct SourceText {
  std::string name;
  std::string text;
};

struct LoadResult {
  Catalog catalog;
  std::vector<Diagnostic> errors;
  /// The merged entries as JSON text, per collection, for `catalog show` (when asked for).
  std::string merged_json;
  [[nodiscard]] bool ok() const { return errors.empty(); }
};

struct LoadOptions {
  /// Keep the merged entries as JSON text (LoadResult::merged_json).
  bool keep_merged_json = false;
  /// Read the benchmark rows. Without them a base file that holds only benchmarks is not parsed at
  /// all (data/benchmarks*.json are 1.4 MB of the catalog's 2.1 MB), benchmarks elsewhere are dropped
  /// and none is checked: what sizing and prediction load, since they use the fit baked in at build
  /// time (machine/baked_calibration.h).
  bool benchmarks = true;
};

/// Loads layers: `base` files form one layer (an id twice is an error); each of `overlays`, in
/// order, adds entries or replaces base entries with the same id. Cross-entry references are
/// checked on the merged result. Every error is collected; none is thrown.
[[nodiscard]] LoadResult load(const std::vector<SourceText>& base, const std::vector<SourceText>& overlays,
                              const LoadOptions& options = {});

/// The data/ files compiled into the binary.
[[nodiscard]] const std::vector<SourceText>& embedded_files();

/// Normalises a user-typed name for lookup: lowercase, `_` and spaces become `-`.
[[nodiscard]] std::string normalize_name(std::string_view name);

/// Whether two names are equal after normalize_name, without allocating.
[[nodiscard]] bool same_name(std::string_view a, std::string_view b);

/// Finds an entry by id or alias (normalised). nullptr when absent.
template <class T>
[[nodiscard]] const T* find(const std::vector<T>& items, std::string_view name) {
  for (const T& item : items) {
    if (same_name(item.meta.id, name)) return &item;
  }
  for (const T& item : items) {
    for (const std::string& alias : item.meta.aliases) {
      if (same_name(alias, name)) return &item;
    }
  }
  return nullptr;
}

/// Whether `name` is a size shorthand: digits, an optional decimal part and `b` or `m` ("30b", "1.5b",
/// "135m"; case ignored).
[[nodiscard]] bool is_size_shorthand(std::string_view name);

/// The models a size shorthand matches, in catalog order: each whose id or one of whose aliases has it as
/// a whole word. Words are split at `-`, `_`, `:`, `/` and spaces, so "30b" matches `qwen3-30b-a3b` and
/// `qwen3:30b` but "7b" does not match `mixtral:8x7b`. Empty when `shorthand` is not one (docs/catalog.md,
/// "Size shorthands").
[[nodiscard]] std::vector<const engine::Model*> size_matches(const std::vector<engine::Model>& models,
                                                             std::string_view shorthand);

/// Levenshtein edit distance, for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest of `candidates` to `name`, or "" when nothing is reasonably close.
[[nodiscard]] std::string closest(std::string_view name, const std::vector<std::string>& candidates);

/// Ids and aliases of a collection, for suggestions.
template <class T>
[[nodiscard]] std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> out;
  for (const T& item : items) {
    out.push_back(item.meta.id);
    for (const std::string& alias : item.meta.aliases) out.push_back(alias);
  }
  return out;
}

/// The fastest of the RAM kinds a CPU supports (highest transfer rate); nullptr when it names none the
/// catalog has. The one rule for "RAM kind not given" (check, recommend, calibration rows).
[[nodiscard]] const engine::RamKind* fastest_ram_kind(const Catalog& cat, const engine::Cpu& c);

}  // namespace llmsize::catalog
