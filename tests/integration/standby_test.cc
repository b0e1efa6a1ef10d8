// Standby nodes (deploy/README.md, "Standby nodes") over real mTLS with real
// node processes: a region's primary is killed (SIGKILL) in the middle of a
// flood; its children turn to the standby once a hand-off is at risk, grade I
// reports reach a province node within their hour, and once the primary is
// back both nodes hold every acknowledged report, once. The deadlines run on
// the drill clock (time_scale), so the notice's hours pass in seconds.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "relay/proto_time.h"
#include "relay/store/report_store.h"
#include "tests/integration/delivery_check.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"
#include "tests/integration/test_client.h"
#include "tests/testing/history.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

// One notice hour = 10.8 s; a hand-off is at risk at half its budget, so
// the failover of a grade I report starts 5.4 s after the township took it.
constexpr double kTimeScale = 0.003;
constexpr char kDrillDeadlines[] =
    "deadlines { time_scale: 0.003 at_risk_fraction: 0.5 }\n"
    "client_rate_limit { reports_per_second: 1000000 burst: 1000000 }\n"
    "node_rate_limit { reports_per_second: 1000000 burst: 1000000 }\n";

// The flood's size: 1,000 in CI (two loaded cores), the issue's 5,000 with
// KUAIBAO_STANDBY_REPORTS=5000 (or any other count).
int FloodSize() {
  const char* n = std::getenv("KUAIBAO_STANDBY_REPORTS");
  return n != nullptr && std::atoi(n) > 0 ? std::atoi(n) : 1000;
}

std::string Local(int port) { return absl::StrCat("127.0.0.1:", port); }

// Every 25th report is grade I; all became known just now, so that only
// the failover decides whether they make their hour.
std::vector<IncidentReport> Flood(int from, int n) {
  std::vector<IncidentReport> reports;
  const absl::Time now = absl::Now();
  for (int i = from; i < from + n; ++i) {
    IncidentReport r = SampleReport(absl::StrCat("sb-", i), kTownship, now);
    *r.mutable_occurred_at() = ToProto(now);
    *r.mutable_unit_informed_at() = ToProto(now);
    if (i % 25 == 0) r.set_grade(GRADE_I);
    reports.push_back(std::move(r));
  }
  return reports;
}

bool IsGradeI(const std::string& id) {
  int n = 0;
  return absl::SimpleAtoi(id.substr(3), &n) && n % 25 == 0;
}

// The ids a node holds.
absl::flat_hash_set<std::string> IdsAt(TestClient client) {
  absl::flat_hash_set<std::string> ids;
  absl::Status listed = client.ForEachReport(
      [&](const StoredReport& r) { ids.insert(r.report().report_id()); });
  EXPECT_THAT(listed, IsOk());
  return ids;
}

// The ids in a stopped node's data directory.
absl::flat_hash_set<std::string> IdsOnDisk(const std::string& data_dir) {
  absl::flat_hash_set<std::string> ids;
  auto store = ReportStore::Open(data_dir, {});
  EXPECT_THAT(store, IsOk());
  if (!store.ok()) return ids;
  std::string after;
  for (;;) {
    auto page = (*store)->ListReports(after, 1000, nullptr);
    EXPECT_THAT(page, IsOk());
    if (!page.ok() || page->empty()) break;
    for (const StoredReport& r : *page) ids.insert(r.report().report_id());
    after = page->back().report().report_id();
  }
  return ids;
}

// When each report first reached a province node, over every path of the
// copies `client` holds (the earliest, by report id).
void ProvinceArrivals(TestClient client,
                      absl::flat_hash_map<std::string, absl::Time>* first) {
  ASSERT_THAT(client.ForEachReport([&](const StoredReport& r) {
    auto scan = [&](const auto& hops) {
      for (const HopRecord& hop : hops) {
        if (hop.node() != kProvince) continue;
        absl::Time at = FromProto(hop.received_at());
        auto [it, fresh] = first->emplace(r.report().report_id(), at);
        if (!fresh && at < it->second) it->second = at;
      }
    };
    scan(r.hops());
    for (const Path& p : r.other_paths()) scan(p.hops());
  }),
              IsOk());
}

