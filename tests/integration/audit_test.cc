// The Audit service over real nodes and real mTLS: a county that holds
// reports past its budget is named in the timeline, the breaches and the
// punctuality table; statistics count each real event once; auditors of
// another region are refused; a child whose clock runs a minute ahead is
// flagged at its parent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/audit_client.h"
#include "client/audit_view.h"
#include "client/command_io.h"
#include "client/query_commands.h"
#include "client/relay_client.h"
#include "relay/proto_time.h"
#include "tests/integration/in_process_node.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"
#include "tests/integration/test_client.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

TestClient Auditor(const std::string& region, const std::string& address) {
  return TestClient(kPki, absl::StrCat("auditor-", region, "-inspector-1"),
                    address);
}

const HopTiming* HopAt(const ReportTimeline& t, const std::string& node) {
  for (const HopTiming& h : t.hops()) {
    if (h.path() == 0 && h.node() == node) return &h;
  }
  return nullptr;
}

TlsPaths PathsOf(const std::string& cert_name) {
  TlsPaths paths;
  paths.cert_file = absl::StrCat(kPki, "/", cert_name, ".pem");
  paths.key_file = absl::StrCat(kPki, "/", cert_name, ".key");
  paths.ca_file = absl::StrCat(kPki, "/ca.pem");
  return paths;
}

// What `kuaibao due` prints at `address` for the township's duty officer.
std::string DueText(const std::string& address) {
  std::unique_ptr<RelayClient> relay =
      *ConnectToNode(address, PathsOf(kDutyOfficer), absl::Seconds(10));
  std::unique_ptr<AuditClient> audit =
      *ConnectAuditClient(address, PathsOf(kDutyOfficer), absl::Seconds(10));
  std::ostringstream out, err;
  CommandIo io;
  io.out = &out;
  io.err = &err;
  EXPECT_EQ(RunDue(*relay, audit.get(), false, io), kExitOk) << err.str();
  return out.str();
}

class AuditChainTest : public ::testing::Test {
 protected:
  AuditChainTest() : chain_(dir_.path()) {}

  void SetUp() override {
    // Every level on the drill clock (2 h per hop → 7.2 s), so that every
    // node judges the hand-offs by the same budgets.
    for (NodeProcess* n : {chain_.province.get(), chain_.city.get(),
                           chain_.county.get(), chain_.township.get()}) {
      n->SetExtraConfig("deadlines { time_scale: 0.001 }\n");
    }
    ASSERT_THAT(chain_.Start(), IsOk());
  }

  // A report of `event` made now (so that only the hand-offs can be late).
  static IncidentReport Report(const std::string& id, const std::string& event,
                               uint32_t seq, uint32_t deaths) {
    absl::Time now = absl::Now();
    IncidentReport r = SampleReport(id, kTownship, now);
    r.set_event_id(event);
    r.set_event_seq(seq);
    if (seq > 0) {
      r.set_kind(REPORT_KIND_FOLLOW_UP);
      r.set_supersedes(absl::StrCat(id.substr(0, id.size() - 1), seq - 1));
    }
    *r.mutable_occurred_at() = ToProto(now);
    *r.mutable_unit_informed_at() = ToProto(now);
    r.mutable_harm()->set_deaths(deaths);
    return r;
  }

  // Restarts `node` knowing the province among its ancestors, so that it
  // sends grade I/II reports there directly as well.
  absl::Status RestartWithProvinceLink(NodeProcess* node) {
    if (node->Stop() != 0) return absl::InternalError("did not stop cleanly");
    node->SetExtraConfig(absl::StrCat(
        "deadlines { time_scale: 0.001 }\nancestors { region: \"", kProvince,
        "\" address: \"", chain_.province->address(), "\" }\n"));
    return node->Start();
  }

  static AuditScope Today() {
    AuditScope scope;
    *scope.mutable_from() = ToProto(absl::Now() - absl::Hours(24));
    *scope.mutable_to() = ToProto(absl::Now() + absl::Hours(24));
    return scope;
  }

  static TimelineRequest OfReport(const std::string& id) {
    TimelineRequest request;
    request.set_report_id(id);
    return request;
  }

  TempDir dir_;
  Chain chain_;
};

