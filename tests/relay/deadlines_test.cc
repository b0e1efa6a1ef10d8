// The notice's deadlines on hand-built timelines (domain-model §3's worked
// example, shifted onto round numbers): who is late, and for which rule.
#include "relay/deadlines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "relay/proto_time.h"
#include "tests/testing/hop_builder.h"
#include "tests/testing/sample_reports.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::SampleReport;

constexpr char kProvince[] = "140000000000";
constexpr char kCity[] = "140100000000";
constexpr char kCounty[] = "140105000000";
constexpr char kTownship[] = "140105001000";
constexpr char kOrigin[] = "spiffe://kuaibao/client/140105001000/duty-1";

const absl::Time t0 = absl::FromUnixSeconds(1790000000);  // the accident

// A hop at `node`: received at t0 + `in`, passed to `next` at t0 + `out`.
void AddHop(StoredReport* s, const std::string& node, absl::Duration in,
            const std::string& next = "",
            absl::Duration out = absl::ZeroDuration()) {
  testing::AddHopTo(s->mutable_hops(), node, t0 + in, next, t0 + out);
}

StoredReport Report(Grade grade) {
  StoredReport s;
  *s.mutable_report() = SampleReport("mine-1", kTownship, t0 + absl::Hours(1));
  s.mutable_report()->set_grade(grade);
  s.mutable_report()->set_origin(kOrigin);
  *s.mutable_report()->mutable_occurred_at() = ToProto(t0);
  *s.mutable_report()->mutable_reportable_at() = ToProto(t0);
  *s.mutable_report()->mutable_unit_informed_at() =
      ToProto(t0 + absl::Minutes(20));
  return s;
}

const DeadlineStatus* Find(const std::vector<DeadlineStatus>& all,
                           DeadlineRule rule, const std::string& responsible) {
  for (const DeadlineStatus& s : all) {
    if (s.rule() == rule && s.responsible() == responsible) return &s;
  }
  return nullptr;
}

int CountLate(const std::vector<DeadlineStatus>& all) {
  int n = 0;
  for (const DeadlineStatus& s : all) {
    n += s.state() == DEADLINE_STATE_MET_LATE ||
         s.state() == DEADLINE_STATE_OVERDUE;
  }
  return n;
}

TEST(StateOfTest, WindowStates) {
  absl::Time start = t0;
  absl::Time due = t0 + absl::Hours(2);
  EXPECT_EQ(
      StateOf(start, due, absl::InfinitePast(), t0 + absl::Minutes(89), 0.75),
      DEADLINE_STATE_ON_TIME);
  EXPECT_EQ(
      StateOf(start, due, absl::InfinitePast(), t0 + absl::Minutes(90), 0.75),
      DEADLINE_STATE_AT_RISK);
  EXPECT_EQ(
      StateOf(start, due, absl::InfinitePast(), t0 + absl::Minutes(121), 0.75),
      DEADLINE_STATE_OVERDUE);
  EXPECT_EQ(StateOf(start, due, t0 + absl::Hours(2), t0 + absl::Hours(9), 0.75),
            DEADLINE_STATE_MET);
  EXPECT_EQ(
      StateOf(start, due, t0 + absl::Minutes(121), t0 + absl::Hours(9), 0.75),
      DEADLINE_STATE_MET_LATE);
}

TEST(ReportDeadlinesTest, OnTimeEverywhereMeansNothingLate) {
  StoredReport s = Report(GRADE_III);
  AddHop(&s, kTownship, absl::Minutes(40), kCounty, absl::Minutes(45));
  AddHop(&s, kCounty, absl::Minutes(46), kCity, absl::Minutes(50));
  AddHop(&s, kCity, absl::Minutes(51), kProvince, absl::Minutes(55));
  AddHop(&s, kProvince, absl::Minutes(56));
  auto all = ReportDeadlines(s, {}, kProvince, false, t0 + absl::Hours(1));
  EXPECT_EQ(CountLate(all), 0);
  ASSERT_NE(Find(all, DEADLINE_RULE_PER_HOP, kCounty), nullptr);
  EXPECT_EQ(Find(all, DEADLINE_RULE_PER_HOP, kCounty)->state(),
            DEADLINE_STATE_MET);
  // The province owes nothing upward for a grade III report.
  EXPECT_EQ(Find(all, DEADLINE_RULE_PROVINCE_TO_NATIONAL, kProvince), nullptr);
}

