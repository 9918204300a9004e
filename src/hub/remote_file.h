#pragma once
// A remote GGUF file as the GGUF reader's ByteSource: only a prefix is held, grown by HTTP range
// requests as the reader walks the header, so the bytes fetched stay within a quarter (and at least
// kFirstRangeBytes) of the header's size and the tensor data is never transferred.
#include <cstdint>
#include <string>

#include "fetch.h"
#include "llmsize/modelfile/gguf.h"

namespace llmsize::hub {

class RemoteFile final : public modelfile::ByteSource {
 public:
  /// Starts from `head` (the cache's bytes, may be empty) when `file_bytes` is known; else asks for
  /// the first range. `fetcher` null: offline, a read past `head` is an error naming --offline.
  RemoteFile(Fetcher* fetcher, std::string url, std::string head, std::uint64_t file_bytes);
  /// Opens by fetching the first range (kFirstRangeBytes), which also gives the file's size.
  static RemoteFile open(Fetcher& fetcher, const std::string& url);

  [[nodiscard]] std::uint64_t size() const override { return file_bytes_; }
  void read(std::uint64_t offset, void* dst, std::size_t n) const override;

  [[nodiscard]] const std::string& head() const { return head_; }
  [[nodiscard]] std::uint64_t bytes_fetched() const { return fetched_; }

 private:
  void grow_to(std::uint64_t end) const;

  Fetcher* fetcher_;
  std::string url_;
  mutable std::string fetch_url_;  ///< after the first redirect: asked directly
  mutable std::string head_;
  std::uint64_t file_bytes_;
  mutable std::uint64_t fetched_ = 0;
};

}  // namespace llmsize::hub
