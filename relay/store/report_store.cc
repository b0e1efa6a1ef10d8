#include "relay/store/report_store.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/filter_policy.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/write_batch.h"

namespace kuaibao {
namespace {

constexpr char kSeqKey[] = "m/seq";
constexpr char kOutboxPrefix[] = "o/";

// The one place leveldb::Status becomes absl::Status.
absl::Status FromLevelDb(const leveldb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  // An I/O error here is most often a full disk or a lost device.
  return absl::UnavailableError(message);
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

std::string ReportStore::ReportKey(const std::string& report_id) {
  return absl::StrCat("r/", report_id);
}

std::string ReportStore::ForwardingKey(const std::string& report_id,
                                       const std::string& upstream) {
  // '\x01' cannot occur in a valid report id, so one report's forwardings
  // never interleave with another id that shares a prefix.
  return absl::StrCat("f/", report_id, "\x01", upstream);
}

std::string ReportStore::OutboxKey(const std::string& upstream, int priority,
                                   uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%d%016" PRIx64, priority, seq);
  return absl::StrCat("o/", upstream, "/", buf);
}

std::string ReportStore::HeldKey(const std::string& outbox_key) {
  return absl::StrCat("h", outbox_key.substr(1));
}

std::string ReportStore::ConflictKey(const std::string& report_id,
                                     uint64_t seq) {
  // '\x01' as in ForwardingKey: ids that share a prefix never interleave.
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, seq);
  return absl::StrCat("x/", report_id, "\x01", buf);
}

std::string ReportStore::EventKey(const std::string& event_id) {
  return absl::StrCat("e/", event_id);
}

std::string ReportStore::RecentKey(absl::Time received,
                                   const std::string& report_id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64,
                static_cast<uint64_t>(absl::ToUnixMicros(received)));
  return absl::StrCat(RecentPrefix(), buf, "/", report_id);
}

absl::Status ReportStore::Scan(
    const std::string& prefix, const std::string& from,
    const std::function<bool(const std::string&, const std::string&)>& fn)
    const {
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options));
  for (it->Seek(from.empty() ? prefix : from);
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!fn(it->key().ToString(), it->value().ToString())) break;
  }
  return FromLevelDb(it->status(), absl::StrCat("scan ", prefix));
}

absl::StatusOr<std::unique_ptr<ReportStore>> ReportStore::Open(
    const std::string& dir, const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create data directory '", dir, "': ", ec.message()));
  }
  leveldb::Options db_options;
  db_options.create_if_missing = true;
  // Detect damage instead of silently dropping records (LevelDB's default).
  db_options.paranoid_checks = true;
  if (options.env != nullptr) db_options.env = options.env;
  // Most reads are for ids that are not there (every new report is checked
  // for a duplicate first): without a filter each such read opens a data
  // block in every level that might hold the id.
  std::unique_ptr<const leveldb::FilterPolicy> filter(
      leveldb::NewBloomFilterPolicy(10));
  db_options.filter_policy = filter.get();
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(db_options, dir, &raw);
  if (!s.ok()) {
    if (s.IsCorruption()) {
      return absl::DataLossError(absl::StrCat(
          "the data in '", dir, "' is damaged (", s.ToString(),
          "). The node will not start on damaged data. Move the directory "
          "aside, run `kuaibao-node --repair --config FILE` on a copy, and see "
          "README 'Repairing a damaged store'."));
    }
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory '", dir,
                       "' is in use by another process (", s.ToString(), ")"));
    }
    return FromLevelDb(s, absl::StrCat("open ", dir));
  }
  std::unique_ptr<leveldb::DB> db(raw);
  uint64_t seq = 0;
  std::string value;
  s = db->Get(leveldb::ReadOptions(), kSeqKey, &value);
  if (s.ok()) {
    if (!absl::SimpleAtoi(value, &seq)) {
      return absl::DataLossError(absl::StrCat("bad ", kSeqKey, " in ", dir));
    }
  } else if (!s.IsNotFound()) {
    return FromLevelDb(s, "read sequence");
  }
  return std::unique_ptr<ReportStore>(
      new ReportStore(std::move(filter), std::move(db), options, seq));
}

ReportStore::ReportStore(std::unique_ptr<const leveldb::FilterPolicy> filter,
                         std::unique_ptr<leveldb::DB> db,
                         const Options& options, uint64_t seq)
    : filter_(std::move(filter)),
      db_(std::move(db)),
      options_(options),
      seq_(seq) {
  writer_ = std::thread([this] { WriterLoop(); });
}

ReportStore::~ReportStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
}