TEST(ReportDeadlinesTest, UnitLateToTheLocalGovernmentIsTheUnits) {
  StoredReport s = Report(GRADE_III);
  // Informed at t0+20m; the township has it at t0+1h30m: 10 minutes late.
  AddHop(&s, kTownship, absl::Minutes(90));
  auto all = ReportDeadlines(s, {}, kTownship, true, t0 + absl::Minutes(91));
  const DeadlineStatus* r1 = Find(all, DEADLINE_RULE_UNIT_TO_LOCAL, kOrigin);
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(r1->state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(FromProto(r1->due()), t0 + absl::Minutes(80));
}

TEST(ReportDeadlinesTest, ReportHeldAtTheCountyIsTheCountysNotTheTownships) {
  StoredReport s = Report(GRADE_III);
  AddHop(&s, kTownship, absl::Minutes(10), kCounty, absl::Minutes(15));
  // The county sits on it for 2h50m.
  AddHop(&s, kCounty, absl::Minutes(16), kCity, absl::Minutes(186));
  AddHop(&s, kCity, absl::Minutes(187), kProvince, absl::Minutes(190));
  AddHop(&s, kProvince, absl::Minutes(191));
  auto all = ReportDeadlines(s, {}, kProvince, false, t0 + absl::Hours(4));
  EXPECT_EQ(Find(all, DEADLINE_RULE_PER_HOP, kTownship)->state(),
            DEADLINE_STATE_MET);
  EXPECT_EQ(Find(all, DEADLINE_RULE_PER_HOP, kCounty)->state(),
            DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(Find(all, DEADLINE_RULE_PER_HOP, kCity)->state(),
            DEADLINE_STATE_MET);
  // End to end (reportable t0 + 3h): at t0+3h the county still held it.
  const DeadlineStatus* e2e = Find(all, DEADLINE_RULE_END_TO_END, kCounty);
  ASSERT_NE(e2e, nullptr);
  EXPECT_EQ(e2e->state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(CountLate(all), 2);
}

TEST(ReportDeadlinesTest, OpenHandOffAtThisNodeGoesAtRiskThenOverdue) {
  StoredReport s = Report(GRADE_IV);
  AddHop(&s, kTownship, absl::Minutes(10), kCounty, absl::Minutes(12));
  AddHop(&s, kCounty, absl::Minutes(13));
  auto at = [&](absl::Duration d) {
    return Find(ReportDeadlines(s, {}, kCounty, true, t0 + d),
                DEADLINE_RULE_PER_HOP, kCounty)
        ->state();
  };
  EXPECT_EQ(at(absl::Minutes(60)), DEADLINE_STATE_ON_TIME);
  EXPECT_EQ(at(absl::Minutes(13 + 90)), DEADLINE_STATE_AT_RISK);
  EXPECT_EQ(at(absl::Minutes(13 + 121)), DEADLINE_STATE_OVERDUE);
}

TEST(ReportDeadlinesTest, ANodesViewOfProvinceRulesEndsAtItsOwnHandOff) {
  StoredReport s = Report(GRADE_II);
  AddHop(&s, kTownship, absl::Minutes(10), kCounty, absl::Minutes(12));
  AddHop(&s, kCounty, absl::Minutes(13));
  // While the county holds it, it watches the end-to-end and direct rules.
  auto held = ReportDeadlines(s, {}, kCounty, true, t0 + absl::Hours(4));
  ASSERT_NE(Find(held, DEADLINE_RULE_END_TO_END, kCounty), nullptr);
  EXPECT_EQ(Find(held, DEADLINE_RULE_END_TO_END, kCounty)->state(),
            DEADLINE_STATE_OVERDUE);
  // Handed to the city at t0+3h30m (receipt recorded): the county cannot
  // see the province's arrival; as far as it can tell both rules were met
  // late by its own hop, not overdue for ever.
  Forwarding* f = s.mutable_hops(1)->add_forwarded();
  f->set_to(kCity);
  f->set_route(ROUTE_PARENT);
  *f->mutable_sent_at() = ToProto(t0 + absl::Minutes(210));
  *f->mutable_acked_at() = ToProto(t0 + absl::Minutes(210));
  auto passed = ReportDeadlines(s, {}, kCounty, true, t0 + absl::Hours(9));
  for (DeadlineRule rule :
       {DEADLINE_RULE_END_TO_END, DEADLINE_RULE_DIRECT_TO_PROVINCE}) {
    const DeadlineStatus* d = Find(passed, rule, kCounty);
    ASSERT_NE(d, nullptr) << DeadlineRule_Name(rule);
    EXPECT_EQ(d->state(), DEADLINE_STATE_MET_LATE);
    EXPECT_EQ(FromProto(d->met_at()), t0 + absl::Minutes(210));
  }
  EXPECT_EQ(CountLate(passed), 3);  // and its own hand-off
  // Handed on in time: met, and the first government's.
  *f->mutable_sent_at() = ToProto(t0 + absl::Minutes(14));
  auto early = ReportDeadlines(s, {}, kCounty, true, t0 + absl::Hours(9));
  EXPECT_EQ(Find(early, DEADLINE_RULE_END_TO_END, kTownship)->state(),
            DEADLINE_STATE_MET);
  EXPECT_EQ(Find(early, DEADLINE_RULE_PER_HOP, kCounty)->state(),
            DEADLINE_STATE_MET);
}

TEST(ReportDeadlinesTest, EveryPathsHandOffsAreJudged) {
  StoredReport s = Report(GRADE_II);
  // The direct copy arrived first and became the primary path; the city's
  // copy came 3 hours later, after it held it past its budget.
  AddHop(&s, kTownship, absl::Minutes(10), kProvince, absl::Minutes(11));
  AddHop(&s, kProvince, absl::Minutes(12));
  Path* level_by_level = s.add_other_paths();
  testing::AddHopTo(level_by_level->mutable_hops(), kTownship,
                    t0 + absl::Minutes(10), kCounty, t0 + absl::Minutes(11));
  testing::AddHopTo(level_by_level->mutable_hops(), kCounty,
                    t0 + absl::Minutes(12), kCity, t0 + absl::Minutes(20));
  testing::AddHopTo(level_by_level->mutable_hops(), kCity,
                    t0 + absl::Minutes(21), kProvince, t0 + absl::Minutes(190));
  testing::AddHopTo(level_by_level->mutable_hops(), kProvince,
                    t0 + absl::Minutes(191));
  auto all = ReportDeadlines(s, {}, kProvince, false, t0 + absl::Hours(5));
  const DeadlineStatus* city = Find(all, DEADLINE_RULE_PER_HOP, kCity);
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(FromProto(city->met_at()), t0 + absl::Minutes(190));
  EXPECT_EQ(Find(all, DEADLINE_RULE_PER_HOP, kCounty)->state(),
            DEADLINE_STATE_MET);
  // The township is judged once, by the path that arrived first.
  int township = 0;
  for (const DeadlineStatus& d : all) {
    township +=
        d.rule() == DEADLINE_RULE_PER_HOP && d.responsible() == kTownship;
  }
  EXPECT_EQ(township, 1);
}

TEST(ReportDeadlinesTest, GradeTwoMustReachTheProvinceWithinTheHour) {
  StoredReport s = Report(GRADE_II);
  // The township learns at t0+30m and sends both ways at once.
  AddHop(&s, kTownship, absl::Minutes(30), kCounty, absl::Minutes(31));
  s.mutable_hops(0)->add_forwarded()->set_to(kProvince);
  AddHop(&s, kCounty, absl::Minutes(32), kCity, absl::Minutes(40));
  AddHop(&s, kCity, absl::Minutes(41), kProvince, absl::Minutes(45));
  AddHop(&s, kProvince, absl::Minutes(46));
  // The direct copy arrived first, at t0+32m.
  Path* direct = s.add_other_paths();
  *direct->add_hops() = s.hops(0);
  HopRecord* at_province = direct->add_hops();
  at_province->set_node(kProvince);
  *at_province->mutable_received_at() = ToProto(t0 + absl::Minutes(32));
  // Order of paths does not matter: the earliest arrival counts.
  auto all = ReportDeadlines(s, {}, kProvince, false, t0 + absl::Hours(1));
  const DeadlineStatus* r3 = nullptr;
  for (const DeadlineStatus& d : all) {
    if (d.rule() == DEADLINE_RULE_DIRECT_TO_PROVINCE) r3 = &d;
  }
  ASSERT_NE(r3, nullptr);
  EXPECT_EQ(r3->state(), DEADLINE_STATE_MET);
  EXPECT_EQ(FromProto(r3->met_at()), t0 + absl::Minutes(32));
  EXPECT_EQ(FromProto(r3->due()), t0 + absl::Minutes(90));
  // And the province now owes the State Council within 4 hours.
  const DeadlineStatus* r5 =
      Find(all, DEADLINE_RULE_PROVINCE_TO_NATIONAL, kProvince);
  ASSERT_NE(r5, nullptr);
  EXPECT_EQ(r5->state(), DEADLINE_STATE_ON_TIME);
  EXPECT_EQ(FromProto(r5->due()), t0 + absl::Minutes(46) + absl::Hours(4));
}

TEST(ReportDeadlinesTest,
     AGradeTwoReportReachingTheCityElevenMinutesLateIsFlagged) {
  StoredReport s = Report(GRADE_II);
  AddHop(&s, kTownship, absl::Minutes(30), kCounty, absl::Minutes(31));
  AddHop(&s, kCounty, absl::Minutes(32), kCity, absl::Minutes(42));
  AddHop(&s, kCity, absl::Minutes(43), kProvince, absl::Minutes(44));
  AddHop(&s, kProvince, absl::Minutes(45));
  Path* direct = s.add_other_paths();
  *direct->add_hops() = s.hops(0);
  HopRecord* at_province = direct->add_hops();
  at_province->set_node(kProvince);
  *at_province->mutable_received_at() = ToProto(t0 + absl::Minutes(32));
  auto all = ReportDeadlines(s, {}, kProvince, false, t0 + absl::Hours(1));
  const DeadlineStatus* lag =
      Find(all, DEADLINE_RULE_NEXT_LEVEL_SAME_TIME, kCounty);
  ASSERT_NE(lag, nullptr);
  EXPECT_EQ(lag->state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(FromProto(lag->met_at()) - FromProto(lag->start()),
            absl::Minutes(11));
  EXPECT_THAT(lag->detail(), ::testing::HasSubstr(kCity));
  // The county learned of it at the same minute as the province: no flag.
  int flags = 0;
  for (const DeadlineStatus& d : all) {
    flags += d.rule() == DEADLINE_RULE_NEXT_LEVEL_SAME_TIME;
  }
  EXPECT_EQ(flags, 1);
  // Nine minutes is "at the same time" (the 10-minute tolerance).
  s.mutable_hops(2)->mutable_received_at()->set_seconds(
      ToProto(t0 + absl::Minutes(41)).seconds());
  EXPECT_EQ(Find(ReportDeadlines(s, {}, kProvince, false, t0 + absl::Hours(1)),
                 DEADLINE_RULE_NEXT_LEVEL_SAME_TIME, kCounty),
            nullptr);
}

TEST(ReportDeadlinesTest, DrillsAreMarked) {
  StoredReport s = Report(GRADE_IV);
  s.mutable_report()->set_status(REPORT_STATUS_EXERCISE);
  AddHop(&s, kTownship, absl::Minutes(10));
  for (const DeadlineStatus& d :
       ReportDeadlines(s, {}, kTownship, true, t0 + absl::Hours(1))) {
    EXPECT_TRUE(d.drill()) << DeadlineRule_Name(d.rule());
  }
}

TEST(BreachesAtSendTest, HolderRecordsItsOwnLateHandOff) {
  StoredReport s = Report(GRADE_IV);
  AddHop(&s, kTownship, absl::Minutes(10), kCounty, absl::Minutes(12));
  AddHop(&s, kCounty, absl::Minutes(13));
  EXPECT_TRUE(BreachesAtSend(s, {}, kCounty, t0 + absl::Minutes(100)).empty());
  std::vector<Breach> late =
      BreachesAtSend(s, {}, kCounty, t0 + absl::Minutes(13 + 125));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].rule(), DEADLINE_RULE_PER_HOP);
  EXPECT_EQ(late[0].responsible(), kCounty);
}

TEST(EventOwnerTest, TheLocalityOwnsTheEventWhoeverReportedFirst) {
  // A provincial department's report reached the province first: the
  // township of the event's location owns it all the same.
  EXPECT_EQ(EventOwner("", kProvince, kTownship), kTownship);
  // A village's government is its township.
  EXPECT_EQ(EventOwner("", kProvince, "140105001201"), kTownship);
  // A county-wide event is the county's.
  EXPECT_EQ(EventOwner("", kTownship, kCounty), kCounty);
  // A later report naming only the county keeps the nearer owner; one
  // naming the township makes a county-owned event the township's.
  EXPECT_EQ(EventOwner(kTownship, kCounty, kCounty), kTownship);
  EXPECT_EQ(EventOwner(kCounty, kProvince, kTownship), kTownship);
  // A corrected location (another township) moves the event there.
  EXPECT_EQ(EventOwner(kTownship, kCounty, "140105002000"), "140105002000");
  // A malformed location changes nothing (the taker only for a new event).
  EXPECT_EQ(EventOwner(kCounty, kProvince, "bad"), kCounty);
  EXPECT_EQ(EventOwner("", kProvince, ""), kProvince);
}

TEST(EventDeadlinesTest, FollowUpsUntilFinalAndDetailAfterBrief) {
  DeadlinePolicy policy;
  EventRecord event;
  StoredReport brief = Report(GRADE_UNKNOWN);
  brief.mutable_report()->set_kind(REPORT_KIND_BRIEF);
  AddHop(&brief, kTownship, absl::Minutes(30));
  UpdateEvent(brief, t0 + absl::Minutes(30), policy, &event);
  auto rules = [&](absl::Duration at) {
    std::map<DeadlineRule, DeadlineState> m;
    for (const DeadlineStatus& d : EventDeadlines(event, policy, t0 + at)) {
      m[d.rule()] = d.state();
      EXPECT_EQ(d.responsible(), kTownship);
    }
    return m;
  };
  // Brief at t0+30m: the detailed report is due 40 minutes later.
  EXPECT_EQ(rules(absl::Minutes(60))[DEADLINE_RULE_BRIEF_TO_DETAILED],
            DEADLINE_STATE_AT_RISK);
  EXPECT_EQ(rules(absl::Minutes(71))[DEADLINE_RULE_BRIEF_TO_DETAILED],
            DEADLINE_STATE_OVERDUE);

  StoredReport initial = Report(GRADE_III);
  initial.mutable_report()->set_report_id("mine-2");
  initial.mutable_report()->set_event_seq(1);
  *initial.mutable_report()->mutable_next_report_due() =
      ToProto(t0 + absl::Hours(3));
  AddHop(&initial, kTownship, absl::Minutes(75));
  UpdateEvent(initial, t0 + absl::Minutes(75), policy, &event);
  EXPECT_EQ(rules(absl::Hours(2)).count(DEADLINE_RULE_BRIEF_TO_DETAILED), 0u);
  EXPECT_EQ(rules(absl::Hours(2))[DEADLINE_RULE_FOLLOW_UP],
            DEADLINE_STATE_ON_TIME);
  EXPECT_EQ(rules(absl::Minutes(181))[DEADLINE_RULE_FOLLOW_UP],
            DEADLINE_STATE_OVERDUE);

  StoredReport final_report = Report(GRADE_III);
  final_report.mutable_report()->set_report_id("mine-3");
  final_report.mutable_report()->set_event_seq(2);
  final_report.mutable_report()->set_kind(REPORT_KIND_FINAL);
  AddHop(&final_report, kTownship, absl::Hours(4));
  UpdateEvent(final_report, t0 + absl::Hours(4), policy, &event);
  EXPECT_TRUE(event.closed());
  EXPECT_TRUE(rules(absl::Hours(30)).empty());

  // A late-arriving older report does not reopen it.
  UpdateEvent(initial, t0 + absl::Hours(5), policy, &event);
  EXPECT_TRUE(event.closed());
  EXPECT_EQ(event.reports(), 4u);
}

TEST(DeadlinePolicyTest, DrillScalesEveryBudget) {
  DeadlinePolicy drill = DeadlinePolicy().Scaled(0.001);
  EXPECT_EQ(drill.per_hop, absl::Milliseconds(7200));
  EXPECT_EQ(drill.province_to_national, absl::Milliseconds(14400));
  EXPECT_EQ(drill.at_risk_fraction, 0.75);
}

}  // namespace
}  // namespace kuaibao

