// Latency end to end: one report at a time at the township of a 4-level
// chain, each hop mTLS and synced.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "relay/base/status_macros.h"
#include "relay/proto_time.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/submit_stream.h"

namespace kuaibao::bench {
namespace {

constexpr size_t kWarmUp = 20;
constexpr absl::Duration kPatience = absl::Seconds(60);

// Where a report's time goes on its way to the province, from its hop
// records as the city holds them (each part summed over the hops it
// occurs at; medians).
class Parts {
 public:
  // `timeline`: township, county and city hops, the city's hand-off to the
  // province with the province's receipt.
  void Add(const StoredReport& timeline, absl::Time sent, absl::Time durable) {
    if (timeline.hops_size() != 3) return;
    absl::Duration check, queue, transfer;
    for (int h = 0; h < 3; ++h) {
      const HopRecord& hop = timeline.hops(h);
      if (hop.forwarded().empty()) return;
      check += FromProto(hop.stored_at()) - FromProto(hop.received_at());
      queue +=
          FromProto(hop.forwarded(0).sent_at()) - FromProto(hop.stored_at());
      transfer +=
          (h < 2 ? FromProto(timeline.hops(h + 1).received_at())
                 : FromProto(hop.forwarded(0).receipt().received_at())) -
          FromProto(hop.forwarded(0).sent_at());
    }
    const Receipt& province = timeline.hops(2).forwarded(0).receipt();
    check +=
        FromProto(province.stored_at()) - FromProto(province.received_at());
    intake_.Add(FromProto(timeline.hops(0).received_at()) - sent);
    check_.Add(check);
    queue_.Add(queue);
    transfer_.Add(transfer);
    last_.Add(durable - FromProto(province.stored_at()));
  }

  void Report(BenchReport* report) const {
    report->AddDetail("latency.part.intake", "ms", intake_.Percentile(0.5),
                      "client → township: sent until received");
    report->AddDetail("latency.part.check", "ms", check_.Percentile(0.5),
                      "4 nodes: received until the write is queued "
                      "(checks, duplicate lookup)");
    report->AddDetail("latency.part.store_to_send", "ms",
                      queue_.Percentile(0.5),
                      "3 nodes: write queued until sent upstream (synced "
                      "write, wake-up, outbox read)");
    report->AddDetail("latency.part.transfer", "ms", transfer_.Percentile(0.5),
                      "3 hops: sent until the next node received it");
    report->AddDetail("latency.part.last", "ms", last_.Percentile(0.5),
                      "province: write queued until the city recorded its "
                      "receipt (synced write, receipt's trip)");
  }

 private:
  Samples intake_, check_, queue_, transfer_, last_;
};

}  // namespace

absl::Status RunLatency(BenchContext* ctx) {
  const BenchSettings& s = ctx->settings;
  ASSIGN_OR_RETURN(
      Nodes chain,
      StartChain(*ctx, "latency", {kProvince, kCity, kCounty, kTownship}));
  ReportGenerator generator(1, s.report_bytes);
  const std::string place = ctx->PlaceName(kTownship);
  SubmitStream stream(
      ClientChannel(ctx->pki_dir, kTownshipCert, chain[3]->address(), true),
      /*window=*/1);
  const size_t total = kWarmUp + s.latency_reports;
  std::vector<Samples> limit;
  for (size_t i = 0; i < total; ++i) {
    stream.Send(generator.Make(absl::StrFormat("lat-%07d", i), kTownship, place,
                               absl::Now()));
    if (!stream.AwaitAnswers(i + 1, kPatience)) break;
    // Let the report travel alone: the next starts on a quiet chain. Half
    // way, a sample of the limit, so that both see the same machine.
    absl::SleepFor(s.latency_gap / 2);
    if (i >= kWarmUp) RETURN_IF_ERROR(SampleLimit(ctx, &limit));
    absl::SleepFor(s.latency_gap / 2);
  }
  stream.Close();
  RETURN_IF_ERROR(stream.Wait());
  std::vector<Submission> sent = stream.submissions();
  if (sent.size() != total) {
    return absl::UnavailableError(
        absl::StrCat("latency: ", sent.size(), " of ", total, " answered"));
  }

  // Wait for the last report's trip to end, then read every timeline at
  // the city: when it recorded the province's receipt.
  testing::TestClient at_city = Reader(*ctx, *chain[1]);
  std::vector<std::string> ids;
  for (size_t i = kWarmUp; i < total; ++i) ids.push_back(sent[i].report_id);
  RETURN_IF_ERROR(
      AwaitReceiptRecorded(at_city, ids.back(), kProvince, kPatience).status());
  Samples receipt_ms, durable_ms;
  Parts parts;
  size_t overlapped = 0;
  for (size_t i = kWarmUp; i < total; ++i) {
    receipt_ms.Add(sent[i].answered - sent[i].sent);
    absl::StatusOr<v1::GetReportResponse> got = at_city.Get(sent[i].report_id);
    if (!got.ok()) continue;
    std::optional<absl::Time> durable =
        ReceiptRecordedAt(got->report(), kProvince);
    if (!durable) continue;
    durable_ms.Add(*durable - sent[i].sent);
    parts.Add(got->report(), sent[i].sent, *durable);
    if (i + 1 < total && sent[i + 1].sent < *durable) ++overlapped;
  }
  if (durable_ms.size() != ids.size()) {
    return absl::DataLossError(absl::StrCat("latency: only ", durable_ms.size(),
                                            " of ", ids.size(),
                                            " reports reached the province"));
  }
  for (int hops : {1, 4}) {
    ctx->report->AddPercentileBaselines(
        absl::StrCat("latency.limit.hops", hops), limit[hops],
        absl::StrCat(hops,
                     " × (mTLS round trip + synced write), sampled "
                     "between the reports"));
  }
  ctx->report->AddPercentileFigures("latency.receipt", "latency",
                                    "client's receipt", receipt_ms,
                                    "latency.limit.hops1");
  ctx->report->AddPercentileFigures("latency.province_durable", "latency",
                                    "province has it durably", durable_ms,
                                    "latency.limit.hops4", /*p50_target=*/1.5);
  parts.Report(ctx->report);
  ctx->report->AddDetail(
      "latency.overlapped", "reports", overlapped,
      "reports sent before the previous one reached the province (raise "
      "--latency_gap_ms if many)");
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
