// Sustained throughput: hundreds of township streams through the 4-level
// chain, each sending as fast as its receipts come back.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "relay/base/status_macros.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/process_sample.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/submit_stream.h"

namespace kuaibao::bench {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(120);
constexpr int kHops = 4;  // client → township → county → city → province
const char* const kLevels[] = {"province", "city", "county", "township"};

// Reports per second between the 10% and the 90% arrival: the steady rate,
// without the ramps at either end.
double SteadyRate(std::vector<absl::Time> arrivals) {
  if (arrivals.size() < 10) return 0;
  std::sort(arrivals.begin(), arrivals.end());
  size_t from = arrivals.size() / 10;
  size_t to = arrivals.size() * 9 / 10;
  double seconds = absl::ToDoubleSeconds(arrivals[to] - arrivals[from]);
  return seconds > 0 ? (to - from) / seconds : 0;
}

}  // namespace

absl::Status RunThroughput(BenchContext* ctx) {
  const BenchSettings& s = ctx->settings;
  BenchReport* report = ctx->report;
  ASSIGN_OR_RETURN(
      Nodes chain,
      StartChain(*ctx, "throughput", {kProvince, kCity, kCounty, kTownship}));
  ReportGenerator generator(2, s.report_bytes);
  const std::string place = ctx->PlaceName(kTownship);
  const size_t streams = std::max<size_t>(1, s.throughput_streams);
  const size_t per_stream = std::max<size_t>(1, s.throughput_reports / streams);
  const size_t total = streams * per_stream;

  // Every stream connected and warm before the clock starts.
  std::vector<std::unique_ptr<SubmitStream>> open;
  for (size_t k = 0; k < streams; ++k) {
    open.push_back(std::make_unique<SubmitStream>(
        ClientChannel(ctx->pki_dir, kTownshipCert, chain[3]->address(), true),
        /*window=*/1));
    open.back()->Send(generator.Make(absl::StrFormat("tpw-%04d", k), kTownship,
                                     place, absl::Now()));
  }
  for (auto& stream : open) stream->AwaitAnswers(1, kPatience);
  std::vector<std::vector<IncidentReport>> load(streams);
  // Events of 5 reports each, all routine (grade IV): every hop then sends
  // in arrival order, and the last receipt's report is (within a window)
  // the last to reach the province, which ends the CPU measurement.
  for (size_t k = 0; k < streams; ++k) {
    load[k] = generator.Series(
        [k](size_t i) { return absl::StrFormat("tp-%04d-%06d", k, i); }, 0,
        per_stream, 5, kTownship, place, absl::Now(), GRADE_IV);
  }

  std::vector<ProcessSample> before(chain.size() + 1), after(chain.size() + 1);
  for (size_t n = 0; n < chain.size(); ++n) {
    ASSIGN_OR_RETURN(before[n], SampleProcess(chain[n]->pid()));
  }
  ASSIGN_OR_RETURN(before.back(), SampleProcess(0));
  const absl::Time start = absl::Now();
  for (size_t k = 0; k < streams; ++k) {
    for (IncidentReport& r : load[k]) open[k]->Send(std::move(r));
    open[k]->Close();
  }
  Submission last;
  size_t acknowledged = 0;
  for (auto& stream : open) {
    RETURN_IF_ERROR(stream->Wait());
    for (const Submission& sub : stream->submissions()) {
      if (!absl::StartsWith(sub.report_id, "tp-")) continue;
      acknowledged += sub.receipt;
      if (sub.answered > last.answered) last = sub;
    }
  }
  const absl::Time all_acknowledged = absl::Now();
  testing::TestClient at_province = Reader(*ctx, *chain[0]);
  if (acknowledged != total ||
      !WaitForReport(at_province, last.report_id, kPatience,
                     absl::Milliseconds(20))) {
    return absl::UnavailableError(
        absl::StrCat("throughput: ", acknowledged, " of ", total,
                     " acknowledged; the last one did not reach the province"));
  }
  for (size_t n = 0; n < chain.size(); ++n) {
    ASSIGN_OR_RETURN(after[n], SampleProcess(chain[n]->pid()));
  }
  ASSIGN_OR_RETURN(after.back(), SampleProcess(0));

  // Arrival at the province: its own hop's stored_at, from its store.
  ASSIGN_OR_RETURN(std::vector<absl::Time> arrivals,
                   ArrivalTimes(*ctx, *chain[0], "tp-", total, kPatience));
  if (arrivals.size() != total) {
    return absl::DataLossError(absl::StrCat("throughput: ", arrivals.size(),
                                            " of ", total, " at the province"));
  }

  FigureSpec rate = MakeFigure("throughput.province", "throughput",
                               "reports/s at the province (steady)", "report/s",
                               SteadyRate(arrivals), "mtls.stream.rate");
  rate.baseline_factor = 1.0 / kHops;
  rate.lower_is_better = false;
  rate.target_of = "ratio";
  rate.target_op = ">=";
  rate.target = 0.5;
  report->AddFigure(rate);
  rate.id = "throughput.province_vs_disk";
  rate.description = "the same, beside the disk";
  rate.baseline_id = "leveldb.batch.rate";
  rate.target_of.clear();
  report->AddFigure(rate);
  for (size_t n = 0; n < chain.size(); ++n) {
    report->AddFigure(MakeFigure(
        absl::StrCat("throughput.cpu.", kLevels[n]), "throughput",
        absl::StrCat("CPU per report, ", kLevels[n], " node"), "ms",
        1000 * (after[n].cpu_seconds - before[n].cpu_seconds) / total,
        "mtls.stream.server_cpu"));
  }
  report->AddDetail("throughput.acknowledged_rate", "report/s",
                    total / absl::ToDoubleSeconds(all_acknowledged - start),
                    "receipts/s at the township's clients, whole run");
  report->AddDetail(
      "throughput.loadgen_cpu", "ms",
      1000 * (after.back().cpu_seconds - before.back().cpu_seconds) / total,
      "CPU per report of the load generator (this process)");
  report->AddDetail("throughput.reports", "reports", total,
                    absl::StrCat(streams, " streams × ", per_stream));
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
