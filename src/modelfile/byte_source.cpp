// Bytes of a model file, read on demand with pread (a 100 GB file costs only the header read), or
// bytes already in memory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "llmsize/modelfile/gguf.h"

namespace llmsize::modelfile {
namespace {

using u64 = std::uint64_t;

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, u64 size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  ~FileSource() override { ::close(fd_); }
  [[nodiscard]] u64 size() const override { return size_; }
  void read(u64 offset, void* dst, std::size_t n) const override {
    auto* out = static_cast<char*>(dst);
    while (n > 0) {
      const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        throw ModelFileError(path_ + ": offset " + std::to_string(offset) + ": read failed (" +
                             (got < 0 ? std::string(std::strerror(errno)) : std::string("file shrank")) + ")");
      }
      out += got;
      n -= static_cast<std::size_t>(got);
      offset += static_cast<u64>(got);
    }
  }

 private:
  int fd_;
  u64 size_;
  std::string path_;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  [[nodiscard]] u64 size() const override { return size_; }
  void read(u64 offset, void* dst, std::size_t n) const override {
    if (n > 0) std::memcpy(dst, data_ + offset, n);
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

}  // namespace

std::unique_ptr<ByteSource> open_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ModelFileError(path + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw ModelFileError(path + ": not a regular file");
  }
  return std::make_unique<FileSource>(fd, static_cast<u64>(st.st_size), path);
}

std::unique_ptr<ByteSource> memory_source(const std::uint8_t* data, std::size_t size) {
  return std::make_unique<MemorySource>(data, size);
}

}  // namespace llmsize::modelfile
