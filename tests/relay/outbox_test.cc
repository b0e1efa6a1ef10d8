#include "relay/outbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "relay/outbox_mirror.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr char kUp[] = "140100000000";
constexpr char kNorth[] = "spiffe://kuaibao/node/140105001000";
constexpr char kSouth[] = "spiffe://kuaibao/node/140105002000";
constexpr char kEast[] = "spiffe://kuaibao/node/140105003000";

// Every case runs twice: reading the store (false), and reading the memory
// that mirrors it (true, relay/outbox_mirror.h), which must answer alike.
class OutboxTest : public ::testing::TestWithParam<bool> {
 protected:
  OutboxTest()
      : store_(*ReportStore::Open(dir_.path(), {/*sync=*/false})),
        mirror_(store_.get(), {}),
        outbox_(store_.get(), GetParam() ? &mirror_ : nullptr) {
    if (GetParam()) store_->AddWriteListener(&mirror_);
  }
  ~OutboxTest() override { store_->RemoveWriteListener(&mirror_); }

  // Queues report `id` of `event`, handed over by `source`.
  void Queue(const std::string& id, const std::string& source, int priority,
             const std::string& event = "") {
    StoredReport stored;
    stored.mutable_report()->set_report_id(id);
    stored.mutable_report()->set_event_id(event.empty() ? "ev-" + id : event);
    HopRecord* hop = stored.add_hops();
    hop->set_node("140105000000");
    hop->set_received_from(source);
    StoreBatch batch;
    Outbox::Queue(kUp, outbox_.KeyFor(kUp, priority, stored), stored, &batch);
    batch.Put(ReportStore::ReportKey(id), stored.SerializeAsString());
    ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  }

  std::vector<std::string> Next(
      size_t max, const absl::flat_hash_set<std::string>& skip = {}) {
    absl::StatusOr<std::vector<QueuedReport>> next =
        outbox_.Next(kUp, max, skip);
    EXPECT_THAT(next, IsOk());
    std::vector<std::string> ids;
    for (const QueuedReport& q : *next) ids.push_back(q.entry.report_id);
    return ids;
  }

  // Takes the reports out as if acknowledged.
  void Acknowledge(const std::vector<std::string>& ids) {
    absl::StatusOr<std::vector<QueuedReport>> all = outbox_.Next(kUp, 1000, {});
    StoreBatch batch;
    for (const QueuedReport& q : *all) {
      if (std::find(ids.begin(), ids.end(), q.entry.report_id) != ids.end()) {
        Outbox::Remove(kUp, q.entry, &batch);
      }
    }
    ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  }

  TempDir dir_;
  std::unique_ptr<ReportStore> store_;
  OutboxMirror mirror_;
  Outbox outbox_;
};

INSTANTIATE_TEST_SUITE_P(StoreAndMirror, OutboxTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Mirror" : "Store";
                         });

TEST_P(OutboxTest, UrgentFirstThenArrivalOrder) {
  Queue("routine-1", kNorth, 2);
  Queue("urgent-1", kNorth, 0);
  Queue("routine-2", kNorth, 2);
  Queue("grade-3", kNorth, 1);
  Queue("urgent-2", kNorth, 0);
  EXPECT_THAT(Next(10), ElementsAre("urgent-1", "urgent-2", "grade-3",
                                    "routine-1", "routine-2"));
  EXPECT_THAT(Next(2, {"urgent-1"}), ElementsAre("urgent-2", "grade-3"));
}

TEST_P(OutboxTest, SendersTakeTurnsWithinAClass) {
  // A noisy township queues a hundred before its neighbours queue two each.
  for (int i = 0; i < 100; ++i) Queue(absl::StrCat("n", i), kNorth, 2);
  Queue("s0", kSouth, 2);
  Queue("e0", kEast, 2);
  Queue("s1", kSouth, 2);
  Queue("e1", kEast, 2);
  // One at a time (as receipts free the window), sources alternate.
  std::vector<std::string> sent;
  absl::flat_hash_set<std::string> in_flight;
  for (int i = 0; i < 6; ++i) {
    std::vector<std::string> one = Next(1, in_flight);
    ASSERT_EQ(one.size(), 1u);
    sent.push_back(one[0]);
    in_flight.insert(one[0]);
  }
  EXPECT_THAT(sent, ElementsAre("n0", "s0", "e0", "n1", "s1", "e1"));
  // A larger window is shared evenly; what one source lacks the others fill.
  in_flight.clear();
  std::vector<std::string> batch = Next(9, in_flight);
  EXPECT_THAT(
      batch, ElementsAre("n0", "n1", "n2", "s0", "s1", "e0", "e1", "n3", "n4"));
}

