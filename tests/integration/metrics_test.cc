// The node's Prometheus endpoint, scraped over plain HTTP from real node
// processes (township → county over real mTLS) while reports move.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"
#include "tests/integration/test_client.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Sends `request` to 127.0.0.1:`port` and returns everything the server
// sent back before closing.
std::string HttpExchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
      0) {
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buffer[4096];
    for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
      response.append(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  return response;
}

std::string Scrape(int port) {
  return HttpExchange(port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

// The value of the sample `series` (name and labels exactly as printed), or
// -1 if the scrape has no such line.
double Value(const std::string& scrape, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double v = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &v)) return v;
    }
  }
  return -1;
}

int ReadPort(const std::string& path) {
  std::ifstream in(path);
  int port = 0;
  in >> port;
  return port;
}

bool Eventually(const std::function<bool()>& done) {
  for (absl::Time give_up = absl::Now() + kPatience; absl::Now() < give_up;
       std::this_thread::sleep_for(std::chrono::milliseconds(50))) {
    if (done()) return true;
  }
  return done();
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (NodeProcess* node : {&county_, &township_}) {
      // A drill clock (2 h per hop pass in 7.2 s), for the deadlines.
      node->SetExtraConfig(absl::StrCat(
          "metrics_address: \"127.0.0.1:0\"\nmetrics_port_file: \"",
          dir_.Sub(node->region() + "-metrics-port"),
          "\"\ndeadlines { time_scale: 0.001 }\n"));
    }
    ASSERT_THAT(county_.Start(), IsOk());
    township_.SetParent(kCounty, county_.port());
    ASSERT_THAT(township_.Start(), IsOk());
    county_metrics_ =
        ReadPort(dir_.Sub(std::string(kCounty) + "-metrics-port"));
    township_metrics_ =
        ReadPort(dir_.Sub(std::string(kTownship) + "-metrics-port"));
    ASSERT_GT(county_metrics_, 0);
    ASSERT_GT(township_metrics_, 0);
  }

  TempDir dir_;
  NodeProcess county_{dir_.Sub(kCounty), kCounty, kPki};
  NodeProcess township_{dir_.Sub(kTownship), kTownship, kPki};
  int county_metrics_ = 0, township_metrics_ = 0;
};