// Township → county → city → province, with a standby for `region` (the
// province or the county) whose primary is killed during the flood.
class StandbyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StandbyTest, PrimaryKilledDuringAFloodLosesAndDoublesNothing) {
  const std::string region = GetParam();
  const bool province = region == kProvince;
  const int reports = FloodSize();
  std::cout << "standby " << region << ": " << reports << " reports\n";
  TempDir dir;
  Chain chain(dir.path());
  NodeProcess standby(dir.path() + "/standby", region, kPki);
  standby.set_cert_name(absl::StrCat("node-", region, "-standby"));
  NodeProcess* primary = province ? chain.province.get() : chain.county.get();
  const int primary_port = FreeLocalPort(), standby_port = FreeLocalPort();
  ASSERT_GT(primary_port, 0);
  ASSERT_GT(standby_port, 0);
  primary->set_port(primary_port);
  standby.set_port(standby_port);
  primary->SetExtraConfig(absl::StrCat(kDrillDeadlines, "peer_address: \"",
                                       Local(standby_port), "\"\n"));
  // The child lists both: its parent first, the parent's standby beside it.
  NodeProcess* child = province ? chain.city.get() : chain.township.get();
  // Top down, each knowing its parent's port; the standby after its
  // primary, reporting to the same parent.
  NodeProcess* parent = nullptr;
  for (NodeProcess* node : {chain.province.get(), chain.city.get(),
                            chain.county.get(), chain.township.get()}) {
    if (node == child) {
      node->SetExtraConfig(absl::StrCat(
          kDrillDeadlines, "parent { region: \"", parent->region(),
          "\" address: \"", parent->address(), "\" standby_address: \"",
          Local(standby_port), "\" }\n"));
      if (!province) {
        // A township as deployed: the levels above its county, so that its
        // grade I reports go straight to the province as well (the
        // notice's direct rule), whatever befalls the county.
        node->SetExtraConfig(absl::StrCat(
            kDrillDeadlines, "parent { region: \"", parent->region(),
            "\" address: \"", parent->address(), "\" standby_address: \"",
            Local(standby_port), "\" }\nancestors { region: \"", kCity,
            "\" address: \"", chain.city->address(),
            "\" }\nancestors { region: \"", kProvince, "\" address: \"",
            chain.province->address(), "\" }\n"));
      }
    } else {
      if (node != primary) node->SetExtraConfig(kDrillDeadlines);
      if (parent != nullptr) node->SetParent(parent->region(), parent->port());
    }
    ASSERT_THAT(node->Start(), IsOk()) << node->LogTail();
    if (node == primary) {
      std::string standby_config =
          absl::StrCat(kDrillDeadlines, "standby: true peer_address: \"",
                       Local(primary_port), "\"\n");
      if (parent != nullptr) {
        absl::StrAppend(&standby_config, "parent { region: \"",
                        parent->region(), "\" address: \"", parent->address(),
                        "\" }\n");
      }
      standby.SetExtraConfig(standby_config);
      ASSERT_THAT(standby.Start(), IsOk()) << standby.LogTail();
    }
    parent = node;
  }

  // The flood, on three streams; the primary dies when a third of it is
  // acknowledged.
  History history;
  std::atomic<int> acked{0};
  std::thread submitter([&] {
    constexpr int kSlice = 100;
    std::vector<std::thread> streams;
    for (int s = 0; s < 3; ++s) {
      streams.emplace_back([&, s] {
        for (int from = s * kSlice; from < reports; from += 3 * kSlice) {
          SubmitRecorded(chain.AtTownship(),
                         Flood(from, std::min(kSlice, reports - from)),
                         &history);
          acked = static_cast<int>(history.acknowledged());
        }
      });
    }
    for (auto& t : streams) t.join();
  });
  const absl::Time flood_start = absl::Now();
  while (acked < reports / 3 && absl::Now() < flood_start + kPatience) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  primary->Kill(SIGKILL);
  const absl::Time killed = absl::Now();
  submitter.join();
  std::cout << "standby " << region << ": primary killed "
            << absl::FormatDuration(killed - flood_start) << " into the flood, "
            << history.acknowledged() << " acknowledged\n";

