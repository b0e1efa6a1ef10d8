#ifndef KUAIBAO_NODE_METRICS_SERVER_H_
#define KUAIBAO_NODE_METRICS_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kuaibao {

// A minimal plain-HTTP/1.1 responder for Prometheus: GET (or HEAD)
// /metrics answers what `render` returns, as "text/plain; version=0.0.4";
// other paths get 404, other methods 405, a request head over
// `max_request_bytes` 431, and a client that does not send its request or
// read the answer within `io_timeout` is dropped. One request per
// connection ("Connection: close"), one connection at a time, on one
// thread: a scraper needs no more, and a stuck client costs at most
// `io_timeout`. No TLS and no authentication: bind it to loopback or a
// management network.
//
// Owns one thread; Shutdown (or the destructor) stops and joins it. Call
// Shutdown from one thread only.
class MetricsServer {
 public:
  struct Options {
    std::string address;  // host:port; port 0 = any free port
    absl::Duration io_timeout = absl::Seconds(5);
    size_t max_request_bytes = 8192;
  };

  // Binds and starts serving. FAILED_PRECONDITION when the address does not
  // resolve or cannot be bound (in use, not an address of this host).
  // `render` runs on the server's thread, once per scrape.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      Options options, std::function<std::string()> render);
  ~MetricsServer();

  // The port actually listened on.
  int port() const { return port_; }
  void Shutdown();

 private:
  MetricsServer(Options options, std::function<std::string()> render,
                int listen_fd, int port, int wake_read, int wake_write);
  void Run();
  // Reads one request from `fd`, answers it and closes `fd`.
  void Serve(int fd);

  const Options options_;
  const std::function<std::string()> render_;
  const int listen_fd_;
  const int port_;
  // A pipe whose write end Shutdown closes, to wake the loop.
  const int wake_read_;
  int wake_write_;
  std::thread thread_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_METRICS_SERVER_H_
