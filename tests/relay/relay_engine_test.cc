#include "relay/relay_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "leveldb/db.h"
#include "relay/conflict_record.h"
#include "relay/standby_links.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_regions.h"
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

constexpr char kCounty[] = "140105000000";
constexpr char kCity[] = "140100000000";
constexpr char kProvince[] = "140000000000";
constexpr char kTownship[] = "140105001000";

// How many reports `store` holds queued for `upstream`.
uint64_t Queued(ReportStore* store, const std::string& upstream) {
  return Outbox(store).Summarize(upstream)->waiting;
}

// A county node's engine over a real LevelDB in a temporary directory.
class RelayEngineTest : public ::testing::Test {
 protected:
  RelayEngineTest() : regions_(testing::SampleRegions()) { Open(); }

  void Open() {
    engine_.reset();
    store_.reset();
    store_ = *ReportStore::Open(dir_.path(), {});
    engine_ = *RelayEngine::Open(options_, store_.get(), &regions_, &clock_);
  }

  absl::StatusOr<Receipt> Submit(const Identity& who, IncidentReport report) {
    absl::Notification done;
    absl::StatusOr<Receipt> result;
    engine_->Submit(who, std::move(report), [&](absl::StatusOr<Receipt> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  absl::StatusOr<Receipt> Accept(const Identity& who, StoredReport relayed) {
    absl::Notification done;
    absl::StatusOr<Receipt> result;
    engine_->Accept(who, std::move(relayed), [&](absl::StatusOr<Receipt> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  // Reports queued for the city.
  uint64_t Waiting() { return Queued(store_.get(), kCity); }

  // The city's receipt for `entry` (sent at `sent`), recorded durably.
  void RecordCityReceipt(const OutboxEntry& entry, absl::Time sent) {
    Receipt receipt;
    receipt.set_report_id(entry.report_id);
    receipt.set_node(kCity);
    absl::Notification done;
    engine_->RecordReceipt(kCity, entry, receipt, sent, 1, [&](absl::Status s) {
      EXPECT_THAT(s, IsOk());
      done.Notify();
    });
    done.WaitForNotification();
  }

  IncidentReport Report(const std::string& id,
                        const std::string& region = kTownship) {
    return SampleReport(id, region, clock_.TimeNow());
  }

  const Identity client_ =
      *ParseIdentity("spiffe://kuaibao/client/140105001000/duty-1");
  const Identity township_ =
      *ParseIdentity("spiffe://kuaibao/node/140105001000");
  // A county below the city, with the province above that.
  RelayOptions options_ = [] {
    RelayOptions options;
    options.region = kCounty;
    options.parent = kCity;
    options.ancestors = {kProvince};
    return options;
  }();
  FakeClock clock_;
  TempDir dir_;
  RegionTable regions_;
  std::unique_ptr<ReportStore> store_;
  std::unique_ptr<RelayEngine> engine_;
};

TEST_F(RelayEngineTest, SubmittedReportIsStoredQueuedAndReceipted) {
  absl::StatusOr<Receipt> receipt = Submit(client_, Report("r-1"));
  ASSERT_THAT(receipt, IsOk());
  EXPECT_EQ(receipt->report_id(), "r-1");
  EXPECT_EQ(receipt->node(), kCounty);
  EXPECT_FALSE(receipt->duplicate());

  // Durable before the receipt: a fresh store over the same files has it.
  Open();
  absl::StatusOr<StoredReport> stored = engine_->Timeline("r-1");
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->report().origin(), client_.uri);
  ASSERT_EQ(stored->hops_size(), 1);
  EXPECT_EQ(stored->hops(0).node(), kCounty);
  EXPECT_EQ(stored->hops(0).received_from(), client_.uri);
  ASSERT_EQ(stored->hops(0).forwarded_size(), 1);
  EXPECT_EQ(stored->hops(0).forwarded(0).to(), kCity);
  EXPECT_EQ(Waiting(), 1u);
}

TEST_F(RelayEngineTest, ResentReportIsStoredOnceAndReceiptedAgain) {
  ASSERT_THAT(Submit(client_, Report("r-1")), IsOk());
  absl::StatusOr<Receipt> again = Submit(client_, Report("r-1"));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->duplicate());
  EXPECT_EQ(Waiting(), 1u);
  EXPECT_EQ(engine_->ListReports("", 100, nullptr)->size(), 1u);
}

TEST_F(RelayEngineTest, SameIdWithDifferentContentIsRefused) {
  ASSERT_THAT(Submit(client_, Report("r-1")), IsOk());
  IncidentReport changed = Report("r-1");
  changed.set_headline("另一件事");
  absl::StatusOr<Receipt> r = Submit(client_, changed);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(ErrorField(r.status()), "report_id");
  // The attempt is on record for auditors, durably; the stored report is
  // untouched.
  Open();
  absl::StatusOr<std::vector<ConflictRecord>> conflicts =
      engine_->Conflicts("r-1");
  ASSERT_THAT(conflicts, IsOk());
  ASSERT_EQ(conflicts->size(), 1u);
  const ConflictRecord& c = (*conflicts)[0];
  EXPECT_EQ(c.sender(), client_.uri);
  changed.set_origin(client_.uri);  // as the node filled it in
  EXPECT_EQ(c.digest(), ReportDigest(changed));
  EXPECT_EQ(c.stored_digest(),
            ReportDigest(engine_->Timeline("r-1")->report()));
  EXPECT_NE(c.digest(), c.stored_digest());
  EXPECT_EQ(FromProto(c.received_at()), clock_.TimeNow());
  EXPECT_EQ(engine_->Timeline("r-1")->report().headline(),
            Report("r-1").headline());
}

TEST_F(RelayEngineTest, ClientMayReportOnlyForItsOwnSubtree) {
  absl::StatusOr<Receipt> r = Submit(client_, Report("r-1", "140106001000"));
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ErrorField(r.status()), "location.region_code");
  EXPECT_THAT(Submit(township_, Report("r-2")),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(RelayEngineTest, InvalidReportIsRefusedNamingTheField) {
  IncidentReport report = Report("r-1");
  report.mutable_location()->set_region_code("140199000000");
  absl::StatusOr<Receipt> r = Submit(client_, report);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(r.status()), "location.region_code");
  EXPECT_EQ(Waiting(), 0u);
}

TEST_F(RelayEngineTest, RelayedReportKeepsTheHopsBelowAndAddsItsOwn) {
  StoredReport relayed;
  *relayed.mutable_report() = Report("r-1");
  HopRecord* below = relayed.add_hops();
  below->set_node(kTownship);
  below->set_received_from(client_.uri);
  *below->mutable_received_at() = ToProto(clock_.TimeNow());
  ASSERT_THAT(Accept(township_, relayed), IsOk());
  absl::StatusOr<StoredReport> stored = engine_->Timeline("r-1");
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->hops_size(), 2);
  EXPECT_EQ(stored->hops(0).node(), kTownship);
  EXPECT_EQ(stored->hops(1).node(), kCounty);
  EXPECT_EQ(stored->hops(1).received_from(), township_.uri);
}

TEST_F(RelayEngineTest, RelayIsRefusedFromOutsideOrWithForgedHops) {
  StoredReport relayed;
  *relayed.mutable_report() = Report("r-1");
  relayed.add_hops()->set_node(kTownship);
  Identity other = *ParseIdentity("spiffe://kuaibao/node/140106001000");
  EXPECT_THAT(Accept(other, relayed),
              StatusIs(absl::StatusCode::kPermissionDenied));
  Identity city = *ParseIdentity("spiffe://kuaibao/node/140100000000");
  EXPECT_THAT(Accept(city, relayed),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Accept(client_, relayed),
              StatusIs(absl::StatusCode::kPermissionDenied));
  StoredReport forged = relayed;
  forged.mutable_hops(0)->set_node("140105002000");
  EXPECT_THAT(Accept(township_, forged),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(RelayEngineTest, UrgentReportsLeaveFirst) {
  ASSERT_THAT(Submit(client_, Report("routine")), IsOk());
  IncidentReport urgent = Report("urgent");
  urgent.set_grade(GRADE_II);
  ASSERT_THAT(Submit(client_, urgent), IsOk());
  auto out = engine_->NextOutbound(kCity, 10, {});
  ASSERT_THAT(out, IsOk());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].entry.report_id, "urgent");
  // The payload carries this node's hop stamped with the hand-off.
  const HopRecord& hop = (*out)[0].payload.hops(0);
  ASSERT_EQ(hop.forwarded_size(), 1);
  EXPECT_EQ(hop.forwarded(0).to(), kCity);
  EXPECT_TRUE(hop.forwarded(0).has_sent_at());
}

TEST_F(RelayEngineTest, ReceiptDeletesTheOutboxEntryAndIsRecorded) {
  ASSERT_THAT(Submit(client_, Report("r-1")), IsOk());
  auto out = *engine_->NextOutbound(kCity, 10, {});
  ASSERT_EQ(out.size(), 1u);
  absl::Time sent = clock_.TimeNow();
  clock_.Advance(absl::Seconds(3));
  RecordCityReceipt(out[0].entry, sent);
  EXPECT_EQ(Waiting(), 0u);
  StoredReport timeline = *engine_->Timeline("r-1");
  const Forwarding& f = timeline.hops(0).forwarded(0);
  EXPECT_EQ(FromProto(f.acked_at()) - FromProto(f.sent_at()), absl::Seconds(3));
  EXPECT_EQ(f.receipt().node(), kCity);
}

// Deadlines are evaluated when a write changes a report and when time alone
// changes them; a restart learns the window's states without reporting a
// change per report, and keeps in memory only the reports still open.
TEST_F(RelayEngineTest, RestartLearnsDeadlinesQuietlyAndWatchesOnlyOpenOnes) {
  constexpr int kReports = 40;
  for (int i = 0; i < kReports; ++i) {
    ASSERT_THAT(Submit(client_, Report(absl::StrCat("w-", i))), IsOk());
  }
  // Half are handed on and receipted at once.
  auto out = *engine_->NextOutbound(kCity, kReports / 2, {});
  ASSERT_EQ(out.size(), static_cast<size_t>(kReports / 2));
  absl::flat_hash_set<std::string> handed_on;
  for (const OutboundReport& o : out) {
    RecordCityReceipt(o.entry, clock_.TimeNow());
    handed_on.insert(o.entry.report_id);
  }
  ASSERT_THAT(engine_->CheckDeadlines(clock_.TimeNow()), IsOk());

  Open();  // a restart
  auto changed = engine_->CheckDeadlines(clock_.TimeNow());
  ASSERT_THAT(changed, IsOk());
  EXPECT_THAT(*changed, ::testing::IsEmpty()) << "no line per report";
  auto owed = [&](const std::vector<DeadlineStatus>& list,
                  DeadlineState state) {
    std::set<std::string> ids;
    for (const DeadlineStatus& s : list) {
      if (s.rule() == DEADLINE_RULE_PER_HOP && s.responsible() == kCounty &&
          s.state() == state) {
        ids.insert(s.report_id());
      }
    }
    return ids;
  };
  auto due = engine_->ListDue(kCounty, clock_.TimeNow(), false);
  ASSERT_THAT(due, IsOk());
  std::set<std::string> open = owed(*due, DEADLINE_STATE_ON_TIME);
  EXPECT_EQ(open.size(), static_cast<size_t>(kReports / 2));
  for (const std::string& id : handed_on) EXPECT_EQ(open.count(id), 0u);

  // Time alone: the open hand-offs become at risk, reported once each.
  clock_.Advance(absl::Minutes(100));
  changed = engine_->CheckDeadlines(clock_.TimeNow());
  ASSERT_THAT(changed, IsOk());
  EXPECT_EQ(owed(*changed, DEADLINE_STATE_AT_RISK), open);
  changed = engine_->CheckDeadlines(clock_.TimeNow());
  ASSERT_THAT(changed, IsOk());
  EXPECT_THAT(*changed, ::testing::IsEmpty()) << "nothing changed since";
  EXPECT_EQ(engine_->watched_reports(), static_cast<size_t>(kReports / 2))
      << "memory holds the open ones only";
}

// The writes hand the tick what it evaluates: a report whose hand-off is
// met by a receipt, or goes at risk and overdue with time alone, is never
// read back from the store, and its states and breach are those the store's
// copy gives (ListDue reads it).
TEST_F(RelayEngineTest, WrittenReportsAreEvaluatedWithoutReadingThemBack) {
  // The first tick after the start reads the (empty) window.
  ASSERT_THAT(engine_->CheckDeadlines(clock_.TimeNow()), IsOk());
  ASSERT_THAT(Submit(client_, Report("met")), IsOk());
  ASSERT_THAT(Submit(client_, Report("open")), IsOk());
  ASSERT_THAT(engine_->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(engine_->watched_reports(), 2u);
  auto out = *engine_->NextOutbound(kCity, 10, {});
  ASSERT_EQ(out.size(), 2u);
  const OutboundReport& met = out[0].entry.report_id == "met" ? out[0] : out[1];
  const OutboundReport& open =
      out[0].entry.report_id == "met" ? out[1] : out[0];
  RecordCityReceipt(met.entry, clock_.TimeNow());
  ASSERT_THAT(engine_->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(engine_->watched_reports(), 1u) << "met on time: forgotten";

  auto own_hop = [&](const std::vector<DeadlineStatus>& list) {
    std::vector<DeadlineState> states;
    for (const DeadlineStatus& s : list) {
      if (s.rule() == DEADLINE_RULE_PER_HOP && s.responsible() == kCounty) {
        EXPECT_EQ(s.report_id(), "open");
        states.push_back(s.state());
      }
    }
    return states;
  };
  clock_.Advance(absl::Minutes(100));
  auto changed = engine_->CheckDeadlines(clock_.TimeNow());
  ASSERT_THAT(changed, IsOk());
  EXPECT_THAT(own_hop(*changed),
              ::testing::ElementsAre(DEADLINE_STATE_AT_RISK));
  auto listed = engine_->ListDue(kCounty, clock_.TimeNow(), false);
  ASSERT_THAT(listed, IsOk());
  EXPECT_THAT(own_hop(*listed), ::testing::ElementsAre(DEADLINE_STATE_AT_RISK))
      << "the store's copy agrees";

  clock_.Advance(absl::Minutes(21));
  changed = engine_->CheckDeadlines(clock_.TimeNow());
  ASSERT_THAT(changed, IsOk());
  EXPECT_THAT(own_hop(*changed),
              ::testing::ElementsAre(DEADLINE_STATE_OVERDUE));
  RecordCityReceipt(open.entry, clock_.TimeNow());
  changed = engine_->CheckDeadlines(clock_.TimeNow());
  ASSERT_THAT(changed, IsOk());
  EXPECT_THAT(own_hop(*changed),
              ::testing::ElementsAre(DEADLINE_STATE_MET_LATE));
  int breaches = 0;
  ASSERT_THAT(engine_->ForEachBreachRecord([&](const std::string& about,
                                               const Breach& b) {
    breaches += about == "open" && b.rule() == DEADLINE_RULE_PER_HOP &&
                b.responsible() == kCounty;
    return true;
  }),
              IsOk());
  EXPECT_EQ(breaches, 1) << "one breach, recorded once";
  EXPECT_EQ(engine_->deadline_store_reads(), 0u);

  // A restart learns the window from the store instead.
  Open();
  ASSERT_THAT(engine_->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_GT(engine_->deadline_store_reads(), 0u);
  EXPECT_EQ(engine_->watched_reports(), 1u) << "late: kept for ListDue";
}

TEST_F(RelayEngineTest, BacklogCountsQueuedReportsUntilTheirReceipts) {
  EXPECT_EQ(store_->backlog_bytes(), 0u);
  IncidentReport r1 = Report("r-1");
  ASSERT_THAT(Submit(client_, r1), IsOk());
  const uint64_t one = store_->backlog_bytes();
  EXPECT_GT(one, r1.ByteSizeLong() / 2) << "about the report's size";
  ASSERT_THAT(Submit(client_, Report("r-2")), IsOk());
  EXPECT_THAT(Submit(client_, r1), IsOk()) << "a resend";
  const uint64_t two = store_->backlog_bytes();
  EXPECT_GT(two, one);
  // A store written before the tally existed is recounted at open.
  engine_.reset();
  store_.reset();
  {
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open({}, dir_.path(), &db).ok());
    ASSERT_TRUE(db->Delete({}, "m/backlog").ok());
    delete db;
  }
  store_ = *ReportStore::Open(dir_.path(), {});
  EXPECT_FALSE(store_->backlog_known());
  engine_ = *RelayEngine::Open(options_, store_.get(), &regions_, &clock_);
  EXPECT_EQ(store_->backlog_bytes(), two);

  auto out = *engine_->NextOutbound(kCity, 10, {});
  ASSERT_EQ(out.size(), 2u);
  for (const OutboundReport& sent : out) {
    RecordCityReceipt(sent.entry, clock_.TimeNow());
  }
  EXPECT_EQ(store_->backlog_bytes(), 0u);
}

TEST_F(RelayEngineTest, RefusedReportIsHeldNotDropped) {
  ASSERT_THAT(Submit(client_, Report("r-1")), IsOk());
  auto out = *engine_->NextOutbound(kCity, 10, {});
  absl::Notification done;
  engine_->RecordRefusal(kCity, out[0].entry, "PERMISSION_DENIED: no",
                         [&](absl::Status) { done.Notify(); });
  done.WaitForNotification();
  EXPECT_EQ(Waiting(), 0u);
  StoredReport timeline = *engine_->Timeline("r-1");
  EXPECT_EQ(timeline.hops(0).forwarded(0).refused(), "PERMISSION_DENIED: no");
}

TEST_F(RelayEngineTest, ClientReportsAreNumberedPerOriginAndResendsMatch) {
  ASSERT_THAT(Submit(client_, Report("r-1")), IsOk());
  ASSERT_THAT(Submit(client_, Report("r-2")), IsOk());
  EXPECT_EQ(engine_->Timeline("r-1")->report().origin_seq(), 1u);
  EXPECT_EQ(engine_->Timeline("r-2")->report().origin_seq(), 2u);
  // The client resends without a number: the same report, acknowledged
  // again, not numbered again.
  absl::StatusOr<Receipt> again = Submit(client_, Report("r-1"));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->duplicate());
  // Relayed reports keep the number their first node gave them.
  StoredReport relayed;
  *relayed.mutable_report() = Report("r-9");
  relayed.mutable_report()->set_origin(client_.uri);
  relayed.mutable_report()->set_origin_seq(9);
  HopRecord* below = relayed.add_hops();
  below->set_node(kTownship);
  below->set_received_from(client_.uri);
  *below->mutable_received_at() = ToProto(clock_.TimeNow());
  *below->mutable_stored_at() = ToProto(clock_.TimeNow());
  ASSERT_THAT(Accept(township_, relayed), IsOk());
  EXPECT_EQ(engine_->Timeline("r-9")->report().origin_seq(), 9u);
  OriginRecord origin =
      (*engine_->Origins("", 10, nullptr, clock_.TimeNow(), absl::Hours(2)))[0];
  EXPECT_EQ(origin.high_water(), 9u);
  ASSERT_EQ(origin.gaps_size(), 1);
  EXPECT_EQ(origin.gaps(0).first(), 3u);
  EXPECT_EQ(origin.gaps(0).last(), 8u);
}

TEST_F(RelayEngineTest, NewReportsAreRefusedWhileTheDiskIsShort) {
  ASSERT_THAT(Submit(client_, Report("r-1")), IsOk());
  AdmissionControl admission(kCounty, {0, 100});
  engine_->SetAdmissionControl(&admission);
  admission.Update({0, 10});
  absl::StatusOr<Receipt> refused = Submit(client_, Report("r-2"));
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("min_free_disk_bytes"));
  // What was acknowledged before is acknowledged again.
  EXPECT_THAT(Submit(client_, Report("r-1")), IsOk());
  admission.Update({0, 1000});
  EXPECT_THAT(Submit(client_, Report("r-2")), IsOk());
  engine_->SetAdmissionControl(nullptr);
}

TEST_F(RelayEngineTest, ReportAboveTheNodesClearanceIsNeverStored) {
  IncidentReport secret = Report("r-1");
  secret.set_classification(CLASSIFICATION_SECRET);
  absl::StatusOr<Receipt> r = Submit(client_, secret);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ErrorField(r.status()), "classification");
  StoredReport relayed;
  *relayed.mutable_report() = secret;
  HopRecord* below = relayed.add_hops();
  below->set_node(kTownship);
  below->set_received_from(client_.uri);
  *below->mutable_received_at() = ToProto(clock_.TimeNow());
  r = Accept(township_, relayed);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ErrorField(r.status()), "classification");
  EXPECT_THAT(engine_->Timeline("r-1"), StatusIs(absl::StatusCode::kNotFound));
  // At the limit is fine.
  IncidentReport internal = Report("r-2");
  internal.set_classification(CLASSIFICATION_INTERNAL);
  EXPECT_THAT(Submit(client_, internal), IsOk());
}

TEST_F(RelayEngineTest, ReportAboveTheLinkIsHeldHereWithTheReason) {
  options_.max_classification = CLASSIFICATION_SECRET;
  Open();
  IncidentReport secret = Report("r-1");
  secret.set_classification(CLASSIFICATION_SECRET);
  ASSERT_THAT(Submit(client_, secret), IsOk());
  ASSERT_THAT(Submit(client_, Report("r-2")), IsOk());
  // Only the PUBLIC report is queued for the city.
  auto out = *engine_->NextOutbound(kCity, 10, {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].entry.report_id, "r-2");
  StoredReport timeline = *engine_->Timeline("r-1");
  ASSERT_EQ(timeline.hops(0).forwarded_size(), 1);
  EXPECT_EQ(timeline.hops(0).forwarded(0).to(), kCity);
  EXPECT_THAT(timeline.hops(0).forwarded(0).refused(),
              ::testing::AllOf(::testing::HasSubstr("held here"),
                               ::testing::HasSubstr("SECRET"),
                               ::testing::HasSubstr("INTERNAL")));
  // A link cleared for SECRET carries it.
  options_.link_clearance[kCity] = CLASSIFICATION_SECRET;
  Open();
  secret.set_report_id("r-3");
  ASSERT_THAT(Submit(client_, secret), IsOk());
  out = *engine_->NextOutbound(kCity, 10, {});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].entry.report_id, "r-3");
}

}  // namespace
}  // namespace kuaibao

