#pragma once
// run()'s one error handler, declared apart so that tests can throw any exception through it.
#include <functional>
#include <ostream>

namespace llmsize::cli {

/// Returns body()'s exit code. An exception becomes one line on `err` and exit 2 (kExitUsage):
/// llmsize::Error (bad input the user can fix) prints `llmsize: error: <what>`; any other
/// std::exception is a bug in llmsize and prints `llmsize: internal error: <what>`; anything else
/// prints `llmsize: internal error: unknown exception`. No input may end in an abort.
[[nodiscard]] int report_errors(std::ostream& err, const std::function<int()>& body);

}  // namespace llmsize::cli
