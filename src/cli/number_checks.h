#pragma once
// Checks for numeric flags, with a one-line message that names the value and what would do: a negative
// budget, price or watt limit is refused (exit 2) instead of matching nothing.
#include <CLI/CLI.hpp>

namespace llmsize::cli {

/// A finite number of at least `min`: "-5 is negative; give 0 or more".
[[nodiscard]] CLI::Validator at_least(double min);

/// A finite number from `min` to `max`: "-1 is negative; give 0 to 24".
[[nodiscard]] CLI::Validator between(double min, double max);

}  // namespace llmsize::cli
