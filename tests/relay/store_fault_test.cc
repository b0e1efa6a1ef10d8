// Faults below the process: a machine crash that loses everything not synced
// (power loss), and a full disk. The relay engine runs over a real LevelDB
// whose Env injects the faults (tests/testing/fault_injection_env.h); the
// checker counts in Jepsen's way and tolerates nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "relay/relay_engine.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fault_injection_env.h"
#include "tests/testing/history.h"
#include "tests/testing/sample_regions.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::Counts;
using ::kuaibao::testing::FakeClock;
using ::kuaibao::testing::FaultInjectionEnv;
using ::kuaibao::testing::History;
using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::SampleReport;
using ::kuaibao::testing::StatusIs;
using ::kuaibao::testing::TempDir;

constexpr char kCounty[] = "140105000000";
constexpr char kCity[] = "140100000000";
constexpr char kTownship[] = "140105001000";
constexpr char kClient[] = "spiffe://kuaibao/client/140105001000/duty-1";

// A county node over a store whose files go through `env_`.
class StoreFaultTest : public ::testing::Test {
 protected:
  StoreFaultTest()
      : regions_(testing::SampleRegions()),
        seed_(testing::TestSeed()),
        rng_(seed_) {
    std::cout << "seed " << seed_ << " (replay: KUAIBAO_SEED=" << seed_
              << ")\n";
  }

  ~StoreFaultTest() override { Close(); }

  absl::Status Open(bool sync = true) {
    ReportStore::Options options;
    options.sync = sync;
    options.env = &env_;
    absl::StatusOr<std::unique_ptr<ReportStore>> store =
        ReportStore::Open(dir_.path(), options);
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    RelayOptions relay;
    relay.region = kCounty;
    relay.parent = kCity;
    absl::StatusOr<std::unique_ptr<RelayEngine>> engine =
        RelayEngine::Open(relay, store_.get(), &regions_, &clock_);
    if (!engine.ok()) return engine.status();
    engine_ = *std::move(engine);
    return absl::OkStatus();
  }

  void Close() {
    engine_.reset();
    store_.reset();
  }

  absl::StatusOr<Receipt> Submit(const std::string& id) {
    absl::Notification done;
    absl::StatusOr<Receipt> result;
    engine_->Submit(client_, SampleReport(id, kTownship, clock_.TimeNow()),
                    [&](absl::StatusOr<Receipt> r) {
                      result = std::move(r);
                      done.Notify();
                    });
    done.WaitForNotification();
    return result;
  }

