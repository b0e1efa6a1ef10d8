#include "relay/origin_ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/proto_time.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;
using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::TempDir;

constexpr char kDuty[] = "spiffe://kuaibao/client/140105001000/duty-1";
constexpr char kOther[] = "spiffe://kuaibao/client/140106001000/duty-1";

// "first-last" per gap, e.g. {"2-3", "7-7"}.
std::vector<std::string> Gaps(const OriginRecord& record) {
  std::vector<std::string> gaps;
  for (const SequenceGap& g : record.gaps()) {
    gaps.push_back(absl::StrCat(g.first(), "-", g.last()));
  }
  return gaps;
}

class OriginLedgerTest : public ::testing::Test {
 protected:
  OriginLedgerTest() { Reopen(); }

  void Reopen() {
    ledger_.reset();
    store_.reset();
    store_ = *ReportStore::Open(dir_.path(), {});
    ledger_ = std::make_unique<OriginLedger>(store_.get());
  }

  // Records a report of `origin` numbered `seq` (0: let the ledger number
  // it when `assign`); returns its number.
  uint64_t Record(const std::string& origin, uint64_t seq, bool assign) {
    IncidentReport report;
    report.set_origin(origin);
    report.set_origin_seq(seq);
    StoreBatch batch;
    EXPECT_THAT(ledger_->Record(&report, assign, clock_.TimeNow(), &batch),
                IsOk());
    EXPECT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
    return report.origin_seq();
  }

  OriginRecord Of(const std::string& origin) {
    absl::StatusOr<std::vector<OriginRecord>> all =
        ledger_->List("", 100, nullptr, clock_.TimeNow(), absl::Hours(2));
    EXPECT_THAT(all, IsOk());
    for (const OriginRecord& r : *all) {
      if (r.origin() == origin) return r;
    }
    return OriginRecord();
  }

  FakeClock clock_;
  TempDir dir_;
  std::unique_ptr<ReportStore> store_;
  std::unique_ptr<OriginLedger> ledger_;
};

TEST_F(OriginLedgerTest, TheFirstNodeNumbersEachOriginFromOneAcrossRestarts) {
  EXPECT_EQ(Record(kDuty, 0, true), 1u);
  EXPECT_EQ(Record(kDuty, 0, true), 2u);
  EXPECT_EQ(Record(kOther, 0, true), 1u);
  Reopen();
  EXPECT_EQ(Record(kDuty, 0, true), 3u);
  OriginRecord duty = Of(kDuty);
  EXPECT_EQ(duty.high_water(), 3u);
  EXPECT_EQ(duty.count(), 3u);
  EXPECT_TRUE(duty.gaps().empty());
  // A number the client chose itself is kept, and counting goes on above it.
  EXPECT_EQ(Record(kDuty, 10, true), 10u);
  EXPECT_EQ(Record(kDuty, 0, true), 11u);
}

TEST_F(OriginLedgerTest, GapsOpenSplitAndCloseAsReportsArrive) {
  Record(kDuty, 1, false);
  absl::Time opened = clock_.TimeNow();
  Record(kDuty, 6, false);
  EXPECT_THAT(Gaps(Of(kDuty)), ::testing::ElementsAre("2-5"));
  clock_.Advance(absl::Minutes(5));
  Record(kDuty, 4, false);
  Reopen();  // durable, gaps included
  OriginRecord duty = Of(kDuty);
  EXPECT_THAT(Gaps(duty), ::testing::ElementsAre("2-3", "5-5"));
  // Each piece keeps the time the numbers were first missed.
  EXPECT_EQ(FromProto(duty.gaps(1).first_seen_at()), opened);
  Record(kDuty, 2, false);
  Record(kDuty, 3, false);
  Record(kDuty, 5, false);
  duty = Of(kDuty);
  EXPECT_TRUE(duty.gaps().empty());
  EXPECT_EQ(duty.high_water(), 6u);
  EXPECT_EQ(duty.count(), 6u);
  EXPECT_EQ(duty.reused(), 0u);
}

TEST_F(OriginLedgerTest, AGapOlderThanTheDeadlineIsOverdue) {
  Record(kDuty, 3, false);
  clock_.Advance(absl::Hours(2) - absl::Seconds(1));
  EXPECT_FALSE(Of(kDuty).gaps(0).overdue());
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Of(kDuty).gaps(0).overdue());
}

TEST_F(OriginLedgerTest, ReusedUnnumberedAndForeignOriginsAreCountedApart) {
  Record(kDuty, 1, false);
  Record(kDuty, 1, false);
  Record(kDuty, 0, false);
  Record("not an identity", 7, false);
  OriginRecord duty = Of(kDuty);
  EXPECT_EQ(duty.count(), 2u);
  EXPECT_EQ(duty.reused(), 1u);
  EXPECT_EQ(duty.unnumbered(), 1u);
  absl::StatusOr<std::vector<OriginRecord>> all =
      ledger_->List("", 100, nullptr, clock_.TimeNow(), absl::Hours(2));
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(OriginLedgerTest, ListsInOriginOrderFilteredAndPaged) {
  Record(kOther, 1, false);
  Record(kDuty, 1, false);
  absl::StatusOr<std::vector<OriginRecord>> first =
      ledger_->List("", 1, nullptr, clock_.TimeNow(), absl::Hours(2));
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].origin(), kDuty);
  absl::StatusOr<std::vector<OriginRecord>> next =
      ledger_->List(kDuty, 1, nullptr, clock_.TimeNow(), absl::Hours(2));
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].origin(), kOther);
  absl::StatusOr<std::vector<OriginRecord>> none = ledger_->List(
      "", 10, [](const OriginRecord&) { return false; }, clock_.TimeNow(),
      absl::Hours(2));
  EXPECT_TRUE(none->empty());
}

TEST_F(OriginLedgerTest, ReconcileKeepsTheHighWaterMarkAndShowsWhatIsGone) {
  for (int i = 0; i < 6; ++i) Record(kDuty, 0, true);
  Record(kOther, 2, false);  // 1 missing since now
  absl::Time before = clock_.TimeNow();
  clock_.Advance(absl::Hours(1));
  // After a repair only 1, 2 and 5 of duty-1 are left; other's 2 is left.
  absl::StatusOr<StoreBatch> batch =
      ledger_->Reconcile({{kDuty, {5, 1, 2}}, {kOther, {2}}}, clock_.TimeNow());
  ASSERT_THAT(batch, IsOk());
  ASSERT_THAT(store_->CommitAndWait(*std::move(batch)), IsOk());
  Reopen();
  OriginRecord duty = Of(kDuty);
  EXPECT_EQ(duty.high_water(), 6u);
  EXPECT_EQ(duty.count(), 3u);
  EXPECT_THAT(Gaps(duty), ::testing::ElementsAre("3-4", "6-6"));
  EXPECT_EQ(FromProto(duty.gaps(0).first_seen_at()), clock_.TimeNow());
  OriginRecord other = Of(kOther);
  EXPECT_THAT(Gaps(other), ::testing::ElementsAre("1-1"));
  EXPECT_EQ(FromProto(other.gaps(0).first_seen_at()), before);
  // Numbering goes on above the old mark: no number is handed out twice.
  EXPECT_EQ(Record(kDuty, 0, true), 7u);
}

}  // namespace
}  // namespace kuaibao
