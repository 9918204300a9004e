// The user's prices: the prices file and --price, resolved against the catalog, and what a configuration
// of priced parts costs and says about its basis. Hand-computed from the catalog's launch prices
// (rtx-3090 1,499 USD in 2020, ryzen-9-7950x 699 USD in 2022).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../scoped_env.h"
#include "cli/context.h"
#include "cli/prices.h"
#include "run_cli.h"

using llmsize::cli::PriceBasis;
using llmsize::cli::PricedPart;
using llmsize::test::json_of_success;
using llmsize::test::run;
using llmsize::test::ScopedEnv;

namespace {

const llmsize::catalog::Catalog& catalog() {
  static const llmsize::catalog::Catalog cat = [] {
    llmsize::catalog::LoadOptions options;
    options.benchmarks = false;
    return llmsize::catalog::load(llmsize::catalog::embedded_files(), {}, options).catalog;
  }();
  return cat;
}

// A config directory of its own holding `prices` with `text`, for one scope.
struct PricesFile {
  std::filesystem::path dir;
  ScopedEnv env;
  explicit PricesFile(const std::string& text, const std::string& name)
      : dir(std::filesystem::temp_directory_path() / ("llmsize-prices-" + name)),
        env("XDG_CONFIG_HOME", dir.string()) {
    std::filesystem::create_directories(dir / "llmsize");
    std::ofstream(dir / "llmsize" / "prices") << text;
  }
  ~PricesFile() { std::filesystem::remove_all(dir); }
  [[nodiscard]] std::string path() const { return (dir / "llmsize" / "prices").string(); }
};

std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const llmsize::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("prices file: id = price lines, comments and blank lines, each entry with its file and line", "[cli][prices]") {
  const auto entries = llmsize::cli::parse_prices_file("# mine\n\nrtx-3090 = 700\n  3090ti=950.5   # used\r\n", "P");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].name == "rtx-3090");
  CHECK(entries[0].amount == 700);
  CHECK(entries[0].origin == "P:3");
  CHECK(entries[1].name == "3090ti");
  CHECK(entries[1].amount == 950.5);
  CHECK(entries[1].origin == "P:4");
  CHECK(llmsize::cli::parse_prices_file("", "P").empty());
}

TEST_CASE("prices file and --price: a malformed line or price is an error naming the file and line, or the flag",
          "[cli][prices][errors]") {
  using llmsize::cli::parse_prices_file;
  CHECK(error_of([] { (void)parse_prices_file("rtx-3090 = 700\nrtx-4090 1600\n", "P"); }) ==
        "P:2: expected `id = price`, got \"rtx-4090 1600\"");
  CHECK(error_of([] { (void)parse_prices_file("rtx-3090 = -5", "P"); }) ==
        "P:1: the price of rtx-3090 must be a number above 0 (in the --currency; no symbols or thousands separators), "
        "not \"-5\"");
  CHECK(error_of([] { (void)parse_prices_file("= 5", "P"); }) == "P:1: expected `id = price`, got \"= 5\"");
  for (const char* bad : {"$700", "1,499", "700 EUR", "0", "nan", "inf", "1e3", ""}) {
    INFO(bad);
    CHECK(error_of([bad] { (void)parse_prices_file(std::string("rtx-3090 = ") + bad, "P"); }).starts_with("P:1: the price"));
  }
  CHECK(error_of([] { (void)llmsize::cli::parse_price_flag("rtx-3090"); }) ==
        "--price rtx-3090: expected ID=PRICE (--price rtx-3090=700), got \"rtx-3090\"");
  // A newline inside a flag's value stays out of the one-line message; one at the end is only whitespace.
  CHECK(error_of([] { (void)llmsize::cli::parse_price_flag("rtx-3090=5\n6"); }).find('\n') == std::string::npos);
  CHECK(llmsize::cli::parse_price_flag("rtx-3090=5\n").amount == 5);
}

