#include "node/stream_watch.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "relay/base/log.h"

namespace kuaibao {

StreamWatch::StreamWatch(absl::Duration limit, Clock* clock)
    : limit_(limit), clock_(clock), lines_(20, absl::Minutes(1), clock) {}

uint64_t StreamWatch::Add(Stream* stream, const std::string& peer) {
  absl::MutexLock lock(&mu_);
  const uint64_t id = ++next_id_;
  streams_.emplace(id, Entry{stream, peer});
  return id;
}

void StreamWatch::Remove(uint64_t id) {
  absl::MutexLock lock(&mu_);
  streams_.erase(id);
}

size_t StreamWatch::watched() {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

int StreamWatch::Sweep() {
  const absl::Time cutoff = clock_->TimeNow() - limit_;
  std::vector<Entry> all;
  {
    absl::MutexLock lock(&mu_);
    all.reserve(streams_.size());
    for (auto& [id, entry] : streams_) {
      // Held until called: a stream removes itself only as it is deleted.
      entry.stream->Ref();
      all.push_back(entry);
    }
  }
  // Outside the lock: ending a stream may run its OnDone (and Remove) on
  // this thread.
  int ended = 0;
  for (Entry& entry : all) {
    if (entry.stream->EndIfStalled(cutoff)) {
      // Counted as it ends, not after the sweep: the peer may read the
      // metric as soon as it sees its stream ended.
      ++ended;
      ++ended_total_;
      uint64_t suppressed = 0;
      if (lines_.Allow(entry.peer, &suppressed)) {
        Log(LogLevel::kWarning, "stream stalled: ended",
            {{"peer", entry.peer},
             {"no_message_for_ms",
              absl::StrCat(absl::ToInt64Milliseconds(limit_))},
             {"suppressed", absl::StrCat(suppressed)}});
      }
    }
    entry.stream->Unref();
  }
  return ended;
}

}  // namespace kuaibao
