#include "relay/instruction_book.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "relay/proto_time.h"
#include "relay/validation.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;
using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::SampleReport;
using ::kuaibao::testing::StatusIs;
using ::kuaibao::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kProvince[] = "140000000000";
constexpr char kCity[] = "140100000000";
constexpr char kCounty[] = "140105000000";
constexpr char kTownship[] = "140105001000";

Identity Client(const std::string& region, const std::string& name) {
  return *ParseIdentity(IdentityUri(Role::kClient, region, name));
}
Identity Node(const std::string& region) {
  return *ParseIdentity(IdentityUri(Role::kNode, region));
}

std::vector<std::string> HopNodes(
    const google::protobuf::RepeatedPtrField<InstructionHop>& hops) {
  std::vector<std::string> nodes;
  for (const InstructionHop& hop : hops) nodes.push_back(hop.node());
  return nodes;
}

// A four-level chain of books, each over its own LevelDB, one fake clock.
// Pump*() plays the part of the streams between neighbours.
class InstructionBookTest : public ::testing::Test {
 protected:
  InstructionBookTest() {
    const char* chain[] = {kProvince, kCity, kCounty, kTownship};
    for (int i = 0; i < 4; ++i) {
      Open(chain[i], i == 0 ? "" : chain[i - 1]);
    }
  }

  void Open(const std::string& region, const std::string& parent) {
    books_.erase(region);
    stores_.erase(region);
    dirs_.try_emplace(region);
    stores_[region] = *ReportStore::Open(dirs_[region].path(), {});
    InstructionBookOptions options;
    options.region = region;
    options.parent = parent;
    parents_[region] = parent;
    books_[region] = std::make_unique<InstructionBook>(
        options, stores_[region].get(), &clock_);
  }

  InstructionBook& Book(const std::string& region) { return *books_[region]; }

  // Moves every queued instruction one level down (parent → child).
  void PumpDown(const std::string& parent, const std::string& child) {
    auto pending = Book(parent).PendingDown(child);
    ASSERT_THAT(pending.status(), IsOk());
    for (const Instruction& i : *pending) {
      ASSERT_THAT(Book(child).Receive(i), IsOk());
      ASSERT_THAT(Book(parent).Acknowledged(child, i.instruction_id()), IsOk());
    }
  }
  void PumpDownAll() {
    PumpDown(kProvince, kCity);
    PumpDown(kCity, kCounty);
    PumpDown(kCounty, kTownship);
  }
  // Moves every queued feedback one level up (child → parent).
  void PumpUp(const std::string& child) {
    auto pending = Book(child).PendingUp();
    ASSERT_THAT(pending.status(), IsOk());
    for (const Feedback& f : *pending) {
      auto receipt = Book(parents_[child]).ReceiveFeedback(Node(child), f);
      ASSERT_THAT(receipt.status(), IsOk());
      ASSERT_THAT(Book(child).FeedbackDelivered(receipt->feedback_id()),
                  IsOk());
    }
  }
  void PumpUpAll() {
    PumpUp(kTownship);
    PumpUp(kCounty);
    PumpUp(kCity);
  }

  Instruction Order(const std::string& id) {
    Instruction i;
    i.set_instruction_id(id);
    i.set_event_id("ev-1");
    i.set_target_region(kTownship);
    i.set_issuer_title("省长");
    i.set_text("全力搜救，及时报告进展");
    return i;
  }

  Feedback Reply(const std::string& id, FeedbackStatus status) {
    Feedback f;
    f.set_feedback_id(id);
    f.set_instruction_id("in-1");
    f.set_status(status);
    f.set_text("已组织搜救");
    return f;
  }

  DeadlineStatus Deadline(const std::string& region, DeadlineRule rule) {
    auto state = Book(region).State("in-1", clock_.TimeNow());
    EXPECT_THAT(state.status(), IsOk());
    for (const DeadlineStatus& d : state->deadlines()) {
      if (d.rule() == rule) return d;
    }
    ADD_FAILURE() << "no deadline " << rule << " at " << region;
    return {};
  }

  FakeClock clock_;
  std::map<std::string, TempDir> dirs_;
  std::map<std::string, std::unique_ptr<ReportStore>> stores_;
  std::map<std::string, std::unique_ptr<InstructionBook>> books_;
  std::map<std::string, std::string> parents_;
  const Identity governor_ = Client(kProvince, "governor");
  const Identity duty_ = Client(kTownship, "duty-1");
};

