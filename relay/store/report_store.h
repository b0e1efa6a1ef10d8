#ifndef KUAIBAO_RELAY_STORE_REPORT_STORE_H_
#define KUAIBAO_RELAY_STORE_REPORT_STORE_H_

#include <algorithm>
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
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kuaibao/v1/feed.pb.h"
#include "relay/report_types.h"
#include "relay/store/keys.h"
#include "relay/store/log_scrubber.h"

namespace leveldb {
class Cache;
class DB;
class Env;
}  // namespace leveldb

namespace kuaibao {

// Seals the values that depend on everything written together
// (StoreBatch::PutSealed): given the leaves of one group write, in order,
// returns each leaf's proof that it is in the group, the group signed once
// (relay/receipt_signer.h). Thread-safe.
class GroupSealer {
 public:
  virtual ~GroupSealer() = default;
  virtual absl::StatusOr<std::vector<v1::BatchInclusion>> Seal(
      std::vector<std::string> leaves) const = 0;
};

// A set of writes applied atomically by ReportStore::Commit.
class StoreBatch {
 public:
  void Put(std::string key, std::string value) {
    ops_.emplace_back(std::move(key), std::move(value));
  }
  void Delete(std::string key) {
    ops_.emplace_back(std::move(key), std::nullopt);
  }
  // A put or delete that also moves the store's backlog tally (see
  // ReportStore::backlog_bytes): a counted put adds `bytes`; a counted delete
  // subtracts them only if the key is there when the batch is applied, so
  // that deleting an entry twice cannot count it twice.
  void PutCounted(std::string key, std::string value, uint64_t bytes) {
    counted_.push_back({key, bytes, true});
    Put(std::move(key), std::move(value));
  }
  void DeleteCounted(std::string key, uint64_t bytes) {
    counted_.push_back({key, bytes, false});
    Delete(std::move(key));
  }
  // Adds `item` to the node's feed (Query.Watch) in this write: the store
  // gives it the next record sequence (its cursor) when the batch is
  // written, so feed order is commit order.
  void Record(v1::FeedItem item) { feed_.push_back(std::move(item)); }
  // Puts `key` with a value made on the writer thread once the group of
  // batches synced together is known: `leaf` is this value's leaf in the
  // group's seal (ReportStore::SetGroupSealer), and `value` makes the value
  // from the leaf's proof. A receipt is proven by one signature per synced
  // write this way, and no one sees it before that write is durable.
  void PutSealed(std::string key, std::string leaf,
                 std::function<std::string(const v1::BatchInclusion&)> value) {
    sealed_.push_back({ops_.size(), std::move(leaf), std::move(value)});
    ops_.emplace_back(std::move(key), std::string());
  }
  // Hands the decoded report that this batch writes (by Put or PutSealed,
  // whose value is made from it) to the readers told of the write
  // (WriteListener::Written): a report queued for sending reaches the
  // sender without being decoded again. Read only after the write.
  void AttachReport(std::shared_ptr<v1::StoredReport> report) {
    reports_.push_back(std::move(report));
  }
  const std::vector<std::shared_ptr<v1::StoredReport>>& reports() const {
    return reports_;
  }
  void Append(StoreBatch other) {
    for (auto& r : other.reports_) reports_.push_back(std::move(r));
    for (auto& s : other.sealed_) {
      s.op += ops_.size();
      sealed_.push_back(std::move(s));
    }
    for (auto& op : other.ops_) ops_.push_back(std::move(op));
    for (auto& c : other.counted_) counted_.push_back(std::move(c));
    for (auto& f : other.feed_) feed_.push_back(std::move(f));
  }
  bool empty() const { return ops_.empty() && feed_.empty(); }
  // This batch applies records the other node of the region made: the
  // store's commit hook (ReportStore::SetCommitHook) does not copy them back.
  void MarkFromPeer() { from_peer_ = true; }
  bool from_peer() const { return from_peer_; }
  const std::vector<v1::FeedItem>& feed() const { return feed_; }

  // (key, value); no value = delete.
  const std::vector<std::pair<std::string, std::optional<std::string>>>& ops()
      const {
    return ops_;
  }
  struct Counted {
    std::string key;
    uint64_t bytes = 0;
    bool put = false;
  };
  const std::vector<Counted>& counted() const { return counted_; }

  // The writer thread: the leaves of the sealed puts, in order, and their
  // values from the proofs of those leaves.
  void SealedLeaves(std::vector<std::string>* leaves) const {
    for (const Sealed& s : sealed_) leaves->push_back(s.leaf);
  }
  size_t sealed_count() const { return sealed_.size(); }
  void FillSealed(size_t i, const v1::BatchInclusion& proof) {
    ops_[sealed_[i].op].second = sealed_[i].value(proof);
  }

