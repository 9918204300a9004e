#pragma once
/// The command line, callable in-process: main() is one call to run().
#include <ostream>

namespace llmsize::cli {

/// Exit codes (listed in `llmsize --help`).
inline constexpr int kExitOk = 0;         ///< success; the model fits
inline constexpr int kExitDoesNotFit = 1; ///< the answer is "does not fit"
inline constexpr int kExitUsage = 2;      ///< usage, input or catalog error

/// An exit code and what it means, as `llmsize --help` and the man page list them.
struct ExitCodeMeaning {
  int code;
  const char* meaning;
};
inline constexpr ExitCodeMeaning kExitCodes[] = {
    {kExitOk, "success; the model fits"},
    {kExitDoesNotFit, "the answer is \"does not fit\" (check, and filters that leave nothing)"},
    {kExitUsage, "usage, input or catalog error"},
};

/// The notes under the exit codes in `llmsize --help`, one line each (the man page prints them too).
inline constexpr const char* kHelpNotes =
    "Units: GB = 1e9 bytes, GiB = 2^30 bytes; every label says which.\n"
    "Catalog: built in; add or override entries with --catalog FILE or LLMSIZE_CATALOG=a.json:b.json.";

/// Parses argv, runs the subcommand, writes data to `out` and diagnostics to `err`.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace llmsize::cli
