// The physical limits every figure is compared with, measured in this run.
#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/proto_time.h"
#include "tests/bench/echo_client.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/process_sample.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/scenarios.h"
#include "tests/bench/submit_stream.h"
#include "tests/bench/synced_db.h"

namespace kuaibao::bench {
namespace {

constexpr size_t kWarmUp = 200;

// A report as a node stores it (with one hop) and the receipt it answers
// with: the sizes of the baselines' writes and acknowledgements.
struct Sizes {
  std::string stored;
  size_t receipt = 0;
};

Sizes RealisticSizes(const BenchContext& ctx) {
  ReportGenerator generator(7, ctx.settings.report_bytes);
  absl::Time now = absl::Now();
  StoredReport stored;
  *stored.mutable_report() = generator.Make("size-probe-0000001", kTownship,
                                            ctx.PlaceName(kTownship), now);
  HopRecord* hop = stored.add_hops();
  hop->set_node(kTownship);
  hop->set_received_from("spiffe://kuaibao/client/140105001000/bench");
  *hop->mutable_received_at() = ToProto(now);
  *hop->mutable_stored_at() = ToProto(now);
  Receipt receipt;
  receipt.set_report_id(stored.report().report_id());
  receipt.set_node(kTownship);
  *receipt.mutable_received_at() = ToProto(now);
  *receipt.mutable_stored_at() = ToProto(now);
  return {stored.SerializeAsString(), receipt.ByteSizeLong()};
}

}  // namespace

absl::Status SampleLimit(BenchContext* ctx, std::vector<Samples>* limit) {
  limit->resize(5);
  absl::Duration total;
  for (int hop = 1; hop <= 4; ++hop) {
    ASSIGN_OR_RETURN(absl::Duration trip, ctx->echo_client->RoundTrip());
    ASSIGN_OR_RETURN(
        absl::Duration write,
        ctx->limit_db->Put(absl::StrCat("r/limit-", hop), ctx->stored_report));
    total += trip + write;
    (*limit)[hop].Add(total);
  }
  return absl::OkStatus();
}

absl::Status RunBaselines(BenchContext* ctx) {
  const BenchSettings& s = ctx->settings;
  BenchReport* report = ctx->report;
  Sizes sizes = RealisticSizes(*ctx);
  ctx->stored_report = sizes.stored;
  report->AddDetail("report.bytes", "bytes", sizes.stored.size(),
                    "a stored report with one hop (write and message size)");

  ctx->echo = MakeNode(*ctx, "echo", kProvince);
  ctx->echo->set_binary(KUAIBAO_BENCH_ECHO_BINARY);
  RETURN_IF_ERROR(ctx->echo->Start());
  ctx->echo_client = std::make_unique<EchoClient>(
      ClientChannel(ctx->pki_dir, kReaderCert, ctx->echo->address(), true),
      sizes.stored.size(), sizes.receipt);
  EchoClient& echo = *ctx->echo_client;

  // mTLS round trip, one message in flight.
  for (size_t i = 0; i < kWarmUp; ++i)
    RETURN_IF_ERROR(echo.RoundTrip().status());
  Samples rtt;
  for (size_t i = 0; i < s.rtt_samples; ++i) {
    ASSIGN_OR_RETURN(absl::Duration d, echo.RoundTrip());
    rtt.Add(d);
  }
  report->AddBaseline("mtls.rtt.p50", "ms", rtt.Percentile(0.5),
                      "mTLS stream round trip, one message in flight");
  report->AddBaseline("mtls.rtt.p99", "ms", rtt.Percentile(0.99),
                      "the same, 99th percentile");

  // mTLS stream throughput, a node's window in flight.
  ASSIGN_OR_RETURN(ProcessSample before, SampleProcess(ctx->echo->pid()));
  ASSIGN_OR_RETURN(absl::Duration elapsed,
                   echo.Stream(s.stream_messages, s.window));
  ASSIGN_OR_RETURN(ProcessSample after, SampleProcess(ctx->echo->pid()));
  report->AddBaseline("mtls.stream.rate", "msg/s",
                      s.stream_messages / absl::ToDoubleSeconds(elapsed),
                      absl::StrCat("mTLS stream, one ack per message, ",
                                   s.window, " in flight"));
  report->AddBaseline(
      "mtls.stream.server_cpu", "ms/msg",
      1000 * (after.cpu_seconds - before.cpu_seconds) / s.stream_messages,
      "CPU the echo server spent per message on that stream");

  // LevelDB synced writes, single and batched.
  ASSIGN_OR_RETURN(ctx->limit_db, SyncedDb::Open(ctx->Dir("leveldb-baseline")));
  SyncedDb* db = ctx->limit_db.get();
  Samples put;
  for (size_t i = 0; i < s.sync_samples; ++i) {
    ASSIGN_OR_RETURN(absl::Duration d,
                     db->Put(absl::StrCat("r/single-", i), sizes.stored));
    put.Add(d);
  }
  report->AddBaseline("leveldb.put.p50", "ms", put.Percentile(0.5),
                      "LevelDB synced write of one report");
  report->AddBaseline("leveldb.put.rate", "write/s", 1000 / put.Mean(),
                      "LevelDB synced single writes, back to back");
  size_t batches = std::max<size_t>(20, s.sync_samples / 4);
  absl::Duration batch_time;
  for (size_t i = 0; i < batches; ++i) {
    ASSIGN_OR_RETURN(
        absl::Duration d,
        db->PutBatch(absl::StrCat("r/batch-", i, "-"), s.window, sizes.stored));
    batch_time += d;
  }
  report->AddBaseline(
      "leveldb.batch.rate", "report/s",
      batches * s.window / absl::ToDoubleSeconds(batch_time),
      absl::StrCat("LevelDB synced batches of ", s.window, " reports"));

  // The N-hop limit: N round trips, each followed by one synced write.
  std::vector<Samples> limit;
  for (size_t i = 0; i < s.limit_samples; ++i) {
    RETURN_IF_ERROR(SampleLimit(ctx, &limit));
  }
  for (int hop : {1, 2, 3, 4}) {
    ctx->report->AddPercentileBaselines(
        absl::StrCat("limit.hops", hop), limit[hop],
        absl::StrCat(hop, " × (mTLS round trip + synced write)"));
  }
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
