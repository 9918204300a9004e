#pragma once
// An HTTP/1.1 server on 127.0.0.1 for the Hub tests: GET with Range, and faults injected per path (slow,
// truncated, wrong length, 401 / 403 / 404 / 500, redirects). Each connection gets a thread and one
// response ("Connection: close"). Files may be virtual: a head of real bytes, then zeros up to a size,
// so a GGUF of gigabytes costs only its header in memory.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace llmsize::test {

enum class Fault {
  none,
  slow,          ///< accepts, then says nothing until the client gives up (or the server stops)
  truncated,     ///< Content-Length of the whole answer, half of it sent, connection closed
  wrong_length,  ///< 206 whose Content-Range promises more bytes than the (consistent) body holds
  status_401,    ///< 401 without an error code (a private file)
  gated,         ///< 401 with X-Error-Code: GatedRepo, as the Hub answers for a gated repository
  no_repo,       ///< 401 with X-Error-Code: RepoNotFound, as the Hub answers for a missing repository
  status_403,
  status_404,    ///< 404 with X-Error-Code: EntryNotFound
  status_500,
  redirect_loop, ///< 302 to itself
  ignore_range,  ///< 200 with the whole file whatever the Range
};

struct SeenRequest {
  std::string path;
  std::string range;          ///< the Range header, or ""
  std::string authorization;  ///< the Authorization header, or ""
};

class LoopbackServer {
 public:
  LoopbackServer();
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  /// http://127.0.0.1:PORT
  [[nodiscard]] std::string endpoint() const;

  /// Serves `head` followed by zeros up to `size` bytes (size 0: just `head`) at `path` (as sent: encoded).
  void serve(const std::string& path, std::string head, std::uint64_t size = 0);
  void fault(const std::string& path, Fault f);
  /// 302 from one path to another URL.
  void redirect(const std::string& from, const std::string& to_url);

  /// Stops accepting, ends slow answers, joins every thread. Idempotent; the destructor calls it.
  void stop();

  [[nodiscard]] std::uint64_t body_bytes_sent() const { return body_bytes_sent_; }
  [[nodiscard]] std::vector<SeenRequest> requests() const;
  void clear_log();

 private:
  struct File {
    std::string head;
    std::uint64_t size = 0;
  };
  void accept_loop();
  void handle(int fd);
  void respond(int fd, const SeenRequest& req);
  void send_body(int fd, const File& f, std::uint64_t first, std::uint64_t count);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> body_bytes_sent_{0};
  mutable std::mutex mutex_;
  std::condition_variable stopped_;
  std::map<std::string, File> files_;
  std::map<std::string, Fault> faults_;
  std::map<std::string, std::string> redirects_;
  std::vector<SeenRequest> log_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

/// A port on 127.0.0.1 where nothing listens (bound, then closed): connecting is refused.
[[nodiscard]] int closed_port();

}  // namespace llmsize::test
