#ifndef KUAIBAO_RELAY_BASE_LOG_LIMITER_H_
#define KUAIBAO_RELAY_BASE_LOG_LIMITER_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/base/clock.h"

namespace kuaibao {

// Limits the log lines that outsiders cause (a refused report, a refused
// stream, a failed handshake) so that nobody can fill the disk or drown the
// operators' view: at most `lines` per `window` per key (the peer's identity,
// or for gRPC's own lines their source line), the rest counted and the count
// written with the next line let through.
//
// Thread-safe.
class LogLimiter {
 public:
  // Borrowed: `clock` outlives the limiter.
  LogLimiter(int lines, absl::Duration window, Clock* clock);

  // Whether a line about `key` may be written now. When it may, *suppressed
  // is how many lines about `key` were held back since the last one written
  // (0 if none): write it as a field of the line ("suppressed").
  bool Allow(const std::string& key, uint64_t* suppressed);

  // How many keys are remembered now (bounded: the expired ones go first).
  size_t keys();

  // Lines held back so far by every limiter of this process (a metric).
  static uint64_t SuppressedTotal();

 private:
  struct Window {
    absl::Time start;
    int written = 0;
    uint64_t suppressed = 0;
  };

  const int lines_;
  const absl::Duration window_;
  Clock* const clock_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Window> windows_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_BASE_LOG_LIMITER_H_
