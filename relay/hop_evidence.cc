#include "relay/hop_evidence.h"

#include "relay/base/status_macros.h"
#include "relay/evidence_encoding.h"
#include "relay/proto_time.h"

namespace kuaibao {

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
  if (signer == nullptr) return absl::OkStatus();
  absl::Status signed_receipt = signer->Sign(receipt);
  // The link is not written after all: the next one must not follow it.
  if (!signed_receipt.ok()) chain_.Invalidate();
  return signed_receipt;
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
