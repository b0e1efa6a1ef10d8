#include "relay/store/report_store.h"

#include <malloc.h>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/filter_policy.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/write_batch.h"
#include "relay/base/log.h"
#include "relay/base/status_macros.h"
#include "relay/store/pread_env.h"

namespace kuaibao {
namespace {

constexpr char kRepairHint[] =
    "Stop the node and run `kuaibao-node --repair --config FILE` (README "
    "'Repairing a damaged store').";

// The one place leveldb::Status becomes absl::Status.
absl::Status FromLevelDb(const leveldb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) {
    return absl::DataLossError(
        absl::StrCat(message, ". The store is damaged. ", kRepairHint));
  }
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  // LevelDB's Env reports errno as text; ENOSPC is the one that means "free
  // some space and it will work again".
  if (absl::StrContains(message, "No space left on device")) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the disk is full: ", message));
  }
  return absl::UnavailableError(message);
}

// What a failed write tells the callers waiting on it. A write failing is
// never the report's fault: a table file LevelDB cannot find, or anything
// else it rejects, means "not now" to the sender (UNAVAILABLE, resent), not
// "never" (NOT_FOUND, INVALID_ARGUMENT: the sender would hold the report).
// A full disk (RESOURCE_EXHAUSTED) and damage (DATA_LOSS) keep their codes.
absl::Status WriteFailure(const leveldb::Status& s) {
  absl::Status status = FromLevelDb(s, "store write");
  if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) {
    return absl::UnavailableError(status.message());
  }
  return status;
}

// True when `dir` holds LevelDB data files but no CURRENT file. LevelDB would
// then create a new, empty database and delete the old tables as obsolete.
bool DataWithoutCurrent(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    return false;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".ldb") || absl::EndsWith(name, ".sst") ||
        absl::StartsWith(name, "MANIFEST-") ||
        (absl::EndsWith(name, ".log") && name != "LOG")) {
      return true;
    }
  }
  return false;
}

// LevelDB's default size for its block cache.
constexpr size_t kBlockCacheBytes = 8 << 20;

// LevelDB's memtable (DbOptions).
constexpr size_t kWriteBufferBytes = 16 << 20;

// The bloom filter's size per key (DbOptions).
constexpr int kBloomBitsPerKey = 24;

// `block_cache`: nullptr = one of LevelDB's own for this open.
leveldb::Options DbOptions(const ReportStore::Options& options,
                           leveldb::Cache* block_cache = nullptr) {
  leveldb::Options db_options;
  db_options.block_cache = block_cache;
  db_options.create_if_missing = true;
  // Detect damage instead of silently dropping records (LevelDB's default).
  db_options.paranoid_checks = true;
  // Table files are read, not mapped (relay/store/pread_env.h).
  db_options.env = options.env != nullptr ? options.env : PreadEnv();
  // Most reads are for ids that are not there (every new report is checked
  // for a duplicate first): without a filter each such read opens a data
  // block in every table that might hold the id. At 24 bits a key a table
  // answers "maybe" for an absent id about once in 10^5 probes, against
  // about once in 120 at 10 bits (tests/bench/README.md, "The dedup read of
  // a new id"); a table's filter stays in memory while the table is open, 3
  // bytes a key. Tables written with another setting keep theirs. One for
  // the process: it must outlive every database opened with it.
  static const leveldb::FilterPolicy* const bloom =
      leveldb::NewBloomFilterPolicy(kBloomBitsPerKey);
  db_options.filter_policy = bloom;
  // Reports from the same townships sit side by side in a table and repeat
  // the same names, codes and hop fields (when this was measured each
  // receipt also carried its signer's certificates; they are now stored
  // once, relay/signer_chains.h). Snappy finds repeats only within one
  // block: 16 KiB blocks instead of LevelDB's 4 KiB stored the throughput
  // scenario's province in 80 instead of 105 MB, for a point
  // read that decodes 16 instead of 4 KiB when the block is not cached
  // (tests/bench/README.md, "What the store costs").
  db_options.block_size = 16 << 10;
  // Report ids are random, so every level-0 table spans the whole key range
  // and each compaction into level 1 rewrites all of it: the fewer level-0
  // tables, the less LevelDB rewrites and recompresses. 16 MiB memtables
  // instead of LevelDB's 4 cut every node's CPU per report by 11-19 % and
  // raised the 4-level chain's rate by 19 % (tests/bench/README.md, "The
  // memtable's size"). An idle store still hands its memtable back
  // (Options::release_idle_after); a restart replays at most this much log.
  db_options.write_buffer_size = kWriteBufferBytes;
  return db_options;
}

