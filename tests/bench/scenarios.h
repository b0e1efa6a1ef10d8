#ifndef KUAIBAO_TESTS_BENCH_SCENARIOS_H_
#define KUAIBAO_TESTS_BENCH_SCENARIOS_H_

// The benchmark's scenarios. Each starts the node processes it needs (real
// kuaibao-node processes over mTLS on 127.0.0.1), measures, adds its
// figures to ctx->report beside baselines from the same run, and stops
// them. RunBaselines comes first: the others compare with what it measured.

#include <vector>

#include "absl/status/status.h"
#include "tests/bench/bench_context.h"
#include "tests/bench/samples.h"

namespace kuaibao::bench {

// The physical limits: mTLS round trip and stream rate against
// kuaibao-bench-echo, LevelDB synced writes (single and batched), and the
// N-hop limit (N round trips, each followed by a synced write). Leaves the
// echo server running in ctx->echo.
absl::Status RunBaselines(BenchContext* ctx);

// One sample of the N-hop limit for every N in 1..4 (added to limit[N]):
// N mTLS round trips, each followed by one synced write, back to back.
// REQUIRES: RunBaselines succeeded.
absl::Status SampleLimit(BenchContext* ctx, std::vector<Samples>* limit);

// One report at a time at the township of a 4-level chain: the client's
// receipt and the province's durable copy, p50/p99/max.
absl::Status RunLatency(BenchContext* ctx);

// Hundreds of streams at the township, as fast as receipts allow: reports/s
// at the province, CPU per report per node.
absl::Status RunThroughput(BenchContext* ctx);

// A county with a backlog queued while its city was down: drain time once
// the city returns, and how fast a grade I report overtakes the backlog.
// Then the restart of that county holding every report: time to serving
// and to forwarding, beside an empty node's.
absl::Status RunBacklogAndRestart(BenchContext* ctx);

// The province's whole tree (1 + 11 + 117 nodes) with every township's
// stream from a load generator: memory and idle CPU per node, latency under
// a disaster's load.
absl::Status RunFanIn(BenchContext* ctx);

// Throughput through the 4-level chain with and without 20 watchers at the
// province that never read, and the province's memory.
absl::Status RunWatchers(BenchContext* ctx);

// Receipt signing CPU per report under a burst: one signature per receipt
// (the baseline, as nodes signed before) against one per synced write.
absl::Status RunSigning(BenchContext* ctx);

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_SCENARIOS_H_
