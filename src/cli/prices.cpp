#include "prices.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "context.h"
#include "llmsize/machine/profile.h"
#include "render.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// A price: a plain decimal number above 0 ("700", "1499.99"); nullopt for anything else.
std::optional<double> parse_amount(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

// "NAME = PRICE" (or NAME=PRICE) into an entry; `where` starts every message.
PriceEntry parse_entry(std::string_view text, const std::string& where, const char* form) {
  const auto eq = text.find('=');
  const std::string_view name = trim(text.substr(0, eq));
  if (eq == std::string_view::npos || name.empty()) {
    throw InputError(fmt::format("{}: expected {}, got \"{}\"", where, form, one_line(text)));
  }
  const std::string_view value = trim(text.substr(eq + 1));
  const std::optional<double> amount = parse_amount(value);
  if (!amount || *amount <= 0) {
    throw InputError(fmt::format("{}: the price of {} must be a number above 0 (in the --currency; no symbols or "
                                 "thousands separators), not \"{}\"",
                                 where, one_line(name), one_line(value)));
  }
  return {std::string(name), *amount, where};
}

// The one catalog GPU, system or CPU a name means.
std::string part_id(const catalog::Catalog& cat, const PriceEntry& e) {
  std::vector<std::string> found;
  if (const Gpu* g = catalog::find(cat.gpus, e.name)) found.push_back("the GPU " + g->meta.id);
  if (const UnifiedSystem* s = catalog::find(cat.systems, e.name)) found.push_back("the system " + s->meta.id);
  if (const Cpu* c = catalog::find(cat.cpus, e.name)) found.push_back("the CPU " + c->meta.id);
  if (found.size() > 1) {
    throw InputError(fmt::format("{}: \"{}\" names {} and {}; give the one you mean by its id", e.origin, one_line(e.name),
                                 found[0], found[1]));
  }
  if (found.empty()) {
    std::vector<std::string> names = catalog::names_of(cat.gpus);
    for (auto& n : catalog::names_of(cat.systems)) names.push_back(std::move(n));
    for (auto& n : catalog::names_of(cat.cpus)) names.push_back(std::move(n));
    const std::string near = catalog::closest(e.name, names);
    throw InputError(fmt::format("{}: unknown hardware \"{}\"{}; `llmsize hardware` lists the GPU, system and CPU ids",
                                 e.origin, one_line(e.name), near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
  }
  return found.front().substr(found.front().rfind(' ') + 1);
}

// Adds one source's entries (a file, or the flags); the same part twice in one source is an error.
void add_entries(PriceBook& book, const catalog::Catalog& cat, const std::vector<PriceEntry>& entries) {
  std::map<std::string, std::string> seen;  // id -> where it was given
  for (const PriceEntry& e : entries) {
    const std::string id = part_id(cat, e);
    if (const auto it = seen.find(id); it != seen.end()) {
      throw InputError(fmt::format("{}: {} is priced twice (also at {}); keep one", e.origin, id, it->second));
    }
    seen.emplace(id, e.origin);
    book.by_id[id] = UserPrice{e.amount, e.origin};
  }
}

}  // namespace

const UserPrice* PriceBook::find(const std::string& id) const {
  const auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : &it->second;
}

std::optional<PricedPart> price_part(const PriceBook& book, const std::string& id, std::optional<double> launch,
                                     std::uint32_t launch_year) {
  if (const UserPrice* mine = book.find(id)) return PricedPart{id, 1, mine->amount, PriceBasis::user, launch_year};
  if (launch) return PricedPart{id, 1, *launch, PriceBasis::launch, launch_year};
  return std::nullopt;
}

void add_part(std::vector<PricedPart>& parts, const PricedPart& part) {
  for (PricedPart& p : parts) {
    if (p.id == part.id && p.basis == part.basis && p.unit_price == part.unit_price) {
      p.count += part.count;
      return;
    }
  }
  parts.push_back(part);
}

std::optional<double> total_price(const std::vector<PricedPart>& parts) {
  if (parts.empty()) return std::nullopt;
  double total = 0;
  for (const PricedPart& p : parts) total += p.unit_price * p.count;
  return total;
}

Json price_basis_json(const std::vector<PricedPart>& parts) {
  if (parts.empty()) return nullptr;
  const auto user = std::count_if(parts.begin(), parts.end(), [](const PricedPart& p) { return p.basis == PriceBasis::user; });
  if (user == 0) return "launch_msrp";
  return static_cast<std::size_t>(user) == parts.size() ? "user" : "mixed";
}

std::string price_basis_text(const std::vector<PricedPart>& parts, const std::string& currency) {
  bool yours = false;
  std::set<std::uint32_t> years;
  for (const PricedPart& p : parts) {
    if (p.basis == PriceBasis::user) {
      yours = true;
    } else {
      years.insert(p.launch_year);
    }
  }
  std::string msrp;
  for (const std::uint32_t y : years) msrp += (msrp.empty() ? "MSRP " : "/") + std::to_string(y);
  if (!msrp.empty() && currency != "USD") msrp += " in USD";
  if (yours && !msrp.empty()) return "yours + " + msrp;
  return yours ? "yours" : msrp;
}

std::string price_cell(const std::vector<PricedPart>& parts, const std::string& currency) {
  const std::optional<double> total = total_price(parts);
  if (!total) return "?";
  return fmt::format("{:.0f} ({})", *total, price_basis_text(parts, currency));
}

std::string price_text(const std::vector<PricedPart>& parts, const std::string& currency) {
  const std::optional<double> total = total_price(parts);
  if (!total) return "";
  const bool all_launch = price_basis_json(parts) == "launch_msrp";
  const std::string unit = all_launch ? "USD" : currency;
  return fmt::format("{:.0f} {} ({})", *total, unit, price_basis_text(parts, unit));
}

Json price_parts_json(const std::vector<PricedPart>& parts, const std::string& currency) {
  Json out = Json::array();
  for (const PricedPart& p : parts) {
    const bool user = p.basis == PriceBasis::user;
    out.push_back({{"id", p.id},
                   {"count", p.count},
                   {"price", p.unit_price},
                   {"basis", user ? "user" : "launch_msrp"},
                   {"launch_year", p.launch_year},
                   {"currency", user ? currency : std::string("USD")}});
  }
  return out;
}

std::vector<PriceEntry> parse_prices_file(std::string_view text, const std::string& path) {
  std::vector<PriceEntry> out;
  std::size_t line_no = 0;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    out.push_back(parse_entry(line, fmt::format("{}:{}", path, line_no), "`id = price`"));
  }
  return out;
}

PriceEntry parse_price_flag(const std::string& flag) {
  return parse_entry(flag, "--price " + one_line(flag), "ID=PRICE (--price rtx-3090=700)");
}

std::string prices_path() {
  try {
    return (machine::config_dir() / "prices").string();
  } catch (const machine::ProfileError&) {
    return "";  // neither $XDG_CONFIG_HOME nor $HOME: no place for a prices file
  }
}

PriceBook load_prices(const catalog::Catalog& cat, const std::vector<std::string>& flags) {
  PriceBook book;
  const std::string path = prices_path();
  std::error_code ec;
  if (!path.empty() && std::filesystem::exists(path, ec)) add_entries(book, cat, parse_prices_file(read_file(path), path));
  std::vector<PriceEntry> given;
  for (const std::string& flag : flags) given.push_back(parse_price_flag(flag));
  add_entries(book, cat, given);
  return book;
}

Json prices_json(const PriceBook& book) {
  Json out = Json::array();
  for (const auto& [id, price] : book.by_id) out.push_back({{"id", id}, {"price", price.amount}, {"origin", price.origin}});
  return out;
}

}  // namespace llmsize::cli
