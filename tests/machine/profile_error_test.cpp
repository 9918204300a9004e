// ProfileError's kind: --this-machine goes on without a profile when there is no place for one, and
// stops on a broken file; the choice reads kind(), never the message.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "llmsize/machine/profile.h"
#include "../cli/run_cli.h"
#include "../scoped_env.h"
#include "temp_config.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace {

namespace fs = std::filesystem;
using llmsize::machine::ProfileError;
using Kind = ProfileError::Kind;

using llmsize::test::ScopedEnv;

template <class Body>
std::optional<ProfileError> profile_error(Body body) {
  try {
    body();
  } catch (const ProfileError& e) {
    return e;
  }
  return std::nullopt;
}

const std::string kNvidia4090 = std::string(LLMSIZE_FIXTURES) + "/machine/nvidia-4090";

}  // namespace

TEST_CASE("profile errors say which kind they are", "[machine][profile][errors]") {
  {
    const ScopedEnv xdg("XDG_CONFIG_HOME", std::nullopt);
    const ScopedEnv home("HOME", std::nullopt);
    const auto e = profile_error([] { (void)llmsize::machine::config_dir(); });
    REQUIRE(e);
    CHECK(e->kind() == Kind::no_location);
    CHECK(std::string(e->what()) ==
          "neither $XDG_CONFIG_HOME nor $HOME is set; set one to say where llmsize keeps its profile");
  }
  const TempConfig config;
  const fs::path dir = config.path() / "llmsize";
  fs::create_directories(dir);
  std::ofstream(config.profile()) << "[1, 2]";
  const auto invalid = profile_error([&] { (void)llmsize::machine::load_profile(dir); });
  REQUIRE(invalid);
  CHECK(invalid->kind() == Kind::invalid);
  CHECK(std::string(invalid->what()) == config.profile().string() + ": expected a JSON object");

  // A wrong type where llmsize reads a string is the file's fault, not an internal error.
  std::ofstream(config.profile(), std::ios::trunc)
      << R"({"version": 1, "bandwidth": {"read_gb_per_s": 90, "threads": 16, "seconds": 3, "cpu_model": 5}})";
  const auto wrong_type = profile_error([&] { (void)llmsize::machine::load_profile(dir); });
  REQUIRE(wrong_type);
  CHECK(wrong_type->kind() == Kind::invalid);
  CHECK(std::string(wrong_type->what()) == config.profile().string() + ": /bandwidth/cpu_model: expected a string");

  // A regular file where the directory should be: nothing can be written under it.
  const fs::path blocked = config.path() / "file";
  std::ofstream(blocked) << "x";
  const auto unwritable = profile_error([&] { llmsize::machine::save_profile(blocked, {}); });
  REQUIRE(unwritable);
  CHECK(unwritable->kind() == Kind::unwritable);
}

TEST_CASE("this-machine without $HOME goes on without a profile, with a broken one it stops", "[cli][this-machine][errors]") {
  const ScopedEnv root("LLMSIZE_DETECT_ROOT", kNvidia4090);
  {
    const ScopedEnv xdg("XDG_CONFIG_HOME", std::nullopt);
    const ScopedEnv home("HOME", std::nullopt);
    const auto j = llmsize::test::json_of_success(
        llmsize::test::run({"check", "--this-machine", "--model", "llama-3.1-8b", "--json"}));
    bool said_so = false;
    for (const auto& a : j["assumptions"]) {
      said_so |= a["key"] == "profile" && a["value"] == "none" &&
                 a["text"] == "no user profile: neither $XDG_CONFIG_HOME nor $HOME is set";
    }
    CHECK(said_so);
  }
  const TempConfig config;
  fs::create_directories(config.path() / "llmsize");
  std::ofstream(config.profile()) << R"({"version": 7})";
  const auto r = llmsize::test::run({"check", "--this-machine", "--model", "llama-3.1-8b"});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "llmsize: error: " + config.profile().string() +
                     ": unknown profile version; delete it and rerun `llmsize probe`\n");
}

TEST_CASE("a profile saved before schema_version 3 (band ratios named decode_low ...) is still read", "[machine][profile]") {
  const TempConfig config;
  const fs::path dir = config.path() / "llmsize";
  fs::create_directories(dir);
  std::ofstream(config.profile()) << R"({"version": 1, "efficiencies": [{"backend": "cuda",
    "bandwidth_efficiency": 0.8, "per_token_s": 0.001, "prefill_efficiency": 0.45, "decode_low": 0.7,
    "decode_high": 1.3, "prefill_low": 0.6, "prefill_high": 1.5, "decode_rows": 3, "prefill_rows": 4}]})";
  const auto old = llmsize::machine::load_profile(dir);
  REQUIRE(old.efficiencies.size() == 1);
  CHECK(old.efficiencies[0].decode_ratio_low == 0.7);
  CHECK(old.efficiencies[0].decode_ratio_high == 1.3);
  CHECK(old.efficiencies[0].prefill_ratio_low == 0.6);
  CHECK(old.efficiencies[0].prefill_ratio_high == 1.5);
  // Saved again, it uses the new names, and reads back the same.
  llmsize::machine::save_profile(dir, old);
  std::ifstream in(config.profile());
  const auto saved = nlohmann::json::parse(in);
  CHECK(saved["efficiencies"][0]["decode_ratio_low"] == 0.7);
  CHECK_FALSE(saved["efficiencies"][0].contains("decode_low"));
  CHECK(llmsize::machine::load_profile(dir).efficiencies[0].prefill_ratio_high == 1.5);
}
