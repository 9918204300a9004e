#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

// The tests never read the user's own configuration (the prices file, the machine profile): $XDG_CONFIG_HOME
// points at an empty directory of this run unless a test sets it itself (ScopedEnv).
int main(int argc, char* argv[]) {
  const std::filesystem::path config =
      std::filesystem::temp_directory_path() / ("llmsize-tests-config-" + std::to_string(getpid()));
  std::filesystem::create_directories(config);
  setenv("XDG_CONFIG_HOME", config.c_str(), 1);
  const int failed = Catch::Session().run(argc, argv);
  std::error_code ignored;
  std::filesystem::remove_all(config, ignored);
  return failed;
}
