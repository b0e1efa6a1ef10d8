// Backlog drain and restart: a county holding a backlog queued while its
// city was down; then the same county restarted holding every report.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "relay/base/clock.h"
#include "relay/base/status_macros.h"
#include "relay/identity.h"
#include "relay/relay_engine.h"
#include "relay/store/report_store.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/process_sample.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/samples.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/submit_stream.h"
#include "tests/bench/synced_db.h"

namespace kuaibao::bench {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(60);
constexpr int kDrainHops = 2;  // county → city → province
// Grade I reports sent during the drain, one at a time.
constexpr int kUrgent = 5;
// How long a restarted node may take to read its deadline window (a chunk
// of RelayEngine's catch-up per clock tick of at most a second).
constexpr absl::Duration kCatchUpPatience = absl::Seconds(180);

std::string BacklogId(size_t i) { return absl::StrFormat("bl-%07d", i); }

// Fills `data_dir` with `n` reports from the county's duty officers, queued
// for the city, through the node's own engine and store in this process:
// the state a county is in after `n` reports came in while its city was
// away, reached without n gRPC calls.
absl::Status SeedBacklog(const BenchContext& ctx, const std::string& data_dir,
                         size_t n) {
  ASSIGN_OR_RETURN(std::unique_ptr<ReportStore> store,
                   ReportStore::Open(data_dir, {}));
  RelayOptions options;
  options.region = kCounty;
  options.parent = kCity;
  ASSIGN_OR_RETURN(
      std::unique_ptr<RelayEngine> engine,
      RelayEngine::Open(options, store.get(), &ctx.regions, &RealClock::Get()));
  ASSIGN_OR_RETURN(Identity officer,
                   ParseIdentity(IdentityUri(Role::kClient, kCounty, "bench")));
  std::vector<const Region*> townships;
  for (const Region& r : ctx.regions.regions()) {
    if (r.parent == kCounty) townships.push_back(&r);
  }
  ReportGenerator generator(3, ctx.settings.report_bytes);
  absl::Mutex mu;
  size_t pending = 0;
  absl::Status failed;
  const absl::Time now = absl::Now();
  std::vector<IncidentReport> event;  // the rest of the current event
  for (size_t i = 0; i < n; ++i) {
    {
      absl::MutexLock lock(&mu);
      // Enough outstanding to fill the store's group commits.
      auto room = [&]() { return pending < 4096; };
      mu.Await(absl::Condition(&room));
      if (!failed.ok()) break;
      ++pending;
    }
    if (event.empty()) {
      // Routine events of 5 reports (grade III or IV), as an outage piles
      // them up: the grade I report sent during the drain has nothing
      // urgent to queue behind. The last one queued (grade IV) leaves last:
      // its arrival ends the drain.
      const Region& where = *townships[(i / 5) % townships.size()];
      bool last_event = i + 5 >= n;
      event = generator.Series(
          BacklogId, i, std::min<size_t>(5, n - i), 5, where.code, where.name,
          now, (i / 5) % 4 == 3 && !last_event ? GRADE_III : GRADE_IV);
      std::reverse(event.begin(), event.end());
    }
    IncidentReport r = std::move(event.back());
    event.pop_back();
    engine->Submit(officer, std::move(r), [&](absl::StatusOr<Receipt> receipt) {
      absl::MutexLock lock(&mu);
      --pending;
      if (!receipt.ok() && failed.ok()) failed = receipt.status();
    });
  }
  absl::MutexLock lock(&mu);
  auto drained = [&]() { return pending == 0; };
  mu.Await(absl::Condition(&drained));
  return failed;
}

struct StartTimes {
  absl::Duration serving;     // launch → port file written
  absl::Duration forwarding;  // launch → parent's receipt recorded
};

// Launches `node` and measures until it serves, and until a report
// submitted as soon as it serves was forwarded to its parent (the node
// recorded the parent's receipt).
absl::StatusOr<StartTimes> TimeStart(const BenchContext& ctx,
                                     testing::NodeProcess& node,
                                     const IncidentReport& report) {
  const absl::Time launch = absl::Now();
  RETURN_IF_ERROR(node.Start());
  StartTimes times;
  times.serving = absl::Now() - launch;
  SubmitStream stream(
      ClientChannel(ctx.pki_dir, kCountyCert, node.address(), true), 1);
  stream.Send(report);
  stream.Close();
  RETURN_IF_ERROR(stream.Wait());
  testing::TestClient reader = Reader(ctx, node);
  ASSIGN_OR_RETURN(
      absl::Time forwarded,
      AwaitReceiptRecorded({&reader}, report.report_id(), kCity, kPatience));
  times.forwarding = forwarded - launch;
  return times;
}

// The memory and the log of `node` restarted (at `launch`) holding reports
// that all arrived within the deadline window, once its deadline catch-up
// has read them (its one log line says so): `<prefix>.rss` (the peak since
// launch, target < 128 MiB: memory bounded by open deadlines, not by
// history) and `<prefix>.deadline_log_lines` (should be 0: no line per
// report). `log_before` = the log's length before the launch.
absl::Status MeasureRestartMemory(const BenchContext& ctx,
                                  testing::NodeProcess& node, absl::Time launch,
                                  size_t log_before, const std::string& prefix,
                                  const std::string& what) {
  constexpr char kCaughtUp[] = "deadline window read after the start";
  std::string log;
  for (absl::Time give_up = absl::Now() + kCatchUpPatience;;) {
    log = node.Log().substr(log_before);
    if (absl::StrContains(log, kCaughtUp)) break;
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat(prefix, ": the deadline window was not read within ",
                       absl::FormatDuration(kCatchUpPatience)));
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  const absl::Duration caught_up = absl::Now() - launch;
  ASSIGN_OR_RETURN(ProcessSample restarted, SampleProcess(node.pid()));
  size_t deadline_lines = 0;
  for (size_t at = 0;
       (at = log.find("\"msg\":\"deadline\"", at)) != std::string::npos; ++at) {
    ++deadline_lines;
  }
  FigureSpec rss = MakeFigure(absl::StrCat(prefix, ".rss"), "restart",
                              absl::StrCat("peak RSS after a restart ", what),
                              "MiB", restarted.rss_peak_mib, "echo.rss");
  rss.target_of = "value";
  rss.target_op = "<";
  rss.target = 128;
  ctx.report->AddFigure(rss);
  ctx.report->AddDetail(absl::StrCat(prefix, ".rss_now"), "MiB",
                        restarted.rss_mib,
                        "RSS once the deadline window was read");
  ctx.report->AddDetail(absl::StrCat(prefix, ".rss_anon"), "MiB",
                        restarted.rss_anon_mib,
                        "of which the node's own memory (RssAnon; the rest is "
                        "the program's and libraries' pages)");
  ctx.report->AddDetail(absl::StrCat(prefix, ".deadline_catch_up"), "s",
                        absl::ToDoubleSeconds(caught_up),
                        "launch → the deadline window read (the node serves "
                        "meanwhile)");
  ctx.report->AddDetail(absl::StrCat(prefix, ".deadline_log_lines"), "lines",
                        deadline_lines,
                        "deadline log lines that restart wrote (per report "
                        "would be thousands)");
  return absl::OkStatus();
}

}  // namespace

