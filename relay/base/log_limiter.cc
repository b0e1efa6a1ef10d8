#include "relay/base/log_limiter.h"

#include <atomic>

namespace kuaibao {
namespace {

std::atomic<uint64_t> suppressed_total{0};

// Keys are remembered only while their window lasts; past this many, the
// expired ones are forgotten (an outsider may vary the key, e.g. by address).
constexpr size_t kMaxKeys = 10000;

}  // namespace

LogLimiter::LogLimiter(int lines, absl::Duration window, Clock* clock)
    : lines_(lines), window_(window), clock_(clock) {}

bool LogLimiter::Allow(const std::string& key, uint64_t* suppressed) {
  const absl::Time now = clock_->TimeNow();
  absl::MutexLock lock(&mu_);
  if (windows_.size() >= kMaxKeys) {
    absl::erase_if(windows_, [&](const auto& entry) {
      return now - entry.second.start >= window_;
    });
  }
  auto [it, fresh] = windows_.try_emplace(key, Window{now});
  Window& w = it->second;
  if (!fresh && now - w.start >= window_) {
    w.start = now;
    w.written = 0;
  }
  if (w.written >= lines_) {
    ++w.suppressed;
    suppressed_total.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  ++w.written;
  *suppressed = w.suppressed;
  w.suppressed = 0;
  return true;
}

uint64_t LogLimiter::SuppressedTotal() {
  return suppressed_total.load(std::memory_order_relaxed);
}

size_t LogLimiter::keys() {
  absl::MutexLock lock(&mu_);
  return windows_.size();
}

}  // namespace kuaibao
