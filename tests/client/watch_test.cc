// The live feed (Query.Watch, `kuaibao watch`) against a real chain over
// mTLS: every arrival exactly once, in the node's order, through a watcher
// that disconnects and a province that is killed and restarted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/feed_client.h"
#include "relay/region.h"
#include "tests/integration/test_chain.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

TlsPaths OfficerTls(const std::string& cert) {
  TlsPaths paths;
  paths.cert_file = std::string(kPki) + "/" + cert + ".pem";
  paths.key_file = std::string(kPki) + "/" + cert + ".key";
  paths.ca_file = std::string(kPki) + "/ca.pem";
  return paths;
}

// What a watcher saw: every item's cursor, and each report arrival.
struct Seen {
  absl::Mutex mu;
  std::vector<uint64_t> cursors ABSL_GUARDED_BY(mu);
  std::map<std::string, int> arrivals ABSL_GUARDED_BY(mu);
  uint64_t last ABSL_GUARDED_BY(mu) = 0;
  // Submitted after the last kill: once it is seen, nothing more is coming.
  bool sentinel ABSL_GUARDED_BY(mu) = false;

  size_t Distinct() {
    absl::MutexLock lock(&mu);
    return arrivals.size();
  }
  uint64_t Last() {
    absl::MutexLock lock(&mu);
    return last;
  }
};

// Follows the province's feed from `since` until `stop` says so.
void Follow(const std::string& address, uint64_t since, Seen* seen,
            const std::function<bool()>& stop, int* breaks) {
  absl::StatusOr<std::unique_ptr<FeedClient>> client = ConnectFeedClient(
      address, OfficerTls(kProvinceOfficer), absl::Seconds(30));
  ASSERT_THAT(client, IsOk());
  FollowOptions options;
  options.since = since;
  options.min_backoff = absl::Milliseconds(50);
  options.max_backoff = absl::Milliseconds(500);
  options.on_break = [&](const absl::Status&, uint64_t) {
    ++*breaks;
    return !stop();
  };
  absl::Status followed =
      FollowFeed(**client, options, [&](const v1::WatchResponse& r) {
        {
          absl::MutexLock lock(&seen->mu);
          seen->cursors.push_back(r.cursor());
          seen->last = r.cursor();
          if (r.item().has_report()) {
            const std::string& id = r.item().report().report_id();
            if (id == "sentinel") {
              seen->sentinel = true;
            } else {
              ++seen->arrivals[id];
            }
          }
        }
        return !stop();
      });
  (void)followed;  // stopped by `stop`, after a break or an item
}