TEST_F(MetricsTest, CountersMoveWithReportsInAndOut) {
  const std::string received =
      absl::StrCat("kuaibao_reports_received_total{peer=\"", kTownship,
                   "\",role=\"client\"}");
  const std::string acknowledged = absl::StrCat(
      "kuaibao_reports_acknowledged_total{upstream=\"", kCounty, "\"}");
  const std::string sent =
      absl::StrCat("kuaibao_reports_sent_total{upstream=\"", kCounty, "\"}");
  const std::string relayed = absl::StrCat(
      "kuaibao_reports_received_total{peer=\"", kTownship, "\",role=\"node\"}");
  const std::string invalid =
      "kuaibao_reports_refused_total{reason=\"invalid_argument\"}";

  std::string before = Scrape(township_metrics_);
  EXPECT_THAT(before, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(before, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  EXPECT_EQ(Value(before, received), -1) << before;  // nothing yet
  EXPECT_EQ(Value(before, acknowledged), 0) << before;
  EXPECT_EQ(Value(before, absl::StrCat("kuaibao_node_info{region=\"", kTownship,
                                       "\"}")),
            1);
  EXPECT_EQ(Value(before, "kuaibao_accepting"), 1);
  EXPECT_EQ(Value(before, "kuaibao_metrics_errors"), 0) << before;
  // The test PKI's certificates are valid for 90 days, its CAs longer.
  const double node_cert =
      Value(before, "kuaibao_certificate_expiry_seconds{certificate=\"node\"}");
  EXPECT_GT(node_cert, 80 * 86400.0);
  EXPECT_LE(node_cert, 91 * 86400.0);
  EXPECT_GT(Value(before,
                  "kuaibao_certificate_expiry_seconds{certificate="
                  "\"trust_bundle\"}"),
            node_cert);
  // `kuaibao status` shows the same certificate's expiry, and the uptime.
  absl::StatusOr<v1::GetStatusResponse> status =
      TestClient(kPki, kDutyOfficer, township_.address()).Status();
  ASSERT_THAT(status, IsOk());
  EXPECT_TRUE(status->has_started_at());
  EXPECT_NEAR(static_cast<double>(status->certificate_expires_at().seconds() -
                                  status->now().seconds()),
              node_cert, 60);
  EXPECT_GT(Value(before, "kuaibao_store_bytes"), 0);
  EXPECT_GT(Value(before, "kuaibao_disk_free_bytes"), 0);
  EXPECT_GT(Value(before, "process_start_time_seconds"), 1.7e9);
  EXPECT_THAT(before, HasSubstr("# TYPE kuaibao_reports_acknowledged_total "
                                "counter\n"));
  EXPECT_THAT(before, HasSubstr("# HELP kuaibao_outbox_waiting "));
  EXPECT_EQ(Value(before,
                  "kuaibao_deadlines_open{rule=\"per_hop\","
                  "state=\"overdue\"}"),
            0);

  std::vector<IncidentReport> reports;
  for (int i = 0; i < 5; ++i) {
    reports.push_back(
        SampleReport(absl::StrCat("metrics-", i), kTownship, absl::Now()));
  }
  IncidentReport bad = SampleReport("metrics-bad", kTownship, absl::Now());
  bad.clear_headline();
  reports.push_back(bad);
  SubmitOutcome outcome =
      TestClient(kPki, kDutyOfficer, township_.address()).Submit(reports);
  ASSERT_THAT(outcome.status, IsOk());
  ASSERT_EQ(outcome.receipts(), 5);

  std::string after;
  EXPECT_TRUE(Eventually([&] {
    after = Scrape(township_metrics_);
    return Value(after, acknowledged) == 5;
  })) << after;
  EXPECT_EQ(Value(after, received), 5) << after;
  EXPECT_EQ(Value(after, invalid), 1) << after;
  EXPECT_GE(Value(after, sent), 5) << after;
  EXPECT_EQ(Value(after, absl::StrCat("kuaibao_outbox_waiting{upstream=\"",
                                      kCounty, "\"}")),
            0)
      << after;
  EXPECT_EQ(Value(after, "kuaibao_backlog_bytes"), 0) << after;
  EXPECT_EQ(Value(after, "kuaibao_backlog_max_bytes"), 0) << after;
  EXPECT_EQ(Value(after, absl::StrCat("kuaibao_link_state{upstream=\"", kCounty,
                                      "\",state=\"idle\"}")),
            1)
      << after;
  EXPECT_GE(Value(after, "kuaibao_uptime_seconds"), 0);
  // The county counts the same reports in, from its child node.
  std::string county = Scrape(county_metrics_);
  EXPECT_EQ(Value(county, relayed), 5) << county;
  EXPECT_EQ(Value(county, "kuaibao_origin_gap_reports{overdue=\"false\"}"), 0)
      << county;
  EXPECT_EQ(Value(county, "kuaibao_origins"), 1) << county;

  // With the county away, what waits shows, and for how long.
  ASSERT_EQ(county_.Stop(), 0);
  outcome = TestClient(kPki, kDutyOfficer, township_.address())
                .Submit({SampleReport("metrics-late", kTownship, absl::Now())});
  ASSERT_EQ(outcome.receipts(), 1);
  EXPECT_TRUE(Eventually([&] {
    after = Scrape(township_metrics_);
    return Value(after, absl::StrCat("kuaibao_link_state{upstream=\"", kCounty,
                                     "\",state=\"down\"}")) == 1;
  })) << after;
  EXPECT_EQ(Value(after, absl::StrCat("kuaibao_outbox_waiting{upstream=\"",
                                      kCounty, "\"}")),
            1)
      << after;
  // The report's encoded size, at least a few hundred bytes.
  EXPECT_GT(Value(after, "kuaibao_backlog_bytes"), 200) << after;
  // Its hand-off is overdue after the (scaled) 2 h, and the breach is
  // recorded.
  EXPECT_TRUE(Eventually([&] {
    after = Scrape(township_metrics_);
    return Value(after,
                 "kuaibao_deadlines_open{rule=\"per_hop\",state="
                 "\"overdue\"}") == 1 &&
           Value(after, "kuaibao_deadline_breaches_total{rule=\"per_hop\"}") ==
               1;
  })) << after;
  EXPECT_GT(
      Value(after, absl::StrCat("kuaibao_outbox_oldest_age_seconds{upstream=\"",
                                kCounty, "\"}")),
      7)
      << after;
}

// A write wakes only the forwarders of the upstreams it queued reports for:
// routine reports go to the parent, and the township's direct route to the
// province (on-demand, dormant) does not read its outbox for them.
TEST_F(MetricsTest, RoutineWritesLeaveTheDormantDirectRouteAlone) {
  ASSERT_EQ(township_.Stop(), 0);
  // The province is never dialled: nothing urgent is sent.
  township_.SetExtraConfig(absl::StrCat(
      "metrics_address: \"127.0.0.1:0\"\nmetrics_port_file: \"",
      dir_.Sub("township-metrics-port-2"), "\"\nancestors { region: \"",
      kProvince, "\" address: \"127.0.0.1:9\" }\n"));
  ASSERT_THAT(township_.Start(), IsOk());
  const int metrics = ReadPort(dir_.Sub("township-metrics-port-2"));
  ASSERT_GT(metrics, 0);
  const std::string direct_reads = absl::StrCat(
      "kuaibao_link_outbox_reads_total{upstream=\"", kProvince, "\"}");
  const std::string parent_reads = absl::StrCat(
      "kuaibao_link_outbox_reads_total{upstream=\"", kCounty, "\"}");
  std::string before;
  // The start's one look: the outbox may hold work from before a restart.
  EXPECT_TRUE(Eventually([&] {
    before = Scrape(metrics);
    return Value(before, direct_reads) >= 1;
  })) << before;

  std::vector<IncidentReport> reports;
  for (int i = 0; i < 8; ++i) {
    reports.push_back(
        SampleReport(absl::StrCat("dormant-", i), kTownship, absl::Now()));
  }
  SubmitOutcome outcome =
      TestClient(kPki, kDutyOfficer, township_.address()).Submit(reports);
  ASSERT_THAT(outcome.status, IsOk());
  ASSERT_EQ(outcome.receipts(), 8);
  std::string after;
  EXPECT_TRUE(Eventually([&] {
    after = Scrape(metrics);
    return Value(after, absl::StrCat("kuaibao_reports_acknowledged_total{"
                                     "upstream=\"",
                                     kCounty, "\"}")) == 8;
  })) << after;
  EXPECT_GT(Value(after, parent_reads), Value(before, parent_reads)) << after;
  EXPECT_EQ(Value(after, direct_reads), Value(before, direct_reads)) << after;
}

// A report that finds its link idle is sent by the write that queued it: a
// duty officer's lone report does not wait for the link's thread to wake.
TEST_F(MetricsTest, AReportOnAnIdleLinkLeavesFromItsOwnWrite) {
  const std::string acknowledged = absl::StrCat(
      "kuaibao_reports_acknowledged_total{upstream=\"", kCounty, "\"}");
  const std::string on_write = absl::StrCat(
      "kuaibao_link_sent_on_write_total{upstream=\"", kCounty, "\"}");
  const std::string sent =
      absl::StrCat("kuaibao_reports_sent_total{upstream=\"", kCounty, "\"}");
  TestClient client(kPki, kDutyOfficer, township_.address());
  // The first report may find the link still connecting.
  ASSERT_THAT(
      client.Submit({SampleReport("idle-warm", kTownship, absl::Now())}).status,
      IsOk());
  std::string before;
  ASSERT_TRUE(Eventually([&] {
    before = Scrape(township_metrics_);
    return Value(before, acknowledged) == 1;
  })) << before;
  // One at a time, each acknowledged upstream before the next.
  for (int i = 0; i < 3; ++i) {
    SubmitOutcome outcome = client.Submit(
        {SampleReport(absl::StrCat("idle-", i), kTownship, absl::Now())});
    ASSERT_THAT(outcome.status, IsOk());
    ASSERT_EQ(outcome.receipts(), 1);
    std::string now;
    ASSERT_TRUE(Eventually([&] {
      now = Scrape(township_metrics_);
      return Value(now, acknowledged) == 2 + i;
    })) << now;
  }
  const std::string after = Scrape(township_metrics_);
  EXPECT_EQ(Value(after, on_write) - Value(before, on_write), 3) << after;
  EXPECT_EQ(Value(after, sent) - Value(before, sent), 3) << after;
}

TEST_F(MetricsTest, ADeferredReportWaitsWithoutRereadingTheOutbox) {
  // The county takes one report a child sends and defers the next for about
  // 1,000 s; the township resends it after its longest backoff (0.5 s in
  // tests), to be deferred again.
  ASSERT_EQ(township_.Stop(), 0);
  ASSERT_EQ(county_.Stop(), 0);
  county_.SetExtraConfig(absl::StrCat(
      "metrics_address: \"127.0.0.1:0\"\nmetrics_port_file: \"",
      dir_.Sub("county-metrics-port-2"),
      "\"\nnode_rate_limit { reports_per_second: 0.001 burst: 1 }\n"));
  township_.SetExtraConfig(
      absl::StrCat("metrics_address: \"127.0.0.1:0\"\nmetrics_port_file: \"",
                   dir_.Sub("township-metrics-port-2"), "\"\n"));
  ASSERT_THAT(county_.Start(), IsOk());
  township_.SetParent(kCounty, county_.port());
  ASSERT_THAT(township_.Start(), IsOk());
  const int metrics = ReadPort(dir_.Sub("township-metrics-port-2"));
  ASSERT_GT(metrics, 0);
  SubmitOutcome outcome =
      TestClient(kPki, kDutyOfficer, township_.address())
          .Submit({SampleReport("taken", kTownship, absl::Now()),
                   SampleReport("deferred", kTownship, absl::Now())});
  ASSERT_THAT(outcome.status, IsOk());
  ASSERT_EQ(outcome.receipts(), 2);
  const std::string acknowledged = absl::StrCat(
      "kuaibao_reports_acknowledged_total{upstream=\"", kCounty, "\"}");
  ASSERT_TRUE(Eventually([&] {
    return Value(Scrape(metrics), acknowledged) == 1 &&
           absl::StrContains(township_.Log(), "upstream deferred a report");
  })) << township_.Log();

  // Nothing else is queued: the outbox is read once per resend (3 in
  // 1.5 s), not in a loop while the report waits (479,740 reads in 1.5 s
  // before). Real time passes here on purpose: what is counted is reads
  // per span of time.
  const std::string reads = absl::StrCat(
      "kuaibao_link_outbox_reads_total{upstream=\"", kCounty, "\"}");
  const double reads_before = Value(Scrape(metrics), reads);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::string after = Scrape(metrics);
  EXPECT_LE(Value(after, reads) - reads_before, 6) << after;
  EXPECT_EQ(Value(after, acknowledged), 1) << after;
}

TEST_F(MetricsTest, OnlyGetMetricsIsServedAndBadRequestsDoNotHurt) {
  EXPECT_THAT(
      HttpExchange(township_metrics_, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n"),
      StartsWith("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_THAT(HttpExchange(township_metrics_,
                           "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
              StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_THAT(HttpExchange(township_metrics_, "nonsense\r\n\r\n"),
              StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(HttpExchange(township_metrics_, "GET /metrics HTTP/1.1\r\nX: " +
                                                  std::string(20000, 'a')),
              StartsWith("HTTP/1.1 431 "));
  std::string head = HttpExchange(township_metrics_,
                                  "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, ::testing::EndsWith("\r\n\r\n"));
  // A client that connects and says nothing holds the server for at most
  // its timeout; a scrape after it is answered.
  int idle = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(township_metrics_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      connect(idle, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_THAT(Scrape(township_metrics_), StartsWith("HTTP/1.1 200 OK\r\n"));
  close(idle);
  // The node still serves reports.
  SubmitOutcome outcome =
      TestClient(kPki, kDutyOfficer, township_.address())
          .Submit({SampleReport("after-junk", kTownship, absl::Now())});
  EXPECT_EQ(outcome.receipts(), 1);
}

// A link that exists only for escalation and the direct route (here the
// township's to the province) is idle, not down, while it has nothing to
// carry, in `kuaibao status` and in kuaibao_link_state alike; down once it
// has something to send and cannot reach the province.
TEST(LinkStateTest, AnEscalationOnlyLinkIsIdleUntilItHasSomethingToCarry) {
  TempDir dir;
  // A port that refuses connections: bound, never listening.
  int reserved = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(reserved, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(
      getsockname(reserved, reinterpret_cast<sockaddr*>(&address), &length), 0);
  NodeProcess county(dir.Sub(kCounty), kCounty, kPki);
  NodeProcess township(dir.Sub(kTownship), kTownship, kPki);
  ASSERT_THAT(county.Start(), IsOk());
  township.SetParent(kCounty, county.port());
  township.SetExtraConfig(absl::StrCat(
      "ancestors { region: \"", kProvince, "\" address: \"127.0.0.1:",
      ntohs(address.sin_port), "\" }\nmetrics_address: \"127.0.0.1:0\"\n",
      "metrics_port_file: \"", dir.Sub("metrics-port"), "\"\n"));
  ASSERT_THAT(township.Start(), IsOk());
  const int metrics = ReadPort(dir.Sub("metrics-port"));
  TestClient officer(kPki, kDutyOfficer, township.address());
  const std::string province_link =
      absl::StrCat("kuaibao_link_state{upstream=\"", kProvince, "\",state=");
  auto condition = [&]() {
    absl::StatusOr<v1::GetStatusResponse> status = officer.Status();
    if (!status.ok()) return v1::LINK_CONDITION_UNSPECIFIED;
    for (const v1::LinkStatus& link : status->links()) {
      if (link.upstream() == kProvince) return link.condition();
    }
    return v1::LINK_CONDITION_UNSPECIFIED;
  };

  // Routine reports go to the county only: the province's link stays idle.
  SubmitOutcome outcome =
      officer.Submit({SampleReport("routine-1", kTownship, absl::Now()),
                      SampleReport("routine-2", kTownship, absl::Now())});
  ASSERT_EQ(outcome.receipts(), 2);
  ASSERT_THAT(TestClient(kPki, kProvinceOfficer, county.address())
                  .WaitFor("routine-2", kPatience),
              IsOk());
  EXPECT_EQ(condition(), v1::LINK_CONDITION_IDLE);
  std::string scrape = Scrape(metrics);
  EXPECT_EQ(Value(scrape, province_link + "\"idle\"}"), 1) << scrape;
  EXPECT_EQ(Value(scrape, province_link + "\"down\"}"), 0) << scrape;

  // A grade I report must also go straight to the province, which is away.
  IncidentReport urgent = SampleReport("urgent-1", kTownship, absl::Now());
  urgent.set_grade(GRADE_I);
  ASSERT_EQ(officer.Submit({urgent}).receipts(), 1);
  EXPECT_TRUE(Eventually([&] {
    scrape = Scrape(metrics);
    return Value(scrape, province_link + "\"down\"}") == 1;
  })) << scrape;
  EXPECT_EQ(Value(scrape, province_link + "\"idle\"}"), 0) << scrape;
  EXPECT_EQ(condition(), v1::LINK_CONDITION_DOWN);
  close(reserved);
}

TEST_F(MetricsTest, ANodeWhoseMetricsPortIsTakenRefusesToStart) {
  NodeProcess other(dir_.Sub("other"), kProvince, kPki);
  other.SetExtraConfig(
      absl::StrCat("metrics_address: \"127.0.0.1:", township_metrics_, "\"\n"));
  EXPECT_FALSE(other.Start().ok());
  EXPECT_THAT(other.Log(),
              HasSubstr(absl::StrCat("cannot serve metrics on 127.0.0.1:",
                                     township_metrics_)));
  EXPECT_THAT(Scrape(township_metrics_), StartsWith("HTTP/1.1 200 OK\r\n"));
}

}  // namespace
}  // namespace kuaibao::testing