TEST_F(AuditChainTest, ALateCountyIsNamedInEveryViewAndEventsCountOnce) {
  NodeProcess* city = chain_.city.get();
  NodeProcess* county = chain_.county.get();
  NodeProcess* province = chain_.province.get();
  // The city is away: the county holds what the township hands it.
  ASSERT_EQ(city->Stop(), 0);
  IncidentReport drill = Report("au-drill", "au-ev-drill", 0, 9);
  drill.set_status(REPORT_STATUS_EXERCISE);
  SubmitOutcome first =
      chain_.AtTownship().Submit({Report("au-a0", "au-ev-a", 0, 1), drill});
  ASSERT_EQ(first.receipts(), 2);
  // The number the township gave the event (the file's "au-ev-a" is its
  // label there).
  const std::string event_a = first.For("au-a0")->receipt().event_id();

  // At the county, while it still holds it: overdue, the county's.
  TestClient county_auditor = Auditor(kCounty, county->address());
  absl::StatusOr<TimelineResponse> held = PollUntil<TimelineResponse>(
      [&] { return county_auditor.Timeline(OfReport("au-a0")); },
      [](const TimelineResponse& r) {
        const HopTiming* h = HopAt(r.reports(0), kCounty);
        return h != nullptr && h->state() == DEADLINE_STATE_OVERDUE;
      });
  ASSERT_THAT(held, IsOk());
  const HopTiming* holding = HopAt(held->reports(0), kCounty);
  ASSERT_NE(holding, nullptr);
  EXPECT_EQ(holding->state(), DEADLINE_STATE_OVERDUE) << county->LogTail();
  EXPECT_TRUE(holding->late());
  EXPECT_THAT(holding->notes(), Contains("still here: not yet handed on"));
  EXPECT_FALSE(HopAt(held->reports(0), kTownship)->late());

  // The city is back; a follow-up of the same event goes through at once.
  ASSERT_THAT(city->Start(), IsOk());
  SubmitOutcome follow_up =
      chain_.AtTownship().Submit({Report("au-a1", "au-ev-a", 1, 2)});
  ASSERT_EQ(follow_up.receipts(), 1) << follow_up.responses[0].DebugString();
  for (const char* id : {"au-a0", "au-drill", "au-a1"}) {
    ASSERT_THAT(chain_.AtProvince().WaitFor(id, kPatience), IsOk()) << id;
  }

  // The province's view: every hop, the county's the late one.
  TestClient auditor = Auditor(kProvince, province->address());
  absl::StatusOr<TimelineResponse> timeline =
      auditor.Timeline(OfReport("au-a0"));
  ASSERT_THAT(timeline, IsOk());
  const ReportTimeline& t = timeline->reports(0);
  ASSERT_EQ(t.hops_size(), 4);
  const HopTiming* at_county = HopAt(t, kCounty);
  EXPECT_TRUE(at_county->late());
  EXPECT_EQ(at_county->state(), DEADLINE_STATE_MET_LATE);
  EXPECT_GT(FromDurationProto(at_county->dwell()), absl::Seconds(7.2));
  EXPECT_EQ(FromDurationProto(at_county->budget()), absl::Seconds(7.2));
  EXPECT_FALSE(HopAt(t, kTownship)->late());
  EXPECT_EQ(HopAt(t, kTownship)->state(), DEADLINE_STATE_MET);
  EXPECT_THAT(t.late(), Contains(kCounty));
  EXPECT_THAT(t.late(), Not(Contains(kTownship)));
  TimelineRequest of_event;
  of_event.set_event_id(event_a);
  absl::StatusOr<TimelineResponse> event = auditor.Timeline(of_event);
  ASSERT_THAT(event, IsOk());
  ASSERT_EQ(event->reports_size(), 2);
  EXPECT_EQ(event->reports(0).report_id(), "au-a0");
  EXPECT_EQ(event->reports(1).report_id(), "au-a1");

  // Breaches: the county's late hand-off; the drill's apart; none of the
  // township's.
  ListBreachesRequest breaches_request;
  *breaches_request.mutable_scope() = Today();
  absl::StatusOr<ListBreachesResponse> breaches =
      auditor.Breaches(breaches_request);
  ASSERT_THAT(breaches, IsOk());
  bool county_named = false;
  for (const BreachGroup& g : breaches->groups()) {
    EXPECT_FALSE(g.responsible() == kTownship &&
                 g.kind() == BREACH_KIND_LATE_HAND_OFF);
    if (g.responsible() == kCounty && g.kind() == BREACH_KIND_LATE_HAND_OFF) {
      county_named = true;
      ASSERT_EQ(g.entries_size(), 1) << g.DebugString();
      EXPECT_EQ(g.entries(0).report_id(), "au-a0");
    }
  }
  EXPECT_TRUE(county_named) << breaches->DebugString();
  bool drill_apart = false;
  for (const BreachEntry& e : breaches->drills()) {
    drill_apart = drill_apart || e.report_id() == "au-drill";
  }
  EXPECT_TRUE(drill_apart);

  // Punctuality: the county 1 of 2 on time, the township 2 of 2.
  PunctualityRequest punctuality_request;
  *punctuality_request.mutable_scope() = Today();
  absl::StatusOr<PunctualityResponse> punctuality =
      auditor.Punctuality(punctuality_request);
  ASSERT_THAT(punctuality, IsOk());
  ASSERT_GE(punctuality->nodes_size(), 1);
  EXPECT_EQ(punctuality->nodes(0).responsible(), kCounty);
  EXPECT_EQ(punctuality->nodes(0).handled(), 2);
  EXPECT_EQ(punctuality->nodes(0).late(), 1);
  EXPECT_EQ(punctuality->nodes(0).worst_report_id(), "au-a0");
  for (const PunctualityRow& row : punctuality->nodes()) {
    if (row.responsible() == kTownship) {
      EXPECT_EQ(row.on_time(), 2);
      EXPECT_EQ(row.late(), 0);
    }
  }

  // Statistics: one real event with its latest figures; the drill apart.
  StatisticsRequest stats_request;
  *stats_request.mutable_scope() = Today();
  absl::StatusOr<StatisticsResponse> stats = auditor.Statistics(stats_request);
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->total().events(), 1);
  EXPECT_EQ(stats->total().deaths(), 2);
  EXPECT_EQ(stats->drill_events(), 1);
  ASSERT_EQ(stats->rows_size(), 1);
  EXPECT_EQ(stats->rows(0).key(), kCity);

  // Clocks on one machine agree: both links of the county known, in bound.
  absl::StatusOr<ClockSkewResponse> skew = county_auditor.ClockSkew();
  ASSERT_THAT(skew, IsOk());
  ASSERT_EQ(skew->links_size(), 2) << skew->DebugString();
  for (const ClockLink& link : skew->links()) {
    EXPECT_FALSE(link.beyond_bound()) << link.DebugString();
    EXPECT_GE(link.samples(), 1);
  }

  // An auditor of another county is refused here, with the reason; at the
  // province it sees nothing of this county.
  absl::StatusOr<TimelineResponse> refused =
      Auditor("140106000000", county->address()).Timeline(OfReport("au-a0"));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(refused.status().message(), HasSubstr("140106000000"));
  EXPECT_THAT(
      Auditor("140106000000", province->address()).Timeline(OfReport("au-a0")),
      StatusIs(absl::StatusCode::kNotFound));
  ListBreachesRequest outside;
  *outside.mutable_scope() = Today();
  outside.mutable_scope()->set_region(kCounty);
  EXPECT_THAT(Auditor("140106000000", province->address()).Breaches(outside),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// Issue 14: with the direct route, the city's copy of a grade II report
// arrives second and late. The province names the city in its breaches and
// punctuality (every path counts), and the city's own audit, once it has
// handed the report on, says the province rules were met late by its hop —
// not overdue for ever.
TEST_F(AuditChainTest, TheSecondPathsLateCityIsNamedAndItsOwnViewEndsAtItsHop) {
  NodeProcess* province = chain_.province.get();
  NodeProcess* city = chain_.city.get();
  // The township sends grade I/II reports to the province directly as well
  // (its ancestors name the province): a second path.
  ASSERT_THAT(RestartWithProvinceLink(chain_.township.get()), IsOk());
  // The province is away: the city holds the level-by-level copy, the
  // township its direct one.
  ASSERT_EQ(province->Stop(), 0);
  IncidentReport report = Report("au-p2", "au-ev-p2", 0, 3);
  report.set_grade(GRADE_II);
  ASSERT_EQ(chain_.AtTownship().Submit({report}).receipts(), 1);
  TestClient at_city = Auditor(kProvince, city->address());
  ASSERT_THAT(PollUntil<TimelineResponse>(
                  [&] { return at_city.Timeline(OfReport("au-p2")); },
                  [](const TimelineResponse&) { return true; }),
              IsOk());
  // Held past its 7.2 s budget (drill clock) and past both province rules;
  // then the city goes away too, so the direct copy arrives first.
  absl::StatusOr<TimelineResponse> held = PollUntil<TimelineResponse>(
      [&] { return at_city.Timeline(OfReport("au-p2")); },
      [](const TimelineResponse& r) {
        const HopTiming* h = HopAt(r.reports(0), kCity);
        bool end_to_end_overdue = false;
        for (const DeadlineStatus& d : r.reports(0).deadlines()) {
          end_to_end_overdue |= d.rule() == DEADLINE_RULE_END_TO_END &&
                                d.state() == DEADLINE_STATE_OVERDUE;
        }
        return h != nullptr && h->state() == DEADLINE_STATE_OVERDUE &&
               end_to_end_overdue;
      });
  ASSERT_THAT(held, IsOk());
  ASSERT_EQ(city->Stop(), 0);
  ASSERT_THAT(province->Start(), IsOk());
  ASSERT_THAT(chain_.AtProvince().WaitFor("au-p2", kPatience), IsOk());
  ASSERT_THAT(city->Start(), IsOk());

  // The province has both arrivals, the city's on the second path.
  TestClient auditor = Auditor(kProvince, province->address());
  absl::StatusOr<TimelineResponse> both = PollUntil<TimelineResponse>(
      [&] { return auditor.Timeline(OfReport("au-p2")); },
      [](const TimelineResponse& r) {
        for (const HopTiming& h : r.reports(0).hops()) {
          if (h.path() != 0 && h.node() == kCity) return true;
        }
        return false;
      });
  ASSERT_THAT(both, IsOk());
  EXPECT_NE(HopAt(both->reports(0), kProvince), nullptr);
  EXPECT_EQ(HopAt(both->reports(0), kCity), nullptr)
      << "the direct copy should have come first: " << both->DebugString();

  ListBreachesRequest breaches_request;
  *breaches_request.mutable_scope() = Today();
  absl::StatusOr<ListBreachesResponse> breaches =
      auditor.Breaches(breaches_request);
  ASSERT_THAT(breaches, IsOk());
  const BreachEntry* city_hand_off = nullptr;
  for (const BreachGroup& g : breaches->groups()) {
    if (g.responsible() == kCity && g.kind() == BREACH_KIND_LATE_HAND_OFF) {
      city_hand_off = &g.entries(0);
    }
  }
  ASSERT_NE(city_hand_off, nullptr) << breaches->DebugString();
  EXPECT_EQ(city_hand_off->report_id(), "au-p2");
  EXPECT_FALSE(city_hand_off->outstanding());
  EXPECT_GT(FromDurationProto(city_hand_off->late_by()), absl::ZeroDuration());

  PunctualityRequest punctuality_request;
  *punctuality_request.mutable_scope() = Today();
  absl::StatusOr<PunctualityResponse> punctuality =
      auditor.Punctuality(punctuality_request);
  ASSERT_THAT(punctuality, IsOk());
  const PunctualityRow* city_row = nullptr;
  for (const PunctualityRow& row : punctuality->nodes()) {
    if (row.responsible() == kCity) city_row = &row;
  }
  ASSERT_NE(city_row, nullptr) << punctuality->DebugString();
  EXPECT_EQ(city_row->late(), 1);
  EXPECT_EQ(city_row->worst_report_id(), "au-p2");
  // The notice's own measure, by the reporting region (the township took
  // it in): the direct copy reached the province, but late.
  ASSERT_EQ(punctuality->end_to_end_size(), 1) << punctuality->DebugString();
  EXPECT_EQ(punctuality->end_to_end(0).responsible(), kTownship);
  EXPECT_EQ(punctuality->end_to_end(0).late(), 1);
  EXPECT_EQ(FromDurationProto(punctuality->end_to_end_budget()),
            absl::Seconds(10.8));

  // The city's own audit after its hand-off: met late by its own hop, no
  // province rule outstanding; the two rules apart.
  absl::StatusOr<ListBreachesResponse> own = PollUntil<ListBreachesResponse>(
      [&] { return at_city.Breaches(breaches_request); },
      [](const ListBreachesResponse& r) {
        for (const BreachGroup& g : r.groups()) {
          for (const BreachEntry& e : g.entries()) {
            if (e.kind() == BREACH_KIND_LATE_HAND_OFF && !e.outstanding()) {
              return true;
            }
          }
        }
        return false;
      });
  ASSERT_THAT(own, IsOk());
  // (The event's follow-up, 24 h → 86 s on the drill clock, may fall due
  // meanwhile; it is not a hand-off rule.)
  std::set<BreachKind> kinds;
  for (const BreachGroup& g : own->groups()) {
    for (const BreachEntry& e : g.entries()) {
      if (e.kind() == BREACH_KIND_MISSED_FOLLOW_UP) continue;
      EXPECT_FALSE(e.outstanding()) << e.DebugString() << city->LogTail();
      kinds.insert(e.kind());
    }
  }
  EXPECT_TRUE(kinds.count(BREACH_KIND_LATE_TO_PROVINCE)) << own->DebugString();
  EXPECT_TRUE(kinds.count(BREACH_KIND_LATE_DIRECT_TO_PROVINCE))
      << own->DebugString();
  EXPECT_TRUE(kinds.count(BREACH_KIND_LATE_HAND_OFF)) << own->DebugString();
  // What an auditor reads: the two rules apart, each with its budget, in the
  // notice's time with the drill's wall time beside it, in the table and in
  // the CSV.
  const std::string table = FormatBreaches(*own);
  EXPECT_THAT(table, HasSubstr("late to the province, end to end (from "
                               "reportable), budget 3h (drill wall time "
                               "10.8s): 1 breach"));
  EXPECT_THAT(table, HasSubstr("grade I/II: late directly to the province, "
                               "budget 1h (drill wall time 3.6s): 1 breach"));
  const std::string csv = BreachesCsv(*own);
  EXPECT_THAT(csv, HasSubstr("LATE_TO_PROVINCE,\"reach the province (end to "
                             "end, 3h, drill wall time 10.8s)\",10.800,"));
  EXPECT_THAT(csv, HasSubstr("LATE_DIRECT_TO_PROVINCE,\"grade I/II: reach the "
                             "province directly (1h, drill wall time 3.6s)\","
                             "3.600,"));
  // `kuaibao due` at the city says how late in the notice's time too.
  EXPECT_THAT(DueText(city->address()),
              ::testing::ContainsRegex("late by [0-9hms]+ \\(drill wall time "
                                       "[0-9.]+s\\)"));
}

// Issue 14: any government that learns of a grade I/II report sends it
// straight to the province, whatever happened below. The township has no
// link to the province (its direct copy never leaves); the county, which
// has one, sends its own direct copy while the city is away. The province
// stores the report once and records both arrivals; the city, which
// learned of it long after the province, is flagged ("and the next level
// at the same time"), against the county that held it.
TEST_F(AuditChainTest, ACountySendsAGradeTwoReportStraightToTheProvince) {
  NodeProcess* province = chain_.province.get();
  NodeProcess* city = chain_.city.get();
  NodeProcess* county = chain_.county.get();
  ASSERT_THAT(RestartWithProvinceLink(county), IsOk());
  ASSERT_EQ(city->Stop(), 0);
  IncidentReport report = Report("au-d2", "au-ev-d2", 0, 3);
  report.set_grade(GRADE_II);
  ASSERT_EQ(chain_.AtTownship().Submit({report}).receipts(), 1);

  // The county's direct copy: township → county → province.
  absl::StatusOr<GetReportResponse> direct =
      chain_.AtProvince().WaitFor("au-d2", kPatience);
  ASSERT_THAT(direct, IsOk());
  const StoredReport& first = direct->report();
  ASSERT_EQ(first.hops_size(), 3) << first.DebugString();
  EXPECT_EQ(first.hops(1).node(), kCounty);
  ASSERT_EQ(first.hops(1).forwarded_size(), 1);
  EXPECT_EQ(first.hops(1).forwarded(0).route(), ROUTE_DIRECT);
  EXPECT_THAT(first.hops(1).forwarded(0).reason(),
              HasSubstr("grade I/II: direct to the province"));
  const absl::Time at_province = FromProto(first.hops(2).received_at());
  // The city comes back well over 10 notice minutes (0.6 s) later.
  TestClient auditor = Auditor(kProvince, province->address());
  ASSERT_THAT(PollUntil<TimelineResponse>(
                  [&] { return auditor.Timeline(OfReport("au-d2")); },
                  [&](const TimelineResponse&) {
                    return absl::Now() > at_province + absl::Seconds(2);
                  }),
              IsOk());
  ASSERT_THAT(city->Start(), IsOk());

  // The level-by-level copy arrives second: recorded beside the first.
  absl::StatusOr<GetReportResponse> both = PollUntil<GetReportResponse>(
      [&] { return chain_.AtProvince().Get("au-d2"); },
      [](const GetReportResponse& r) {
        return r.report().other_paths_size() >= 1;
      });
  ASSERT_THAT(both, IsOk());
  ASSERT_EQ(both->report().other_paths_size(), 1) << both->DebugString();
  ASSERT_EQ(both->report().other_paths(0).hops_size(), 4);
  EXPECT_EQ(both->report().other_paths(0).hops(2).node(), kCity);
  EXPECT_EQ(both->report().hops_size(), 3);
  // Stored once: one report, one event.
  absl::StatusOr<std::vector<StoredReport>> all = chain_.AtProvince().ListAll();
  ASSERT_THAT(all, IsOk());
  int copies = 0;
  for (const StoredReport& r : *all) {
    copies += r.report().report_id() == "au-d2";
  }
  EXPECT_EQ(copies, 1);
  StatisticsRequest stats_request;
  *stats_request.mutable_scope() = Today();
  absl::StatusOr<StatisticsResponse> stats = auditor.Statistics(stats_request);
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->total().events(), 1);

  // The city learned of it after the province: flagged, the county's.
  ListBreachesRequest breaches_request;
  *breaches_request.mutable_scope() = Today();
  absl::StatusOr<ListBreachesResponse> breaches =
      auditor.Breaches(breaches_request);
  ASSERT_THAT(breaches, IsOk());
  const BreachEntry* lagged = nullptr;
  for (const BreachGroup& g : breaches->groups()) {
    for (const BreachEntry& e : g.entries()) {
      if (e.kind() == BREACH_KIND_NEXT_LEVEL_LAGGED) lagged = &e;
    }
  }
  ASSERT_NE(lagged, nullptr) << breaches->DebugString();
  EXPECT_EQ(lagged->report_id(), "au-d2");
  EXPECT_EQ(lagged->responsible(), kCounty);
  EXPECT_THAT(lagged->breach().detail(), HasSubstr(kCity));
  // Over 10 minutes of notice time (0.6 s on the drill clock) after the
  // province: the tolerance, then late by the rest.
  EXPECT_GT(FromDurationProto(lagged->late_by()), absl::ZeroDuration());
}

