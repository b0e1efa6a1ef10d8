#ifndef KUAIBAO_RELAY_RELAY_ENGINE_H_
#define KUAIBAO_RELAY_RELAY_ENGINE_H_

// How a report flows through one node:
//
//  1. A client streams a report to its local node (Submit), or a child node
//     relays one with the hop records of every node below (Accept).
//  2. The relay checks it (fields, region, the sender's authority), then
//     writes, in one synced batch: the report with this node's hop appended,
//     one outbox entry and one forwarding record per upstream target (the
//     parent; for a grade I/II or sensitive report, at any government
//     below the city, the province directly as well), the event's record
//     and the arrival
//     index. Only when that write returns is the sender given a receipt.
//  3. A resent report (same id, same content) is acknowledged again from what
//     is stored: stored once, acknowledged as often as asked; an arrival by
//     another path is recorded beside the first. A different report under a
//     used id is refused.
//  4. The node's forwarders take reports from each upstream's outbox in
//     priority order (NextOutbound; Outbox has the rules: urgent first,
//     senders in turn, an event's reports in order), and hand back the
//     upstream's receipt (RecordReceipt); the outbox entry is deleted in the
//     same synced write that records the receipt. A refusal moves the entry
//     to "held" (never deleted) for an operator to look at.
//  5. CheckDeadlines, called by the node's clock loop, evaluates the notice's
//     deadlines for what is in flight, records breaches, and escalates a
//     report whose hand-off is at risk while the parent is unreachable to the
//     next level above (the parent still gets its copy).
//  6. The write that stores a report also numbers it, if its client did not
//     (at the first node), and updates the origin's ledger of numbers and
//     gaps (OriginLedger). While the disk is short of space
//     (AdmissionControl) or after a failed write (ReportStore), new reports
//     are refused with RESOURCE_EXHAUSTED or UNAVAILABLE; resent ones are
//     still acknowledged.
//
// The relay knows nothing of gRPC; node/ adapts it to the wire.

#include <atomic>
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
#include "kuaibao/v1/audit.pb.h"
#include "kuaibao/v1/feed.pb.h"
#include "relay/admission_control.h"
#include "relay/base/clock.h"
#include "relay/deadline_policy.h"
#include "relay/deadline_watch.h"
#include "relay/deadlines.h"
#include "relay/department_routing.h"
#include "relay/event_identity.h"
#include "relay/hop_evidence.h"
#include "relay/identity.h"
#include "relay/national_submission.h"
#include "relay/origin_ledger.h"
#include "relay/outbox.h"
#include "relay/outbox_mirror.h"
#include "relay/region.h"
#include "relay/report_types.h"
#include "relay/signer_chains.h"
#include "relay/store/report_store.h"
#include "relay/validation.h"

namespace kuaibao {

struct RelayOptions {
  // This node's region code.
  std::string region;
  // This node's id (relay/node_id.h): "<region>:<department>" for a
  // department's node; empty = `region` (a government).
  std::string node;
  // The parent's node id (a region code, or the department one level up);
  // empty at the top.
  std::string parent;
  // The nodes above the parent, nearest first; the province last.
  std::vector<std::string> ancestors;
  DeadlinePolicy deadlines;
  ValidationLimits limits;
  // The most classified report this node stores.
  Classification max_classification = CLASSIFICATION_INTERNAL;
  // The most classified report each upstream link carries, by upstream
  // region; a link not listed carries INTERNAL at most. A report above a
  // link's stays here, held, with the reason.
  absl::flat_hash_map<std::string, Classification> link_clearance;
  // Standby nodes (relay/standby_links.h, relay_engine_standby.cc). This
  // node is its region's standby.
  bool standby = false;
  // The link to the other node of this region (StandbyLink at the primary,
  // PrimaryLink at the standby); empty = none. Everything this node takes in
  // is copied there; what comes from there is the other node's to forward.
  std::string peer;
  // Upstream links whose node has a standby: link → the standby's link. A
  // report queued for a link that is down goes to its standby as well once
  // a deadline of this node's is at risk.
  absl::flat_hash_map<std::string, std::string> standby_of;
  // Departments (relay/department_routing.h): the nodes of the same region
  // on the other side, the routing rules of a government, and the table
  // that IncidentReport.departments are checked against (borrowed; nullptr
  // = codes checked for form only).
  std::vector<std::string> across;
  std::vector<RoutingRule> department_routes;
  const DepartmentTable* departments = nullptr;
  // How much of each upstream's queue is kept in memory, besides the store
  // (relay/outbox_mirror.h): read from there, a report written once is not
  // read back to be sent. reports = 0: every read from the store.
  OutboxMirrorLimits outbox_mirror;
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

