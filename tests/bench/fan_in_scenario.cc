// Fan-in at scale: the province's whole tree as real processes, every
// township's stream from a load generator, a disaster's worth of reports.
#include <algorithm>
#include <map>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "relay/base/status_macros.h"
#include "relay/proto_time.h"
#include "tests/bench/latency_parts.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/process_sample.h"
#include "tests/bench/province_tree.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/submit_stream.h"

namespace kuaibao::bench {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(120);
// Reports a township's stream may have awaiting receipts.
constexpr size_t kStreamWindow = 16;

struct Scheduled {
  absl::Duration at;  // after the load starts
  size_t township;
  IncidentReport report;
};

// What the kernel said about each node at the window's ends.
struct NodeSamples {
  ProcessSample idle_start, idle_end, load_start, load_end;
};

absl::Status Sample(const std::vector<TreeNode>& nodes,
                    std::vector<NodeSamples>& samples,
                    ProcessSample NodeSamples::*field) {
  samples.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    ASSIGN_OR_RETURN(samples[i].*field, SampleProcess(nodes[i].process->pid()));
  }
  return absl::OkStatus();
}

struct LevelStats {
  double max = 0, sum = 0;
  size_t count = 0;
  void Add(double x) {
    max = std::max(max, x);
    sum += x;
    ++count;
  }
  double mean() const { return count > 0 ? sum / count : 0; }
};

}  // namespace