// A counter kept under `key`; nullopt when there is none.
absl::StatusOr<std::optional<uint64_t>> ReadCounter(leveldb::DB* db,
                                                    const char* key,
                                                    const std::string& dir) {
  std::string value;
  leveldb::Status s = db->Get(leveldb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromLevelDb(s, absl::StrCat("read ", key));
  uint64_t n = 0;
  if (!absl::SimpleAtoi(value, &n)) {
    return absl::DataLossError(absl::StrCat("bad ", key, " in ", dir));
  }
  return n;
}

absl::Status NotOpen() {
  return absl::UnavailableError(
      "the store is closed while it recovers from a failed write");
}

absl::Status NoReport(const std::string& report_id) {
  return absl::NotFoundError(absl::StrCat("no report ", report_id));
}

// The event id in an encoded StoredReport, as a full parse would set it: the
// last `event_id` in any of its `report` fields (a message field that occurs
// twice is merged, and the last value of a string wins). The rest is stepped
// over, not decoded: only the framing on the way is checked, so a value
// damaged elsewhere shows in the reads that decode it. False when the
// framing breaks.
bool ScanEventId(absl::string_view encoded, std::string* event_id) {
  using google::protobuf::internal::WireFormatLite;
  constexpr uint32_t kReportTag =
      WireFormatLite::MakeTag(StoredReport::kReportFieldNumber,
                              WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  constexpr uint32_t kEventIdTag =
      WireFormatLite::MakeTag(IncidentReport::kEventIdFieldNumber,
                              WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(encoded.data()),
      static_cast<int>(encoded.size()));
  for (uint32_t tag = in.ReadTag(); tag != 0; tag = in.ReadTag()) {
    if (tag != kReportTag) {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    uint32_t length = 0;
    // A stream over an array is limited to the array already, so a limit
    // pushed past its end would end at it, quietly: checked here.
    if (!in.ReadVarint32(&length) ||
        length > static_cast<uint32_t>(in.BytesUntilLimit())) {
      return false;
    }
    const auto limit = in.PushLimit(static_cast<int>(length));
    for (uint32_t inner = in.ReadTag(); inner != 0; inner = in.ReadTag()) {
      const bool read = inner == kEventIdTag
                            ? WireFormatLite::ReadString(&in, event_id)
                            : WireFormatLite::SkipField(&in, inner);
      if (!read) return false;
    }
    // Ended at the limit, not at a zero tag.
    if (!in.ConsumedEntireMessage()) return false;
    in.PopLimit(limit);
  }
  return in.ConsumedEntireMessage();
}

template <typename Message>
absl::Status ParseValue(const std::string& key, const std::string& value,
                        Message* out) {
  if (!out->ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("stored value of ", key, " does not decode"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReportStore>> ReportStore::Open(
    const std::string& dir, const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create data directory '", dir, "': ", ec.message()));
  }
  if (DataWithoutCurrent(dir)) {
    return absl::DataLossError(absl::StrCat(
        "the data directory '", dir,
        "' holds store files but no CURRENT file (a crash while it was being "
        "replaced, or an incomplete copy); opening it would start an empty "
        "store over the old one. ",
        kRepairHint));
  }
  leveldb::DB* raw = nullptr;
  std::unique_ptr<leveldb::Cache> block_cache(
      leveldb::NewLRUCache(kBlockCacheBytes));
  leveldb::Status s =
      leveldb::DB::Open(DbOptions(options, block_cache.get()), dir, &raw);
  if (!s.ok()) {
    if (s.IsCorruption()) {
      return absl::DataLossError(absl::StrCat(
          "the data in '", dir, "' is damaged (", s.ToString(),
          "). The node does not start on damaged data. Run `kuaibao-node "
          "--repair --config FILE`: it keeps a copy of the directory, "
          "rebuilds the store from what is readable, lists what it recovered "
          "and queues again for the parent every report without a recorded "
          "receipt (README 'Repairing a damaged store')."));
    }
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory '", dir,
                       "' is in use by another process (", s.ToString(), ")"));
    }
    return FromLevelDb(s, absl::StrCat("open ", dir));
  }
  std::unique_ptr<ReportStore> store(new ReportStore(
      dir, std::unique_ptr<leveldb::DB>(raw), std::move(block_cache), options));
  RETURN_IF_ERROR(store->ReadCounters());
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

absl::Status ReportStore::ReadCounters() {
  absl::MutexLock db_lock(&db_mu_);
  ASSIGN_OR_RETURN(std::optional<uint64_t> seq,
                   ReadCounter(db_.get(), keys::kSeq, dir_));
  // Numbers handed out for writes that failed are simply skipped.
  if (seq && *seq > seq_.load()) seq_.store(*seq);
  ASSIGN_OR_RETURN(std::optional<uint64_t> feed,
                   ReadCounter(db_.get(), keys::kFeedCursor, dir_));
  feed_cursor_.store(feed.value_or(0));
  ASSIGN_OR_RETURN(std::optional<uint64_t> backlog,
                   ReadCounter(db_.get(), keys::kBacklog, dir_));
  backlog_.store(backlog.value_or(0));
  backlog_known_.store(backlog.has_value());
  return absl::OkStatus();
}

absl::Status ReportStore::SetBacklog(uint64_t bytes) {
  backlog_.store(bytes);
  backlog_known_.store(true);
  return CommitAndWait(StoreBatch());  // writes the tally
}

uint64_t ReportStore::Tally(leveldb::DB* db, const std::vector<Pending>& group,
                            uint64_t before) {
  int64_t delta = 0;
  absl::flat_hash_set<std::string> put, deleted;
  for (const Pending& pending : group) {
    for (const StoreBatch::Counted& c : pending.batch.counted()) {
      if (c.put) {
        if (put.insert(c.key).second) delta += static_cast<int64_t>(c.bytes);
        deleted.erase(c.key);
        continue;
      }
      std::string ignored;
      bool present = put.contains(c.key) ||
                     (!deleted.contains(c.key) &&
                      db->Get(leveldb::ReadOptions(), c.key, &ignored).ok());
      if (!present) continue;
      delta -= static_cast<int64_t>(c.bytes);
      put.erase(c.key);
      deleted.insert(c.key);
    }
  }
  if (delta < 0 && static_cast<uint64_t>(-delta) > before) return 0;
  return before + delta;
}

absl::StatusOr<ScrubResult> ReportStore::Repair(const std::string& dir,
                                                const Options& options) {
  // RepairDB does not take LevelDB's lock; a node running on the directory
  // must be stopped first.
  leveldb::Env* env =
      options.env != nullptr ? options.env : leveldb::Env::Default();
  leveldb::FileLock* lock = nullptr;
  if (!env->LockFile(dir + "/LOCK", &lock).ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory '", dir,
        "' is in use by another process; stop the node before repairing"));
  }
  absl::StatusOr<ScrubResult> result = ScrubAndRepair(dir, options);
  env->UnlockFile(lock);
  return result;
}

absl::StatusOr<ScrubResult> ReportStore::ScrubAndRepair(
    const std::string& dir, const Options& options) {
  ScrubResult total;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!absl::EndsWith(name, ".log") || name == "LOG") continue;
    absl::StatusOr<ScrubResult> scrubbed =
        ScrubLevelDbLog(entry.path().string());
    if (!scrubbed.ok()) return scrubbed.status();
    total.records_kept += scrubbed->records_kept;
    total.records_dropped += scrubbed->records_dropped;
    total.bytes_dropped += scrubbed->bytes_dropped;
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot list '", dir, "': ", ec.message()));
  }
  absl::Status repaired = FromLevelDb(
      leveldb::RepairDB(dir, DbOptions(options)), absl::StrCat("repair ", dir));
  if (!repaired.ok()) return repaired;
  return total;
}

