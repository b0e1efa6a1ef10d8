// Integration tests of issue 12 (events, sources), over real node processes
// and real mTLS: two counties under one city, each with a township.
//   province 140000000000
//     city 140100000000
//       county A 140105000000 ── township A 140105001000
//       county B 140106000000 ── township B 140106001000
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "relay/proto_time.h"
#include "relay/store/report_store.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"
#include "tests/integration/test_client.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kCountyB[] = "140106000000";
constexpr char kTownshipB[] = "140106001000";
constexpr char kOfficerB[] = "client-140106001000-duty-1";

// What one run of the `kuaibao` command printed, and its exit status.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class EventTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NodeProcess* parent = nullptr;
    for (NodeProcess* n : {&province_, &city_, &county_, &township_}) {
      if (parent != nullptr) n->SetParent(parent->region(), parent->port());
      ASSERT_THAT(n->Start(), IsOk());
      parent = n;
    }
    county_b_.SetParent(kCity, city_.port());
    ASSERT_THAT(county_b_.Start(), IsOk());
    township_b_.SetParent(kCountyB, county_b_.port());
    ASSERT_THAT(township_b_.Start(), IsOk());
  }

  // Runs `kuaibao` with `cert`'s identity against `node` and `args`.
  CliRun Cli(const std::string& cert, const NodeProcess& node,
             const std::string& args) {
    static int runs = 0;
    const std::string out = absl::StrCat(dir_.path(), "/cli-", ++runs);
    const std::string command = absl::StrCat(
        KUAIBAO_CLI_BINARY, " --node=", node.address(), " --cert=", kPki, "/",
        cert, ".pem --key=", kPki, "/", cert, ".key --ca=", kPki, "/ca.pem ",
        args, " >", out, ".out 2>", out, ".err");
    CliRun run;
    int status = std::system(command.c_str());
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadAll(out + ".out");
    run.err = ReadAll(out + ".err");
    return run;
  }

  static IncidentReport Labelled(const std::string& id,
                                 const std::string& region,
                                 const std::string& label) {
    IncidentReport r = SampleReport(id, region, absl::Now());
    r.set_event_id(label);
    return r;
  }

  TempDir dir_;
  NodeProcess province_{dir_.path() + "/p", kProvince, kPki};
  NodeProcess city_{dir_.path() + "/c", kCity, kPki};
  NodeProcess county_{dir_.path() + "/a", kCounty, kPki};
  NodeProcess township_{dir_.path() + "/ta", kTownship, kPki};
  NodeProcess county_b_{dir_.path() + "/b", kCountyB, kPki};
  NodeProcess township_b_{dir_.path() + "/tb", kTownshipB, kPki};
};

TEST_F(EventTest, TwoTownshipsUsingTheSameFreeTextIdGetTwoEvents) {
  const std::string text = "140105-20261203-001";
  SubmitOutcome a = TestClient(kPki, kDutyOfficer, township_.address())
                        .Submit({Labelled("fire-a", kTownship, text)});
  SubmitOutcome b = TestClient(kPki, kOfficerB, township_b_.address())
                        .Submit({Labelled("fire-b", kTownshipB, text)});
  ASSERT_EQ(a.receipts(), 1);
  ASSERT_EQ(b.receipts(), 1);
  const std::string event_a = a.responses[0].receipt().event_id();
  const std::string event_b = b.responses[0].receipt().event_id();
  EXPECT_THAT(event_a, StartsWith(absl::StrCat(kTownship, "-")));
  EXPECT_THAT(event_b, StartsWith(absl::StrCat(kTownshipB, "-")));

  TestClient province = TestClient(kPki, kProvinceOfficer, province_.address());
  absl::StatusOr<v1::GetReportResponse> at_a =
      province.WaitFor("fire-a", kPatience);
  absl::StatusOr<v1::GetReportResponse> at_b =
      province.WaitFor("fire-b", kPatience);
  ASSERT_THAT(at_a, IsOk());
  ASSERT_THAT(at_b, IsOk());
  EXPECT_EQ(at_a->report().report().event_id(), event_a);
  EXPECT_EQ(at_b->report().report().event_id(), event_b);
  EXPECT_EQ(at_a->report().report().event_label(), text);
  EXPECT_EQ(at_b->report().report().event_label(), text);
}

