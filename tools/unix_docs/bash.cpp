// The bash completion: commands, flags, choices, catalog ids and files, from the parser's own tables.
#include <map>
#include <set>
#include <string>

#include "cli_model.h"
#include "shell_text.h"

namespace llmsize::unix_docs {
namespace {

// One `case` arm per distinct answer, its patterns joined with '|'.
std::string case_arms(const std::map<std::string, std::vector<std::string>>& patterns_by_body, const std::string& indent) {
  std::string out;
  for (const auto& [body, patterns] : patterns_by_body) {
    std::vector<std::string> quoted;
    for (const std::string& p : patterns) quoted.push_back(single_quoted(p));
    out += indent + joined(quoted, "|") + ") " + body + " ;;\n";
  }
  return out;
}

std::string catalog_arrays(const CliModel& model) {
  std::string out = "# The built-in catalog: one entry a line, its id first, then its aliases as llmsize reads them.\n";
  for (const auto& [kind, entries] : model.catalog) {
    std::string name = kind;
    for (char& c : name) c = c == '-' ? '_' : c;
    out += "_llmsize_ids_" + name + "=(\n";
    for (const Entry& e : entries) {
      std::vector<std::string> words{e.id};
      for (const std::string& alias : e.aliases) {
        // A ':' splits the word for bash (COMP_WORDBREAKS); such aliases cannot be completed in place.
        if (alias.find(':') == std::string::npos) words.push_back(alias);
      }
      out += "    " + single_quoted(joined(words)) + "\n";
    }
    out += ")\n";
  }
  return out;
}

std::string subcommands_function(const CliModel& model) {
  std::map<std::string, std::vector<std::string>> arms;
  for (const Command* c : all_commands(model)) {
    if (!c->subcommands.empty()) arms["REPLY=" + single_quoted(joined(subcommand_names(*c)))].push_back(c->path);
  }
  return "# The subcommands of a command path (\"\" is llmsize itself), in REPLY.\n"
         "_llmsize_subcommands() {\n    case $1 in\n" +
         case_arms(arms, "        ") + "        *) REPLY='' ;;\n    esac\n}\n";
}

std::string flags_function(const CliModel& model) {
  std::map<std::string, std::vector<std::string>> arms;
  for (const Command* c : all_commands(model)) {
    arms["REPLY=" + single_quoted(joined(flag_names(accepted_flags(model, *c))))].push_back(c->path);
  }
  return "# Every flag a command path accepts, its own and those of the commands above it, in REPLY.\n"
         "_llmsize_flags() {\n    case $1 in\n" +
         case_arms(arms, "        ") + "        *) REPLY='' ;;\n    esac\n}\n";
}

std::string takes_value_function(const CliModel& model) {
  std::set<std::string> names;
  for (const Command* c : all_commands(model)) {
    for (const Flag& f : c->flags) {
      if (f.takes_value) names.insert(f.names.begin(), f.names.end());
    }
  }
  std::vector<std::string> quoted;
  for (const std::string& n : names) quoted.push_back(single_quoted(n));
  return "# Whether a flag reads the next word as its value.\n"
         "_llmsize_takes_value() {\n    case $1 in\n        " +
         joined(quoted, "|") + ") return 0 ;;\n    esac\n    return 1\n}\n";
}

std::string value_function(const CliModel& model) {
  std::map<std::string, std::vector<std::string>> arms;
  for (const Command* c : all_commands(model)) {
    for (const Flag* f : accepted_flags(model, *c)) {
      std::string body;
      if (!f->choices.empty()) {
        body = "_llmsize_words " + single_quoted(joined(f->choices)) + " \"$3\"";
      } else if (!f->catalog_kind.empty()) {
        std::string kind = f->catalog_kind;
        for (char& ch : kind) ch = ch == '-' ? '_' : ch;
        body = "_llmsize_ids " + kind + " \"$3\"" + (f->file ? " files" : "");
      } else if (f->file) {
        body = "_llmsize_files \"$3\"";
      } else {
        continue;
      }
      for (const std::string& name : f->names) arms[body].push_back(c->path + "|" + name);
    }
  }
  return "# Completes the value of flag $2 of command path $1; $3 is the word so far.\n"
         "_llmsize_value() {\n    case \"$1|$2\" in\n" +
         case_arms(arms, "        ") + "    esac\n}\n";
}

std::string positional_function(const CliModel& model) {
  std::vector<std::string> paths;
  for (const Command* c : all_commands(model)) {
    if (!c->positionals.empty()) paths.push_back(single_quoted(c->path));
  }
  return "# Whether a command path takes files as arguments.\n"
         "_llmsize_takes_files() {\n    case $1 in\n        " +
         joined(paths, "|") + ") return 0 ;;\n    esac\n    return 1\n}\n";
}

// The fixed part: walking the words typed so far and matching ids.
constexpr const char* kDriver = R"BASH(
_llmsize_words() {
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_llmsize_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# The ids of catalog collection $1 whose id or an alias starts with $2, read as llmsize reads names
# (lowercase; '_' and ' ' as '-'). A count before a GPU ("2x" in 2x3090) is kept. With $3 = files, a
# word that looks like a path, or matches no id, completes as a file (--model also reads model files).
_llmsize_ids() {
    local -n _llmsize_entries=_llmsize_ids_$1
    local typed=${2,,} count='' entry name
    local -a names
    if [[ ${3-} == files && ($2 == */* || $2 == .* || $2 == "~"*) ]]; then
        _llmsize_files "$2"
        return
    fi
    if [[ $1 == gpu && $typed =~ ^[0-9]+x ]]; then
        count=${BASH_REMATCH[0]}
        typed=${typed#"$count"}
    fi
    typed=${typed//[_ ]/-}
    COMPREPLY=()
    for entry in "${_llmsize_entries[@]}"; do
        read -ra names <<<"$entry"
        for name in "${names[@]}"; do
            if [[ $name == "$typed"* ]]; then
                COMPREPLY+=("$count${names[0]}")
                break
            fi
        done
    done
    if [[ ${3-} == files && ${#COMPREPLY[@]} -eq 0 ]]; then
        _llmsize_files "$2"
    fi
}

_llmsize() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev='' path='' word sub i=1
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # bash splits --flag=value at the '=' (COMP_WORDBREAKS).
    if [[ $cur == = ]]; then
        cur=''
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    # The command path typed so far: the words that name commands, skipping flags and their values.
    while ((i < COMP_CWORD)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -* ]]; then
            if _llmsize_takes_value "$word"; then
                ((i++))
                [[ ${COMP_WORDS[i]-} == = ]] && ((i++))
            fi
        else
            _llmsize_subcommands "$path"
            for sub in $REPLY; do
                if [[ $word == "$sub" ]]; then
                    path=${path:+$path }$word
                    break
                fi
            done
        fi
        ((i++))
    done
    COMPREPLY=()
    if _llmsize_takes_value "$prev"; then
        _llmsize_value "$path" "$prev" "$cur"
    elif [[ $cur == -* ]]; then
        _llmsize_flags "$path"
        _llmsize_words "$REPLY" "$cur"
    else
        _llmsize_subcommands "$path"
        if [[ -n $REPLY ]]; then
            _llmsize_words "$REPLY" "$cur"
        elif _llmsize_takes_files "$path"; then
            _llmsize_files "$cur"
        fi
    fi
}

complete -F _llmsize llmsize
)BASH";

}  // namespace

std::string bash_completion(const CliModel& model) {
  return "# bash completion for llmsize                              -*- shell-script -*-\n"
         "# Generated by tools/unix_docs from the parser and the built-in catalog of llmsize " +
         model.version + "; do not edit.\n\n" + catalog_arrays(model) + "\n" + subcommands_function(model) + "\n" +
         flags_function(model) + "\n" + takes_value_function(model) + "\n" + value_function(model) + "\n" +
         positional_function(model) + kDriver;
}

}  // namespace llmsize::unix_docs