  // Loads the event records. Borrowed: `store`, `regions` and `clock` must
  // outlive the engine. DATA_LOSS when a stored event does not decode.
  static absl::StatusOr<std::unique_ptr<RelayEngine>> Open(
      RelayOptions options, ReportStore* store, const RegionTable* regions,
      Clock* clock);

  ~RelayEngine();

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
                     Receipt receipt, absl::Time first_sent, uint32_t attempts,
                     std::function<void(absl::Status)> done);
  // The upstream refused `entry`: it moves to the held list with the reason.
  void RecordRefusal(const std::string& upstream, const OutboxEntry& entry,
                     const std::string& reason,
                     std::function<void(absl::Status)> done);

  // The report with every hop, this node's last with its forwardings, each
  // receipt with its signer's certificate chain (for what leaves the node:
  // queries, evidence). DATA_LOSS naming the receipt when a chain it names
  // is not in the store.
  absl::StatusOr<StoredReport> Timeline(const std::string& report_id) const;
  // Reports refused because they came under `report_id` with different
  // content, oldest first.
  absl::StatusOr<std::vector<ConflictRecord>> Conflicts(
      const std::string& report_id) const {
    return store_->GetConflicts(report_id);
  }

  // What the node's clock loop does each tick: evaluates the deadlines of
  // the reports a write changed since the last tick and of those whose state
  // time alone changes now (DeadlineWatch), and of open events; records new
  // breaches durably, escalates at-risk reports past an unreachable parent
  // (or to its standby), records changes for the worse in the feed
  // (Query.Watch), each once, and returns the deadlines whose state changed
  // since the last call (for logging). After a restart it also reads the
  // arrival window a chunk per call, learning those states without returning
  // them.
  absl::StatusOr<std::vector<DeadlineStatus>> CheckDeadlines(absl::Time now);

  // Open, at-risk, overdue and recently late deadlines of reports and events
  // whose region lies inside `region`, as of `now`. With `include_met`, met
  // ones of recent reports too.
  absl::StatusOr<std::vector<DeadlineStatus>> ListDue(const std::string& region,
                                                      absl::Time now,
                                                      bool include_met) const;

  // How many reports the deadline watch holds (open or late deadlines, and
  // copies held for the other node): memory is bounded by these, not by
  // history.
  size_t watched_reports() const {
    absl::MutexLock lock(&mu_);
    return watch_.size();
  }
  // How many times the deadline tick read a report back from the store
  // (the restart catch-up, or a write that handed over no view).
  uint64_t deadline_store_reads() const { return deadline_store_reads_; }

  // The deadlines of one report as this node sees them.
  std::vector<DeadlineStatus> DeadlinesOf(const StoredReport& stored,
                                          absl::Time now) const;

  // The forwarder's view of a link (for escalation).
  void SetLinkUp(const std::string& upstream, bool up);

  // The upstreams this node may send to, parent first.
  std::vector<std::string> Upstreams() const;

  // Reports in id order after `after_id`, at most `limit`, those `filter`
  // accepts; their receipts with their signer chains, as Timeline.
  absl::StatusOr<std::vector<StoredReport>> ListReports(
      const std::string& after_id, size_t limit,
      const std::function<bool(const StoredReport&)>& filter) const;

  // Called (on the writer thread) after a write of the engine's became
  // durable and its sender was answered, with the upstreams it queued
  // reports for (often none): only their forwarders have something new to
  // send.
  using OutboxListener =
      std::function<void(const std::vector<std::string>& upstreams)>;
  void SetOutboxListener(OutboxListener listener);
  // New reports are refused while `admission` says so. Borrowed; nullptr =
  // always admit.
  void SetAdmissionControl(AdmissionControl* admission);
  // Receipts are signed with `signer` from now on (relay/hop_evidence.h).
  // Borrowed; nullptr = unsigned.
  void SetReceiptSigner(const ReceiptSigner* signer) {
    evidence_.SetSigner(signer);
  }
  // After a failed write: reopens the store (ReportStore::Recover).
  absl::Status RecoverStore() { return store_->Recover(); }

  const RelayOptions& options() const { return options_; }

  // Questions the node asks (relay_engine_queries.cc): its status pages,
  // metrics and health checks ask these instead of reading the store.