namespace kuaibao {
namespace {

// The notice's routing and deadline handling, on engines with a fake clock.
class RoutingTest : public ::testing::Test {
 protected:
  RoutingTest()
      : regions_(*RegionTable::Load(KUAIBAO_SOURCE_DIR
                                    "/deploy/regions/shanxi-2022.csv")) {}

  // An engine for `region` with its parent and the levels above.
  // `more` adjusts the options (standby nodes); `dir` names the store when
  // two nodes share a region.
  std::unique_ptr<RelayEngine> Engine(
      const std::string& region, std::unique_ptr<ReportStore>* store,
      const std::function<void(RelayOptions*)>& more = nullptr,
      const std::string& dir = "") {
    *store = *ReportStore::Open(dir_.Sub(dir.empty() ? region : dir), {});
    RelayOptions options;
    options.region = region;
    options.parent = ParentCode(region);
    for (std::string up = ParentCode(options.parent); !up.empty();
         up = ParentCode(up)) {
      options.ancestors.push_back(up);
    }
    if (more) more(&options);
    return *RelayEngine::Open(options, store->get(), &regions_, &clock_);
  }

  // The county's standby and primary, each the other's peer.
  std::pair<std::unique_ptr<RelayEngine>, std::unique_ptr<RelayEngine>>
  CountyPair(std::unique_ptr<ReportStore>* standby_store,
             std::unique_ptr<ReportStore>* primary_store) {
    auto standby = Engine(
        kCounty, standby_store,
        [](RelayOptions* o) {
          o->standby = true;
          o->peer = PrimaryLink(kCounty);
        },
        "standby");
    auto primary = Engine(kCounty, primary_store, [](RelayOptions* o) {
      o->peer = StandbyLink(kCounty);
    });
    return {std::move(standby), std::move(primary)};
  }