TEST(WatchTest, EveryArrivalExactlyOnceAcrossDisconnectAndProvinceRestart) {
  constexpr int kReports = 1000;
  TempDir dir;
  Chain chain(dir.path());
  for (NodeProcess* node : {chain.province.get(), chain.city.get(),
                            chain.county.get(), chain.township.get()}) {
    node->SetExtraConfig(
        "client_rate_limit { reports_per_second: 1000000 burst: 1000000 }\n"
        "node_rate_limit { reports_per_second: 1000000 burst: 1000000 }\n");
  }
  ASSERT_THAT(chain.Start(), IsOk());
  const std::string province = chain.province->address();

  std::atomic<int> submitted{0};
  std::thread submitter([&] {
    for (int from = 0; from < kReports; from += 100) {
      std::vector<IncidentReport> reports;
      for (int i = from; i < from + 100; ++i) {
        reports.push_back(
            SampleReport(absl::StrCat("w-", i), kTownship, absl::Now()));
      }
      // A stream cut by nothing here: the township is never restarted.
      chain.AtTownship().Submit(reports);
      submitted += 100;
    }
  });

  Seen seen;
  int breaks = 0;
  // The first watcher leaves after a third of the arrivals...
  Follow(
      province, 0, &seen, [&] { return seen.Distinct() >= kReports / 3; },
      &breaks);
  const uint64_t left_at = seen.Last();
  // ...the province is killed while the rest arrive and restarted...
  while (submitted < kReports / 2) absl::SleepFor(absl::Milliseconds(20));
  chain.province->Kill(SIGKILL);
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_THAT(chain.province->Start(), IsOk());
  // ...and a watcher resumes after the last cursor seen, through another
  // kill of the province while it follows.
  std::atomic<bool> killed_again{false};
  const absl::Time give_up = absl::Now() + 2 * kPatience;
  std::thread killer([&] {
    while (seen.Distinct() < kReports * 2 / 3 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    chain.province->Kill(SIGKILL);
    absl::SleepFor(absl::Milliseconds(300));
    killed_again = chain.province->Start().ok();
    submitter.join();
    chain.AtTownship().Submit(
        {SampleReport("sentinel", kTownship, absl::Now())});
  });
  const absl::Time deadline = absl::Now() + 3 * kPatience;
  Follow(
      province, left_at, &seen,
      [&] {
        absl::MutexLock lock(&seen.mu);
        return (seen.arrivals.size() >= kReports && seen.sentinel) ||
               absl::Now() > deadline;
      },
      &breaks);
  killer.join();
  EXPECT_TRUE(killed_again);
  EXPECT_GE(breaks, 1) << "the second kill must have cut the watcher";

  absl::MutexLock lock(&seen.mu);
  EXPECT_EQ(seen.arrivals.size(), static_cast<size_t>(kReports));
  for (const auto& [id, count] : seen.arrivals) {
    EXPECT_EQ(count, 1) << id << " seen " << count << " times";
  }
  // The province officer sees all of the province's record: cursors 1, 2,
  // 3, ... each once, none skipped.
  for (size_t i = 0; i < seen.cursors.size(); ++i) {
    ASSERT_EQ(seen.cursors[i], i + 1) << "item " << i;
  }
}

TEST(WatchTest, ScopedToTheCallersRegionAndFilteredByGrade) {
  TempDir dir;
  Chain chain(dir.path());
  ASSERT_THAT(chain.Start(), IsOk());
  absl::Time now = absl::Now();
  IncidentReport routine = SampleReport("g-iv", kTownship, now);
  IncidentReport urgent = SampleReport("g-ii", kTownship, now);
  urgent.set_grade(GRADE_II);
  SubmitOutcome outcome = chain.AtTownship().Submit({routine, urgent});
  ASSERT_EQ(outcome.responses.size(), 2u);

  // At the province, grade II only: the urgent report and nothing else.
  absl::StatusOr<std::unique_ptr<FeedClient>> province =
      ConnectFeedClient(chain.province->address(), OfficerTls(kProvinceOfficer),
                        absl::Seconds(30));
  ASSERT_THAT(province, IsOk());
  v1::WatchRequest grade_ii;
  grade_ii.add_grades(GRADE_II);
  std::vector<v1::FeedItem> items;
  absl::Status watched =
      (*province)->Watch(grade_ii, [&](const v1::WatchResponse& r) {
        items.push_back(r.item());
        return false;  // the first is enough
      });
  ASSERT_THAT(watched, IsOk());
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].report().report_id(), "g-ii");
  EXPECT_EQ(items[0].report().grade(), GRADE_II);

  // An unknown grade is refused, naming the field.
  v1::WatchRequest bad;
  bad.add_grades(static_cast<Grade>(99));
  absl::Status refused =
      (*province)->Watch(bad, [](const v1::WatchResponse&) { return true; });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("grades"));

  // A township officer at the county's node sees the township's reports
  // and not the county's own link to the city (outside its region).
  absl::StatusOr<std::unique_ptr<FeedClient>> county = ConnectFeedClient(
      chain.county->address(), OfficerTls(kDutyOfficer), absl::Seconds(30));
  ASSERT_THAT(county, IsOk());
  std::vector<v1::FeedItem> at_county;
  absl::Status followed =
      (*county)->Watch(v1::WatchRequest(), [&](const v1::WatchResponse& r) {
        at_county.push_back(r.item());
        return at_county.size() < 2 ||
               !(at_county.back().has_report() &&
                 at_county.back().report().report_id() == "g-ii");
      });
  ASSERT_THAT(followed, IsOk());
  for (const v1::FeedItem& item : at_county) {
    EXPECT_TRUE(RegionContains(kTownship, item.region()))
        << item.ShortDebugString();
  }
}

TEST(WatchTest, ProvinceSeesItsChildrenAndGrandchildren) {
  TempDir dir;
  Chain chain(dir.path());
  ASSERT_THAT(chain.Start(), IsOk());
  absl::StatusOr<std::unique_ptr<FeedClient>> province =
      ConnectFeedClient(chain.province->address(), OfficerTls(kProvinceOfficer),
                        absl::Seconds(30));
  ASSERT_THAT(province, IsOk());
  // The city reports its county once its own stream is up.
  absl::StatusOr<v1::ListChildrenResponse> children;
  const absl::Time deadline = absl::Now() + kPatience;
  auto find = [&](const std::string& region) -> const v1::ChildLink* {
    for (const v1::ChildLink& c : children->children()) {
      if (c.region() == region) return &c;
    }
    return nullptr;
  };
  for (;;) {
    children = (*province)->ListChildren();
    ASSERT_THAT(children, IsOk());
    const v1::ChildLink* county = find(kCounty);
    if (county != nullptr &&
        county->condition() == v1::CHILD_CONDITION_CONNECTED) {
      break;
    }
    ASSERT_LT(absl::Now(), deadline) << children->DebugString();
    absl::SleepFor(absl::Milliseconds(200));
  }
  // Shanxi's 11 cities, and every county-level region of the table below
  // them (the province's node has no others).
  absl::StatusOr<RegionTable> table = RegionTable::Load(
      std::string(KUAIBAO_SOURCE_DIR) + "/deploy/regions/shanxi-2022.csv");
  ASSERT_THAT(table, IsOk());
  int table_counties = 0;
  for (const Region& r : table->regions()) {
    table_counties += r.level == Level::kCounty;
  }
  int cities = 0, counties = 0;
  for (const v1::ChildLink& c : children->children()) {
    (c.depth() == 1 ? cities : counties) += 1;
  }
  EXPECT_EQ(cities, 11);
  EXPECT_EQ(counties, table_counties);
  const v1::ChildLink* city = find(kCity);
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->condition(), v1::CHILD_CONDITION_CONNECTED);
  EXPECT_TRUE(city->has_last_heard());
  // Worst first: the ten cities without a node are down, listed before it.
  EXPECT_EQ(children->children(0).condition(), v1::CHILD_CONDITION_DOWN);
  EXPECT_EQ(children->children(children->children_size() - 1).condition(),
            v1::CHILD_CONDITION_CONNECTED);
}

}  // namespace
}  // namespace kuaibao::testing