  // Why new reports are refused now; OK while this node takes them: the
  // disk and the backlog quota (AdmissionControl) first, then a failed store
  // write. The one answer `kuaibao status`, the metrics, the health service
  // and the parent's view of this node give.
  absl::Status IntakeRefusal() const;
  // IntakeRefusal, after reopening a store stopped by a failed write if the
  // disk has room again (a reopen that fails leaves the store closed, reads
  // included: so only then). The node monitor's periodic check.
  absl::Status RecheckIntake();
  // Outbox reads (NextOutbound) answered from memory alone, and those that
  // read the store (after a restart, or past what memory holds).
  uint64_t outbox_next_from_memory() const {
    return outbox_.next_from_memory();
  }
  uint64_t outbox_next_from_store() const { return outbox_.next_from_store(); }
  // Reports waiting for an upstream's receipt, as their encoded size (the
  // tally the backlog quota is checked against).
  uint64_t backlog_bytes() const { return store_->backlog_bytes(); }
  // What waits for `upstream` (Outbox::Summarize: a scan of its queue, for
  // status pages, not for hot paths).
  absl::StatusOr<Outbox::Summary> Waiting(const std::string& upstream) const {
    return outbox_.Summarize(upstream);
  }
  // Origins and the numbers missing from them (OriginLedger::List).
  absl::StatusOr<std::vector<OriginRecord>> Origins(
      const std::string& after_origin, size_t limit,
      const std::function<bool(const OriginRecord&)>& filter, absl::Time now,
      absl::Duration overdue_after) const {
    return ledger_.List(after_origin, limit, filter, now, overdue_after);
  }
  // Every breach record this node wrote (CheckDeadlines), with the id of the
  // report (or event) it is about, until `fn` returns false.
  absl::Status ForEachBreachRecord(
      const std::function<bool(const std::string& about, const Breach&)>& fn)
      const;
  // The review mark of a breach (an auditor's "reviewed"), by what it is
  // about, its rule and who answers for it; NOT_FOUND when there is none.
  absl::StatusOr<v1::BreachReview> ReviewOf(
      const std::string& about, DeadlineRule rule,
      const std::string& responsible) const;
  // Records `review` durably (replacing a mark of the same breach).
  absl::Status RecordReview(const v1::BreachReview& review);
  // Records `item` in the feed (Query.Watch) in a write of its own, for what
  // the node records nowhere else (a link's change); a failed write is
  // logged.
  void RecordInFeed(v1::FeedItem item);
  // The feed (Query.Watch): items after `after`, at most `limit`, in cursor
  // order; and the last cursor written.
  absl::StatusOr<std::vector<v1::FeedItem>> ReadFeed(uint64_t after,
                                                     size_t limit) const {
    return store_->ReadFeed(after, limit);
  }
  uint64_t last_feed_cursor() const { return store_->last_feed_cursor(); }
  // Records a submission to the State Council made by other means, at the
  // province (NationalSubmissions::Record: blocks for one synced write).
  absl::StatusOr<Forwarding> RecordNationalSubmission(
      const Identity& caller, const NationalSubmission& submission,
      absl::Time now) {
    return national_.Record(caller, submission, now);
  }

  static int PriorityOf(const IncidentReport& report);

 private:
  RelayEngine(RelayOptions options, ReportStore* store,
              const RegionTable* regions, Clock* clock);
  // What AdmissionControl says about new reports (OK without one).
  absl::Status Admitted() const ABSL_LOCKS_EXCLUDED(mu_);