  template <typename Fn>
  absl::StatusOr<Receipt> Wait(Fn fn) {
    absl::Notification done;
    absl::StatusOr<Receipt> result;
    fn([&](absl::StatusOr<Receipt> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  IncidentReport Report(const std::string& id, Grade grade) {
    IncidentReport r = SampleReport(id, kTownship, clock_.TimeNow());
    r.set_grade(grade);
    return r;
  }

  // Hands the first outbound report of `from` for `upstream` to `to`.
  absl::StatusOr<Receipt> Relay(RelayEngine& from, const std::string& sender,
                                const std::string& upstream, RelayEngine& to) {
    auto out = from.NextOutbound(upstream, 1, {});
    if (!out.ok() || out->empty())
      return absl::NotFoundError("nothing to send");
    Identity child = *ParseIdentity("spiffe://kuaibao/node/" + sender);
    StoredReport payload = (*out)[0].payload;
    return Wait([&](RelayEngine::ReceiptCallback cb) {
      to.Accept(child, payload, std::move(cb));
    });
  }

  const Identity client_ =
      *ParseIdentity("spiffe://kuaibao/client/140105001000/duty-1");
  FakeClock clock_;
  TempDir dir_;
  RegionTable regions_;
};

TEST_F(RoutingTest, GradeTwoGoesToParentAndProvinceAndIsStoredOnceThere) {
  std::unique_ptr<ReportStore> ts, cs, ps, xs;
  auto township = Engine(kTownship, &ts);
  auto county = Engine(kCounty, &cs);
  auto city = Engine(kCity, &xs);
  auto province = Engine(kProvince, &ps);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("mine-1", GRADE_II), cb);
              }),
              IsOk());
  ASSERT_EQ(Queued(ts.get(), kCounty), 1u);
  ASSERT_EQ(Queued(ts.get(), kProvince), 1u);
  EXPECT_EQ(Queued(ts.get(), kCity), 0u);