// Issue 14: a provincial department's report of an event in the township
// reached the province before the township's own. The province numbers it
// as its own event (the first node numbers events), but the event's
// follow-up is the township's to file — the government of the location —
// not the province's, which merely took the report in.
TEST_F(AuditChainTest, AnEventIsOwnedByItsLocalityWhoeverReportedFirst) {
  IncidentReport department = Report("au-own-d", "au-ev-own", 0, 0);
  department.mutable_unit()->set_name("省应急管理厅");
  SubmitOutcome at_province = chain_.AtProvince().Submit({department});
  ASSERT_EQ(at_province.receipts(), 1);
  const std::string province_event =
      at_province.For("au-own-d")->receipt().event_id();
  SubmitOutcome at_township =
      chain_.AtTownship().Submit({Report("au-own-t", "au-ev-own", 0, 0)});
  ASSERT_EQ(at_township.receipts(), 1);
  const std::string township_event =
      at_township.For("au-own-t")->receipt().event_id();
  ASSERT_THAT(chain_.AtProvince().WaitFor("au-own-t", kPatience), IsOk());
  absl::StatusOr<ListDueResponse> due = chain_.AtProvince().Due();
  ASSERT_THAT(due, IsOk());
  std::map<std::string, std::string> follow_up_owner;
  for (const DeadlineStatus& d : due->deadlines()) {
    if (d.rule() == DEADLINE_RULE_FOLLOW_UP) {
      follow_up_owner[d.event_id()] = d.responsible();
    }
  }
  EXPECT_EQ(follow_up_owner[province_event], kTownship) << due->DebugString();
  EXPECT_EQ(follow_up_owner[township_event], kTownship) << due->DebugString();
}

