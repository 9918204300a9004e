#pragma once
// What hardware costs: the user's own price (--price ID=PRICE, or a line of the `prices` file in the
// config directory), else the catalog's launch MSRP. Every price shown says which (docs/prices.md).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "llmsize/catalog/catalog.h"

namespace llmsize::cli {

/// Where a part's price comes from.
enum class PriceBasis {
  launch,  ///< the catalog's launch MSRP (USD), of its launch year
  user,    ///< the user's own price, in the currency of --currency
};

/// A price the user gave for one catalog part.
struct UserPrice {
  double amount = 0;
  std::string origin;  ///< "--price" or "PATH:LINE"
};

/// The user's prices by catalog id (GPUs, unified systems, CPUs). Empty: launch prices everywhere.
struct PriceBook {
  std::map<std::string, UserPrice> by_id;
  [[nodiscard]] const UserPrice* find(const std::string& id) const;
};

/// One priced part of a configuration: `count` identical ones at `unit_price` each.
struct PricedPart {
  std::string id;  ///< catalog id
  std::uint32_t count = 1;
  double unit_price = 0;
  PriceBasis basis = PriceBasis::launch;
  std::uint32_t launch_year = 0;  ///< the catalog's, for the MSRP's year
};

/// A part's price: the user's, else `launch` (the catalog's MSRP); none when neither is known.
[[nodiscard]] std::optional<PricedPart> price_part(const PriceBook& book, const std::string& id,
                                                   std::optional<double> launch, std::uint32_t launch_year);

/// Adds a part to a configuration's list, counting identical parts once.
void add_part(std::vector<PricedPart>& parts, const PricedPart& part);

/// The sum of the parts' prices (each count × unit price, as numbers: no currency is converted); none
/// without a priced part.
[[nodiscard]] std::optional<double> total_price(const std::vector<PricedPart>& parts);

/// "user", "launch_msrp" or "mixed" (JSON `price_basis`); null without parts.
[[nodiscard]] nlohmann::ordered_json price_basis_json(const std::vector<PricedPart>& parts);

/// The basis in words: "yours", "MSRP 2020", "MSRP 2020/2022", "yours + MSRP 2022"; launch prices get
/// " in USD" when `currency` is another. "" without parts.
[[nodiscard]] std::string price_basis_text(const std::vector<PricedPart>& parts, const std::string& currency);

/// "1499 (MSRP 2020)", "700 (yours)"; "?" without parts.
[[nodiscard]] std::string price_cell(const std::vector<PricedPart>& parts, const std::string& currency);

/// "1499 USD (MSRP 2020)", "700 EUR (yours)": launch prices alone are USD whatever --currency says. "" without parts.
[[nodiscard]] std::string price_text(const std::vector<PricedPart>& parts, const std::string& currency);

/// `price_parts[] {id, count, price, basis, launch_year, currency}`.
[[nodiscard]] nlohmann::ordered_json price_parts_json(const std::vector<PricedPart>& parts, const std::string& currency);

/// One `id = price` line of a prices file, or one --price flag, before the id is checked.
struct PriceEntry {
  std::string name;  ///< as written: an id or alias
  double amount = 0;
  std::string origin;  ///< "--price" or "PATH:LINE"
};

/// The entries of a prices file: `id = price` lines; `#` starts a comment; blank lines are skipped.
/// Throws InputError "PATH:LINE: ..." for a line that is not `id = price` or a price that is not a number
/// above 0.
[[nodiscard]] std::vector<PriceEntry> parse_prices_file(std::string_view text, const std::string& path);

/// `--price ID=PRICE`; throws InputError naming the flag.
[[nodiscard]] PriceEntry parse_price_flag(const std::string& flag);

/// $XDG_CONFIG_HOME/llmsize/prices, else $HOME/.config/llmsize/prices; "" when neither variable is set.
[[nodiscard]] std::string prices_path();

/// The prices file (when it exists) and then the flags, each name resolved to a catalog GPU, system or
/// CPU; a flag replaces the file's price for the same part. Throws InputError naming the file and line or
/// the flag (an unknown or ambiguous name, the same part twice in one file).
[[nodiscard]] PriceBook load_prices(const catalog::Catalog& cat, const std::vector<std::string>& flags);

/// `inputs.prices[] {id, price, origin}`: the user's prices in force.
[[nodiscard]] nlohmann::ordered_json prices_json(const PriceBook& book);

}  // namespace llmsize::cli