TEST(NextNodeDownTest, NamesTheNextLevelOnTheWay) {
  EXPECT_EQ(NextNodeDown(kProvince, kTownship), kCity);
  EXPECT_EQ(NextNodeDown(kCity, kTownship), kCounty);
  EXPECT_EQ(NextNodeDown(kCounty, kTownship), kTownship);
  EXPECT_EQ(NextNodeDown(kTownship, kTownship), "");
  EXPECT_EQ(NextNodeDown(kCounty, "140106001000"), "");  // not inside
}

TEST_F(InstructionBookTest, TravelsDownRecordingEveryHopAndIsSignedFor) {
  ASSERT_THAT(Book(kProvince)
                  .Issue(governor_, Order("in-1"), absl::ZeroDuration())
                  .status(),
              IsOk());
  EXPECT_THAT(*Book(kProvince).PendingDown(kCity), SizeIs(1));
  EXPECT_THAT(*Book(kProvince).PendingDown(kCounty), IsEmpty());
  clock_.Advance(absl::Minutes(5));
  PumpDown(kProvince, kCity);
  clock_.Advance(absl::Minutes(5));
  PumpDown(kCity, kCounty);
  clock_.Advance(absl::Minutes(5));
  PumpDown(kCounty, kTownship);
  EXPECT_THAT(*Book(kProvince).PendingDown(kCity), IsEmpty());

  auto at_township = Book(kTownship).State("in-1", clock_.TimeNow());
  ASSERT_THAT(at_township.status(), IsOk());
  EXPECT_THAT(HopNodes(at_township->instruction().hops()),
              ElementsAre(kProvince, kCity, kCounty, kTownship));
  EXPECT_EQ(at_township->instruction().issuer_node(), kProvince);
  EXPECT_EQ(at_township->instruction().issued_by(), governor_.uri);

  // The receipt climbs to the province and stops there.
  PumpUpAll();
  EXPECT_THAT(*Book(kProvince).PendingUp(), IsEmpty());
  auto at_province = Book(kProvince).State("in-1", clock_.TimeNow());
  ASSERT_THAT(at_province->feedback(), SizeIs(1));
  const Feedback& receipt = at_province->feedback(0);
  EXPECT_EQ(receipt.status(), FEEDBACK_STATUS_RECEIVED);
  EXPECT_THAT(HopNodes(receipt.hops()),
              ElementsAre(kTownship, kCounty, kCity, kProvince));
  EXPECT_THAT(HopNodes(receipt.instruction_hops()),
              ElementsAre(kProvince, kCity, kCounty, kTownship));
  DeadlineStatus relay = Deadline(kProvince, DEADLINE_RULE_INSTRUCTION_RELAY);
  EXPECT_EQ(relay.state(), DEADLINE_STATE_MET);
  EXPECT_EQ(relay.responsible(), kTownship);
  EXPECT_EQ(FromProto(relay.met_at()) - FromProto(relay.start()),
            absl::Minutes(15));
  EXPECT_EQ(Deadline(kProvince, DEADLINE_RULE_FEEDBACK).state(),
            DEADLINE_STATE_ON_TIME);
}

TEST_F(InstructionBookTest, ResendsAreStoredOnce) {
  ASSERT_THAT(Book(kProvince)
                  .Issue(governor_, Order("in-1"), absl::ZeroDuration())
                  .status(),
              IsOk());
  // Issued again: the same instruction; other content: refused.
  ASSERT_THAT(Book(kProvince)
                  .Issue(governor_, Order("in-1"), absl::ZeroDuration())
                  .status(),
              IsOk());
  EXPECT_THAT(*Book(kProvince).PendingDown(kCity), SizeIs(1));
  Instruction other = Order("in-1");
  other.set_text("别的");
  EXPECT_THAT(
      Book(kProvince).Issue(governor_, other, absl::ZeroDuration()).status(),
      StatusIs(absl::StatusCode::kAlreadyExists));

  Instruction sent = (*Book(kProvince).PendingDown(kCity))[0];
  ASSERT_THAT(Book(kCity).Receive(sent), IsOk());
  clock_.Advance(absl::Minutes(1));
  ASSERT_THAT(Book(kCity).Receive(sent), IsOk());  // the ack was lost
  EXPECT_THAT(
      HopNodes(
          Book(kCity).State("in-1", clock_.TimeNow())->instruction().hops()),
      ElementsAre(kProvince, kCity));
  EXPECT_THAT(*Book(kCity).PendingDown(kCounty), SizeIs(1));

  PumpDownAll();
  ASSERT_THAT(
      Book(kTownship)
          .SendFeedback(duty_, Reply("fb-1", FEEDBACK_STATUS_IN_PROGRESS))
          .status(),
      IsOk());
  Feedback up = (*Book(kTownship).PendingUp())[1];
  ASSERT_THAT(Book(kCounty).ReceiveFeedback(Node(kTownship), up).status(),
              IsOk());
  ASSERT_THAT(Book(kCounty).ReceiveFeedback(Node(kTownship), up).status(),
              IsOk());
  EXPECT_THAT(*Book(kCounty).PendingUp(), SizeIs(1));
}

