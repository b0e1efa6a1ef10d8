#include "relay/relay_engine.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

absl::Status Conflict(const std::string& id) {
  return FieldError(absl::StatusCode::kAlreadyExists, "report_id",
                    absl::StrCat("report id ", id,
                                 " is already used by a different report; a "
                                 "changed report needs a new id"));
}

// Equal; a resend that leaves origin_seq to the node matches the copy the
// node numbered.
bool SameReport(const IncidentReport& stored, const IncidentReport& incoming) {
  if (incoming.origin_seq() == 0 && stored.origin_seq() != 0) {
    IncidentReport numbered = incoming;
    numbered.set_origin_seq(stored.origin_seq());
    return google::protobuf::util::MessageDifferencer::Equals(stored, numbered);
  }
  return google::protobuf::util::MessageDifferencer::Equals(stored, incoming);
}

}  // namespace

RelayEngine::RelayEngine(RelayOptions options, ReportStore* store,
                         const RegionTable* regions, Clock* clock)
    : options_(std::move(options)),
      store_(store),
      regions_(regions),
      clock_(clock),
      outbox_(store),
      ledger_(store) {}

void RelayEngine::SetOutboxListener(std::function<void()> listener) {
  absl::MutexLock lock(&mu_);
  outbox_listener_ = std::move(listener);
}

void RelayEngine::SetAdmissionControl(const AdmissionControl* admission) {
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
  Store(std::move(stored), /*first_node=*/true, std::move(done));
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
  HopRecord* hop = relayed.add_hops();
  hop->set_node(options_.region);
  hop->set_received_from(child.uri);
  *hop->mutable_received_at() = ToProto(now);
  Store(std::move(relayed), /*first_node=*/false, std::move(done));
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

void RelayEngine::Store(StoredReport stored, bool first_node,
                        ReceiptCallback done) {
  const std::string id = stored.report().report_id();
  {
    absl::MutexLock lock(&mu_);
    auto writing = writing_.find(id);
    if (writing != writing_.end()) {
      // Same id while its first write is in progress: answer when it lands.
      if (!SameReport(writing->second.report, stored.report())) {
        done(Conflict(id));
      } else {
        writing->second.duplicates.push_back(std::move(done));
      }
      return;
    }
    // Reading under the lock: a report only becomes visible through a
    // write registered in writing_, so nothing can slip in between.
    absl::StatusOr<StoredReport> existing = store_->GetReport(id);
    if (existing.ok()) {
      if (!SameReport(existing->report(), stored.report())) {
        done(Conflict(id));
      } else {
        done(ReceiptFor(*existing, /*duplicate=*/true));
      }
      return;
    }
    if (!absl::IsNotFound(existing.status())) {
      done(existing.status());
      return;
    }
    // Only new reports are refused for lack of space: a resend above was
    // acknowledged from what is stored.
    if (admission_ != nullptr) {
      absl::Status admitted = admission_->Check();
      if (!admitted.ok()) {
        done(admitted);
        return;
      }
    }
    writing_[id].report = stored.report();
  }

  absl::Time now = clock_->TimeNow();
  HopRecord* hop = stored.mutable_hops(stored.hops_size() - 1);
  *hop->mutable_stored_at() = ToProto(now);
  int priority = PriorityOf(stored.report());
  auto receipt = std::make_shared<Receipt>(ReceiptFor(stored, false));
  std::function<void(absl::Status)> finish =
      [this, id, receipt, done = std::move(done)](absl::Status status) {
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
      };
  // The ledger numbers the report and queues the write in one step, so that
  // its records reach the disk in the order it computed them.
  absl::Status recorded = ledger_.Record(
      stored.mutable_report(), first_node, now, StoreBatch(),
      [&](StoreBatch batch) {
        for (const std::string& upstream : options_.upstreams) {
          outbox_.Add(upstream, priority, stored, &batch);
          Forwarding forwarding;
          forwarding.set_to(upstream);
          batch.Put(ReportStore::ForwardingKey(id, upstream),
                    forwarding.SerializeAsString());
        }
        batch.Put(ReportStore::ReportKey(id), stored.SerializeAsString());
        store_->Commit(std::move(batch), finish);
      });
  if (!recorded.ok()) finish(recorded);
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
  Outbox::Remove(upstream, entry, &batch);
  batch.Put(ReportStore::ForwardingKey(entry.report_id, upstream),
            forwarding.SerializeAsString());
  store_->Commit(std::move(batch), std::move(done));
}

void RelayEngine::RecordRefusal(const std::string& upstream,
                                const OutboxEntry& entry,
                                const std::string& reason,
                                std::function<void(absl::Status)> done) {
  Forwarding forwarding;
  forwarding.set_to(upstream);
  forwarding.set_refused(reason);
  StoreBatch batch;
  Outbox::Hold(upstream, entry, &batch);
  batch.Put(ReportStore::ForwardingKey(entry.report_id, upstream),
            forwarding.SerializeAsString());
  store_->Commit(std::move(batch), std::move(done));
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
