// Golden files: the exact text every command prints (tests/golden/README.md). A change to the output fails
// here until the files are regenerated with LLMSIZE_UPDATE_GOLDEN=1 and the diff is reviewed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli_cases.h"

namespace {

namespace fs = std::filesystem;
using llmsize::test::CliCase;

const fs::path kGoldenDir = LLMSIZE_GOLDEN_DIR;

bool updating() {
  const char* v = std::getenv("LLMSIZE_UPDATE_GOLDEN");
  return v != nullptr && v[0] != '\0' && std::string(v) != "0";
}

std::string quoted(const std::string& arg) {
  return arg.find_first_of(" \"'") == std::string::npos ? arg : "'" + arg + "'";
}

// The file: the command line, the exit code, stdout, and stderr when there is any.
std::string render(const CliCase& c, const llmsize::test::CliResult& r) {
  std::string text = "$ ";
  if (!c.machine.empty()) text += "LLMSIZE_DETECT_ROOT=<fixtures>/machine/" + c.machine + " ";
  text += "llmsize";
  for (const auto& a : c.args) text += " " + quoted(a);
  text += "\nexit " + std::to_string(r.code) + "\n";
  auto section = [&](const char* name, const std::string& body) {
    if (body.empty()) return;
    text += std::string("--- ") + name + "\n" + body;
    if (body.back() != '\n') text += "\n[no newline at end]\n";
  };
  section("stdout", r.out);
  section("stderr", r.err);
  return text;
}

std::optional<std::string> read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "line 12:\n  expected: ...\n  actual:   ..." for the first line that differs.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected);
  std::istringstream a(actual);
  std::string el;
  std::string al;
  for (int line = 1;; ++line) {
    const bool more_e = static_cast<bool>(std::getline(e, el));
    const bool more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a) return "same lines, different line endings";
    if (!more_e || !more_a || el != al) {
      return "line " + std::to_string(line) + ":\n  expected: " + (more_e ? el : "(end of file)") +
             "\n  actual:   " + (more_a ? al : "(end of output)");
    }
  }
}

// A case that prints a path prints it at this checkout's length (<fixtures> replaces it afterwards), and
// a table column holding it is padded to that length: for such cases, runs of spaces compare as two.
bool prints_a_path(const CliCase& c) {
  for (const std::string& a : c.args) {
    if (a.find("<fixtures>") != std::string::npos || a.find("<scratch>") != std::string::npos) return true;
  }
  return false;
}

std::string without_padding(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' && i + 1 < text.size() && text[i + 1] == ' ') {
      out += "  ";
      while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace

TEST_CASE("golden: every command's text output matches tests/golden/<case>.txt", "[cli][golden]") {
  llmsize::test::write_tied_gguf();
  llmsize::test::write_mmproj_gguf();
  const bool update = updating();
  for (const CliCase& c : llmsize::test::cli_cases()) {
    const fs::path file = kGoldenDir / (c.name + ".txt");
    const std::string actual = render(c, llmsize::test::run_case(c));
    const std::optional<std::string> expected = read(file);
    const auto same = [&] {
      return expected && (prints_a_path(c) ? without_padding(*expected) == without_padding(actual) : *expected == actual);
    };
    if (update) {
      if (!same()) {  // a path's padding differs between checkouts: such a file is rewritten only for a real change
        std::ofstream(file, std::ios::binary) << actual;
        WARN("rewrote " << file.string());
      }
      continue;
    }
    INFO("case " << c.name << ": " << file.string());
    INFO("if the change is intended: LLMSIZE_UPDATE_GOLDEN=1 build/tests/llmsize_tests \"[golden]\", then review git diff");
    if (!expected) {
      FAIL_CHECK("no golden file");
      continue;
    }
    if (!same()) FAIL_CHECK("output differs at " + first_difference(*expected, actual));
  }
}

TEST_CASE("golden: every file in tests/golden belongs to a case", "[cli][golden]") {
  std::set<std::string> names;
  for (const CliCase& c : llmsize::test::cli_cases()) {
    INFO("case names must be unique: " << c.name);
    CHECK(names.insert(c.name + ".txt").second);
  }
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".txt" || names.count(name) > 0) continue;
    if (updating()) {
      fs::remove(entry.path());
      WARN("removed " << entry.path().string() << " (no case)");
    } else {
      FAIL_CHECK(entry.path().string() << " has no case in tests/cli/cli_cases.h; delete it or add the case");
    }
  }
}
