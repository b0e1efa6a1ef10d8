#include "relay/peer_abuse.h"

#include <algorithm>

namespace kuaibao {
namespace {

// Peers are authenticated identities (a bounded set), but a CA issues many:
// past this many, those neither cooling nor counting now are forgotten.
constexpr size_t kMaxPeers = 10000;

}  // namespace

PeerAbuseWatch::PeerAbuseWatch(Limits limits, Clock* clock)
    : limits_(limits), clock_(clock) {}

bool PeerAbuseWatch::Cancelled(const std::string& peer) {
  return Count(peer, true);
}

bool PeerAbuseWatch::Started(const std::string& peer) {
  return Count(peer, false);
}

bool PeerAbuseWatch::Count(const std::string& peer, bool cancelled) {
  const absl::Time now = clock_->TimeNow();
  absl::MutexLock lock(&mu_);
  if (peers_.size() >= kMaxPeers) {
    absl::erase_if(peers_, [&](const auto& entry) {
      const Peer& p = entry.second;
      return p.refused_until <= now && now - p.window_start >= limits_.window;
    });
  }
  auto [it, fresh] = peers_.try_emplace(peer, Peer{now});
  Peer& p = it->second;
  if (!fresh && now - p.window_start >= limits_.window) {
    p.window_start = now;
    p.cancelled_in_window = 0;
    p.started_in_window = 0;
  }
  if (cancelled) {
    ++p.cancelled_total;
    ++p.cancelled_in_window;
  } else {
    ++p.started_in_window;
  }
  const bool over = p.cancelled_in_window > limits_.max_cancelled ||
                    p.started_in_window > limits_.max_started;
  if (!over || p.refused_until > now) return false;
  p.refused_until = now + limits_.cooldown;
  ++p.cooldowns;
  return true;
}

std::optional<absl::Time> PeerAbuseWatch::RefusedUntil(
    const std::string& peer) {
  const absl::Time now = clock_->TimeNow();
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(peer);
  if (it == peers_.end() || it->second.refused_until <= now) {
    return std::nullopt;
  }
  return it->second.refused_until;
}

std::vector<PeerAbuseWatch::PeerState> PeerAbuseWatch::Peers() {
  const absl::Time now = clock_->TimeNow();
  std::vector<PeerState> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, p] : peers_) {
      if (p.cancelled_total == 0 && p.cooldowns == 0) continue;
      out.push_back(PeerState{name, p.cancelled_total, p.cooldowns,
                              p.refused_until > now});
    }
  }
  std::sort(out.begin(), out.end(), [](const PeerState& a, const PeerState& b) {
    return a.peer < b.peer;
  });
  return out;
}

}  // namespace kuaibao