absl::Status RunFanIn(BenchContext* ctx) {
  const BenchSettings& s = ctx->settings;
  BenchReport* report = ctx->report;

  ProvinceTree tree;
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(tree.Start(*ctx, "fanin", s.fanin_counties));
  std::vector<TreeNode>& nodes = tree.nodes();
  report->AddDetail("fanin.start_time", "s",
                    absl::ToDoubleSeconds(absl::Now() - start),
                    absl::StrCat(nodes.size(), " nodes launched and serving"));

  // Every township's stream, each on its own connection to its county, and
  // a roll call (a test report each) so that all are connected.
  ReportGenerator generator(5, s.report_bytes);
  ASSIGN_OR_RETURN(
      std::vector<Township> townships,
      tree.OpenTownshipStreams(*ctx, generator, kStreamWindow,
                               absl::Seconds(30) + s.disaster_time + kPatience,
                               kPatience));
  report->AddDetail("fanin.streams", "streams", townships.size(),
                    "township streams from the load generator, one "
                    "connection each");

  // Idle: everything connected, nothing to do.
  std::vector<NodeSamples> samples;
  absl::SleepFor(absl::Seconds(3));
  RETURN_IF_ERROR(Sample(nodes, samples, &NodeSamples::idle_start));
  ASSIGN_OR_RETURN(ProcessSample echo_start, SampleProcess(ctx->echo->pid()));
  const absl::Time idle_start = absl::Now();
  absl::SleepFor(s.idle_time);
  RETURN_IF_ERROR(Sample(nodes, samples, &NodeSamples::idle_end));
  ASSIGN_OR_RETURN(ProcessSample echo_end, SampleProcess(ctx->echo->pid()));
  const double idle_seconds = absl::ToDoubleSeconds(absl::Now() - idle_start);
  report->AddBaseline("echo.rss", "MiB", echo_end.rss_mib,
                      "a bare gRPC mTLS server process (kuaibao-bench-echo)");
  report->AddDetail("echo.rss_anon", "MiB", echo_end.rss_anon_mib,
                    "of which private (RssAnon)");
  report->AddBaseline(
      "echo.idle_cpu", "% core",
      100 * (echo_end.cpu_seconds - echo_start.cpu_seconds) / idle_seconds,
      "its CPU over the same idle window");

  // The disaster: events across the province, each a brief report, an
  // initial report, follow-ups and a final report, spread over the window.
  std::mt19937_64 rng(6);
  std::vector<Scheduled> schedule;
  std::map<std::string, size_t> township_of;  // report id → township
  const absl::Duration half = s.disaster_time / 2;
  for (size_t e = 0; e < s.disaster_events; ++e) {
    size_t t = rng() % townships.size();
    const Region& where = *townships[t].region;
    absl::Duration begin = half * (static_cast<double>(rng() % 10000) / 10000);
    std::vector<IncidentReport> event =
        generator.Event(absl::StrFormat("eq-%05d", e), where.code, where.name,
                        absl::Now(), s.disaster_follow_ups, GRADE_UNSPECIFIED);
    for (size_t k = 0; k < event.size(); ++k) {
      absl::Duration at =
          begin + half * (static_cast<double>(k) /
                          std::max<size_t>(1, event.size() - 1));
      township_of[event[k].report_id()] = t;
      schedule.push_back(Scheduled{at, t, std::move(event[k])});
    }
  }
  std::sort(schedule.begin(), schedule.end(),
            [](const Scheduled& a, const Scheduled& b) { return a.at < b.at; });

  RETURN_IF_ERROR(Sample(nodes, samples, &NodeSamples::load_start));
  const absl::Time load_start = absl::Now();
  for (Scheduled& item : schedule) {
    absl::SleepFor(load_start + item.at - absl::Now());
    *item.report.mutable_authored_at() = ToProto(absl::Now());
    townships[item.township].stream->Send(std::move(item.report));
  }
  for (Township& t : townships) t.stream->Close();
  std::map<std::string, Submission> sent;
  for (Township& t : townships) {
    RETURN_IF_ERROR(t.stream->Wait());
    for (const Submission& sub : t.stream->submissions()) {
      if (absl::StartsWith(sub.report_id, "eq-")) sent[sub.report_id] = sub;
    }
  }
  if (sent.size() != schedule.size()) {
    return absl::UnavailableError(absl::StrCat("fan-in: ", sent.size(), " of ",
                                               schedule.size(), " answered"));
  }

  // Every report at the province, then its time there from its city.
  ASSIGN_OR_RETURN(
      std::vector<absl::Time> arrivals,
      ArrivalTimes(*ctx, *nodes[0].process, "eq-", sent.size(), kPatience));
  const size_t arrived = arrivals.size();
  RETURN_IF_ERROR(Sample(nodes, samples, &NodeSamples::load_end));
  if (arrived != sent.size()) {
    return absl::DataLossError(absl::StrCat("fan-in: ", arrived, " of ",
                                            sent.size(), " at the province"));
  }
  // Each report's trip: when its city recorded the province's receipt, or
  // its county did, for a grade I/II report that also went straight to the
  // province, if that came first. The parts follow the path through the
  // city.
  std::map<std::string, testing::TestClient> readers;
  auto reader = [&](const std::string& region) -> testing::TestClient& {
    auto it = readers.find(region);
    if (it == readers.end()) {
      it = readers.emplace(region, Reader(*ctx, *tree.Node(region))).first;
    }
    return it->second;
  };
  Samples durable, receipt;
  LatencyParts parts;
  for (const auto& [id, t] : township_of) {
    testing::TestClient& at_city = reader(townships[t].county->parent);
    testing::TestClient& at_county = reader(townships[t].county->code);
    std::optional<absl::Time> at =
        EarliestReceipt({&at_city, &at_county}, id, kProvince);
    if (!at) continue;
    durable.Add(*at - sent[id].sent);
    absl::StatusOr<v1::GetReportResponse> chain = at_city.Get(id);
    std::optional<absl::Time> via_city =
        chain.ok() ? ReceiptRecordedAt(chain->report(), kProvince)
                   : std::nullopt;
    if (via_city) parts.Add(chain->report(), sent[id].sent, *via_city);
  }
  for (const auto& [id, sub] : sent) receipt.Add(sub.answered - sub.sent);
  if (durable.size() != sent.size()) {
    return absl::DataLossError(absl::StrCat("fan-in: ", durable.size(), " of ",
                                            sent.size(),
                                            " timelines complete"));
  }
  report->AddPercentileFigures("fanin.province_durable", "fanin",
                               "disaster load: province has it", durable,
                               "limit.hops3");
  parts.Report("fanin", report);
  report->AddPercentileFigures("fanin.receipt", "fanin",
                               "disaster load: client's receipt", receipt,
                               "limit.hops1");

  // Memory and idle CPU, by level.
  std::map<std::string, LevelStats> rss_idle, rss_anon_idle, rss_loaded,
      idle_cpu;
  double idle_total = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const TreeNode& node = nodes[i];
    const NodeSamples& ns = samples[i];
    std::string level(LevelName(node.region->level));
    NodeSample sample;
    sample.set_region(node.region->code);
    sample.set_level(level);
    sample.set_rss_idle_mib(ns.idle_end.rss_mib);
    sample.set_rss_loaded_mib(ns.load_end.rss_mib);
    sample.set_rss_anon_idle_mib(ns.idle_end.rss_anon_mib);
    sample.set_idle_cpu_percent(
        100 * (ns.idle_end.cpu_seconds - ns.idle_start.cpu_seconds) /
        idle_seconds);
    sample.set_load_cpu_s(ns.load_end.cpu_seconds - ns.load_start.cpu_seconds);
    report->AddNode(sample);
    rss_idle[level].Add(sample.rss_idle_mib());
    rss_anon_idle[level].Add(sample.rss_anon_idle_mib());
    rss_loaded[level].Add(sample.rss_loaded_mib());
    idle_cpu[level].Add(sample.idle_cpu_percent());
    idle_total += sample.idle_cpu_percent();
  }
  for (const auto& [level, stats] : rss_idle) {
    for (auto [what, value] : {std::pair<const char*, double>{"max", stats.max},
                               {"mean", stats.mean()}}) {
      if (stats.count == 1 && what == std::string("mean")) continue;
      FigureSpec f =
          MakeFigure(absl::StrCat("fanin.rss_idle.", level, ".", what), "fanin",
                     absl::StrCat("idle RSS, ", level, " nodes, ", what), "MiB",
                     value, "echo.rss");
      f.target_of = "value";
      f.target_op = "<";
      f.target = 30;
      report->AddFigure(f);
    }
    report->AddDetail(
        absl::StrCat("fanin.rss_anon_idle.", level, ".mean"), "MiB",
        rss_anon_idle[level].mean(),
        absl::StrCat("of which private (RssAnon), ", level,
                     " nodes; the rest is shared library and file pages"));
    report->AddFigure(
        MakeFigure(absl::StrCat("fanin.rss_loaded.", level, ".max"), "fanin",
                   absl::StrCat("RSS after the load, ", level, ", max"), "MiB",
                   rss_loaded[level].max, "echo.rss"));
    report->AddFigure(
        MakeFigure(absl::StrCat("fanin.idle_cpu.", level, ".mean"), "fanin",
                   absl::StrCat("idle CPU, ", level, " nodes, mean"), "% core",
                   idle_cpu[level].mean(), "echo.idle_cpu"));
  }
  report->AddDetail(
      "fanin.idle_cpu_total", "% core", idle_total,
      absl::StrCat("all ", nodes.size(), " nodes together, idle"));
  report->AddDetail("fanin.reports", "reports", sent.size(),
                    absl::StrCat(s.disaster_events, " events over ",
                                 absl::FormatDuration(s.disaster_time)));
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
