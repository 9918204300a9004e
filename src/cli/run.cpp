#include "llmsize/cli/run.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "context.h"
#include "report_errors.h"

#ifndef LLMSIZE_VERSION
#define LLMSIZE_VERSION "0.0.0"
#endif

namespace llmsize::cli {

bool Context::color() const {
  if (global.color == "always") return true;
  if (global.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return out_is_tty;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read \"" + path + "\"; check the path");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Context::load_catalog(bool keep_merged_json) {
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
  for (const std::string& path : global.catalogs) overlays.push_back({path, read_file(path)});
  catalog::LoadResult loaded = catalog::load(catalog::embedded_files(), overlays, keep_merged_json);
  if (!loaded.ok()) {
    for (const auto& d : loaded.errors) err << d.to_string() << "\n";
    throw InputError(std::to_string(loaded.errors.size()) +
                     " catalog error(s); fix the files above or run `llmsize catalog validate FILE`");
  }
  catalog = std::move(loaded.catalog);
  merged_catalog_json = std::move(loaded.merged_json);
}

CLI::App* add_command(CLI::App& app, Context& ctx, const std::string& name, const std::string& description,
                      CommandRunner runner) {
  CLI::App* sub = app.add_subcommand(name, description);
  sub->fallthrough();
  sub->callback([&ctx, runner = std::move(runner)]() {
    ctx.load_catalog();
    runner(ctx);
  });
  return sub;
}

namespace {

constexpr const char* kFooter =
    "Exit codes:\n"
    "  0  success; the model fits\n"
    "  1  the answer is \"does not fit\" (check, and filters that leave nothing)\n"
    "  2  usage, input or catalog error\n"
    "\n"
    "Units: GB = 1e9 bytes, GiB = 2^30 bytes; every label says which.\n"
    "Catalog: built in; add or override entries with --catalog FILE or LLMSIZE_CATALOG=a.json:b.json.";

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_flag("--json", g.json, "Print exactly one JSON document (docs/json.md)");
  app.add_flag("--csv", g.csv, "Print list-shaped results as CSV");
  app.add_option("--color", g.color, "Colour: auto (only on a terminal; NO_COLOR honoured), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--catalog", g.catalogs, "Extra catalog FILE (repeatable); entries add to or replace built-in ones")
      ->type_name("FILE");
  app.add_flag("--explain", g.explain, "Show the formulas used and every assumption that was defaulted");
}

// Builds the command line and runs the chosen command inside app.parse(). CLI11's own exceptions
// (help, version, usage errors) are answered here; every other exception goes to report_errors().
int parse_and_run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  Context ctx(out, err);
  ctx.out_is_tty = (&out == &std::cout) && isatty(STDOUT_FILENO) == 1;
  CLI::App app{"llmsize: what hardware a large language model needs, and what a planned build will do.",
               "llmsize"};
  app.set_version_flag("--version", LLMSIZE_VERSION);
  app.footer(kFooter);
  app.require_subcommand(1);
  add_global_options(app, ctx.global);
  add_recommend_command(app, ctx);
  add_check_command(app, ctx);
  add_models_command(app, ctx);
  add_memory_command(app, ctx);
  add_kv_command(app, ctx);
  add_speed_command(app, ctx);
  add_cost_command(app, ctx);
  add_inspect_command(app, ctx);
  add_hardware_command(app, ctx);
  add_quants_command(app, ctx);
  add_catalog_command(app, ctx);
  add_detect_command(app, ctx);
  add_probe_command(app, ctx);
  add_calibrate_command(app, ctx);

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
    // A subcommand's --help is a ParseError whose exit code is 0.
    if (e.get_exit_code() == 0) {
      for (CLI::App* sub : app.get_subcommands()) {
        if (sub->parsed()) {
          out << sub->help();
          return kExitOk;
        }
      }
      out << app.help();
      return kExitOk;
    }
    std::string message = e.what();
    err << "llmsize: error: " << message << "; run `llmsize --help` (or `llmsize COMMAND --help`)\n";
    return kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace

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

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  return report_errors(err, [&] { return parse_and_run(argc, argv, out, err); });
}

}  // namespace llmsize::cli
