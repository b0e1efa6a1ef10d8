// Latency end to end: one report at a time at the township of a 4-level
// chain, each hop mTLS and synced.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "relay/base/status_macros.h"
#include "tests/bench/latency_parts.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/submit_stream.h"

namespace kuaibao::bench {
namespace {

constexpr size_t kWarmUp = 20;
constexpr absl::Duration kPatience = absl::Seconds(60);

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
    IncidentReport report = generator.Make(absl::StrFormat("lat-%07d", i),
                                           kTownship, place, absl::Now());
    // Routine, so that it takes the chain (grade I/II also go straight to
    // the province).
    report.set_grade(GRADE_IV);
    stream.Send(std::move(report));
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
      AwaitReceiptRecorded({&at_city}, ids.back(), kProvince, kPatience)
          .status());
  Samples receipt_ms, durable_ms;
  LatencyParts parts;
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
  parts.Report("latency", ctx->report);
  ctx->report->AddDetail(
      "latency.overlapped", "reports", overlapped,
      "reports sent before the previous one reached the province (raise "
      "--latency_gap_ms if many)");
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
