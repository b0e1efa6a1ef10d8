#ifndef KUAIBAO_TESTS_BENCH_BENCH_CONTEXT_H_
#define KUAIBAO_TESTS_BENCH_BENCH_CONTEXT_H_

#include <memory>
#include <string>
#include <vector>

#include "relay/region.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/echo_client.h"
#include "tests/bench/samples.h"
#include "tests/bench/synced_db.h"
#include "tests/integration/node_process.h"

namespace kuaibao::bench {

// The sizes of one run (the command-line flags).
struct BenchSettings {
  size_t report_bytes = 1024;
  // Run the nodes with their default per-peer rate limits instead of
  // lifting them.
  bool default_rate_limits = false;
  // Appended to every node's configuration (text format), e.g. a drill's
  // `deadlines { time_scale: ... }`.
  std::string node_config;
  // Baselines.
  size_t rtt_samples = 5000;
  size_t limit_samples = 1000;
  size_t sync_samples = 1000;
  size_t stream_messages = 50000;
  size_t window = 64;  // a node's max_in_flight; also the batch size
  // Latency.
  size_t latency_reports = 2000;
  absl::Duration latency_gap = absl::Milliseconds(20);
  // Throughput.
  size_t throughput_streams = 200;
  size_t throughput_reports = 20000;
  // Backlog and restart.
  size_t backlog = 100000;
  // Fan-in.
  size_t fanin_counties = 117;
  absl::Duration idle_time = absl::Seconds(10);
  size_t disaster_events = 600;
  int disaster_follow_ups = 2;
  absl::Duration disaster_time = absl::Seconds(60);
};

// What the scenarios share: settings, where to work, the PKI, the region
// table, the running baseline server, and the report they add to.
struct BenchContext {
  BenchSettings settings;
  std::string work_dir;
  std::string pki_dir;
  RegionTable regions;
  BenchReport* report = nullptr;
  // kuaibao-bench-echo, running for the whole run, a client of it and a
  // LevelDB database: what the limit is measured with (SampleLimit).
  std::unique_ptr<testing::NodeProcess> echo;
  std::unique_ptr<EchoClient> echo_client;
  std::unique_ptr<SyncedDb> limit_db;
  // A report as a node stores it: the size of every baseline's write.
  std::string stored_report;

  std::string Dir(const std::string& name) const {
    return work_dir + "/" + name;
  }
  // Name of a place, for report texts.
  std::string PlaceName(const std::string& code) const {
    const Region* r = regions.Find(code);
    return r != nullptr ? r->name : code;
  }
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_BENCH_CONTEXT_H_
