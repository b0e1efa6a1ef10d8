#ifndef KUAIBAO_RELAY_STORE_REPORT_STORE_H_
#define KUAIBAO_RELAY_STORE_REPORT_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/report_types.h"

namespace leveldb {
class DB;
class Env;
class FilterPolicy;
}  // namespace leveldb

namespace kuaibao {

// A set of writes applied atomically by ReportStore::Commit.
class StoreBatch {
 public:
  void Put(std::string key, std::string value) {
    ops_.emplace_back(std::move(key), std::move(value));
  }
  void Delete(std::string key) {
    ops_.emplace_back(std::move(key), std::nullopt);
  }
  bool empty() const { return ops_.empty(); }

  // (key, value); no value = delete.
  const std::vector<std::pair<std::string, std::optional<std::string>>>& ops()
      const {
    return ops_;
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> ops_;
};

// An entry in the outbox of one upstream. Keys sort by priority, then by the
// order reports were accepted, so iterating the outbox is the send order.
struct OutboxEntry {
  std::string key;
  std::string report_id;
};

// Everything a node keeps, in one LevelDB database:
//   r/<report_id>                   StoredReport, as accepted here
//   f/<report_id>/<upstream>        Forwarding: the hand-off to that upstream
//   o/<upstream>/<prio><seq>        outbox entry (value: report id)
//   h/<upstream>/<prio><seq>        held: the upstream refused it, or the
//                                   link may not carry it (value: id)
//   e/<event_id>                    EventRecord: the event as known here
//   d/<received micros>/<report_id> index of reports by arrival time
//   x/<report_id>/<seq>             ConflictRecord: a different report came
//                                   under this id and was refused
//   m/seq                           last outbox sequence number used
//
// Durability: every Commit is a synced LevelDB write (unless Options::sync is
// off, which only the tests' negative controls do). Concurrent commits are
// grouped into one synced write (group commit); each caller is told only
// after the write that covers its batch returned.
//
// Thread-safe. Owns a writer thread, joined by the destructor.
class ReportStore {
 public:
  struct Options {
    // Sync every write. Turn off only to prove a test can see losses.
    bool sync = true;
    // Borrowed; must outlive the store. nullptr = leveldb::Env::Default().
    leveldb::Env* env = nullptr;
    // Upper bound on one group write, in bytes.
    size_t max_group_bytes = 4 << 20;
  };

  // Opens (creating if needed) the database in `dir`. FAILED_PRECONDITION
  // when another process holds it; DATA_LOSS when it is damaged, with what to
  // do about it.
  static absl::StatusOr<std::unique_ptr<ReportStore>> Open(
      const std::string& dir, const Options& options);
  ~ReportStore();

  // Applies `batch` durably, then calls `done` (on the writer thread; it
  // must not block). The status is the write's.
  void Commit(StoreBatch batch, std::function<void(absl::Status)> done);
  // Commit and wait for it.
  absl::Status CommitAndWait(StoreBatch batch);

  // Reads. NOT_FOUND when absent; DATA_LOSS when the stored value is damaged.
  absl::StatusOr<StoredReport> GetReport(const std::string& report_id) const;
  // All forwardings recorded for a report (one per upstream).
  absl::StatusOr<std::vector<Forwarding>> GetForwardings(
      const std::string& report_id) const;
  // Every conflict recorded for a report id, oldest first.
  absl::StatusOr<std::vector<ConflictRecord>> GetConflicts(
      const std::string& report_id) const;
  // Up to `max` outbox entries of `upstream` in send order, skipping those in
  // `skip`.
  absl::StatusOr<std::vector<OutboxEntry>> PeekOutbox(
      const std::string& upstream, size_t max,
      const absl::flat_hash_set<std::string>& skip) const;
  // Number of outbox entries for `upstream` (a scan; for tests and status).
  absl::StatusOr<size_t> OutboxSize(const std::string& upstream) const;
  // Reports in id order, starting after `after_id`.
  absl::StatusOr<std::vector<StoredReport>> ListReports(
      const std::string& after_id, size_t limit,
      const std::function<bool(const StoredReport&)>& filter) const;

  // Calls `fn(key, value)` for keys starting with `prefix`, in order, from
  // `from` (or the prefix's start when empty) until `fn` returns false.
  absl::Status Scan(const std::string& prefix, const std::string& from,
                    const std::function<bool(const std::string&,
                                             const std::string&)>& fn) const;

  // A fresh, increasing outbox sequence number (persisted with the writes
  // that use it).
  uint64_t NextSeq() { return ++seq_; }

  // Key builders.
  static std::string ReportKey(const std::string& report_id);
  static std::string ForwardingKey(const std::string& report_id,
                                   const std::string& upstream);
  static std::string OutboxKey(const std::string& upstream, int priority,
                               uint64_t seq);
  // The held twin of an outbox key.
  static std::string HeldKey(const std::string& outbox_key);
  static std::string ConflictKey(const std::string& report_id, uint64_t seq);
  static std::string EventKey(const std::string& event_id);
  // Index of reports by the time this node received them.
  static std::string RecentKey(absl::Time received,
                               const std::string& report_id);
  static std::string RecentPrefix() { return "d/"; }

 private:
  struct Pending {
    StoreBatch batch;
    std::function<void(absl::Status)> done;
  };

  // Where PeekOutbox starts reading one upstream's outbox. LevelDB keeps a
  // deleted key's tombstone until a compaction drops it, and an iterator
  // steps over every tombstone it meets: an outbox whose head was
  // acknowledged (deleted) entry by entry would cost a step per acknowledged
  // entry on every read, milliseconds per read after a few thousand. The
  // floor is at or below the outbox's first live entry (every outbox key
  // below it is deleted), so reads seek past the tombstones.
  struct OutboxFloor {
    std::string key;  // empty: the start of the outbox
    // The smallest outbox key of the write in progress (not yet visible to
    // a read); empty: none.
    std::string writing;
    // The smallest outbox key that may be invisible to the latest read: put
    // by the write in progress when it began, or since.
    std::string put_since_read;
    uint64_t read = 0;  // the latest read
  };

  ReportStore(std::unique_ptr<const leveldb::FilterPolicy> filter,
              std::unique_ptr<leveldb::DB> db, const Options& options,
              uint64_t seq);
  void WriterLoop();
  // Every value under `prefix`, decoded, in key order.
  template <typename Message>
  absl::StatusOr<std::vector<Message>> ReadAll(const std::string& prefix) const;
  // A put of outbox key `key` is about to be written: no floor may be above
  // it.
  void LowerFloor(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction. The filter outlives the database.
  const std::unique_ptr<const leveldb::FilterPolicy> filter_;
  const std::unique_ptr<leveldb::DB> db_;
  const Options options_;

  std::atomic<uint64_t> seq_;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // By upstream.
  mutable absl::flat_hash_map<std::string, OutboxFloor> floors_
      ABSL_GUARDED_BY(mu_);

  std::thread writer_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STORE_REPORT_STORE_H_
