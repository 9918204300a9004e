#include "number_checks.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>

#include "render.h"

namespace llmsize::cli {
namespace {

std::optional<double> number_of(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

// "" when `text` is a number in [min, max]; else why not, in words.
std::string check(const std::string& text, double min, std::optional<double> max) {
  const std::optional<double> value = number_of(text);
  const std::string range = max ? fmt::format("{:g} to {:g}", min, *max) : fmt::format("{:g} or more", min);
  if (!value) return fmt::format("\"{}\" is not a number; give {}", one_line(text), range);
  if (*value < 0 && min >= 0) return fmt::format("{} is negative; give {}", text, range);
  if (*value < min || (max && *value > *max)) return fmt::format("{} is out of range; give {}", text, range);
  return "";
}

}  // namespace

CLI::Validator at_least(double min) {
  return CLI::Validator([min](std::string& text) { return check(text, min, std::nullopt); },
                        fmt::format("NUMBER >= {:g}", min));
}

CLI::Validator between(double min, double max) {
  return CLI::Validator([min, max](std::string& text) { return check(text, min, max); },
                        fmt::format("NUMBER in [{:g}, {:g}]", min, max));
}

}  // namespace llmsize::cli
