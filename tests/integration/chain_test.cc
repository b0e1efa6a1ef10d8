// Integration tests: real kuaibao-node processes on 127.0.0.1 over real mTLS,
// township → county → city → province.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "relay/proto_time.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"
#include "tests/integration/test_client.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

class ChainTest : public ::testing::Test {
 protected:
  ChainTest()
      : chain_(dir_.path()),
        province_(chain_.province.get()),
        city_(chain_.city.get()),
        county_(chain_.county.get()),
        township_(chain_.township.get()) {}

  void SetUp() override {
    ASSERT_THAT(province_->Start(), IsOk());
    city_->SetParent(kProvince, province_->port());
    ASSERT_THAT(city_->Start(), IsOk());
    county_->SetParent(kCity, city_->port());
    ASSERT_THAT(county_->Start(), IsOk());
    township_->SetParent(kCounty, county_->port());
    // The levels above the parent, for the direct route and escalation; a
    // drill clock: every budget scaled by 1/1000 (2 h → 7.2 s).
    county_->SetExtraConfig(Ancestors({province_}) + kDrillClock);
    township_->SetExtraConfig(Ancestors({city_, province_}) + kDrillClock);
    ASSERT_THAT(county_->Stop(), 0);
    ASSERT_THAT(county_->Start(), IsOk());
    ASSERT_THAT(township_->Start(), IsOk());
  }

  static constexpr char kDrillClock[] = "deadlines { time_scale: 0.001 }\n";

  static std::string Ancestors(const std::vector<NodeProcess*>& nodes) {
    std::string text;
    for (NodeProcess* n : nodes) {
      absl::StrAppend(&text, "ancestors { region: \"", n->region(),
                      "\" address: \"", n->address(), "\" }\n");
    }
    return text;
  }

  TestClient AtTownship(const std::string& cert = kDutyOfficer) {
    return chain_.AtTownship(cert);
  }
  TestClient AtProvince() { return chain_.AtProvince(); }

  std::vector<IncidentReport> Reports(const std::string& prefix, int n) {
    std::vector<IncidentReport> reports;
    for (int i = 0; i < n; ++i) {
      reports.push_back(
          SampleReport(absl::StrCat(prefix, "-", i), kTownship, absl::Now()));
    }
    return reports;
  }

  // Every id acknowledged by the township is at the province exactly once.
  void ExpectAllAtProvinceOnce(const std::set<std::string>& acknowledged) {
    std::vector<StoredReport> at_province =
        AtProvince().WaitForCount(acknowledged.size(), kPatience);
    std::multiset<std::string> stored;
    for (const StoredReport& r : at_province)
      stored.insert(r.report().report_id());
    int lost = 0;
    int duplicated = 0;
    for (const std::string& id : acknowledged) {
      lost += stored.count(id) == 0;
      duplicated += stored.count(id) > 1;
    }
    EXPECT_EQ(lost, 0) << "acknowledged but not at the province";
    EXPECT_EQ(duplicated, 0);
    EXPECT_EQ(stored.size(), acknowledged.size()) << "unexpected reports";
  }

  TempDir dir_;
  Chain chain_;
  // Borrowed from chain_.
  NodeProcess* const province_;
  NodeProcess* const city_;
  NodeProcess* const county_;
  NodeProcess* const township_;
};

