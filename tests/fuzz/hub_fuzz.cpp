// libFuzzer target: the remote reader (src/hub) against a server that answers with arbitrary bytes.
// The first byte picks what is read and how the server behaves:
//   0  a GGUF by URL, served honestly by ranges from the input (the next 2 bytes add up to 16 MiB of
//      zeros after it: tensor data the reader must not fetch)
//   1  hf:o/r:Q4_K_M, the input as the repository's file list (then each GGUF named there: 404)
//   2  hf:o/r, the input as config.json (the index: 404)
//   3  a GGUF by URL from a server whose every answer (status, Content-Range, body) comes from the input
//   4  the input as a remote name
// Any input must give a model or an llmsize::Error; anything else is a finding. No cache, no network.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "llmsize/catalog/catalog.h"
#include "llmsize/error.h"
#include "llmsize/hub/hub.h"

namespace {

using namespace llmsize;

const std::vector<engine::TensorType>& types() {
  static const std::vector<engine::TensorType> t = catalog::load(catalog::embedded_files(), {}).catalog.tensor_types;
  return t;
}

/// Serves `file` (plus `zeros` zero bytes) by ranges, or when `scripted`, answers from the input stream.
class FuzzTransport final : public hub::Transport {
 public:
  FuzzTransport(std::string file, std::uint64_t zeros, bool scripted) : file_(std::move(file)), zeros_(zeros), scripted_(scripted) {}

  hub::HttpResponse get(const hub::HttpRequest& request) override {
    hub::HttpResponse r;
    r.effective_url = request.url;
    if (++requests_ > 64) {  // a reader that loops would be a finding; this bounds a legitimate one
      r.failure = hub::TransportFailure::other;
      r.detail = "too many requests";
      return r;
    }
    if (scripted_) return scripted(request);
    if (request.url.find("/api/models/") != std::string::npos || request.url.ends_with("config.json")) {
      r.status = 200;
      r.body = file_;
      return r;
    }
    if (!request.url.starts_with("http://fuzz.test/files/")) {
      r.status = 404;
      return r;
    }
    const std::uint64_t size = file_.size() + zeros_;
    const std::uint64_t first = request.range ? request.range->first : 0;
    if (first >= size) {
      r.status = 416;
      r.headers["content-range"] = "bytes */" + std::to_string(size);
      return r;
    }
    const std::uint64_t last = std::min(request.range ? request.range->last : size - 1, size - 1);
    if (last - first + 1 > request.max_body_bytes) {
      r.failure = hub::TransportFailure::too_large;
      return r;
    }
    r.status = 206;
    r.headers["content-range"] = "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size);
    r.body = first < file_.size() ? file_.substr(first, last - first + 1) : "";
    r.body.resize(last - first + 1, '\0');
    return r;
  }

 private:
  // Status from a table, then a Content-Range and a body of lengths read from the input.
  hub::HttpResponse scripted(const hub::HttpRequest& request) {
    static const long statuses[] = {206, 200, 416, 206, 401, 404, 500, 206};
    hub::HttpResponse r;
    r.effective_url = request.url;
    r.status = statuses[take(1) % 8];
    r.headers["content-range"] = take_string(take(1) % 48);
    if (take(1) % 4 == 0) r.headers["x-error-code"] = "GatedRepo";
    r.body = take_string(take(3) % (1U << 20U));
    if (r.body.size() > request.max_body_bytes) {
      r.failure = hub::TransportFailure::too_large;
      r.body.clear();
    }
    return r;
  }
  std::uint64_t take(int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n && at_ < file_.size(); ++i) v = (v << 8U) | static_cast<unsigned char>(file_[at_++]);
    return v;
  }
  std::string take_string(std::uint64_t n) {
    const std::string s = file_.substr(at_, static_cast<std::size_t>(std::min<std::uint64_t>(n, file_.size() - at_)));
    at_ += s.size();
    return s;
  }

  std::string file_;
  std::uint64_t zeros_;
  bool scripted_;
  std::size_t at_ = 0;
  int requests_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] % 5;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  hub::Settings settings;
  settings.endpoint = "http://fuzz.test";
  try {
    if (mode == 4) {
      (void)hub::parse_remote_name(rest);
      return 0;
    }
    std::uint64_t zeros = 0;
    if (mode == 0 && rest.size() >= 2) {
      zeros = (static_cast<std::uint64_t>(static_cast<unsigned char>(rest[0])) << 16U) |
              (static_cast<std::uint64_t>(static_cast<unsigned char>(rest[1])) << 8U);
      rest.erase(0, 2);
    }
    FuzzTransport transport(rest, zeros, mode == 3);
    const char* names[] = {"http://fuzz.test/files/m.gguf", "hf:o/r:Q4_K_M", "hf:o/r", "http://fuzz.test/files/m-00001-of-00002.gguf"};
    const hub::RemoteModel m = hub::load_remote_model(names[mode], types(), settings, &transport);
    if (m.file.format == "gguf") (void)engine::summarize_weights(m.file.model, m.file.tensors);
  } catch (const Error&) {
  }
  return 0;
}