  // Every acknowledged report is on the primary's disk or at the standby.
  const absl::flat_hash_set<std::string> on_primary =
      IdsOnDisk(primary->data_dir());
  absl::flat_hash_set<std::string> at_standby;
  std::vector<std::string> missing;
  auto covered = [&] {
    at_standby = IdsAt(TestClient(kPki, kProvinceOfficer, standby.address()));
    missing.clear();
    for (const std::string& id : history.AcknowledgedIds()) {
      if (!on_primary.contains(id) && !at_standby.contains(id)) {
        missing.push_back(id);
      }
    }
    return missing.empty();
  };
  const absl::Time give_up = absl::Now() + 2 * kPatience;
  while (!covered() && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(missing.empty())
      << missing.size() << " acknowledged reports neither on the primary's "
      << "disk nor at the standby, e.g. " << missing.front() << "\n"
      << standby.LogTail();
  std::cout << "standby " << region << ": every acknowledged report at "
            << "the primary (" << on_primary.size() << ") or the standby ("
            << at_standby.size() << ") "
            << absl::FormatDuration(absl::Now() - killed)
            << " after the kill\n";
  auto status = TestClient(kPki, kProvinceOfficer, standby.address()).Status();
  ASSERT_THAT(status, IsOk());
  EXPECT_TRUE(status->standby());
  EXPECT_TRUE(status->acting()) << "the primary is down";
  // The parent's children view (下级) says whether the standby is acting.
  auto acting_at_parent = [&](bool acting) {
    absl::StatusOr<v1::ListChildrenResponse> children =
        PollUntil<v1::ListChildrenResponse>(
            [&] {
              return TestClient(kPki, kProvinceOfficer, chain.city->address())
                  .Children();
            },
            [&](const v1::ListChildrenResponse& r) {
              for (const v1::ChildLink& c : r.children()) {
                if (c.region() == region && c.depth() == 1) {
                  return c.standby_acting() == acting;
                }
              }
              return false;
            });
    ASSERT_THAT(children, IsOk());
    for (const v1::ChildLink& c : children->children()) {
      if (c.region() == region && c.depth() == 1) {
        EXPECT_EQ(c.standby_acting(), acting) << c.DebugString();
      }
    }
  };
  if (!province) acting_at_parent(true);

  // The primary comes back: each node gets what the other took.
  ASSERT_THAT(primary->Start(), IsOk()) << primary->LogTail();
  TestClient at_primary(kPki, kProvinceOfficer, primary->address());
  TestClient at_the_standby(kPki, kProvinceOfficer, standby.address());
  const uint64_t seed = 0;
  Counts p = CheckAtTop(at_primary, history, "standby-primary-" + region, seed);
  Counts s =
      CheckAtTop(at_the_standby, history, "standby-standby-" + region, seed);
  EXPECT_EQ(p.acknowledged, static_cast<uint64_t>(reports));
  EXPECT_EQ(s.delivered, p.delivered);
  if (!province) acting_at_parent(false);  // the primary is back

  // The grade I reports reached a province node within their hour.
  absl::flat_hash_map<std::string, absl::Time> arrival;
  TestClient top(kPki, kProvinceOfficer, chain.province->address());
  if (province) {
    ProvinceArrivals(at_primary, &arrival);
    ProvinceArrivals(at_the_standby, &arrival);
  } else {
    CheckAtTop(TestClient(kPki, kProvinceOfficer, chain.city->address()),
               history, "standby-city-" + region, seed);
    CheckAtTop(top, history, "standby-province-" + region, seed);
    ProvinceArrivals(top, &arrival);
  }
  const absl::Duration hour = absl::Hours(1) * kTimeScale;
  int grade_i = 0, late = 0;
  ASSERT_THAT(at_primary.ForEachReport([&](const StoredReport& r) {
    if (!IsGradeI(r.report().report_id())) return;
    ++grade_i;
    auto it = arrival.find(r.report().report_id());
    absl::Time taken = FromProto(r.hops(0).received_at());
    if (it == arrival.end() || it->second - taken > hour) {
      ++late;
      ADD_FAILURE() << r.report().report_id() << " reached a province node "
                    << (it == arrival.end()
                            ? std::string("never")
                            : absl::FormatDuration(it->second - taken))
                    << " after the township took it (an hour = "
                    << absl::FormatDuration(hour) << ")";
    }
  }),
              IsOk());
  EXPECT_GT(grade_i, 0);
  std::cout << "standby " << region << ": " << grade_i << " grade I reports, "
            << late << " late; all done "
            << absl::FormatDuration(absl::Now() - flood_start)
            << " after the flood began\n";

  // The failover really happened: some reports came by the standby, and
  // where both nodes passed one on, the next node up stored it once with
  // both arrivals.
  int by_standby = 0, both = 0;
  TestClient above(kPki, kProvinceOfficer,
                   province ? primary->address() : chain.city->address());
  ASSERT_THAT(above.ForEachReport([&](const StoredReport& r) {
    bool standby_path = false;
    auto scan = [&](const auto& hops) {
      for (const HopRecord& hop : hops) standby_path |= hop.standby();
    };
    scan(r.hops());
    for (const Path& path : r.other_paths()) scan(path.hops());
    by_standby += standby_path;
    both += standby_path && r.other_paths_size() > 0;
  }),
              IsOk());
  EXPECT_GT(by_standby, 0) << "nothing went by the standby";
  EXPECT_GT(both, 0) << "no report recorded with both arrivals";
  std::cout << "standby " << region << ": " << by_standby
            << " reports came by the standby, " << both
            << " with both arrivals\n";
}

// An instruction (批示) `id` about `event_id` for `target`, issued by
// `title`.
v1::IssueInstructionRequest Order(const std::string& id,
                                  const std::string& event_id,
                                  const std::string& target,
                                  const std::string& title,
                                  const std::string& text) {
  v1::IssueInstructionRequest request;
  v1::Instruction* instruction = request.mutable_instruction();
  instruction->set_instruction_id(id);
  instruction->set_event_id(event_id);
  instruction->set_target_region(target);
  instruction->set_issuer_title(title);
  instruction->set_text(text);
  return request;
}

bool ForwardedToNational(const v1::GetReportResponse& got) {
  const HopRecord& own = got.report().hops(got.report().hops_size() - 1);
  for (const Forwarding& f : own.forwarded()) {
    if (f.to() == "national") return true;
  }
  return false;
}

absl::StatusOr<v1::RollCallStatus> RollCallAt(TestClient client,
                                              const std::string& id) {
  v1::GetRollCallRequest request;
  request.set_roll_call_id(id);
  return client.GetRollCall(request);
}

// What a leader, a duty officer or a child records at either node of the
// province reaches the other (relay/peer_records.h): an instruction issued
// at the primary (and the city's signing for it), a national submission
// recorded at the standby, a roll call issued at the standby (pushed to the
// city by the primary, which holds its copy) and the city's answer.
TEST(StandbyRecordsTest, InstructionsSubmissionsAndRollCallsReachTheOtherNode) {
  TempDir dir;
  NodeProcess primary(dir.path() + "/primary", kProvince, kPki);
  NodeProcess standby(dir.path() + "/standby", kProvince, kPki);
  standby.set_cert_name(absl::StrCat("node-", kProvince, "-standby"));
  NodeProcess city(dir.path() + "/city", kCity, kPki);
  const int primary_port = FreeLocalPort(), standby_port = FreeLocalPort();
  ASSERT_GT(primary_port, 0);
  ASSERT_GT(standby_port, 0);
  primary.set_port(primary_port);
  standby.set_port(standby_port);
  primary.SetExtraConfig(
      absl::StrCat("peer_address: \"", Local(standby_port), "\"\n"));
  standby.SetExtraConfig(absl::StrCat("standby: true peer_address: \"",
                                      Local(primary_port), "\"\n"));
  ASSERT_THAT(primary.Start(), IsOk()) << primary.LogTail();
  ASSERT_THAT(standby.Start(), IsOk()) << standby.LogTail();
  city.SetExtraConfig(absl::StrCat(
      "parent { region: \"", kProvince, "\" address: \"", primary.address(),
      "\" standby_address: \"", Local(standby_port), "\" }\n"));
  ASSERT_THAT(city.Start(), IsOk()) << city.LogTail();
  TestClient at_city(kPki, absl::StrCat("client-", kCity, "-duty-1"),
                     city.address());
  TestClient at_primary(kPki, kProvinceOfficer, primary.address());
  TestClient at_standby(kPki, kProvinceOfficer, standby.address());

  // A report from the city, at both province nodes.
  ASSERT_EQ(
      at_city.Submit({SampleReport("sr-1", kCity, absl::Now())}).receipts(), 1);
  absl::StatusOr<v1::GetReportResponse> report =
      at_primary.WaitFor("sr-1", kPatience);
  ASSERT_THAT(report, IsOk()) << primary.LogTail();
  ASSERT_THAT(at_standby.WaitFor("sr-1", kPatience), IsOk())
      << standby.LogTail();

  // An instruction issued at the primary is at the standby, and so is the
  // city's signing for it (feedback the city sent the primary).
  ASSERT_THAT(
      at_primary.Issue(Order("sr-in-1", report->report().report().event_id(),
                             kCity, "省长", "全力搜救，每小时报告进展")),
      IsOk());
  absl::StatusOr<InstructionState> copied = at_standby.WaitForInstruction(
      "sr-in-1",
      [](const InstructionState& s) { return s.feedback_size() > 0; },
      kPatience);
  ASSERT_THAT(copied, IsOk()) << standby.LogTail();
  EXPECT_EQ(copied->feedback_size(), 1) << copied->DebugString();
  EXPECT_EQ(copied->feedback(0).from_node(), kCity);
  EXPECT_EQ(copied->instruction().issuer_node(), kProvince);

  // A national submission recorded at the standby is the primary's record:
  // the primary answers another channel with ALREADY_EXISTS.
  v1::RecordNationalSubmissionRequest fax;
  fax.set_report_id("sr-1");
  fax.set_channel("fax");
  ASSERT_THAT(at_standby.RecordNationalSubmission(fax), IsOk());
  absl::StatusOr<v1::GetReportResponse> at_top =
      PollUntil<v1::GetReportResponse>([&] { return at_primary.Get("sr-1"); },
                                       ForwardedToNational);
  ASSERT_THAT(at_top, IsOk());
  EXPECT_TRUE(ForwardedToNational(*at_top)) << primary.LogTail();
  v1::RecordNationalSubmissionRequest phone = fax;
  phone.set_channel("telephone");
  EXPECT_THAT(at_primary.RecordNationalSubmission(phone),
              StatusIs(absl::StatusCode::kAlreadyExists));

  // A roll call issued at the standby (the city is connected to the
  // primary only): the primary holds it and pushes the city's part down;
  // the city's answer, sent to the primary, is seen at both.
  v1::IssueRollCallRequest issue;
  v1::RollCall* call = issue.mutable_roll_call();
  call->set_roll_call_id("sr-rc-1");
  call->set_period("12月3日 防汛");
  call->set_text("各市于 17 时前报告汛情，无情况零报告");
  *call->mutable_answer_within() = ToDurationProto(absl::Hours(1));
  absl::StatusOr<v1::RollCallStatus> issued = at_standby.IssueRollCall(issue);
  ASSERT_THAT(issued, IsOk());
  const std::string part = absl::StrCat("sr-rc-1.1.", kCity);
  ASSERT_THAT(
      at_city.WaitForInstruction(
          part, [](const InstructionState&) { return true; }, kPatience),
      IsOk())
      << primary.LogTail();
  Feedback answer;
  answer.set_feedback_id(part + ".answer");
  answer.set_instruction_id(part);
  answer.set_status(FEEDBACK_STATUS_DONE);
  answer.mutable_roll_call_answer()->set_kind(RollCallAnswer::KIND_ZERO);
  answer.set_text("无情况零报告");
  ASSERT_THAT(at_city.SendFeedback(answer), IsOk());
  for (TestClient* node : {&at_primary, &at_standby}) {
    absl::StatusOr<v1::RollCallStatus> status = PollUntil<v1::RollCallStatus>(
        [&] { return RollCallAt(*node, "sr-rc-1"); },
        [](const v1::RollCallStatus& s) { return s.answered() == 1; });
    ASSERT_THAT(status, IsOk());
    EXPECT_EQ(status->answered(), 1u) << status->DebugString();
    EXPECT_EQ(status->zero(), 1u);
    EXPECT_EQ(status->targets_size(), issued->targets_size());
  }
}

// How many relay streams `node` has taken (its log's "child connected"
// lines).
size_t StreamsTaken(const NodeProcess& node) {
  const std::string log = node.Log();
  size_t n = 0;
  for (size_t at = log.find("child connected"); at != std::string::npos;
       at = log.find("child connected", at + 1)) {
    ++n;
  }
  return n;
}

// The parent keeps both streams of a region with a standby: when the
// standby's stream ends while the primary's is open, instructions still go
// down the primary's, which never broke (the bug: the standby's stream took
// the primary's place and, ending, left the parent no way down until the
// primary reconnected).
TEST(StandbyStreamsTest, StandbyStreamEndingLeavesThePrimarysWayDown) {
  TempDir dir;
  NodeProcess city(dir.path() + "/city", kCity, kPki);
  NodeProcess primary(dir.path() + "/primary", kCounty, kPki);
  NodeProcess standby(dir.path() + "/standby", kCounty, kPki);
  standby.set_cert_name(absl::StrCat("node-", kCounty, "-standby"));
  const int primary_port = FreeLocalPort(), standby_port = FreeLocalPort();
  ASSERT_GT(primary_port, 0);
  ASSERT_GT(standby_port, 0);
  primary.set_port(primary_port);
  standby.set_port(standby_port);
  ASSERT_THAT(city.Start(), IsOk()) << city.LogTail();
  primary.SetParent(kCity, city.port());
  standby.SetParent(kCity, city.port());
  primary.SetExtraConfig(
      absl::StrCat("peer_address: \"", Local(standby_port), "\"\n"));
  standby.SetExtraConfig(absl::StrCat("standby: true peer_address: \"",
                                      Local(primary_port), "\"\n"));
  ASSERT_THAT(primary.Start(), IsOk()) << primary.LogTail();
  TestClient at_city(kPki, kProvinceOfficer, city.address());
  auto county_connected = [](const v1::ListChildrenResponse& r) {
    for (const v1::ChildLink& c : r.children()) {
      if (c.region() == kCounty && c.depth() == 1) {
        return c.condition() == v1::CHILD_CONDITION_CONNECTED;
      }
    }
    return false;
  };
  ASSERT_THAT(PollUntil<v1::ListChildrenResponse>(
                  [&] { return at_city.Children(); }, county_connected),
              IsOk())
      << city.LogTail();
  ASSERT_EQ(StreamsTaken(city), 1u) << "the primary's stream";

  // Then the standby, and a township that turned to it: the standby sends
  // its report up on a stream of its own, newer than the primary's (the
  // primary holds its copy as the standby's).
  ASSERT_THAT(standby.Start(), IsOk()) << standby.LogTail();
  TestClient at_standby(kPki, kDutyOfficer, standby.address());
  ASSERT_EQ(at_standby.Submit({SampleReport("ss-1", kTownship, absl::Now())})
                .receipts(),
            1);
  absl::StatusOr<v1::GetReportResponse> report =
      at_city.WaitFor("ss-1", kPatience);
  ASSERT_THAT(report, IsOk()) << standby.LogTail();
  ASSERT_TRUE(report->report().hops(0).standby()) << report->DebugString();
  const size_t streams = StreamsTaken(city);
  ASSERT_GE(streams, 2u) << "the standby's stream beside the primary's";

  // The standby's stream ends; then the city issues an instruction to the
  // county.
  standby.Stop();
  ASSERT_THAT(
      at_city.Issue(Order("ss-in-1", report->report().report().event_id(),
                          kCounty, "市长", "立即核实，半小时内报告")),
      IsOk());
  TestClient at_primary(kPki, kProvinceOfficer, primary.address());
  EXPECT_THAT(
      at_primary.WaitForInstruction(
          "ss-in-1", [](const InstructionState&) { return true; }, kPatience),
      IsOk())
      << "the instruction did not reach the primary\n"
      << city.LogTail();
  EXPECT_EQ(StreamsTaken(city), streams) << "the primary reconnected";
  absl::StatusOr<v1::ListChildrenResponse> children = at_city.Children();
  ASSERT_THAT(children, IsOk());
  EXPECT_TRUE(county_connected(*children)) << children->DebugString();
}

INSTANTIATE_TEST_SUITE_P(ProvinceAndCounty, StandbyTest,
                         ::testing::Values(std::string(kProvince),
                                           std::string(kCounty)),
                         [](const auto& info) {
                           return info.param == kProvince ? "Province"
                                                          : "County";
                         });

}  // namespace
}  // namespace kuaibao::testing
