#ifndef KUAIBAO_RELAY_OUTBOX_H_
#define KUAIBAO_RELAY_OUTBOX_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// One report queued for one upstream.
struct OutboxEntry {
  std::string key;
  std::string report_id;
  // The report's event: names its entry in the event index.
  std::string event_id;
  // What the entry counts in the backlog (Outbox::Weight).
  uint64_t bytes = 0;
};

// An entry with the report it names, as stored here, and the report's
// forwarding record to the entry's upstream (a fresh one when there is none).
struct QueuedReport {
  OutboxEntry entry;
  StoredReport report;
  Forwarding forwarding;
};

// Where Outbox::Next reads one upstream's queue: the store itself, or the
// memory that mirrors it (relay/outbox_mirror.h). Keys and values are the
// store's. One reader serves one call.
class OutboxReader {
 public:
  using Visit =
      std::function<bool(const std::string& key, const std::string& value)>;
  virtual ~OutboxReader() = default;
  // As ReportStore::ScanQueue, Scan and Get, for keys of `upstream`'s queue
  // and its event index.
  virtual absl::Status ScanQueue(const std::string& upstream,
                                 const std::string& prefix,
                                 const Visit& fn) = 0;
  virtual absl::Status Scan(const std::string& upstream,
                            const std::string& prefix, const std::string& from,
                            const Visit& fn) = 0;
  virtual absl::StatusOr<std::string> Get(const std::string& upstream,
                                          const std::string& key) = 0;
  // The report `report_id` queued under `key` for `upstream`, with its entry
  // filled in (event, weight) and its forwarding record.
  virtual absl::StatusOr<QueuedReport> Load(const std::string& upstream,
                                            const std::string& key,
                                            const std::string& report_id) = 0;
  // Whether this reader has read the store (or answered from memory alone).
  bool read_store() const { return read_store_; }

 protected:
  bool read_store_ = false;
};

class OutboxMirror;

// The reports each upstream has yet to acknowledge, kept in the store:
//   o/<upstream>/<class>/<source>\x01<seq>   the report id
//   i/<upstream>/<event>\x01<seq>            the outbox key (event index)
//   h/<upstream>/<class>/<source>\x01<seq>   the report id: held, refused
// <class> is the priority class (0 = most urgent), <source> whoever handed
// the report to this node (a client or a child node), <seq> the store's
// sequence number (arrival order here) in 16 hex digits.
//
// Send order (Next):
//  - class 0 before class 1 before class 2, at every call, so urgent reports
//    overtake any backlog of routine ones;
//  - within a class, sources take turns (round-robin, resuming after the
//    source served last), each source's reports in arrival order: a noisy
//    township cannot starve its neighbours;
//  - within an event, priority does not reorder: a report leaves only
//    together with, and after, every earlier-arrived report of its event
//    still queued here in a less urgent class. An urgent follow-up pulls its
//    routine initial report along instead of overtaking it. (One sender's
//    reports of one class leave in arrival order anyway; reports of one
//    event from different senders in the same class take turns with their
//    senders.)
// A call costs seeks and reads in proportion to the classes, the sources,
// the reports it returns and those it skips (in flight), plus one index
// lookup per report returned from a class that has a less urgent one behind
// it; never a scan of the backlog. The first seek starts at the store's
// floor for the queue (ReportStore::ScanQueue), past the tombstones the
// acknowledged head leaves; every later one starts at a live key found by
// the one before.
//
// Next reads the store, or, given a mirror, the memory that holds the same
// entries (the store only where the mirror says it must).
//
// Thread-safe.
class Outbox {
 public:
  // Borrowed: `store` and `mirror` (nullptr: none) outlive the outbox.
  explicit Outbox(ReportStore* store, OutboxMirror* mirror = nullptr);

