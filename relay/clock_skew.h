#ifndef KUAIBAO_RELAY_CLOCK_SKEW_H_
#define KUAIBAO_RELAY_CLOCK_SKEW_H_

// How far the clocks of neighbouring nodes disagree, estimated from the relay
// stream itself. Every hop record is stamped on its own node's clock, so an
// auditor comparing a child's send time with the parent's arrival time needs
// to know how far apart the two clocks are.
//
//  - A parent sees each child's send time (the child's hop,
//  forwarded[].sent_at)
//    and its own arrival time: child − parent ≈ sent − received. One-way: the
//    network delay makes it read low by that delay, so of recent samples the
//    highest (the one that waited least) is the estimate.
//  - A child sees its parent's receipt: its own send (t0), the parent's
//    receive and store (t1, t2) and the receipt's arrival (t3). NTP's formula
//    gives parent − child = ((t1 − t0) + (t2 − t3)) / 2, exact to half the
//    round trip (t3 − t0) − (t2 − t1); of recent samples the one with the
//    shortest round trip is the estimate.
//
// Pure: no clock of its own; times come from the records.

#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kuaibao {

struct SkewSample {
  // The peer's clock minus this node's.
  absl::Duration offset;
  // absl::InfiniteDuration() when unknown (one-way samples).
  absl::Duration round_trip = absl::InfiniteDuration();
  // When it was taken, on this node's clock.
  absl::Time at;
};

// From a child's send time and this node's arrival time.
SkewSample SkewFromArrival(absl::Time child_sent, absl::Time received);
// From a parent's receipt: t0 sent, t1/t2 received/stored at the parent,
// t3 the receipt arrived here.
SkewSample SkewFromReceipt(absl::Time sent, absl::Time parent_received,
                           absl::Time parent_stored, absl::Time acked);

enum class SkewRelation { kChild, kParent };

// One link's estimate.
struct SkewEstimate {
  std::string peer;
  SkewRelation relation = SkewRelation::kChild;
  absl::Duration offset;
  absl::Duration round_trip = absl::InfiniteDuration();
  int samples = 0;
  absl::Time last_sample_at = absl::InfinitePast();
  bool beyond_bound = false;
};

// A running estimate per link over its last kWindow samples. Thread-safe.
class ClockSkewTracker {
 public:
  static constexpr int kWindow = 32;

  explicit ClockSkewTracker(absl::Duration bound) : bound_(bound) {}

  // Adds a sample for `peer`; returns the link's estimate, with
  // `crossed` set when the estimate went beyond the bound or back within it
  // with this sample (the caller logs that once).
  SkewEstimate Observe(const std::string& peer, SkewRelation relation,
                       const SkewSample& sample, bool* crossed);
  // Every link's estimate, by peer.
  std::vector<SkewEstimate> Estimates() const;
  // The estimate for `peer`; false when there is none.
  bool Estimate(const std::string& peer, SkewEstimate* out) const;
  absl::Duration bound() const { return bound_; }

 private:
  struct Link {
    SkewRelation relation;
    std::deque<SkewSample> window;
    int samples = 0;
    bool beyond = false;
  };
  SkewEstimate EstimateOf(const std::string& peer, const Link& link) const;

  const absl::Duration bound_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Link> links_ ABSL_GUARDED_BY(mu_);
};

// "child 140105001000's clock is 42s ahead of this node's" and the like.
std::string DescribeSkew(const SkewEstimate& estimate);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_CLOCK_SKEW_H_
