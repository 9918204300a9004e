#pragma once
// Runs the CLI in-process for tests: arguments in; exit code, stdout and stderr out.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "llmsize/cli/run.h"

namespace llmsize::test {

struct CliResult {
  int code = 0;
  std::string out;
  std::string err;
};

inline CliResult run(std::vector<std::string> args) {
  args.insert(args.begin(), "llmsize");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = llmsize::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

/// The one JSON document on stdout of a run that was not an input error (exit 0 or 1).
inline nlohmann::json json_of(const CliResult& r) {
  INFO(r.err);
  REQUIRE(r.code != 2);
  return nlohmann::json::parse(r.out);  // throws if stdout is anything but one document
}

/// The same for a run that must succeed (exit 0).
inline nlohmann::json json_of_success(const CliResult& r) {
  INFO(r.err);
  REQUIRE(r.code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace llmsize::test