 private:
  struct Sealed {
    size_t op = 0;  // in ops_
    std::string leaf;
    std::function<std::string(const v1::BatchInclusion&)> value;
  };
  std::vector<std::pair<std::string, std::optional<std::string>>> ops_;
  std::vector<Counted> counted_;
  std::vector<v1::FeedItem> feed_;
  std::vector<Sealed> sealed_;
  std::vector<std::shared_ptr<v1::StoredReport>> reports_;
  bool from_peer_ = false;
};

// Everything a node keeps, in one LevelDB database, under the key layout of
// relay/store/keys.h (the one place that names the key prefixes).
//
// Durability: every Commit is a synced LevelDB write (unless Options::sync is
// off, which only the tests' negative controls do). Concurrent commits are
// grouped into one synced write (group commit); each caller is told only
// after the write that covers its batch returned.
//
// A failed write (a full disk, an I/O error) stops the store: that commit
// and every later one fail at once, without touching the files, until
// Recover() has reopened the database. Writing on after a failed append would
// leave a torn record in the middle of LevelDB's log, which the next open
// reports as corruption; reopening instead treats it as the log's torn tail.
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
    // After this long (real time) without a write, the writer hands the
    // memory LevelDB holds for speed back to the system: the memtable (up
    // to 4 MiB of recent writes, already on disk in the log) is written to
    // a table, the block cache (up to 8 MiB) drops what no read holds, and
    // the heap freed is returned (malloc_trim). An idle node then keeps
    // neither; zero: never.
    absl::Duration release_idle_after = absl::Seconds(5);
  };

  // Opens (creating if needed) the database in `dir`. FAILED_PRECONDITION
  // when another process holds it; DATA_LOSS when it is damaged, with what to
  // do about it.
  static absl::StatusOr<std::unique_ptr<ReportStore>> Open(
      const std::string& dir, const Options& options);
  // Rebuilds a damaged database in place from whatever is readable: first
  // drops the log records that fail their checksums (ScrubLevelDbLog), then
  // runs leveldb::RepairDB, which checks table blocks itself and sets damaged
  // files aside in lost/. The directory must not be open. What lay in
  // damaged records is lost; the caller keeps a copy first. Returns what the
  // scrub dropped. FAILED_PRECONDITION while a node holds the directory.
  static absl::StatusOr<ScrubResult> Repair(const std::string& dir,
                                            const Options& options);
  ~ReportStore();

  // Applies `batch` durably, then calls `done` (on the writer thread; it
  // must not block). The status is the write's: RESOURCE_EXHAUSTED when the
  // disk is full, DATA_LOSS when LevelDB finds damage, UNAVAILABLE for any
  // other failure (never NOT_FOUND or INVALID_ARGUMENT: a failed write is
  // not the report's fault) or while stopped.
  void Commit(StoreBatch batch, std::function<void(absl::Status)> done);
  // Commit and wait for it.
  absl::Status CommitAndWait(StoreBatch batch);

  // OK, or why writes are stopped (see the class comment).
  absl::Status WriteHealth() const;
  // After a failed write: waits until the commits queued behind it have
  // failed and the reads under way have finished, then closes and reopens
  // the database. OK when writes work again (also when they never stopped);
  // the reopen's error otherwise, and the store stays stopped. Reads during
  // the reopen, and after one that failed, fail with UNAVAILABLE.
  absl::Status Recover();

  // Reads. NOT_FOUND when absent; DATA_LOSS when the stored value is damaged.
  absl::StatusOr<StoredReport> GetReport(const std::string& report_id) const;
  // The event id of a stored report, as GetReport(...)->report().event_id()
  // would give it, read from the encoding without decoding the rest (the
  // supersedes check of every follow-up needs only this).
  absl::StatusOr<std::string> GetEventOf(const std::string& report_id) const;
  absl::StatusOr<std::string> Get(const std::string& key) const;
  // All forwardings recorded for a report (one per upstream).
  absl::StatusOr<std::vector<Forwarding>> GetForwardings(
      const std::string& report_id) const;
  // Every conflict recorded for a report id, oldest first.
  absl::StatusOr<std::vector<ConflictRecord>> GetConflicts(
      const std::string& report_id) const;
  // Calls `fn(key, value)` for keys starting with `prefix`, in order, from
  // the first key >= `from` (or the prefix's start when empty) until `fn`
  // returns false. `key` and `value` are valid only during that call.
  absl::Status Scan(const std::string& prefix, const std::string& from,
                    const std::function<bool(const std::string&,
                                             const std::string&)>& fn) const;
  // Scan from the start of `prefix`, for a prefix whose keys are deleted
  // from the front as they are used (a queue). LevelDB keeps a deleted key's
  // tombstone until a compaction drops it, and an iterator steps over every
  // tombstone it meets, so a queue acknowledged entry by entry would cost a
  // step per acknowledged entry on every read. The store keeps a floor per
  // such prefix, at or below its first live key; the scan starts there and
  // raises the floor to the first key it meets.
  absl::Status ScanQueue(
      const std::string& prefix,
      const std::function<bool(const std::string&, const std::string&)>& fn)
      const;
  // Reports in id order, starting after `after_id`.
  absl::StatusOr<std::vector<StoredReport>> ListReports(
      const std::string& after_id, size_t limit,
      const std::function<bool(const StoredReport&)>& filter) const;

  // The feed (StoreBatch::Record): items after `after`, at most `limit`, in
  // cursor order.
  absl::StatusOr<std::vector<v1::FeedItem>> ReadFeed(uint64_t after,
                                                     size_t limit) const;
  // The last cursor written.
  uint64_t last_feed_cursor() const { return feed_cursor_.load(); }
  // Called on the writer thread after each successful write that recorded
  // feed items, with them (cursors set), before the writers are told. Must
  // not block. Set once, before the first write.
  void SetFeedListener(
      std::function<void(const std::vector<v1::FeedItem>&)> listener) {
    feed_listener_ = std::move(listener);
  }

  // Told of the store's writes (the outbox's memory, relay/outbox_mirror.h).
  class WriteListener {
   public:
    virtual ~WriteListener() = default;
    // After a successful write, on the writer thread, with each batch of the
    // group in commit order (sealed values filled in): the write is visible
    // to reads and none of its callers has been told yet, so that whoever a
    // completion wakes finds it. Never for a failed write. Must not block
    // for long; may read the store.
    virtual void Written(const StoreBatch& batch) = 0;
    // Recover reopened the database, before writes resume: a write reported
    // failed may have reached the disk after all, so what the listener
    // learnt from the writes alone no longer describes the store.
    virtual void Reopened() = 0;
  };
  // Borrowed, until removed; several may listen (two engines over one
  // store, as a test's restart makes). Once RemoveWriteListener returns,
  // the listener is called no more, so its owner may go.
  void AddWriteListener(WriteListener* listener) {
    absl::MutexLock lock(&listener_mu_);
    write_listeners_.push_back(listener);
  }
  void RemoveWriteListener(WriteListener* listener) {
    absl::MutexLock lock(&listener_mu_);
    write_listeners_.erase(
        std::remove(write_listeners_.begin(), write_listeners_.end(), listener),
        write_listeners_.end());
  }

  // Called by Commit with each batch before it is queued, on the caller's
  // thread; may add to it, so that what it adds is written in the same
  // atomic write (relay/peer_records.h). Must be thread-safe. Set once,
  // before the first write.
  void SetCommitHook(std::function<void(StoreBatch*)> hook) {
    commit_hook_ = std::move(hook);
  }

  // Seals the sealed puts (StoreBatch::PutSealed) of each group write, once
  // per group, before it is written. Borrowed; must outlive the writes that
  // use it. Without one, a group with sealed puts fails (INTERNAL).
  void SetGroupSealer(const GroupSealer* sealer) { sealer_.store(sealer); }

  // A fresh, increasing outbox sequence number (persisted with the writes
  // that use it).
  uint64_t NextSeq() { return ++seq_; }

  // The running total of the batches' counted puts and deletes (the outbox
  // counts the bytes of the reports it holds: Outbox::RecountBacklog), kept
  // in memory and written with every write, in the same atomic batch, so that
  // it never drifts from what the store holds and needs no scan at start.
  uint64_t backlog_bytes() const { return backlog_.load(); }
  // False when the store has no tally yet (created by an older version, or
  // repaired): the owner of the counted keys recounts (SetBacklog).
  bool backlog_known() const { return backlog_known_.load(); }
  // Replaces the tally, durably. Only before the first counted write.
  absl::Status SetBacklog(uint64_t bytes);

  // What a backup counts an entry as (v1::BackupTrailer), by its key.
  enum class EntryKind { kOther, kReport, kWaiting };
  static EntryKind KindOf(absl::string_view key);

  // Key builders: shorthands for relay/store/keys.h, kept for callers.
  static std::string ReportKey(const std::string& report_id) {
    return keys::Report(report_id);
  }
  static std::string ForwardingKey(const std::string& report_id,
                                   const std::string& upstream) {
    return keys::Forwarding(report_id, upstream);
  }
  static std::string ConflictKey(const std::string& report_id, uint64_t seq) {
    return keys::Conflict(report_id, seq);
  }
  static std::string EventKey(const std::string& event_id) {
    return keys::Event(event_id);
  }
  // Index of reports by the time this node received them.
  static std::string RecentKey(absl::Time received,
                               const std::string& report_id) {
    return keys::Recent(received, report_id);
  }
  static std::string RecentPrefix() { return keys::kRecent; }

 private:
  struct Pending {
    StoreBatch batch;
    std::function<void(absl::Status)> done;
  };

  // Where ScanQueue starts for one prefix. Every key under the prefix below
  // `key` is deleted; puts lower it before they are written, and a scan
  // raises it only if no put under the prefix could have been invisible to
  // it.
  struct QueueFloor {
    std::string key;  // empty: the start of the prefix
    // The smallest key under the prefix of the write in progress (not yet
    // visible to a scan); empty: none.
    std::string writing;
    // The smallest key that may be invisible to the latest scan: put by the
    // write in progress when it began, or since.
    std::string put_since_read;
    uint64_t read = 0;  // the latest scan
  };

  // Open starts the writer once the counters are read.
  ReportStore(std::string dir, std::unique_ptr<leveldb::DB> db,
              std::unique_ptr<leveldb::Cache> block_cache,
              const Options& options);
  static absl::StatusOr<ScrubResult> ScrubAndRepair(const std::string& dir,
                                                    const Options& options);
  void WriterLoop();
  // See Options::release_idle_after. On the writer thread.
  void ReleaseIdleMemory();
  // Fills in the sealed puts of `group` from one seal over all of them. The
  // error fails this group's commits only: nothing was written.
  absl::Status SealGroup(std::vector<Pending>* group) const;
  // The tally after `group` is applied to `db`, from `before`.
  static uint64_t Tally(leveldb::DB* db, const std::vector<Pending>& group,
                        uint64_t before);
  // Reads `key` into `*value`: false when it is absent.
  absl::StatusOr<bool> Read(const std::string& key, std::string* value) const;
  // Reads m/seq and m/backlog after an open.
  absl::Status ReadCounters();
  // A put of `key` is about to be written: no floor may stay above it.
  void LowerFloors(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Every value under `prefix`, decoded, in key order.
  template <typename Message>
  absl::StatusOr<std::vector<Message>> ReadAll(const std::string& prefix) const;
  // The database for one read or write, held open until Unpin; UNAVAILABLE
  // while it is reopened or closed.
  absl::StatusOr<leveldb::DB*> Pin() const;
  void Unpin() const;

  // Constant after construction.
  const std::string dir_;
  const Options options_;
  // LevelDB's block cache, kept across a reopen (Recover), so that
  // ReleaseIdleMemory can empty it.
  const std::unique_ptr<leveldb::Cache> block_cache_;

  std::atomic<uint64_t> seq_;
  std::atomic<uint64_t> feed_cursor_{0};
  std::function<void(const std::vector<v1::FeedItem>&)> feed_listener_;
  std::function<void(StoreBatch*)> commit_hook_;
  std::atomic<const GroupSealer*> sealer_{nullptr};
  // Held (shared) while the listeners are called, so that
  // RemoveWriteListener waits for a call under way.
  absl::Mutex listener_mu_;
  std::vector<WriteListener*> write_listeners_ ABSL_GUARDED_BY(listener_mu_);
  // Written by the writer thread (and SetBacklog, before it has counted).
  std::atomic<uint64_t> backlog_{0};
  std::atomic<bool> backlog_known_{false};

  // Readers and the writer pin the database (without holding a lock while
  // they use it, so reads may nest); Recover waits until none does.
  mutable absl::Mutex db_mu_;
  std::unique_ptr<leveldb::DB> db_ ABSL_GUARDED_BY(db_mu_);
  mutable int pins_ ABSL_GUARDED_BY(db_mu_) = 0;
  bool reopening_ ABSL_GUARDED_BY(db_mu_) = false;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The writer is applying a group.
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  // Why writes are stopped; OK while they work.
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  // By prefix (ScanQueue).
  mutable absl::flat_hash_map<std::string, QueueFloor> floors_
      ABSL_GUARDED_BY(mu_);

  std::thread writer_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STORE_REPORT_STORE_H_
