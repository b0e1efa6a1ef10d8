// kuaibao-bench: the benchmark driver. Runs the standard set against real
// kuaibao-node processes over mTLS on 127.0.0.1, beside the physical limits
// measured in the same run, prints a table and writes bench-results.json.
// tests/bench/run-bench.sh builds and runs it; tests/bench/README.md
// explains every figure.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/province_tree.h"
#include "tests/bench/scenarios.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(std::string, out, "bench-results.json", "where to write the JSON");
ABSL_FLAG(std::string, scenarios,
          "latency,throughput,backlog,fanin,watchers,signing",
          "which scenarios to run, comma-separated (the baselines always "
          "run; backlog includes the restart)");
ABSL_FLAG(std::string, work_dir, "",
          "keep node data, logs and certificates here (default: a temporary "
          "directory, removed afterwards)");
ABSL_FLAG(std::string, check_json, "",
          "only check that this results file is valid, then exit");
ABSL_FLAG(int, report_bytes, 1024, "serialized size of each report");
ABSL_FLAG(bool, default_rate_limits, false,
          "run the nodes with their default per-peer rate limits (100/s per "
          "client certificate, 1000/s per child node) instead of lifting "
          "them");
ABSL_FLAG(int, rtt_samples, 5000, "mTLS round trips for the baseline");
ABSL_FLAG(int, limit_samples, 1000, "samples of the 4-hop limit");
ABSL_FLAG(int, sync_samples, 1000, "LevelDB synced writes for the baseline");
ABSL_FLAG(int, stream_messages, 50000, "messages for the mTLS stream rate");
ABSL_FLAG(int, latency_reports, 2000, "reports sent one at a time");
ABSL_FLAG(int, latency_gap_ms, 20, "pause after each receipt (latency)");
ABSL_FLAG(int, throughput_streams, 200, "township streams (throughput)");
ABSL_FLAG(int, throughput_reports, 20000, "reports (throughput)");
ABSL_FLAG(int, backlog, 100000,
          "reports queued at the county (backlog and restart)");
ABSL_FLAG(int, fanin_counties, 117, "county nodes in the fan-in tree");
ABSL_FLAG(int, idle_seconds, 10, "idle window for memory and idle CPU");
ABSL_FLAG(int, disaster_events, 600,
          "events in the fan-in's disaster load (each a brief, an initial, "
          "follow-ups and a final report)");
ABSL_FLAG(int, disaster_follow_ups, 2, "follow-ups per event");
ABSL_FLAG(int, disaster_seconds, 60, "length of the disaster load");