// Issue 14: a breach stays in `kuaibao due` until an auditor marks it
// reviewed, not until it ages out of the node's 8-hour watch; the mark is
// the auditor's alone, kept with who and when, and survives a restart.
TEST(AuditReviewTest, ABreachThreeDaysOldStaysDueUntilReviewed) {
  TempDir dir;
  FakeClock clock(absl::Now());
  InProcessNode township(dir.Sub("township"), kTownship, &clock);
  ASSERT_THAT(township.Start(), IsOk());
  // The unit told the township two hours after its head learned of it: R1
  // (1 h) met late, the unit's breach.
  IncidentReport late = SampleReport("rv-1", kTownship, clock.TimeNow());
  *late.mutable_unit_informed_at() = ToProto(clock.TimeNow() - absl::Hours(2));
  *late.mutable_occurred_at() = ToProto(clock.TimeNow() - absl::Hours(2));
  ASSERT_EQ(TestClient(kPki, kDutyOfficer, township.address())
                .Submit({late})
                .receipts(),
            1);
  clock.Advance(absl::Hours(72));
  // The node's watch lets the report go at its next tick (real time, under a
  // second): from then on only the breach records and the audit know it.
  TestClient officer_queries(kPki, kDutyOfficer, township.address());
  absl::StatusOr<ListDueResponse> watched = PollUntil<ListDueResponse>(
      [&] { return officer_queries.Due(); },
      [](const ListDueResponse& r) {
        for (const DeadlineStatus& d : r.deadlines()) {
          if (d.report_id() == "rv-1" &&
              d.rule() == DEADLINE_RULE_UNIT_TO_LOCAL) {
            return false;
          }
        }
        return true;
      });
  ASSERT_THAT(watched, IsOk());

  const std::string three_days_on = DueText(township.address());
  EXPECT_THAT(three_days_on, HasSubstr("Breaches awaiting review"));
  EXPECT_THAT(three_days_on, ::testing::ContainsRegex(
                                 "unit → local government \\(1h\\) +rv-1"));

  // Only an auditor may mark it; an unknown breach is refused by name.
  const std::string origin = "spiffe://kuaibao/client/140105001000/duty-1";
  ReviewBreachRequest request;
  request.mutable_review()->set_about("rv-1");
  request.mutable_review()->set_rule(DEADLINE_RULE_UNIT_TO_LOCAL);
  request.mutable_review()->set_responsible(origin);
  request.mutable_review()->set_note("单位已作说明");
  std::unique_ptr<AuditClient> officer = *ConnectAuditClient(
      township.address(), PathsOf(kDutyOfficer), absl::Seconds(10));
  EXPECT_THAT(officer->ReviewBreach(request),
              StatusIs(absl::StatusCode::kPermissionDenied));
  std::unique_ptr<AuditClient> auditor = *ConnectAuditClient(
      township.address(), PathsOf("auditor-140105000000-inspector-1"),
      absl::Seconds(10));
  ReviewBreachRequest unknown = request;
  unknown.mutable_review()->set_about("rv-404");
  EXPECT_THAT(auditor->ReviewBreach(unknown),
              StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<BreachReview> marked = auditor->ReviewBreach(request);
  ASSERT_THAT(marked, IsOk());
  EXPECT_EQ(marked->reviewed_by(),
            "spiffe://kuaibao/auditor/140105000000/inspector-1");
  // Stored times keep microseconds (relay/proto_time.h).
  EXPECT_EQ(FromProto(marked->reviewed_at()),
            absl::FromUnixMicros(absl::ToUnixMicros(clock.TimeNow())));
  EXPECT_THAT(
      DueText(township.address()),
      Not(::testing::ContainsRegex("unit → local government \\(1h\\) +rv-1")));

  // Kept across a restart, listed with the breach; marking again returns the
  // first mark.
  township.Stop();
  ASSERT_THAT(township.Start(), IsOk());
  clock.Advance(absl::Minutes(5));
  absl::StatusOr<BreachReview> again = auditor->ReviewBreach(request);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(FromProto(again->reviewed_at()), FromProto(marked->reviewed_at()));
  ListBreachesRequest all;
  *all.mutable_scope()->mutable_from() =
      ToProto(clock.TimeNow() - absl::Hours(24 * 30));
  *all.mutable_scope()->mutable_to() = ToProto(clock.TimeNow());
  absl::StatusOr<ListBreachesResponse> listed = auditor->ListBreaches(all);
  ASSERT_THAT(listed, IsOk());
  bool found = false;
  for (const BreachGroup& g : listed->groups()) {
    for (const BreachEntry& e : g.entries()) {
      if (e.report_id() == "rv-1" &&
          e.breach().rule() == DEADLINE_RULE_UNIT_TO_LOCAL) {
        found = true;
        EXPECT_EQ(e.review().note(), "单位已作说明");
      }
    }
  }
  EXPECT_TRUE(found) << listed->DebugString();
}

// A clock that runs `offset` ahead of this machine's.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(absl::Duration offset) : offset_(offset) {}
  absl::Time TimeNow() override { return absl::Now() + offset_; }

 private:
  const absl::Duration offset_;
};

