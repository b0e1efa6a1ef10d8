#ifndef KUAIBAO_RELAY_RELAY_ENGINE_H_
#define KUAIBAO_RELAY_RELAY_ENGINE_H_

// How a report flows through one node:
//
//  1. A client streams a report to its local node (Submit), or a child node
//     relays one with the hop records of every node below (Accept).
//  2. The relay checks it (fields, region, the sender's authority), then
//     writes, in one synced batch: the report with this node's hop appended,
//     one outbox entry and one forwarding record per upstream target. Only
//     when that write returns is the sender given a receipt.
//  3. A resent report (same id, same content) is acknowledged again from what
//     is stored: stored once, acknowledged as often as asked. A different
//     report under a used id is refused.
//  4. The node's forwarders take reports from each upstream's outbox in
//     priority order (NextOutbound; Outbox has the rules: urgent first,
//     senders in turn, an event's reports in order), and hand back the
//     upstream's receipt (RecordReceipt); the outbox entry is deleted in the
//     same synced write that records the receipt. A refusal moves the entry
//     to "held" (never deleted) for an operator to look at.
//  5. The same write that stores a report numbers it, if its client did not
//     (first node only), and updates the origin's ledger of numbers and gaps
//     (OriginLedger). While the disk is short of space (AdmissionControl) or
//     a write failed (ReportStore), new reports are refused with
//     RESOURCE_EXHAUSTED or UNAVAILABLE; resent ones are still acknowledged.
//
// The relay knows nothing of gRPC; node/ adapts it to the wire.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/admission_control.h"
#include "relay/base/clock.h"
#include "relay/identity.h"
#include "relay/origin_ledger.h"
#include "relay/outbox.h"
#include "relay/region.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"
#include "relay/validation.h"

namespace kuaibao {

struct RelayOptions {
  // This node's region code.
  std::string region;
  // Upstream region codes every accepted report is queued for (the parent).
  std::vector<std::string> upstreams;
  ValidationLimits limits;
};

// A report ready to send to an upstream: its outbox entry and the payload
// (the stored report with this node's hop stamped with the hand-off).
struct OutboundReport {
  OutboxEntry entry;
  StoredReport payload;
};

// The relay engine of one node. Thread-safe. Callbacks run on the store's
// writer thread (or the caller's, when no write is needed) and must not
// block.
class RelayEngine {
 public:
  using ReceiptCallback = std::function<void(absl::StatusOr<Receipt>)>;

  // Borrowed: `store`, `regions` and `clock` must outlive the relay.
  RelayEngine(RelayOptions options, ReportStore* store,
              const RegionTable* regions, Clock* clock);

  // A report from a client. Refusals: INVALID_ARGUMENT (a field, named),
  // PERMISSION_DENIED (not a client, or the report's region is outside the
  // client's), ALREADY_EXISTS (the id is taken by a different report),
  // UNAVAILABLE (the store cannot write).
  void Submit(const Identity& client, IncidentReport report,
              ReceiptCallback done);

  // A report relayed by a child node, with the hops below it. Refusals as
  // Submit, plus PERMISSION_DENIED when the sender is not a node inside this
  // node's region or relays for a region outside its own.
  void Accept(const Identity& child, StoredReport relayed,
              ReceiptCallback done);

  // Up to `max` reports to send to `upstream`, in send order, skipping ids in
  // `in_flight`.
  absl::StatusOr<std::vector<OutboundReport>> NextOutbound(
      const std::string& upstream, size_t max,
      const absl::flat_hash_set<std::string>& in_flight);

  // The upstream durably acknowledged `entry`: records the hand-off and
  // deletes the outbox entry in one synced write, then calls `done`.
  void RecordReceipt(const std::string& upstream, const OutboxEntry& entry,
                     const Receipt& receipt, absl::Time first_sent,
                     uint32_t attempts, std::function<void(absl::Status)> done);
  // The upstream refused `entry`: it moves to the held list with the reason.
  void RecordRefusal(const std::string& upstream, const OutboxEntry& entry,
                     const std::string& reason,
                     std::function<void(absl::Status)> done);

  // The report with every hop, this node's last with its forwardings.
  absl::StatusOr<StoredReport> Timeline(const std::string& report_id) const;

  // Reports in id order after `after_id`, at most `limit`, those `filter`
  // accepts.
  absl::StatusOr<std::vector<StoredReport>> ListReports(
      const std::string& after_id, size_t limit,
      const std::function<bool(const StoredReport&)>& filter) const {
    return store_->ListReports(after_id, limit, filter);
  }

  // Called (on the writer thread) after new outbox entries became durable.
  void SetOutboxListener(std::function<void()> listener);
  // New reports are refused while `admission` says so. Borrowed; nullptr =
  // always admit.
  void SetAdmissionControl(const AdmissionControl* admission);
  // After a failed write: reopens the store and reloads the ledger.
  absl::Status RecoverStore() { return ledger_.RecoverStore(); }

  const RelayOptions& options() const { return options_; }
  ReportStore& store() const { return *store_; }
  Outbox& outbox() { return outbox_; }
  OriginLedger& ledger() { return ledger_; }

  static int PriorityOf(const IncidentReport& report);

 private:
  // Stores `stored` (this node's hop last) unless already present; numbers
  // it when it comes from a client (`first_node`) without a number.
  void Store(StoredReport stored, bool first_node, ReceiptCallback done);
  Receipt ReceiptFor(const StoredReport& stored, bool duplicate) const;

  // Constant after construction.
  const RelayOptions options_;
  ReportStore* const store_;
  const RegionTable* const regions_;
  Clock* const clock_;
  Outbox outbox_;
  OriginLedger ledger_;

  mutable absl::Mutex mu_;
  // Reports whose write is in progress, with everyone waiting for it.
  struct InFlightWrite {
    IncidentReport report;
    std::vector<ReceiptCallback> duplicates;
  };
  absl::flat_hash_map<std::string, InFlightWrite> writing_ ABSL_GUARDED_BY(mu_);
  std::function<void()> outbox_listener_ ABSL_GUARDED_BY(mu_);
  const AdmissionControl* admission_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_RELAY_ENGINE_H_
