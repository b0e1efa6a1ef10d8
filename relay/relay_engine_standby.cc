// Standby nodes, built from what the relay already has (deploy/README.md,
// "Standby nodes"): the copy for the other node of the region is one more
// outbox entry with its receipt; a child turns to its upstream's standby by
// the same at-risk rule that escalates past an unreachable parent; the
// receiving nodes dedup by report id and record the second arrival.
#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/deadlines.h"
#include "relay/proto_time.h"
#include "relay/relay_engine.h"
#include "relay/standby_links.h"

namespace kuaibao {
namespace {

// The forwarding of this node's hop (as Timeline fills it in) to `link`.
const Forwarding* ForwardedTo(const StoredReport& stored,
                              const std::string& link) {
  const HopRecord& own = stored.hops(stored.hops_size() - 1);
  for (const Forwarding& f : own.forwarded()) {
    if (f.to() == link) return &f;
  }
  return nullptr;
}

bool AtRisk(DeadlineState state) {
  return state == DEADLINE_STATE_AT_RISK || state == DEADLINE_STATE_OVERDUE;
}

// The deadlines a hand-off serves: the hop's own budget and, for the first
// report of a stream or an urgent one, the way to the province.
bool HandOffRule(DeadlineRule rule) {
  return rule == DEADLINE_RULE_PER_HOP || rule == DEADLINE_RULE_END_TO_END ||
         rule == DEADLINE_RULE_DIRECT_TO_PROVINCE;
}

}  // namespace

absl::Status RelayEngine::DropOwnStandbyQueue() {
  if (!options_.standby) return absl::OkStatus();
  const std::string self = StandbyLink(options_.region);
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<QueuedReport> queued,
                     outbox_.Next(self, 1000, {}));
    if (queued.empty()) return absl::OkStatus();
    StoreBatch batch;
    for (const QueuedReport& q : queued) Outbox::Remove(self, q.entry, &batch);
    RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  }
}

bool RelayEngine::QueuePeerCopy(const StoredReport& stored, StoreBatch* batch) {
  if (options_.peer.empty()) return false;
  if (IsPeerCopy(stored)) return true;
  QueueFor(options_.peer, ROUTE_PEER,
           options_.standby ? "taken by the standby: to the primary"
                            : "copy for the standby",
           stored, batch);
  return false;
}

void RelayEngine::FailOverToStandby(
    const StoredReport& stored, const std::vector<DeadlineStatus>& deadlines,
    StoreBatch* batch) {
  if (options_.standby_of.empty()) return;
  const DeadlineStatus* at_risk = nullptr;
  for (const DeadlineStatus& s : deadlines) {
    if (s.responsible() == options_.node && HandOffRule(s.rule()) &&
        AtRisk(s.state())) {
      at_risk = &s;
      break;
    }
  }
  if (at_risk == nullptr) return;
  for (const auto& [link, standby] : options_.standby_of) {
    if (!links_down_.contains(link)) continue;
    const Forwarding* waiting = ForwardedTo(stored, link);
    if (waiting == nullptr || IsSet(waiting->acked_at()) ||
        !waiting->refused().empty() ||
        ForwardedTo(stored, standby) != nullptr) {
      continue;
    }
    QueueFor(
        standby, ROUTE_ESCALATED,
        absl::StrCat(
            link, " unreachable and ", DeadlineRule_Name(at_risk->rule()), " ",
            at_risk->state() == DEADLINE_STATE_AT_RISK ? "at risk" : "passed",
            ": to its standby"),
        stored, batch);
  }
}

absl::Time RelayEngine::WatchPeerCopy(const StoredReport& stored,
                                      absl::Time now, StoreBatch* batch) {
  // The top forwards nothing; one already forwarded from here is done.
  if (options_.parent.empty() ||
      ForwardedTo(stored, options_.parent) != nullptr) {
    return absl::InfiniteFuture();
  }
  // The other node's hand-off, by the budget per level from its arrival
  // there (the hop before this node's).
  const HopRecord& theirs = stored.hops(stored.hops_size() - 2);
  const absl::Time received = FromProto(theirs.received_at());
  const absl::Duration budget = IsUrgent(stored.report())
                                    ? options_.deadlines.direct_to_province
                                    : options_.deadlines.per_hop;
  const absl::Time due = received + budget;
  if (now > due) return absl::InfiniteFuture();  // past the window: not ours
  const absl::Time at_risk =
      received + budget * options_.deadlines.at_risk_fraction;
  if (now < at_risk) return at_risk;
  // At risk: ours if the other node is unreachable now, or goes down before
  // the due time (SetLinkUp looks again); forgotten after.
  if (!links_down_.contains(options_.peer)) return due + absl::Microseconds(1);
  QueueFor(options_.parent, ROUTE_ESCALATED,
           absl::StrCat("the region's other node unreachable and its "
                        "hand-off at risk: forwarded from here"),
           stored, batch);
  return absl::InfiniteFuture();
}

}  // namespace kuaibao
