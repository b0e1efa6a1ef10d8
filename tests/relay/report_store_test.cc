#include "relay/store/report_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "leveldb/env.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::kuaibao::testing::TempDir;

StoredReport Stored(const std::string& id) {
  StoredReport s;
  s.mutable_report()->set_report_id(id);
  s.add_hops()->set_node("140105000000");
  return s;
}

// An Env whose log syncs wait at a gate while it is closed: a write is then
// in progress, on its way but not yet visible to reads. After Fail(), they
// fail with that status instead, as when the file system no longer finds a
// file LevelDB wrote (another process removed it) or rejects the call.
class GatedEnv : public leveldb::EnvWrapper {
 public:
  GatedEnv() : EnvWrapper(leveldb::Env::Default()) {}

  void Close() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  void Fail(leveldb::Status failure) {
    absl::MutexLock lock(&mu_);
    failure_ = std::move(failure);
  }
  // Waits until a sync is held at the gate.
  void AwaitHeld() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&held_));
  }

  leveldb::Status NewWritableFile(const std::string& name,
                                  leveldb::WritableFile** file) override {
    leveldb::Status s = target()->NewWritableFile(name, file);
    if (s.ok() && absl::EndsWith(name, ".log")) {
      *file = new GatedFile(*file, this);
    }
    return s;
  }

 private:
  class GatedFile : public leveldb::WritableFile {
   public:
    GatedFile(leveldb::WritableFile* file, GatedEnv* env)
        : file_(file), env_(env) {}
    leveldb::Status Append(const leveldb::Slice& data) override {
      return file_->Append(data);
    }
    leveldb::Status Close() override { return file_->Close(); }
    leveldb::Status Flush() override { return file_->Flush(); }
    leveldb::Status Sync() override {
      absl::MutexLock lock(&env_->mu_);
      env_->held_ = true;
      env_->mu_.Await(absl::Condition(&env_->open_));
      env_->held_ = false;
      return env_->failure_.ok() ? file_->Sync() : env_->failure_;
    }

   private:
    std::unique_ptr<leveldb::WritableFile> file_;
    GatedEnv* env_;
  };

  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  leveldb::Status failure_ ABSL_GUARDED_BY(mu_);
};

absl::Status PutReport(ReportStore& store, const std::string& id) {
  StoreBatch batch;
  batch.Put(ReportStore::ReportKey(id), Stored(id).SerializeAsString());
  return store.CommitAndWait(std::move(batch));
}

TEST(ReportStoreTest, StoredReportsSurviveReopen) {
  TempDir dir;
  {
    auto store = ReportStore::Open(dir.path(), {});
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(PutReport(**store, "r-1"), IsOk());
  }
  auto store = ReportStore::Open(dir.path(), {});
  ASSERT_THAT(store, IsOk());
  absl::StatusOr<StoredReport> got = (*store)->GetReport("r-1");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->report().report_id(), "r-1");
  EXPECT_THAT((*store)->GetReport("r-2"),
              StatusIs(absl::StatusCode::kNotFound));
}

// Table files are read, not mapped (relay/store/pread_env.h): a node that
// reads its history keeps none of it in its own resident memory.
TEST(ReportStoreTest, ReadsTablesWithoutMappingThem) {
  TempDir dir;
  {
    auto store = ReportStore::Open(dir.path(), {});
    ASSERT_THAT(store, IsOk());
    for (int i = 0; i < 200; ++i) {
      ASSERT_THAT(PutReport(**store, absl::StrCat("r-", i)), IsOk());
    }
  }
  // Reopened, the log is now a table file, and the reads come from it.
  auto store = ReportStore::Open(dir.path(), {});
  ASSERT_THAT(store, IsOk());
  bool has_table = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    has_table |= entry.path().extension() == ".ldb";
  }
  ASSERT_TRUE(has_table) << "nothing is read from a table file";
  for (int i = 0; i < 200; ++i) {
    ASSERT_THAT((*store)->GetReport(absl::StrCat("r-", i)), IsOk());
  }
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    EXPECT_FALSE(absl::StrContains(line, dir.path())) << line;
  }
}

