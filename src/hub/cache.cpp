#include "cache.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "llmsize/hub/name.h"

namespace llmsize::hub {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxCachedFile = 256ULL << 20U;  // larger than any file the Hub code fetches

std::optional<std::string> read_text(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) > kMaxCachedFile || ec) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return text.str();
}

void write_atomically(const fs::path& target, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return;
  const fs::path temp = target.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      out.close();
      fs::remove(temp, ec);
      return;
    }
  }
  fs::rename(temp, target, ec);
  if (ec) fs::remove(temp, ec);
}

}  // namespace

std::optional<std::string> Cache::read(const std::string& key) const {
  if (!root_) return std::nullopt;
  return read_text(*root_ / key);
}

void Cache::write(const std::string& key, const std::string& bytes) const {
  if (root_) write_atomically(*root_ / key, bytes);
}

bool Cache::has_absent(const std::string& key) const {
  std::error_code ec;
  return root_ && fs::is_regular_file(*root_ / (key + ".absent"), ec);
}

void Cache::write_absent(const std::string& key) const { write(key + ".absent", ""); }

std::optional<CachedHead> Cache::read_head(const std::string& key, const std::string& url) const {
  const auto record = read(key + ".head.json");
  if (!record) return std::nullopt;
  const auto j = nlohmann::json::parse(*record, nullptr, false);
  if (!j.is_object() || !j.contains("url") || !j.contains("file_bytes") || !j["url"].is_string() ||
      !j["file_bytes"].is_number_unsigned() || j["url"].get<std::string>() != url) {
    return std::nullopt;
  }
  auto bytes = read(key + ".head");
  if (!bytes) return std::nullopt;
  const auto file_bytes = j["file_bytes"].get<std::uint64_t>();
  if (bytes->size() > file_bytes) return std::nullopt;
  return CachedHead{std::move(*bytes), file_bytes};
}

void Cache::write_head(const std::string& key, const std::string& url, const CachedHead& head) const {
  // The bytes first: a record is only ever beside a complete head.
  write(key + ".head", head.bytes);
  write(key + ".head.json", nlohmann::json{{"url", url}, {"file_bytes", head.file_bytes}}.dump() + "\n");
}

std::optional<fs::path> default_cache_root() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') return fs::path(xdg) / "llmsize" / "hub";
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return fs::path(home) / ".cache" / "llmsize" / "hub";
  }
  return std::nullopt;
}

std::string hf_cache_key(const std::string& repo, const std::string& revision, const std::string& file) {
  return "hf/" + repo + "/" + percent_encode(revision, false) + "/" + file;
}

std::string url_cache_key(const std::string& url) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (char c : url) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;  // FNV prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  const std::string path = url.substr(0, url.find_first_of("?#"));
  std::string file = path.substr(path.rfind('/') + 1);
  if (file.empty() || file == "." || file == "..") file = "file";
  return std::string("url/") + hex + "/" + file;
}

}  // namespace llmsize::hub