absl::Status RunBacklogAndRestart(BenchContext* ctx) {
  const size_t n = std::max<size_t>(1, ctx->settings.backlog);
  BenchReport* report = ctx->report;
  auto province = MakeNode(*ctx, "backlog/province", kProvince);
  auto city = MakeNode(*ctx, "backlog/city", kCity);
  auto county = MakeNode(*ctx, "backlog/county", kCounty);
  ReportGenerator generator(4, ctx->settings.report_bytes);

  absl::Time seed_start = absl::Now();
  RETURN_IF_ERROR(SeedBacklog(*ctx, county->data_dir(), n));
  report->AddDetail("backlog.seed_time", "s",
                    absl::ToDoubleSeconds(absl::Now() - seed_start),
                    "queueing the backlog in the county's store (in process)");

  RETURN_IF_ERROR(province->Start());
  city->SetParent(kProvince, province->port());
  RETURN_IF_ERROR(city->Start());  // takes a port; its restart keeps it
  city->Stop();
  county->SetParent(kCity, city->port());
  SetAncestors(*ctx, county.get(), {province.get()});
  absl::Time launch = absl::Now();
  const size_t queued_log_before = county->Log().size();
  RETURN_IF_ERROR(county->Start());
  const absl::Duration queued_serving = absl::Now() - launch;
  // Every report is open (its hand-off owed) and arrived within the hour:
  // the most the deadline watch ever holds after a restart.
  RETURN_IF_ERROR(MeasureRestartMemory(
      *ctx, *county, launch, queued_log_before, "restart.queued",
      absl::StrCat("holding ", n, " reports, all queued, parent away")));
  absl::SleepFor(absl::Seconds(1));  // the county knocks at a closed door
  // A duty officer at the county, connected (its test report joins the
  // backlog's end), who will send a grade I report during the drain.
  SubmitStream officer(
      ClientChannel(ctx->pki_dir, kCountyCert, county->address(), true), 1);
  IncidentReport check = generator.Make("officer-check", kCounty,
                                        ctx->PlaceName(kCounty), absl::Now());
  check.set_status(REPORT_STATUS_TEST);
  officer.Send(check);
  if (!officer.AwaitAnswers(1, kPatience)) {
    return absl::UnavailableError("backlog: the county does not answer");
  }

  // The city returns; the backlog drains.
  RETURN_IF_ERROR(city->Start());
  const absl::Time returned = absl::Now();
  testing::TestClient at_province = Reader(*ctx, *province);
  // Grade I reports, one at a time once the drain is visibly under way.
  WaitForReport(at_province, BacklogId(0), kPatience, absl::Milliseconds(5));
  std::vector<std::string> urgent_ids;
  for (int k = 0; k < kUrgent; ++k) {
    absl::SleepFor(absl::Milliseconds(200));
    IncidentReport urgent =
        generator.Make(absl::StrCat("urgent-grade-1-", k), kCounty,
                       ctx->PlaceName(kCounty), absl::Now());
    urgent.set_grade(GRADE_I);
    urgent_ids.push_back(urgent.report_id());
    officer.Send(std::move(urgent));
    officer.AwaitAnswers(k + 2, kPatience);
  }
  officer.Close();
  RETURN_IF_ERROR(officer.Wait());
  const std::vector<Submission> urgent_sent = officer.submissions();

  // The drain ends when the last queued report is at the province; then
  // count them all there.
  if (!WaitForReport(at_province, BacklogId(n - 1),
                     kPatience + absl::Seconds(n / 200),
                     absl::Milliseconds(50))) {
    return absl::DeadlineExceededError("backlog: the drain did not finish");
  }
  // Each goes to the city and, being grade I, straight to the province
  // too: the first to hand it over counts.
  testing::TestClient at_city = Reader(*ctx, *city);
  testing::TestClient at_county = Reader(*ctx, *county);
  Samples urgent_ms;
  for (size_t k = 0; k < urgent_ids.size(); ++k) {
    ASSIGN_OR_RETURN(absl::Time durable,
                     AwaitReceiptRecorded({&at_county, &at_city}, urgent_ids[k],
                                          kProvince, kPatience));
    urgent_ms.Add(durable - urgent_sent.at(k + 1).sent);
  }
  ASSIGN_OR_RETURN(std::vector<absl::Time> arrivals,
                   ArrivalTimes(*ctx, *province, "bl-", n, kPatience));
  if (arrivals.size() != n) {
    return absl::DataLossError(absl::StrCat("backlog: ", arrivals.size(),
                                            " of ", n, " at the province"));
  }
  ASSIGN_OR_RETURN(v1::GetReportResponse urgent_there,
                   at_province.Get(urgent_ids.front()));
  const absl::Time urgent_arrival = StoredAt(urgent_there.report());
  const absl::Time last_arrival =
      *std::max_element(arrivals.begin(), arrivals.end());
  size_t overtaken =
      std::count_if(arrivals.begin(), arrivals.end(),
                    [&](absl::Time t) { return t > urgent_arrival; });
  const double stream_rate = report->Baseline("mtls.stream.rate");
  report->AddBaseline("backlog.stream_time", "s",
                      stream_rate > 0 ? n * kDrainHops / stream_rate : 0,
                      absl::StrCat(n, " reports through ", kDrainHops,
                                   " hops at the raw mTLS stream rate"));
  report->AddFigure(MakeFigure(
      "backlog.drain_time", "backlog",
      absl::StrCat("drain ", n, " queued reports"), "s",
      absl::ToDoubleSeconds(last_arrival - returned), "backlog.stream_time"));
  report->AddFigure(MakeFigure("backlog.grade1", "backlog",
                               "grade I during the drain → province, median",
                               "ms", urgent_ms.Percentile(0.5),
                               "limit.hops2.p50"));
  report->AddFigure(MakeFigure("backlog.grade1.max", "backlog",
                               "the same, the slowest", "ms", urgent_ms.Max(),
                               "limit.hops2.max"));
  report->AddDetail("backlog.grade1_overtook", "reports", overtaken,
                    "queued reports that reached the province after the "
                    "first grade I report");
  report->AddDetail("backlog.reports", "reports", n, "queued at the county");

  // Restart: the county now holds every report, all forwarded. First an
  // empty node of the same region as the baseline.
  county->Stop();
  auto fresh = MakeNode(*ctx, "backlog/fresh-county", kCounty);
  fresh->SetParent(kCity, city->port());
  SetAncestors(*ctx, fresh.get(), {province.get()});
  ASSIGN_OR_RETURN(
      StartTimes empty,
      TimeStart(*ctx, *fresh,
                generator.Make("start-empty", kCounty, ctx->PlaceName(kCounty),
                               absl::Now())));
  fresh->Stop();
  ASSIGN_OR_RETURN(absl::Duration open, SyncedDb::TimeOpen(county->data_dir()));
  const size_t log_before = county->Log().size();
  const absl::Time relaunch = absl::Now();
  ASSIGN_OR_RETURN(
      StartTimes full,
      TimeStart(*ctx, *county,
                generator.Make("start-full", kCounty, ctx->PlaceName(kCounty),
                               absl::Now())));
  // Every report arrived within the deadline window, all forwarded.
  RETURN_IF_ERROR(MeasureRestartMemory(
      *ctx, *county, relaunch, log_before, "restart",
      absl::StrCat("holding ", n, " reports, all forwarded")));
  report->AddBaseline("start.empty.serving", "ms",
                      absl::ToDoubleMilliseconds(empty.serving),
                      "an empty node: launch → serving");
  report->AddBaseline("start.empty.forwarding", "ms",
                      absl::ToDoubleMilliseconds(empty.forwarding),
                      "an empty node: launch → first report forwarded");
  report->AddFigure(MakeFigure(
      "restart.queued.serving", "restart",
      absl::StrCat("serving, ", n, " queued, parent away"), "ms",
      absl::ToDoubleMilliseconds(queued_serving), "start.empty.serving"));
  report->AddFigure(MakeFigure(
      "restart.serving", "restart", absl::StrCat("serving, holding ", n), "ms",
      absl::ToDoubleMilliseconds(full.serving), "start.empty.serving"));
  report->AddFigure(MakeFigure("restart.forwarding", "restart",
                               absl::StrCat("forwarding, holding ", n), "ms",
                               absl::ToDoubleMilliseconds(full.forwarding),
                               "start.empty.forwarding"));
  report->AddDetail("restart.leveldb_open", "ms",
                    absl::ToDoubleMilliseconds(open),
                    "LevelDB alone opening that county's store");
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