TEST_F(EventTest, AFollowUpForAnotherCountysEventIsRefused) {
  SubmitOutcome a =
      TestClient(kPki, kDutyOfficer, township_.address())
          .Submit({SampleReport("gas-1", kTownship, absl::Now())});
  ASSERT_EQ(a.receipts(), 1);
  const std::string event = a.responses[0].receipt().event_id();
  ASSERT_THAT(TestClient(kPki, kProvinceOfficer, city_.address())
                  .WaitFor("gas-1", kPatience),
              IsOk());

  IncidentReport follow_up = SampleReport("gas-b-2", kTownshipB, absl::Now());
  follow_up.set_event_id(event);
  follow_up.set_kind(REPORT_KIND_FOLLOW_UP);
  follow_up.set_event_seq(1);
  follow_up.set_supersedes("gas-1");
  // At its own township the event is unknown; at the city, where it is
  // known, it is another county's.
  SubmitOutcome own =
      TestClient(kPki, kOfficerB, township_b_.address()).Submit({follow_up});
  ASSERT_EQ(own.rejections(), 1);
  EXPECT_EQ(own.responses[0].rejection().code(),
            static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(own.responses[0].rejection().field(), "event_id");
  SubmitOutcome at_city =
      TestClient(kPki, kOfficerB, city_.address()).Submit({follow_up});
  ASSERT_EQ(at_city.rejections(), 1);
  EXPECT_EQ(at_city.responses[0].rejection().code(),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(at_city.responses[0].rejection().field(), "event_id");
}

TEST_F(EventTest, ANanosMinusOneTimestampIsRefusedNamingTheField) {
  IncidentReport bad = SampleReport("bad-nanos", kTownship, absl::Now());
  bad.mutable_authored_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  bad.mutable_authored_at()->set_nanos(-1);
  SubmitOutcome out =
      TestClient(kPki, kDutyOfficer, township_.address()).Submit({bad});
  ASSERT_EQ(out.rejections(), 1);
  EXPECT_EQ(out.responses[0].rejection().code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(out.responses[0].rejection().field(), "authored_at");
}

TEST_F(EventTest, ResubmittingAFileStoresNothingNew) {
  // Two reports without ids, as a duty officer writes them.
  const std::string file = dir_.path() + "/reports.ndjson";
  {
    std::ofstream out(file);
    for (const char* headline : {"化工厂泄漏", "道路塌陷"}) {
      IncidentReport r = SampleReport("", kTownship, absl::Now());
      r.clear_report_id();
      r.clear_event_id();
      r.set_headline(headline);
      std::string json;
      ASSERT_TRUE(google::protobuf::util::MessageToJsonString(r, &json).ok());
      out << json << "\n";
    }
  }
  CliRun first = Cli(kDutyOfficer, township_, "submit " + file);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("2 stored, 0 duplicates"));
  CliRun second = Cli(kDutyOfficer, township_, "submit " + file);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("0 stored, 2 duplicates"));

  TestClient province = TestClient(kPki, kProvinceOfficer, province_.address());
  std::vector<StoredReport> all = province.WaitForCount(2, kPatience);
  EXPECT_EQ(all.size(), 2u);
}

TEST_F(EventTest, JsonOutputOverABadStoredTimestampFailsLoudly) {
  // A report an older node stored without checking its times, written
  // straight into the province's store.
  ASSERT_EQ(province_.Stop(), 0);
  {
    absl::StatusOr<std::unique_ptr<ReportStore>> store =
        ReportStore::Open(province_.data_dir(), {});
    ASSERT_THAT(store, IsOk());
    StoredReport old;
    *old.mutable_report() = SampleReport("old-bad", kTownship, absl::Now());
    old.mutable_report()->mutable_authored_at()->set_seconds(1790000000);
    old.mutable_report()->mutable_authored_at()->set_nanos(-1);
    HopRecord* hop = old.add_hops();
    hop->set_node(kProvince);
    hop->set_received_from("spiffe://kuaibao/node/140100000000");
    *hop->mutable_received_at() = ToProto(absl::Now());
    StoreBatch batch;
    batch.Put(ReportStore::ReportKey("old-bad"), old.SerializeAsString());
    ASSERT_THAT((*store)->CommitAndWait(std::move(batch)), IsOk());
  }
  ASSERT_THAT(province_.Start(), IsOk());
  // A good report beside it.
  ASSERT_EQ(TestClient(kPki, kDutyOfficer, township_.address())
                .Submit({SampleReport("good-1", kTownship, absl::Now())})
                .receipts(),
            1);
  ASSERT_THAT(TestClient(kPki, kProvinceOfficer, province_.address())
                  .WaitFor("good-1", kPatience),
              IsOk());

  for (const std::string& args :
       {std::string("--json list"), std::string("--json show old-bad")}) {
    CliRun run = Cli(kProvinceOfficer, province_, args);
    EXPECT_NE(run.exit_code, 0) << args << ": " << run.out;
    EXPECT_THAT(run.err, HasSubstr("authored_at")) << args;
    // Whatever was printed is whole JSON lines.
    for (absl::string_view line :
         absl::StrSplit(run.out, '\n', absl::SkipEmpty())) {
      v1::ListReportsResponse any;
      google::protobuf::util::JsonParseOptions lenient;
      lenient.ignore_unknown_fields = true;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line),
                                                              &any, lenient)
                      .ok())
          << args << ": " << line;
    }
  }
  CliRun exported =
      Cli("auditor-140000000000-inspector-1", province_,
          "audit export old-bad --out=" + dir_.path() + "/x.json");
  EXPECT_NE(exported.exit_code, 0);
  EXPECT_THAT(exported.err, HasSubstr("authored_at"));
}

