// The chain on four "hosts": township, county, city and province each in a
// network namespace of its own, with its own address and a certificate that
// names it, joined by a router whose nftables rules cut links, heal them and
// drop packets at random while a duty officer keeps reporting. The counting
// checker (attempted, acknowledged, delivered, lost, duplicated, gaps) must
// find nothing lost or doubled at the province.
//
// Run through tests/integration/multihost-netns.sh, which builds the network
// (root only), runs this binary in the officers' namespace and tears it all
// down; ctest: multihost_netns. Outside it the test skips, saying so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "relay/proto_time.h"
#include "tests/integration/delivery_check.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"
#include "tests/integration/test_client.h"
#include "tests/testing/history.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao::testing {
namespace {

constexpr int kPort = 7400;

std::string Env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? "" : value;
}

void Sleep(absl::Duration d) {
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(d));
}

// A node on its host: KUAIBAO_MH_<HOST>_NS and _IP from the driver.
std::unique_ptr<NodeProcess> NodeOn(const std::string& host,
                                    const std::string& region) {
  auto node = std::make_unique<NodeProcess>(
      absl::StrCat(Env("KUAIBAO_MH_WORK"), "/", host), region,
      Env("KUAIBAO_MH_PKI"));
  node->set_netns(Env(absl::StrCat("KUAIBAO_MH_", host, "_NS")));
  node->set_host(Env(absl::StrCat("KUAIBAO_MH_", host, "_IP")));
  node->set_port(kPort);
  // A steady stream from one officer, above the default per-client rate:
  // this test is about the network, not about pacing.
  node->SetExtraConfig(
      "client_rate_limit { reports_per_second: 100000 burst: 100000 }\n"
      "node_rate_limit { reports_per_second: 100000 burst: 100000 }\n");
  return node;
}

