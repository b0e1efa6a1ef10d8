#include "relay/relay_engine.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "relay/base/log.h"
#include "relay/classification.h"
#include "relay/conflict_record.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

absl::Status Conflict(const std::string& id) {
  return FieldError(absl::StatusCode::kAlreadyExists, "report_id",
                    absl::StrCat("report id ", id,
                                 " is already used by a different report; a "
                                 "changed report needs a new id"));
}

bool SameReport(const IncidentReport& a, const IncidentReport& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace

RelayEngine::RelayEngine(RelayOptions options, ReportStore* store,
                         const RegionTable* regions, Clock* clock)
    : options_(std::move(options)),
      store_(store),
      regions_(regions),
      clock_(clock) {}

void RelayEngine::SetOutboxListener(std::function<void()> listener) {
  absl::MutexLock lock(&mu_);
  outbox_listener_ = std::move(listener);
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
  hop->set_node(options_.region);
  hop->set_received_from(client.uri);
  *hop->mutable_received_at() = ToProto(now);
  Store(std::move(stored), std::move(done));
}

void RelayEngine::Accept(const Identity& child, StoredReport relayed,
                         ReceiptCallback done) {
  absl::Time now = clock_->TimeNow();
  if (child.role != Role::kNode) {
    done(absl::PermissionDeniedError(
        absl::StrCat("only a node certificate may relay reports; ", child.uri,
                     " is a ", RoleName(child.role))));
    return;
  }
  if (child.region == options_.region ||
      !RegionContains(options_.region, child.region)) {
    done(absl::PermissionDeniedError(
        absl::StrCat("node ", regions_->Describe(child.region),
                     " is not inside this node's region ",
                     regions_->Describe(options_.region))));
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
      relayed.hops(relayed.hops_size() - 1).node() != child.region) {
    done(FieldError(
        absl::StatusCode::kInvalidArgument, "hops",
        absl::StrCat("the last hop must be the sending node ", child.region)));
    return;
  }
  valid = ValidateHops(relayed, now, options_.limits);
  if (!valid.ok()) {
    done(valid);
    return;
  }
  HopRecord* hop = relayed.add_hops();
  hop->set_node(options_.region);
  hop->set_received_from(child.uri);
  *hop->mutable_received_at() = ToProto(now);
  Store(std::move(relayed), std::move(done));
}

Receipt RelayEngine::ReceiptFor(const StoredReport& stored,
                                bool duplicate) const {
  const HopRecord& hop = stored.hops(stored.hops_size() - 1);
  Receipt receipt;
  receipt.set_report_id(stored.report().report_id());
  receipt.set_node(options_.region);
  *receipt.mutable_received_at() = hop.received_at();
  *receipt.mutable_stored_at() = hop.stored_at();
  receipt.set_duplicate(duplicate);
  return receipt;
}

void RelayEngine::Store(StoredReport stored, ReceiptCallback done) {
  const std::string id = stored.report().report_id();
  IncidentReport conflicting;  // what holds the id, when it is not this
  {
    absl::MutexLock lock(&mu_);
    auto writing = writing_.find(id);
    if (writing != writing_.end()) {
      // Same id while its first write is in progress: answer when it lands.
      if (SameReport(writing->second.report, stored.report())) {
        writing->second.duplicates.push_back(std::move(done));
        return;
      }
      conflicting = writing->second.report;
    } else {
      // Reading under the lock: a report only becomes visible through a
      // write registered in writing_, so nothing can slip in between.
      absl::StatusOr<StoredReport> existing = store_->GetReport(id);
      if (existing.ok()) {
        if (SameReport(existing->report(), stored.report())) {
          done(ReceiptFor(*existing, /*duplicate=*/true));
          return;
        }
        conflicting = std::move(*existing->mutable_report());
      } else if (!absl::IsNotFound(existing.status())) {
        done(existing.status());
        return;
      } else {
        writing_[id].report = stored.report();
      }
    }
  }
  if (!conflicting.report_id().empty()) {
    RefuseConflict(stored, conflicting, std::move(done));
    return;
  }

  HopRecord* hop = stored.mutable_hops(stored.hops_size() - 1);
  *hop->mutable_stored_at() = ToProto(clock_->TimeNow());
  StoreBatch batch;
  int priority = PriorityOf(stored.report());
  for (const std::string& upstream : options_.upstreams) {
    std::string key =
        ReportStore::OutboxKey(upstream, priority, store_->NextSeq());
    absl::Status cleared =
        CheckCleared(stored.report(), options_.upstream_max_classification,
                     absl::StrCat("the link to ", upstream));
    if (!cleared.ok()) {
      // Never sent: kept here, held, with the reason in its timeline.
      Log(LogLevel::kWarning, "report held: above the link's classification",
          {{"report_id", id},
           {"upstream", upstream},
           {"classification",
            ClassificationName(stored.report().classification())}});
      Hold(&batch, upstream, key, id,
           absl::StrCat("held here: ", cleared.message()));
      continue;
    }
    batch.Put(key, id);
    Forwarding forwarding;
    forwarding.set_to(upstream);
    batch.Put(ReportStore::ForwardingKey(id, upstream),
              forwarding.SerializeAsString());
  }
  batch.Put(ReportStore::ReportKey(id), stored.SerializeAsString());

  auto receipt = std::make_shared<Receipt>(ReceiptFor(stored, false));
  store_->Commit(std::move(batch), [this, id, receipt, done = std::move(done)](
                                       absl::Status status) {
    std::vector<ReceiptCallback> duplicates;
    std::function<void()> listener;
    {
      absl::MutexLock lock(&mu_);
      auto node = writing_.extract(id);
      duplicates = std::move(node.mapped().duplicates);
      listener = outbox_listener_;
    }
    if (!status.ok()) {
      done(status);
      for (auto& d : duplicates) d(status);
      return;
    }
    done(*receipt);
    Receipt again = *receipt;
    again.set_duplicate(true);
    for (auto& d : duplicates) d(again);
    if (listener && !options_.upstreams.empty()) listener();
  });
}

absl::StatusOr<std::vector<OutboundReport>> RelayEngine::NextOutbound(
    const std::string& upstream, size_t max,
    const absl::flat_hash_set<std::string>& in_flight) {
  absl::StatusOr<std::vector<OutboxEntry>> entries =
      store_->PeekOutbox(upstream, max, in_flight);
  if (!entries.ok()) return entries.status();
  absl::Time now = clock_->TimeNow();
  std::vector<OutboundReport> result;
  result.reserve(entries->size());
  for (OutboxEntry& entry : *entries) {
    absl::StatusOr<StoredReport> stored = store_->GetReport(entry.report_id);
    if (!stored.ok()) return stored.status();
    OutboundReport out{std::move(entry), std::move(*stored)};
    Forwarding* forwarding =
        out.payload.mutable_hops(out.payload.hops_size() - 1)->add_forwarded();
    forwarding->set_to(upstream);
    *forwarding->mutable_sent_at() = ToProto(now);
    result.push_back(std::move(out));
  }
  return result;
}

void RelayEngine::RecordReceipt(const std::string& upstream,
                                const OutboxEntry& entry,
                                const Receipt& receipt, absl::Time first_sent,
                                uint32_t attempts,
                                std::function<void(absl::Status)> done) {
  Forwarding forwarding;
  forwarding.set_to(upstream);
  *forwarding.mutable_sent_at() = ToProto(first_sent);
  *forwarding.mutable_acked_at() = ToProto(clock_->TimeNow());
  forwarding.set_attempts(attempts);
  *forwarding.mutable_receipt() = receipt;
  StoreBatch batch;
  batch.Delete(entry.key);
  batch.Put(ReportStore::ForwardingKey(entry.report_id, upstream),
            forwarding.SerializeAsString());
  store_->Commit(std::move(batch), std::move(done));
}

void RelayEngine::RecordRefusal(const std::string& upstream,
                                const OutboxEntry& entry,
                                const std::string& reason,
                                std::function<void(absl::Status)> done) {
  StoreBatch batch;
  batch.Delete(entry.key);
  Hold(&batch, upstream, entry.key, entry.report_id, reason);
  store_->Commit(std::move(batch), std::move(done));
}

void RelayEngine::Hold(StoreBatch* batch, const std::string& upstream,
                       const std::string& outbox_key,
                       const std::string& report_id,
                       const std::string& reason) {
  Forwarding forwarding;
  forwarding.set_to(upstream);
  forwarding.set_refused(reason);
  batch->Put(ReportStore::HeldKey(outbox_key), report_id);
  batch->Put(ReportStore::ForwardingKey(report_id, upstream),
             forwarding.SerializeAsString());
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

}  // namespace kuaibao
