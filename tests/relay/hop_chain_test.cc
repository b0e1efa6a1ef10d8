#include "relay/hop_chain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "relay/evidence_encoding.h"
#include "relay/relay_engine.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_regions.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::testing::HasSubstr;

// A county's engine over a real LevelDB: every report it stores is a link of
// its chain, and HopChain::Verify finds what was changed afterwards.
class HopChainTest : public ::testing::Test {
 protected:
  HopChainTest() : regions_(testing::SampleRegions()) {
    options_.region = "140105000000";
    options_.parent = "140100000000";
    Open();
    for (int i = 1; i <= 3; ++i) Submit(absl::StrCat("r-", i));
  }

  void Open() {
    engine_.reset();
    store_.reset();
    store_ = *ReportStore::Open(dir_.path(), {});
    engine_ = *RelayEngine::Open(options_, store_.get(), &regions_, &clock_);
  }

  Receipt Submit(const std::string& id) {
    return Submit(testing::SampleReport(id, "140105001000", clock_.TimeNow()));
  }
  Receipt Submit(const IncidentReport& report) {
    absl::Notification done;
    absl::StatusOr<Receipt> result;
    engine_->Submit(client_, report, [&](absl::StatusOr<Receipt> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    EXPECT_THAT(result, IsOk());
    clock_.Advance(absl::Seconds(1));
    return result.ok() ? *result : Receipt();
  }

  ChainLink Link(uint64_t seq) {
    ChainLink link;
    link.ParseFromString(*store_->Get(HopChain::LinkKey(seq)));
    return link;
  }

  HopChain::Check Verify() {
    absl::StatusOr<HopChain::Check> check = HopChain::Verify(*store_);
    EXPECT_THAT(check, IsOk());
    return check.ok() ? *check : HopChain::Check{};
  }

  void Write(StoreBatch batch) {
    ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  }

  const Identity client_ =
      *ParseIdentity("spiffe://kuaibao/client/140105001000/duty-1");
  RelayOptions options_;
  testing::FakeClock clock_;
  testing::TempDir dir_;
  RegionTable regions_;
  std::unique_ptr<ReportStore> store_;
  std::unique_ptr<RelayEngine> engine_;
};

TEST_F(HopChainTest, EachStoredHopIsTheNextLinkAcrossRestarts) {
  EXPECT_EQ(Link(1).prev_hash(), ChainGenesis());
  EXPECT_EQ(Link(2).prev_hash(), Link(1).hash());
  EXPECT_EQ(Link(3).prev_hash(), Link(2).hash());
  EXPECT_EQ(Link(2).report_id(), "r-2");
  // The hop record carries its link; the receipt names it and the report.
  StoredReport stored = *engine_->Timeline("r-2");
  const HopRecord& hop = stored.hops(0);
  EXPECT_EQ(hop.chain().seq(), 2u);
  EXPECT_EQ(hop.chain().hash(), Link(2).hash());
  EXPECT_EQ(hop.receipt().chain_hash(), Link(2).hash());
  EXPECT_EQ(hop.receipt().report_digest(),
            Sha256Hex(ReportBytes(stored.report())));
  EXPECT_EQ(hop.receipt().sender(), client_.uri);

  Open();  // the head comes back from the store
  const IncidentReport r4 =
      testing::SampleReport("r-4", "140105001000", clock_.TimeNow());
  Receipt fourth = Submit(r4);
  EXPECT_EQ(fourth.chain_seq(), 4u);
  EXPECT_EQ(Link(4).prev_hash(), Link(3).hash());
  // A resend is acknowledged with the same receipt, and adds no link.
  Receipt again = Submit(r4);
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.chain_hash(), fourth.chain_hash());
  HopChain::Check check = Verify();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.links, 4u);
}

TEST_F(HopChainTest, AnAlteredHopRecordBreaksItsLink) {
  StoredReport stored = *store_->GetReport("r-2");
  stored.mutable_hops(0)->mutable_received_at()->set_seconds(
      stored.hops(0).received_at().seconds() - 600);
  StoreBatch batch;
  batch.Put(ReportStore::ReportKey("r-2"), stored.SerializeAsString());
  Write(std::move(batch));
  HopChain::Check check = Verify();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.broken_at, 2u);
  EXPECT_EQ(check.links, 1u);
  EXPECT_THAT(check.problem, HasSubstr("report r-2 (or the report) was "
                                       "altered"));
}

TEST_F(HopChainTest, ARemovedRecordBreaksTheChain) {
  StoreBatch batch;
  batch.Delete(HopChain::LinkKey(2));
  batch.Delete(ReportStore::ReportKey("r-2"));
  Write(std::move(batch));
  HopChain::Check check = Verify();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.broken_at, 2u);
  EXPECT_EQ(check.problem, "link 2 is missing (the chain goes from 1 to 3)");
}

TEST_F(HopChainTest, ARemovedReportOrLastLinkIsFound) {
  {
    StoreBatch batch;
    batch.Delete(HopChain::LinkKey(3));
    Write(std::move(batch));
  }
  HopChain::Check check = Verify();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.broken_at, 3u);
  EXPECT_THAT(check.problem, HasSubstr("the head names link 3 but the chain "
                                       "ends at link 2"));
  {
    StoreBatch batch;
    batch.Delete(ReportStore::ReportKey("r-1"));
    Write(std::move(batch));
  }
  check = Verify();
  EXPECT_EQ(check.broken_at, 1u);
  EXPECT_THAT(check.problem, HasSubstr("its report r-1 cannot be read"));
}

}  // namespace
}  // namespace kuaibao
