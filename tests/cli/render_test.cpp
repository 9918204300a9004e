// The parsers users type into (--context, --ram, --gpu-memory) and the table renderer, checked word for word.
#include <catch2/catch.hpp>

#include <string>

#include "cli/render.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

using llmsize::cli::Align;
using llmsize::cli::InputError;
using llmsize::cli::parse_memory;
using llmsize::cli::parse_tokens;
using llmsize::cli::Table;

namespace {
constexpr std::uint64_t kGiB = llmsize::units::kGiB;
constexpr std::uint64_t kMiB = llmsize::units::kMiB;
}  // namespace

TEST_CASE("parse_memory: GB, G, GiB and a bare number all mean GiB (memory is sold in binary sizes)", "[cli][parse]") {
  CHECK(parse_memory("64GB", "--ram") == 64 * kGiB);  // 68719476736, not 64e9
  CHECK(parse_memory("64GiB", "--ram") == 64 * kGiB);
  CHECK(parse_memory("64G", "--ram") == 64 * kGiB);
  CHECK(parse_memory("64", "--ram") == 64 * kGiB);
  CHECK(parse_memory("24 gb", "--gpu-memory") == 24 * kGiB);  // spaces and case do not matter
  CHECK(parse_memory("1.5GB", "--ram") == 1610612736);         // 1.5 × 2^30
  CHECK(parse_memory("0.5", "--ram") == 512 * kMiB);
}

TEST_CASE("parse_memory: MB and TB are binary too", "[cli][parse]") {
  CHECK(parse_memory("512MB", "--ram") == 536870912);  // 512 × 2^20
  CHECK(parse_memory("512MiB", "--ram") == 512 * kMiB);
  CHECK(parse_memory("512m", "--ram") == 512 * kMiB);
  CHECK(parse_memory("1TB", "--ram") == 1024 * kGiB);  // 2^40 = 1099511627776
  CHECK(parse_memory("2tib", "--ram") == 2199023255552ULL);
}

TEST_CASE("parse_memory: each malformed size is one error naming the flag and the fix", "[cli][parse]") {
  CHECK_THROWS_WITH(parse_memory("GB", "--ram"), "--ram \"GB\" is not a memory size (examples: 64GB, 24GiB, 512MiB)");
  CHECK_THROWS_WITH(parse_memory("-8GB", "--ram"), "--ram \"-8GB\" is not a memory size (examples: 64GB, 24GiB, 512MiB)");
  CHECK_THROWS_WITH(parse_memory("1.2.3GB", "--ram"),
                    "--ram \"1.2.3GB\" is not a memory size (examples: 64GB, 24GiB, 512MiB)");
  CHECK_THROWS_WITH(parse_memory("64XB", "--ram"), "--ram \"64XB\" has an unknown unit (use GB, GiB, MB, MiB, TB)");
  CHECK_THROWS_WITH(parse_memory("64KB", "--ram"), "--ram \"64KB\" has an unknown unit (use GB, GiB, MB, MiB, TB)");
  CHECK_THROWS_WITH(parse_memory("0", "--gpu-memory"), "--gpu-memory \"0\" must be more than zero");
  // 1e-10 MiB is 1.05e-4 bytes: rounds below one byte.
  CHECK_THROWS_AS(parse_memory("0.0000000001MB", "--ram"), InputError);
}

TEST_CASE("parse_tokens: k and m are 1024 and 1024², either case", "[cli][parse]") {
  CHECK(parse_tokens("4096", "--context") == 4096);
  CHECK(parse_tokens("8k", "--context") == 8192);
  CHECK(parse_tokens("128K", "--context") == 131072);
  CHECK(parse_tokens("1m", "--context") == 1048576);
  CHECK(parse_tokens("1.5k", "--context") == 1536);        // 1.5 × 1024
  CHECK(parse_tokens("1000000000", "--context") == 1000000000);  // the 1e9 upper bound itself
  CHECK(parse_tokens("2.5", "--prompt-tokens") == 3);      // rounded to the nearest token (llround)
}

TEST_CASE("parse_tokens: each malformed count is one error naming the flag and the fix", "[cli][parse]") {
  CHECK_THROWS_WITH(parse_tokens("k", "--context"), "--context \"k\" is not a token count (examples: 4096, 8k, 128K)");
  CHECK_THROWS_WITH(parse_tokens("2g", "--context"), "--context \"2g\" has an unknown suffix (use k or m: 8k = 8192)");
  CHECK_THROWS_WITH(parse_tokens("1e9", "--context"), "--context \"1e9\" has an unknown suffix (use k or m: 8k = 8192)");
  CHECK_THROWS_WITH(parse_tokens("0.5", "--context"), "--context \"0.5\" is out of range (1 to 1e9 tokens)");
  CHECK_THROWS_WITH(parse_tokens("1000000001", "--context"),
                    "--context \"1000000001\" is out of range (1 to 1e9 tokens)");
  CHECK_THROWS_WITH(parse_tokens("1000m", "--context"),  // 1000 × 1048576 = 1.05e9
                    "--context \"1000m\" is out of range (1 to 1e9 tokens)");
}

TEST_CASE("Table::text pads to the widest cell, aligns per column and trims trailing spaces", "[cli][render]") {
  Table t({{"Model", Align::left}, {"GiB", Align::right}, {"Note", Align::left}});
  t.add_row({"llama", "4.58", "ok"});
  t.add_row({"a", "12.00", ""});
  t.add_row({"b"});  // a short row: the missing cells are blank
  // Widths: Model max(5, 5, 1, 1) = 5; GiB max(3, 4, 5) = 5; Note max(4, 2, 0) = 4.
  CHECK(t.text(false) ==
        "Model    GiB  Note\n"
        "llama   4.58  ok\n"
        "a      12.00\n"
        "b\n");
}

TEST_CASE("Table::text counts a UTF-8 character and an ANSI-coloured cell by what the terminal shows", "[cli][render]") {
  Table t({{"Bar", Align::left}, {"x", Align::right}});
  t.add_row({"██░", "1"});                      // 9 bytes, 3 cells wide
  t.add_row({"\x1b[36mab\x1b[0m", "22"});       // 2 cells wide
  // Header bold only with colour: ESC[1m ... ESC[0m around the trimmed header line.
  CHECK(t.text(true) ==
        "\x1b[1mBar   x\x1b[0m\n"
        "██░   1\n"
        "\x1b[36mab\x1b[0m   22\n");
  CHECK(t.text(false).substr(0, 8) == "Bar   x\n");
}

TEST_CASE("Table::csv quotes cells holding a comma, quote or newline and doubles the quotes", "[cli][render]") {
  Table t({{"name", Align::left}, {"size, GiB", Align::right}});
  t.add_row({"plain", "4.58"});
  t.add_row({"say \"hi\"", "1,024"});
  t.add_row({"two\nlines", ""});
  CHECK(t.csv() ==
        "name,\"size, GiB\"\n"
        "plain,4.58\n"
        "\"say \"\"hi\"\"\",\"1,024\"\n"
        "\"two\nlines\",\n");
}
