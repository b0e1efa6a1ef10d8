#include "tests/bench/latency_parts.h"

#include "absl/strings/str_cat.h"
#include "relay/proto_time.h"

namespace kuaibao::bench {

void LatencyParts::Add(const StoredReport& timeline, absl::Time sent,
                       absl::Time durable) {
  const int hops = timeline.hops_size();
  if (hops == 0) return;
  absl::Duration check, queue, transfer;
  for (int h = 0; h < hops; ++h) {
    const HopRecord& hop = timeline.hops(h);
    if (hop.forwarded().empty()) return;
    const Forwarding& up = hop.forwarded(0);
    check += FromProto(hop.stored_at()) - FromProto(hop.received_at());
    queue += FromProto(up.sent_at()) - FromProto(hop.stored_at());
    transfer += (h + 1 < hops ? FromProto(timeline.hops(h + 1).received_at())
                              : FromProto(up.receipt().received_at())) -
                FromProto(up.sent_at());
  }
  const Receipt& province = timeline.hops(hops - 1).forwarded(0).receipt();
  check += FromProto(province.stored_at()) - FromProto(province.received_at());
  intake_.Add(FromProto(timeline.hops(0).received_at()) - sent);
  check_.Add(check);
  queue_.Add(queue);
  transfer_.Add(transfer);
  last_.Add(durable - FromProto(province.stored_at()));
}

void LatencyParts::Report(const std::string& scenario,
                          BenchReport* report) const {
  auto add = [&](const char* part, const Samples& samples, const char* what) {
    report->AddDetail(absl::StrCat(scenario, ".part.", part), "ms",
                      samples.Percentile(0.5), what);
  };
  add("intake", intake_, "client → first node: sent until received");
  add("check", check_,
      "every node: received until its write is queued (checks, duplicate "
      "lookup)");
  add("store_to_send", queue_,
      "every node below the province: write queued until sent upstream "
      "(synced write, wake-up, outbox read)");
  add("transfer", transfer_, "every hop: sent until the next node received it");
  add("last", last_,
      "province: write queued until its child recorded the receipt (synced "
      "write, receipt's trip)");
}

}  // namespace kuaibao::bench
