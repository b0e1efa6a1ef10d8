#ifndef KUAIBAO_TESTS_TESTING_FAKE_SYSTEMD_H_
#define KUAIBAO_TESTS_TESTING_FAKE_SYSTEMD_H_

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "absl/time/time.h"

namespace kuaibao::testing {

// The socket where systemd listens for sd_notify datagrams ($NOTIFY_SOCKET),
// bound at `path` ("@name": Linux's abstract namespace).
class FakeSystemd {
 public:
  explicit FakeSystemd(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    if (path[0] == '@') address.sun_path[0] = '\0';
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&address),
                  offsetof(sockaddr_un, sun_path) + path.size()) == 0;
  }
  ~FakeSystemd() { close(fd_); }
  FakeSystemd(const FakeSystemd&) = delete;
  FakeSystemd& operator=(const FakeSystemd&) = delete;

  bool bound() const { return bound_; }
  // The next datagram, or "" when none came within `timeout`.
  std::string Receive(absl::Duration timeout) {
    timeval wait = absl::ToTimeval(timeout);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    char buffer[512];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    return n < 0 ? "" : std::string(buffer, n);
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_FAKE_SYSTEMD_H_
