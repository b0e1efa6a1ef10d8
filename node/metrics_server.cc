#include "node/metrics_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "relay/base/log.h"

namespace kuaibao {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Waits until `fd` is ready for `events` or `deadline` passes.
bool WaitReady(int fd, short events, SteadyTime deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

bool SendAll(int fd, const std::string& data, SteadyTime deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    if (!WaitReady(fd, POLLOUT, deadline)) return false;
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Closes `fd` after the answer was sent: stop sending, then read what the
// client still sends (briefly) so that closing does not reset the
// connection and destroy the answer before the client has read it.
void LingeringClose(int fd, SteadyTime deadline) {
  shutdown(fd, SHUT_WR);
  deadline = std::min(
      deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  char discard[4096];
  while (WaitReady(fd, POLLIN, deadline)) {
    ssize_t n = recv(fd, discard, sizeof(discard), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
  }
  close(fd);
}

std::string Response(absl::string_view status, absl::string_view content_type,
                     const std::string& body, bool head,
                     absl::string_view extra_headers = "") {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", content_type,
                      "\r\nContent-Length: ", body.size(), "\r\n",
                      extra_headers, "Connection: close\r\n\r\n",
                      head ? "" : body);
}

// "host:port" (host may be "[v6]") for getaddrinfo.
bool SplitHostPort(const std::string& address, std::string* host,
                   std::string* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return !port->empty();
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    Options options, std::function<std::string()> render) {
  std::string host, port;
  if (!SplitHostPort(options.address, &host, &port)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "metrics_address '", options.address, "' is not host:port"));
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int resolved = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (resolved != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("metrics_address '", options.address,
                     "' does not resolve: ", gai_strerror(resolved)));
  }
  int fd = -1;
  std::string why = "no address";
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    // No SO_REUSEADDR beyond TIME_WAIT reuse: a second node on the same
    // metrics port must fail, as on its gRPC port.
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 16) != 0) {
      why = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot serve metrics on ", options.address, ": ", why));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  int bound_port =
      bound.ss_family == AF_INET6
          ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
          : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  int wake[2];
  if (pipe2(wake, O_CLOEXEC) != 0) {
    close(fd);
    return absl::InternalError("cannot make the metrics server's pipe");
  }
  std::unique_ptr<MetricsServer> server(new MetricsServer(
      std::move(options), std::move(render), fd, bound_port, wake[0], wake[1]));
  server->thread_ = std::thread([s = server.get()] { s->Run(); });
  return server;
}

MetricsServer::MetricsServer(Options options,
                             std::function<std::string()> render, int listen_fd,
                             int port, int wake_read, int wake_write)
    : options_(std::move(options)),
      render_(std::move(render)),
      listen_fd_(listen_fd),
      port_(port),
      wake_read_(wake_read),
      wake_write_(wake_write) {}

MetricsServer::~MetricsServer() {
  Shutdown();
  close(listen_fd_);
  close(wake_read_);
}

void MetricsServer::Shutdown() {
  if (wake_write_ >= 0) {
    close(wake_write_);  // the loop sees the pipe's end
    wake_write_ = -1;
  }
  if (thread_.joinable()) thread_.join();
}

void MetricsServer::Run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      Log(LogLevel::kError, "metrics server stopped",
          {{"reason", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents != 0) return;
    int fd =
        accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      Serve(fd);
    } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
      // Out of descriptors, most likely: the connection stays queued and
      // the socket readable, so pause instead of spinning.
      poll(&fds[1], 1, 100);
    }
  }
}

void MetricsServer::Serve(int fd) {
  const SteadyTime deadline = std::chrono::steady_clock::now() +
                              absl::ToChronoMilliseconds(options_.io_timeout);
  std::string request;
  char buffer[2048];
  size_t head_end = std::string::npos;
  while (head_end == std::string::npos) {
    if (request.size() > options_.max_request_bytes) {
      SendAll(fd,
              Response("431 Request Header Fields Too Large", "text/plain",
                       "request too large\n", false),
              deadline);
      LingeringClose(fd, deadline);
      return;
    }
    if (!WaitReady(fd, POLLIN, deadline)) {
      close(fd);  // too slow, or gone: no answer owed
      return;
    }
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      close(fd);
      return;
    }
    request.append(buffer, static_cast<size_t>(n));
    head_end = request.find("\r\n\r\n");
  }
  // "GET /metrics?x=y HTTP/1.1"
  std::vector<absl::string_view> line = absl::StrSplit(
      absl::string_view(request).substr(0, request.find("\r\n")), ' ');
  std::string answer;
  if (line.size() != 3 || !absl::StartsWith(line[2], "HTTP/1.")) {
    answer = Response("400 Bad Request", "text/plain", "bad request\n", false);
  } else if (line[0] != "GET" && line[0] != "HEAD") {
    answer = Response("405 Method Not Allowed", "text/plain",
                      "only GET and HEAD\n", false, "Allow: GET, HEAD\r\n");
  } else {
    const bool head = line[0] == "HEAD";
    absl::string_view path = line[1].substr(0, line[1].find('?'));
    if (path == "/metrics") {
      answer = Response("200 OK", "text/plain; version=0.0.4; charset=utf-8",
                        render_(), head);
    } else {
      answer = Response("404 Not Found", "text/plain",
                        "not found; metrics are at /metrics\n", head);
    }
  }
  SendAll(fd, answer, deadline);
  LingeringClose(fd, deadline);
}

}  // namespace kuaibao
