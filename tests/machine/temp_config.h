#pragma once
// Points $XDG_CONFIG_HOME at a fresh temporary directory for one test and restores it afterwards.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

class TempConfig {
 public:
  TempConfig() {
    if (const char* old = std::getenv("XDG_CONFIG_HOME")) previous_ = old;
    std::string pattern = (std::filesystem::temp_directory_path() / "llmsize-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    setenv("XDG_CONFIG_HOME", path_.c_str(), 1);
  }
  ~TempConfig() {
    if (previous_) {
      setenv("XDG_CONFIG_HOME", previous_->c_str(), 1);
    } else {
      unsetenv("XDG_CONFIG_HOME");
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempConfig(const TempConfig&) = delete;
  TempConfig& operator=(const TempConfig&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path profile() const { return path_ / "llmsize" / "machine.json"; }

 private:
  std::optional<std::string> previous_;
  std::filesystem::path path_;
};
