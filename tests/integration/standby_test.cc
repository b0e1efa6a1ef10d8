// Standby nodes (deploy/README.md, "Standby nodes") over real mTLS with real
// node processes: a region's primary is killed (SIGKILL) in the middle of a
// flood; its children turn to the standby once a hand-off is at risk, grade I
// reports reach a province node within their hour, and once the primary is
// back both nodes hold every acknowledged report, once. The deadlines run on
// the drill clock (time_scale), so the notice's hours pass in seconds.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
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

// The flood's size: 1,000 in CI (two loaded cores), the 5,000 with
// KUAIBAO_STANDBY_REPORTS=5000 (or any other count).
int FloodSize() {
  const char* n = std::getenv("KUAIBAO_STANDBY_REPORTS");
  return n != nullptr && std::atoi(n) > 0 ? std::atoi(n) : 1000;
}

// A port nobody listens on now, for nodes that must know each other's
// address before either starts.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
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
  const int primary_port = FreePort(), standby_port = FreePort();
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

INSTANTIATE_TEST_SUITE_P(ProvinceAndCounty, StandbyTest,
                         ::testing::Values(std::string(kProvince),
                                           std::string(kCounty)),
                         [](const auto& info) {
                           return info.param == kProvince ? "Province"
                                                          : "County";
                         });

}  // namespace
}  // namespace kuaibao::testing
