#pragma once
// Small text helpers shared by the machine layer's parsers (/proc files, tool outputs, llama-bench
// results, load logs).
#include <cctype>
#include <string_view>

namespace llmsize::machine {

/// `s` without leading and trailing whitespace (spaces, tabs, CR, LF).
[[nodiscard]] inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

}  // namespace llmsize::machine
