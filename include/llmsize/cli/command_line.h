#pragma once
/// The parser itself, for tools that describe the command line: tools/gen_unix_docs.cpp writes the man
/// page and the shell completions from it at build time, so they list exactly what run() accepts.
#include <functional>

#include <CLI/CLI.hpp>

namespace llmsize::cli {

/// Builds the parser run() uses (every command with its flags, help, type names and checks, from the
/// CommandSpec table) and hands it to `visit`. Nothing is parsed and nothing runs.
void visit_parser(const std::function<void(const CLI::App&)>& visit);

/// The version `llmsize --version` prints.
[[nodiscard]] const char* version();

}  // namespace llmsize::cli
