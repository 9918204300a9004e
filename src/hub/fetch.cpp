#include "fetch.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "llmsize/error.h"

namespace llmsize::hub {
namespace {

std::string host_of(const std::string& url) {
  const std::size_t start = url.find("://");
  if (start == std::string::npos) return url;
  const std::size_t end = url.find('/', start + 3);
  return url.substr(start + 3, end == std::string::npos ? std::string::npos : end - start - 3);
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20U) + " MiB"; }

// 10000 -> "10 s", 2500 -> "2.5 s"
std::string seconds(long ms) {
  std::string s = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string frac = std::to_string(1000 + ms % 1000).substr(1);
    while (frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s + " s";
}

std::string header(const HttpResponse& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

bool parse_number(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ContentRange> parse_content_range(const std::string& value) {
  // RFC 9110 §14.4: "bytes first-last/complete-length"
  std::string_view v(value);
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  const std::size_t dash = v.find('-');
  const std::size_t slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  ContentRange c;
  if (!parse_number(v.substr(0, dash), c.first) || !parse_number(v.substr(dash + 1, slash - dash - 1), c.last) ||
      !parse_number(v.substr(slash + 1), c.file_bytes)) {
    return std::nullopt;
  }
  if (c.first > c.last || c.last >= c.file_bytes) return std::nullopt;
  return c;
}

HttpResponse Fetcher::get(const std::string& url, std::optional<ByteRange> range, std::uint64_t cap) {
  HttpRequest request;
  request.url = url;
  request.range = range;
  request.max_body_bytes = cap;
  // As huggingface_hub: the token goes to the Hub's own endpoint only, never to other hosts.
  if (settings_.token && url.starts_with(settings_.endpoint + "/")) request.bearer_token = settings_.token;
  return transport_.get(request);
}

std::optional<std::string> Fetcher::whole(const std::string& url, std::uint64_t cap, const std::string& what, bool missing_ok) {
  HttpResponse r = get(url, std::nullopt, cap);
  if (r.failure != TransportFailure::none) fail_transport(r, url, cap, what);
  if (r.status == 404 && missing_ok && header(r, "x-error-code") != "RepoNotFound" && header(r, "x-error-code") != "RevisionNotFound") {
    return std::nullopt;
  }
  if (r.status != 200) fail_status(r, url, what);
  return std::move(r.body);
}

RangeReply Fetcher::range(const std::string& url, std::uint64_t first, std::uint64_t last, const std::string& what) {
  const std::uint64_t wanted = last - first + 1;
  HttpResponse r = get(url, ByteRange{first, last}, wanted);
  if (r.failure == TransportFailure::too_large && r.status == 200) {
    throw Error(label_ + ": " + url + " ignores range requests (HTTP 200 with the whole file, more than the " +
                std::to_string(wanted) + " bytes asked for); download the file and give its path");
  }
  if (r.failure != TransportFailure::none) fail_transport(r, url, wanted, what);
  RangeReply reply;
  reply.effective_url = r.effective_url.empty() ? url : r.effective_url;
  if (r.status == 416) {  // the file is shorter than `first`: "bytes */size"
    std::uint64_t size = 0;
    const std::string cr = header(r, "content-range");
    if (cr.starts_with("bytes */") && parse_number(std::string_view(cr).substr(8), size) && size <= first) {
      reply.file_bytes = size;
      return reply;
    }
    fail_status(r, url, what);
  }
  if (r.status == 200) {  // no range support, but the whole file fitted
    reply.file_bytes = r.body.size();
    reply.bytes = first < r.body.size() ? r.body.substr(static_cast<std::size_t>(first)) : std::string();
    return reply;
  }
  if (r.status != 206) fail_status(r, url, what);
  const auto cr = parse_content_range(header(r, "content-range"));
  if (!cr) {
    throw Error(label_ + ": " + url + " answered a range request without a usable Content-Range (\"" +
                header(r, "content-range").substr(0, 80) + "\"); check the URL, or download the file and give its path");
  }
  const std::uint64_t expected_last = std::min(last, cr->file_bytes - 1);
  if (cr->first != first || cr->last != expected_last || r.body.size() != cr->last - cr->first + 1) {
    throw Error(label_ + ": " + url + " sent " + std::to_string(r.body.size()) + " bytes for bytes " + std::to_string(first) +
                "-" + std::to_string(expected_last) + " (Content-Range \"" + header(r, "content-range") +
                "\"); the server or a proxy is faulty; try again");
  }
  reply.bytes = std::move(r.body);
  reply.file_bytes = cr->file_bytes;
  return reply;
}

void Fetcher::fail_transport(const HttpResponse& r, const std::string& url, std::uint64_t cap, const std::string& what) const {
  const std::string host = host_of(url);
  switch (r.failure) {
    case TransportFailure::cannot_connect:
      throw Error(label_ + ": cannot connect to " + host + " (" + r.detail +
                  "); check the network and HF_ENDPOINT, or use --offline to read the cache");
    case TransportFailure::timeout:
      throw Error(label_ + ": no answer from " + host + " for " + seconds(settings_.timeout_ms) + " while reading " +
                  what + "; check the network, raise HF_HUB_DOWNLOAD_TIMEOUT, or use --offline to read the cache");
    case TransportFailure::too_many_redirects:
      throw Error(label_ + ": " + url + " redirects more than " + std::to_string(kMaxRedirects) + " times; check the URL and HF_ENDPOINT");
    case TransportFailure::too_large:
      throw Error(label_ + ": " + what + " at " + url + " is larger than " + (cap >= (1U << 20U) ? mib(cap) : std::to_string(cap) + " bytes") +
                  ", more than llmsize reads of it; check the name");
    case TransportFailure::truncated:
      throw Error(label_ + ": the connection closed before all of " + what + " arrived from " + url + " (" + r.detail + "); try again");
    case TransportFailure::other:
    case TransportFailure::none:
      break;
  }
  throw Error(label_ + ": " + url + ": " + r.detail + "; check the network and HF_ENDPOINT, or use --offline to read the cache");
}

void Fetcher::fail_status(const HttpResponse& r, const std::string& url, const std::string& what) const {
  const std::string code = header(r, "x-error-code");
  const std::string status = "HTTP " + std::to_string(r.status);
  const std::string page = repo_.empty() ? "the model's page" : settings_.endpoint + "/" + repo_;
  if (code == "GatedRepo") {
    throw Error(label_ + ": " + (repo_.empty() ? url : repo_) + " is gated (" + status + " for " + what + "); " +
                (settings_.token ? "HF_TOKEN was sent but its account has no access: accept the license at " + page
                                 : "accept the license at " + page + " and set HF_TOKEN to a token of that account"));
  }
  if (code == "RepoNotFound") {
    throw Error(label_ + ": no repository " + repo_ + " on " + settings_.endpoint + " (" + status +
                "); check the name, or set HF_TOKEN if it is private");
  }
  if (code == "RevisionNotFound") {
    throw Error(label_ + ": " + repo_ + " has no such revision (" + status + " for " + url + "); check the name after @");
  }
  if (r.status == 401 || r.status == 403) {
    throw Error(label_ + ": " + status + " for " + url + (settings_.token ? ": HF_TOKEN was refused or has no access; check it, and accept the license at " + page
                                                                         : ": it needs a login; set HF_TOKEN to a Hugging Face token and accept the license at " + page));
  }
  if (r.status == 404) throw Error(label_ + ": no such file: " + url + " (" + status + "); check the name");
  if (r.status == 429) throw Error(label_ + ": " + status + " from " + url + ": too many requests; wait a minute and try again (HF_TOKEN raises the limit)");
  if (r.status >= 500 && r.status < 600) {
    throw Error(label_ + ": " + status + " from " + url + ": the server failed; try again later, or use --offline to read the cache");
  }
  throw Error(label_ + ": " + status + " from " + url + " for " + what + ", expected 200; check the URL and HF_ENDPOINT");
}

}  // namespace llmsize::hub
