#include "relay/store_repair.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "relay/relay_engine.h"
#include "relay/signer_chains.h"
#include "relay/standby_links.h"
#include "relay/store/keys.h"
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
using ::kuaibao::testing::TempDir;

constexpr char kCounty[] = "140105000000";
constexpr char kCity[] = "140100000000";

// After a repair, every report the parent has not acknowledged is queued
// for it again, whatever the damage took of the queue; nothing it has
// acknowledged is sent again.
TEST(StoreRepairTest, QueuesAgainWhatHasNoReceiptAndNothingElse) {
  TempDir dir;
  FakeClock clock;
  RegionTable regions = testing::SampleRegions();
  {
    auto store = *ReportStore::Open(dir.path(), {});
    RelayOptions options;
    options.region = kCounty;
    options.parent = kCity;
    auto engine = *RelayEngine::Open(options, store.get(), &regions, &clock);
    Identity client =
        *ParseIdentity("spiffe://kuaibao/client/140105001000/duty-1");
    for (const char* id : {"acked", "lost-entry", "queued"}) {
      absl::Notification done;
      engine->Submit(client, SampleReport(id, "140105001000", clock.TimeNow()),
                     [&](absl::StatusOr<Receipt> r) {
                       EXPECT_THAT(r, IsOk());
                       done.Notify();
                     });
      done.WaitForNotification();
    }
    // The city acknowledges "acked"; the damage takes the queue entry of
    // "lost-entry".
    absl::StatusOr<std::vector<OutboundReport>> sent =
        engine->NextOutbound(kCity, 10, {});
    ASSERT_THAT(sent, IsOk());
    for (const OutboundReport& out : *sent) {
      StoreBatch batch;
      if (out.entry.report_id == "lost-entry") {
        Outbox::Remove(kCity, out.entry, &batch);
        ASSERT_THAT(store->CommitAndWait(std::move(batch)), IsOk());
      } else if (out.entry.report_id == "acked") {
        Receipt receipt;
        receipt.set_report_id("acked");
        absl::Notification recorded;
        engine->RecordReceipt(kCity, out.entry, receipt, clock.TimeNow(), 1,
                              [&](absl::Status s) {
                                EXPECT_THAT(s, IsOk());
                                recorded.Notify();
                              });
        recorded.WaitForNotification();
      }
    }
  }
  absl::StatusOr<RepairSummary> summary =
      RepairStore(dir.path(), {{kCity, RepairLink::kEvery}}, clock.TimeNow());
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->reports, 3u);
  EXPECT_TRUE(summary->undecodable.empty());
  EXPECT_EQ(summary->requeued[kCity], 1u);
  EXPECT_EQ(summary->queues[kCity].waiting, 2u);
  ASSERT_EQ(summary->origins.size(), 1u);
  EXPECT_EQ(summary->origins[0].count(), 3u);
  EXPECT_TRUE(summary->origins[0].gaps().empty());
}

// A primary's repair queues for its parent and its standby what came from
// its own children, not what the standby took and passed on (the standby
// forwards those), and for a level above only what was on its way there.
TEST(StoreRepairTest, PeerCopiesAreTheOtherNodesToForward) {
  TempDir dir;
  FakeClock clock;
  {
    auto store = *ReportStore::Open(dir.path(), {});
    StoreBatch batch;
    for (const char* id : {"own", "from-standby"}) {
      StoredReport stored;
      *stored.mutable_report() =
          SampleReport(id, "140105001000", clock.TimeNow());
      stored.add_hops()->set_node(kCounty);
      if (std::string(id) == "from-standby") {
        stored.add_hops()->set_node(kCounty);
      }
      batch.Put(ReportStore::ReportKey(id), stored.SerializeAsString());
    }
    ASSERT_THAT(store->CommitAndWait(std::move(batch)), IsOk());
  }
  const std::string standby = StandbyLink(kCounty);
  absl::StatusOr<RepairSummary> summary =
      RepairStore(dir.path(),
                  {{kCity, RepairLink::kEvery},
                   {standby, RepairLink::kEvery},
                   {"140000000000", RepairLink::kOnTheirWay}},
                  clock.TimeNow());
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->reports, 2u);
  EXPECT_EQ(summary->requeued[kCity], 1u);
  EXPECT_EQ(summary->requeued[standby], 1u);
  EXPECT_EQ(summary->requeued["140000000000"], 0u);
}

// Signer chains (relay/signer_chains.h) survive a repair; one whose record
// does not decode, or is not the chain its key names, is dropped and listed
// (a receipt naming it then says the chain is missing, never shows another).
TEST(StoreRepairTest, KeepsSignerChainsAndDropsDamagedOnes) {
  TempDir dir;
  FakeClock clock;
  v1::SignerChain good;
  good.add_certs("leaf-der");
  good.add_certs("ca-der");
  v1::SignerChain other;
  other.add_certs("someone-else");
  const std::string good_key =
      keys::SignerChain(SignerChains::DigestOf(good.certs()));
  const std::string swapped_key =
      keys::SignerChain(SignerChains::DigestOf(good.certs()) + "0");
  const std::string garbled_key =
      keys::SignerChain(SignerChains::DigestOf(other.certs()));
  {
    auto store = *ReportStore::Open(dir.path(), {});
    StoreBatch batch;
    batch.Put(good_key, good.SerializeAsString());
    batch.Put(swapped_key, other.SerializeAsString());
    batch.Put(garbled_key, "\xff\xff\xff");
    ASSERT_THAT(store->CommitAndWait(std::move(batch)), IsOk());
  }
  absl::StatusOr<RepairSummary> summary =
      RepairStore(dir.path(), {{kCity, RepairLink::kEvery}}, clock.TimeNow());
  ASSERT_THAT(summary, IsOk());
  EXPECT_THAT(summary->undecodable,
              ::testing::UnorderedElementsAre(swapped_key, garbled_key));
  auto store = *ReportStore::Open(dir.path(), {});
  EXPECT_THAT(store->Get(good_key), IsOk());
  EXPECT_FALSE(store->Get(swapped_key).ok());
  EXPECT_FALSE(store->Get(garbled_key).ok());
}

}  // namespace
}  // namespace kuaibao
