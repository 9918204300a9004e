#pragma once
// What every subcommand gets: global flags, the loaded catalog, the output streams.
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "llmsize/catalog/catalog.h"
#include "llmsize/error.h"
#include "llmsize/engine/speed.h"
#include "llmsize/modelfile/model_file.h"

namespace llmsize::cli {

using Json = nlohmann::ordered_json;

/// A problem with the user's input: printed as `llmsize: error: ...`, exit 2.
class InputError : public Error {
 public:
  using Error::Error;
};

/// The JSON document's schema_version (docs/json.md says what changed in each).
inline constexpr int kJsonSchemaVersion = 2;

struct GlobalOptions {
  bool json = false;
  bool csv = false;
  std::string color = "auto";
  std::vector<std::string> catalogs;
  bool explain = false;
};

/// What every command reads once parsing has finished: the catalog, the calibration, the model files.
struct Context {
  Context(std::ostream& o, std::ostream& e) : out(o), err(e) {}
  // Transitional, for commands not yet returning a Result (they print while they compute):
  GlobalOptions global;
  std::ostream& out;
  std::ostream& err;
  bool out_is_tty = false;
  int exit_code = 0;
  std::map<const CLI::App*, std::function<void(Context&)>> legacy_runners;

  std::vector<std::string> catalog_files;  ///< --catalog FILE, in order
  bool progress = false;                   ///< a progress bar may be drawn on stderr (text output on a terminal)
  catalog::Catalog catalog;
  std::string merged_catalog_json;
  std::optional<Calibration> calibration_cache;  ///< fitted on first use
  /// Model files read for --model PATH, by path; engine results point into them, so they stay put.
  mutable std::map<std::string, std::unique_ptr<modelfile::ModelFile>> model_files;
  /// Predictions are for the machine llmsize runs on (--this-machine): calibration() then merges the
  /// factors `llmsize calibrate` stored in the user's profile (machine_profile.h). Off by default.
  bool use_machine_profile = false;

  [[nodiscard]] bool color() const;
  /// Loads the embedded catalog plus --catalog files and $LLMSIZE_CATALOG; throws InputError.
  void load_catalog(bool keep_merged_json = false);
};

/// A subcommand registers its flags and the function that runs it.
using CommandRunner = std::function<void(Context&)>;

/// Transitional: adds a subcommand whose `runner` run() calls after parsing and loading the catalog.
CLI::App* add_command(CLI::App& app, Context& ctx, const std::string& name, const std::string& description,
                      CommandRunner runner);

// Transitional: the commands not yet returning a Result (pipeline.h declares the others).
void add_kv_command(CLI::App& app, Context& ctx);
void add_recommend_command(CLI::App& app, Context& ctx);
void add_models_command(CLI::App& app, Context& ctx);
void add_speed_command(CLI::App& app, Context& ctx);
void add_cost_command(CLI::App& app, Context& ctx);
void add_detect_command(CLI::App& app, Context& ctx);
void add_probe_command(CLI::App& app, Context& ctx);
void add_calibrate_command(CLI::App& app, Context& ctx);

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
