#include "llmsize/cli/run.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "llmsize/cli/command_line.h"
#include "llmsize/error.h"
#include "pipeline.h"
#include "report_errors.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

#ifndef LLMSIZE_VERSION
#define LLMSIZE_VERSION "0.0.0"
#endif

namespace llmsize::cli {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read \"" + path + "\"; check the path");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Context::load_catalog(CatalogUse use) {
  std::vector<catalog::SourceText> overlays;
  if (const char* env = std::getenv("LLMSIZE_CATALOG"); env != nullptr) {
    std::string paths = env;
    std::size_t start = 0;
    while (start <= paths.size()) {
      const std::size_t colon = paths.find(':', start);
      const std::string path = paths.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!path.empty()) overlays.push_back({path, read_file(path)});
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  for (const std::string& path : catalog_files) overlays.push_back({path, read_file(path)});
  catalog::LoadOptions options;
  options.keep_merged_json = use == CatalogUse::loaded_with_json;
  // Without an overlay the built-in fit applies (baked_calibration.h) and the rows are not needed.
  options.benchmarks = use != CatalogUse::loaded || !overlays.empty();
  catalog::LoadResult loaded = catalog::load(catalog::embedded_files(), overlays, options);
  if (!loaded.ok()) {
    for (const auto& d : loaded.errors) err << d.to_string() << "\n";  // diagnostics, one per line
    throw InputError(std::to_string(loaded.errors.size()) +
                     " catalog error(s); fix the files above or run `llmsize catalog validate FILE`");
  }
  catalog = std::move(loaded.catalog);
  catalog_overlaid = !overlays.empty();
  merged_catalog_json = std::move(loaded.merged_json);
}

std::string Result::csv() const {
  throw std::logic_error("csv() asked of a command registered without CSV");
}

Json envelope(const std::string& command, Json inputs, Json result, const Json& assumptions) {
  Json doc = Json::object();
  doc["schema_version"] = kJsonSchemaVersion;
  doc["command"] = command;
  doc["inputs"] = std::move(inputs);
  doc["result"] = std::move(result);
  doc["assumptions"] = assumptions.is_null() ? Json::array() : assumptions;
  return doc;
}

std::vector<CommandSpec> all_commands() {
  return {recommend_command(), check_command(),    models_command(),   memory_command(),  finetune_command(),
          kv_command(),        speed_command(),    cost_command(),     inspect_command(), hardware_command(),
          quants_command(),    catalog_command(),  detect_command(),   probe_command(),   calibrate_command()};
}

namespace {

// The --help footer: the exit codes from run.h, then the notes the man page also prints.
std::string footer() {
  std::string text = "Exit codes:\n";
  for (const ExitCodeMeaning& code : kExitCodes) text += "  " + std::to_string(code.code) + "  " + code.meaning + "\n";
  return text + "\n" + kHelpNotes;
}

struct GlobalOptions {
  bool json = false;
  bool csv = false;
  std::string color = "auto";
  std::vector<std::string> catalogs;
  bool explain = false;
};

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_flag("--json", g.json, "Print exactly one JSON document (docs/json.md)");
  app.add_flag("--csv", g.csv, "Print the result's table as CSV (the commands with a table; others refuse it)");
  app.add_option("--color", g.color, "Colour: auto (only on a terminal; NO_COLOR honoured), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--catalog", g.catalogs, "Extra catalog FILE (repeatable); entries add to or replace built-in ones")
      ->type_name("FILE");
  app.add_flag("--explain", g.explain, "Show the formulas used and every assumption that was defaulted");
}

bool use_color(const std::string& mode, bool out_is_tty) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return out_is_tty;
}

/// Every leaf command's runner, whether it renders CSV and what catalog it needs, by parser node.
struct Registry {
  std::map<const CLI::App*, Runner> runners;
  std::map<const CLI::App*, bool> csv;
  std::map<const CLI::App*, CatalogUse> catalog_use;
  std::vector<std::string> csv_commands;
};

// The deepest subcommand that was parsed: `catalog stats` rather than `catalog`.
const CLI::App* chosen_command(const CLI::App& app) {
  const CLI::App* current = &app;
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (const CLI::App* sub : current->get_subcommands()) {
      if (sub->parsed()) {
        current = sub;
        deeper = true;
        break;
      }
    }
  }
  return current;
}