TEST_CASE("load_prices: names resolve to catalog ids, a flag replaces the file's line, unknown and twice are errors",
          "[cli][prices][errors]") {
  const PricesFile file("3090 = 700\n7950x = 500\n", "resolve");
  const auto book = llmsize::cli::load_prices(catalog(), {"rtx-3090=650", "m4-max=3200"});
  REQUIRE(book.by_id.size() == 3);
  CHECK(book.find("rtx-3090")->amount == 650);  // the flag wins over line 1
  CHECK(book.find("rtx-3090")->origin == "--price rtx-3090=650");
  CHECK(book.find("ryzen-9-7950x")->amount == 500);
  CHECK(book.find("ryzen-9-7950x")->origin == file.path() + ":2");
  CHECK(book.find("apple-m4-max-40c") != nullptr);  // the alias m4-max is the 40-core system

  CHECK(error_of([] { (void)llmsize::cli::load_prices(catalog(), {"rtx-309=700"}); }) ==
        "--price rtx-309=700: unknown hardware \"rtx-309\" (did you mean \"rtx-3090\"?); `llmsize hardware` lists the "
        "GPU, system and CPU ids");
  CHECK(error_of([] { (void)llmsize::cli::load_prices(catalog(), {"3090=700", "rtx-3090=650"}); }) ==
        "--price rtx-3090=650: rtx-3090 is priced twice (also at --price 3090=700); keep one");
  const PricesFile twice("rtx-4090 = 1500\n\n4090=1600\n", "twice");
  CHECK(error_of([] { (void)llmsize::cli::load_prices(catalog(), {}); }) ==
        twice.path() + ":3: rtx-4090 is priced twice (also at " + twice.path() + ":1); keep one");
}

TEST_CASE("priced parts: identical parts counted once, the total, the basis in words and in JSON", "[cli][prices]") {
  llmsize::cli::PriceBook book;
  book.by_id["rtx-3090"] = {700, "--price rtx-3090=700"};
  std::vector<PricedPart> parts;
  for (int i = 0; i < 2; ++i) llmsize::cli::add_part(parts, *llmsize::cli::price_part(book, "rtx-3090", 1499, 2020));
  llmsize::cli::add_part(parts, *llmsize::cli::price_part(book, "ryzen-9-7950x", 699, 2022));
  CHECK_FALSE(llmsize::cli::price_part(book, "no-price", std::nullopt, 2020));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].count == 2);
  CHECK(parts[0].basis == PriceBasis::user);
  CHECK(*llmsize::cli::total_price(parts) == 2 * 700 + 699);
  CHECK(llmsize::cli::price_basis_json(parts) == "mixed");
  CHECK(llmsize::cli::price_cell(parts, "USD") == "2099 (yours + MSRP 2022)");
  CHECK(llmsize::cli::price_text(parts, "EUR") == "2099 EUR (yours + MSRP 2022 in USD)");

  const std::vector<PricedPart> launch = {*llmsize::cli::price_part({}, "rtx-3090", 1499, 2020),
                                          *llmsize::cli::price_part({}, "ryzen-9-7950x", 699, 2022)};
  CHECK(llmsize::cli::price_basis_json(launch) == "launch_msrp");
  CHECK(llmsize::cli::price_cell(launch, "USD") == "2198 (MSRP 2020/2022)");
  CHECK(llmsize::cli::price_text(launch, "EUR") == "2198 USD (MSRP 2020/2022)");  // launch prices alone stay USD
  CHECK(llmsize::cli::price_cell({}, "USD") == "?");
  const auto json = llmsize::cli::price_parts_json(parts, "EUR");
  CHECK(json[0] == nlohmann::ordered_json{{"id", "rtx-3090"}, {"count", 2}, {"price", 700.0}, {"basis", "user"},
                                          {"launch_year", 2020}, {"currency", "EUR"}});
  CHECK(json[1]["currency"] == "USD");
}

