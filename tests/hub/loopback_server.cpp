#include "loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace llmsize::test {
namespace {

bool send_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t sent = ::send(fd, data, n, MSG_NOSIGNAL);
    if (sent <= 0) return false;
    data += sent;
    n -= static_cast<std::size_t>(sent);
  }
  return true;
}

bool send_text(int fd, const std::string& s) { return send_all(fd, s.data(), s.size()); }

std::string header_value(const std::string& request, const std::string& name) {
  std::string lower = request;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::size_t at = lower.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  std::size_t start = at + 3 + name.size();
  while (start < request.size() && request[start] == ' ') ++start;
  return request.substr(start, request.find("\r\n", start) - start);
}

// "bytes=A-B" or "bytes=A-" -> [first, last]; false when absent or malformed.
bool parse_range(const std::string& value, std::uint64_t size, std::uint64_t& first, std::uint64_t& last) {
  if (value.rfind("bytes=", 0) != 0) return false;
  const std::size_t dash = value.find('-');
  if (dash == std::string::npos) return false;
  first = std::stoull(value.substr(6, dash - 6));
  const std::string end = value.substr(dash + 1);
  last = end.empty() ? size - 1 : std::min<std::uint64_t>(std::stoull(end), size - 1);
  return true;
}

std::string status_line(int code, const char* reason) { return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n"; }

}  // namespace

LoopbackServer::LoopbackServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

LoopbackServer::~LoopbackServer() { stop(); }

std::string LoopbackServer::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void LoopbackServer::serve(const std::string& path, std::string head, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  const std::uint64_t total = std::max<std::uint64_t>(size, head.size());
  files_[path] = File{std::move(head), total};
}

void LoopbackServer::fault(const std::string& path, Fault f) {
  std::lock_guard lock(mutex_);
  faults_[path] = f;
}

void LoopbackServer::redirect(const std::string& from, const std::string& to_url) {
  std::lock_guard lock(mutex_);
  redirects_[from] = to_url;
}

std::vector<SeenRequest> LoopbackServer::requests() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void LoopbackServer::clear_log() {
  std::lock_guard lock(mutex_);
  log_.clear();
  body_bytes_sent_ = 0;
}

void LoopbackServer::stop() {
  if (stopping_.exchange(true)) return;
  stopped_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  ::close(listen_fd_);
}

void LoopbackServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    workers_.emplace_back([this, fd] { handle(fd); });
  }
}

void LoopbackServer::handle(int fd) {
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) break;
    const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
    if (got <= 0) break;
    request.append(buf, static_cast<std::size_t>(got));
  }
  const std::size_t sp1 = request.find(' ');
  const std::size_t sp2 = request.find(' ', sp1 + 1);
  if (sp1 != std::string::npos && sp2 != std::string::npos) {
    SeenRequest seen{request.substr(sp1 + 1, sp2 - sp1 - 1), header_value(request, "range"), header_value(request, "authorization")};
    {
      std::lock_guard lock(mutex_);
      log_.push_back(seen);
    }
    respond(fd, seen);
  }
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

void LoopbackServer::send_body(int fd, const File& f, std::uint64_t first, std::uint64_t count) {
  static const std::string zeros(1U << 16U, '\0');
  std::uint64_t at = first;
  const std::uint64_t end = first + count;
  while (at < end) {
    const char* data = nullptr;
    std::size_t n = 0;
    if (at < f.head.size()) {
      data = f.head.data() + at;
      n = static_cast<std::size_t>(std::min<std::uint64_t>(end, f.head.size()) - at);
    } else {
      data = zeros.data();
      n = static_cast<std::size_t>(std::min<std::uint64_t>(end - at, zeros.size()));
    }
    // Counted before sending: the client can read these bytes, finish, and the test compare the count before
    // this thread runs again (a race that failed 1 run in ~10 under ctest -j2).
    body_bytes_sent_ += n;
    if (!send_all(fd, data, n)) {
      body_bytes_sent_ -= n;
      return;
    }
    at += n;
  }
}

void LoopbackServer::respond(int fd, const SeenRequest& req) {
  Fault fault = Fault::none;
  File file;
  bool found = false;
  std::string redirect_to;
  {
    std::lock_guard lock(mutex_);
    if (auto it = faults_.find(req.path); it != faults_.end()) fault = it->second;
    if (auto it = files_.find(req.path); it != files_.end()) {
      file = it->second;
      found = true;
    }
    if (auto it = redirects_.find(req.path); it != redirects_.end()) redirect_to = it->second;
  }
  const std::string close = "Connection: close\r\n";
  const auto error = [&](int code, const char* reason, const std::string& extra) {
    send_text(fd, status_line(code, reason) + extra + "Content-Length: 0\r\n" + close + "\r\n");
  };
  switch (fault) {
    case Fault::slow: {
      std::unique_lock lock(mutex_);
      stopped_.wait_for(lock, std::chrono::seconds(10), [this] { return stopping_.load(); });
      return;
    }
    case Fault::status_401: return error(401, "Unauthorized", "");
    case Fault::gated: return error(401, "Unauthorized", "X-Error-Code: GatedRepo\r\n");
    case Fault::no_repo: return error(401, "Unauthorized", "X-Error-Code: RepoNotFound\r\n");
    case Fault::status_403: return error(403, "Forbidden", "");
    case Fault::status_404: return error(404, "Not Found", "X-Error-Code: EntryNotFound\r\n");
    case Fault::status_500: return error(500, "Internal Server Error", "");
    case Fault::redirect_loop: return error(302, "Found", "Location: " + req.path + "\r\n");
    default: break;
  }
  if (!redirect_to.empty()) return error(302, "Found", "Location: " + redirect_to + "\r\n");
  if (!found) return error(404, "Not Found", "X-Error-Code: EntryNotFound\r\n");
  std::uint64_t first = 0;
  std::uint64_t last = file.size - 1;
  const bool ranged = fault != Fault::ignore_range && file.size > 0 && parse_range(req.range, file.size, first, last);
  if (ranged && first >= file.size) return error(416, "Range Not Satisfiable", "Content-Range: bytes */" + std::to_string(file.size) + "\r\n");
  std::uint64_t count = file.size == 0 ? 0 : last - first + 1;
  std::string head = ranged ? status_line(206, "Partial Content") : status_line(200, "OK");
  if (ranged) head += "Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(file.size) + "\r\n";
  std::uint64_t sent = count;
  if (fault == Fault::wrong_length) sent = count / 2;  // framed consistently, but short of the range
  head += "Content-Length: " + std::to_string(fault == Fault::truncated ? count : sent) + "\r\n" + close + "\r\n";
  if (fault == Fault::truncated) sent = count / 2;
  if (!send_text(fd, head)) return;
  send_body(fd, file, first, sent);
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace llmsize::test