  // Clients submitting (a few streams, several reports in flight each) and a
  // forwarder taking reports out with receipts, until `stop`.
  void RunLoad(std::atomic<bool>* stop, int round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([this, stop, round, t] {
        for (int n = 0; !stop->load(); ++n) {
          constexpr int kWindow = 8;
          std::vector<std::unique_ptr<absl::Notification>> done;
          for (int i = 0; i < kWindow; ++i) {
            std::string id = absl::StrCat("r", round, "-", t, "-", n, "-", i);
            history_.Attempted(id);
            done.push_back(std::make_unique<absl::Notification>());
            absl::Notification* note = done.back().get();
            engine_->Submit(client_,
                            SampleReport(id, kTownship, clock_.TimeNow()),
                            [this, id, note](absl::StatusOr<Receipt> r) {
                              if (r.ok()) history_.Acknowledged(id);
                              note->Notify();
                            });
          }
          for (auto& note : done) note->WaitForNotification();
        }
      });
    }
    threads.emplace_back([this, stop] {
      while (!stop->load()) {
        absl::StatusOr<std::vector<OutboundReport>> out =
            engine_->NextOutbound(kCity, 16, {});
        if (!out.ok()) continue;
        for (const OutboundReport& o : *out) {
          Receipt receipt;
          receipt.set_report_id(o.entry.report_id);
          receipt.set_node(kCity);
          absl::Notification recorded;
          engine_->RecordReceipt(kCity, o.entry, receipt, clock_.TimeNow(), 1,
                                 [&](absl::Status) { recorded.Notify(); });
          recorded.WaitForNotification();
        }
      }
    });
    for (auto& th : threads) th.join();
  }

  // Runs load, crashes the machine inside a random sync (or, without
  // syncing, after a random number of acknowledgements), drops what was not
  // synced (and, if `remove_files`, the files whose directory entry was
  // not), restarts and counts.
  Counts CrashRound(int round, bool remove_files, bool sync) {
    std::uniform_int_distribution<int> crash_at(5, 150);
    const size_t target = history_.acknowledged() + 10 * crash_at(rng_);
    if (sync) env_.CrashAtSync(crash_at(rng_));
    std::atomic<bool> stop{false};
    std::thread load([&] { RunLoad(&stop, round); });
    while (sync ? !env_.crashed() : history_.acknowledged() < target) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    env_.Crash();
    stop = true;
    load.join();
    Close();
    uint64_t dropped = env_.DropUnsyncedData();
    int removed = remove_files ? env_.RemoveUnsyncedFiles() : 0;
    env_.Restart();
    EXPECT_THAT(Open(sync), IsOk()) << "round " << round;
    std::cout << "round " << round << ": crash dropped " << dropped
              << " unsynced bytes, " << removed << " files\n";
    return Check();
  }

  // What the node holds against the history: every acknowledged report
  // stored, and either still queued for the city or acknowledged by it;
  // no gaps in the client's numbers.
  Counts Check() {
    std::vector<std::string> delivered;
    absl::StatusOr<std::vector<StoredReport>> all =
        engine_->ListReports("", 1000000, nullptr);
    EXPECT_THAT(all, IsOk());
    uint64_t stranded = 0;
    absl::flat_hash_set<std::string> queued;
    EXPECT_THAT(store_->Scan("o/", "",
                             [&](absl::string_view, absl::string_view id) {
                               queued.insert(std::string(id));
                               return true;
                             }),
                IsOk());
    for (const StoredReport& r : *all) {
      const std::string& id = r.report().report_id();
      delivered.push_back(id);
      StoredReport timeline = *engine_->Timeline(id);
      bool acked_upstream = IsSet(timeline.hops(0).forwarded(0).acked_at());
      // Stored but neither queued nor acknowledged: never to be forwarded.
      if (!queued.contains(id) && !acked_upstream) ++stranded;
    }
    EXPECT_EQ(stranded, 0u) << "stored reports that would never leave";
    uint64_t gaps = 0;
    absl::StatusOr<std::vector<OriginRecord>> origins =
        engine_->Origins("", 100, nullptr, clock_.TimeNow(), absl::Hours(2));
    EXPECT_THAT(origins, IsOk());
    for (const OriginRecord& o : *origins) {
      for (const SequenceGap& g : o.gaps()) gaps += g.last() - g.first() + 1;
      EXPECT_EQ(o.reused(), 0u);
    }
    return history_.Check(delivered, gaps);
  }

  const Identity client_ = *ParseIdentity(kClient);
  FakeClock clock_;
  TempDir dir_;
  FaultInjectionEnv env_;
  RegionTable regions_;
  const uint64_t seed_;
  std::mt19937_64 rng_;
  History history_;
  std::unique_ptr<ReportStore> store_;
  std::unique_ptr<RelayEngine> engine_;
};

int Rounds(int ci) { return testing::SoakRequested() ? ci * 20 : ci; }

