#include "client/instruction_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/proto_time.h"

namespace kuaibao {
namespace {

using ::testing::HasSubstr;

TEST(ParseFeedbackStatusTest, AcceptsTheThreeWordsAndNamesTheFlag) {
  EXPECT_EQ(*ParseFeedbackStatus("done"), v1::FEEDBACK_STATUS_DONE);
  EXPECT_EQ(*ParseFeedbackStatus("In-Progress"),
            v1::FEEDBACK_STATUS_IN_PROGRESS);
  EXPECT_EQ(*ParseFeedbackStatus("cannot_comply"),
            v1::FEEDBACK_STATUS_CANNOT_COMPLY);
  absl::StatusOr<v1::FeedbackStatus> bad = ParseFeedbackStatus("received");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("--status"));
}

TEST(FormatInstructionTest, ShowsTheTargetsPathFeedbackAndLateness) {
  absl::Time t0 = absl::FromUnixSeconds(1790000000);
  v1::InstructionState state;
  v1::Instruction* in = state.mutable_instruction();
  in->set_instruction_id("in-1");
  in->set_event_id("ev-1");
  in->set_issuer_node("140000000000");
  in->set_issuer_title("省长");
  in->set_issued_by("spiffe://kuaibao/client/140000000000/duty-1");
  *in->mutable_issued_at() = ToProto(t0);
  in->set_target_region("140105001000");
  in->set_text("全力搜救");
  v1::InstructionHop* hop = in->add_hops();
  hop->set_node("140000000000");
  *hop->mutable_received_at() = ToProto(t0);
  v1::Feedback* f = state.add_feedback();
  f->set_status(v1::FEEDBACK_STATUS_DONE);
  f->set_from_node("140105001000");
  f->set_text("已落实");
  *f->add_instruction_hops() = *hop;
  hop = f->add_instruction_hops();
  hop->set_node("140105001000");
  *hop->mutable_received_at() = ToProto(t0 + absl::Seconds(3));
  v1::DeadlineStatus* d = state.add_deadlines();
  d->set_rule(v1::DEADLINE_RULE_FEEDBACK);
  d->set_state(v1::DEADLINE_STATE_MET_LATE);
  d->set_responsible("140105001000");
  *d->mutable_start() = ToProto(t0);
  *d->mutable_due() = ToProto(t0 + absl::Hours(2));
  *d->mutable_met_at() = ToProto(t0 + absl::Hours(3));

  std::string text = FormatInstruction(state, t0 + absl::Hours(4));
  EXPECT_THAT(text, HasSubstr("by 省长 (client/140000000000/duty-1)"));
  // The target's own record of the path, with its receipt time.
  EXPECT_THAT(text, HasSubstr("140000000000 14:13:20.000Z → 140105001000 "
                              "14:13:23.000Z"));
  EXPECT_THAT(text, HasSubstr("DONE"));
  EXPECT_THAT(text, HasSubstr("feedback on instruction (2h): MET LATE, late "
                              "by 1h00m; responsible 140105001000"));
}

}  // namespace
}  // namespace kuaibao
