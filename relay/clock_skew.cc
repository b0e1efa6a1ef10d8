#include "relay/clock_skew.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace kuaibao {

SkewSample SkewFromArrival(absl::Time child_sent, absl::Time received) {
  SkewSample s;
  s.offset = child_sent - received;
  s.at = received;
  return s;
}

SkewSample SkewFromReceipt(absl::Time sent, absl::Time parent_received,
                           absl::Time parent_stored, absl::Time acked) {
  SkewSample s;
  s.offset = ((parent_received - sent) + (parent_stored - acked)) / 2;
  s.round_trip = (acked - sent) - (parent_stored - parent_received);
  s.at = acked;
  return s;
}

SkewEstimate ClockSkewTracker::Observe(const std::string& peer,
                                       SkewRelation relation,
                                       const SkewSample& sample,
                                       bool* crossed) {
  absl::MutexLock lock(&mu_);
  Link& link = links_[peer];
  link.relation = relation;
  link.window.push_back(sample);
  if (link.window.size() > kWindow) link.window.pop_front();
  ++link.samples;
  SkewEstimate estimate = EstimateOf(peer, link);
  *crossed = estimate.beyond_bound != link.beyond;
  link.beyond = estimate.beyond_bound;
  return estimate;
}

SkewEstimate ClockSkewTracker::EstimateOf(const std::string& peer,
                                          const Link& link) const {
  // The sample that waited least on the network: for receipts the shortest
  // round trip, for one-way arrivals the highest offset (delay lowers it).
  const SkewSample* best = &link.window.front();
  for (const SkewSample& s : link.window) {
    bool better = link.relation == SkewRelation::kParent
                      ? s.round_trip < best->round_trip
                      : s.offset > best->offset;
    if (better) best = &s;
  }
  SkewEstimate e;
  e.peer = peer;
  e.relation = link.relation;
  e.offset = best->offset;
  e.round_trip = best->round_trip;
  e.samples = link.samples;
  e.last_sample_at = link.window.back().at;
  e.beyond_bound = absl::AbsDuration(e.offset) > bound_;
  return e;
}

std::vector<SkewEstimate> ClockSkewTracker::Estimates() const {
  absl::MutexLock lock(&mu_);
  std::vector<SkewEstimate> out;
  for (const auto& [peer, link] : links_) out.push_back(EstimateOf(peer, link));
  std::sort(out.begin(), out.end(),
            [](const SkewEstimate& a, const SkewEstimate& b) {
              return a.peer < b.peer;
            });
  return out;
}

bool ClockSkewTracker::Estimate(const std::string& peer,
                                SkewEstimate* out) const {
  absl::MutexLock lock(&mu_);
  auto it = links_.find(peer);
  if (it == links_.end()) return false;
  *out = EstimateOf(peer, it->second);
  return true;
}

std::string DescribeSkew(const SkewEstimate& e) {
  const char* relation =
      e.relation == SkewRelation::kParent ? "parent" : "child";
  return absl::StrCat(
      relation, " ", e.peer, "'s clock is ",
      absl::FormatDuration(absl::AbsDuration(e.offset)),
      e.offset >= absl::ZeroDuration() ? " ahead of" : " behind",
      " this node's");
}

}  // namespace kuaibao