// Changes the router's rules ("cut county city", "loss town county 10",
// "heal county city", "heal-all").
void Network(const std::string& change) {
  std::cout << "network: " << change << std::endl;
  std::string command = absl::StrCat(Env("KUAIBAO_MH_SCRIPT"), " ", change);
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// The delay line (delay_relay) in the city's namespace: the county's
// stream to the city passes through it, `delay` each way.
class DelayLine {
 public:
  DelayLine(const std::string& listen, const std::string& target,
            absl::Duration delay) {
    const std::string ms = absl::StrCat(absl::ToInt64Milliseconds(delay));
    const std::string ns = Env("KUAIBAO_MH_CITY_NS");
    pid_ = fork();
    if (pid_ == 0) {
      execlp("ip", "ip", "netns", "exec", ns.c_str(), KUAIBAO_DELAY_RELAY,
             listen.c_str(), target.c_str(), ms.c_str(),
             static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~DelayLine() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

bool Eventually(absl::Duration patience, const std::function<bool()>& done) {
  for (absl::Time give_up = absl::Now() + patience;; Sleep(absl::Seconds(1))) {
    if (done()) return true;
    if (absl::Now() >= give_up) return false;
  }
}

// What waits at `node` for `upstream`, from its Monitor status.
uint64_t Waiting(TestClient client, const std::string& upstream) {
  absl::StatusOr<v1::GetStatusResponse> status = client.Status();
  if (!status.ok()) return 0;
  for (const v1::LinkStatus& link : status->links()) {
    if (link.upstream() == upstream) return link.waiting();
  }
  return 0;
}

TEST(MultiHostTest, CutHealAndLossBetweenHostsLoseAndDoubleNothing) {
  if (Env("KUAIBAO_MH_PREFIX").empty()) {
    GTEST_SKIP() << "needs the network of tests/integration/multihost-netns.sh "
                    "(ctest -R multihost_netns, as root)";
  }
  const uint64_t seed = TestSeed();
  std::cout << "multihost seed " << seed << " (replay: KUAIBAO_SEED=" << seed
            << ")\n";
  std::mt19937_64 rng(seed);
  const std::string pki = Env("KUAIBAO_MH_PKI");

  // Delay on the county's link to the city, both ways: through a relay at
  // the city's address, one port up (so the certificate still matches).
  const absl::Duration delay = absl::Milliseconds(50 + rng() % 101);
  std::cout << "county -> city: " << delay << " each way\n";
  const std::string city_ip = Env("KUAIBAO_MH_CITY_IP");
  DelayLine delay_line(absl::StrCat(city_ip, ":", kPort + 1),
                       absl::StrCat(city_ip, ":", kPort), delay);
  std::unique_ptr<NodeProcess> province = NodeOn("PROV", kProvince);
  std::unique_ptr<NodeProcess> city = NodeOn("CITY", kCity);
  std::unique_ptr<NodeProcess> county = NodeOn("COUNTY", kCounty);
  std::unique_ptr<NodeProcess> township = NodeOn("TOWN", kTownship);
  NodeProcess* parent = nullptr;
  for (NodeProcess* node :
       {province.get(), city.get(), county.get(), township.get()}) {
    if (parent != nullptr) {
      node->SetParent(parent->region(),
                      parent == city.get() ? kPort + 1 : parent->port(),
                      Env(absl::StrCat("KUAIBAO_MH_",
                                       parent == province.get() ? "PROV"
                                       : parent == city.get()   ? "CITY"
                                                                : "COUNTY",
                                       "_IP")));
    }
    ASSERT_THAT(node->Start(), IsOk());
    parent = node;
  }
  auto at_township = [&] {
    return TestClient(pki, kDutyOfficer, township->address());
  };

  // One officer reporting throughout, a slice at a time, each report with
  // an id of this run.
  History history;
  std::atomic<bool> stop{false};
  std::thread officer([&] {
    int next = 0;
    while (!stop) {
      std::vector<IncidentReport> slice;
      for (int i = 0; i < 20; ++i, ++next) {
        slice.push_back(
            SampleReport(absl::StrCat("mh-", seed % 100000, "-", next),
                         kTownship, absl::Now()));
      }
      SubmitRecorded(at_township(), slice, &history);
      Sleep(absl::Milliseconds(100));
    }
  });

  Sleep(absl::Seconds(2));
  // Random loss on every link of the chain, the officer's too.
  const int loss = 5 + static_cast<int>(rng() % 11);  // 5..15 %
  Network(absl::StrCat("loss office town ", loss));
  Network(absl::StrCat("loss town county ", loss));
  Network(absl::StrCat("loss county city ", loss));
  Network(absl::StrCat("loss city prov ", loss));
  Sleep(absl::Seconds(6));
  Network("heal-all");

  // The county loses its city for longer than keepalive takes to notice
  // (15 s): reports pile up at the county, and its stream breaks.
  Network("cut county city");
  EXPECT_TRUE(Eventually(absl::Seconds(30), [&] {
    return Waiting(TestClient(pki, kDutyOfficer, county->address()), kCity) > 0;
  })) << "the cut did not hold reports back at the county";
  Sleep(absl::Seconds(18));
  // Healed while the city loses the province and the township's link
  // drops a fifth of its packets.
  Network("heal county city");
  Network("cut city prov");
  Network("loss town county 20");
  Sleep(absl::Seconds(8));
  Network("heal-all");
  stop = true;
  officer.join();

  std::cout << "officer: " << history.acknowledged()
            << " reports acknowledged by the township" << std::endl;
  EXPECT_GT(history.acknowledged(), 100u) << "too few reports to judge by";
  Counts counts =
      CheckAtTop(TestClient(pki, kProvinceOfficer, province->address()),
                 history, "multihost-cut-heal-loss", seed);
  EXPECT_TRUE(counts.Valid());
  // The delay was in the path: the city received each report at least
  // `delay` after the county sent it (one machine, one clock).
  int checked = 0;
  TestClient top(pki, kProvinceOfficer, province->address());
  for (const std::string& id : history.AcknowledgedIds()) {
    if (checked == 10) break;
    absl::StatusOr<v1::GetReportResponse> got = top.Get(id);
    ASSERT_THAT(got, IsOk());
    absl::Time sent = absl::InfinitePast(), received = absl::InfinitePast();
    for (const HopRecord& hop : got->report().hops()) {
      if (hop.node() == kCounty && hop.forwarded_size() > 0) {
        sent = FromProto(hop.forwarded(0).sent_at());
      }
      if (hop.node() == kCity) received = FromProto(hop.received_at());
    }
    EXPECT_GE(received - sent, delay) << id;
    ++checked;
  }
  EXPECT_EQ(checked, 10);
  if (::testing::Test::HasFailure()) {
    for (NodeProcess* node :
         {township.get(), county.get(), city.get(), province.get()}) {
      std::cout << "--- " << node->region() << " log tail:\n"
                << node->LogTail();
    }
  }
}

}  // namespace
}  // namespace kuaibao::testing
