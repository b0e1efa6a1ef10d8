#include "relay/relay_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
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
constexpr char kTownship[] = "140105001000";

// A county node's engine over a real LevelDB in a temporary directory.
class RelayEngineTest : public ::testing::Test {
 protected:
  RelayEngineTest() : regions_(testing::SampleRegions()) { Open(); }

  void Open() {
    engine_.reset();
    store_.reset();
    store_ = *ReportStore::Open(dir_.path(), {});
    engine_ = std::make_unique<RelayEngine>(RelayOptions{kCounty, {kCity}, {}},
                                            store_.get(), &regions_, &clock_);
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
  uint64_t Waiting() { return engine_->outbox().Summarize(kCity)->waiting; }

  IncidentReport Report(const std::string& id,
                        const std::string& region = kTownship) {
    return SampleReport(id, region, clock_.TimeNow());
  }

  const Identity client_ =
      *ParseIdentity("spiffe://kuaibao/client/140105001000/duty-1");
  const Identity township_ =
      *ParseIdentity("spiffe://kuaibao/node/140105001000");
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
  Receipt receipt;
  receipt.set_report_id("r-1");
  receipt.set_node(kCity);
  absl::Notification done;
  engine_->RecordReceipt(kCity, out[0].entry, receipt, sent, 1,
                         [&](absl::Status s) {
                           EXPECT_THAT(s, IsOk());
                           done.Notify();
                         });
  done.WaitForNotification();
  EXPECT_EQ(Waiting(), 0u);
  StoredReport timeline = *engine_->Timeline("r-1");
  const Forwarding& f = timeline.hops(0).forwarded(0);
  EXPECT_EQ(FromProto(f.acked_at()) - FromProto(f.sent_at()), absl::Seconds(3));
  EXPECT_EQ(f.receipt().node(), kCity);
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
  relayed.add_hops()->set_node(kTownship);
  ASSERT_THAT(Accept(township_, relayed), IsOk());
  EXPECT_EQ(engine_->Timeline("r-9")->report().origin_seq(), 9u);
  OriginRecord origin = (*engine_->ledger().List(
      "", 10, nullptr, clock_.TimeNow(), absl::Hours(2)))[0];
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

}  // namespace
}  // namespace kuaibao