// An Env that tells when LevelDB starts a table file.
class TableWatchEnv : public leveldb::EnvWrapper {
 public:
  TableWatchEnv() : EnvWrapper(leveldb::Env::Default()) {}

  // False when none was started within `patience`.
  bool AwaitTable(absl::Duration patience) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&table_), patience);
  }

  leveldb::Status NewWritableFile(const std::string& name,
                                  leveldb::WritableFile** file) override {
    if (absl::EndsWith(name, ".ldb")) {
      absl::MutexLock lock(&mu_);
      table_ = true;
    }
    return target()->NewWritableFile(name, file);
  }

 private:
  absl::Mutex mu_;
  bool table_ ABSL_GUARDED_BY(mu_) = false;
};

// An idle store writes its memtable out (Options::release_idle_after) without
// a reopen, and reads and writes go on as before.
TEST(ReportStoreTest, IdleStoreWritesItsMemtableToATableAndGoesOn) {
  TempDir dir;
  TableWatchEnv env;
  ReportStore::Options options;
  options.env = &env;
  options.release_idle_after = absl::Milliseconds(20);
  auto store = ReportStore::Open(dir.path(), options);
  ASSERT_THAT(store, IsOk());
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT(PutReport(**store, absl::StrCat("r-", i)), IsOk());
  }
  // A few KiB: far below the 4 MiB at which LevelDB writes a table itself.
  ASSERT_TRUE(env.AwaitTable(absl::Minutes(1)))
      << "the idle store kept its memtable";
  ASSERT_THAT(PutReport(**store, "r-after"), IsOk());
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT((*store)->GetReport(absl::StrCat("r-", i)), IsOk());
  }
  ASSERT_THAT((*store)->GetReport("r-after"), IsOk());
  store->reset();
  store = ReportStore::Open(dir.path(), {});
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->GetReport("r-0"), IsOk());
  EXPECT_THAT((*store)->GetReport("r-after"), IsOk());
}