namespace kuaibao::bench {
namespace {

// Everything a run needs: nodes of both topologies and the clients.
std::vector<std::string> CertificateSpecs(const RegionTable& regions,
                                          size_t fanin_counties) {
  std::vector<std::string> specs = {
      absl::StrCat("node:", kCity),     absl::StrCat("node:", kCounty),
      absl::StrCat("node:", kTownship), "client:140000000000:bench",
      "client:140105000000:bench",      "client:140105001000:bench",
  };
  for (std::string& spec : TreeCertificateSpecs(regions, fanin_counties)) {
    if (std::find(specs.begin(), specs.end(), spec) == specs.end()) {
      specs.push_back(std::move(spec));
    }
  }
  return specs;
}

BenchSettings SettingsFromFlags(BenchReport* report) {
  BenchSettings s;
  auto count = [&](const char* name, const absl::Flag<int>& flag) {
    int value = std::max(0, absl::GetFlag(flag));
    report->SetSetting(name, absl::StrCat(value));
    return static_cast<size_t>(value);
  };
  s.report_bytes = count("report_bytes", FLAGS_report_bytes);
  s.rtt_samples = count("rtt_samples", FLAGS_rtt_samples);
  s.limit_samples = count("limit_samples", FLAGS_limit_samples);
  s.sync_samples = count("sync_samples", FLAGS_sync_samples);
  s.stream_messages = count("stream_messages", FLAGS_stream_messages);
  s.latency_reports = count("latency_reports", FLAGS_latency_reports);
  s.latency_gap =
      absl::Milliseconds(count("latency_gap_ms", FLAGS_latency_gap_ms));
  s.throughput_streams = count("throughput_streams", FLAGS_throughput_streams);
  s.throughput_reports = count("throughput_reports", FLAGS_throughput_reports);
  s.backlog = count("backlog", FLAGS_backlog);
  s.fanin_counties = count("fanin_counties", FLAGS_fanin_counties);
  s.idle_time = absl::Seconds(count("idle_seconds", FLAGS_idle_seconds));
  s.disaster_events = count("disaster_events", FLAGS_disaster_events);
  s.disaster_follow_ups =
      static_cast<int>(count("disaster_follow_ups", FLAGS_disaster_follow_ups));
  s.disaster_time =
      absl::Seconds(count("disaster_seconds", FLAGS_disaster_seconds));
  s.default_rate_limits = absl::GetFlag(FLAGS_default_rate_limits);
  report->SetSetting("default_rate_limits",
                     s.default_rate_limits ? "true" : "false");
  report->SetSetting("window", absl::StrCat(s.window));
  return s;
}

int Run() {
  RaiseFileLimit();
  BenchReport report;
  BenchContext ctx;
  ctx.report = &report;
  ctx.settings = SettingsFromFlags(&report);
  std::set<std::string> chosen =
      absl::StrSplit(absl::GetFlag(FLAGS_scenarios), ',', absl::SkipEmpty());
  report.SetSetting("scenarios", absl::StrJoin(chosen, ","));

  testing::TempDir temp;
  ctx.work_dir = absl::GetFlag(FLAGS_work_dir).empty()
                     ? temp.path()
                     : absl::GetFlag(FLAGS_work_dir);
  ctx.pki_dir = ctx.Dir("pki");
  absl::StatusOr<RegionTable> regions = RegionTable::Load(
      absl::StrCat(KUAIBAO_SOURCE_DIR, "/deploy/regions/shanxi-2022.csv"));
  if (!regions.ok()) {
    std::cerr << "kuaibao-bench: " << regions.status() << "\n";
    return 1;
  }
  ctx.regions = *std::move(regions);
  absl::Time certs_start = absl::Now();
  absl::Status certs = MakeCertificates(
      ctx.pki_dir, CertificateSpecs(ctx.regions, ctx.settings.fanin_counties));
  if (!certs.ok()) {
    std::cerr << "kuaibao-bench: " << certs << "\n";
    return 1;
  }
  report.AddDetail("setup.certificates", "s",
                   absl::ToDoubleSeconds(absl::Now() - certs_start),
                   "making every certificate (EC P-256)");
  report.AddNote(
      "Every node runs on this machine: times on different nodes come from "
      "the same clock, so comparing them across nodes is exact here (not in "
      "a real deployment).");
  report.AddNote(
      "Nodes are configured as deploy/sample's: parent and ancestors (grade "
      "I/II reports from clients also go straight to the province), CRLs "
      "checked. Their per-peer rate limits are lifted unless "
      "--default_rate_limits: the defaults (100/s per client certificate, "
      "1000/s per child node) would otherwise be what is measured.");
  report.AddNote(
      "\"Province has it durably\" is when the node that handed the report "
      "to the province recorded its receipt (that hand-off's acked_at; the "
      "first of the city and, on the direct route, the node that took it "
      "in): the province's synced write plus the receipt's trip back; the "
      "limit counts whole round trips too.");

  struct Scenario {
    const char* name;
    absl::Status (*run)(BenchContext*);
  };
  const Scenario scenarios[] = {
      {"baselines", RunBaselines},   {"latency", RunLatency},
      {"throughput", RunThroughput}, {"backlog", RunBacklogAndRestart},
      {"fanin", RunFanIn},           {"watchers", RunWatchers},
      {"signing", RunSigning}};
  int exit_code = 0;
  for (const Scenario& scenario : scenarios) {
    if (scenario.run != RunBaselines && !chosen.count(scenario.name)) continue;
    std::cerr << "kuaibao-bench: " << scenario.name << "...\n";
    absl::Time started = absl::Now();
    absl::Status status = scenario.run(&ctx);
    report.AddDetail(absl::StrCat(scenario.name, ".wall_time"), "s",
                     absl::ToDoubleSeconds(absl::Now() - started),
                     "how long the scenario took");
    if (!status.ok()) {
      std::cerr << "kuaibao-bench: " << scenario.name << " failed: " << status
                << "\n";
      report.AddNote(
          absl::StrCat(scenario.name, " FAILED: ", status.ToString()));
      exit_code = 1;
      if (scenario.run == RunBaselines) break;
    }
  }
  ctx.echo_client.reset();  // its stream ends before the server does
  ctx.echo.reset();
  report.Finish();
  std::cout << report.Table();
  const std::string out = absl::GetFlag(FLAGS_out);
  absl::Status written = report.WriteJson(out);
  if (!written.ok()) {
    std::cerr << "kuaibao-bench: " << written << "\n";
    return 1;
  }
  std::cout << "\nwrote " << out << "\n";
  return exit_code;
}

}  // namespace
}  // namespace kuaibao::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "kuaibao-bench [--scenarios=...] [sizes...] [--out=FILE]\n"
      "The Kuaibao benchmarks; see tests/bench/README.md. "
      "tests/bench/run-bench.sh builds and runs them.");
  absl::ParseCommandLine(argc, argv);
  const std::string check = absl::GetFlag(FLAGS_check_json);
  if (!check.empty()) {
    absl::Status valid = kuaibao::bench::BenchReport::CheckJson(check);
    std::cout << (valid.ok() ? "valid: " + check : valid.ToString()) << "\n";
    return valid.ok() ? 0 : 1;
  }
  return kuaibao::bench::Run();
}