  // The direct copy arrives first; then the level-by-level one.
  absl::StatusOr<Receipt> direct =
      Relay(*township, kTownship, kProvince, *province);
  ASSERT_THAT(direct, IsOk());
  EXPECT_FALSE(direct->duplicate());
  ASSERT_THAT(Relay(*township, kTownship, kCounty, *county), IsOk());
  ASSERT_THAT(Relay(*county, kCounty, kCity, *city), IsOk());
  // The county sends it direct as well: it cannot know whether the
  // township's direct copy got through.
  ASSERT_EQ(Queued(cs.get(), kProvince), 1u);
  absl::StatusOr<Receipt> county_direct =
      Relay(*county, kCounty, kProvince, *province);
  ASSERT_THAT(county_direct, IsOk());
  EXPECT_TRUE(county_direct->duplicate());
  // The city's parent is the province: no extra copy.
  EXPECT_EQ(Queued(xs.get(), kProvince), 1u);
  absl::StatusOr<Receipt> chained = Relay(*city, kCity, kProvince, *province);
  ASSERT_THAT(chained, IsOk());
  EXPECT_TRUE(chained->duplicate());

  EXPECT_EQ(province->ListReports("", 10, nullptr)->size(), 1u);
  StoredReport at_province = *province->Timeline("mine-1");
  ASSERT_EQ(at_province.hops_size(), 2);  // township → province, direct
  EXPECT_EQ(at_province.hops(0).forwarded(0).route(), ROUTE_DIRECT);
  ASSERT_EQ(at_province.other_paths_size(), 2);
  EXPECT_EQ(at_province.other_paths(0).hops_size(), 3);  // via the county
  EXPECT_EQ(at_province.other_paths(0).hops(1).forwarded(0).route(),
            ROUTE_DIRECT);
  EXPECT_EQ(at_province.other_paths(1).hops_size(), 4);
  // Resending the same path again records nothing new.
  ASSERT_THAT(Relay(*city, kCity, kProvince, *province), IsOk());
  EXPECT_EQ(province->Timeline("mine-1")->other_paths_size(), 2);
}

TEST_F(RoutingTest, RoutineReportTakesOnlyTheParentRoute) {
  std::unique_ptr<ReportStore> ts;
  auto township = Engine(kTownship, &ts);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("fire-1", GRADE_IV), cb);
              }),
              IsOk());
  EXPECT_EQ(Queued(ts.get(), kCounty), 1u);
  EXPECT_EQ(Queued(ts.get(), kProvince), 0u);
}

