// The generated man page and bash completion (build/unix, tools/unix_docs) against the parser itself:
// every command and flag the parser has must be in them. The parser is walked here with CLI11 directly,
// not through the generator's own reading of it.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../cli/run_cli.h"
#include "llmsize/cli/command_line.h"

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Each command's path ("catalog validate") and every name of every flag it has, help included.
std::map<std::string, std::vector<std::string>> parser_flags() {
  std::map<std::string, std::vector<std::string>> out;
  llmsize::cli::visit_parser([&](const CLI::App& app) {
    std::vector<std::pair<const CLI::App*, std::string>> todo{{&app, ""}};
    while (!todo.empty()) {
      const auto [command, path] = todo.back();
      todo.pop_back();
      std::vector<std::string>& names = out[path];
      for (const CLI::Option* opt : command->get_options()) {
        for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
        for (const std::string& n : opt->get_snames()) names.push_back("-" + n);
      }
      for (const CLI::App* sub : command->get_subcommands([](const CLI::App*) { return true; })) {
        todo.emplace_back(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name());
      }
    }
  });
  return out;
}

// A flag as roff writes it: \fB\-\-model\fR.
std::string roff_bold(const std::string& name) {
  std::string out = "\\fB";
  for (char c : name) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out + "\\fR";
}

// The text of the page from `.SS "llmsize PATH"` to the next .SS or .SH.
std::string section_of(const std::string& page, const std::string& path) {
  const std::string heading = path.empty() ? ".SH OPTIONS\n" : ".SS \"llmsize " + path + "\"\n";
  const std::size_t start = page.find(heading);
  if (start == std::string::npos) return "";
  std::size_t end = page.size();
  for (const char* next : {"\n.SS ", "\n.SH "}) end = std::min(end, page.find(next, start + heading.size()));
  return page.substr(start, end - start);
}

std::string unix_file(const std::string& name) { return std::string(LLMSIZE_UNIX_DIR) + "/" + name; }

std::string command_output(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get()) != nullptr) out += buffer.data();
  return out;
}

}  // namespace

TEST_CASE("the man page has a section for every command, listing each of its flags", "[unix]") {
  const std::string page = read_text(unix_file("llmsize.1"));
  const auto commands = parser_flags();
  REQUIRE(commands.size() >= 18);  // llmsize, 14 commands, catalog's subcommands
  for (const auto& [path, names] : commands) {
    INFO("llmsize " << path);
    const std::string section = section_of(page, path);
    REQUIRE_FALSE(section.empty());
    for (const std::string& name : names) {
      INFO(name);
      if (name == "--help" || name == "-h") continue;  // every command has it; said once in DESCRIPTION
      CHECK(section.find(roff_bold(name)) != std::string::npos);
    }
  }
  // The global flags, the exit codes and the version.
  CHECK(page.find(".TH LLMSIZE 1 \"\" \"llmsize " + std::string(llmsize::cli::version()) + "\"") != std::string::npos);
  CHECK(page.find(".SH \"EXIT STATUS\"\n.TP\n\\fB0\\fR\nsuccess; the model fits\n.TP\n\\fB1\\fR\n") != std::string::npos);
  CHECK(page.find("\\fB\\-\\-color\\fR \\fITEXT\\fR\nColour: auto (only on a terminal; NO_COLOR honoured), always, never. "
                  "One of: auto, always, never.") != std::string::npos);
}

TEST_CASE("the man page says which flags take catalog ids and gives ranges in words", "[unix]") {
  const std::string page = read_text(unix_file("llmsize.1"));
  const std::string check = section_of(page, "check");
  CHECK(check.find("\\fB\\-\\-gpu\\fR, \\fB\\-g\\fR \\fI[Nx]GPU\\fR ...\n") != std::string::npos);
  CHECK(check.find("Takes a catalog id or alias (the shell completions list them). May be given more than once.") !=
        std::string::npos);
  CHECK(check.find("or a model file.") != std::string::npos);  // --model
  CHECK(section_of(page, "recommend").find("Accepted: from 1 to 16.") != std::string::npos);  // --max-gpus
  // Non-ASCII help text becomes a groff glyph (groff reads Latin-1 without preconv).
  CHECK(page.find("\\[u") != std::string::npos);
  CHECK(page.find('\xE2') == std::string::npos);
}

TEST_CASE("every example in the man page runs: exit 0 (fits) or 1 (does not fit), never a usage error", "[unix]") {
  const std::string page = read_text(unix_file("llmsize.1"));
  const std::string examples = page.substr(page.find(".SH EXAMPLES"));
  const std::regex line(R"(\\fBllmsize (.*)\\fR)");
  int count = 0;
  for (auto it = std::sregex_iterator(examples.begin(), examples.end(), line); it != std::sregex_iterator(); ++it) {
    std::string command = (*it)[1].str();
    command = std::regex_replace(command, std::regex(R"(\\-)"), "-");
    std::vector<std::string> args;
    std::istringstream words(command);
    for (std::string w; words >> w;) args.push_back(w);
    INFO("llmsize " << command);
    const auto r = llmsize::test::run(args);
    INFO(r.err);
    CHECK((r.code == 0 || r.code == 1));
    CHECK_FALSE(r.out.empty());
    ++count;
  }
  CHECK(count == 5);
}

TEST_CASE("the bash completion offers every flag of every command, inherited global flags included", "[unix]") {
  const auto commands = parser_flags();
  std::string script = "source '" + unix_file("llmsize.bash") + "'\n";
  for (const auto& [path, names] : commands) script += "_llmsize_flags '" + path + "'; echo \"" + path + "|$REPLY\"\n";
  const std::string probe = (std::filesystem::temp_directory_path() / ("llmsize_flags_" + std::to_string(getpid()) + ".bash")).string();
  std::ofstream(probe) << script;
  const std::string output = command_output("bash '" + probe + "'");
  std::filesystem::remove(probe);
  std::map<std::string, std::set<std::string>> offered;
  std::istringstream lines(output);
  for (std::string l; std::getline(lines, l);) {
    std::istringstream words(l.substr(l.find('|') + 1));
    for (std::string w; words >> w;) offered[l.substr(0, l.find('|'))].insert(w);
  }
  for (const auto& [path, names] : commands) {
    INFO("llmsize " << path);
    for (const std::string& name : names) CHECK(offered[path].count(name) == 1);
    if (!path.empty()) {  // fallthrough: the global flags work after the command
      CHECK(offered[path].count("--json") == 1);
      CHECK(offered[path].count("--catalog") == 1);
    }
  }
}
