#include "remote_file.h"

#include <algorithm>
#include <cstring>

#include "llmsize/error.h"

namespace llmsize::hub {

RemoteFile::RemoteFile(Fetcher* fetcher, std::string url, std::string head, std::uint64_t file_bytes)
    : fetcher_(fetcher), url_(std::move(url)), fetch_url_(url_), head_(std::move(head)), file_bytes_(file_bytes) {}

RemoteFile RemoteFile::open(Fetcher& fetcher, const std::string& url) {
  RangeReply first = fetcher.range(url, 0, kFirstRangeBytes - 1, "the GGUF header");
  RemoteFile f(&fetcher, url, std::move(first.bytes), first.file_bytes);
  f.fetched_ = f.head_.size();
  f.fetch_url_ = first.effective_url;
  return f;
}

void RemoteFile::read(std::uint64_t offset, void* dst, std::size_t n) const {
  grow_to(offset + n);
  if (n > 0) std::memcpy(dst, head_.data() + offset, n);
}

void RemoteFile::grow_to(std::uint64_t end) const {
  while (head_.size() < end) {
    const std::uint64_t have = head_.size();
    if (fetcher_ == nullptr) {
      throw Error(url_ + ": the cache holds the first " + std::to_string(have) + " bytes of this file and the reader needs " +
                  std::to_string(end) + "; run once without --offline");
    }
    if (end > kMaxGgufHeaderBytes) {
      throw Error(fetcher_->label() + ": " + url_ + ": the GGUF header runs past " + std::to_string(kMaxGgufHeaderBytes >> 20U) +
                  " MiB, more than llmsize reads of a remote file; download it and give its path");
    }
    // Grow by a quarter of what is held (at least the first range's size): few requests for a large
    // header, and at most a quarter of it read past its end.
    const std::uint64_t step = std::max({end - have, kFirstRangeBytes, have / 4});
    const std::uint64_t last = std::min({have + step, file_bytes_, kMaxGgufHeaderBytes}) - 1;
    RangeReply more = fetcher_->range(fetch_url_, have, last, "the GGUF header");
    if (more.file_bytes != file_bytes_) {
      throw Error(fetcher_->label() + ": " + url_ + " changed size while being read (" + std::to_string(file_bytes_) + " then " +
                  std::to_string(more.file_bytes) + " bytes); try again");
    }
    if (more.bytes.empty()) throw Error(fetcher_->label() + ": " + url_ + ": no bytes at offset " + std::to_string(have) + "; try again");
    fetched_ += more.bytes.size();
    head_ += more.bytes;
  }
}

}  // namespace llmsize::hub