TEST(AuditClockTest, AChildClockAMinuteAheadIsFlaggedAtBothEnds) {
  TempDir dir;
  NodeProcess county(dir.Sub("county"), kCounty, kPki);
  ASSERT_THAT(county.Start(), IsOk());
  OffsetClock ahead(absl::Seconds(60));
  InProcessNode township(dir.Sub("township"), kTownship, &ahead);
  township.SetParent(kCounty, county.port());
  ASSERT_THAT(township.Start(), IsOk());
  ASSERT_EQ(TestClient(kPki, kDutyOfficer, township.address())
                .Submit({SampleReport("skew-1", kTownship, absl::Now())})
                .receipts(),
            1);
  TestClient at_county = Auditor(kCounty, county.address());
  ASSERT_THAT(TestClient(kPki, kProvinceOfficer, county.address())
                  .WaitFor("skew-1", kPatience),
              IsOk());

  absl::StatusOr<ClockSkewResponse> skew = at_county.ClockSkew();
  ASSERT_THAT(skew, IsOk());
  ASSERT_EQ(skew->links_size(), 1);
  const ClockLink& child = skew->links(0);
  EXPECT_EQ(child.peer(), kTownship);
  EXPECT_EQ(child.relation(), "child");
  EXPECT_TRUE(child.beyond_bound());
  // One-way: 60 s less the network delay.
  EXPECT_GT(FromDurationProto(child.offset()), absl::Seconds(55));
  EXPECT_LE(FromDurationProto(child.offset()), absl::Seconds(60));
  EXPECT_THAT(county.Log(),
              HasSubstr("a child node's clock disagrees with this node's"));

  // The timeline marks the transit that compares the two clocks.
  absl::StatusOr<TimelineResponse> timeline = at_county.Timeline([] {
    TimelineRequest r;
    r.set_report_id("skew-1");
    return r;
  }());
  ASSERT_THAT(timeline, IsOk());
  const HopTiming& arrival = timeline->reports(0).hops(1);
  EXPECT_LT(FromDurationProto(arrival.transit()), absl::Seconds(-55));
  EXPECT_TRUE(arrival.clock_offset_known());
  EXPECT_THAT(arrival.notes(), Contains(HasSubstr("clocks disagree")));

  // The township learns from the county's receipt that its own clock is off.
  absl::StatusOr<ClockSkewResponse> own = PollUntil<ClockSkewResponse>(
      [&] { return Auditor(kCounty, township.address()).ClockSkew(); },
      [](const ClockSkewResponse& r) { return r.links_size() == 1; });
  ASSERT_THAT(own, IsOk());
  ASSERT_EQ(own->links_size(), 1);
  EXPECT_EQ(own->links(0).relation(), "upstream");
  EXPECT_TRUE(own->links(0).beyond_bound());
  EXPECT_LT(FromDurationProto(own->links(0).offset()), absl::Seconds(-59));
  EXPECT_GT(FromDurationProto(own->links(0).offset()), absl::Seconds(-61));
}

}  // namespace
}  // namespace kuaibao::testing
