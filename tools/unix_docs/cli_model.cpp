#include "cli_model.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

#include "llmsize/catalog/catalog.h"
#include "llmsize/cli/command_line.h"

namespace llmsize::unix_docs {
namespace {

// CLI11 writes an option's checks after its type name: "TEXT:{auto,always,never}", "INT:INT in [1 - 64]".
void read_type_name(const std::string& full, Flag& flag) {
  const std::size_t colon = full.find(':');
  flag.value_name = full.substr(0, colon);
  if (colon == std::string::npos) return;
  const std::string checks = full.substr(colon + 1);
  if (checks.size() >= 2 && checks.front() == '{' && checks.back() == '}') {
    std::size_t start = 1;
    while (start < checks.size() - 1) {
      const std::size_t comma = std::min(checks.find(',', start), checks.size() - 1);
      flag.choices.push_back(checks.substr(start, comma - start));
      start = comma + 1;
    }
  } else {
    flag.check = checks;
  }
}

Flag flag_of(const CLI::Option& opt) {
  Flag flag;
  for (const std::string& name : opt.get_lnames()) flag.names.push_back("--" + name);
  for (const std::string& name : opt.get_snames()) flag.names.push_back("-" + name);
  flag.help = opt.get_description();
  flag.takes_value = opt.get_expected_max() != 0;  // add_flag() sets expected(0)
  flag.repeatable = flag.takes_value && opt.get_expected_max() > 1;
  if (flag.takes_value) read_type_name(opt.get_type_name(), flag);
  flag.file = flag.value_name == "FILE";
  return flag;
}

Positional positional_of(const CLI::Option& opt) {
  Positional p;
  p.name = opt.get_name();
  p.help = opt.get_description();
  p.value_name = opt.get_type_name().substr(0, opt.get_type_name().find(':'));
  p.required = opt.get_required();
  p.repeatable = opt.get_expected_max() > 1;
  return p;
}

Command command_of(const CLI::App& app, const std::string& path) {
  Command command;
  command.name = app.get_name();
  command.path = path;
  command.help = app.get_description();
  command.inherits_parent_flags = app.get_parent() != nullptr && app.get_fallthrough();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->nonpositional()) {
      command.flags.push_back(flag_of(*opt));
    } else {
      command.positionals.push_back(positional_of(*opt));
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    command.subcommands.push_back(command_of(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name()));
  }
  return command;
}

void each_command(const Command& command, std::vector<const Command*>& out) {
  out.push_back(&command);
  for (const Command& sub : command.subcommands) each_command(sub, out);
}

void each_flag(Command& command, const std::function<void(Flag&)>& visit) {
  for (Flag& flag : command.flags) visit(flag);
  for (Command& sub : command.subcommands) each_flag(sub, visit);
}

// A completion decides from a flag's name alone whether the next word is its value, so every flag of
// one name must agree.
void check_consistent(Command& root) {
  std::map<std::string, bool> takes_value;
  each_flag(root, [&](Flag& flag) {
    for (const std::string& name : flag.names) {
      const auto [it, inserted] = takes_value.emplace(name, flag.takes_value);
      if (!inserted && it->second != flag.takes_value) {
        throw std::runtime_error(name + " is a switch in one command and takes a value in another");
      }
    }
  });
}

void mark_catalog_flags(Command& root) {
  for (const CatalogFlag& catalog_flag : kCatalogFlags) {
    bool found = false;
    each_flag(root, [&](Flag& flag) {
      if (flag.names.front() != catalog_flag.flag) return;
      found = true;
      flag.catalog_kind = catalog_flag.kind;
      flag.file = flag.file || flag.names.front() == "--model";  // a GGUF, a config.json or its directory
    });
    if (!found) throw std::runtime_error(std::string("no command has ") + catalog_flag.flag + " (tools/unix_docs/cli_model.h)");
  }
}

template <class T>
std::vector<Entry> entries_of(const std::vector<T>& items) {
  std::vector<Entry> out;
  for (const T& item : items) {
    Entry entry{item.meta.id, item.meta.name, {}};
    std::set<std::string> seen{catalog::normalize_name(item.meta.id)};
    for (const std::string& alias : item.meta.aliases) {
      const std::string normal = catalog::normalize_name(alias);
      if (seen.insert(normal).second) entry.aliases.push_back(normal);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::map<std::string, std::vector<Entry>> catalog_entries() {
  catalog::LoadOptions options;
  options.benchmarks = false;
  const catalog::LoadResult loaded = catalog::load(catalog::embedded_files(), {}, options);
  if (!loaded.ok()) throw std::runtime_error("the built-in catalog does not load: " + loaded.errors.front().to_string());
  const catalog::Catalog& c = loaded.catalog;
  return {{"model", entries_of(c.models)},     {"gpu", entries_of(c.gpus)},          {"system", entries_of(c.systems)},
          {"cpu", entries_of(c.cpus)},         {"quant", entries_of(c.quants)},      {"ram-kind", entries_of(c.ram_kinds)},
          {"storage", entries_of(c.storage)},  {"link", entries_of(c.links)}};
}

const Command* find_child(const Command& parent, const std::string& name) {
  for (const Command& sub : parent.subcommands) {
    if (sub.name == name) return &sub;
  }
  return nullptr;
}

}  // namespace

CliModel describe() {
  CliModel model;
  model.version = cli::version();
  cli::visit_parser([&](const CLI::App& app) {
    model.summary = app.get_description();
    model.root = command_of(app, "");
  });
  check_consistent(model.root);
  mark_catalog_flags(model.root);
  model.catalog = catalog_entries();
  return model;
}

std::vector<const Command*> all_commands(const CliModel& model) {
  std::vector<const Command*> out;
  each_command(model.root, out);
  return out;
}

std::vector<const Flag*> accepted_flags(const CliModel& model, const Command& command) {
  // The chain from the program down to `command`.
  std::vector<const Command*> chain{&model.root};
  std::size_t start = 0;
  while (start < command.path.size()) {
    const std::size_t space = std::min(command.path.find(' ', start), command.path.size());
    chain.push_back(find_child(*chain.back(), command.path.substr(start, space - start)));
    if (chain.back() == nullptr) throw std::logic_error("no command " + command.path);
    start = space + 1;
  }
  std::vector<const Flag*> out;
  std::set<std::string> seen;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const Flag& flag : (*it)->flags) {
      if (seen.insert(flag.names.front()).second) out.push_back(&flag);
    }
    if (!(*it)->inherits_parent_flags) break;
  }
  return out;
}

}  // namespace llmsize::unix_docs
