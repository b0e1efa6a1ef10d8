#ifndef KUAIBAO_TESTS_BENCH_NODE_CHAIN_H_
#define KUAIBAO_TESTS_BENCH_NODE_CHAIN_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "relay/report_types.h"
#include "tests/bench/bench_context.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_client.h"

namespace kuaibao::bench {

// The chain the scenarios measure: 山西省 → 太原市 → 小店区 → 坞城街道.
inline constexpr char kProvince[] = "140000000000";
inline constexpr char kCity[] = "140100000000";
inline constexpr char kCounty[] = "140105000000";
inline constexpr char kTownship[] = "140105001000";

// Client certificates the scenarios use ("client-<region>-<name>").
inline constexpr char kReaderCert[] = "client-140000000000-bench";
inline constexpr char kTownshipCert[] = "client-140105001000-bench";
inline constexpr char kCountyCert[] = "client-140105000000-bench";
// A county's load generator: "client-<county>-loadgen".
std::string LoadgenCert(const std::string& county);

using Nodes = std::vector<std::unique_ptr<testing::NodeProcess>>;

// A node process for `region` under `ctx.work_dir/<name>`, not started,
// configured as SetAncestors(ctx, node, {}) says.
std::unique_ptr<testing::NodeProcess> MakeNode(const BenchContext& ctx,
                                               const std::string& name,
                                               const std::string& region);

// The configuration a bench node has beyond NodeProcess's own: its
// `ancestors` (the levels above its parent, nearest first, ending with the
// province, as deploy/sample has them: grade I/II reports from clients also
// go straight to the province) and, unless --default_rate_limits, the
// per-peer rate limits lifted, so that capacity is measured rather than the
// limiter. An ancestor that runs a standby has its address in `standbys`
// (by region). REQUIRES: the ancestors serve (their ports are known).
void SetAncestors(const BenchContext& ctx, testing::NodeProcess* node,
                  const std::vector<const testing::NodeProcess*>& ancestors,
                  const std::map<std::string, std::string>& standbys = {});

// Starts real nodes for `regions` (top-down, each the parent of the next,
// the ones above that its ancestors) under `ctx.work_dir/<name>/`.
absl::StatusOr<Nodes> StartChain(const BenchContext& ctx,
                                 const std::string& name,
                                 const std::vector<std::string>& regions);

// A reader for `node`: the province's client certificate sees every report.
testing::TestClient Reader(const BenchContext& ctx,
                           const testing::NodeProcess& node);

// When the node whose timeline this is durably had `to`'s receipt for the
// report: the acknowledgement time of its own hop's hand-off to `to`
// (nullopt while outstanding). For the province's child this is the moment
// the province provably had the report on disk, plus the receipt's trip.
std::optional<absl::Time> ReceiptRecordedAt(const StoredReport& timeline,
                                            const std::string& to);

// The earliest time any of `holders` (readers of the nodes that may hand
// the report to `to`: its parent's child, and where a direct route exists,
// the node that took it in) recorded `to`'s receipt for it; nullopt when
// none has yet.
std::optional<absl::Time> EarliestReceipt(
    const std::vector<testing::TestClient*>& holders,
    const std::string& report_id, const std::string& to);

// Polls EarliestReceipt every `every` until one of `holders` has it;
// DEADLINE_EXCEEDED after `timeout`.
absl::StatusOr<absl::Time> AwaitReceiptRecorded(
    const std::vector<testing::TestClient*>& holders,
    const std::string& report_id, const std::string& to, absl::Duration timeout,
    absl::Duration every = absl::Milliseconds(2));

// Polls `reader` every `every` until it has `report_id`, for at most
// `timeout`; whether it came.
bool WaitForReport(testing::TestClient& reader, const std::string& report_id,
                   absl::Duration timeout,
                   absl::Duration every = absl::Milliseconds(100));

// The time node's own hop (the last) stored the report.
absl::Time StoredAt(const StoredReport& stored);

// When `node` stored each report whose id starts with `prefix`: scans it
// until `expected` of them are there, for at most `timeout` (the last
// scan's findings then, however many).
absl::StatusOr<std::vector<absl::Time>> ArrivalTimes(
    const BenchContext& ctx, const testing::NodeProcess& node,
    const std::string& prefix, size_t expected, absl::Duration timeout);

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_NODE_CHAIN_H_
