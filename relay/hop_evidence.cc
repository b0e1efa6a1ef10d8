#include "relay/hop_evidence.h"

#include "relay/base/status_macros.h"
#include "relay/evidence_encoding.h"
#include "relay/proto_time.h"
#include "relay/store/keys.h"

namespace kuaibao {

void HopEvidence::SetSigner(const ReceiptSigner* signer) {
  store_->SetGroupSealer(signer);
  signer_.store(signer);
}

absl::Status HopEvidence::Seal(const IncidentReport& report, HopRecord* hop,
                               StoreBatch* batch) {
  const std::string digest = Sha256Hex(ReportBytes(report));
  ASSIGN_OR_RETURN(ChainLink link,
                   chain_.Append(report.report_id(), digest, *hop, batch));
  Receipt* receipt = hop->mutable_receipt();
  receipt->set_report_id(report.report_id());
  receipt->set_node(region_);
  *receipt->mutable_received_at() = hop->received_at();
  *receipt->mutable_stored_at() = hop->stored_at();
  receipt->set_report_digest(digest);
  receipt->set_sender(hop->received_from());
  receipt->set_chain_seq(link.seq());
  receipt->set_chain_hash(link.hash());
  *hop->mutable_chain() = std::move(link);
  const ReceiptSigner* signer = signer_.load();
  if (signer != nullptr) signer->SetChain(receipt);
  return absl::OkStatus();
}

void HopEvidence::PutReport(StoredReport stored, int path,
                            std::shared_ptr<Receipt> receipt,
                            StoreBatch* batch) {
  std::string key = keys::Report(stored.report().report_id());
  auto sealed_hop = [path](StoredReport* s) {
    auto* hops = path == 0 ? s->mutable_hops()
                           : s->mutable_other_paths(path - 1)->mutable_hops();
    return hops->Mutable(hops->size() - 1);
  };
  const Receipt& own = sealed_hop(&stored)->receipt();
  const bool signed_here = !own.signer_chain().empty();  // else no signer
  std::string leaf = signed_here ? ReceiptSigner::LeafOf(own) : "";
  chains_->Compact(&stored, batch);
  auto written = std::make_shared<StoredReport>(std::move(stored));
  batch->AttachReport(written);
  if (!signed_here) {
    batch->Put(std::move(key), written->SerializeAsString());
    return;
  }
  batch->PutSealed(
      std::move(key), std::move(leaf),
      [written, sealed_hop,
       receipt = std::move(receipt)](const BatchInclusion& proof) {
        *sealed_hop(written.get())->mutable_receipt()->mutable_batch() = proof;
        *receipt->mutable_batch() = proof;
        return written->SerializeAsString();
      });
}

EvidenceBundle MakeEvidenceBundle(const std::string& node, absl::Time now,
                                  StoredReport timeline) {
  EvidenceBundle bundle;
  bundle.set_exported_by(node);
  *bundle.mutable_exported_at() = ToProto(now);
  bundle.set_report_bytes(ReportBytes(timeline.report()));
  *bundle.mutable_timeline() = std::move(timeline);
  return bundle;
}

}  // namespace kuaibao