TEST_F(EventTest, AReportLearnedFromTheMediaRunsItsDeadlinesFromThen) {
  const absl::Time now = absl::Now();
  IncidentReport r = SampleReport("landslide", kTownship, now);
  *r.mutable_occurred_at() = ToProto(now - absl::Hours(24));
  r.clear_unit_informed_at();
  InformationSource* source = r.mutable_source();
  source->set_kind(SOURCE_KIND_MEDIA);
  source->set_outlet("新华网");
  *source->mutable_published_at() = ToProto(now - absl::Hours(3));
  *source->mutable_learned_at() = ToProto(now - absl::Hours(2));
  ASSERT_EQ(TestClient(kPki, kDutyOfficer, township_.address())
                .Submit({r})
                .receipts(),
            1);
  TestClient auditor(kPki, "auditor-140000000000-inspector-1",
                     province_.address());
  ASSERT_THAT(TestClient(kPki, kProvinceOfficer, province_.address())
                  .WaitFor("landslide", kPatience),
              IsOk());
  v1::TimelineRequest timeline_request;
  timeline_request.set_report_id("landslide");
  absl::StatusOr<v1::TimelineResponse> timeline =
      auditor.Timeline(timeline_request);
  ASSERT_THAT(timeline, IsOk());

  v1::ListBreachesRequest request;
  *request.mutable_scope()->mutable_from() = ToProto(now - absl::Hours(48));
  *request.mutable_scope()->mutable_to() = ToProto(now + absl::Hours(24));
  absl::StatusOr<v1::ListBreachesResponse> breaches = auditor.Breaches(request);
  ASSERT_THAT(breaches, IsOk());
  bool r1 = false;
  for (const v1::BreachGroup& g : breaches->groups()) {
    for (const v1::BreachEntry& e : g.entries()) {
      if (e.report_id() != "landslide") continue;
      // End to end runs from when the government learned of it (2 h ago,
      // budget 3 h): not late. R1 (budget 1 h) is, from that time.
      EXPECT_NE(e.breach().rule(), DEADLINE_RULE_END_TO_END) << e.DebugString();
      if (e.breach().rule() == DEADLINE_RULE_UNIT_TO_LOCAL) {
        r1 = true;
        EXPECT_EQ(FromProto(e.breach().start()),
                  FromProto(source->learned_at()));
        EXPECT_THAT(e.breach().detail(),
                    HasSubstr("learned from media (新华网), 22 h after it "
                              "happened"));
      }
    }
  }
  EXPECT_TRUE(r1) << breaches->DebugString();
}