  // The key `stored` (this node's hop last) gets in `upstream`'s queue, in
  // priority class `priority` (0..9), with a fresh sequence number.
  std::string KeyFor(const std::string& upstream, int priority,
                     const StoredReport& stored);
  // Adds to `batch` the writes that queue `stored` under `key` (KeyFor).
  static void Queue(const std::string& upstream, const std::string& key,
                    const StoredReport& stored, StoreBatch* batch);
  // The upstreams `batch` queues reports for (sorted, each once): whose
  // forwarders have something new once it is written.
  static std::vector<std::string> QueuedIn(const StoreBatch& batch);
  // The writes that take `entry` out of the queue.
  static void Remove(const std::string& upstream, const OutboxEntry& entry,
                     StoreBatch* batch);
  // Where a report that is not (or no longer) sent is kept, held: the held
  // twin of its queue key.
  static std::string HeldKey(const std::string& key);

  // Up to `max` reports for `upstream` in send order, leaving out the ids in
  // `skip` (in flight, or waiting to be retried).
  absl::StatusOr<std::vector<QueuedReport>> Next(
      const std::string& upstream, size_t max,
      const absl::flat_hash_set<std::string>& skip);

  // The report `report_id` queued under `key` for `upstream`, read from
  // `store` (OutboxReader::Load).
  static absl::StatusOr<QueuedReport> LoadFromStore(
      const ReportStore& store, const std::string& upstream,
      const std::string& key, const std::string& report_id);

  // Next calls answered from memory alone, and those that read the store.
  uint64_t next_from_memory() const { return next_from_memory_.load(); }
  uint64_t next_from_store() const { return next_from_store_.load(); }

  struct Summary {
    uint64_t waiting = 0;
    uint64_t held = 0;
    // When the longest-waiting report was stored here; InfinitePast() when
    // none waits.
    absl::Time oldest_stored_at = absl::InfinitePast();
  };
  // What one queued report counts in the store's backlog tally
  // (ReportStore::backlog_bytes): the encoded size of the report itself,
  // which never changes under its id (hop records and other paths grow).
  static uint64_t Weight(const StoredReport& stored);
  // Sets the store's tally from a scan of every queue, if the store has none
  // (created by an older version, or repaired). Costs a read per queued
  // report; only before the first counted write.
  absl::Status RecountBacklog(bool always = false);

  // What waits for `upstream`. Scans its whole queue: for status pages, not
  // for hot paths.
  absl::StatusOr<Summary> Summarize(const std::string& upstream) const;

 private:
  // Keys sharing a prefix (a class, or a source within a class) and the
  // first of them.
  struct Group {
    std::string prefix;
    std::string first_key;
  };
  // The groups under `prefix`, a group being the keys that agree up to the
  // first `end` after `prefix`; from `start` on (empty: the beginning). One
  // seek per group.
  absl::StatusOr<std::vector<Group>> Groups(OutboxReader& reader,
                                            const std::string& upstream,
                                            const std::string& prefix, char end,
                                            const std::string& start) const;
  absl::Status TakeFromClass(OutboxReader& reader, const std::string& upstream,
                             const Group& queue_class, bool pull_earlier,
                             size_t max,
                             const absl::flat_hash_set<std::string>& skip,
                             absl::flat_hash_set<std::string>* taken,
                             std::vector<QueuedReport>* out);
  // Appends `entry` to `out`, after (if `pull_earlier`) the earlier reports
  // of its event still queued. False when there was no room for all of them.
  absl::StatusOr<bool> Emit(OutboxReader& reader, const std::string& upstream,
                            QueuedReport queued, bool pull_earlier, size_t max,
                            const absl::flat_hash_set<std::string>& skip,
                            absl::flat_hash_set<std::string>* taken,
                            std::vector<QueuedReport>* out);

  ReportStore* const store_;
  OutboxMirror* const mirror_;
  std::atomic<uint64_t> next_from_memory_{0};
  std::atomic<uint64_t> next_from_store_{0};

  mutable absl::Mutex mu_;
  // Round-robin position: the source (its key prefix) served last, by class
  // prefix.
  absl::flat_hash_map<std::string, std::string> last_source_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_OUTBOX_H_