void ReportStore::Commit(StoreBatch batch,
                         std::function<void(absl::Status)> done) {
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

void ReportStore::WriterLoop() {
  leveldb::WriteOptions write_options;
  write_options.sync = options_.sync;
  for (;;) {
    std::vector<Pending> group;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ReportStore* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, and nothing left to write
      // Everything queued while the previous sync ran shares this one.
      size_t bytes = 0;
      while (!queue_.empty() &&
             (group.empty() || bytes < options_.max_group_bytes)) {
        for (const auto& [key, value] : queue_.front().batch.ops()) {
          bytes += key.size() + (value ? value->size() : 0);
          // Before the write, so that no read can see the entry yet miss it.
          if (value && absl::StartsWith(key, kOutboxPrefix)) LowerFloor(key);
        }
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
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
    batch.Put(kSeqKey, absl::StrCat(seq_.load()));
    absl::Status status =
        FromLevelDb(db_->Write(write_options, &batch), "store write");
    {
      absl::MutexLock lock(&mu_);
      for (auto& [upstream, floor] : floors_) floor.writing.clear();
    }
    for (Pending& pending : group) pending.done(status);
  }
}

absl::StatusOr<StoredReport> ReportStore::GetReport(
    const std::string& report_id) const {
  std::string key = ReportKey(report_id);
  std::string value;
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;
  leveldb::Status s = db_->Get(read_options, key, &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no report ", report_id));
  }
  if (!s.ok()) return FromLevelDb(s, absl::StrCat("read ", key));
  StoredReport stored;
  absl::Status parsed = ParseValue(key, value, &stored);
  if (!parsed.ok()) return parsed;
  return stored;
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
  return ReadAll<Forwarding>(absl::StrCat("f/", report_id, "\x01"));
}

absl::StatusOr<std::vector<ConflictRecord>> ReportStore::GetConflicts(
    const std::string& report_id) const {
  return ReadAll<ConflictRecord>(absl::StrCat("x/", report_id, "\x01"));
}

void ReportStore::LowerFloor(const std::string& key) {
  constexpr size_t kFrom = sizeof(kOutboxPrefix) - 1;
  OutboxFloor& f = floors_[key.substr(kFrom, key.find('/', kFrom) - kFrom)];
  auto lower = [&key](std::string* to) {
    if (to->empty() || key < *to) *to = key;
  };
  if (key < f.key) f.key = key;
  lower(&f.writing);
  lower(&f.put_since_read);
}

absl::StatusOr<std::vector<OutboxEntry>> ReportStore::PeekOutbox(
    const std::string& upstream, size_t max,
    const absl::flat_hash_set<std::string>& skip) const {
  if (max == 0) return std::vector<OutboxEntry>();
  const std::string prefix = absl::StrCat(kOutboxPrefix, upstream, "/");
  std::string start;
  uint64_t read;
  {
    absl::MutexLock lock(&mu_);
    OutboxFloor& floor = floors_[upstream];
    read = ++floor.read;
    // What is being written now may not be in this read's snapshot.
    floor.put_since_read = floor.writing;
    start = floor.key.empty() ? prefix : floor.key;
  }
  std::vector<OutboxEntry> result;
  std::string first_live;
  std::unique_ptr<leveldb::Iterator> it(
      db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(start);
       result.size() < max && it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (first_live.empty()) first_live = it->key().ToString();
    std::string id = it->value().ToString();
    if (skip.contains(id)) continue;
    result.push_back(OutboxEntry{it->key().ToString(), std::move(id)});
  }
  absl::Status s = FromLevelDb(it->status(), "read outbox");
  if (!s.ok()) return s;
  // Nothing live: every outbox key there is now is deleted.
  std::string floor_key = first_live.empty() ? prefix + '\xff' : first_live;
  {
    absl::MutexLock lock(&mu_);
    OutboxFloor& floor = floors_[upstream];
    // A later read knows better; entries put while this one ran may lie
    // below what it found.
    if (floor.read == read) {
      if (!floor.put_since_read.empty() && floor.put_since_read < floor_key) {
        floor_key = floor.put_since_read;
      }
      floor.key = std::move(floor_key);
    }
  }
  return result;
}

absl::StatusOr<size_t> ReportStore::OutboxSize(
    const std::string& upstream) const {
  std::string prefix = absl::StrCat("o/", upstream, "/");
  size_t n = 0;
  std::unique_ptr<leveldb::Iterator> it(
      db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ++n;
  }
  absl::Status s = FromLevelDb(it->status(), "read outbox");
  if (!s.ok()) return s;
  return n;
}

absl::StatusOr<std::vector<StoredReport>> ReportStore::ListReports(
    const std::string& after_id, size_t limit,
    const std::function<bool(const StoredReport&)>& filter) const {
  const std::string prefix = "r/";
  std::vector<StoredReport> result;
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options));
  it->Seek(after_id.empty() ? prefix : ReportKey(after_id));
  if (!after_id.empty() && it->Valid() && it->key() == ReportKey(after_id)) {
    it->Next();
  }
  for (; result.size() < limit && it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    StoredReport stored;
    absl::Status parsed =
        ParseValue(it->key().ToString(), it->value().ToString(), &stored);
    if (!parsed.ok()) return parsed;
    if (filter && !filter(stored)) continue;
    result.push_back(std::move(stored));
  }
  absl::Status s = FromLevelDb(it->status(), "list reports");
  if (!s.ok()) return s;
  return result;
}

}  // namespace kuaibao
