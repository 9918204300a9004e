#include "render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "llmsize/units.h"
#include "pipeline.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

std::size_t display_width(const std::string& s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {  // skip ANSI escape sequences
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;  // count UTF-8 lead bytes only
  }
  return width;
}

std::string pad(const std::string& s, std::size_t width, Align align) {
  const std::size_t w = display_width(s);
  if (w >= width) return s;
  const std::string fill(width - w, ' ');
  return align == Align::right ? fill + s : s + fill;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string Table::text(bool color) const {
  std::vector<std::size_t> widths;
  for (const Column& c : columns_) widths.push_back(display_width(c.header));
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string out;
  std::string header;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) header += "  ";
    header += pad(columns_[i].header, widths[i], columns_[i].align);
  }
  while (!header.empty() && header.back() == ' ') header.pop_back();
  out += bold(header, color) + "\n";
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) line += "  ";
      line += pad(i < row.size() ? row[i] : "", widths[i], columns_[i].align);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string Table::csv() const {
  std::string out;
  for (std::size_t i = 0; i < columns_.size(); ++i) out += (i > 0 ? "," : "") + csv_cell(columns_[i].header);
  out += "\n";
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i > 0 ? "," : "") + csv_cell(row[i]);
    out += "\n";
  }
  return out;
}

std::string gib(std::uint64_t bytes) { return fmt::format("{:.2f}", units::bytes_to_gib(bytes)); }
std::string gb(std::uint64_t bytes) { return fmt::format("{:.2f}", units::bytes_to_gb(bytes)); }
std::string mib(std::uint64_t bytes) { return fmt::format("{:.1f}", units::bytes_to_mib(bytes)); }
std::string fixed(double value, int decimals) { return fmt::format("{:.{}f}", value, decimals); }

std::string tokens_label(std::uint64_t tokens) {
  if (tokens >= 1024 && tokens % 1024 == 0) return std::to_string(tokens / 1024) + "K";
  return std::to_string(tokens);
}

std::string paint(const std::string& s, const char* ansi, bool color) {
  return color ? std::string("\x1b[") + ansi + "m" + s + "\x1b[0m" : s;
}
std::string bold(const std::string& s, bool color) { return paint(s, "1", color); }

std::string bar(double fraction, std::size_t width) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto filled = static_cast<std::size_t>(std::lround(fraction * static_cast<double>(width)));
  std::string out;
  for (std::size_t i = 0; i < width; ++i) out += i < filled ? "█" : "░";
  return out;
}

namespace {
// Splits "12.5GB" into 12.5 and "gb".
bool split_number(const std::string& text, double& value, std::string& suffix) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return false;
  try {
    std::size_t used = 0;
    value = std::stod(text.substr(0, i), &used);
    if (used != i) return false;
  } catch (const std::exception&) {
    return false;
  }
  suffix.clear();
  for (char c : text.substr(i)) {
    if (c != ' ') suffix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return std::isfinite(value) && value >= 0;
}
}  // namespace

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::uint64_t parse_tokens(const std::string& text, const std::string& flag) {
  double value = 0;
  std::string suffix;
  if (!split_number(text, value, suffix)) {
    throw InputError(flag + " \"" + text + "\" is not a token count (examples: 4096, 8k, 128K)");
  }
  double multiplier = 1;
  if (suffix == "k") {
    multiplier = 1024;
  } else if (suffix == "m") {
    multiplier = 1024.0 * 1024.0;
  } else if (!suffix.empty()) {
    throw InputError(flag + " \"" + text + "\" has an unknown suffix (use k or m: 8k = 8192)");
  }
  const double tokens = value * multiplier;
  if (tokens < 1 || tokens > 1e9) throw InputError(flag + " \"" + text + "\" is out of range (1 to 1e9 tokens)");
  return static_cast<std::uint64_t>(std::llround(tokens));
}

std::uint64_t parse_memory(const std::string& text, const std::string& flag) {
  double value = 0;
  std::string suffix;
  if (!split_number(text, value, suffix)) {
    throw InputError(flag + " \"" + text + "\" is not a memory size (examples: 64GB, 24GiB, 512MiB)");
  }
  // Memory is sold in binary sizes: a "64GB" kit or a "24GB" card holds 64 or 24 GiB, so GB, G
  // and GiB all mean 2^30 bytes here (docs/cli.md); only labels we print keep GB = 1e9.
  double bytes = 0;
  if (suffix.empty() || suffix == "g" || suffix == "gb" || suffix == "gib") {
    bytes = value * units::kBytesPerGiB;
  } else if (suffix == "t" || suffix == "tb" || suffix == "tib") {
    bytes = value * units::kBytesPerGiB * 1024;
  } else if (suffix == "m" || suffix == "mb" || suffix == "mib") {
    bytes = value * static_cast<double>(units::kMiB);
  } else {
    throw InputError(flag + " \"" + text + "\" has an unknown unit (use GB, GiB, MB, MiB, TB)");
  }
  if (bytes < 1) throw InputError(flag + " \"" + text + "\" must be more than zero");
  return units::to_bytes(bytes);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',') {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else if (c != ' ') {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

}  // namespace llmsize::cli