absl::StatusOr<v1::RollCallStatus> RollCallOf(const std::string& id,
                                              const NodeProcess& node) {
  v1::GetRollCallRequest request;
  request.set_roll_call_id(id);
  return TestClient(kPki, kProvinceOfficer, node.address())
      .GetRollCall(request);
}

TEST(RollCallTest, ElevenCitiesNineAnswerTwoSilentAreNamed) {
  const std::vector<std::string> cities = {
      "140100000000", "140200000000", "140300000000", "140400000000",
      "140500000000", "140600000000", "140700000000", "140800000000",
      "140900000000", "141000000000", "141100000000"};
  TempDir dir;
  NodeProcess province(dir.path() + "/p", kProvince, kPki);
  ASSERT_THAT(province.Start(), IsOk());
  std::vector<std::unique_ptr<NodeProcess>> nodes;
  for (const std::string& c : cities) {
    nodes.push_back(
        std::make_unique<NodeProcess>(dir.path() + "/" + c, c, kPki));
    nodes.back()->SetParent(kProvince, province.port());
    ASSERT_THAT(nodes.back()->Launch(), IsOk());
  }
  for (auto& n : nodes) ASSERT_THAT(n->WaitServing(), IsOk());

  v1::IssueRollCallRequest issue;
  v1::RollCall* call = issue.mutable_roll_call();
  call->set_roll_call_id("flood-1203");
  call->set_period("12月3日 防汛");
  call->set_text("各市于 17 时前报告汛情，无情况零报告");
  *call->mutable_answer_within() = ToDurationProto(absl::Seconds(60));
  absl::StatusOr<v1::RollCallStatus> issued =
      TestClient(kPki, kProvinceOfficer, province.address())
          .IssueRollCall(issue);
  ASSERT_THAT(issued, IsOk());
  ASSERT_EQ(issued->targets_size(), 11);

  // 3 answer with reports, 6 with zero reports; the last 2 stay silent.
  for (size_t i = 0; i < 9; ++i) {
    const std::string officer = absl::StrCat("client-", cities[i], "-duty-1");
    TestClient at_city(kPki, officer, nodes[i]->address());
    const std::string part = absl::StrCat("flood-1203.1.", cities[i]);
    ASSERT_THAT(
        at_city.WaitForInstruction(
            part, [](const InstructionState&) { return true; }, kPatience),
        IsOk())
        << cities[i];
    Feedback answer;
    answer.set_feedback_id(part + ".answer");
    answer.set_instruction_id(part);
    answer.set_status(FEEDBACK_STATUS_DONE);
    if (i < 3) {
      IncidentReport r =
          SampleReport(absl::StrCat("flood-", i), cities[i], absl::Now());
      ASSERT_EQ(at_city.Submit({r}).receipts(), 1);
      answer.mutable_roll_call_answer()->set_kind(
          RollCallAnswer::KIND_REPORTED);
      answer.mutable_roll_call_answer()->add_report_ids(r.report_id());
      answer.set_text("已报告");
    } else {
      answer.mutable_roll_call_answer()->set_kind(RollCallAnswer::KIND_ZERO);
      answer.set_text("无情况零报告");
    }
    ASSERT_THAT(at_city.SendFeedback(answer), IsOk()) << cities[i];
  }

  absl::StatusOr<v1::RollCallStatus> status = PollUntil<v1::RollCallStatus>(
      [&] { return RollCallOf("flood-1203", province); },
      [](const v1::RollCallStatus& s) {
        return s.answered() == 9 && s.silent() == 2 && s.targets(9).overdue() &&
               s.targets(10).overdue();
      });
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->reported(), 3u) << status->DebugString();
  EXPECT_EQ(status->zero(), 6u);
  EXPECT_EQ(status->silent(), 2u);
  for (const v1::RollCallTarget& t : status->targets()) {
    const bool silent = t.region() == cities[9] || t.region() == cities[10];
    EXPECT_EQ(t.overdue(), silent) << t.DebugString();
    EXPECT_EQ(t.state() == v1::ROLL_CALL_STATE_SILENT ||
                  t.state() == v1::ROLL_CALL_STATE_RECEIVED,
              silent)
        << t.DebugString();
  }
  EXPECT_EQ(status->targets(10).name(), "吕梁市");

  // The audit's breaches name the two silent cities, and no other.
  TestClient auditor(kPki, "auditor-140000000000-inspector-1",
                     province.address());
  v1::ListBreachesRequest request;
  *request.mutable_scope()->mutable_from() =
      ToProto(absl::Now() - absl::Hours(1));
  *request.mutable_scope()->mutable_to() =
      ToProto(absl::Now() + absl::Hours(1));
  absl::StatusOr<v1::ListBreachesResponse> breaches = auditor.Breaches(request);
  ASSERT_THAT(breaches, IsOk());
  std::set<std::string> named;
  for (const v1::BreachGroup& g : breaches->groups()) {
    if (g.kind() == v1::BREACH_KIND_OVERDUE_FEEDBACK) {
      named.insert(g.responsible());
    }
  }
  EXPECT_EQ(named, (std::set<std::string>{cities[9], cities[10]}))
      << breaches->DebugString();
}