// The outbox listener names the upstreams each write queued for, so that a
// node wakes only their forwarders.
TEST_F(RoutingTest, OutboxListenerNamesTheUpstreamsEachWriteQueuedFor) {
  std::unique_ptr<ReportStore> ts;
  auto township = Engine(kTownship, &ts);
  absl::Mutex mu;
  std::vector<std::vector<std::string>> calls;
  township->SetOutboxListener([&](const std::vector<std::string>& upstreams) {
    absl::MutexLock lock(&mu);
    calls.push_back(upstreams);
  });
  // The listener is told after the sender's receipt: wait for it.
  auto take = [&] {
    absl::MutexLock lock(&mu);
    mu.AwaitWithTimeout(absl::Condition(
                            +[](std::vector<std::vector<std::string>>* c) {
                              return !c->empty();
                            },
                            &calls),
                        absl::Seconds(30));
    return std::exchange(calls, {});
  };
  using Calls = std::vector<std::vector<std::string>>;
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("fire-1", GRADE_IV), cb);
              }),
              IsOk());
  EXPECT_EQ(take(), (Calls{{kCounty}}));
  // Grade II: the parent and the province's direct route, each once.
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("mine-1", GRADE_II), cb);
              }),
              IsOk());
  Calls expected = {{kCounty, kProvince}};
  std::sort(expected[0].begin(), expected[0].end());
  EXPECT_EQ(take(), expected);
  // An escalation past the parent, decided at a deadline tick.
  township->SetLinkUp(kCounty, false);
  clock_.Advance(absl::Minutes(91));
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  bool city_woken = false;
  for (const auto& upstreams : take()) {
    city_woken |= upstreams == std::vector<std::string>{kCity};
  }
  EXPECT_TRUE(city_woken);
  EXPECT_GE(Queued(ts.get(), kCity), 1u);
}

