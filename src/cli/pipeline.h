#pragma once
// The command pipeline (docs/ARCHITECTURE.md "Commands"): run() parses the whole command line, loads
// the catalog once, runs the one command chosen, and renders its Result in the one format asked for.
// A command never prints and never sets an exit code: it returns a Result.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "context.h"
#include "llmsize/cli/run.h"

namespace llmsize::cli {


/// How text is drawn: colour only on a terminal (NO_COLOR honoured), --explain adds the formulas and
/// the assumptions.
struct Style {
  bool color = false;
  bool explain = false;
};

/// A command's answer, computed once; the renderers only format it.
class Result {
 public:
  Result() = default;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  virtual ~Result() = default;
  [[nodiscard]] virtual std::string text(const Style& style) const = 0;
  /// The one JSON document (docs/json.md): schema_version, command, inputs, result, assumptions.
  [[nodiscard]] virtual Json json() const = 0;
  /// The result's table as CSV; asked only of commands registered with `renders_csv`.
  [[nodiscard]] virtual std::string csv() const;
  /// Lines for stderr whatever the format (catalog validate's diagnostics).
  [[nodiscard]] virtual std::string diagnostics() const { return ""; }
  /// 0: success, it fits; 1: the answer is "does not fit" (or nothing matched); 2: invalid input.
  [[nodiscard]] virtual int exit_code() const { return 0; }
};

using Runner = std::function<std::unique_ptr<Result>(Context&)>;


/// One subcommand: its name and help, whether it renders CSV, and `add`, which binds its flags on
/// the parser and returns the function that runs it once parsing has finished. A command with
/// `subcommands` (catalog) only groups them.
struct CommandSpec {
  std::string name;
  std::string description;
  bool renders_csv = false;
  std::function<Runner(CLI::App&)> add;
  std::vector<CommandSpec> subcommands;
  CatalogUse catalog_use = CatalogUse::loaded;
};

// One per cmd_*.cpp.
[[nodiscard]] CommandSpec recommend_command();
[[nodiscard]] CommandSpec check_command();
[[nodiscard]] CommandSpec models_command();
[[nodiscard]] CommandSpec memory_command();
[[nodiscard]] CommandSpec finetune_command();
[[nodiscard]] CommandSpec kv_command();
[[nodiscard]] CommandSpec speed_command();
[[nodiscard]] CommandSpec cost_command();
[[nodiscard]] CommandSpec inspect_command();
[[nodiscard]] CommandSpec hardware_command();
[[nodiscard]] CommandSpec quants_command();
[[nodiscard]] CommandSpec catalog_command();
[[nodiscard]] CommandSpec detect_command();
[[nodiscard]] CommandSpec probe_command();
[[nodiscard]] CommandSpec calibrate_command();

/// Every command, in the order `llmsize --help` lists them.
[[nodiscard]] std::vector<CommandSpec> all_commands();

/// The JSON envelope every command's json() returns (docs/json.md, schema_version 2).
[[nodiscard]] Json envelope(const std::string& command, Json inputs, Json result, const Json& assumptions);

}  // namespace llmsize::cli