TEST_F(InstructionBookTest, LateFeedbackIsMetLateAndTheTargetsFault) {
  ASSERT_THAT(
      Book(kProvince).Issue(governor_, Order("in-1"), absl::Hours(2)).status(),
      IsOk());
  PumpDownAll();
  PumpUpAll();
  clock_.Advance(absl::Minutes(80));
  EXPECT_EQ(Deadline(kProvince, DEADLINE_RULE_FEEDBACK).state(),
            DEADLINE_STATE_ON_TIME);
  clock_.Advance(absl::Minutes(16));  // 96 of 120 minutes: 80%
  EXPECT_EQ(Deadline(kProvince, DEADLINE_RULE_FEEDBACK).state(),
            DEADLINE_STATE_AT_RISK);
  clock_.Advance(absl::Minutes(30));
  EXPECT_EQ(Deadline(kProvince, DEADLINE_RULE_FEEDBACK).state(),
            DEADLINE_STATE_OVERDUE);
  EXPECT_EQ(Deadline(kCounty, DEADLINE_RULE_FEEDBACK).state(),
            DEADLINE_STATE_OVERDUE);

  // Progress does not meet it; done does.
  ASSERT_THAT(
      Book(kTownship)
          .SendFeedback(duty_, Reply("fb-1", FEEDBACK_STATUS_IN_PROGRESS))
          .status(),
      IsOk());
  PumpUpAll();
  EXPECT_EQ(Deadline(kProvince, DEADLINE_RULE_FEEDBACK).state(),
            DEADLINE_STATE_OVERDUE);
  ASSERT_THAT(Book(kTownship)
                  .SendFeedback(duty_, Reply("fb-2", FEEDBACK_STATUS_DONE))
                  .status(),
              IsOk());
  PumpUpAll();
  DeadlineStatus feedback = Deadline(kProvince, DEADLINE_RULE_FEEDBACK);
  EXPECT_EQ(feedback.state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(feedback.responsible(), kTownship);
  EXPECT_EQ(Deadline(kProvince, DEADLINE_RULE_INSTRUCTION_RELAY).state(),
            DEADLINE_STATE_MET);
  EXPECT_THAT(Book(kProvince).State("in-1", clock_.TimeNow())->feedback(),
              SizeIs(3));
}

TEST_F(InstructionBookTest, LateRelayIsTheFaultOfTheNodeThatHeldIt) {
  ASSERT_THAT(Book(kProvince)
                  .Issue(governor_, Order("in-1"), absl::ZeroDuration())
                  .status(),
              IsOk());
  PumpDown(kProvince, kCity);
  PumpDown(kCity, kCounty);
  // The county sits on it past the 1 h budget.
  clock_.Advance(absl::Minutes(50));
  EXPECT_EQ(Deadline(kProvince, DEADLINE_RULE_INSTRUCTION_RELAY).state(),
            DEADLINE_STATE_AT_RISK);
  EXPECT_EQ(Deadline(kCounty, DEADLINE_RULE_INSTRUCTION_RELAY).responsible(),
            kCounty);
  clock_.Advance(absl::Minutes(20));
  EXPECT_EQ(Deadline(kCounty, DEADLINE_RULE_INSTRUCTION_RELAY).state(),
            DEADLINE_STATE_OVERDUE);
  PumpDown(kCounty, kTownship);
  PumpUpAll();
  DeadlineStatus relay = Deadline(kProvince, DEADLINE_RULE_INSTRUCTION_RELAY);
  EXPECT_EQ(relay.state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(relay.responsible(), kCounty);
  auto due = Book(kProvince).Due(kProvince, clock_.TimeNow(), false);
  ASSERT_THAT(due.status(), IsOk());
  EXPECT_THAT(*due, SizeIs(2));  // late relay + open feedback
  EXPECT_THAT(*Book(kProvince).Due(kCity, clock_.TimeNow(), false), SizeIs(2));
  EXPECT_THAT(*Book(kProvince).Due("140200000000", clock_.TimeNow(), false),
              IsEmpty());
}

TEST_F(InstructionBookTest, QueuedInstructionsSurviveARestart) {
  ASSERT_THAT(Book(kProvince)
                  .Issue(governor_, Order("in-1"), absl::ZeroDuration())
                  .status(),
              IsOk());
  Open(kProvince, "");
  auto pending = Book(kProvince).PendingDown(kCity);
  ASSERT_THAT(pending.status(), IsOk());
  EXPECT_THAT(*pending, SizeIs(1));
}

TEST_F(InstructionBookTest, TargetDefaultsToTheEventsOwner) {
  EventRecord event;
  event.set_event_id("ev-1");
  event.set_owner_node(kTownship);
  event.set_drill(true);
  StoreBatch batch;
  batch.Put(ReportStore::EventKey("ev-1"), event.SerializeAsString());
  ASSERT_THAT(stores_[kCounty]->CommitAndWait(std::move(batch)), IsOk());
  Instruction order = Order("in-1");
  order.clear_target_region();
  auto state =
      Book(kCounty).Issue(Client(kCounty, "head"), order, absl::ZeroDuration());
  ASSERT_THAT(state.status(), IsOk());
  EXPECT_EQ(state->instruction().target_region(), kTownship);
  EXPECT_EQ(state->pending_for(), kTownship);
  // About a drill: labelled so, in every deadline.
  EXPECT_TRUE(state->instruction().drill());
  ASSERT_THAT(state->deadlines(), SizeIs(2));
  EXPECT_TRUE(state->deadlines(0).drill());
  EXPECT_TRUE(state->deadlines(1).drill());
  // Unknown elsewhere: the leader must name the target.
  EXPECT_THAT(Book(kCity)
                  .Issue(Client(kCity, "head"), order, absl::ZeroDuration())
                  .status(),
              StatusIs(absl::StatusCode::kNotFound));
}

// The owner is the government of the event's location; a township whose
// duty room files at its county's node runs no node of its own, so the
// instruction goes to the node that took the latest report in.
TEST_F(InstructionBookTest,
       WithoutANodeOfItsOwnTheOwnerIsReachedThroughItsFirstNode) {
  StoredReport report;
  *report.mutable_report() = SampleReport("r-1", kTownship, clock_.TimeNow());
  report.add_hops()->set_node(kCounty);
  EventRecord event;
  event.set_event_id("ev-2");
  event.set_owner_node(kTownship);
  event.set_last_report_id("r-1");
  StoreBatch batch;
  batch.Put(ReportStore::EventKey("ev-2"), event.SerializeAsString());
  batch.Put(ReportStore::ReportKey("r-1"), report.SerializeAsString());
  ASSERT_THAT(stores_[kCounty]->CommitAndWait(std::move(batch)), IsOk());
  Instruction order = Order("in-2");
  order.set_event_id("ev-2");
  order.clear_target_region();
  auto state =
      Book(kCounty).Issue(Client(kCounty, "head"), order, absl::ZeroDuration());
  ASSERT_THAT(state.status(), IsOk());
  EXPECT_EQ(state->instruction().target_region(), kCounty);
}

TEST_F(InstructionBookTest, RefusesWhatIsNotAllowed) {
  // A township officer cannot instruct at the province.
  EXPECT_THAT(Book(kProvince)
                  .Issue(duty_, Order("in-1"), absl::ZeroDuration())
                  .status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
  Instruction empty = Order("in-1");
  empty.clear_text();
  auto refused =
      Book(kProvince).Issue(governor_, empty, absl::ZeroDuration()).status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(refused), "instruction.text");
  Instruction elsewhere = Order("in-1");
  elsewhere.set_target_region("140106001000");
  EXPECT_THAT(
      Book(kCounty)
          .Issue(Client(kCounty, "head"), elsewhere, absl::ZeroDuration())
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument));

  ASSERT_THAT(Book(kProvince)
                  .Issue(governor_, Order("in-1"), absl::ZeroDuration())
                  .status(),
              IsOk());
  PumpDownAll();
  // Feedback is sent at the target, by its own people.
  EXPECT_THAT(Book(kCounty)
                  .SendFeedback(Client(kCounty, "head"),
                                Reply("fb-1", FEEDBACK_STATUS_DONE))
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Book(kTownship)
                  .SendFeedback(duty_, Reply("fb-1", FEEDBACK_STATUS_RECEIVED))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  Feedback unknown = Reply("fb-1", FEEDBACK_STATUS_DONE);
  unknown.set_instruction_id("in-9");
  EXPECT_THAT(Book(kTownship).SendFeedback(duty_, unknown).status(),
              StatusIs(absl::StatusCode::kNotFound));
  // A node relays feedback only from inside its own region.
  Feedback forged = Reply("fb-1", FEEDBACK_STATUS_DONE);
  forged.set_from_node("140106001000");
  EXPECT_THAT(Book(kCounty).ReceiveFeedback(Node(kTownship), forged).status(),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace kuaibao