// A failed write is never the report's fault: whatever LevelDB says, the
// callers hear UNAVAILABLE ("not now", resent), never NOT_FOUND or
// INVALID_ARGUMENT, which a child node takes as final and holds the report.
TEST(ReportStoreTest, AFailedWriteIsUnavailableWhateverLevelDbSays) {
  const leveldb::Status failures[] = {
      leveldb::Status::NotFound("000012.ldb", "No such file or directory"),
      leveldb::Status::InvalidArgument("rejected"),
      leveldb::Status::IOError("000003.log", "Input/output error")};
  for (const leveldb::Status& failure : failures) {
    SCOPED_TRACE(failure.ToString());
    TempDir dir;
    GatedEnv env;
    ReportStore::Options options;
    options.env = &env;
    auto store = ReportStore::Open(dir.path(), options);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(PutReport(**store, "r-1"), IsOk());
    env.Fail(failure);
    absl::Status failed = PutReport(**store, "r-2");
    EXPECT_THAT(failed, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_TRUE(absl::StrContains(failed.message(), "store write"))
        << failed.message();
    // And the writes after it are refused the same way until the store is
    // reopened.
    EXPECT_THAT(PutReport(**store, "r-3"),
                StatusIs(absl::StatusCode::kUnavailable));
  }
}

TEST(ReportStoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto first = ReportStore::Open(dir.path(), {});
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(ReportStore::Open(dir.path(), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// A queue scan skips the deleted head of the queue (the store keeps a
// floor); whatever is put later, below the floor or not, must still be
// found.
TEST(ReportStoreTest, QueueScansFindEverythingLiveAfterDeletes) {
  TempDir dir;
  auto store = *ReportStore::Open(dir.path(), {});
  auto key = [](int i) { return absl::StrCat("q/", 1000 + i); };
  StoreBatch batch;
  for (int i = 0; i < 100; ++i) batch.Put(key(i), absl::StrCat("r", i));
  ASSERT_THAT(store->CommitAndWait(std::move(batch)), IsOk());
  auto scan = [&](size_t max, absl::flat_hash_set<std::string> skip = {}) {
    std::vector<std::string> out;
    EXPECT_THAT(store->ScanQueue("q/",
                                 [&](const std::string&, const std::string& v) {
                                   if (!skip.contains(v)) out.push_back(v);
                                   return out.size() < max;
                                 }),
                IsOk());
    return out;
  };
  EXPECT_THAT(scan(1), ::testing::ElementsAre("r0"));

  // The head goes, out of order, as receipts come.
  StoreBatch acked;
  for (int i : {1, 0, 3, 2}) acked.Delete(key(i));
  ASSERT_THAT(store->CommitAndWait(std::move(acked)), IsOk());
  EXPECT_THAT(scan(1), ::testing::ElementsAre("r4"));
  // Skipped entries are not forgotten.
  EXPECT_THAT(scan(1, {"r4", "r5"}), ::testing::ElementsAre("r6"));
  EXPECT_THAT(scan(1), ::testing::ElementsAre("r4"));

  // A key below the floor (an urgent report sorts first).
  StoreBatch urgent;
  urgent.Put("q/0999", "urgent");
  ASSERT_THAT(store->CommitAndWait(std::move(urgent)), IsOk());
  EXPECT_THAT(scan(2), ::testing::ElementsAre("urgent", "r4"));

  // Everything goes; a later key, and one put back under an old key, are
  // found.
  StoreBatch all;
  all.Delete("q/0999");
  for (int i = 4; i < 100; ++i) all.Delete(key(i));
  ASSERT_THAT(store->CommitAndWait(std::move(all)), IsOk());
  EXPECT_THAT(scan(10), ::testing::IsEmpty());
  StoreBatch again;
  again.Put(key(100), "r100");
  again.Put(key(50), "r50");
  ASSERT_THAT(store->CommitAndWait(std::move(again)), IsOk());
  EXPECT_THAT(scan(10), ::testing::ElementsAre("r50", "r100"));
}

// A queue scan that runs while a key is being written does not see it; it
// must not let later scans skip it either: neither a scan that follows
// earlier ones (a floor exists) nor the first scan of the prefix (it creates
// the floor during the write).
class QueueScanDuringAWriteTest : public ::testing::TestWithParam<bool> {};

TEST_P(QueueScanDuringAWriteTest, DoesNotLoseTheKey) {
  const bool scanned_before = GetParam();
  TempDir dir;
  GatedEnv env;
  ReportStore::Options options;
  options.env = &env;
  auto store = *ReportStore::Open(dir.path(), options);
  auto count = [&] {
    size_t n = 0;
    EXPECT_THAT(store->ScanQueue("q/",
                                 [&](const std::string&, const std::string&) {
                                   ++n;
                                   return true;
                                 }),
                IsOk());
    return n;
  };
  if (scanned_before) {
    StoreBatch first;
    first.Put("q/1", "r0");
    ASSERT_THAT(store->CommitAndWait(std::move(first)), IsOk());
    ASSERT_EQ(count(), 1u);
    StoreBatch acked;
    acked.Delete("q/1");
    ASSERT_THAT(store->CommitAndWait(std::move(acked)), IsOk());
    ASSERT_EQ(count(), 0u);
  }

  env.Close();
  absl::Notification written;
  StoreBatch next;
  next.Put("q/2", "r1");
  store->Commit(std::move(next), [&](absl::Status s) {
    EXPECT_THAT(s, IsOk());
    written.Notify();
  });
  env.AwaitHeld();
  EXPECT_EQ(count(), 0u) << "not written yet";
  env.Open();
  written.WaitForNotification();
  EXPECT_EQ(count(), 1u);
}

INSTANTIATE_TEST_SUITE_P(FloorExistsOrNot, QueueScanDuringAWriteTest,
                         ::testing::Bool());

TEST(ReportStoreTest, SequenceNumbersKeepGrowingAcrossReopen) {
  TempDir dir;
  uint64_t last;
  {
    auto store = *ReportStore::Open(dir.path(), {});
    store->NextSeq();
    last = store->NextSeq();
    ASSERT_THAT(PutReport(*store, "r-1"), IsOk());
  }
  auto store = *ReportStore::Open(dir.path(), {});
  EXPECT_GT(store->NextSeq(), last);
}

TEST(ReportStoreTest, BacklogTallyCountsOnceSurvivesReopenAndIsUnknownAtFirst) {
  TempDir dir;
  {
    auto store = *ReportStore::Open(dir.path(), {});
    EXPECT_FALSE(store->backlog_known()) << "a new store has no tally yet";
    // Not counted until it is known: a recount would count these again.
    StoreBatch early;
    early.PutCounted("o/a", "1", 100);
    ASSERT_THAT(store->CommitAndWait(std::move(early)), IsOk());
    EXPECT_EQ(store->backlog_bytes(), 0u);
    ASSERT_THAT(store->SetBacklog(100), IsOk());

    StoreBatch put;
    put.PutCounted("o/b", "2", 50);
    put.PutCounted("o/c", "3", 7);
    ASSERT_THAT(store->CommitAndWait(std::move(put)), IsOk());
    EXPECT_EQ(store->backlog_bytes(), 157u);
    StoreBatch twice;
    twice.DeleteCounted("o/b", 50);
    twice.DeleteCounted("o/b", 50);
    ASSERT_THAT(store->CommitAndWait(std::move(twice)), IsOk());
    EXPECT_EQ(store->backlog_bytes(), 107u) << "one key, one subtraction";
    StoreBatch again;
    again.DeleteCounted("o/b", 50);
    again.DeleteCounted("o/never", 9);
    ASSERT_THAT(store->CommitAndWait(std::move(again)), IsOk());
    EXPECT_EQ(store->backlog_bytes(), 107u) << "absent keys subtract nothing";
  }
  auto store = *ReportStore::Open(dir.path(), {});
  EXPECT_TRUE(store->backlog_known());
  EXPECT_EQ(store->backlog_bytes(), 107u);
}

TEST(ReportStoreTest, ConcurrentCommitsAllLandAndEachIsToldOnce) {
  TempDir dir;
  auto store = *ReportStore::Open(dir.path(), {});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (PutReport(*store, absl::StrCat("r-", t, "-", i)).ok()) {
          acknowledged.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  auto all = store->ListReports("", 10000, nullptr);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(ReportStoreTest, ListPagesAfterAnId) {
  TempDir dir;
  auto store = *ReportStore::Open(dir.path(), {});
  for (const char* id : {"a", "b", "c", "d"}) {
    ASSERT_THAT(PutReport(*store, id), IsOk());
  }
  auto page = store->ListReports("b", 10, nullptr);
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].report().report_id(), "c");
}

// Flips a few bytes in the middle of every file of `dir` whose name ends
// with `suffix`.
void Damage(const std::string& dir, const std::string& suffix) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().string();
    if (name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    std::fstream file(name, std::ios::in | std::ios::out | std::ios::binary);
    auto size = std::filesystem::file_size(entry.path());
    for (auto at : {size / 3, size / 2}) {
      file.seekg(at);
      char c = 0;
      file.read(&c, 1);
      file.seekp(at);
      c = static_cast<char>(~c);
      file.write(&c, 1);
    }
  }
}

TEST(ReportStoreTest, DamagedStoreIsRefusedWithWhatToDoAndRepairOpensIt) {
  TempDir dir;
  {
    auto store = *ReportStore::Open(dir.path(), {});
    for (int i = 0; i < 200; ++i) {
      ASSERT_THAT(PutReport(*store, absl::StrCat("r-", i)), IsOk());
    }
  }
  Damage(dir.path(), ".log");
  absl::StatusOr<std::unique_ptr<ReportStore>> damaged =
      ReportStore::Open(dir.path(), {});
  EXPECT_THAT(damaged, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(damaged.status().message()),
              ::testing::HasSubstr("kuaibao-node --repair --config FILE"));
  absl::StatusOr<ScrubResult> repaired = ReportStore::Repair(dir.path(), {});
  ASSERT_THAT(repaired, IsOk());
  EXPECT_GT(repaired->records_dropped, 0u);
  auto store = ReportStore::Open(dir.path(), {});
  ASSERT_THAT(store, IsOk());
  // What lay in the damaged records is gone; the rest is back, intact
  // (LevelDB's repair alone would bring back a damaged value: see
  // ScrubLevelDbLog).
  absl::StatusOr<std::vector<StoredReport>> left =
      (*store)->ListReports("", 1000, nullptr);
  ASSERT_THAT(left, IsOk());
  EXPECT_GT(left->size(), 0u);
  EXPECT_LT(left->size(), 200u);
  for (const StoredReport& r : *left) {
    EXPECT_EQ(r.SerializeAsString(),
              Stored(r.report().report_id()).SerializeAsString());
  }
}

TEST(ReportStoreTest, Crc32cIsCastagnoli) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xe3069283u);
}

TEST(ReportStoreTest, DataFilesWithoutCurrentAreNotTakenForANewStore) {
  TempDir dir;
  {
    auto store = *ReportStore::Open(dir.path(), {});
    ASSERT_THAT(PutReport(*store, "r-1"), IsOk());
  }
  std::filesystem::remove(dir.Sub("CURRENT"));
  absl::StatusOr<std::unique_ptr<ReportStore>> store =
      ReportStore::Open(dir.path(), {});
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()),
              ::testing::HasSubstr("no CURRENT file"));
}