TEST_P(OutboxTest, AnUrgentFollowUpTakesItsEarlierReportsAlong) {
  Queue("other-routine", kSouth, 2);
  Queue("flood-initial", kNorth, 1, "flood");   // grade III
  Queue("flood-brief", kNorth, 2, "flood");     // routine
  Queue("flood-followup", kNorth, 0, "flood");  // grade I now
  EXPECT_THAT(Next(10), ElementsAre("flood-initial", "flood-brief",
                                    "flood-followup", "other-routine"));
  // In flight already: the follow-up goes on its own.
  EXPECT_THAT(Next(1, {"flood-initial", "flood-brief"}),
              ElementsAre("flood-followup"));
  // No room for the follow-up behind its earlier reports: they go first, it
  // waits for the next call.
  EXPECT_THAT(Next(2), ElementsAre("flood-initial", "flood-brief"));
  // Acknowledged earlier reports no longer hold it.
  Acknowledge({"flood-initial", "flood-brief"});
  EXPECT_THAT(Next(1), ElementsAre("flood-followup"));
}

TEST_P(OutboxTest, UrgentReportLeavesNextDuringALongDrain) {
  std::vector<std::string> routine;
  for (int i = 0; i < 3000; ++i) {
    routine.push_back(absl::StrCat("r", i));
    Queue(routine.back(), kNorth, 2);
  }
  // Half drained, then an urgent report arrives from another township.
  std::vector<std::string> first = Next(1500);
  ASSERT_EQ(first.size(), 1500u);
  Acknowledge(first);
  Queue("urgent", kSouth, 0);
  EXPECT_THAT(Next(1), ElementsAre("urgent"));
}

TEST_P(OutboxTest, HeldAndRemovedEntriesLeaveTheQueue) {
  Queue("a", kNorth, 2);
  Queue("b", kNorth, 2);
  Queue("c", kNorth, 2);
  absl::StatusOr<std::vector<QueuedReport>> all = outbox_.Next(kUp, 10, {});
  ASSERT_THAT(all, IsOk());
  StoreBatch batch;
  Outbox::Remove(kUp, (*all)[0].entry, &batch);
  Outbox::Remove(kUp, (*all)[1].entry, &batch);
  batch.Put(Outbox::HeldKey((*all)[1].entry.key), "b");
  ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  EXPECT_THAT(Next(10), ElementsAre("c"));
  absl::StatusOr<Outbox::Summary> summary = outbox_.Summarize(kUp);
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->waiting, 1u);
  EXPECT_EQ(summary->held, 1u);
}

TEST_P(OutboxTest, SummaryNamesTheLongestWaitingReport) {
  EXPECT_EQ(outbox_.Summarize(kUp)->waiting, 0u);
  EXPECT_EQ(outbox_.Summarize(kUp)->oldest_stored_at, absl::InfinitePast());
  Queue("old-routine", kNorth, 2);
  Queue("new-urgent", kNorth, 0);
  StoredReport old = *store_->GetReport("old-routine");
  old.mutable_hops(0)->mutable_stored_at()->set_seconds(1790000000);
  StoreBatch batch;
  batch.Put(ReportStore::ReportKey("old-routine"), old.SerializeAsString());
  ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  Outbox::Summary summary = *outbox_.Summarize(kUp);
  EXPECT_EQ(summary.waiting, 2u);
  EXPECT_EQ(summary.oldest_stored_at, absl::FromUnixSeconds(1790000000));
}

}  // namespace
}  // namespace kuaibao
