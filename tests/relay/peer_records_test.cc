#include "relay/peer_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/national_submission.h"
#include "relay/store/keys.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::kuaibao::testing::TempDir;

// Two real stores, a primary's and its standby's; what the primary writes
// is carried to the standby by hand, as the peer stream would.
class PeerRecordsTest : public ::testing::Test {
 protected:
  PeerRecordsTest() {
    primary_store_ = *ReportStore::Open(dir_.path() + "/primary", {});
    standby_store_ = *ReportStore::Open(dir_.path() + "/standby", {});
    primary_ = std::make_unique<PeerRecords>(primary_store_.get());
    standby_ = std::make_unique<PeerRecords>(standby_store_.get());
    primary_->CopyWrites();
    standby_->CopyWrites();
  }

  // Everything queued at `from` applied at `to`, each receipt recorded.
  void Carry(PeerRecords* from, PeerRecords* to) {
    absl::StatusOr<std::vector<v1::PeerRecord>> pending =
        from->Pending(1000, {});
    ASSERT_THAT(pending, IsOk());
    for (const v1::PeerRecord& r : *pending) {
      ASSERT_THAT(to->Apply(r), IsOk());
      ASSERT_THAT(from->Delivered(r.seq()), IsOk());
    }
  }

  size_t Queued(PeerRecords* records) {
    absl::StatusOr<std::vector<v1::PeerRecord>> pending =
        records->Pending(1000, {});
    EXPECT_THAT(pending, IsOk());
    return pending.ok() ? pending->size() : 0;
  }

  absl::Status Write(ReportStore* store, const std::string& key,
                     const std::string& value) {
    StoreBatch batch;
    batch.Put(key, value);
    return store->CommitAndWait(std::move(batch));
  }

  TempDir dir_;
  std::unique_ptr<ReportStore> primary_store_, standby_store_;
  std::unique_ptr<PeerRecords> primary_, standby_;
};

TEST_F(PeerRecordsTest, EachCopiedKindIsQueuedWithItsWriteAndStoredOnce) {
  Instruction instruction;
  instruction.set_instruction_id("in-1");
  instruction.set_text("全力搜救");
  Feedback feedback;
  feedback.set_instruction_id("in-1");
  feedback.set_feedback_id("fb-1");
  v1::RollCall call;
  call.set_roll_call_id("rc-1");
  call.set_rounds(1);
  v1::BreachReview review;
  review.set_about("r-1");
  review.set_rule(DEADLINE_RULE_PER_HOP);
  review.set_responsible("140105000000");
  Forwarding national;
  national.set_to(kNationalUpstream);
  national.set_channel("fax");
  const std::vector<std::pair<std::string, std::string>> records = {
      {keys::Instruction("in-1"), instruction.SerializeAsString()},
      {keys::Feedback("in-1", "fb-1"), feedback.SerializeAsString()},
      {keys::RollCall("rc-1"), call.SerializeAsString()},
      {keys::Review("r-1", DEADLINE_RULE_PER_HOP, "140105000000"),
       review.SerializeAsString()},
      {keys::Forwarding("r-1", kNationalUpstream),
       national.SerializeAsString()},
  };
  for (const auto& [key, value] : records) {
    ASSERT_THAT(Write(primary_store_.get(), key, value), IsOk());
  }
  // Not copied: a report's forwarding to its parent, a report.
  ASSERT_THAT(Write(primary_store_.get(), keys::Forwarding("r-1", "14"), "x"),
              IsOk());
  ASSERT_THAT(Write(primary_store_.get(), keys::Report("r-1"), "x"), IsOk());
  EXPECT_EQ(Queued(primary_.get()), records.size());

  Carry(primary_.get(), standby_.get());
  EXPECT_EQ(Queued(primary_.get()), 0u) << "receipts delete the entries";
  for (const auto& [key, value] : records) {
    absl::StatusOr<std::string> held = standby_store_->Get(key);
    ASSERT_THAT(held, IsOk()) << key;
    EXPECT_EQ(*held, value) << key;
  }
  // What the standby stored from the primary is not copied back.
  EXPECT_EQ(Queued(standby_.get()), 0u);
  // A resend changes nothing.
  v1::PeerRecord again;
  again.set_seq(1);
  *again.mutable_instruction() = instruction;
  again.mutable_instruction()->set_text("changed");
  ASSERT_THAT(standby_->Apply(again), IsOk());
  EXPECT_EQ(*standby_store_->Get(keys::Instruction("in-1")),
            instruction.SerializeAsString());
}

TEST_F(PeerRecordsTest, ARollCallKeepsItsLatestRoundAndItsClosing) {
  v1::PeerRecord record;
  v1::RollCall* call = record.mutable_roll_call();
  call->set_roll_call_id("rc-1");
  call->set_rounds(2);
  ASSERT_THAT(standby_->Apply(record), IsOk());
  call->set_rounds(1);  // an older copy
  ASSERT_THAT(standby_->Apply(record), IsOk());
  v1::RollCall held;
  ASSERT_TRUE(
      held.ParseFromString(*standby_store_->Get(keys::RollCall("rc-1"))));
  EXPECT_EQ(held.rounds(), 2u);
  call->set_rounds(2);
  call->set_closed(true);
  ASSERT_THAT(standby_->Apply(record), IsOk());
  ASSERT_TRUE(
      held.ParseFromString(*standby_store_->Get(keys::RollCall("rc-1"))));
  EXPECT_TRUE(held.closed());
}

TEST_F(PeerRecordsTest, ARecordWithoutItsIdsIsRefusedNamingTheField) {
  v1::PeerRecord record;
  EXPECT_THAT(standby_->Apply(record),
              StatusIs(absl::StatusCode::kInvalidArgument));
  record.mutable_feedback()->set_instruction_id("in-1");
  absl::Status refused = standby_->Apply(record);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(refused), "feedback.feedback_id");
  record.mutable_national_submission()->set_report_id("r-1");
  record.mutable_national_submission()->mutable_forwarding()->set_to("14");
  EXPECT_EQ(ErrorField(standby_->Apply(record)),
            "national_submission.forwarding.to");
}

}  // namespace
}  // namespace kuaibao
