#include "tests/bench/node_chain.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "relay/proto_time.h"

namespace kuaibao::bench {

std::string LoadgenCert(const std::string& county) {
  return absl::StrCat("client-", county, "-loadgen");
}

std::unique_ptr<testing::NodeProcess> MakeNode(const BenchContext& ctx,
                                               const std::string& name,
                                               const std::string& region) {
  auto node = std::make_unique<testing::NodeProcess>(ctx.Dir(name), region,
                                                     ctx.pki_dir);
  SetAncestors(ctx, node.get(), {});
  return node;
}

void SetAncestors(const BenchContext& ctx, testing::NodeProcess* node,
                  const std::vector<const testing::NodeProcess*>& ancestors,
                  const std::map<std::string, std::string>& standbys) {
  std::string text;
  for (const testing::NodeProcess* a : ancestors) {
    absl::StrAppend(&text, "ancestors { region: \"", a->region(),
                    "\" address: \"", a->address(), "\"");
    auto standby = standbys.find(a->region());
    if (standby != standbys.end()) {
      absl::StrAppend(&text, " standby_address: \"", standby->second, "\"");
    }
    absl::StrAppend(&text, " }\n");
  }
  if (!ctx.settings.default_rate_limits) {
    for (const char* limit : {"client_rate_limit", "node_rate_limit"}) {
      absl::StrAppend(&text, limit,
                      " { reports_per_second: 1e9 burst: 1000000000 }\n");
    }
  }
  node->SetExtraConfig(text + ctx.settings.node_config);
}

absl::StatusOr<Nodes> StartChain(const BenchContext& ctx,
                                 const std::string& name,
                                 const std::vector<std::string>& regions) {
  Nodes nodes;
  for (const std::string& region : regions) {
    auto node = MakeNode(ctx, absl::StrCat(name, "/", region), region);
    if (!nodes.empty()) {
      node->SetParent(nodes.back()->region(), nodes.back()->port());
      std::vector<const testing::NodeProcess*> ancestors;
      for (size_t i = nodes.size() - 1; i-- > 0;) {
        ancestors.push_back(nodes[i].get());
      }
      SetAncestors(ctx, node.get(), ancestors);
    }
    absl::Status started = node->Start();
    if (!started.ok()) return started;
    nodes.push_back(std::move(node));
  }
  return nodes;
}

testing::TestClient Reader(const BenchContext& ctx,
                           const testing::NodeProcess& node) {
  return testing::TestClient(ctx.pki_dir, kReaderCert, node.address());
}

std::optional<absl::Time> ReceiptRecordedAt(const StoredReport& timeline,
                                            const std::string& to) {
  if (timeline.hops().empty()) return std::nullopt;
  for (const Forwarding& f : timeline.hops().rbegin()->forwarded()) {
    if (f.to() == to && IsSet(f.acked_at())) return FromProto(f.acked_at());
  }
  return std::nullopt;
}

std::optional<absl::Time> EarliestReceipt(
    const std::vector<testing::TestClient*>& holders,
    const std::string& report_id, const std::string& to) {
  std::optional<absl::Time> earliest;
  for (testing::TestClient* holder : holders) {
    absl::StatusOr<v1::GetReportResponse> got = holder->Get(report_id);
    if (!got.ok()) continue;
    std::optional<absl::Time> at = ReceiptRecordedAt(got->report(), to);
    if (at && (!earliest || *at < *earliest)) earliest = at;
  }
  return earliest;
}

absl::StatusOr<absl::Time> AwaitReceiptRecorded(
    const std::vector<testing::TestClient*>& holders,
    const std::string& report_id, const std::string& to, absl::Duration timeout,
    absl::Duration every) {
  const absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    std::optional<absl::Time> at = EarliestReceipt(holders, report_id, to);
    if (at) return *at;
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat(report_id, ": no receipt from ", to, " recorded"));
    }
    absl::SleepFor(every);
  }
}

bool WaitForReport(testing::TestClient& reader, const std::string& report_id,
                   absl::Duration timeout, absl::Duration every) {
  absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    if (reader.Get(report_id).ok()) return true;
    if (absl::Now() > give_up) return false;
    absl::SleepFor(every);
  }
}

absl::Time StoredAt(const StoredReport& stored) {
  if (stored.hops().empty()) return absl::InfinitePast();
  return FromProto(stored.hops().rbegin()->stored_at());
}

absl::StatusOr<std::vector<absl::Time>> ArrivalTimes(
    const BenchContext& ctx, const testing::NodeProcess& node,
    const std::string& prefix, size_t expected, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  std::vector<absl::Time> arrivals;
  for (;;) {
    arrivals.clear();
    absl::Status scanned =
        Reader(ctx, node).ForEachReport([&](const StoredReport& r) {
          if (absl::StartsWith(r.report().report_id(), prefix)) {
            arrivals.push_back(StoredAt(r));
          }
        });
    if (!scanned.ok()) return scanned;
    if (arrivals.size() >= expected || absl::Now() > give_up) return arrivals;
    absl::SleepFor(absl::Milliseconds(500));
  }
}

}  // namespace kuaibao::bench