  // Stores `stored` (this node's hop last) unless already present, in these
  // steps: AnswerKnown, the admission check, PrepareNew, QueueUpstreams,
  // RecordArrival, then one synced write whose completion answers `done`.
  void Store(StoredReport stored, ReceiptCallback done);
  // A report already stored, or being written, under the same id: answers
  // (or refuses) it and returns true (`stored` may then be moved from);
  // false for a new one.
  bool AnswerKnown(StoredReport& stored, ReceiptCallback& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds a new report's own entries to `batch`: the child that relayed it,
  // at the first node its event (ResolveEvent) and number (OriginLedger),
  // and this node's hop stamped `now` and chained (HopEvidence::Seal).
  absl::Status PrepareNew(absl::Time now, StoredReport* stored,
                          StoreBatch* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues a new report for every upstream it goes to: the other node of
  // this region, the parent, the province directly (the notice's rule for
  // grade I/II and sensitive events) and departments across.
  void QueueUpstreams(const StoredReport& stored, StoreBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the arrival index entry, the feed item and the event's updated
  // record for a new report.
  void RecordArrival(const StoredReport& stored, absl::Time now,
                     StoreBatch* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The write of `id` finished: takes the arrivals that waited for it...
  // (`landed`: it was written).
  std::vector<std::pair<StoredReport, ReceiptCallback>> TakeWaiting(
      const std::string& id, bool landed);
  // ...and, after the first caller is answered, runs them through Store
  // again (or fails them with the write's `status`).
  void Retry(std::vector<std::pair<StoredReport, ReceiptCallback>> waiting,
             const absl::Status& status);
  // Records one more arrival of a stored report by another path.
  void RecordOtherPath(StoredReport existing, const StoredReport& arrival,
                       ReceiptCallback done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Receipt ReceiptFor(const StoredReport& stored, bool duplicate) const;
  // Timeline as stored: receipts name their signer chains by digest (enough
  // for deadlines, which never look at them).
  absl::StatusOr<StoredReport> StoredTimeline(
      const std::string& report_id) const;
  // Refuses `offered` (ALREADY_EXISTS) after durably recording the attempt.
  void RefuseConflict(const StoredReport& offered, const IncidentReport& stored,
                      ReceiptCallback done);
  // Adds to `batch` the entries that hold a report instead of queueing it
  // under `outbox_key` (refused upstream, or not for that link): the held
  // entry, and `forwarding` marked refused for `reason` (returned, as
  // written).
  static Forwarding Hold(StoreBatch* batch, const std::string& outbox_key,
                         Forwarding forwarding, const std::string& report_id,
                         const std::string& reason);
  // At the first node: files the report under its event (assigning the
  // number of a new one) or refuses it (relay/event_identity.h).
  absl::Status ResolveEvent(absl::Time now, StoredReport* stored,
                            StoreBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether this node numbers `origin`'s unnumbered reports: not when a
  // node below, which holds the origin's counter, is known.
  bool NumbersFor(const std::string& origin) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Remembers (durably, in `batch`) the child node that relayed `stored`.
  void NoteChild(const StoredReport& stored, StoreBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The forwarding record of `report_id` to `upstream`: the one the outbox
  // holds in memory, else the store's (a fresh one when there is none).
  Forwarding ForwardingOf(const std::string& upstream,
                          const std::string& report_id) const;
  // Commits a hand-off's outcome (receipt, refusal) for `report_id`, whose
  // forwarding record becomes `forwarding`; once it is durable the report's
  // deadlines are evaluated afresh, from that record.
  void CommitHandOff(const std::string& report_id, Forwarding forwarding,
                     StoreBatch batch, std::function<void(absl::Status)> done);
  // The deadline view (DeadlineView) of a report this write stores, with the
  // forwarding records the write puts on its own hop; null for a copy that
  // is the region's other node's to forward.
  DeadlineWatch::View ArrivalView(const StoredReport& stored,
                                  const StoreBatch& batch) const;
  // Whether `deadlines` may call for an escalation or a turn to a standby:
  // one of this node's is at risk or overdue while a link is down.
  bool MayActOn(const std::vector<DeadlineStatus>& deadlines) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Where the province is: the last ancestor, or the parent; "" if neither.
  std::string Province() const;
  // Adds the outbox entry and forwarding record for one route to `batch`; a
  // report above the link's classification is held instead.
  void QueueFor(const std::string& upstream, Route route,
                const std::string& reason, const StoredReport& stored,
                StoreBatch* batch);
  // The stored record of `event_id`, or a fresh one.
  EventRecord LoadEvent(const std::string& event_id) const;
  // Reads and evaluates the watched reports named by `ids` (outside the
  // lock) for `region`'s subtree.
  std::vector<std::pair<StoredReport, std::vector<DeadlineStatus>>> Evaluate(
      const std::vector<std::string>& ids, const std::string& region,
      absl::Time now) const;
  // Standby nodes (relay_engine_standby.cc). A standby restored from its
  // primary's backup holds the primary's queue for its standby, which is
  // itself: nothing would ever send it, so it is emptied at start.
  absl::Status DropOwnStandbyQueue();
  // The upstream queues of a new
  // report: none for a copy from this region's other node (that node
  // forwards it), else the copy for the other node.
  bool QueuePeerCopy(const StoredReport& stored, StoreBatch* batch);
  // For a report this node holds with `deadlines`: queues it for the
  // standby of every down upstream it waits for, once one of this node's
  // hand-off deadlines is at risk.
  void FailOverToStandby(const StoredReport& stored,
                         const std::vector<DeadlineStatus>& deadlines,
                         StoreBatch* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // For a copy from the other node: forwards it to the parent when the other
  // node is unreachable and its hand-off at risk. Returns when to look again
  // (besides when a link goes down); never once there is nothing more to
  // watch. Such a copy has no deadline of this node's, so this is its own
  // wake-up in watch_.
  absl::Time WatchPeerCopy(const StoredReport& stored, absl::Time now,
                           StoreBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Adds the across hand-offs of `stored` (relay/department_routing.h).
  void QueueAcross(const StoredReport& stored, StoreBatch* batch);
  // What one CheckDeadlines decided, written in one batch.
  struct DeadlineTick {
    StoreBatch batch;
    // The deadlines whose state changed, and the region each is about.
    std::vector<DeadlineStatus> changed;
    std::vector<std::string> regions;
    // Reports queued anew (escalated, to a standby, a peer copy forwarded).
    std::vector<std::string> requeued;
  };
  // Evaluates `due` (read outside the lock), folds the results into watch_,
  // and adds to `tick` the breach records, escalations and standby
  // hand-offs, the changes and the reports queued anew.
  void EvaluateDue(const std::vector<DeadlineWatch::Due>& due, bool quiet,
                   absl::Time now, DeadlineTick* tick) ABSL_LOCKS_EXCLUDED(mu_);
  // Adds to `batch` the feed item (Query.Watch) of a deadline that became at
  // risk, overdue or met late, once: the state last fed is kept in the store
  // (keys::FedDeadlineState), so that a restart feeds no change twice.
  void FeedDeadlineChange(const DeadlineStatus& s, const std::string& region,
                          absl::Time now, StoreBatch* batch) const;
  // The next chunk of the restart's arrival window; empty when done.
  // `*finished`: this call read its end.
  std::vector<DeadlineWatch::Due> CatchUpChunk(absl::Time now, bool* finished)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Escalates `stored` to the next reachable level above its parent.
  void Escalate(const StoredReport& stored, const std::string& why,
                StoreBatch* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const RelayOptions options_;
  ReportStore* const store_;
  const RegionTable* const regions_;
  Clock* const clock_;
  // Null when options_.outbox_mirror holds nothing.
  const std::unique_ptr<OutboxMirror> mirror_;
  Outbox outbox_;
  OriginLedger ledger_;
  // Signer chains of stored receipts, by digest.
  SignerChains chains_;
  // Sealed (chained, signed) under mu_, so in commit order.
  HopEvidence evidence_;
  NationalSubmissions national_;

  mutable absl::Mutex mu_;
  EventIdentity event_identity_ ABSL_GUARDED_BY(mu_);
  // The nodes below that have relayed here (regions).
  absl::flat_hash_set<std::string> child_nodes_ ABSL_GUARDED_BY(mu_);
  // Reports whose write is in progress, with everyone waiting for it.
  struct InFlightWrite {
    IncidentReport report;
    // Arrivals of the same report meanwhile: run through Store again once
    // the write landed (acknowledged, and their paths recorded).
    std::vector<std::pair<StoredReport, ReceiptCallback>> waiting;
  };
  absl::flat_hash_map<std::string, InFlightWrite> writing_ ABSL_GUARDED_BY(mu_);
  OutboxListener outbox_listener_ ABSL_GUARDED_BY(mu_);
  AdmissionControl* admission_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The open events known here (loaded at Open, kept in step with the
  // batches written); a closed event leaves memory and is read back from the
  // store if a later report reopens it.
  absl::flat_hash_map<std::string, EventRecord> events_ ABSL_GUARDED_BY(mu_);
  // Links the forwarders reported down.
  absl::flat_hash_set<std::string> links_down_ ABSL_GUARDED_BY(mu_);
  // The reports whose deadlines may still change, indexed by when time
  // alone changes them next (relay/deadline_watch.h).
  DeadlineWatch watch_ ABSL_GUARDED_BY(mu_);
  // After a restart, the arrival index from here on (keys::Recent) has not
  // been looked at yet; the clock ticks read it a chunk at a time, so that
  // neither the start nor memory grows with the reports of the window.
  // Empty once done.
  std::string catch_up_from_ ABSL_GUARDED_BY(mu_);
  // Arrival-index entries the catch-up has read.
  size_t caught_up_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> deadline_store_reads_{0};
  // The same for open events' deadlines, by event id.
  absl::flat_hash_map<std::string,
                      absl::flat_hash_map<std::string, DeadlineState>>
      event_states_ ABSL_GUARDED_BY(mu_);
  // False until the first CheckDeadlines after Open has learnt the open
  // events' states (a restart reports none of them as a change).
  bool events_learnt_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_RELAY_ENGINE_H_
