#pragma once
// Requests through a Transport, with every failure turned into one line that names the fix.
#include <cstdint>
#include <optional>
#include <string>

#include "llmsize/hub/hub.h"

namespace llmsize::hub {

/// A range of a file as the server sent it.
struct RangeReply {
  std::string bytes;              ///< exactly the bytes asked for (fewer only at the end of the file)
  std::uint64_t file_bytes = 0;   ///< the whole file's size
  std::string effective_url;      ///< after redirects: where the next range is asked for
};

class Fetcher {
 public:
  /// `label` (the user's name for the model) starts every message; `repo` (may be empty) names the
  /// repository page in advice about gated models.
  Fetcher(Transport& transport, const Settings& settings, std::string label, std::string repo)
      : transport_(transport), settings_(settings), label_(std::move(label)), repo_(std::move(repo)) {}

  /// A whole file of at most `cap` bytes. 404 gives nullopt when `missing_ok`, else an error.
  /// `what` names the file in messages ("config.json").
  [[nodiscard]] std::optional<std::string> whole(const std::string& url, std::uint64_t cap, const std::string& what,
                                                 bool missing_ok);

  /// Bytes first..last (both included) of the file at `url`; a server that ignores Range is accepted
  /// only when the whole file fits in the range.
  [[nodiscard]] RangeReply range(const std::string& url, std::uint64_t first, std::uint64_t last, const std::string& what);

  [[nodiscard]] const std::string& label() const { return label_; }

 private:
  HttpResponse get(const std::string& url, std::optional<ByteRange> range, std::uint64_t cap);
  [[noreturn]] void fail_transport(const HttpResponse& r, const std::string& url, std::uint64_t cap, const std::string& what) const;
  [[noreturn]] void fail_status(const HttpResponse& r, const std::string& url, const std::string& what) const;

  Transport& transport_;
  const Settings& settings_;
  std::string label_;
  std::string repo_;
};

/// "bytes 0-99/1000" -> {0, 99, 1000}; nullopt for anything else (a `*` size included).
struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t file_bytes = 0;
};
[[nodiscard]] std::optional<ContentRange> parse_content_range(const std::string& value);

}  // namespace llmsize::hub