ReportStore::ReportStore(std::string dir, std::unique_ptr<leveldb::DB> db,
                         std::unique_ptr<leveldb::Cache> block_cache,
                         const Options& options)
    : dir_(std::move(dir)),
      options_(options),
      block_cache_(std::move(block_cache)),
      seq_(0),
      db_(std::move(db)) {}

ReportStore::~ReportStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
}

void ReportStore::Commit(StoreBatch batch,
                         std::function<void(absl::Status)> done) {
  if (commit_hook_) commit_hook_(&batch);
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(batch), std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("store is shutting down"));
}

absl::Status ReportStore::CommitAndWait(StoreBatch batch) {
  absl::Notification written;
  absl::Status result;
  Commit(std::move(batch), [&](absl::Status s) {
    result = std::move(s);
    written.Notify();
  });
  written.WaitForNotification();
  return result;
}

absl::Status ReportStore::WriteHealth() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

absl::Status ReportStore::Recover() {
  {
    absl::MutexLock lock(&mu_);
    if (failure_.ok()) return absl::OkStatus();
    // Let the writer fail what was queued behind the failed write, so that
    // nothing queued before the reopen is written after it.
    mu_.Await(absl::Condition(
        +[](ReportStore* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
          return self->queue_.empty() && !self->writing_;
        },
        this));
  }
  absl::Status reopened;
  {
    absl::MutexLock db_lock(&db_mu_);
    reopening_ = true;
    db_mu_.Await(absl::Condition(
        +[](ReportStore* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->db_mu_) {
          return self->pins_ == 0;
        },
        this));
    db_.reset();
    leveldb::DB* raw = nullptr;
    reopened = FromLevelDb(
        leveldb::DB::Open(DbOptions(options_, block_cache_.get()), dir_, &raw),
        absl::StrCat("reopen ", dir_));
    if (reopened.ok()) db_.reset(raw);
    reopening_ = false;
  }
  // A write reported failed may have reached the disk after all: the tally
  // is what the reopened store says.
  if (reopened.ok()) reopened = ReadCounters();
  if (reopened.ok()) {
    absl::ReaderMutexLock listening(&listener_mu_);
    for (WriteListener* listener : write_listeners_) listener->Reopened();
  }
  absl::MutexLock lock(&mu_);
  if (!reopened.ok()) {
    failure_ = absl::Status(
        reopened.code(),
        absl::StrCat("the store stopped writing after a failed write and "
                     "cannot reopen yet: ",
                     reopened.message()));
    return failure_;
  }
  failure_ = absl::OkStatus();
  return failure_;
}