namespace kuaibao {
namespace {

// Learned from a news website 22 h after it happened: R1 and end to end run
// from then, and say so.
TEST(SourceDeadlinesTest, MediaStartsRoneAndEndToEndWhenLearned) {
  StoredReport s = Report(GRADE_IV);
  s.mutable_report()->clear_unit_informed_at();
  InformationSource* source = s.mutable_report()->mutable_source();
  source->set_kind(SOURCE_KIND_MEDIA);
  source->set_outlet("新华网");
  *source->mutable_published_at() = ToProto(t0 + absl::Hours(21));
  *source->mutable_learned_at() = ToProto(t0 + absl::Hours(22));
  AddHop(&s, kTownship, absl::Hours(22) + absl::Minutes(30), kCounty,
         absl::Hours(22) + absl::Minutes(40));
  AddHop(&s, kCounty, absl::Hours(22) + absl::Minutes(41), kCity,
         absl::Hours(23));
  AddHop(&s, kCity, absl::Hours(23) + absl::Minutes(1), kProvince,
         absl::Hours(23) + absl::Minutes(10));
  AddHop(&s, kProvince, absl::Hours(23) + absl::Minutes(11));
  std::vector<DeadlineStatus> all = ReportDeadlines(
      s, DeadlinePolicy(), kProvince, false, t0 + absl::Hours(24));
  const DeadlineStatus* r1 = Find(all, DEADLINE_RULE_UNIT_TO_LOCAL, kOrigin);
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(FromProto(r1->start()), t0 + absl::Hours(22));
  EXPECT_EQ(r1->state(), DEADLINE_STATE_MET);
  EXPECT_EQ(r1->detail(),
            "learned from media (新华网), 22 h after it happened");
  int e2e = 0;
  for (const DeadlineStatus& d : all) {
    if (d.rule() != DEADLINE_RULE_END_TO_END) continue;
    ++e2e;
    EXPECT_EQ(FromProto(d.start()), t0 + absl::Hours(22));
    EXPECT_EQ(d.state(), DEADLINE_STATE_MET);
  }
  EXPECT_EQ(e2e, 1);
  // Without the source, both would run from the accident: late.
  s.mutable_report()->clear_source();
  EXPECT_GE(CountLate(ReportDeadlines(s, DeadlinePolicy(), kProvince, false,
                                      t0 + absl::Hours(24))),
            2);
}

// The watch evaluates a written report from its deadline view, not from the
// store: every rule must come out the same from both, on every path.
TEST(DeadlineViewTest, EveryRuleComesOutTheSameAsFromTheFullTimeline) {
  StoredReport s = Report(GRADE_II);
  s.mutable_report()->add_sensitivity(SENSITIVITY_REASON_SENSITIVE_PLACE);
  InformationSource* source = s.mutable_report()->mutable_source();
  source->set_kind(SOURCE_KIND_MEDIA);
  source->set_outlet("新华网");
  *source->mutable_learned_at() = ToProto(t0 + absl::Minutes(5));
  AddHop(&s, kTownship, absl::Minutes(10), kCounty, absl::Minutes(11));
  AddHop(&s, kCounty, absl::Minutes(12), kCity, absl::Minutes(80));
  AddHop(&s, kCity, absl::Minutes(81));
  s.mutable_hops(2)->set_received_from(kCounty);
  s.mutable_hops(2)->add_breaches()->set_detail("held too long below");
  Path* direct = s.add_other_paths();
  testing::AddHopTo(direct->mutable_hops(), kTownship, t0 + absl::Minutes(10),
                    kProvince, t0 + absl::Minutes(11));
  testing::AddHopTo(direct->mutable_hops(), kCity, t0 + absl::Minutes(90));
  // The city's own records, in the store's order (by link), as Timeline
  // reads them back.
  Forwarding* national = s.mutable_hops(2)->add_forwarded();
  national->set_to("100000000000");
  national->set_route(ROUTE_ESCALATED);
  Forwarding* up = s.mutable_hops(2)->add_forwarded();
  up->set_to(kProvince);
  up->set_route(ROUTE_PARENT);
  up->set_reason("level by level");
  StoredReport view = DeadlineView(s);
  // The receipt of the hand-off up, in the store and handed to the view.
  *up->mutable_sent_at() = ToProto(t0 + absl::Minutes(95));
  *up->mutable_acked_at() = ToProto(t0 + absl::Minutes(96));
  up->mutable_receipt()->set_report_digest(std::string(64, 'd'));
  PutOwnForwarding(*up, &view);
  ASSERT_EQ(view.hops(2).forwarded_size(), 2);
  EXPECT_EQ(view.hops(2).forwarded(0).to(), "100000000000");
  EXPECT_EQ(view.hops(2).forwarded(1).to(), kProvince);
  EXPECT_FALSE(view.hops(2).forwarded(1).has_receipt());
  EXPECT_LT(view.ByteSizeLong(), s.ByteSizeLong());
  for (const char* here : {kCity, kCounty}) {
    for (absl::Duration at : {absl::Minutes(30), absl::Minutes(94),
                              absl::Hours(2), absl::Hours(30)}) {
      auto full = ReportDeadlines(s, DeadlinePolicy(), here, true, t0 + at);
      auto seen = ReportDeadlines(view, DeadlinePolicy(), here, true, t0 + at);
      ASSERT_EQ(seen.size(), full.size()) << here << " at " << at;
      for (size_t i = 0; i < full.size(); ++i) {
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(seen[i],
                                                                       full[i]))
            << here << " at " << at << ": " << seen[i].ShortDebugString()
            << " vs " << full[i].ShortDebugString();
      }
    }
  }
}

}  // namespace
}  // namespace kuaibao
