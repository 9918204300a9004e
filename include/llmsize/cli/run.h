#pragma once
/// The command line, callable in-process: main() is one call to run().
#include <ostream>

namespace llmsize::cli {

/// Exit codes (listed in `llmsize --help`).
inline constexpr int kExitOk = 0;         ///< success; the model fits
inline constexpr int kExitDoesNotFit = 1; ///< the answer is "does not fit"
inline constexpr int kExitUsage = 2;      ///< usage, input or catalog error

/// Parses argv, runs the subcommand, writes data to `out` and diagnostics to `err`.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace llmsize::cli
