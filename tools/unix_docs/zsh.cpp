// The zsh completion (_llmsize): one _arguments function per command, from the parser's own tables.
#include <string>

#include "cli_model.h"
#include "shell_text.h"

namespace llmsize::unix_docs {
namespace {

// Text inside an _arguments explanation ("[...]"): brackets and backslashes escaped.
std::string explanation(const std::string& help) {
  std::string out;
  for (char c : short_help(help)) {
    if (c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// "name:description" for _describe; a ':' in the name is escaped.
std::string described(const std::string& name, const std::string& description) {
  std::string out;
  for (char c : name) {
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out + ":" + short_help(description);
}

std::string function_name(const Command& command) {
  if (command.path.empty()) return "_llmsize";
  std::string name = "_llmsize_cmd_" + command.path;
  for (char& c : name) c = c == ' ' || c == '-' ? '_' : c;
  return name;
}

// An action that starts with a space is called as written; otherwise _arguments inserts compadd options
// after the function's name.
std::string action(const Flag& flag) {
  std::string message = flag.value_name;
  for (char& c : message) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!flag.choices.empty()) return ":" + message + ":(" + joined(flag.choices) + ")";
  if (!flag.catalog_kind.empty()) return ":" + flag.catalog_kind + ": _llmsize_ids " + flag.catalog_kind + (flag.file ? " files" : "");
  if (flag.file) return ":" + message + ":_files";
  return ":" + message + ": ";
}

// One spec per name: '(-m --model)--model[Model ...]:model:_llmsize_ids model files'.
std::vector<std::string> flag_specs(const Flag& flag) {
  std::vector<std::string> out;
  const std::string exclusive = flag.repeatable ? "*" : "(" + joined(flag.names) + ")";
  for (const std::string& name : flag.names) {
    // The value in the next word ("--model 8b"), as --help shows it; TAB after the name adds a space.
    out.push_back(exclusive + name + "[" + explanation(flag.help) + "]" + (flag.takes_value ? action(flag) : ""));
  }
  return out;
}

std::string command_function(const CliModel& model, const Command& command) {
  std::string out = function_name(command) + "() {\n";
  out += "    local curcontext=$curcontext state state_descr line ret=1\n    typeset -A opt_args\n";
  out += "    local -a specs=(\n";
  for (const Flag* flag : accepted_flags(model, command)) {
    for (const std::string& spec : flag_specs(*flag)) out += "        " + single_quoted(spec) + "\n";
  }
  for (const Positional& p : command.positionals) {
    const std::string spec = std::string(p.repeatable ? "*" : p.required ? "" : ":") + ":" + p.name + ":_files";
    out += "        " + single_quoted(spec) + "\n";
  }
  out += "    )\n";
  if (command.subcommands.empty()) return out + "    _arguments -S $specs\n}\n";
  out += "    _arguments -C -S $specs ': :->command' '*:: :->argument' && return\n";
  out += "    case $state in\n        command)\n            local -a commands=(\n";
  for (const Command& sub : command.subcommands) out += "                " + single_quoted(described(sub.name, sub.help)) + "\n";
  out += "            )\n            _describe -t commands " + single_quoted("llmsize " + command.path + " command") +
         " commands && ret=0\n            ;;\n        argument)\n            curcontext=${curcontext%:*}-$words[1]:\n"
         "            case $words[1] in\n";
  for (const Command& sub : command.subcommands) out += "                " + sub.name + ") " + function_name(sub) + " && ret=0 ;;\n";
  out += "            esac\n            ;;\n    esac\n    return ret\n}\n";
  return out;
}

std::string ids_function(const CliModel& model) {
  std::string out =
      "# The built-in catalog's ids for collection $1 whose id or an alias starts with the word, read as llmsize\n"
      "# reads names (lowercase; '_' and ' ' as '-'), each shown with its name and aliases. The matching is done\n"
      "# here (compadd -U), as bash does it, so an alias completes to its id. A count before a GPU (2x) is kept.\n"
      "# With $2 = files, files too (--model also reads model files).\n"
      "_llmsize_ids() {\n"
      "    setopt localoptions extendedglob\n"
      "    local -a entries ids descriptions names\n"
      "    local entry description typed ret=1\n"
      "    case $1 in\n";
  for (const auto& [kind, entries] : model.catalog) {
    out += "        " + kind + ") entries=(\n";
    for (const Entry& e : entries) {
      std::vector<std::string> words{e.id};
      words.insert(words.end(), e.aliases.begin(), e.aliases.end());
      const std::string description = e.aliases.empty() ? e.name : e.name + " (" + joined(e.aliases, ", ") + ")";
      out += "            " + single_quoted(joined(words)) + " " + single_quoted(e.id + "  -- " + description) + "\n";
    }
    out += "        ) ;;\n";
  }
  out += "    esac\n"
         "    local count=''\n"
         "    [[ $1 == gpu && $PREFIX == (#b)([0-9]##[xX])* ]] && count=$match[1]\n"
         "    typed=${${${PREFIX#$count}:l}//[_ ]/-}\n"
         "    for entry description in $entries; do\n"
         "        names=(${(s: :)entry})\n"
         "        if (( ${names[(I)${(b)typed}*]} )); then\n"
         "            ids+=($count$names[1])\n"
         "            descriptions+=($description)\n"
         "        fi\n"
         "    done\n"
         "    (( $#ids )) && compadd -U -l -d descriptions -a ids && ret=0\n"
         "    [[ $2 == files ]] && _files && ret=0\n"
         "    return ret\n}\n";
  return out;
}

}  // namespace

std::string zsh_completion(const CliModel& model) {
  std::string out = "#compdef llmsize\n# zsh completion for llmsize, generated by tools/unix_docs from the parser and the built-in\n"
                    "# catalog of llmsize " + model.version + "; do not edit.\n\n";
  out += ids_function(model) + "\n";
  const std::vector<const Command*> commands = all_commands(model);
  for (auto it = commands.rbegin(); it != commands.rend(); ++it) out += command_function(model, **it) + "\n";
  out += "# Loaded from $fpath, this file is _llmsize's body: define the functions above, then complete.\n"
         "# Sourced (after compinit), it registers itself.\n"
         "if [[ $funcstack[1] == _llmsize ]]; then\n    _llmsize \"$@\"\n"
         "else\n    compdef _llmsize llmsize\nfi\n";
  return out;
}

}  // namespace llmsize::unix_docs
