#ifndef KUAIBAO_TESTS_BENCH_SYNCED_DB_H_
#define KUAIBAO_TESTS_BENCH_SYNCED_DB_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace leveldb {
class DB;
}  // namespace leveldb

namespace kuaibao::bench {

// LevelDB used directly, with the options the node's store uses and every
// write synced: the disk's physical limit for the node's writes, with
// nothing of ours in between (no writer thread, no serialization). The
// benchmarks' one use of LevelDB outside relay/store/. Not thread-safe.
class SyncedDb {
 public:
  // Opens (creating) a database in `dir`.
  static absl::StatusOr<std::unique_ptr<SyncedDb>> Open(const std::string& dir);
  ~SyncedDb();

  // One synced write of one record; how long it took.
  absl::StatusOr<absl::Duration> Put(const std::string& key,
                                     const std::string& value);
  // One synced write of `records` records (keys `prefix`<n>); how long it
  // took.
  absl::StatusOr<absl::Duration> PutBatch(const std::string& prefix,
                                          size_t records,
                                          const std::string& value);

  // How long LevelDB alone takes to open the database in `dir` (and close
  // it): recovery of its log and manifest.
  static absl::StatusOr<absl::Duration> TimeOpen(const std::string& dir);

 private:
  explicit SyncedDb(std::unique_ptr<leveldb::DB> db);
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_SYNCED_DB_H_
