#include "node/clock_watch.h"

#include <utility>

#include "relay/base/log.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

void Observe(ClockSkewTracker* skew, const std::string& peer,
             SkewRelation relation, const SkewSample& sample) {
  bool crossed = false;
  SkewEstimate e = skew->Observe(peer, relation, sample, &crossed);
  if (!crossed) return;
  std::string what = relation == SkewRelation::kParent
                         ? "this node's clock disagrees with its upstream's"
                         : "a child node's clock disagrees with this node's";
  if (e.beyond_bound) {
    Log(LogLevel::kWarning, what,
        {{"peer", peer},
         {"estimate", DescribeSkew(e)},
         {"bound", absl::FormatDuration(skew->bound())},
         {"effect",
          "times across this link are not comparable: check NTP on both"}});
  } else {
    Log(LogLevel::kInfo, "clock back within the bound",
        {{"peer", peer}, {"estimate", DescribeSkew(e)}});
  }
}

}  // namespace

RelayEngine::ReceiptCallback WatchArrival(ClockSkewTracker* skew,
                                          const std::string& child,
                                          const std::string& here,
                                          const StoredReport& relayed,
                                          RelayEngine::ReceiptCallback done) {
  if (skew == nullptr || relayed.hops().empty()) return done;
  absl::Time sent = absl::InfinitePast();
  for (const Forwarding& f : relayed.hops().rbegin()->forwarded()) {
    if (f.to() == here && IsSet(f.sent_at())) sent = FromProto(f.sent_at());
  }
  if (sent == absl::InfinitePast()) return done;
  return [skew, child, sent,
          done = std::move(done)](absl::StatusOr<Receipt> receipt) {
    if (receipt.ok() && !receipt->duplicate() &&
        IsSet(receipt->received_at())) {
      Observe(skew, child, SkewRelation::kChild,
              SkewFromArrival(sent, FromProto(receipt->received_at())));
    }
    done(std::move(receipt));
  };
}

void WatchReceipt(ClockSkewTracker* skew, const std::string& upstream,
                  absl::Time sent, const Receipt& receipt, absl::Time arrived) {
  // A duplicate's times are those of the first arrival, not of this send.
  if (skew == nullptr || receipt.duplicate() || !IsSet(receipt.received_at()) ||
      !IsSet(receipt.stored_at())) {
    return;
  }
  Observe(skew, upstream, SkewRelation::kParent,
          SkewFromReceipt(sent, FromProto(receipt.received_at()),
                          FromProto(receipt.stored_at()), arrived));
}

}  // namespace kuaibao
