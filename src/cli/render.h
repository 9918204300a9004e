#pragma once
// Renderers: pure functions from computed results to text. They format; they never compute.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "assumption.h"
#include "context.h"
#include "llmsize/units.h"

namespace llmsize::cli {

enum class Align { left, right };

struct Column {
  std::string header;
  Align align = Align::right;
};

/// A text table with unit-bearing headers; also renders as CSV.
class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  [[nodiscard]] bool empty() const { return rows_.empty(); }
  [[nodiscard]] std::string text(bool color) const;
  [[nodiscard]] std::string csv() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};



[[nodiscard]] std::string gib(std::uint64_t bytes);        ///< "4.58" (GiB, 2 decimals)
[[nodiscard]] std::string gb(std::uint64_t bytes);         ///< "4.92" (GB, 2 decimals)
[[nodiscard]] std::string mib(std::uint64_t bytes);        ///< "1024.0"
[[nodiscard]] std::string fixed(double value, int decimals);
[[nodiscard]] std::string tokens_label(std::uint64_t tokens);  ///< 8192 -> "8K", 131072 -> "128K"
[[nodiscard]] std::string bold(const std::string& s, bool color);
[[nodiscard]] std::string paint(const std::string& s, const char* ansi, bool color);
/// A bar of `width` cells, `fraction` of it filled.
[[nodiscard]] std::string bar(double fraction, std::size_t width);

/// User text as a one-line message may quote it: control characters (a newline) become '?'.
[[nodiscard]] std::string one_line(std::string_view text);
/// "4k" -> 4096, "128K" -> 131072, "8192" -> 8192, "1m" -> 1048576; throws InputError.
[[nodiscard]] std::uint64_t parse_tokens(const std::string& text, const std::string& flag);
/// "64GB", "64GiB", "64G" and "64" -> 64 GiB: memory is sold in binary sizes.
[[nodiscard]] std::uint64_t parse_memory(const std::string& text, const std::string& flag);
[[nodiscard]] std::vector<std::string> split_list(const std::string& text);

}  // namespace llmsize::cli
