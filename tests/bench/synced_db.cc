#include "tests/bench/synced_db.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "leveldb/db.h"
#include "leveldb/filter_policy.h"
#include "leveldb/write_batch.h"

namespace kuaibao::bench {
namespace {

// The options relay/store/report_store.cc opens its database with.
leveldb::Options StoreOptions() {
  static const leveldb::FilterPolicy* const filter =
      leveldb::NewBloomFilterPolicy(10);
  leveldb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.filter_policy = filter;
  return options;
}

absl::Status Check(const leveldb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": ", s.ToString()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SyncedDb>> SyncedDb::Open(
    const std::string& dir) {
  leveldb::DB* raw = nullptr;
  absl::Status s =
      Check(leveldb::DB::Open(StoreOptions(), dir, &raw), "open " + dir);
  if (!s.ok()) return s;
  return std::unique_ptr<SyncedDb>(
      new SyncedDb(std::unique_ptr<leveldb::DB>(raw)));
}

SyncedDb::SyncedDb(std::unique_ptr<leveldb::DB> db) : db_(std::move(db)) {}
SyncedDb::~SyncedDb() = default;

absl::StatusOr<absl::Duration> SyncedDb::Put(const std::string& key,
                                             const std::string& value) {
  leveldb::WriteOptions options;
  options.sync = true;
  absl::Time start = absl::Now();
  absl::Status s = Check(db_->Put(options, key, value), "put");
  if (!s.ok()) return s;
  return absl::Now() - start;
}

absl::StatusOr<absl::Duration> SyncedDb::PutBatch(const std::string& prefix,
                                                  size_t records,
                                                  const std::string& value) {
  leveldb::WriteOptions options;
  options.sync = true;
  leveldb::WriteBatch batch;
  for (size_t i = 0; i < records; ++i) {
    batch.Put(absl::StrCat(prefix, i), value);
  }
  absl::Time start = absl::Now();
  absl::Status s = Check(db_->Write(options, &batch), "batch write");
  if (!s.ok()) return s;
  return absl::Now() - start;
}

absl::StatusOr<absl::Duration> SyncedDb::TimeOpen(const std::string& dir) {
  leveldb::Options options = StoreOptions();
  options.create_if_missing = false;
  absl::Time start = absl::Now();
  leveldb::DB* raw = nullptr;
  absl::Status s = Check(leveldb::DB::Open(options, dir, &raw), "open " + dir);
  if (!s.ok()) return s;
  delete raw;
  return absl::Now() - start;
}

}  // namespace kuaibao::bench