TEST_CASE("a --price changes recommend's price, value and order, and check and cost say the basis", "[cli][prices]") {
  const auto option_of = [](const nlohmann::json& doc, const std::string& label) {
    for (const auto& o : doc["result"]["options"]) {
      if (o["hardware"] == label) return o;
    }
    FAIL("no option " << label);
    return nlohmann::json();
  };
  const std::vector<std::string> args = {"--json", "recommend", "--model", "llama-3.1-8b", "--kind", "gpu", "--top", "400"};
  const auto launch = json_of_success(run(args));
  std::vector<std::string> mine = args;
  mine.insert(mine.end(), {"--price", "3090=700"});
  const auto yours = json_of_success(run(mine));
  const auto a = option_of(launch, "GeForce RTX 3090");
  const auto b = option_of(yours, "GeForce RTX 3090");
  CHECK(a["price"] == 1499);
  CHECK(a["price_basis"] == "launch_msrp");
  CHECK(b["price"] == 700);
  CHECK(b["price_basis"] == "user");
  CHECK(b["price_parts"][0]["launch_year"] == 2020);
  const double decode = b["decode_tokens_per_s"];
  CHECK(b["value_tokens_per_s_per_1k"].get<double>() == Approx(decode / 700 * 1000));
  CHECK(a["value_tokens_per_s_per_1k"].get<double>() == Approx(decode / 1499 * 1000));
  CHECK(yours["inputs"]["prices"][0] == nlohmann::json{{"id", "rtx-3090"}, {"price", 700.0}, {"origin", "--price 3090=700"}});
  // At 700 the 3090 ranks higher by value than at its launch price.
  const auto rank = [](const nlohmann::json& doc) {
    std::size_t i = 0;
    for (const auto& o : doc["result"]["options"]) {
      if (o["hardware"] == "GeForce RTX 3090") return i;
      ++i;
    }
    return i;
  };
  CHECK(rank(yours) < rank(launch));

  const auto check = run({"check", "--model", "llama-3.1-8b", "--gpu", "2x3090", "--price", "rtx-3090=700"});
  CHECK(check.out.find("  hardware: 1400 USD (yours)\n") != std::string::npos);
  const auto cost = run({"cost", "--model", "llama-3.1-8b", "--gpu", "rtx-3090", "--currency", "EUR", "--price", "3090=650"});
  CHECK(cost.out.find("Hardware   650 EUR (yours)\n") != std::string::npos);
  const auto launch_cost = run({"cost", "--model", "llama-3.1-8b", "--gpu", "rtx-3090", "--currency", "EUR"});
  CHECK(launch_cost.out.find("Hardware   1499 USD (MSRP 2020)\n") != std::string::npos);
}

TEST_CASE("the prices file changes recommend --budget, and a broken line stops it with exit 2", "[cli][prices][errors]") {
  {
    const PricesFile file("rtx-3090 = 700\n", "budget");
    const auto doc = json_of_success(run({"--json", "recommend", "--model", "llama-3.1-8b", "--budget", "800", "--top", "400"}));
    bool found = false;
    for (const auto& o : doc["result"]["options"]) {
      CHECK(o["price"].get<double>() <= 800);
      found = found || o["hardware"] == "GeForce RTX 3090";
    }
    CHECK(found);  // 1,499 at launch: only the user's 700 brings it under the budget
  }
  const PricesFile broken("rtx-3090 = 700 USD\n", "broken");
  const auto r = run({"recommend", "--model", "llama-3.1-8b"});
  CHECK(r.code == 2);
  CHECK(r.err == "llmsize: error: " + broken.path() +
                     ":1: the price of rtx-3090 must be a number above 0 (in the --currency; no symbols or thousands "
                     "separators), not \"700 USD\"\n");
}

TEST_CASE("negative money and limits are refused in one line, exit 2", "[cli][prices][errors]") {
  const std::string help = "; run `llmsize --help` (or `llmsize COMMAND --help`)\n";
  const auto budget = run({"recommend", "--model", "llama-3.1-8b", "--budget", "-5"});
  CHECK(budget.code == 2);
  CHECK(budget.err == "llmsize: error: --budget: -5 is negative; give 0 or more" + help);
  for (const char* flag : {"--min-tps", "--max-watts", "--api-price"}) {
    INFO(flag);
    const auto r = run({"recommend", "--model", "llama-3.1-8b", flag, "-1"});
    CHECK(r.code == 2);
    CHECK(r.err == std::string("llmsize: error: ") + flag + ": -1 is negative; give 0 or more" + help);
  }
  const auto kwh = run({"cost", "--model", "8b", "--gpu", "3090", "--price-per-kwh", "-0.1"});
  CHECK(kwh.err == "llmsize: error: --price-per-kwh: -0.1 is negative; give 0 to 100" + help);
  const auto hours = run({"check", "--model", "8b", "--gpu", "3090", "--hours-per-day", "25"});
  CHECK(hours.err == "llmsize: error: --hours-per-day: 25 is out of range; give 0 to 24" + help);
  const auto text = run({"recommend", "--model", "8b", "--budget", "lots"});
  CHECK(text.err == "llmsize: error: --budget: \"lots\" is not a number; give 0 or more" + help);
  const auto two_lines = run({"recommend", "--model", "8b", "--budget", "1\n2"});
  CHECK(two_lines.err == "llmsize: error: --budget: \"1?2\" is not a number; give 0 or more" + help);
  const auto params = run({"models", "--min-params", "-3"});
  CHECK(params.code == 2);
  const auto price = run({"check", "--model", "8b", "--gpu", "3090", "--price", "3090=-700"});
  CHECK(price.code == 2);
  CHECK(price.err.starts_with("llmsize: error: --price 3090=-700: the price of 3090 must be a number above 0"));
}
