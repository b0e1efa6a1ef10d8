// Idle watchers: the chain's throughput with and without 20 watchers at the
// province that open Query.Watch from the start of its record and never read
// (passes without, with, without), and the province's memory meanwhile. A
// watcher's queue is bounded (node/watch_reactor.h) and the store's writer
// never waits for one, so neither the rate nor the memory should move.
#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/base/status_macros.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/process_sample.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/submit_stream.h"

namespace kuaibao::bench {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(120);
constexpr int kWatchers = 20;

// One pass: `streams` township streams send `per_stream` reports each;
// reports/s from the first send to the last report at the province.
absl::StatusOr<double> Pass(BenchContext* ctx, const Nodes& chain,
                            const std::string& prefix, size_t streams,
                            size_t per_stream) {
  ReportGenerator generator(3, ctx->settings.report_bytes);
  const std::string place = ctx->PlaceName(kTownship);
  std::vector<std::unique_ptr<SubmitStream>> open;
  std::vector<std::vector<IncidentReport>> load(streams);
  for (size_t k = 0; k < streams; ++k) {
    open.push_back(std::make_unique<SubmitStream>(
        ClientChannel(ctx->pki_dir, kTownshipCert, chain[3]->address(), true),
        /*window=*/1));
    load[k] = generator.Series(
        [&prefix, k](size_t i) {
          return absl::StrFormat("%s-%04d-%06d", prefix, k, i);
        },
        0, per_stream, 5, kTownship, place, absl::Now(), GRADE_IV);
  }
  const absl::Time start = absl::Now();
  for (size_t k = 0; k < streams; ++k) {
    for (IncidentReport& r : load[k]) open[k]->Send(std::move(r));
    open[k]->Close();
  }
  for (auto& stream : open) RETURN_IF_ERROR(stream->Wait());
  const size_t total = streams * per_stream;
  ASSIGN_OR_RETURN(
      std::vector<absl::Time> arrivals,
      ArrivalTimes(*ctx, *chain[0], prefix + "-", total, kPatience));
  if (arrivals.size() != total) {
    return absl::DataLossError(absl::StrCat("watchers: ", arrivals.size(),
                                            " of ", total, " at the province"));
  }
  absl::Time last = *std::max_element(arrivals.begin(), arrivals.end());
  return total / std::max(1e-3, absl::ToDoubleSeconds(last - start));
}

}  // namespace

absl::Status RunWatchers(BenchContext* ctx) {
  const BenchSettings& s = ctx->settings;
  BenchReport* report = ctx->report;
  ASSIGN_OR_RETURN(
      Nodes chain,
      StartChain(*ctx, "watchers", {kProvince, kCity, kCounty, kTownship}));
  const size_t streams = std::max<size_t>(1, s.throughput_streams / 4);
  const size_t per_stream =
      std::max<size_t>(1, s.throughput_reports / 4 / streams);

  // Warm-up, then the pass without watchers.
  RETURN_IF_ERROR(Pass(ctx, chain, "ww", streams, 5).status());
  ASSIGN_OR_RETURN(double without, Pass(ctx, chain, "wa", streams, per_stream));
  ASSIGN_OR_RETURN(ProcessSample before, SampleProcess(chain[0]->pid()));

  // 20 watchers from cursor 0 that never read: each fills its stream's
  // flow-control window and then its bounded queue, and is told it fell
  // behind once that overflows.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::Query::Stub>> stubs;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchResponse>>> idle;
  for (int w = 0; w < kWatchers; ++w) {
    channels.push_back(
        ClientChannel(ctx->pki_dir, kReaderCert, chain[0]->address(), true));
    stubs.push_back(v1::Query::NewStub(channels.back()));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    idle.push_back(
        stubs.back()->Watch(contexts.back().get(), v1::WatchRequest()));
  }
  ASSIGN_OR_RETURN(double with, Pass(ctx, chain, "wb", streams, per_stream));
  ASSIGN_OR_RETURN(ProcessSample after, SampleProcess(chain[0]->pid()));
  for (auto& c : contexts) c->TryCancel();
  for (auto& r : idle) r->Finish().ok();  // cancelled: their status is moot
  // Without watchers again: the baseline is the mean of the passes before
  // and after, so that what drifts over the run (the store's size, the
  // machine's load) weighs on both sides alike.
  ASSIGN_OR_RETURN(double without_after,
                   Pass(ctx, chain, "wc", streams, per_stream));

  report->AddBaseline("watchers.rate_without", "report/s",
                      (without + without_after) / 2,
                      "reports/s at the province, no watchers (the mean of "
                      "the passes before and after)");
  report->AddDetail("watchers.rate_without_before", "report/s", without,
                    "the pass before the watchers");
  report->AddDetail("watchers.rate_without_after", "report/s", without_after,
                    "the pass after they left");
  FigureSpec rate =
      MakeFigure("watchers.rate_with_idle", "watchers",
                 absl::StrCat("reports/s at the province with ", kWatchers,
                              " watchers that never read"),
                 "report/s", with, "watchers.rate_without");
  rate.lower_is_better = false;
  rate.target_of = "ratio";
  rate.target_op = ">=";
  rate.target = 0.8;
  report->AddFigure(rate);
  report->AddDetail("watchers.province_rss_before", "MiB", before.rss_mib,
                    "the province's resident memory before the watchers");
  report->AddDetail("watchers.province_rss_after", "MiB", after.rss_mib,
                    absl::StrCat("the same after ", streams * per_stream,
                                 " more reports with the watchers open"));
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
