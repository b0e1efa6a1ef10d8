#ifndef KUAIBAO_TESTS_TESTING_HISTORY_H_
#define KUAIBAO_TESTS_TESTING_HISTORY_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace kuaibao::testing {

// What a fault test counts, in the way of Jepsen's total-queue checker
// (docs: reliability plan §2): every report attempted, acknowledged or
// refused, and at the end what the top of the chain holds.
struct Counts {
  uint64_t attempted = 0;
  uint64_t acknowledged = 0;
  uint64_t refused = 0;  // a definite refusal
  uint64_t delivered = 0;
  // Acknowledged, not delivered.
  uint64_t lost = 0;
  // Delivered more than once (stored twice at the top).
  uint64_t duplicated = 0;
  // Delivered, never attempted.
  uint64_t unexpected = 0;
  // Delivered although the outcome was unknown (allowed).
  uint64_t recovered = 0;
  // Missing origin numbers at the top after the drain.
  uint64_t gaps = 0;

  bool Valid() const {
    return lost == 0 && duplicated == 0 && unexpected == 0 && gaps == 0;
  }
  std::string Json(const std::string& scenario, uint64_t seed) const {
    return absl::StrCat(
        "{\"scenario\":\"", scenario, "\",\"seed\":", seed,
        ",\"valid\":", Valid() ? "true" : "false", ",\"attempted\":", attempted,
        ",\"acknowledged\":", acknowledged, ",\"refused\":", refused,
        ",\"delivered\":", delivered, ",\"lost\":", lost,
        ",\"duplicated\":", duplicated, ",\"unexpected\":", unexpected,
        ",\"recovered\":", recovered, ",\"gaps\":", gaps, "}");
  }
};

// One run's history of operations. Thread-safe.
class History {
 public:
  void Attempted(const std::string& id) {
    absl::MutexLock lock(&mu_);
    attempted_.insert(id);
  }
  void Acknowledged(const std::string& id) {
    absl::MutexLock lock(&mu_);
    acknowledged_.insert(id);
  }
  void Refused(const std::string& id) {
    absl::MutexLock lock(&mu_);
    refused_.insert(id);
  }
  size_t acknowledged() const {
    absl::MutexLock lock(&mu_);
    return acknowledged_.size();
  }
  absl::flat_hash_set<std::string> AcknowledgedIds() const {
    absl::MutexLock lock(&mu_);
    return acknowledged_;
  }

  // The counts, given every id the top holds (repeats included) and the
  // gaps it reports.
  Counts Check(const std::vector<std::string>& delivered, uint64_t gaps) const {
    absl::MutexLock lock(&mu_);
    Counts c;
    c.attempted = attempted_.size();
    c.acknowledged = acknowledged_.size();
    c.refused = refused_.size();
    c.gaps = gaps;
    absl::flat_hash_map<std::string, int> times;
    for (const std::string& id : delivered) ++times[id];
    c.delivered = times.size();
    for (const auto& [id, n] : times) {
      if (n > 1) ++c.duplicated;
      if (!attempted_.contains(id)) ++c.unexpected;
      if (!acknowledged_.contains(id) && !refused_.contains(id)) ++c.recovered;
    }
    for (const std::string& id : acknowledged_) c.lost += !times.contains(id);
    return c;
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> attempted_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> acknowledged_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> refused_ ABSL_GUARDED_BY(mu_);
};

// The seed of a randomized test: $KUAIBAO_SEED if set (to replay a run),
// else a fresh one. Tests print it.
uint64_t TestSeed();

// True when $KUAIBAO_SOAK=1: run the long variants.
bool SoakRequested();

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_HISTORY_H_