void register_command(CLI::App& parent, const CommandSpec& spec, const std::string& prefix, Registry& registry) {
  CLI::App* sub = parent.add_subcommand(spec.name, spec.description);
  sub->fallthrough();
  if (!spec.subcommands.empty()) {
    sub->require_subcommand(1);
    for (const CommandSpec& child : spec.subcommands) register_command(*sub, child, prefix + spec.name + " ", registry);
    return;
  }
  registry.runners[sub] = spec.add(*sub);
  registry.csv[sub] = spec.renders_csv;
  registry.catalog_use[sub] = spec.catalog_use;
  if (spec.renders_csv) registry.csv_commands.push_back(prefix + spec.name);
}

// "catalog calibration" for a nested command.
std::string full_name(const CLI::App& command) {
  std::string name = command.get_name();
  for (const CLI::App* p = command.get_parent(); p != nullptr && p->get_parent() != nullptr; p = p->get_parent()) {
    name = p->get_name() + " " + name;
  }
  return name;
}

std::string csv_rejection(const CLI::App& command, const Registry& registry) {
  std::string list;
  for (const std::string& name : registry.csv_commands) list += (list.empty() ? "" : ", ") + name;
  return "--csv does not apply to `llmsize " + full_name(command) + "` (it prints no table); it works with: " + list;
}

void load_catalog(Context& ctx, const CLI::App& command, const Registry& registry) {
  const auto use = registry.catalog_use.find(&command);
  const CatalogUse need = use == registry.catalog_use.end() ? CatalogUse::loaded : use->second;
  if (need != CatalogUse::none) ctx.load_catalog(need);
}

// The whole command line: global flags and every command from all_commands(), bound to `global` and
// `registry`. The one definition behind parsing, --help, the man page and the shell completions.
void build_parser(CLI::App& app, GlobalOptions& global, Registry& registry) {
  app.set_version_flag("--version", LLMSIZE_VERSION);
  app.footer(footer());
  app.require_subcommand(1);
  add_global_options(app, global);
  for (const CommandSpec& spec : all_commands()) register_command(app, spec, "", registry);
}

constexpr const char* kSummary = "llmsize: what hardware a large language model needs, and what a planned build will do.";

// Parses, runs the chosen command and prints its result; returns the exit code. Throws on errors.
int parse_and_run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{kSummary, "llmsize"};
  GlobalOptions global;
  Registry registry;
  build_parser(app, global, registry);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << LLMSIZE_VERSION << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // a subcommand's --help
      out << chosen_command(app)->help();
      return kExitOk;
    }
    err << "llmsize: error: " << e.what() << "; run `llmsize --help` (or `llmsize COMMAND --help`)\n";
    return kExitUsage;
  }

  const CLI::App* command = chosen_command(app);
  const auto runner = registry.runners.find(command);
  if (runner == registry.runners.end()) throw InputError("`llmsize " + full_name(*command) + "` needs a subcommand; see --help");
  if (global.json && global.csv) throw InputError("--json and --csv exclude each other; choose one");
  const OutputFormat format = global.json ? OutputFormat::json : global.csv ? OutputFormat::csv : OutputFormat::text;
  if (format == OutputFormat::csv && !registry.csv.at(command)) throw InputError(csv_rejection(*command, registry));

  Context ctx(err);
  ctx.format = format;
  ctx.catalog_files = global.catalogs;
  ctx.progress = format == OutputFormat::text && &err == &std::cerr && isatty(STDERR_FILENO) == 1;
  load_catalog(ctx, *command, registry);
  const std::unique_ptr<Result> result = runner->second(ctx);
  const Style style{use_color(global.color, &out == &std::cout && isatty(STDOUT_FILENO) == 1), global.explain};
  err << result->diagnostics();
  switch (format) {
    case OutputFormat::json: out << result->json().dump(2) << "\n"; break;
    case OutputFormat::csv: out << result->csv(); break;
    case OutputFormat::text: out << result->text(style); break;
  }
  return result->exit_code();
}

}  // namespace

void visit_parser(const std::function<void(const CLI::App&)>& visit) {
  CLI::App app{kSummary, "llmsize"};
  GlobalOptions global;
  Registry registry;
  build_parser(app, global, registry);
  visit(app);
}

const char* version() { return LLMSIZE_VERSION; }

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  return report_errors(err, [&] { return parse_and_run(argc, argv, out, err); });
}

int report_errors(std::ostream& err, const std::function<int()>& body) {
  try {
    return body();
  } catch (const Error& e) {
    err << "llmsize: error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    err << "llmsize: internal error: " << e.what() << "\n";
  } catch (...) {
    err << "llmsize: internal error: unknown exception\n";
  }
  return kExitUsage;
}

}  // namespace llmsize::cli
