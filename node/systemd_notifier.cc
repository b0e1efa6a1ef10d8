#include "node/systemd_notifier.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "node/probe.h"
#include "relay/base/log.h"

namespace kuaibao {

SystemdNotifier SystemdNotifier::FromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  int64_t micros = 0;
  int64_t watchdog_pid = 0;
  bool ours = pid == nullptr || (absl::SimpleAtoi(pid, &watchdog_pid) &&
                                 watchdog_pid == getpid());
  if (usec == nullptr || !ours || !absl::SimpleAtoi(usec, &micros) ||
      micros < 0) {
    micros = 0;
  }
  return SystemdNotifier(socket == nullptr ? "" : socket,
                         absl::Microseconds(micros));
}

absl::Status SystemdNotifier::Notify(absl::string_view state) const {
  if (!enabled()) return absl::OkStatus();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_.size() >= sizeof(address.sun_path) ||
      (socket_[0] != '/' && socket_[0] != '@')) {
    return absl::InvalidArgumentError(
        absl::StrCat("NOTIFY_SOCKET '", socket_, "' is not a socket path"));
  }
  std::memcpy(address.sun_path, socket_.data(), socket_.size());
  // "@name" is Linux's abstract namespace: a leading NUL, no terminator.
  if (socket_[0] == '@') address.sun_path[0] = '\0';
  socklen_t length = offsetof(sockaddr_un, sun_path) + socket_.size();
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("notify socket: ", std::strerror(errno)));
  }
  ssize_t sent = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                        reinterpret_cast<const sockaddr*>(&address), length);
  int error = errno;
  close(fd);
  if (sent != static_cast<ssize_t>(state.size())) {
    return absl::UnavailableError(absl::StrCat(
        "cannot notify systemd at ", socket_, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

int ServeUntilStopped(const NodeConfig& config, const sigset_t& stop_signals) {
  SystemdNotifier systemd = SystemdNotifier::FromEnvironment();
  auto notify = [&systemd](absl::string_view state) {
    absl::Status sent = systemd.Notify(state);
    if (!sent.ok()) {
      Log(LogLevel::kWarning, "cannot notify systemd",
          {{"reason", std::string(sent.message())}});
    }
  };
  notify("READY=1\nSTATUS=serving");
  const absl::Duration every = systemd.watchdog() / 2;
  int signal = -1;
  while (signal < 0) {
    if (every <= absl::ZeroDuration()) {
      sigwait(&stop_signals, &signal);
      break;
    }
    timespec wait = absl::ToTimespec(every);
    signal = sigtimedwait(&stop_signals, nullptr, &wait);
    if (signal >= 0) break;
    absl::Status probe = ProbeNode(config, every / 2);
    if (probe.ok()) {
      notify("WATCHDOG=1");
    } else {
      Log(LogLevel::kError, "watchdog: the node does not answer itself",
          {{"reason", std::string(probe.message())}});
    }
  }
  notify("STOPPING=1");
  return signal;
}

}  // namespace kuaibao
