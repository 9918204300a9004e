#pragma once
// Small text helpers shared by the completion writers.
#include <string>
#include <vector>

#include "cli_model.h"

namespace llmsize::unix_docs {

/// `text` in POSIX single quotes (bash, zsh): 'it'\''s'.
[[nodiscard]] inline std::string single_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

[[nodiscard]] inline std::string joined(const std::vector<std::string>& items, const std::string& separator = " ") {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

/// Every name of every flag in `flags`.
[[nodiscard]] inline std::vector<std::string> flag_names(const std::vector<const Flag*>& flags) {
  std::vector<std::string> out;
  for (const Flag* flag : flags) out.insert(out.end(), flag->names.begin(), flag->names.end());
  return out;
}

/// The names of a command's subcommands.
[[nodiscard]] inline std::vector<std::string> subcommand_names(const Command& command) {
  std::vector<std::string> out;
  for (const Command& sub : command.subcommands) out.push_back(sub.name);
  return out;
}

/// The first sentence-ish part of a help text, for shells that show one line per candidate.
[[nodiscard]] inline std::string short_help(const std::string& help, std::size_t limit = 100) {
  if (help.size() <= limit) return help;
  std::size_t cut = help.rfind(' ', limit - 3);
  if (cut == std::string::npos) cut = limit - 3;
  return help.substr(0, cut) + "...";
}

}  // namespace llmsize::unix_docs
