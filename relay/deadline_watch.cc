#include "relay/deadline_watch.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "relay/deadlines.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

bool Closed(DeadlineState state) {
  return state == DEADLINE_STATE_MET || state == DEADLINE_STATE_MET_LATE;
}

// When time alone next changes `s` (StateOf's thresholds), or never.
absl::Time NextChange(const DeadlineStatus& s, double at_risk_fraction) {
  const absl::Time start = FromProto(s.start());
  const absl::Time due = FromProto(s.due());
  switch (s.state()) {
    case DEADLINE_STATE_ON_TIME:
      return start + (due - start) * at_risk_fraction;
    case DEADLINE_STATE_AT_RISK:
      return due + absl::Microseconds(1);
    default:
      return absl::InfiniteFuture();
  }
}

}  // namespace

bool DeadlineWatch::IsLate(DeadlineState state) {
  return state == DEADLINE_STATE_OVERDUE || state == DEADLINE_STATE_MET_LATE;
}

std::string DeadlineWatch::StateKey(const DeadlineStatus& s) {
  return absl::StrCat(s.rule(), "|", s.responsible());
}

bool DeadlineWatch::IsNews(DeadlineState last, DeadlineState now) {
  // A deadline first seen on time, or already met on time, is no news.
  return last != DEADLINE_STATE_UNSPECIFIED ||
         (now != DEADLINE_STATE_ON_TIME && now != DEADLINE_STATE_MET);
}

DeadlineWatch::DeadlineWatch(const DeadlinePolicy& policy)
    : policy_(policy), lookback_(Lookback(policy)) {}

absl::Duration DeadlineWatch::Lookback(const DeadlinePolicy& p) {
  return 2 * std::max({p.per_hop, p.end_to_end, p.direct_to_province,
                       p.province_to_national, p.unit_to_local});
}

void DeadlineWatch::Arrive(const std::string& id, absl::Time received,
                           View view) {
  auto [it, added] = entries_.try_emplace(id);
  if (added) {
    it->second.received = received;
    Schedule(id, it->second, received + lookback_);
  }
  it->second.landing = true;
  SetView(it->second, std::move(view));
}

void DeadlineWatch::Landed(const std::string& id, bool ok) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  // Only Arrive's own write matches its view.
  if (!entry.landing || !ok) SetView(entry, nullptr);
  entry.landing = false;
  touched_.insert(id);
}

void DeadlineWatch::HandOff(const std::string& id,
                            const Forwarding& forwarding) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  if (entry.view != nullptr) {
    // Copied, not edited: a tick may be evaluating the view it took.
    auto view = std::make_shared<StoredReport>(*entry.view);
    PutOwnForwarding(forwarding, view.get());
    SetView(entry, std::move(view));
  }
  touched_.insert(id);
}

void DeadlineWatch::TouchIfWatched(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (!it->second.landing) SetView(it->second, nullptr);
  touched_.insert(id);
}

void DeadlineWatch::TouchAll() {
  for (const auto& [id, entry] : entries_) touched_.insert(id);
}

void DeadlineWatch::WakeAt(const std::string& id, absl::Time received,
                           absl::Time wake) {
  if (wake == absl::InfiniteFuture()) {
    Forget(id);
    return;
  }
  auto [it, added] = entries_.try_emplace(id);
  if (added) it->second.received = received;
  Schedule(id, it->second, std::min(wake, received + lookback_));
}

std::vector<DeadlineWatch::Due> DeadlineWatch::TakeDue(absl::Time now) {
  std::vector<Due> due;
  absl::flat_hash_set<std::string> taken;
  auto take = [&](const std::string& id) {
    auto it = entries_.find(id);
    if (it == entries_.end() || !taken.insert(id).second) return;
    if (it->second.received + lookback_ < now) {
      Forget(id);
      return;
    }
    // Not written yet: Landed touches it again.
    if (it->second.landing) return;
    due.push_back({id, it->second.received, it->second.view});
  };
  absl::flat_hash_set<std::string> touched;
  touched.swap(touched_);
  for (const std::string& id : touched) take(id);
  while (!wake_.empty() && wake_.begin()->first <= now) {
    std::string id = wake_.begin()->second;
    auto it = entries_.find(id);
    if (it != entries_.end()) Schedule(id, it->second, absl::InfiniteFuture());
    take(id);
  }
  return due;
}

void DeadlineWatch::Fold(const std::string& id, absl::Time received,
                         const std::vector<DeadlineStatus>& deadlines,
                         absl::Time now, bool quiet, Outcome* out) {
  if (received + lookback_ < now) {
    Forget(id);
    return;
  }
  auto [it, added] = entries_.try_emplace(id);
  Entry& entry = it->second;
  if (added) entry.received = received;
  bool all_closed = true;
  absl::Time wake = received + lookback_;
  for (const DeadlineStatus& s : deadlines) {
    const std::string key = StateKey(s);
    auto state = std::find_if(entry.states.begin(), entry.states.end(),
                              [&](const auto& e) { return e.first == key; });
    if (state == entry.states.end()) {
      entry.states.emplace_back(key, DEADLINE_STATE_UNSPECIFIED);
      state = entry.states.end() - 1;
    }
    const DeadlineState last = state->second;
    if (last != s.state()) {
      if (IsLate(s.state()) && !IsLate(last)) out->newly_late.push_back(s);
      if (!quiet && IsNews(last, s.state())) out->changed.push_back(s);
      state->second = s.state();
    }
    all_closed = all_closed && Closed(s.state());
    entry.late = entry.late || IsLate(s.state());
    wake = std::min(wake, NextChange(s, policy_.at_risk_fraction));
  }
  if (all_closed && !entry.late) {
    Forget(id);  // nothing left that time or a write could change
    return;
  }
  Schedule(id, entry, wake);
}

bool DeadlineWatch::MarkEscalated(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.escalated) return false;
  it->second.escalated = true;
  return true;
}

std::vector<std::string> DeadlineWatch::Listed() const {
  std::vector<std::string> ids;
  ids.reserve(entries_.size());
  for (const auto& [id, entry] : entries_) ids.push_back(id);
  return ids;
}

void DeadlineWatch::Schedule(const std::string& id, Entry& entry,
                             absl::Time wake) {
  if (entry.wake == wake) return;
  if (entry.wake != absl::InfiniteFuture()) wake_.erase({entry.wake, id});
  entry.wake = wake;
  if (wake != absl::InfiniteFuture()) wake_.insert({wake, id});
}

void DeadlineWatch::SetView(Entry& entry, View view) {
  if (entry.view != nullptr) --views_;
  entry.view = views_ < kMaxViews ? std::move(view) : nullptr;
  if (entry.view != nullptr) ++views_;
}

void DeadlineWatch::Forget(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  SetView(it->second, nullptr);
  if (it->second.wake != absl::InfiniteFuture()) {
    wake_.erase({it->second.wake, id});
  }
  entries_.erase(it);
  touched_.erase(id);
}

}  // namespace kuaibao
