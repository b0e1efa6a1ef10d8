#include "relay/store_repair.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/origin_ledger.h"
#include "relay/proto_time.h"
#include "relay/relay_engine.h"
#include "relay/signer_chains.h"
#include "relay/standby_links.h"

namespace kuaibao {
namespace {

// Every value under `prefix` that does not decode as `Message` is listed and
// deleted.
template <typename Message>
absl::Status DropUndecodable(const ReportStore& store,
                             const std::string& prefix, RepairSummary* summary,
                             StoreBatch* batch) {
  return store.Scan(prefix, "",
                    [&](absl::string_view key, absl::string_view value) {
                      Message message;
                      if (!message.ParseFromArray(
                              value.data(), static_cast<int>(value.size()))) {
                        summary->undecodable.emplace_back(key);
                        batch->Delete(std::string(key));
                      }
                      return true;
                    });
}

}  // namespace

absl::StatusOr<RepairSummary> RepairStore(const std::string& dir,
                                          const std::vector<RepairLink>& links,
                                          absl::Time now) {
  RepairSummary summary;
  ASSIGN_OR_RETURN(summary.scrub, ReportStore::Repair(dir, {}));
  ASSIGN_OR_RETURN(std::unique_ptr<ReportStore> store,
                   ReportStore::Open(dir, {}));

  StoreBatch cleanup;
  RETURN_IF_ERROR(DropUndecodable<StoredReport>(*store, keys::kReports,
                                                &summary, &cleanup));
  RETURN_IF_ERROR(DropUndecodable<Forwarding>(*store, keys::kForwardings,
                                              &summary, &cleanup));
  RETURN_IF_ERROR(
      DropUndecodable<EventRecord>(*store, keys::kEvents, &summary, &cleanup));
  RETURN_IF_ERROR(DropUndecodable<ConflictRecord>(*store, keys::kConflicts,
                                                  &summary, &cleanup));
  RETURN_IF_ERROR(
      DropUndecodable<Breach>(*store, keys::kBreaches, &summary, &cleanup));
  // Signer chains (relay/signer_chains.h): kept unless damaged, which is
  // when the value does not decode or does not hash to the digest its key
  // names (receipts naming it then say so, instead of showing another
  // chain).
  RETURN_IF_ERROR(store->Scan(
      keys::kSignerChains, "",
      [&](absl::string_view key, absl::string_view value) {
        v1::SignerChain chain;
        if (!chain.ParseFromArray(value.data(),
                                  static_cast<int>(value.size())) ||
            keys::SignerChain(SignerChains::DigestOf(chain.certs())) != key) {
          summary.undecodable.emplace_back(key);
          cleanup.Delete(std::string(key));
        }
        return true;
      }));
  // Ledger records: a head per origin (key ends in the head mark), gaps.
  RETURN_IF_ERROR(store->Scan(
      keys::kLedger, "", [&](absl::string_view key, absl::string_view value) {
        bool head = key.back() == keys::kLedgerHeadMark;
        OriginRecord record;
        SequenceGap gap;
        bool decodes = head ? record.ParseFromArray(
                                  value.data(), static_cast<int>(value.size()))
                            : gap.ParseFromArray(
                                  value.data(), static_cast<int>(value.size()));
        if (!decodes) {
          summary.undecodable.emplace_back(key);
          cleanup.Delete(std::string(key));
        }
        return true;
      }));
  RETURN_IF_ERROR(store->CommitAndWait(std::move(cleanup)));

  // The reports left, and each origin's numbers among them.
  absl::flat_hash_set<std::string> ids;
  std::map<std::string, std::vector<uint64_t>> present;
  RETURN_IF_ERROR(store->Scan(
      keys::kReports, "", [&](absl::string_view, absl::string_view value) {
        StoredReport stored;
        stored.ParseFromArray(value.data(), static_cast<int>(value.size()));
        ids.insert(stored.report().report_id());
        present[stored.report().origin()].push_back(
            stored.report().origin_seq());
        return true;
      }));
  summary.reports = ids.size();

  StoreBatch batch;
  Outbox outbox(store.get());
  for (const RepairLink& link : links) {
    const std::string& upstream = link.link;
    absl::flat_hash_set<std::string> queued;
    absl::flat_hash_set<std::string> queue_keys;
    for (const std::string& prefix :
         {keys::QueuePrefix(upstream), keys::HeldPrefix(upstream)}) {
      RETURN_IF_ERROR(store->Scan(
          prefix, "", [&](absl::string_view key, absl::string_view id) {
            if (ids.contains(id)) {
              queued.insert(std::string(id));
              queue_keys.insert(std::string(key));
            } else {
              ++summary.dangling;
              batch.Delete(std::string(key));
            }
            return true;
          }));
    }
    // Event index entries whose queue entry is gone.
    RETURN_IF_ERROR(
        store->Scan(keys::EventIndexPrefix(upstream), "",
                    [&](absl::string_view key, absl::string_view queue_key) {
                      if (!queue_keys.contains(queue_key))
                        batch.Delete(std::string(key));
                      return true;
                    }));
    for (const std::string& id : ids) {
      if (queued.contains(id)) continue;
      absl::StatusOr<std::string> value =
          store->Get(ReportStore::ForwardingKey(id, upstream));
      Forwarding forwarding;
      if (value.ok()) forwarding.ParseFromString(*value);
      if (IsSet(forwarding.acked_at())) continue;  // the upstream has it
      ASSIGN_OR_RETURN(StoredReport stored, store->GetReport(id));
      // Those on their way there always; the rest by the link's rule.
      if (!value.ok() &&
          (link.requeue != RepairLink::kEvery || IsPeerCopy(stored))) {
        continue;
      }
      if (!value.ok()) {
        forwarding.set_to(upstream);
        forwarding.set_route(ROUTE_PARENT);
        batch.Put(ReportStore::ForwardingKey(id, upstream),
                  forwarding.SerializeAsString());
      }
      Outbox::Queue(
          upstream,
          outbox.KeyFor(upstream, RelayEngine::PriorityOf(stored.report()),
                        stored),
          stored, &batch);
      ++summary.requeued[upstream];
    }
  }
  OriginLedger ledger(store.get());
  ASSIGN_OR_RETURN(StoreBatch ledger_writes, ledger.Reconcile(present, now));
  batch.Append(std::move(ledger_writes));
  RETURN_IF_ERROR(store->CommitAndWait(std::move(batch)));
  // Repair dropped queue entries the tally counted.
  RETURN_IF_ERROR(outbox.RecountBacklog(/*always=*/true));

  for (const RepairLink& link : links) {
    ASSIGN_OR_RETURN(summary.queues[link.link], outbox.Summarize(link.link));
  }
  ASSIGN_OR_RETURN(summary.origins,
                   ledger.List("", SIZE_MAX, nullptr, now, absl::Hours(2)));
  return summary;
}

}  // namespace kuaibao