TEST_F(ChainTest, ReportsReachTheProvinceWithACompleteTimeline) {
  SubmitOutcome outcome = AtTownship().Submit(Reports("flood", 5));
  ASSERT_THAT(outcome.status, IsOk());
  ASSERT_EQ(outcome.receipts(), 5);
  for (int i = 0; i < 5; ++i) {
    std::string id = absl::StrCat("flood-", i);
    absl::StatusOr<v1::GetReportResponse> got =
        AtProvince().WaitFor(id, kPatience);
    ASSERT_THAT(got, IsOk()) << id;
    EXPECT_EQ(got->node(), kProvince);
    const StoredReport& r = got->report();
    ASSERT_EQ(r.hops_size(), 4);
    EXPECT_EQ(r.hops(0).node(), kTownship);
    EXPECT_EQ(r.hops(0).received_from(),
              "spiffe://kuaibao/client/140105001000/duty-1");
    EXPECT_EQ(r.hops(1).node(), kCounty);
    EXPECT_EQ(r.hops(2).node(), kCity);
    EXPECT_EQ(r.hops(3).node(), kProvince);
    for (int h = 0; h < 4; ++h) {
      EXPECT_TRUE(IsSet(r.hops(h).received_at())) << h;
      EXPECT_TRUE(IsSet(r.hops(h).stored_at())) << h;
      EXPECT_LE(FromProto(r.hops(h).received_at()),
                FromProto(r.hops(h).stored_at()));
    }
    for (int h = 0; h < 3; ++h) {
      ASSERT_EQ(r.hops(h).forwarded_size(), 1) << h;
      EXPECT_EQ(r.hops(h).forwarded(0).to(), r.hops(h + 1).node());
      EXPECT_TRUE(IsSet(r.hops(h).forwarded(0).sent_at()));
      EXPECT_EQ(r.hops(h + 1).received_from(),
                absl::StrCat("spiffe://kuaibao/node/", r.hops(h).node()));
    }
  }
  // The township's own view shows the county's receipt of the hand-off.
  absl::StatusOr<v1::GetReportResponse> local =
      AtTownship().WaitFor("flood-0", kPatience);
  ASSERT_THAT(local, IsOk());
  const HopRecord& own = local->report().hops(0);
  ASSERT_EQ(own.forwarded_size(), 1);
  EXPECT_EQ(own.forwarded(0).receipt().node(), kCounty);
}

TEST_F(ChainTest, ResentReportIsStoredOnceAndAcknowledgedAgain) {
  std::vector<IncidentReport> one = Reports("resent", 1);
  SubmitOutcome first = AtTownship().Submit(one);
  SubmitOutcome second = AtTownship().Submit(one);
  ASSERT_EQ(first.receipts(), 1);
  ASSERT_EQ(second.receipts(), 1);
  EXPECT_FALSE(first.responses[0].receipt().duplicate());
  EXPECT_TRUE(second.responses[0].receipt().duplicate());
  ExpectAllAtProvinceOnce({"resent-0"});
}

TEST_F(ChainTest, AcknowledgedReportsSurviveParentsRestartedInAnyOrder) {
  province_->Kill(SIGKILL);
  city_->Kill(SIGKILL);
  county_->Kill(SIGKILL);
  SubmitOutcome outcome = AtTownship().Submit(Reports("outage", 50));
  ASSERT_THAT(outcome.status, IsOk());
  ASSERT_EQ(outcome.receipts(), 50) << "the township alone acknowledges";
  // Bottom-up, the worst order: each parent comes back after its child.
  ASSERT_THAT(county_->Start(), IsOk());
  ASSERT_THAT(province_->Start(), IsOk());
  ASSERT_THAT(city_->Start(), IsOk());
  std::set<std::string> acknowledged;
  for (const auto& r : outcome.responses)
    acknowledged.insert(r.receipt().report_id());
  ExpectAllAtProvinceOnce(acknowledged);
}

TEST_F(ChainTest, ParentsKilledMidStreamLoseNothing) {
  std::vector<IncidentReport> reports = Reports("burst", 1500);
  SubmitOutcome outcome;
  std::thread submitter([&] {
    // In slices, so the kills land while reports are still coming in.
    for (size_t from = 0; from < reports.size(); from += 100) {
      std::vector<IncidentReport> slice(reports.begin() + from,
                                        reports.begin() + from + 100);
      SubmitOutcome part = AtTownship().Submit(slice);
      for (auto& r : part.responses) outcome.responses.push_back(r);
    }
  });
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    NodeProcess* victim = round % 2 == 0 ? county_ : city_;
    victim->Kill(SIGKILL);
    ASSERT_THAT(victim->Start(), IsOk());
  }
  submitter.join();
  std::set<std::string> acknowledged;
  for (const auto& r : outcome.responses) {
    if (r.has_receipt()) acknowledged.insert(r.receipt().report_id());
  }
  EXPECT_EQ(acknowledged.size(), reports.size());
  ExpectAllAtProvinceOnce(acknowledged);
}