TEST_F(RoutingTest, ParentDownAndHandOffAtRiskEscalatesToTheNextLevel) {
  std::unique_ptr<ReportStore> ts;
  auto township = Engine(kTownship, &ts);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("flood-1", GRADE_III), cb);
              }),
              IsOk());
  township->SetLinkUp(kCounty, false);
  clock_.Advance(absl::Minutes(60));
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), kCity), 0u) << "not yet at risk";
  clock_.Advance(absl::Minutes(31));  // 91 of 120 minutes: at risk
  auto changed = township->CheckDeadlines(clock_.TimeNow());
  ASSERT_THAT(changed, IsOk());
  EXPECT_EQ(Queued(ts.get(), kCity), 1u);
  EXPECT_EQ(Queued(ts.get(), kCounty), 1u) << "the parent still gets its copy";
  StoredReport timeline = *township->Timeline("flood-1");
  bool escalated = false;
  for (const Forwarding& f : timeline.hops(0).forwarded()) {
    if (f.to() == kCity) {
      escalated = f.route() == ROUTE_ESCALATED;
      EXPECT_THAT(f.reason(), ::testing::HasSubstr("unreachable"));
    }
  }
  EXPECT_TRUE(escalated);
  bool at_risk_reported = false;
  for (const DeadlineStatus& s : *changed) {
    at_risk_reported |= s.rule() == DEADLINE_RULE_PER_HOP &&
                        s.state() == DEADLINE_STATE_AT_RISK;
  }
  EXPECT_TRUE(at_risk_reported);
  // Escalated once, not at every tick.
  clock_.Advance(absl::Minutes(40));
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), kCity), 1u);
  EXPECT_EQ(Queued(ts.get(), kProvince), 0u);
}

// Standby nodes (relay/standby_links.h): a township whose county is down
// turns to the county's standby once the hand-off is at risk; the standby
// passes the report up and hands it to the primary; the primary stores the
// hand-back without passing it up again, and records the township's own copy
// as a second arrival.
TEST_F(RoutingTest, ParentDownAndHandOffAtRiskTurnsToItsStandby) {
  std::unique_ptr<ReportStore> ts, ss, ps;
  auto township = Engine(kTownship, &ts, [](RelayOptions* o) {
    o->standby_of[kCounty] = StandbyLink(kCounty);
  });
  auto [standby, primary] = CountyPair(&ss, &ps);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("flood-1", GRADE_III), cb);
              }),
              IsOk());
  township->SetLinkUp(kCounty, false);
  clock_.Advance(absl::Minutes(60));
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), StandbyLink(kCounty)), 0u) << "not yet at risk";
  clock_.Advance(absl::Minutes(35));  // 95 of 120 minutes: at risk
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), StandbyLink(kCounty)), 1u);
  EXPECT_EQ(Queued(ts.get(), kCounty), 1u) << "the primary keeps its copy";

  ASSERT_THAT(Relay(*township, kTownship, StandbyLink(kCounty), *standby),
              IsOk());
  StoredReport at_standby = *standby->Timeline("flood-1");
  EXPECT_TRUE(at_standby.hops(1).standby());
  // The sender's forwarding names the region, as the next hop does.
  EXPECT_EQ(at_standby.hops(0).forwarded(0).to(), kCounty);
  EXPECT_EQ(Queued(ss.get(), kCity), 1u);
  EXPECT_EQ(Queued(ss.get(), PrimaryLink(kCounty)), 1u);

  // The hand-back: stored, not passed up again, not copied back.
  ASSERT_THAT(Relay(*standby, kCounty, PrimaryLink(kCounty), *primary), IsOk());
  EXPECT_EQ(Queued(ps.get(), kCity), 0u);
  EXPECT_EQ(Queued(ps.get(), StandbyLink(kCounty)), 0u);
  EXPECT_TRUE(
      primary->DeadlinesOf(*primary->Timeline("flood-1"), clock_.TimeNow())
          .empty())
      << "the standby's to pass on, not the primary's";
  // The township's own copy reaches the primary once it is back: one
  // report, two arrivals.
  ASSERT_THAT(Relay(*township, kTownship, kCounty, *primary), IsOk());
  EXPECT_EQ(primary->ListReports("", 10, nullptr)->size(), 1u);
  EXPECT_EQ(primary->Timeline("flood-1")->other_paths_size(), 1);
}

// A node refuses a node of its own region unless it has a peer there.
TEST_F(RoutingTest, OnlyANodeWithAPeerTakesReportsFromItsOwnRegion) {
  std::unique_ptr<ReportStore> ts, cs;
  auto township = Engine(kTownship, &ts);
  auto county = Engine(kCounty, &cs);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("fire-1", GRADE_IV), cb);
              }),
              IsOk());
  ASSERT_THAT(Relay(*township, kTownship, kCounty, *county), IsOk());
  std::unique_ptr<ReportStore> other;
  auto lone = Engine(kCounty, &other, nullptr, "lone");
  EXPECT_THAT(Relay(*county, kCounty, kCity, *lone),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// The clock tick evaluates a report only when a write or the time changed
// it; a link going down is the third thing that changes what the engine does
// about it, so the next tick looks at every watched report again.
TEST_F(RoutingTest,
       ParentGoingDownOnceTheHandOffIsAtRiskEscalatesAtTheNextTick) {
  std::unique_ptr<ReportStore> ts;
  auto township = Engine(kTownship, &ts);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("flood-1", GRADE_III), cb);
              }),
              IsOk());
  clock_.Advance(absl::Minutes(95));  // at risk, the parent still up
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), kCity), 0u);
  EXPECT_EQ(township->watched_reports(), 1u);
  township->SetLinkUp(kCounty, false);
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), kCity), 1u) << "escalated without waiting for "
                                            "the next time-driven change";
}

