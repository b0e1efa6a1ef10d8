#include "relay/store/pread_env.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

namespace kuaibao {
namespace {

leveldb::Status Errno(const std::string& name, int error) {
  return error == ENOENT ? leveldb::Status::NotFound(name, std::strerror(error))
                         : leveldb::Status::IOError(name, std::strerror(error));
}

// Table files held open at once; beyond this a file is opened for each read
// (LevelDB's own table cache may keep up to 1,000 tables, more than a
// node's file descriptor limit leaves room for beside its connections).
constexpr int kMaxOpenFiles = 256;
std::atomic<int> open_files{0};

class PreadFile final : public leveldb::RandomAccessFile {
 public:
  PreadFile(std::string name, int fd) : name_(std::move(name)), fd_(fd) {}
  ~PreadFile() override {
    if (fd_ >= 0) {
      ::close(fd_);
      open_files.fetch_sub(1);
    }
  }

  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    int fd = fd_;
    if (fd < 0) {
      fd = ::open(name_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Errno(name_, errno);
    }
    size_t done = 0;
    leveldb::Status status;
    while (done < n) {
      ssize_t r = ::pread(fd, scratch + done, n - done,
                          static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        status = Errno(name_, errno);
        break;
      }
      if (r == 0) break;  // the end of the file: a short read, as LevelDB's
      done += static_cast<size_t>(r);
    }
    if (fd != fd_) ::close(fd);
    *result = leveldb::Slice(scratch, status.ok() ? done : 0);
    return status;
  }

 private:
  const std::string name_;
  const int fd_;  // -1: opened for each read
};

class Env final : public leveldb::EnvWrapper {
 public:
  Env() : leveldb::EnvWrapper(leveldb::Env::Default()) {}

  leveldb::Status NewRandomAccessFile(
      const std::string& name, leveldb::RandomAccessFile** result) override {
    *result = nullptr;
    int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno(name, errno);
    if (open_files.fetch_add(1) >= kMaxOpenFiles) {
      open_files.fetch_sub(1);
      ::close(fd);
      fd = -1;
    }
    *result = new PreadFile(name, fd);
    return leveldb::Status::OK();
  }
};

}  // namespace

leveldb::Env* PreadEnv() {
  static Env* const env = new Env();
  return env;
}

}  // namespace kuaibao
