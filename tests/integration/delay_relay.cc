// A delay line for TCP, for the multi-host test (the kernel here has no
// sch_netem, and nftables cannot delay): accepts on LISTEN, connects each
// connection to TARGET, and passes the bytes on in both directions, each
// chunk DELAY_MS after it arrived. Runs until killed.
//
//   delay_relay LISTEN_IP:PORT TARGET_IP:PORT DELAY_MS
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace {

using Clock = std::chrono::steady_clock;

bool ParseAddress(const std::string& text, sockaddr_in* out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  *out = sockaddr_in{};
  out->sin_family = AF_INET;
  out->sin_port = htons(static_cast<uint16_t>(std::atoi(&text[colon + 1])));
  return inet_pton(AF_INET, text.substr(0, colon).c_str(), &out->sin_addr) == 1;
}

// Bytes read from `from`, written to `to` `delay` later, in order; EOF and
// errors travel the same way (as an empty chunk).
void Pump(int from, int to, Clock::duration delay) {
  std::mutex mu;
  std::condition_variable ready;
  std::deque<std::pair<Clock::time_point, std::string>> line;
  std::thread reader([&] {
    char buffer[16384];
    for (;;) {
      ssize_t n = recv(from, buffer, sizeof(buffer), 0);
      std::lock_guard<std::mutex> lock(mu);
      line.emplace_back(Clock::now() + delay,
                        n > 0 ? std::string(buffer, n) : std::string());
      ready.notify_one();
      if (n <= 0) return;
    }
  });
  for (;;) {
    std::pair<Clock::time_point, std::string> chunk;
    {
      std::unique_lock<std::mutex> lock(mu);
      ready.wait(lock, [&] { return !line.empty(); });
      chunk = std::move(line.front());
      line.pop_front();
    }
    std::this_thread::sleep_until(chunk.first);
    bool ok = !chunk.second.empty();
    for (size_t sent = 0; ok && sent < chunk.second.size();) {
      ssize_t n = send(to, chunk.second.data() + sent,
                       chunk.second.size() - sent, MSG_NOSIGNAL);
      ok = n > 0;
      if (ok) sent += static_cast<size_t>(n);
    }
    if (!ok) {
      // The end (or a failure) of one direction ends both: the peers see
      // what they would see without the relay, a closed connection.
      shutdown(to, SHUT_RDWR);
      shutdown(from, SHUT_RDWR);
      break;
    }
  }
  reader.join();
}

void Relay(int client, sockaddr_in target, Clock::duration delay) {
  int upstream = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(upstream, reinterpret_cast<sockaddr*>(&target), sizeof(target)) ==
      0) {
    std::thread back([&] { Pump(upstream, client, delay); });
    Pump(client, upstream, delay);
    back.join();
  }
  close(upstream);
  close(client);
}

}  // namespace

int main(int argc, char** argv) {
  sockaddr_in listen_at, target;
  if (argc != 4 || !ParseAddress(argv[1], &listen_at) ||
      !ParseAddress(argv[2], &target)) {
    std::fprintf(stderr,
                 "usage: delay_relay LISTEN_IP:PORT TARGET_IP:PORT DELAY_MS\n");
    return 2;
  }
  const auto delay = std::chrono::milliseconds(std::atoi(argv[3]));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<sockaddr*>(&listen_at), sizeof(listen_at)) !=
          0 ||
      listen(fd, 64) != 0) {
    std::perror("delay_relay: cannot listen");
    return 1;
  }
  std::printf("delay_relay: %s -> %s, %s ms each way\n", argv[1], argv[2],
              argv[3]);
  std::fflush(stdout);
  for (;;) {
    int client = accept(fd, nullptr, nullptr);
    if (client >= 0) std::thread(Relay, client, target, delay).detach();
  }
}
