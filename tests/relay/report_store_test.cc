#include "relay/store/report_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
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
// in progress, on its way but not yet visible to reads.
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
      return file_->Sync();
    }

   private:
    std::unique_ptr<leveldb::WritableFile> file_;
    GatedEnv* env_;
  };

  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
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

TEST(ReportStoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto first = ReportStore::Open(dir.path(), {});
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(ReportStore::Open(dir.path(), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ReportStoreTest, OutboxIsInPriorityThenArrivalOrder) {
  TempDir dir;
  auto store = *ReportStore::Open(dir.path(), {});
  StoreBatch batch;
  const std::string up = "140100000000";
  batch.Put(ReportStore::OutboxKey(up, 2, store->NextSeq()), "routine-1");
  batch.Put(ReportStore::OutboxKey(up, 0, store->NextSeq()), "urgent-1");
  batch.Put(ReportStore::OutboxKey(up, 2, store->NextSeq()), "routine-2");
  batch.Put(ReportStore::OutboxKey(up, 0, store->NextSeq()), "urgent-2");
  batch.Put(ReportStore::OutboxKey("140000000000", 0, store->NextSeq()),
            "other");
  ASSERT_THAT(store->CommitAndWait(std::move(batch)), IsOk());

  auto entries = store->PeekOutbox(up, 10, {});
  ASSERT_THAT(entries, IsOk());
  std::vector<std::string> ids;
  for (const OutboxEntry& e : *entries) ids.push_back(e.report_id);
  EXPECT_THAT(ids, ::testing::ElementsAre("urgent-1", "urgent-2", "routine-1",
                                          "routine-2"));
  auto skipped = store->PeekOutbox(up, 2, {"urgent-1"});
  ASSERT_THAT(skipped, IsOk());
  ASSERT_EQ(skipped->size(), 2u);
  EXPECT_EQ((*skipped)[0].report_id, "urgent-2");
  EXPECT_EQ(*store->OutboxSize(up), 4u);
}

// Reads skip the deleted head of an outbox (ReportStore keeps a floor);
// whatever is put later, urgent or not, must still be found.
TEST(ReportStoreTest, OutboxReadsFindEverythingLiveAfterDeletes) {
  TempDir dir;
  auto store = *ReportStore::Open(dir.path(), {});
  const std::string up = "140100000000";
  std::vector<std::string> keys;
  StoreBatch batch;
  for (int i = 0; i < 100; ++i) {
    keys.push_back(ReportStore::OutboxKey(up, 2, store->NextSeq()));
    batch.Put(keys.back(), absl::StrCat("routine-", i));
  }
  ASSERT_THAT(store->CommitAndWait(std::move(batch)), IsOk());
  auto ids = [&](size_t max, absl::flat_hash_set<std::string> skip = {}) {
    std::vector<std::string> out;
    absl::StatusOr<std::vector<OutboxEntry>> entries =
        store->PeekOutbox(up, max, skip);
    EXPECT_THAT(entries, IsOk());
    if (entries.ok()) {
      for (const OutboxEntry& e : *entries) out.push_back(e.report_id);
    }
    return out;
  };
  EXPECT_THAT(ids(1), ::testing::ElementsAre("routine-0"));

  // The head goes, out of order, as receipts come.
  StoreBatch acked;
  for (int i : {1, 0, 3, 2}) acked.Delete(keys[i]);
  ASSERT_THAT(store->CommitAndWait(std::move(acked)), IsOk());
  EXPECT_THAT(ids(1), ::testing::ElementsAre("routine-4"));
  // In flight entries are skipped, not forgotten: after a break they are
  // read again.
  EXPECT_THAT(ids(1, {"routine-4", "routine-5"}),
              ::testing::ElementsAre("routine-6"));
  EXPECT_THAT(ids(1), ::testing::ElementsAre("routine-4"));

  // An urgent report sorts before the floor.
  StoreBatch urgent;
  std::string urgent_key = ReportStore::OutboxKey(up, 0, store->NextSeq());
  urgent.Put(urgent_key, "urgent-1");
  ASSERT_THAT(store->CommitAndWait(std::move(urgent)), IsOk());
  EXPECT_THAT(ids(2), ::testing::ElementsAre("urgent-1", "routine-4"));

  // Everything goes; a later report, and one put back under an old key,
  // are found.
  StoreBatch all;
  all.Delete(urgent_key);
  for (int i = 4; i < 100; ++i) all.Delete(keys[i]);
  ASSERT_THAT(store->CommitAndWait(std::move(all)), IsOk());
  EXPECT_THAT(ids(10), ::testing::IsEmpty());
  StoreBatch again;
  again.Put(ReportStore::OutboxKey(up, 2, store->NextSeq()), "routine-100");
  again.Put(keys[50], "routine-50");
  ASSERT_THAT(store->CommitAndWait(std::move(again)), IsOk());
  EXPECT_THAT(ids(10), ::testing::ElementsAre("routine-50", "routine-100"));
  EXPECT_EQ(*store->OutboxSize(up), 2u);
}

// A read that runs while an outbox entry is being written does not see it;
// it must not let later reads skip it either.
TEST(ReportStoreTest, OutboxReadDuringAWriteDoesNotLoseTheEntry) {
  TempDir dir;
  GatedEnv env;
  ReportStore::Options options;
  options.env = &env;
  auto store = *ReportStore::Open(dir.path(), options);
  const std::string up = "140100000000";
  std::string old_key = ReportStore::OutboxKey(up, 2, store->NextSeq());
  StoreBatch first;
  first.Put(old_key, "routine-0");
  ASSERT_THAT(store->CommitAndWait(std::move(first)), IsOk());
  ASSERT_EQ(store->PeekOutbox(up, 10, {})->size(), 1u);
  StoreBatch acked;
  acked.Delete(old_key);
  ASSERT_THAT(store->CommitAndWait(std::move(acked)), IsOk());
  ASSERT_TRUE(store->PeekOutbox(up, 10, {})->empty());

  env.Close();
  absl::Notification written;
  StoreBatch next;
  next.Put(ReportStore::OutboxKey(up, 2, store->NextSeq()), "routine-1");
  store->Commit(std::move(next), [&](absl::Status s) {
    EXPECT_THAT(s, IsOk());
    written.Notify();
  });
  env.AwaitHeld();
  EXPECT_TRUE(store->PeekOutbox(up, 10, {})->empty()) << "not written yet";
  env.Open();
  written.WaitForNotification();
  auto after = store->PeekOutbox(up, 10, {});
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].report_id, "routine-1");
}

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

}  // namespace
}  // namespace kuaibao