TEST_F(ChainTest, BadReportsGetClearErrorsAndTheStreamGoesOn) {
  std::vector<IncidentReport> reports = Reports("mixed", 4);
  reports[0].clear_headline();
  reports[1].mutable_location()->set_region_code("140105999000");
  reports[2].mutable_location()->set_region_code("140106001000");  // not ours
  SubmitOutcome outcome = AtTownship().Submit(reports);
  ASSERT_THAT(outcome.status, IsOk());
  ASSERT_EQ(outcome.responses.size(), 4u);
  const v1::Rejection& missing = outcome.For("mixed-0")->rejection();
  EXPECT_EQ(missing.code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(missing.field(), "headline");
  const v1::Rejection& unknown = outcome.For("mixed-1")->rejection();
  EXPECT_EQ(unknown.code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(unknown.field(), "location.region_code");
  EXPECT_THAT(unknown.message(),
              ::testing::HasSubstr("not in the region table"));
  const v1::Rejection& foreign = outcome.For("mixed-2")->rejection();
  EXPECT_EQ(foreign.code(),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_TRUE(outcome.For("mixed-3")->has_receipt());
  ExpectAllAtProvinceOnce({"mixed-3"});
}

TEST_F(ChainTest, HealthShowsTheNodeAndItsIntakeServing) {
  for (NodeProcess* node : {province_, township_}) {
    TestClient client(kPki, kDutyOfficer, node->address());
    for (const char* service : {"", "kuaibao.v1.Intake", "kuaibao.v1.Relay"}) {
      absl::StatusOr<bool> serving = client.Serving(service);
      ASSERT_THAT(serving, IsOk()) << service;
      EXPECT_TRUE(*serving) << service;
    }
  }
}

TEST_F(ChainTest, WrongIdentitiesAreRefusedAndTheNodeKeepsServing) {
  // A duty officer of another township.
  SubmitOutcome other =
      AtTownship("client-140106001000-duty-1").Submit(Reports("x", 1));
  EXPECT_THAT(other.status, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(std::string(other.status.message()),
              ::testing::HasSubstr("outside this node's region"));
  // A certificate from another CA: refused in the handshake.
  SubmitOutcome foreign =
      TestClient(kForeignPki, kDutyOfficer, township_->address())
          .Submit(Reports("y", 1));
  EXPECT_THAT(foreign.status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(foreign.receipts(), 0);
  // A client certificate used as a node.
  StoredReport relayed;
  *relayed.mutable_report() = Reports("z", 1)[0];
  relayed.add_hops()->set_node(kTownship);
  std::vector<v1::RelayDown> answers;
  EXPECT_THAT(TestClient(kPki, kDutyOfficer, county_->address())
                  .Escalate(relayed, &answers),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // A township node of another county relaying to this county.
  EXPECT_THAT(TestClient(kPki, "node-140106001000", county_->address())
                  .Escalate(relayed, &answers),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // The county's own township relaying a report of another county.
  relayed.mutable_report()->mutable_location()->set_region_code("140106001000");
  answers.clear();
  EXPECT_THAT(TestClient(kPki, "node-140105001000", county_->address())
                  .Escalate(relayed, &answers),
              IsOk());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].rejection().code(),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_TRUE(AtProvince().Get("z-0").status().code() ==
              absl::StatusCode::kNotFound);
  // After all that, the real officer is still served.
  SubmitOutcome fine = AtTownship().Submit(Reports("fine", 1));
  EXPECT_EQ(fine.receipts(), 1);
}

TEST_F(ChainTest, ReadsAreLimitedToTheCallersSubtree) {
  ASSERT_EQ(AtTownship().Submit(Reports("mine", 1)).receipts(), 1);
  ASSERT_THAT(AtProvince().WaitFor("mine-0", kPatience), IsOk());
  TestClient outsider(kPki, "client-140106001000-duty-1", province_->address());
  EXPECT_THAT(outsider.Get("mine-0"), StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<std::vector<StoredReport>> listed = outsider.ListAll();
  ASSERT_THAT(listed, IsOk());
  EXPECT_TRUE(listed->empty());
}

TEST_F(ChainTest, GradeOneArrivesByEveryRouteAndIsStoredOnce) {
  std::vector<IncidentReport> reports = Reports("mine", 1);
  reports[0].set_grade(GRADE_I);
  ASSERT_EQ(AtTownship().Submit(reports).receipts(), 1);
  absl::Time give_up = absl::Now() + kPatience;
  absl::StatusOr<v1::GetReportResponse> got;
  do {
    got = AtProvince().Get("mine-0");
  } while ((!got.ok() || got->report().other_paths_size() < 2) &&
           absl::Now() < give_up);
  ASSERT_THAT(got, IsOk());
  const StoredReport& r = got->report();
  ASSERT_EQ(r.other_paths_size(), 2) << "every arrival recorded";
  // The township's direct copy (township → province), the county's, sent
  // whatever happened below (township → county → province), and the
  // level-by-level one (township → county → city → province), whichever
  // came first.
  std::vector<int> lengths = {r.hops_size(), r.other_paths(0).hops_size(),
                              r.other_paths(1).hops_size()};
  std::sort(lengths.begin(), lengths.end());
  EXPECT_THAT(lengths, ::testing::ElementsAre(2, 3, 4));
  absl::StatusOr<std::vector<StoredReport>> all = AtProvince().ListAll();
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 1u) << "stored once";
  // The direct deadline (1 h, scaled: 3.6 s) is evaluated at the province.
  bool direct_rule = false;
  for (const DeadlineStatus& d : got->deadlines()) {
    direct_rule |= d.rule() == DEADLINE_RULE_DIRECT_TO_PROVINCE;
  }
  EXPECT_TRUE(direct_rule);
}

TEST_F(ChainTest, ProvinceRecordsTheStateCouncilSubmission) {
  std::vector<IncidentReport> reports = Reports("flood", 1);
  reports[0].set_grade(GRADE_II);
  ASSERT_EQ(AtTownship().Submit(reports).receipts(), 1);
  ASSERT_THAT(AtProvince().WaitFor("flood-0", kPatience), IsOk());

  v1::RecordNationalSubmissionRequest request;
  request.set_report_id("flood-0");
  request.set_channel("fax");
  // Only the province records it, and only its own duty officers.
  EXPECT_THAT(AtTownship().RecordNationalSubmission(request),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  request.set_channel("");
  EXPECT_THAT(AtProvince().RecordNationalSubmission(request),
              StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_channel("fax");
  absl::StatusOr<Forwarding> recorded =
      AtProvince().RecordNationalSubmission(request);
  ASSERT_THAT(recorded, IsOk());
  EXPECT_EQ(recorded->to(), "national");

  // The province's timeline shows the hand-off and R5 met.
  absl::StatusOr<v1::GetReportResponse> got = AtProvince().Get("flood-0");
  ASSERT_THAT(got, IsOk());
  const HopRecord& own = got->report().hops(got->report().hops_size() - 1);
  bool national = false;
  for (const Forwarding& f : own.forwarded()) {
    national |= f.to() == "national" && f.route() == ROUTE_OTHER_MEANS;
  }
  EXPECT_TRUE(national);
  const DeadlineStatus* r5 = nullptr;
  for (const DeadlineStatus& d : got->deadlines()) {
    if (d.rule() == DEADLINE_RULE_PROVINCE_TO_NATIONAL) r5 = &d;
  }
  ASSERT_NE(r5, nullptr);
  EXPECT_THAT(r5->state(),
              ::testing::AnyOf(DEADLINE_STATE_MET, DEADLINE_STATE_MET_LATE));
}

TEST_F(ChainTest, ParentDownEscalatesPastItAndTheParentStillGetsItsCopy) {
  county_->Kill(SIGKILL);
  ASSERT_EQ(AtTownship().Submit(Reports("stuck", 1)).receipts(), 1);
  // The per-hop budget is 7.2 s (scaled); at 75% the township escalates to
  // the city, which passes it to the province.
  absl::StatusOr<v1::GetReportResponse> got =
      AtProvince().WaitFor("stuck-0", kPatience);
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->report().hops_size(), 3);
  EXPECT_EQ(got->report().hops(0).node(), kTownship);
  EXPECT_EQ(got->report().hops(1).node(), kCity);
  ASSERT_EQ(got->report().hops(0).forwarded_size(), 1);
  EXPECT_EQ(got->report().hops(0).forwarded(0).route(), ROUTE_ESCALATED);
  // The county comes back and still gets its copy. The city already has the
  // report: it records the second arrival (township → county → city) and
  // sends nothing twice.
  ASSERT_THAT(county_->Start(), IsOk());
  TestClient at_city(kPki, kProvinceOfficer, city_->address());
  absl::Time give_up = absl::Now() + kPatience;
  do {
    got = at_city.Get("stuck-0");
  } while (got.ok() && got->report().other_paths_size() < 1 &&
           absl::Now() < give_up);
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->report().other_paths_size(), 1);
  EXPECT_EQ(got->report().other_paths(0).hops_size(), 3);
  EXPECT_EQ(got->report().other_paths(0).hops(1).node(), kCounty);
  EXPECT_THAT(TestClient(kPki, kProvinceOfficer, county_->address())
                  .WaitFor("stuck-0", kPatience),
              IsOk());
  EXPECT_EQ(AtProvince().ListAll()->size(), 1u);
}

TEST(NodeStartTest, RefusesACertificateOfAnotherRegion) {
  TempDir dir;
  // The county's certificate files, but the config says township.
  NodeProcess node(dir.Sub("n"), kTownship, dir.Sub("pki"));
  std::filesystem::create_directories(dir.Sub("pki"));
  std::filesystem::copy_file(std::string(kPki) + "/node-140105000000.pem",
                             dir.Sub("pki/node-140105001000.pem"));
  std::filesystem::copy_file(std::string(kPki) + "/node-140105000000.key",
                             dir.Sub("pki/node-140105001000.key"));
  std::filesystem::copy_file(std::string(kPki) + "/ca.pem",
                             dir.Sub("pki/ca.pem"));
  absl::Status started = node.Start();
  EXPECT_THAT(started, StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(std::string(started.message()),
              ::testing::HasSubstr(
                  "a node needs a node certificate for its own region"));
}

TEST(NodeStartTest, SecondNodeOnTheSamePortRefusesToStart) {
  TempDir dir;
  NodeProcess first(dir.Sub("a"), kCounty, kPki);
  ASSERT_THAT(first.Start(), IsOk());
  NodeProcess clash(dir.Sub("b"), kCounty, kPki);
  clash.set_port(first.port());
  absl::Status s = clash.Start();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("cannot listen"));
}

}  // namespace
}  // namespace kuaibao::testing

namespace kuaibao::testing {
namespace {

// Instructions (批示) down, feedback up.
class InstructionChainTest : public ChainTest {
 protected:
  // A report from the township, at the province: the event is known there.
  std::string ReportedEvent() {
    std::vector<IncidentReport> reports = Reports("ev", 1);
    SubmitOutcome out = AtTownship().Submit(reports);
    EXPECT_EQ(out.receipts(), 1);
    EXPECT_THAT(AtProvince().WaitFor(reports[0].report_id(), kPatience),
                IsOk());
    // The number the township gave the event.
    return out.receipts() == 1 ? out.responses[0].receipt().event_id() : "";
  }

  static v1::IssueInstructionRequest Order(const std::string& id,
                                           const std::string& event_id) {
    v1::IssueInstructionRequest request;
    request.mutable_instruction()->set_instruction_id(id);
    request.mutable_instruction()->set_event_id(event_id);
    request.mutable_instruction()->set_issuer_title("省长");
    request.mutable_instruction()->set_text("全力搜救，每小时报告进展");
    return request;
  }

  static const DeadlineStatus* Rule(const InstructionState& s,
                                    DeadlineRule rule) {
    for (const DeadlineStatus& d : s.deadlines()) {
      if (d.rule() == rule) return &d;
    }
    return nullptr;
  }
  static DeadlineState StateOf(const InstructionState& s, DeadlineRule rule) {
    const DeadlineStatus* d = Rule(s, rule);
    return d == nullptr ? DEADLINE_STATE_UNSPECIFIED : d->state();
  }
  static std::vector<std::string> Nodes(
      const google::protobuf::RepeatedPtrField<InstructionHop>& hops) {
    std::vector<std::string> nodes;
    for (const InstructionHop& hop : hops) nodes.push_back(hop.node());
    return nodes;
  }
};

TEST_F(InstructionChainTest, ReachesTheTownshipAndLateFeedbackIsItsFault) {
  // The province on the drill clock too: the leader's 1 h is 3.6 s.
  province_->SetExtraConfig(kDrillClock);
  ASSERT_EQ(province_->Stop(), 0);
  ASSERT_THAT(province_->Start(), IsOk());
  std::string event = ReportedEvent();
  v1::IssueInstructionRequest order = Order("in-1", event);
  order.set_feedback_within_seconds(3600);
  absl::StatusOr<InstructionState> issued = AtProvince().Issue(order);
  ASSERT_THAT(issued, IsOk());
  EXPECT_EQ(issued->instruction().target_region(), kTownship);

  // Down: every hop recorded.
  absl::StatusOr<InstructionState> at_township =
      AtTownship().WaitForInstruction(
          "in-1", [](const InstructionState&) { return true; }, kPatience);
  ASSERT_THAT(at_township, IsOk()) << township_->LogTail();
  EXPECT_THAT(Nodes(at_township->instruction().hops()),
              ::testing::ElementsAre(kProvince, kCity, kCounty, kTownship));

  // The township's receipt reaches the province: relayed in time.
  absl::StatusOr<InstructionState> at_province =
      AtProvince().WaitForInstruction(
          "in-1",
          [](const InstructionState& s) {
            return StateOf(s, DEADLINE_RULE_INSTRUCTION_RELAY) ==
                   DEADLINE_STATE_MET;
          },
          kPatience);
  ASSERT_THAT(at_province, IsOk());
  EXPECT_EQ(StateOf(*at_province, DEADLINE_RULE_INSTRUCTION_RELAY),
            DEADLINE_STATE_MET);

  // No feedback by the due time: overdue at the province...
  at_province = AtProvince().WaitForInstruction(
      "in-1",
      [](const InstructionState& s) {
        return StateOf(s, DEADLINE_RULE_FEEDBACK) == DEADLINE_STATE_OVERDUE;
      },
      kPatience);
  ASSERT_THAT(at_province, IsOk());
  ASSERT_EQ(StateOf(*at_province, DEADLINE_RULE_FEEDBACK),
            DEADLINE_STATE_OVERDUE);

  // ...then the duty officer reports it done: met late, the township's.
  Feedback done;
  done.set_feedback_id("fb-1");
  done.set_instruction_id("in-1");
  done.set_status(FEEDBACK_STATUS_DONE);
  done.set_text("已落实");
  ASSERT_THAT(AtTownship().SendFeedback(done), IsOk());
  at_province = AtProvince().WaitForInstruction(
      "in-1",
      [](const InstructionState& s) {
        return StateOf(s, DEADLINE_RULE_FEEDBACK) == DEADLINE_STATE_MET_LATE;
      },
      kPatience);
  ASSERT_THAT(at_province, IsOk());
  const DeadlineStatus* feedback = Rule(*at_province, DEADLINE_RULE_FEEDBACK);
  ASSERT_NE(feedback, nullptr);
  EXPECT_EQ(feedback->state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(feedback->responsible(), kTownship);
  const Feedback& last = *at_province->feedback().rbegin();
  EXPECT_EQ(last.feedback_id(), "fb-1");
  EXPECT_THAT(Nodes(last.hops()),
              ::testing::ElementsAre(kTownship, kCounty, kCity, kProvince));
}

TEST_F(InstructionChainTest, IssuedWhileTheCountyIsDownArrivesWhenItIsBack) {
  std::string event = ReportedEvent();
  county_->Kill(SIGKILL);
  ASSERT_THAT(AtProvince().Issue(Order("in-2", event)), IsOk());
  TestClient at_city(kPki, kProvinceOfficer, city_->address());
  absl::StatusOr<InstructionState> waiting = at_city.WaitForInstruction(
      "in-2", [](const InstructionState&) { return true; }, kPatience);
  ASSERT_THAT(waiting, IsOk());
  EXPECT_EQ(waiting->pending_for(), kCounty);

  ASSERT_THAT(county_->Start(), IsOk());
  absl::StatusOr<InstructionState> at_township =
      AtTownship().WaitForInstruction(
          "in-2", [](const InstructionState&) { return true; }, kPatience);
  ASSERT_THAT(at_township, IsOk()) << township_->LogTail();
  EXPECT_THAT(Nodes(at_township->instruction().hops()),
              ::testing::ElementsAre(kProvince, kCity, kCounty, kTownship));
  // The city's queue empties once the county acknowledged it.
  waiting = at_city.WaitForInstruction(
      "in-2", [](const InstructionState& s) { return s.pending_for().empty(); },
      kPatience);
  ASSERT_THAT(waiting, IsOk());
  EXPECT_EQ(waiting->pending_for(), "");
}

}  // namespace
}  // namespace kuaibao::testing
