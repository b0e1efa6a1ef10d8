#include "relay/relay_engine.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "relay/base/log.h"
#include "relay/base/status_macros.h"
#include "relay/classification.h"
#include "relay/conflict_record.h"
#include "relay/feed_items.h"
#include "relay/node_id.h"
#include "relay/proto_time.h"
#include "relay/standby_links.h"
#include "relay/store/keys.h"

namespace kuaibao {
namespace {

absl::Status Conflict(const std::string& id) {
  return FieldError(absl::StatusCode::kAlreadyExists, "report_id",
                    absl::StrCat("report id ", id,
                                 " is already used by a different report; a "
                                 "changed report needs a new id"));
}

// Equal; a resend that leaves origin_seq to the node matches the copy the
// node numbered, and one that names its event as the client first did (by
// its label, or not at all) the copy the node filed under the event number.
bool SameReport(const IncidentReport& stored, const IncidentReport& incoming) {
  IncidentReport resolved = AsResolved(stored, incoming);
  if (resolved.origin_seq() == 0 && stored.origin_seq() != 0) {
    resolved.set_origin_seq(stored.origin_seq());
  }
  return google::protobuf::util::MessageDifferencer::Equals(stored, resolved);
}

RelayOptions WithNodeId(RelayOptions options) {
  if (options.node.empty()) options.node = options.region;
  return options;
}

}  // namespace

RelayEngine::RelayEngine(RelayOptions options, ReportStore* store,
                         const RegionTable* regions, Clock* clock)
    : options_(WithNodeId(std::move(options))),
      store_(store),
      regions_(regions),
      clock_(clock),
      mirror_(
          options_.outbox_mirror.reports > 0
              ? std::make_unique<OutboxMirror>(store, options_.outbox_mirror)
              : nullptr),
      outbox_(store, mirror_.get()),
      ledger_(store),
      chains_(store),
      evidence_(store, &chains_, options_.node),
      national_(store, options_.region, options_.limits),
      event_identity_(store, options_.region),
      watch_(options_.deadlines) {}

namespace {

// Restart catch-up: arrival-index entries read per clock tick.
constexpr size_t kCatchUpChunk = 20000;

void PutBreach(const DeadlineStatus& s, StoreBatch* batch) {
  Breach b;
  b.set_rule(s.rule());
  b.set_responsible(s.responsible());
  *b.mutable_start() = s.start();
  *b.mutable_due() = s.due();
  *b.mutable_met_at() = s.met_at();
  b.set_drill(s.drill());
  b.set_detail(s.detail());
  batch->Put(keys::Breach(s.report_id().empty() ? s.event_id() : s.report_id(),
                          s.rule(), s.responsible()),
             b.SerializeAsString());
}

}  // namespace

absl::StatusOr<std::unique_ptr<RelayEngine>> RelayEngine::Open(
    RelayOptions options, ReportStore* store, const RegionTable* regions,
    Clock* clock) {
  std::unique_ptr<RelayEngine> engine(
      new RelayEngine(std::move(options), store, regions, clock));
  // Before the engine's first write (DropOwnStandbyQueue): the mirror holds
  // nothing yet, and learns every write from here on.
  if (engine->mirror_ != nullptr) {
    store->AddWriteListener(engine->mirror_.get());
  }
  absl::Status counted = engine->outbox_.RecountBacklog();
  if (counted.ok()) counted = engine->DropOwnStandbyQueue();
  if (!counted.ok()) return counted;
  absl::Status decoded;
  // The scans fill locals, moved into the guarded maps under mu_ at the end:
  // the thread-safety analysis cannot see a lock held around a lambda.
  absl::flat_hash_map<std::string, EventRecord> events;
  absl::Status scanned = store->Scan(
      keys::kEvents, "", [&](const std::string& key, const std::string& value) {
        EventRecord event;
        if (!event.ParseFromString(value)) {
          decoded = absl::DataLossError(
              absl::StrCat("stored value of ", key, " does not decode"));
          return false;
        }
        if (!event.closed()) {
          events[event.event_id()] = std::move(event);
        }
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!decoded.ok()) return decoded;
  absl::flat_hash_set<std::string> child_nodes;
  scanned = store->Scan(
      keys::kChildNodes, "", [&](const std::string& key, const std::string&) {
        child_nodes.insert(key.substr(std::strlen(keys::kChildNodes)));
        return true;
      });
  if (!scanned.ok()) return scanned;
  absl::MutexLock lock(&engine->mu_);
  // The reports still inside the watch window are read by the clock ticks
  // (CatchUpChunk), not here: the node serves at once, and memory holds only
  // the ones still open.
  engine->catch_up_from_ = keys::Recent(
      clock->TimeNow() - DeadlineWatch::Lookback(engine->options_.deadlines),
      "");
  engine->events_ = std::move(events);
  engine->child_nodes_ = std::move(child_nodes);
  return engine;
}

RelayEngine::~RelayEngine() {
  if (mirror_ != nullptr) store_->RemoveWriteListener(mirror_.get());
}

void RelayEngine::SetOutboxListener(OutboxListener listener) {
  absl::MutexLock lock(&mu_);
  outbox_listener_ = std::move(listener);
}

void RelayEngine::SetAdmissionControl(AdmissionControl* admission) {
  absl::MutexLock lock(&mu_);
  admission_ = admission;
}

int RelayEngine::PriorityOf(const IncidentReport& report) {
  // Grade I/II and sensitive events leave first (the notice's direct rule),
  // then grade III, then everything else.
  if (report.grade() == GRADE_I || report.grade() == GRADE_II ||
      report.sensitivity_size() > 0) {
    return 0;
  }
  return report.grade() == GRADE_III ? 1 : 2;
}

void RelayEngine::Submit(const Identity& client, IncidentReport report,
                         ReceiptCallback done) {
  absl::Time now = clock_->TimeNow();
  if (client.role != Role::kClient) {
    done(absl::PermissionDeniedError(
        absl::StrCat("only a client certificate may submit reports; ",
                     client.uri, " is a ", RoleName(client.role))));
    return;
  }
  absl::Status valid = ValidateReport(report, *regions_, now, options_.limits);
  if (valid.ok()) {
    valid = CheckCleared(report, options_.max_classification, "this node");
  }
  if (valid.ok()) valid = CheckReportDepartments(report, options_.departments);
  if (!valid.ok()) {
    done(valid);
    return;
  }
  const std::string& where = report.location().region_code();
  if (!RegionContains(client.region, where) ||
      !RegionContains(options_.region, where)) {
    done(FieldError(absl::StatusCode::kPermissionDenied, "location.region_code",
                    absl::StrCat("region ", regions_->Describe(where),
                                 " is outside your region ",
                                 regions_->Describe(client.region))));
    return;
  }
  if (report.origin().empty()) {
    report.set_origin(client.uri);
  } else if (report.origin() != client.uri) {
    done(FieldError(
        absl::StatusCode::kInvalidArgument, "origin",
        absl::StrCat("must be empty or your own identity ", client.uri)));
    return;
  }
  StoredReport stored;
  *stored.mutable_report() = std::move(report);
  HopRecord* hop = stored.add_hops();
  hop->set_node(options_.node);
  hop->set_received_from(client.uri);
  *hop->mutable_received_at() = ToProto(now);
  hop->set_standby(options_.standby);
  Store(std::move(stored), std::move(done));
}

void RelayEngine::Accept(const Identity& child, StoredReport relayed,
                         ReceiptCallback done) {
  absl::Time now = clock_->TimeNow();
  // The other node of this region (a standby and its primary) relays its
  // copies too; else governments from below, departments of its line from
  // below, and the other side of its own region (relay/node_id.h).
  const bool from_peer = child.role == Role::kNode && !options_.peer.empty() &&
                         child.NodeId() == options_.node;
  absl::Status peer =
      from_peer ? absl::OkStatus() : CheckRelayPeer(options_.node, child);
  if (!peer.ok()) {
    done(peer);
    return;
  }
  const IncidentReport& report = relayed.report();
  absl::Status valid = ValidateReport(report, *regions_, now, options_.limits);
  if (valid.ok()) {
    valid = CheckCleared(report, options_.max_classification, "this node");
  }
  if (!valid.ok()) {
    done(valid);
    return;
  }
  const std::string& where = report.location().region_code();
  if (!RegionContains(child.region, where)) {
    done(FieldError(absl::StatusCode::kPermissionDenied,
                    "report.location.region_code",
                    absl::StrCat("node ", regions_->Describe(child.region),
                                 " may relay only reports from its own region;"
                                 " this one is for ",
                                 regions_->Describe(where))));
    return;
  }
  if (relayed.hops().empty() ||
      relayed.hops(relayed.hops_size() - 1).node() != child.NodeId()) {
    done(FieldError(absl::StatusCode::kInvalidArgument, "hops",
                    absl::StrCat("the last hop must be the sending node ",
                                 child.NodeId())));
    return;
  }
  valid = ValidateHops(relayed, now, options_.limits);
  if (!valid.ok()) {
    done(valid);
    return;
  }
  if (report.event_id().empty()) {
    done(FieldError(absl::StatusCode::kInvalidArgument, "report.event_id",
                    "is required on a relayed report: the first node "
                    "assigns it"));
    return;
  }
  HopRecord* hop = relayed.add_hops();
  hop->set_node(options_.node);
  hop->set_received_from(child.uri);
  *hop->mutable_received_at() = ToProto(now);
  hop->set_standby(options_.standby);
  Store(std::move(relayed), std::move(done));
}

Receipt RelayEngine::ReceiptFor(const StoredReport& stored,
                                bool duplicate) const {
  const HopRecord& hop = stored.hops(stored.hops_size() - 1);
  if (hop.has_receipt()) {  // sealed (relay/hop_evidence.h)
    Receipt receipt = hop.receipt();
    receipt.set_duplicate(duplicate);
    receipt.set_event_id(stored.report().event_id());
    return receipt;
  }
  Receipt receipt;
  receipt.set_report_id(stored.report().report_id());
  receipt.set_node(options_.node);
  *receipt.mutable_received_at() = hop.received_at();
  *receipt.mutable_stored_at() = hop.stored_at();
  receipt.set_duplicate(duplicate);
  receipt.set_event_id(stored.report().event_id());
  return receipt;
}

absl::Status RelayEngine::ResolveEvent(absl::Time now, StoredReport* stored,
                                       StoreBatch* batch) {
  absl::StatusOr<Identity> client =
      ParseIdentity(stored->hops(0).received_from());
  if (!client.ok()) return client.status();
  EventLookups lookups;
  lookups.event = [this](const std::string& id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    auto open = events_.find(id);
    return open != events_.end() ? open->second : LoadEvent(id);
  };
  lookups.event_of =
      [this](const std::string& id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        auto writing = writing_.find(id);
        if (writing != writing_.end()) {
          return absl::StatusOr<std::string>(writing->second.report.event_id());
        }
        return store_->GetEventOf(id);
      };
  return event_identity_.Resolve(*client, lookups, now,
                                 stored->mutable_report(), batch);
}

bool RelayEngine::NumbersFor(const std::string& origin) const {
  // A node below that holds the origin's counter numbers its reports: a
  // client that reaches this node while its own is down gets its report
  // stored unnumbered here, so no number is ever handed out twice. Which
  // nodes exist below is known from what they relayed (keys::kChildNodes).
  absl::StatusOr<Identity> client = ParseIdentity(origin);
  if (!client.ok()) return false;
  if (client->region == options_.region) return true;
  for (const std::string& child : child_nodes_) {
    if (RegionContains(child, client->region)) return false;
  }
  return true;
}

void RelayEngine::NoteChild(const StoredReport& stored, StoreBatch* batch) {
  if (stored.hops_size() < 2) return;
  const std::string& child = stored.hops(stored.hops_size() - 2).node();
  if (child_nodes_.insert(child).second) {
    batch->Put(keys::ChildNode(child), "");
  }
}

std::string RelayEngine::Province() const {
  if (!options_.ancestors.empty()) return options_.ancestors.back();
  absl::StatusOr<Level> level = LevelOf(options_.parent);
  if (level.ok() && *level == Level::kProvince) return options_.parent;
  return "";
}

std::vector<std::string> RelayEngine::Upstreams() const {
  std::vector<std::string> all;
  if (!options_.parent.empty()) all.push_back(options_.parent);
  for (const std::string& a : options_.ancestors) all.push_back(a);
  for (const std::string& a : options_.across) all.push_back(a);
  return all;
}

void RelayEngine::QueueFor(const std::string& upstream, Route route,
                           const std::string& reason,
                           const StoredReport& stored, StoreBatch* batch) {
  const IncidentReport& report = stored.report();
  std::string key = outbox_.KeyFor(upstream, PriorityOf(report), stored);
  Forwarding forwarding;
  forwarding.set_to(upstream);
  forwarding.set_route(route);
  forwarding.set_reason(reason);
  auto clearance = options_.link_clearance.find(upstream);
  absl::Status cleared = CheckCleared(report,
                                      clearance == options_.link_clearance.end()
                                          ? CLASSIFICATION_INTERNAL
                                          : clearance->second,
                                      absl::StrCat("the link to ", upstream));
  if (!cleared.ok()) {
    // Never sent: kept here, held, with the reason in its timeline.
    Log(LogLevel::kWarning, "report held: above the link's classification",
        {{"report_id", report.report_id()},
         {"upstream", upstream},
         {"classification", ClassificationName(report.classification())}});
    Hold(batch, key, std::move(forwarding), report.report_id(),
         absl::StrCat("held here: ", cleared.message()));
    return;
  }
  Outbox::Queue(upstream, key, stored, batch);
  batch->Put(ReportStore::ForwardingKey(report.report_id(), upstream),
             forwarding.SerializeAsString());
}

bool RelayEngine::AnswerKnown(StoredReport& stored, ReceiptCallback& done) {
  const std::string& id = stored.report().report_id();
  auto writing = writing_.find(id);
  if (writing != writing_.end()) {
    // Same id while its first write is in progress: answer when it lands.
    if (!SameReport(writing->second.report, stored.report())) {
      RefuseConflict(stored, writing->second.report, std::move(done));
    } else {
      writing->second.waiting.emplace_back(std::move(stored), std::move(done));
    }
    return true;
  }
  // Reading under the lock: a report only becomes visible through a write
  // registered in writing_, so nothing can slip in between.
  absl::StatusOr<StoredReport> existing = store_->GetReport(id);
  if (existing.ok()) {
    if (!SameReport(existing->report(), stored.report())) {
      RefuseConflict(stored, existing->report(), std::move(done));
    } else {
      RecordOtherPath(*std::move(existing), stored, std::move(done));
    }
    return true;
  }
  if (!absl::IsNotFound(existing.status())) {
    done(existing.status());
    return true;
  }
  return false;
}

absl::Status RelayEngine::PrepareNew(absl::Time now, StoredReport* stored,
                                     StoreBatch* batch) {
  const bool first_node = stored->hops_size() == 1;
  NoteChild(*stored, batch);
  if (first_node) {
    RETURN_IF_ERROR(ResolveEvent(now, stored, batch));
  }
  // The client's report gets its number at its home node, in this write.
  RETURN_IF_ERROR(ledger_.Record(
      stored->mutable_report(),
      first_node && NumbersFor(stored->report().origin()), now, batch));
  HopRecord* hop = stored->mutable_hops(stored->hops_size() - 1);
  *hop->mutable_stored_at() = ToProto(now);
  absl::Status sealed = evidence_.Seal(stored->report(), hop, batch);
  if (!sealed.ok()) ledger_.Invalidate();
  return sealed;
}

void RelayEngine::QueueUpstreams(const StoredReport& stored,
                                 StoreBatch* batch) {
  const IncidentReport& report = stored.report();
  const bool peer_copy = QueuePeerCopy(stored, batch);
  if (!options_.parent.empty() && !peer_copy) {
    QueueFor(options_.parent, ROUTE_PARENT, "level by level", stored, batch);
  }
  // The notice's direct rule: a government that learns of a grade I/II or
  // sensitive report — from a unit, across from its department, or from
  // below — sends it to the province at the same time, whatever happened
  // below (a township's direct link may be missing or down). The province
  // stores it once and records every arrival.
  std::string province = Province();
  const bool first_government = FirstGovernmentOnPath(stored);
  if (IsUrgent(report) && !province.empty() && province != options_.parent &&
      NodeDepartment(options_.node).empty() &&
      (first_government || !peer_copy)) {
    QueueFor(
        province, ROUTE_DIRECT,
        absl::StrCat(report.grade() == GRADE_I || report.grade() == GRADE_II
                         ? "grade I/II: direct to the province"
                         : "sensitive event: direct to the province",
                     first_government ? "" : " (learned from below)"),
        stored, batch);
  }
  QueueAcross(stored, batch);
}

void RelayEngine::RecordArrival(const StoredReport& stored, absl::Time now,
                                StoreBatch* batch) {
  const IncidentReport& report = stored.report();
  batch->Put(ReportStore::RecentKey(now, report.report_id()), "");
  batch->Record(ArrivalItem(stored, now));
  // An open event is updated where it is kept, a closed one read back.
  auto open_event = events_.find(report.event_id());
  if (open_event == events_.end()) {
    open_event =
        events_.emplace(report.event_id(), LoadEvent(report.event_id())).first;
  }
  EventRecord& event = open_event->second;
  UpdateEvent(stored, now, options_.deadlines, &event);
  batch->Put(ReportStore::EventKey(report.event_id()),
             event.SerializeAsString());
  if (event.closed()) {
    events_.erase(open_event);
    event_states_.erase(report.event_id());
  }
}

void RelayEngine::Store(StoredReport stored, ReceiptCallback done) {
  const std::string id = stored.report().report_id();
  absl::MutexLock lock(&mu_);
  if (AnswerKnown(stored, done)) return;
  // Only new reports are refused for lack of space: a resend above was
  // acknowledged from what is stored.
  if (admission_ != nullptr) {
    absl::Status admitted = admission_->Check();
    if (!admitted.ok()) {
      done(admitted);
      return;
    }
  }
  const absl::Time now = clock_->TimeNow();
  StoreBatch batch;
  absl::Status prepared = PrepareNew(now, &stored, &batch);
  if (!prepared.ok()) {
    done(prepared);
    return;
  }
  writing_[id].report = stored.report();
  QueueUpstreams(stored, &batch);
  RecordArrival(stored, now, &batch);
  watch_.Arrive(id, now, ArrivalView(stored, batch));

  auto receipt = std::make_shared<Receipt>(ReceiptFor(stored, false));
  evidence_.PutReport(std::move(stored), 0, receipt, &batch);
  // Committed under the lock: batches must reach the store in the order the
  // in-memory event records were updated.
  std::vector<std::string> queued = Outbox::QueuedIn(batch);
  store_->Commit(std::move(batch),
                 [this, id, receipt, queued = std::move(queued),
                  done = std::move(done)](absl::Status status) {
                   OutboxListener listener;
                   {
                     absl::MutexLock lock(&mu_);
                     listener = outbox_listener_;
                     // The backlog quota holds from this write on, not from the
                     // next measurement.
                     if (status.ok() && admission_ != nullptr) {
                       admission_->UpdateBacklog(store_->backlog_bytes());
                     }
                   }
                   // Bookkeeping before `done`: once every caller has its
                   // answer the engine may be destroyed. A failed write leaves
                   // the ledger in memory ahead of the disk.
                   if (!status.ok()) {
                     ledger_.Invalidate();
                     evidence_.Invalidate();
                   }
                   auto waiting = TakeWaiting(id, status.ok());
                   if (status.ok()) {
                     // The write's seal (PutSealed) was its last other use.
                     done(std::move(*receipt));
                   } else {
                     done(status);
                   }
                   // After the sender's receipt, which would otherwise wait
                   // for the report to be sent on (the listener may send it
                   // from this thread: Forwarder::Offer). The listener is
                   // this call's own copy, not the engine's.
                   if (status.ok() && listener) listener(queued);
                   Retry(std::move(waiting), status);
                 });
}

std::vector<std::pair<StoredReport, RelayEngine::ReceiptCallback>>
RelayEngine::TakeWaiting(const std::string& id, bool landed) {
  absl::MutexLock lock(&mu_);
  // The write of `id` landed (or failed): a tick evaluates it afresh.
  watch_.Landed(id, landed);
  auto node = writing_.extract(id);
  return std::move(node.mapped().waiting);
}

void RelayEngine::Retry(
    std::vector<std::pair<StoredReport, ReceiptCallback>> waiting,
    const absl::Status& status) {
  for (auto& [arrival, done] : waiting) {
    if (status.ok()) {
      Store(std::move(arrival), std::move(done));
    } else {
      done(status);
    }
  }
}

void RelayEngine::RecordOtherPath(StoredReport existing,
                                  const StoredReport& arrival,
                                  ReceiptCallback done) {
  Receipt receipt = ReceiptFor(existing, /*duplicate=*/true);
  // The same path again (a resend after a lost receipt) adds nothing.
  auto same_path = [&](const google::protobuf::RepeatedPtrField<HopRecord>& a) {
    if (a.size() != arrival.hops_size()) return false;
    for (int i = 0; i < a.size(); ++i) {
      if (a[i].node() != arrival.hops(i).node() ||
          a[i].standby() != arrival.hops(i).standby()) {
        return false;
      }
    }
    return true;
  };
  bool known = same_path(existing.hops());
  for (const Path& p : existing.other_paths()) {
    if (known || !same_path(p.hops())) continue;
    known = true;
    const HopRecord& own = p.hops(p.hops_size() - 1);
    if (own.has_receipt()) {  // that arrival's own signed receipt
      receipt = own.receipt();
      receipt.set_duplicate(true);
    }
  }
  if (known) {
    // As the sender was first given it: with the signer's chain.
    absl::Status resolved = chains_.Resolve(&receipt);
    if (resolved.ok()) {
      done(receipt);
    } else {
      done(resolved);
    }
    return;
  }
  Path* path = existing.add_other_paths();
  *path->mutable_hops() = arrival.hops();
  HopRecord* hop = path->mutable_hops(path->hops_size() - 1);
  *hop->mutable_stored_at() = ToProto(clock_->TimeNow());
  StoreBatch batch;
  absl::Status sealed = evidence_.Seal(existing.report(), hop, &batch);
  if (!sealed.ok()) {
    done(sealed);
    return;
  }
  if (hop->has_receipt()) {
    receipt = hop->receipt();
    receipt.set_duplicate(true);
  }
  // Unsigned here: the first arrival's receipt, as stored.
  absl::Status resolved = chains_.Resolve(&receipt);
  if (!resolved.ok()) {
    done(resolved);
    return;
  }
  auto proven = std::make_shared<Receipt>(std::move(receipt));
  std::string id = existing.report().report_id();
  writing_[id].report = existing.report();
  const int sealed_path = existing.other_paths_size();
  evidence_.PutReport(std::move(existing), sealed_path, proven, &batch);
  store_->Commit(std::move(batch), [this, id, proven, done = std::move(done)](
                                       absl::Status status) {
    if (!status.ok()) evidence_.Invalidate();
    auto waiting = TakeWaiting(id, status.ok());
    if (status.ok()) {
      done(std::move(*proven));
    } else {
      done(status);
    }
    Retry(std::move(waiting), status);
  });
}

namespace {

// The forwarding record of `report_id` to `upstream`, or a fresh one.
Forwarding ForwardingTo(const ReportStore& store, const std::string& report_id,
                        const std::string& upstream) {
  absl::StatusOr<std::vector<Forwarding>> all = store.GetForwardings(report_id);
  if (all.ok()) {
    for (Forwarding& f : *all) {
      if (f.to() == upstream) return std::move(f);
    }
  }
  Forwarding fresh;
  fresh.set_to(upstream);
  return fresh;
}

}  // namespace

Forwarding RelayEngine::ForwardingOf(const std::string& upstream,
                                     const std::string& report_id) const {
  if (mirror_ != nullptr) {
    std::optional<Forwarding> held = mirror_->ForwardingOf(upstream, report_id);
    if (held) return *std::move(held);
  }
  return ForwardingTo(*store_, report_id, upstream);
}

absl::StatusOr<std::vector<OutboundReport>> RelayEngine::NextOutbound(
    const std::string& upstream, size_t max,
    const absl::flat_hash_set<std::string>& in_flight) {
  absl::StatusOr<std::vector<QueuedReport>> queued =
      outbox_.Next(upstream, max, in_flight);
  if (!queued.ok()) return queued.status();
  absl::Time now = clock_->TimeNow();
  std::vector<OutboundReport> result;
  result.reserve(queued->size());
  for (QueuedReport& q : *queued) {
    OutboundReport out{std::move(q.entry), std::move(q.report)};
    // The copy that travels up carries only the primary path, with this
    // node's hop stamped with this hand-off and the deadlines it missed.
    out.payload.clear_other_paths();
    // The receipts travel with their signers' chains. One whose chain is
    // missing here goes as stored (naming it by digest) rather than holding
    // the report back: the upstream's evidence of that hop then says so.
    absl::Status resolved = chains_.Resolve(&out.payload);
    if (!resolved.ok()) {
      Log(LogLevel::kWarning, "receipt sent without its signer chain",
          {{"report_id", out.entry.report_id},
           {"upstream", upstream},
           {"error", std::string(resolved.message())}});
    }
    HopRecord* own = out.payload.mutable_hops(out.payload.hops_size() - 1);
    const Forwarding& recorded = q.forwarding;
    Forwarding* forwarding = own->add_forwarded();
    // The region, so that the next hop matches it (a standby is its region).
    forwarding->set_to(RegionOfLink(upstream));
    forwarding->set_route(recorded.route());
    forwarding->set_reason(recorded.reason());
    *forwarding->mutable_sent_at() = ToProto(now);
    for (Breach& b :
         BreachesAtSend(out.payload, options_.deadlines, options_.node, now)) {
      *own->add_breaches() = std::move(b);
    }
    result.push_back(std::move(out));
  }
  return result;
}

void RelayEngine::RecordReceipt(const std::string& upstream,
                                const OutboxEntry& entry, Receipt receipt,
                                absl::Time first_sent, uint32_t attempts,
                                std::function<void(absl::Status)> done) {
  Forwarding forwarding = ForwardingOf(upstream, entry.report_id);
  *forwarding.mutable_sent_at() = ToProto(first_sent);
  *forwarding.mutable_acked_at() = ToProto(clock_->TimeNow());
  forwarding.set_attempts(attempts);
  *forwarding.mutable_receipt() = std::move(receipt);
  StoreBatch batch;
  chains_.Compact(forwarding.mutable_receipt(), &batch);
  Outbox::Remove(upstream, entry, &batch);
  batch.Put(ReportStore::ForwardingKey(entry.report_id, upstream),
            forwarding.SerializeAsString());
  CommitHandOff(entry.report_id, std::move(forwarding), std::move(batch),
                std::move(done));
}

void RelayEngine::CommitHandOff(const std::string& report_id,
                                Forwarding forwarding, StoreBatch batch,
                                std::function<void(absl::Status)> done) {
  store_->Commit(std::move(batch),
                 [this, report_id, forwarding = std::move(forwarding),
                  done = std::move(done)](absl::Status status) {
                   if (status.ok()) {
                     absl::MutexLock lock(&mu_);
                     // The hand-off meets a deadline.
                     watch_.HandOff(report_id, forwarding);
                   }
                   done(status);
                 });
}

DeadlineWatch::View RelayEngine::ArrivalView(const StoredReport& stored,
                                             const StoreBatch& batch) const {
  if (!options_.peer.empty() && IsPeerCopy(stored)) return nullptr;
  StoredReport view = DeadlineView(stored);
  // As Timeline reads it back: this node's hop with its forwarding records.
  view.mutable_hops(view.hops_size() - 1)->clear_forwarded();
  const std::string records =
      keys::ForwardingPrefix(stored.report().report_id());
  for (const auto& [key, value] : batch.ops()) {
    Forwarding f;
    if (value && absl::StartsWith(key, records) && f.ParseFromString(*value)) {
      PutOwnForwarding(f, &view);
    }
  }
  return std::make_shared<const StoredReport>(std::move(view));
}

void RelayEngine::RecordRefusal(const std::string& upstream,
                                const OutboxEntry& entry,
                                const std::string& reason,
                                std::function<void(absl::Status)> done) {
  StoreBatch batch;
  Outbox::Remove(upstream, entry, &batch);
  Forwarding held =
      Hold(&batch, entry.key, ForwardingOf(upstream, entry.report_id),
           entry.report_id, reason);
  CommitHandOff(entry.report_id, std::move(held), std::move(batch),
                std::move(done));
}

Forwarding RelayEngine::Hold(StoreBatch* batch, const std::string& outbox_key,
                             Forwarding forwarding,
                             const std::string& report_id,
                             const std::string& reason) {
  forwarding.set_refused(reason);
  batch->Put(Outbox::HeldKey(outbox_key), report_id);
  batch->Put(ReportStore::ForwardingKey(report_id, forwarding.to()),
             forwarding.SerializeAsString());
  return forwarding;
}

void RelayEngine::RefuseConflict(const StoredReport& offered,
                                 const IncidentReport& stored,
                                 ReceiptCallback done) {
  const std::string& id = stored.report_id();
  const HopRecord& hop = offered.hops(offered.hops_size() - 1);
  StoreBatch batch;
  batch.Put(ReportStore::ConflictKey(id, store_->NextSeq()),
            MakeConflictRecord(offered.report(), stored, hop.received_from(),
                               FromProto(hop.received_at()))
                .SerializeAsString());
  // Answered once the record is durable, so that an auditor finds every
  // conflict a sender was told about.
  store_->Commit(std::move(batch), [id, done = std::move(done)](absl::Status) {
    done(Conflict(id));
  });
}

absl::StatusOr<StoredReport> RelayEngine::Timeline(
    const std::string& report_id) const {
  absl::StatusOr<StoredReport> stored = StoredTimeline(report_id);
  if (stored.ok()) RETURN_IF_ERROR(chains_.Resolve(&*stored));
  return stored;
}

absl::StatusOr<std::vector<StoredReport>> RelayEngine::ListReports(
    const std::string& after_id, size_t limit,
    const std::function<bool(const StoredReport&)>& filter) const {
  absl::StatusOr<std::vector<StoredReport>> reports =
      store_->ListReports(after_id, limit, filter);
  if (!reports.ok()) return reports.status();
  for (StoredReport& r : *reports) RETURN_IF_ERROR(chains_.Resolve(&r));
  return reports;
}

absl::StatusOr<StoredReport> RelayEngine::StoredTimeline(
    const std::string& report_id) const {
  absl::StatusOr<StoredReport> stored = store_->GetReport(report_id);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<std::vector<Forwarding>> forwardings =
      store_->GetForwardings(report_id);
  if (!forwardings.ok()) return forwardings.status();
  HopRecord* own = stored->mutable_hops(stored->hops_size() - 1);
  own->clear_forwarded();
  for (Forwarding& f : *forwardings) *own->add_forwarded() = std::move(f);
  return stored;
}

std::vector<DeadlineStatus> RelayEngine::DeadlinesOf(const StoredReport& stored,
                                                     absl::Time now) const {
  // A copy from the other node of this region is that node's to forward.
  if (!options_.peer.empty() && IsPeerCopy(stored)) return {};
  // A department owes its hand-off even at the top of its line (across).
  const bool hands_on =
      !options_.parent.empty() ||
      (!NodeDepartment(options_.node).empty() && !options_.across.empty());
  return ReportDeadlines(stored, options_.deadlines, options_.node, hands_on,
                         now);
}

void RelayEngine::SetLinkUp(const std::string& upstream, bool up) {
  absl::MutexLock lock(&mu_);
  if (up) {
    links_down_.erase(upstream);
  } else if (links_down_.insert(upstream).second) {
    // What the engine does about a watched report depends on which links
    // are down (escalation, the standby, a peer copy): each is looked at
    // again at the next tick.
    watch_.TouchAll();
  }
}

void RelayEngine::Escalate(const StoredReport& stored, const std::string& why,
                           StoreBatch* batch) {
  const std::string& id = stored.report().report_id();
  // The nearest level above the parent that is not known to be down; the
  // province if all are.
  for (size_t i = 0; i < options_.ancestors.size(); ++i) {
    const std::string& target = options_.ancestors[i];
    bool last = i + 1 == options_.ancestors.size();
    if (links_down_.contains(target) && !last) continue;
    if (ForwardingTo(*store_, id, target).route() != ROUTE_UNSPECIFIED) {
      return;  // already on its way there (e.g. the direct route)
    }
    QueueFor(target, ROUTE_ESCALATED, why, stored, batch);
    return;
  }
}

EventRecord RelayEngine::LoadEvent(const std::string& event_id) const {
  EventRecord event;
  // A point read: the bloom filters answer for an event not stored here
  // (every new event at its first node) without reading a table block.
  absl::StatusOr<std::string> value =
      store_->Get(ReportStore::EventKey(event_id));
  // Absent or unreadable: the event starts afresh, as if new.
  if (value.ok() && !event.ParseFromString(*value)) event.Clear();
  return event;
}

std::vector<std::pair<StoredReport, std::vector<DeadlineStatus>>>
RelayEngine::Evaluate(const std::vector<std::string>& ids,
                      const std::string& region, absl::Time now) const {
  std::vector<std::pair<StoredReport, std::vector<DeadlineStatus>>> out;
  for (const std::string& id : ids) {
    absl::StatusOr<StoredReport> stored = StoredTimeline(id);
    if (!stored.ok() ||
        !RegionContains(region, stored->report().location().region_code())) {
      continue;
    }
    std::vector<DeadlineStatus> deadlines = DeadlinesOf(*stored, now);
    out.emplace_back(*std::move(stored), std::move(deadlines));
  }
  return out;
}

std::vector<DeadlineWatch::Due> RelayEngine::CatchUpChunk(absl::Time now,
                                                          bool* finished) {
  *finished = false;
  std::string from;
  {
    absl::MutexLock lock(&mu_);
    if (catch_up_from_.empty()) return {};
    from = catch_up_from_;
  }
  std::vector<DeadlineWatch::Due> chunk;
  std::string next;
  absl::Status scanned = store_->Scan(
      keys::kRecent, from, [&](const std::string& key, const std::string&) {
        if (chunk.size() == kCatchUpChunk) {
          next = key;
          return false;
        }
        std::optional<keys::RecentEntry> entry = keys::ParseRecent(key);
        if (entry && entry->received <= now) {
          chunk.push_back(
              {std::move(entry->report_id), entry->received, nullptr});
        }
        return true;
      });
  absl::MutexLock lock(&mu_);
  // Unreadable: the reports arriving from now on are still watched.
  catch_up_from_ = scanned.ok() ? next : "";
  caught_up_ += chunk.size();
  *finished = catch_up_from_.empty();
  return chunk;
}

bool RelayEngine::MayActOn(const std::vector<DeadlineStatus>& deadlines) const {
  const bool at_risk = std::any_of(
      deadlines.begin(), deadlines.end(), [&](const DeadlineStatus& s) {
        return s.responsible() == options_.node &&
               (s.state() == DEADLINE_STATE_AT_RISK ||
                s.state() == DEADLINE_STATE_OVERDUE);
      });
  if (!at_risk) return false;
  absl::MutexLock lock(&mu_);
  return !links_down_.empty();
}

void RelayEngine::EvaluateDue(const std::vector<DeadlineWatch::Due>& due,
                              bool quiet, absl::Time now, DeadlineTick* tick) {
  StoreBatch* batch = &tick->batch;
  for (const DeadlineWatch::Due& d : due) {
    // The view the writes handed over, or the report read back from the
    // store: outside the lock, one at a time (memory does not grow with the
    // number due).
    std::optional<StoredReport> read;
    auto read_back = [&] {
      ++deadline_store_reads_;
      absl::StatusOr<StoredReport> timeline = StoredTimeline(d.id);
      if (timeline.ok()) read = *std::move(timeline);
      return read.has_value();
    };
    if (d.view == nullptr && !read_back()) {
      continue;  // not landed yet: its write touches it again
    }
    const StoredReport* stored = read ? &*read : d.view.get();
    const bool ours = RegionContains(options_.region,
                                     stored->report().location().region_code());
    std::vector<DeadlineStatus> deadlines;
    if (ours) deadlines = DeadlinesOf(*stored, now);
    // An escalation or a turn to a standby queues the report itself: decided
    // on the full record, read only when one may be due.
    if (!read && ours && MayActOn(deadlines)) {
      if (!read_back()) continue;
      stored = &*read;
      deadlines = DeadlinesOf(*stored, now);
    }
    absl::MutexLock lock(&mu_);
    if (ours && !options_.peer.empty() && IsPeerCopy(*stored)) {
      // No deadline of this node's: the other node's hand-off is watched.
      const size_t queued = batch->ops().size();
      watch_.WakeAt(d.id, d.received, WatchPeerCopy(*stored, now, batch));
      if (batch->ops().size() != queued) tick->requeued.push_back(d.id);
      continue;
    }
    DeadlineWatch::Outcome outcome;
    watch_.Fold(d.id, d.received, deadlines, now, quiet, &outcome);
    for (const DeadlineStatus& s : outcome.newly_late) PutBreach(s, batch);
    for (DeadlineStatus& s : outcome.changed) {
      tick->changed.push_back(std::move(s));
      tick->regions.push_back(stored->report().location().region_code());
    }
    // A view means no action was due when MayActOn looked; a link that went
    // down since touched every report for the next tick.
    if (!read) continue;
    const size_t queued = batch->ops().size();
    FailOverToStandby(*stored, deadlines, batch);
    for (const DeadlineStatus& s : deadlines) {
      bool own_hand_off_late = s.rule() == DEADLINE_RULE_PER_HOP &&
                               s.responsible() == options_.node &&
                               (s.state() == DEADLINE_STATE_AT_RISK ||
                                s.state() == DEADLINE_STATE_OVERDUE);
      if (own_hand_off_late && links_down_.contains(options_.parent) &&
          !options_.ancestors.empty() && watch_.MarkEscalated(d.id)) {
        Escalate(*stored,
                 absl::StrCat("parent ", options_.parent,
                              " unreachable and the hand-off deadline ",
                              s.state() == DEADLINE_STATE_AT_RISK ? "at risk"
                                                                  : "passed"),
                 batch);
      }
    }
    if (batch->ops().size() != queued) tick->requeued.push_back(d.id);
  }
}

void RelayEngine::FeedDeadlineChange(const DeadlineStatus& s,
                                     const std::string& region, absl::Time now,
                                     StoreBatch* batch) const {
  if (s.state() != DEADLINE_STATE_AT_RISK &&
      s.state() != DEADLINE_STATE_OVERDUE &&
      s.state() != DEADLINE_STATE_MET_LATE) {
    return;
  }
  const std::string key =
      keys::FedDeadlineState(DeadlineRule_Name(s.rule()), s.report_id(),
                             s.event_id(), s.responsible());
  const std::string state = DeadlineState_Name(s.state());
  absl::StatusOr<std::string> fed = store_->Get(key);
  if (fed.ok() && *fed == state) return;
  batch->Put(key, state);
  batch->Record(DeadlineItem(s, region, now));
}

absl::StatusOr<std::vector<DeadlineStatus>> RelayEngine::CheckDeadlines(
    absl::Time now) {
  DeadlineTick tick;
  // After a restart: the window's states are learnt, not reported.
  bool caught_up = false;
  EvaluateDue(CatchUpChunk(now, &caught_up), /*quiet=*/true, now, &tick);
  if (caught_up) {
    // One line for the whole window, never one per report.
    absl::MutexLock lock(&mu_);
    Log(LogLevel::kInfo, "deadline window read after the start",
        {{"reports", absl::StrCat(caught_up_)},
         {"watched", absl::StrCat(watch_.size())}});
  }
  std::vector<DeadlineWatch::Due> due;
  {
    absl::MutexLock lock(&mu_);
    due = watch_.TakeDue(now);
  }
  EvaluateDue(due, /*quiet=*/false, now, &tick);

  OutboxListener listener;
  {
    absl::MutexLock lock(&mu_);
    listener = outbox_listener_;
    for (const auto& [id, event] : events_) {
      auto& states = event_states_[id];
      for (const DeadlineStatus& s :
           EventDeadlines(event, options_.deadlines, now)) {
        DeadlineState& last = states[DeadlineWatch::StateKey(s)];
        if (last == s.state()) continue;
        if (DeadlineWatch::IsLate(s.state()) && !DeadlineWatch::IsLate(last)) {
          PutBreach(s, &tick.batch);
        }
        // The first tick after a restart learns the states.
        if (events_learnt_ && DeadlineWatch::IsNews(last, s.state())) {
          tick.changed.push_back(s);
          tick.regions.push_back(event.region_code());
        }
        last = s.state();
      }
    }
    events_learnt_ = true;
  }
  for (size_t i = 0; i < tick.changed.size(); ++i) {
    FeedDeadlineChange(tick.changed[i], tick.regions[i], now, &tick.batch);
  }
  if (!tick.batch.empty()) {
    // Waited for: the next tick must see the escalations it decided on.
    // Outside the lock: intake must not wait for this sync (the batch holds
    // breach records, feed items and outbox entries, nothing Store orders
    // against).
    std::vector<std::string> queued = Outbox::QueuedIn(tick.batch);
    absl::Status written = store_->CommitAndWait(std::move(tick.batch));
    if (!written.ok()) return written;
    {
      absl::MutexLock lock(&mu_);
      for (const std::string& id : tick.requeued) watch_.TouchIfWatched(id);
    }
    if (listener) listener(queued);
  }
  return std::move(tick.changed);
}

absl::StatusOr<std::vector<DeadlineStatus>> RelayEngine::ListDue(
    const std::string& region, absl::Time now, bool include_met) const {
  // Open reports, and closed ones that were late (recent breaches); with
  // include_met every watched one.
  std::vector<std::string> ids;
  std::vector<DeadlineStatus> due;
  if (include_met) {
    // Every report of the window: read from the arrival index.
    RETURN_IF_ERROR(store_->Scan(
        keys::kRecent,
        keys::Recent(now - DeadlineWatch::Lookback(options_.deadlines), ""),
        [&](const std::string& key, const std::string&) {
          std::optional<keys::RecentEntry> entry = keys::ParseRecent(key);
          if (entry) ids.push_back(std::move(entry->report_id));
          return true;
        }));
  }
  {
    absl::MutexLock lock(&mu_);
    if (!include_met) ids = watch_.Listed();
    for (const auto& [id, event] : events_) {
      if (!RegionContains(region, event.region_code())) continue;
      for (DeadlineStatus& s : EventDeadlines(event, options_.deadlines, now)) {
        due.push_back(std::move(s));
      }
    }
  }
  for (auto& [stored, deadlines] : Evaluate(ids, region, now)) {
    for (DeadlineStatus& s : deadlines) {
      if (include_met || s.state() != DEADLINE_STATE_MET) {
        due.push_back(std::move(s));
      }
    }
  }
  std::sort(due.begin(), due.end(),
            [](const DeadlineStatus& a, const DeadlineStatus& b) {
              return FromProto(a.due()) < FromProto(b.due());
            });
  return due;
}

}  // namespace kuaibao
