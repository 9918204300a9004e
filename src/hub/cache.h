#pragma once
// What was read from the Hub or a URL, kept under $XDG_CACHE_HOME/llmsize/hub (docs/hub.md "Cache"):
//   hf/ORG/REPO/REVISION/config.json                       a whole small file, as fetched
//   hf/ORG/REPO/REVISION/model.safetensors.index.json.absent   the Hub answered 404: no index
//   hf/ORG/REPO/REVISION/api-model-info.json               the repository's file list (for :QUANT)
//   hf/ORG/REPO/REVISION/PATH/FILE.gguf.head               the first bytes of a GGUF file (its header)
//   hf/ORG/REPO/REVISION/PATH/FILE.gguf.head.json          {"url", "file_bytes"}: where, and the whole size
//   url/HASH/FILE.gguf.head(.json)                         the same for a GGUF named by URL
// Only response bodies and these small records are written: never a request header, so never a token.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace llmsize::hub {

/// The first bytes of a remote GGUF file, and its whole size.
struct CachedHead {
  std::string bytes;
  std::uint64_t file_bytes = 0;
};

class Cache {
 public:
  /// nullopt: nothing is cached (no $XDG_CACHE_HOME or $HOME).
  explicit Cache(std::optional<std::filesystem::path> root) : root_(std::move(root)) {}

  [[nodiscard]] const std::optional<std::filesystem::path>& root() const { return root_; }

  /// A whole file, or nullopt when not cached.
  [[nodiscard]] std::optional<std::string> read(const std::string& key) const;
  /// Writes atomically (a temporary file renamed); a cache that cannot be written is skipped silently:
  /// the run has its answer, only the next one is not offline.
  void write(const std::string& key, const std::string& bytes) const;

  [[nodiscard]] bool has_absent(const std::string& key) const;
  void write_absent(const std::string& key) const;

  /// A GGUF head whose record names `url`; nullopt when missing, unreadable or for another URL.
  [[nodiscard]] std::optional<CachedHead> read_head(const std::string& key, const std::string& url) const;
  void write_head(const std::string& key, const std::string& url, const CachedHead& head) const;

 private:
  std::optional<std::filesystem::path> root_;
};

/// $XDG_CACHE_HOME/llmsize/hub, else $HOME/.cache/llmsize/hub (XDG base directory spec); nullopt when
/// neither is set (or XDG_CACHE_HOME is not absolute and HOME is unset).
[[nodiscard]] std::optional<std::filesystem::path> default_cache_root();

/// hf/ORG/REPO/REVISION/FILE, the revision percent-encoded into one directory name.
[[nodiscard]] std::string hf_cache_key(const std::string& repo, const std::string& revision, const std::string& file);

/// url/HASH/FILE: HASH is 16 hex digits of FNV-1a 64 of the whole URL, FILE its last path segment.
[[nodiscard]] std::string url_cache_key(const std::string& url);

}  // namespace llmsize::hub