TEST(RollCallTest, ADailyRollCallRepeatsOnTheDrillClockUntilClosed) {
  TempDir dir;
  NodeProcess province(dir.path() + "/p", kProvince, kPki);
  // A drill clock: a day is 8.64 s.
  province.SetExtraConfig("deadlines { time_scale: 0.0001 }\n");
  ASSERT_THAT(province.Start(), IsOk());
  v1::IssueRollCallRequest issue;
  v1::RollCall* call = issue.mutable_roll_call();
  call->set_roll_call_id("daily-1");
  call->set_period("汛期 日报");
  call->set_text("每日 8 时前报告，无情况零报告");
  *call->mutable_answer_within() = ToDurationProto(absl::Hours(2));
  *call->mutable_repeat_every() = ToDurationProto(absl::Hours(24));
  TestClient leader(kPki, kProvinceOfficer, province.address());
  absl::StatusOr<v1::RollCallStatus> issued = leader.IssueRollCall(issue);
  ASSERT_THAT(issued, IsOk());
  EXPECT_EQ(issued->roll_call().rounds(), 1u);
  absl::StatusOr<v1::RollCallStatus> second = PollUntil<v1::RollCallStatus>(
      [&] { return RollCallOf("daily-1", province); },
      [](const v1::RollCallStatus& s) { return s.roll_call().rounds() >= 2; });
  ASSERT_THAT(second, IsOk());
  EXPECT_GE(second->roll_call().rounds(), 2u);
  EXPECT_EQ(second->round(), second->roll_call().rounds());
  EXPECT_EQ(second->targets(0).instruction_id(),
            absl::StrCat("daily-1.", second->round(), ".140100000000"));
  v1::CloseRollCallRequest close;
  close.set_roll_call_id("daily-1");
  absl::StatusOr<v1::RollCallStatus> closed = leader.CloseRollCall(close);
  ASSERT_THAT(closed, IsOk());
  EXPECT_TRUE(closed->roll_call().closed());
  EXPECT_FALSE(closed->roll_call().has_next_round_at());
}

}  // namespace
}  // namespace kuaibao::testing
