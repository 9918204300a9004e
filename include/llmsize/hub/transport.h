#pragma once
/// HTTP GET as the Hub code needs it: one request in, status, headers and body out. An interface so
/// that resolution, caching and error wording are tested without a network (a fake transport) and the
/// real one (libcurl, src/hub/curl_transport.cpp) stays in one file.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmsize::hub {

/// A byte range, both ends included, as HTTP's `Range: bytes=first-last`.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

struct HttpRequest {
  std::string url;
  std::optional<ByteRange> range;
  /// Sent as `Authorization: Bearer <token>` to the URL's own host only (never after a redirect to
  /// another host). Transports never print, log or store it.
  std::optional<std::string> bearer_token;
  /// A body longer than this ends the transfer (TransportFailure::too_large).
  std::uint64_t max_body_bytes = 1U << 20U;
};

/// Why no complete response arrived. `none`: a response came (any status).
enum class TransportFailure {
  none,
  cannot_connect,      ///< name resolution or connection failed
  timeout,             ///< no byte moved for the timeout (or connecting took longer)
  too_many_redirects,  ///< more than kMaxRedirects
  too_large,           ///< the body (or its Content-Length) exceeds max_body_bytes
  truncated,           ///< the connection closed before Content-Length bytes arrived
  other,               ///< TLS and other transport errors; `detail` says which
};

inline constexpr long kMaxRedirects = 5;

struct HttpResponse {
  TransportFailure failure = TransportFailure::none;
  std::string detail;  ///< the transport's own words for a failure (never holds request headers)
  long status = 0;
  std::string body;
  std::string effective_url;                  ///< after redirects
  std::map<std::string, std::string> headers; ///< of the final response, names in lower case
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse get(const HttpRequest& request) = 0;
};

/// libcurl with: redirects followed (at most kMaxRedirects, http and https only), a connect timeout
/// and an inactivity timeout of `timeout_ms` each, system proxies and CA certificates.
[[nodiscard]] std::unique_ptr<Transport> curl_transport(long timeout_ms);

}  // namespace llmsize::hub