TEST(ReportStoreTest, ScanVisitsAPrefixFromAKeyUntilToldToStop) {
  TempDir dir;
  auto store = *ReportStore::Open(dir.path(), {});
  for (const char* id : {"a", "b", "c", "d"}) {
    ASSERT_THAT(PutReport(*store, id), IsOk());
  }
  std::vector<std::string> keys;
  ASSERT_THAT(store->Scan("r/", "r/b",
                          [&](absl::string_view key, absl::string_view) {
                            keys.emplace_back(key);
                            return keys.size() < 2;
                          }),
              IsOk());
  EXPECT_THAT(keys, ::testing::ElementsAre("r/b", "r/c"));
  EXPECT_THAT(store->Get("r/a"), IsOk());
  EXPECT_THAT(store->Get("r/z"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace kuaibao

namespace kuaibao {
namespace {

v1::FeedItem FeedNote(const std::string& region) {
  v1::FeedItem item;
  item.set_region(region);
  item.mutable_link()->set_peer(region);
  return item;
}

TEST(ReportStoreFeedTest, CursorsFollowCommitOrderWithoutGapsAcrossReopen) {
  TempDir dir;
  std::vector<uint64_t> published;
  {
    auto store = ReportStore::Open(dir.path(), {});
    ASSERT_THAT(store, IsOk());
    absl::Mutex mu;
    (*store)->SetFeedListener([&](const std::vector<v1::FeedItem>& items) {
      absl::MutexLock lock(&mu);
      for (const auto& item : items) published.push_back(item.cursor());
    });
    // Concurrent writers share group commits; cursors still number every
    // item once, in the order they were written.
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < 25; ++i) {
          StoreBatch batch;
          batch.Put(absl::StrCat("x/", w, "/", i), "v");
          batch.Record(FeedNote("140105000000"));
          EXPECT_THAT((*store)->CommitAndWait(std::move(batch)), IsOk());
        }
      });
    }
    for (auto& t : writers) t.join();
    EXPECT_EQ((*store)->last_feed_cursor(), 100u);
  }
  ASSERT_EQ(published.size(), 100u);
  for (size_t i = 0; i < published.size(); ++i) EXPECT_EQ(published[i], i + 1);

  // Reopened: the record is there, and numbering goes on after it.
  auto store = ReportStore::Open(dir.path(), {});
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ((*store)->last_feed_cursor(), 100u);
  auto tail = (*store)->ReadFeed(90, 1000);
  ASSERT_THAT(tail, IsOk());
  ASSERT_EQ(tail->size(), 10u);
  EXPECT_EQ(tail->front().cursor(), 91u);
  EXPECT_EQ(tail->back().cursor(), 100u);
  StoreBatch batch;
  batch.Record(FeedNote("140105000000"));
  ASSERT_THAT((*store)->CommitAndWait(std::move(batch)), IsOk());
  EXPECT_EQ((*store)->last_feed_cursor(), 101u);
  auto page = (*store)->ReadFeed(0, 7);
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->size(), 7u);
}

}  // namespace
}  // namespace kuaibao