TEST_F(StoreFaultTest, MachineCrashLosesNothingAcknowledged) {
  ASSERT_THAT(Open(), IsOk());
  for (int round = 0; round < Rounds(4); ++round) {
    Counts c = CrashRound(round, /*remove_files=*/false, /*sync=*/true);
    std::cout << c.Json("machine-crash", seed_) << "\n";
    EXPECT_GT(c.acknowledged, 0u);
    EXPECT_EQ(c.lost, 0u) << "round " << round;
    EXPECT_EQ(c.unexpected, 0u);
    EXPECT_EQ(c.gaps, 0u);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST_F(StoreFaultTest, MachineCrashLosingNewFilesLosesNothingAcknowledged) {
  ASSERT_THAT(Open(), IsOk());
  for (int round = 0; round < Rounds(4); ++round) {
    Counts c = CrashRound(round, /*remove_files=*/true, /*sync=*/true);
    std::cout << c.Json("machine-crash-new-files", seed_) << "\n";
    EXPECT_EQ(c.lost, 0u) << "round " << round;
    EXPECT_EQ(c.unexpected, 0u);
    EXPECT_EQ(c.gaps, 0u);
    if (::testing::Test::HasFailure()) break;
  }
}

// The negative control: the same crash with syncing off must show losses,
// which proves that the test above can see them.
TEST_F(StoreFaultTest, NegativeControlWithoutSyncACrashLosesReports) {
  ASSERT_THAT(Open(/*sync=*/false), IsOk());
  uint64_t lost = 0;
  for (int round = 0; round < 2; ++round) {
    Counts c = CrashRound(round, /*remove_files=*/false, /*sync=*/false);
    std::cout << c.Json("negative-control-no-sync", seed_) << "\n";
    lost += c.lost;
  }
  EXPECT_GT(lost, 0u) << "with sync off a crash must lose acknowledged "
                         "reports; if not, the crash test cannot fail";
}

TEST_F(StoreFaultTest, FullDiskRefusesLosesNothingAndRecovers) {
  ASSERT_THAT(Open(), IsOk());
  int n = 0;
  auto submit = [&]() {
    std::string id = absl::StrCat("d-", n++);
    history_.Attempted(id);
    absl::StatusOr<Receipt> r = Submit(id);
    if (r.ok()) {
      history_.Acknowledged(id);
    } else {
      history_.Refused(id);
    }
    return r;
  };
  for (int i = 0; i < 50; ++i) ASSERT_THAT(submit(), IsOk());
  // The disk fills up: a few more writes fit, then one tears.
  env_.SetSpaceLeft(20000);
  absl::Status refused;
  for (int i = 0; i < 200 && refused.ok(); ++i) refused = submit().status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("disk"));
  // Still full: refused at once, without touching the files; a resend of
  // something acknowledged is still acknowledged, and the queue still read.
  EXPECT_THAT(submit(), StatusIs(absl::StatusCode::kResourceExhausted));
  absl::StatusOr<Receipt> again = Submit("d-0");
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->duplicate());
  EXPECT_THAT(engine_->NextOutbound(kCity, 10, {}), IsOk());
  // The node's one intake decision (status, metrics, health) says so.
  EXPECT_THAT(engine_->IntakeRefusal(),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // Reopening cannot work before space is freed (and the node's monitor
  // does not try it before; reads fail while the store is closed).
  EXPECT_THAT(engine_->RecoverStore(),
              StatusIs(absl::StatusCode::kResourceExhausted));

  // Space comes back: the store reopens (the torn record is the log's tail)
  // and takes reports again.
  env_.SetUnlimitedSpace();
  ASSERT_THAT(engine_->RecheckIntake(), IsOk())
      << "the node monitor's check reopens the store once there is room";
  for (int i = 0; i < 20; ++i) ASSERT_THAT(submit(), IsOk());
  // And everything acknowledged is there after a restart.
  Close();
  ASSERT_THAT(Open(), IsOk());
  Counts c = Check();
  std::cout << c.Json("disk-full-env", seed_) << "\n";
  EXPECT_EQ(c.lost, 0u);
  EXPECT_EQ(c.gaps, 0u);
  EXPECT_GT(c.acknowledged, 70u) << "some fitted before the disk was full";
  EXPECT_EQ(c.recovered, 0u) << "a refused report is not stored";
}

}  // namespace
}  // namespace kuaibao