void ReportStore::WriterLoop() {
  leveldb::WriteOptions write_options;
  write_options.sync = options_.sync;
  bool written_since_release = false;
  bool release = false;
  for (;;) {
    if (release) {
      ReleaseIdleMemory();
      written_since_release = release = false;
    }
    std::vector<Pending> group;
    absl::Status status;
    {
      absl::MutexLock lock(&mu_);
      const absl::Condition work(
          +[](ReportStore* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->queue_.empty();
          },
          this);
      // A store that failed a write is left as it is until Recover.
      if (!written_since_release || !failure_.ok() ||
          options_.release_idle_after <= absl::ZeroDuration()) {
        mu_.Await(work);
      } else if (!mu_.AwaitWithTimeout(work, options_.release_idle_after)) {
        release = true;  // once the lock is let go
        continue;
      }
      if (queue_.empty()) return;  // stopping, and nothing left to write
      // Everything queued while the previous sync ran shares this one.
      size_t bytes = 0;
      while (!queue_.empty() &&
             (group.empty() || bytes < options_.max_group_bytes)) {
        for (const auto& [key, value] : queue_.front().batch.ops()) {
          bytes += key.size() + (value ? value->size() : 0);
          // Before the write, so that no scan can see the key yet miss it.
          if (value && !floors_.empty()) LowerFloors(key);
        }
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      status = failure_;
      writing_ = true;
    }
    written_since_release = true;
    std::vector<v1::FeedItem> recorded;
    absl::Status sealed = status.ok() ? SealGroup(&group) : absl::OkStatus();
    if (!sealed.ok()) {
      Log(LogLevel::kError, "cannot seal a group write; its writes fail",
          {{"reason", std::string(sealed.message())}});
      status = sealed;
    } else if (status.ok()) {
      leveldb::WriteBatch batch;
      for (const Pending& pending : group) {
        for (const auto& [key, value] : pending.batch.ops()) {
          if (value) {
            batch.Put(key, *value);
          } else {
            batch.Delete(key);
          }
        }
      }
      // Every sequence number handed out so far precedes this write.
      batch.Put(keys::kSeq, absl::StrCat(seq_.load()));
      // Feed cursors are given here, on the one writer thread, so that they
      // follow commit order and a failed write uses none.
      uint64_t cursor = feed_cursor_.load();
      for (Pending& pending : group) {
        for (const v1::FeedItem& item : pending.batch.feed()) {
          v1::FeedItem& numbered = recorded.emplace_back(item);
          numbered.set_cursor(++cursor);
          batch.Put(keys::FeedItem(cursor), numbered.SerializeAsString());
        }
      }
      if (!recorded.empty()) batch.Put(keys::kFeedCursor, absl::StrCat(cursor));
      absl::StatusOr<leveldb::DB*> db = Pin();
      if (db.ok()) {
        const bool counting = backlog_known_.load();
        const uint64_t backlog =
            counting ? Tally(*db, group, backlog_.load()) : 0;
        if (counting) batch.Put(keys::kBacklog, absl::StrCat(backlog));
        status = WriteFailure((*db)->Write(write_options, &batch));
        Unpin();
        if (status.ok() && counting) backlog_.store(backlog);
        if (status.ok() && !recorded.empty()) {
          feed_cursor_.store(cursor);
          if (feed_listener_) feed_listener_(recorded);
        }
        if (status.ok()) {
          absl::ReaderMutexLock listening(&listener_mu_);
          for (WriteListener* listener : write_listeners_) {
            for (const Pending& pending : group)
              listener->Written(pending.batch);
          }
        }
      } else {
        status = db.status();
      }
      if (!status.ok()) {
        Log(LogLevel::kError,
            "store write failed; refusing writes until "
            "the store is reopened",
            {{"code", absl::StatusCodeToString(status.code())},
             {"reason", std::string(status.message())}});
        absl::MutexLock lock(&mu_);
        failure_ = status;
      }
    }
    {
      absl::MutexLock lock(&mu_);
      for (auto& [prefix, floor] : floors_) floor.writing.clear();
    }
    for (Pending& pending : group) pending.done(status);
    absl::MutexLock lock(&mu_);
    writing_ = false;
  }
}

void ReportStore::ReleaseIdleMemory() {
  absl::StatusOr<leveldb::DB*> db = Pin();
  if (!db.ok()) return;
  // LevelDB has no call that only writes the memtable out; a manual
  // compaction does that first, and one of a range no key can be in (every
  // key starts with a letter, relay/store/keys.h) does nothing more.
  const leveldb::Slice none("\0", 1);
  (*db)->CompactRange(&none, &none);
  Unpin();
  block_cache_->Prune();
  malloc_trim(0);
}

ReportStore::EntryKind ReportStore::KindOf(absl::string_view key) {
  if (absl::StartsWith(key, keys::kReports)) return EntryKind::kReport;
  if (absl::StartsWith(key, keys::kQueued)) return EntryKind::kWaiting;
  return EntryKind::kOther;
}

absl::Status ReportStore::SealGroup(std::vector<Pending>* group) const {
  std::vector<std::string> leaves;
  for (const Pending& pending : *group) pending.batch.SealedLeaves(&leaves);
  if (leaves.empty()) return absl::OkStatus();
  const GroupSealer* sealer = sealer_.load();
  if (sealer == nullptr) {
    return absl::InternalError("sealed writes, but the store has no sealer");
  }
  const size_t count = leaves.size();
  absl::StatusOr<std::vector<v1::BatchInclusion>> proofs =
      sealer->Seal(std::move(leaves));
  if (!proofs.ok()) return proofs.status();
  if (proofs->size() != count) {
    return absl::InternalError("the sealer did not return one proof per leaf");
  }
  size_t next = 0;
  for (Pending& pending : *group) {
    for (size_t i = 0; i < pending.batch.sealed_count(); ++i) {
      pending.batch.FillSealed(i, (*proofs)[next++]);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredReport> ReportStore::GetReport(
    const std::string& report_id) const {
  const std::string key = ReportKey(report_id);
  std::string value;
  ASSIGN_OR_RETURN(bool found, Read(key, &value));
  if (!found) return NoReport(report_id);
  StoredReport stored;
  RETURN_IF_ERROR(ParseValue(key, value, &stored));
  return stored;
}

absl::StatusOr<std::string> ReportStore::GetEventOf(
    const std::string& report_id) const {
  const std::string key = ReportKey(report_id);
  std::string value;
  ASSIGN_OR_RETURN(bool found, Read(key, &value));
  if (!found) return NoReport(report_id);
  std::string event_id;
  if (!ScanEventId(value, &event_id)) {
    return absl::DataLossError(
        absl::StrCat("stored value of ", key, " does not decode"));
  }
  return event_id;
}

absl::StatusOr<std::vector<v1::FeedItem>> ReportStore::ReadFeed(
    uint64_t after, size_t limit) const {
  std::vector<v1::FeedItem> items;
  absl::Status parsed;
  RETURN_IF_ERROR(Scan(keys::kFeed, keys::FeedItem(after + 1),
                       [&](const std::string& key, const std::string& value) {
                         parsed = ParseValue(key, value, &items.emplace_back());
                         return parsed.ok() && items.size() < limit;
                       }));
  RETURN_IF_ERROR(parsed);
  return items;
}

absl::StatusOr<leveldb::DB*> ReportStore::Pin() const {
  absl::MutexLock lock(&db_mu_);
  if (reopening_ || db_ == nullptr) return NotOpen();
  ++pins_;
  return db_.get();
}

void ReportStore::Unpin() const {
  absl::MutexLock lock(&db_mu_);
  --pins_;
}

absl::StatusOr<bool> ReportStore::Read(const std::string& key,
                                       std::string* value) const {
  ASSIGN_OR_RETURN(leveldb::DB * db, Pin());
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;
  leveldb::Status s = db->Get(read_options, key, value);
  Unpin();
  // Absent is the common answer (the dedup of every new report): no error
  // text is built for it.
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromLevelDb(s, absl::StrCat("read ", key));
  return true;
}

absl::StatusOr<std::string> ReportStore::Get(const std::string& key) const {
  std::string value;
  ASSIGN_OR_RETURN(bool found, Read(key, &value));
  if (!found)
    return absl::NotFoundError(absl::StrCat("read ", key, ": not found"));
  return value;
}

absl::Status ReportStore::Scan(
    const std::string& prefix, const std::string& from,
    const std::function<bool(const std::string&, const std::string&)>& fn)
    const {
  ASSIGN_OR_RETURN(leveldb::DB * db, Pin());
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;
  absl::Status status;
  {
    std::unique_ptr<leveldb::Iterator> it(db->NewIterator(read_options));
    // One buffer each for the whole scan: no allocation per entry once they
    // are as long as the longest (`fn` sees each only during its call).
    std::string key, value;
    for (it->Seek(from.empty() || from < prefix ? prefix : from);
         it->Valid() && it->key().starts_with(prefix); it->Next()) {
      key.assign(it->key().data(), it->key().size());
      value.assign(it->value().data(), it->value().size());
      if (!fn(key, value)) break;
    }
    status = FromLevelDb(it->status(), absl::StrCat("scan ", prefix));
  }
  Unpin();
  return status;
}

void ReportStore::LowerFloors(const std::string& key) {
  for (auto& [prefix, floor] : floors_) {
    if (!absl::StartsWith(key, prefix)) continue;
    auto lower = [&key](std::string* to) {
      if (to->empty() || key < *to) *to = key;
    };
    if (key < floor.key) floor.key = key;
    lower(&floor.writing);
    lower(&floor.put_since_read);
  }
}

absl::Status ReportStore::ScanQueue(
    const std::string& prefix,
    const std::function<bool(const std::string&, const std::string&)>& fn)
    const {
  std::string start;
  uint64_t read;
  {
    absl::MutexLock lock(&mu_);
    auto [it, created] = floors_.try_emplace(prefix);
    QueueFloor& floor = it->second;
    read = ++floor.read;
    // What is being written now may not be in this scan's snapshot. A new
    // floor missed the keys of a write already under way: any of them may
    // lie anywhere under the prefix.
    floor.put_since_read = created && writing_ ? prefix : floor.writing;
    start = floor.key;
  }
  std::string first_live;
  RETURN_IF_ERROR(
      Scan(prefix, start, [&](const std::string& key, const std::string& v) {
        if (first_live.empty()) first_live = key;
        return fn(key, v);
      }));
  // Nothing live: every key there is now is deleted.
  std::string floor_key = first_live.empty() ? prefix + '\xff' : first_live;
  absl::MutexLock lock(&mu_);
  QueueFloor& floor = floors_[prefix];
  // A later scan knows better; keys put while this one ran may lie below
  // what it found.
  if (floor.read == read) {
    if (!floor.put_since_read.empty() && floor.put_since_read < floor_key) {
      floor_key = floor.put_since_read;
    }
    floor.key = std::move(floor_key);
  }
  return absl::OkStatus();
}

template <typename Message>
absl::StatusOr<std::vector<Message>> ReportStore::ReadAll(
    const std::string& prefix) const {
  std::vector<Message> result;
  absl::Status parsed;
  absl::Status scanned =
      Scan(prefix, "", [&](const std::string& key, const std::string& value) {
        Message message;
        parsed = ParseValue(key, value, &message);
        if (parsed.ok()) result.push_back(std::move(message));
        return parsed.ok();
      });
  if (!scanned.ok()) return scanned;
  if (!parsed.ok()) return parsed;
  return result;
}

absl::StatusOr<std::vector<Forwarding>> ReportStore::GetForwardings(
    const std::string& report_id) const {
  return ReadAll<Forwarding>(keys::ForwardingPrefix(report_id));
}

absl::StatusOr<std::vector<ConflictRecord>> ReportStore::GetConflicts(
    const std::string& report_id) const {
  return ReadAll<ConflictRecord>(keys::ConflictPrefix(report_id));
}

absl::StatusOr<std::vector<StoredReport>> ReportStore::ListReports(
    const std::string& after_id, size_t limit,
    const std::function<bool(const StoredReport&)>& filter) const {
  std::vector<StoredReport> result;
  absl::Status parsed;
  const std::string after = after_id.empty() ? "" : ReportKey(after_id);
  absl::Status scanned =
      Scan(keys::kReports, after,
           [&](const std::string& key, const std::string& value) {
             if (key == after) return true;
             StoredReport stored;
             parsed = ParseValue(key, value, &stored);
             if (!parsed.ok()) return false;
             if (!filter || filter(stored)) result.push_back(std::move(stored));
             return result.size() < limit;
           });
  if (!parsed.ok()) return parsed;
  if (!scanned.ok()) return scanned;
  return result;
}

}  // namespace kuaibao
