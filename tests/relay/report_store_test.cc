#include "relay/store/report_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "absl/synchronization/notification.h"
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
