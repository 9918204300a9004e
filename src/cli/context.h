#pragma once
// What every subcommand gets: global flags, the loaded catalog, the output streams.
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/error.h"
#include "llmsize/engine/speed.h"
#include "llmsize/hub/hub.h"
#include "llmsize/modelfile/model_file.h"
#include "prices.h"

namespace llmsize::cli {

using Json = nlohmann::ordered_json;

/// A problem with the user's input: the one error type (llmsize/error.h) under the name the command
/// code uses; run() prints it as `llmsize: error: ...`, exit 2. No caller tells it apart from the
/// other layers' errors, so it is the same type, not a subclass.
using InputError = llmsize::Error;

/// The JSON document's schema_version (docs/json.md says what changed in each).
inline constexpr int kJsonSchemaVersion = 4;

enum class OutputFormat { text, json, csv };

/// What a command needs of the catalog before it runs; run() loads it accordingly.
enum class CatalogUse {
  loaded,                  ///< the built-in catalog merged with --catalog files and $LLMSIZE_CATALOG, without
                           ///< the benchmark rows unless an overlay is given (calibration is baked in); with
                           ///< no overlay, the entries compiled in at build time (catalog/compiled.h)
  loaded_with_benchmarks,  ///< the same with every benchmark row (catalog calibration, catalog stats)
  loaded_with_json,        ///< with the rows, keeping the merged JSON in Context::merged_catalog_json (catalog show)
  none,                    ///< nothing: catalog validate reads the FILEs it checks itself
};

/// What every command reads once parsing has finished: the catalog, the calibration, the model files.
/// Commands never print: `err` carries only catalog diagnostics and probe's progress bar.
struct Context {
  explicit Context(std::ostream& e) : err(e) {}
  std::ostream& err;
  /// The one format chosen. Renderers never look at it; a command reads it only to refuse, before any
  /// work, a format one of its modes cannot print (`calibrate --reset --csv`).
  OutputFormat format = OutputFormat::text;
  std::vector<std::string> catalog_files;  ///< --catalog FILE, in order
  bool progress = false;                   ///< a progress bar may be drawn on stderr (text output on a terminal)
  catalog::Catalog catalog;
  /// Overlays (--catalog, $LLMSIZE_CATALOG) were loaded: calibration() then fits on the merged rows
  /// instead of using the built-in fit.
  bool catalog_overlaid = false;
  std::string merged_catalog_json;
  std::optional<engine::Calibration> calibration_cache;  ///< made on first use
  /// Model files read for --model PATH, by path; engine results point into them, so they stay put.
  mutable std::map<std::string, std::unique_ptr<modelfile::ModelFile>> model_files;
  /// For the remote ones (hf:ORG/REPO, https://.../FILE.gguf): what was fetched and from where, by name.
  mutable std::map<std::string, hub::ModelSource> model_sources;
  /// --offline: remote models come from the cache only.
  bool offline = false;
  /// Predictions are for the machine llmsize runs on (--this-machine): calibration() then merges the
  /// factors `llmsize calibrate` stored in the user's profile (machine_profile.h). Off by default.
  bool use_machine_profile = false;
  /// The user's hardware prices (--price, the prices file): loaded by the commands that show prices
  /// (load_prices, prices.h) before they build hardware; empty: launch MSRP everywhere.
  PriceBook prices;

  /// Loads the embedded catalog plus --catalog files and $LLMSIZE_CATALOG, as `use` says; throws InputError.
  void load_catalog(CatalogUse use);
};

/// Reads a file; throws InputError naming it when it cannot be read.
[[nodiscard]] std::string read_file(const std::string& path);

/// Finds an entry by name or throws InputError with "did you mean ...?".
template <class T>
const T& resolve(const std::vector<T>& items, const std::string& name, const std::string& what,
                 const std::string& list_command) {
  if (const T* found = catalog::find(items, name)) return *found;
  std::string message = "unknown " + what + " \"" + name + "\"";
  const std::string suggestion = catalog::closest(name, catalog::names_of(items));
  if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
  message += "; `llmsize " + list_command + "` lists them";
  throw InputError(message);
}

}  // namespace llmsize::cli
