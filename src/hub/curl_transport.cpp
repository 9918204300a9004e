// The one file that uses libcurl: HttpRequest in, HttpResponse out. Everything the Hub code decides
// (which URL, what a status means, what to cache) lives elsewhere and is tested with a fake transport.
//
// libcurl is opened with dlopen when the first remote model is read, not linked: linking it (and the TLS,
// LDAP and Kerberos libraries it pulls in) made the dynamic loader resolve ~14 M instructions of symbols
// on every start, `llmsize --version` included (docs/performance.md). The header gives the types and
// constants; the functions come from libcurl.so.4, the soname Debian's libcurl4 ships.
#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

#include "llmsize/error.h"
#include "llmsize/hub/transport.h"

namespace llmsize::hub {
namespace {

constexpr const char* kUserAgent = "llmsize (https://github.com/llmsize)";
constexpr const char* kLibcurl = "libcurl.so.4";

// The libcurl functions this file calls, looked up once.
struct Curl {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
};

template <class F>
void bind(void* library, const char* name, F& f, std::string& missing) {
  f = reinterpret_cast<F>(dlsym(library, name));
  if (f == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(name);
}

// libcurl, opened and initialised on first use; throws Error naming the fix when it cannot be.
const Curl& curl() {
  static const Curl api = [] {
    void* library = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      throw Error(std::string("cannot load ") + kLibcurl + " to read remote models (" + (why != nullptr ? why : "not found") +
                  "); install libcurl4 (apt-get install libcurl4), or give a local file");
    }
    Curl c;
    std::string missing;
    bind(library, "curl_global_init", c.global_init, missing);
    bind(library, "curl_easy_init", c.easy_init, missing);
    bind(library, "curl_easy_cleanup", c.easy_cleanup, missing);
    bind(library, "curl_easy_setopt", c.easy_setopt, missing);
    bind(library, "curl_easy_perform", c.easy_perform, missing);
    bind(library, "curl_easy_getinfo", c.easy_getinfo, missing);
    bind(library, "curl_easy_strerror", c.easy_strerror, missing);
    bind(library, "curl_slist_append", c.slist_append, missing);
    bind(library, "curl_slist_free_all", c.slist_free_all, missing);
    if (!missing.empty()) throw Error(std::string(kLibcurl) + " lacks " + missing + "; install libcurl4 7.85 or later");
    c.global_init(CURL_GLOBAL_DEFAULT);
    return c;  // the library stays open for the rest of the run
  }();
  return api;
}

struct Transfer {
  HttpResponse* response = nullptr;
  std::uint64_t max_body_bytes = 0;
  bool over_limit = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->response->body.size() + n > t->max_body_bytes) {
    t->over_limit = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start])) != 0) ++start;
  return s.substr(start);
}

// Header lines of every response arrive here, redirects included: a status line starts a new set.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string::npos) return n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t->response->headers[name] = trimmed(line.substr(colon + 1));
  return n;
}

TransportFailure failure_of(CURLcode code, bool over_limit) {
  if (over_limit) return TransportFailure::too_large;
  switch (code) {
    case CURLE_OK: return TransportFailure::none;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return TransportFailure::cannot_connect;
    case CURLE_OPERATION_TIMEDOUT: return TransportFailure::timeout;
    case CURLE_TOO_MANY_REDIRECTS: return TransportFailure::too_many_redirects;
    case CURLE_FILESIZE_EXCEEDED: return TransportFailure::too_large;
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR: return TransportFailure::truncated;
    default: return TransportFailure::other;
  }
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(long timeout_ms) : api_(curl()), timeout_ms_(std::max(timeout_ms, 1L)) {
    curl_ = api_.easy_init();
    if (curl_ == nullptr) throw Error("cannot start libcurl (curl_easy_init failed)");
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  ~CurlTransport() override { api_.easy_cleanup(curl_); }

  HttpResponse get(const HttpRequest& request) override {
    HttpResponse response;
    Transfer transfer{&response, request.max_body_bytes, false};
    std::string range;
    if (request.range) range = std::to_string(request.range->first) + "-" + std::to_string(request.range->last);
    curl_slist* headers = nullptr;
    if (request.bearer_token) {
      // curl sends a custom Authorization header to the original host only, never after a redirect
      // to another host (CURLOPT_HTTPHEADER; CVE-2018-1000007, CVE-2022-27776).
      const std::string auth = "Authorization: Bearer " + *request.bearer_token;
      headers = api_.slist_append(headers, auth.c_str());
    }
    char error[CURL_ERROR_SIZE] = {};
    set_options(request, transfer, range, headers, error);
    const CURLcode code = api_.easy_perform(curl_);
    api_.easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    api_.easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    api_.slist_free_all(headers);
    response.failure = failure_of(code, transfer.over_limit);
    if (response.failure != TransportFailure::none) response.detail = error[0] != '\0' ? error : api_.easy_strerror(code);
    api_.easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
    char* effective = nullptr;
    api_.easy_getinfo(curl_, CURLINFO_EFFECTIVE_URL, &effective);
    response.effective_url = effective != nullptr ? effective : request.url;
    return response;
  }

 private:
  void set_options(const HttpRequest& request, Transfer& transfer, const std::string& range, curl_slist* headers, char* error) {
    api_.easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    api_.easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    api_.easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
    api_.easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    api_.easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
    api_.easy_setopt(curl_, CURLOPT_MAXREDIRS, kMaxRedirects);
    api_.easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    api_.easy_setopt(curl_, CURLOPT_USERAGENT, kUserAgent);
    api_.easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms_);
    // Inactivity, not total time: a slow link may take long for a large header, a silent one may not.
    api_.easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    api_.easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, std::max(1L, (timeout_ms_ + 999) / 1000));
    api_.easy_setopt(curl_, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body_bytes));
    api_.easy_setopt(curl_, CURLOPT_RANGE, range.empty() ? nullptr : range.c_str());
    api_.easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    api_.easy_setopt(curl_, CURLOPT_WRITEFUNCTION, on_body);
    api_.easy_setopt(curl_, CURLOPT_WRITEDATA, &transfer);
    api_.easy_setopt(curl_, CURLOPT_HEADERFUNCTION, on_header);
    api_.easy_setopt(curl_, CURLOPT_HEADERDATA, &transfer);
    api_.easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
  }

  const Curl& api_;
  CURL* curl_ = nullptr;
  long timeout_ms_;
};

}  // namespace

std::unique_ptr<Transport> curl_transport(long timeout_ms) { return std::make_unique<CurlTransport>(timeout_ms); }

}  // namespace llmsize::hub