// A copy held for the region's other node has no deadline of this node's:
// it is watched by its own wake-up (the other node's hand-off at risk) and
// forwarded from here once the other node is unreachable.
TEST_F(RoutingTest,
       StandbyForwardsItsPrimarysCopyWhenThePrimaryGoesDownAtRisk) {
  std::unique_ptr<ReportStore> ts, ss, ps;
  auto township = Engine(kTownship, &ts);
  auto [standby, primary] = CountyPair(&ss, &ps);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("flood-1", GRADE_III), cb);
              }),
              IsOk());
  ASSERT_THAT(Relay(*township, kTownship, kCounty, *primary), IsOk());
  ASSERT_THAT(Relay(*primary, kCounty, StandbyLink(kCounty), *standby), IsOk());
  ASSERT_THAT(standby->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(standby->watched_reports(), 1u) << "the copy has its wake-up";
  clock_.Advance(absl::Minutes(95));  // the primary's hand-off at risk
  ASSERT_THAT(standby->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ss.get(), kCity), 0u) << "the primary is up: its to send";
  standby->SetLinkUp(PrimaryLink(kCounty), false);
  ASSERT_THAT(standby->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ss.get(), kCity), 1u);
  EXPECT_EQ(standby->watched_reports(), 0u) << "nothing more to watch";
}

TEST_F(RoutingTest, WatchedReportsSurviveARestartOfTheEngine) {
  std::unique_ptr<ReportStore> ts;
  auto township = Engine(kTownship, &ts);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("flood-1", GRADE_III), cb);
              }),
              IsOk());
  // A restart: the new engine finds the report in the arrival index.
  township.reset();
  ts.reset();
  township = Engine(kTownship, &ts);
  township->SetLinkUp(kCounty, false);
  clock_.Advance(absl::Minutes(91));
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), kCity), 1u) << "escalated after the restart";
}

TEST_F(RoutingTest, ParentUpMeansNoEscalationEvenWhenLate) {
  std::unique_ptr<ReportStore> ts;
  auto township = Engine(kTownship, &ts);
  ASSERT_THAT(Wait([&](auto cb) {
                township->Submit(client_, Report("flood-1", GRADE_III), cb);
              }),
              IsOk());
  clock_.Advance(absl::Hours(3));
  ASSERT_THAT(township->CheckDeadlines(clock_.TimeNow()), IsOk());
  EXPECT_EQ(Queued(ts.get(), kCity), 0u);
  // The overdue hand-off is on the due list, attributed to the township.
  auto due = township->ListDue(kTownship, clock_.TimeNow(), false);
  ASSERT_THAT(due, IsOk());
  bool overdue = false;
  for (const DeadlineStatus& s : *due) {
    overdue |= s.rule() == DEADLINE_RULE_PER_HOP &&
               s.responsible() == kTownship &&
               s.state() == DEADLINE_STATE_OVERDUE;
  }
  EXPECT_TRUE(overdue);
}

TEST_F(RoutingTest, OverdueFollowUpShowsAtTheOwnerAndAbove) {
  std::unique_ptr<ReportStore> ts, cs;
  auto township = Engine(kTownship, &ts);
  auto county = Engine(kCounty, &cs);
  IncidentReport initial = Report("flood-1", GRADE_III);
  *initial.mutable_next_report_due() =
      ToProto(clock_.TimeNow() + absl::Hours(1));
  ASSERT_THAT(Wait([&](auto cb) { township->Submit(client_, initial, cb); }),
              IsOk());
  ASSERT_THAT(Relay(*township, kTownship, kCounty, *county), IsOk());
  clock_.Advance(absl::Minutes(70));
  // The event under the number the township gave it.
  const std::string event = township->Timeline("flood-1")->report().event_id();
  auto follow_up_overdue = [&](RelayEngine& engine, const std::string& region) {
    absl::StatusOr<std::vector<DeadlineStatus>> due =
        engine.ListDue(region, clock_.TimeNow(), false);
    EXPECT_THAT(due, IsOk());
    for (const DeadlineStatus& s : *due) {
      if (s.rule() == DEADLINE_RULE_FOLLOW_UP &&
          s.state() == DEADLINE_STATE_OVERDUE && s.event_id() == event) {
        EXPECT_EQ(s.responsible(), kTownship);
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(follow_up_overdue(*township, kTownship));
  EXPECT_TRUE(follow_up_overdue(*county, kCounty));
  // Not visible to a caller of another region.
  EXPECT_FALSE(follow_up_overdue(*county, "140106000000"));
}

}  // namespace
}  // namespace kuaibao

namespace kuaibao {
namespace {

// Event identity (relay/event_identity.h), at a county node whose clients
// are a township's duty officer and another township's.
class EventIdentityTest : public RelayEngineTest {
 protected:
  IncidentReport FollowUp(const std::string& id, const std::string& event,
                          uint32_t seq, const std::string& supersedes) {
    IncidentReport r = Report(id);
    r.set_event_id(event);
    r.set_kind(REPORT_KIND_FOLLOW_UP);
    r.set_event_seq(seq);
    r.set_supersedes(supersedes);
    return r;
  }
  std::string EventOf(const std::string& report_id) {
    return engine_->Timeline(report_id)->report().event_id();
  }

  const Identity other_township_ =
      *ParseIdentity("spiffe://kuaibao/client/140105002000/duty-1");
};

TEST_F(EventIdentityTest, FirstNodeNumbersNewEventsAndKeepsTheClientsText) {
  IncidentReport first = Report("a-1");
  first.set_event_id("140105-20261203-001");  // free text
  absl::StatusOr<Receipt> a = Submit(client_, first);
  ASSERT_THAT(a, IsOk());
  const std::string day = absl::FormatTime("%Y%m%d", clock_.TimeNow(),
                                           absl::FixedTimeZone(8 * 3600));
  EXPECT_EQ(a->event_id(), EventIdentity::Number(kCounty, day, 1));
  EXPECT_EQ(engine_->Timeline("a-1")->report().event_label(),
            "140105-20261203-001");

  // Another township's first report under the same text: another event.
  IncidentReport other = Report("b-1", "140105002000");
  other.set_event_id("140105-20261203-001");
  absl::StatusOr<Receipt> b = Submit(other_township_, other);
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->event_id(), EventIdentity::Number(kCounty, day, 2));

  // The first township's follow-up under its text joins its own event.
  absl::StatusOr<Receipt> c =
      Submit(client_, FollowUp("a-2", "140105-20261203-001", 1, "a-1"));
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->event_id(), a->event_id());

  // The counter survives a restart: the next number is 3, never 1 again.
  Open();
  IncidentReport third = Report("c-1");
  third.clear_event_id();
  absl::StatusOr<Receipt> d = Submit(client_, third);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->event_id(), EventIdentity::Number(kCounty, day, 3));
  // The resend of a labelled report is the same report.
  absl::StatusOr<Receipt> again = Submit(client_, first);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->duplicate());
  EXPECT_EQ(again->event_id(), a->event_id());
}

