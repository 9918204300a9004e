#pragma once
// A Transport that answers from memory, for the Hub logic without sockets: whole files, byte ranges
// (206 with Content-Range, as a Hub or CDN answers), fixed error answers, and a log of every request.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "llmsize/hub/transport.h"

namespace llmsize::test {

class FakeTransport final : public hub::Transport {
 public:
  struct Answer {
    long status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
    bool ranges = true;  ///< honours Range (else 200 with the whole body)
    hub::TransportFailure failure = hub::TransportFailure::none;
    std::uint64_t size = 0;  ///< larger than body: zeros follow it up to this size (a file of gigabytes)
  };
  struct Seen {
    std::string url;
    std::optional<hub::ByteRange> range;
    std::optional<std::string> token;
  };

  void serve(const std::string& url, std::string body, std::uint64_t size = 0) {
    answers[url] = Answer{200, std::move(body), {}, true, hub::TransportFailure::none, size};
  }
  void answer(const std::string& url, Answer a) { answers[url] = std::move(a); }

  hub::HttpResponse get(const hub::HttpRequest& request) override {
    log.push_back({request.url, request.range, request.bearer_token});
    hub::HttpResponse r;
    r.effective_url = request.url;
    const auto it = answers.find(request.url);
    if (it == answers.end()) {
      r.status = 404;
      r.headers["x-error-code"] = "EntryNotFound";
      return r;
    }
    const Answer& a = it->second;
    r.failure = a.failure;
    r.status = a.status;
    r.headers = a.headers;
    if (a.failure != hub::TransportFailure::none) {
      r.detail = "simulated";
      return r;
    }
    if (a.status == 200 && request.range && a.ranges) {
      const std::uint64_t size = std::max<std::uint64_t>(a.size, a.body.size());
      if (request.range->first >= size) {
        r.status = 416;
        r.headers["content-range"] = "bytes */" + std::to_string(size);
        return r;
      }
      const std::uint64_t last = std::min<std::uint64_t>(request.range->last, size - 1);
      r.status = 206;
      r.headers["content-range"] = "bytes " + std::to_string(request.range->first) + "-" + std::to_string(last) + "/" + std::to_string(size);
      const std::uint64_t n = last - request.range->first + 1;
      if (n > request.max_body_bytes) {
        r.failure = hub::TransportFailure::too_large;
        return r;
      }
      r.body = request.range->first < a.body.size() ? a.body.substr(request.range->first, n) : std::string();
      r.body.resize(n, '\0');
    } else {
      r.body = a.body;
    }
    if (r.body.size() > request.max_body_bytes) {
      r.failure = hub::TransportFailure::too_large;
      r.detail = "simulated";
      r.body.clear();
    }
    bytes_sent += r.body.size();
    return r;
  }

  std::map<std::string, Answer> answers;
  std::vector<Seen> log;
  std::uint64_t bytes_sent = 0;
};

}  // namespace llmsize::test
