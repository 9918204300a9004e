// The --json contract: every key path each command prints is listed in docs/json-keys.txt (the list beside
// docs/json.md), and every listed path is printed by some case. Key paths: `a.b` a key in an object, `a[]`
// the elements of an array (all elements merged), `*` in the list any key (a map keyed by data).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli_cases.h"

namespace {

using Path = std::vector<std::string>;
using PathSet = std::set<Path>;

std::string joined(const Path& p) {
  std::string out;
  for (const auto& s : p) out += (out.empty() ? "" : ".") + s;
  return out;
}

Path split(const std::string& text) {
  Path p;
  std::string seg;
  for (char c : text) {
    if (c == '.') {
      p.push_back(seg);
      seg.clear();
    } else {
      seg += c;
    }
  }
  p.push_back(seg);
  return p;
}

// Every path in the document, interior ones included; a key holding dots (GGUF metadata) stays one segment.
void collect(const nlohmann::json& j, Path& at, PathSet& out) {
  if (!at.empty()) out.insert(at);
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      at.push_back(key);
      collect(value, at, out);
      at.pop_back();
    }
  } else if (j.is_array()) {
    Path element = at;
    if (element.empty()) element.push_back("");
    element.back() += "[]";
    out.insert(element);
    for (const auto& value : j) collect(value, element, out);
  }
}

bool segment_matches(const std::string& actual, const std::string& listed) {
  if (listed == "*") return actual.size() < 2 || actual.compare(actual.size() - 2, 2, "[]") != 0;
  if (listed == "*[]") return actual.size() >= 2 && actual.compare(actual.size() - 2, 2, "[]") == 0;
  return actual == listed;
}

// `actual` is `listed` itself, or lies on the way to it (an object or array holding it, or a null or empty
// value where the list has an object or array).
bool on_the_way(const Path& actual, const Path& listed, bool exact) {
  if (actual.size() > listed.size() || (exact && actual.size() != listed.size())) return false;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (segment_matches(actual[i], listed[i])) continue;
    const bool last = i + 1 == actual.size();
    if (!exact && last && segment_matches(actual[i] + "[]", listed[i])) continue;  // null where an array is listed
    return false;
  }
  return true;
}

// docs/json-keys.txt: `[command]` headers, one key path per line, `#` comments.
std::map<std::string, std::vector<Path>> read_key_list() {
  std::ifstream in(LLMSIZE_JSON_KEYS);
  REQUIRE(in);
  std::map<std::string, std::vector<Path>> list;
  std::string command;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      command = line.substr(1, line.size() - 2);
      list[command];
    } else {
      REQUIRE(!command.empty());
      list[command].push_back(split(line));
    }
  }
  return list;
}

}  // namespace

TEST_CASE("JSON contract: every key each command prints is in docs/json-keys.txt, and every listed key is printed",
          "[cli][json][contract]") {
  llmsize::test::write_tied_gguf();
  llmsize::test::write_mmproj_gguf();
  const auto list = read_key_list();
  std::map<std::string, PathSet> seen;  // per command
  for (const auto& c : llmsize::test::cli_cases()) {
    if (!c.json) continue;
    const auto r = llmsize::test::run_case(c, {"--json"});
    INFO("case " << c.name << ": " << r.err);
    REQUIRE(r.code != 2);
    const auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc.contains("command"));
    const std::string command = doc["command"].get<std::string>();
    const auto listed = list.find(command);
    if (listed == list.end()) {
      FAIL_CHECK("command \"" << command << "\" has no [" << command << "] section in docs/json-keys.txt");
      continue;
    }
    Path at;
    PathSet paths;
    collect(doc, at, paths);
    for (const Path& p : paths) {
      const bool documented = std::any_of(listed->second.begin(), listed->second.end(),
                                          [&](const Path& l) { return on_the_way(p, l, false); });
      if (!documented) FAIL_CHECK("undocumented key " << joined(p) << " in `" << command << "` (case " << c.name << ")");
    }
    seen[command].insert(paths.begin(), paths.end());
  }
  // A listed key no case prints is reported, per command, without failing: some print only on a live host
  // (probe, calibrate) or for input no case has. A listed command no case runs at all does fail.
  for (const auto& [command, paths] : list) {
    if (seen.count(command) == 0) {
      FAIL_CHECK("[" << command << "] is listed in docs/json-keys.txt but no case in tests/cli/cli_cases.h prints it");
      continue;
    }
    std::string never;
    for (const Path& l : paths) {
      const bool printed = std::any_of(seen[command].begin(), seen[command].end(),
                                       [&](const Path& p) { return on_the_way(p, l, true); });
      if (!printed) never += "\n  " + joined(l);
    }
    if (!never.empty()) WARN("`" << command << "`: documented keys no case prints:" << never);
  }
}

TEST_CASE("JSON contract: the key-path walker names arrays with [] and keeps dotted keys whole", "[cli][json][contract]") {
  const auto doc = nlohmann::json::parse(R"({"a": {"b": [{"c": 1}, {"d": null}], "m": {"general.name": "x"}}, "e": []})");
  Path at;
  PathSet paths;
  collect(doc, at, paths);
  const PathSet expected = {{"a"}, {"a", "b"}, {"a", "b[]"}, {"a", "b[]", "c"}, {"a", "b[]", "d"}, {"a", "m"},
                            {"a", "m", "general.name"}, {"e[]"}, {"e"}};
  CHECK(paths == expected);
  CHECK(on_the_way({"a", "m", "general.name"}, split("a.m.*"), true));
  CHECK(on_the_way({"a", "b[]"}, split("a.b[].c"), false));   // the array holding a listed key
  CHECK(on_the_way({"e"}, split("e[].x"), false));            // null where an array is listed
  CHECK_FALSE(on_the_way({"a", "z"}, split("a.b[].c"), false));
  CHECK_FALSE(on_the_way({"a", "b[]"}, split("a.b[].c"), true));
}