TEST_F(EventIdentityTest, FollowUpsMustNameAnEventTheSenderMayReportOn) {
  ASSERT_THAT(Submit(client_, Report("a-1")), IsOk());
  const std::string event = EventOf("a-1");
  EXPECT_THAT(Submit(client_, FollowUp("x-1", "no-such-event", 1, "a-1")),
              StatusIs(absl::StatusCode::kNotFound));
  // Another township's follow-up (about its own place) naming the event.
  IncidentReport other = FollowUp("x-2", event, 1, "a-1");
  other.mutable_location()->set_region_code("140105002000");
  absl::StatusOr<Receipt> foreign = Submit(other_township_, other);
  EXPECT_THAT(foreign, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ErrorField(foreign.status()), "event_id");
}

TEST_F(EventIdentityTest, SequenceSupersedesAndClosedEventsAreChecked) {
  ASSERT_THAT(Submit(client_, Report("a-1")), IsOk());
  const std::string event = EventOf("a-1");
  absl::StatusOr<Receipt> gap =
      Submit(client_, FollowUp("a-5", event, 5, "a-1"));
  EXPECT_THAT(gap, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(gap.status()), "event_seq");
  EXPECT_THAT(gap.status().message(), ::testing::HasSubstr("expected 1"));

  absl::StatusOr<Receipt> missing =
      Submit(client_, FollowUp("a-2", event, 1, "never-sent"));
  EXPECT_EQ(ErrorField(missing.status()), "supersedes");
  ASSERT_THAT(Submit(client_, Report("b-1")), IsOk());  // another event
  absl::StatusOr<Receipt> crossed =
      Submit(client_, FollowUp("a-2", event, 1, "b-1"));
  EXPECT_THAT(crossed, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(crossed.status()), "supersedes");

  IncidentReport final_report = FollowUp("a-2", event, 1, "a-1");
  final_report.set_kind(REPORT_KIND_FINAL);
  ASSERT_THAT(Submit(client_, final_report), IsOk());
  absl::StatusOr<Receipt> after =
      Submit(client_, FollowUp("a-3", event, 2, "a-2"));
  EXPECT_THAT(after, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ErrorField(after.status()), "kind");
  IncidentReport reopen = FollowUp("a-3", event, 2, "a-2");
  reopen.set_kind(REPORT_KIND_REOPEN);
  EXPECT_THAT(Submit(client_, reopen), IsOk());
}

TEST_F(EventIdentityTest, ANodeBelowKeepsItsClientsNumbers) {
  // Without a township node known, the county numbers the township's
  // client (townships without a node of their own).
  ASSERT_THAT(Submit(client_, Report("a-0")), IsOk());
  EXPECT_EQ(engine_->Timeline("a-0")->report().origin_seq(), 1u);
  // Once the township node has relayed here, it holds the counter: its
  // client reaching the county (its own node down) is stored unnumbered,
  // so no number is handed out twice, also after a restart.
  StoredReport relayed;
  *relayed.mutable_report() = Report("t-1");
  relayed.mutable_report()->set_origin(client_.uri);
  relayed.mutable_report()->set_origin_seq(15);
  relayed.mutable_report()->set_event_id("140105001000-20261203-0001");
  HopRecord* below = relayed.add_hops();
  below->set_node(kTownship);
  below->set_received_from(client_.uri);
  *below->mutable_received_at() = ToProto(clock_.TimeNow());
  ASSERT_THAT(Accept(township_, relayed), IsOk());
  Open();
  absl::StatusOr<Receipt> away = Submit(client_, Report("a-1"));
  ASSERT_THAT(away, IsOk());
  EXPECT_EQ(engine_->Timeline("a-1")->report().origin_seq(), 0u);
  const Identity county_client =
      *ParseIdentity("spiffe://kuaibao/client/140105000000/duty-1");
  ASSERT_THAT(Submit(county_client, Report("c-1", kCounty)), IsOk());
  EXPECT_EQ(engine_->Timeline("c-1")->report().origin_seq(), 1u);
}

TEST_F(EventIdentityTest, TimesOutOfRangeAreRefusedNamingTheField) {
  IncidentReport bad = Report("a-1");
  bad.mutable_authored_at()->set_nanos(-1);
  absl::StatusOr<Receipt> refused = Submit(client_, bad);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(refused.status()), "authored_at");
  bad = Report("a-2");
  bad.mutable_source()->set_kind(SOURCE_KIND_MEDIA);
  bad.mutable_source()->set_outlet("新华网");
  bad.mutable_source()->mutable_published_at()->set_seconds(1);
  bad.mutable_source()->mutable_published_at()->set_nanos(1000000000);
  refused = Submit(client_, bad);
  EXPECT_EQ(ErrorField(refused.status()), "source.published_at");
}

}  // namespace
}  // namespace kuaibao
