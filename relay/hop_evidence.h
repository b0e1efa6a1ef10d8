#ifndef KUAIBAO_RELAY_HOP_EVIDENCE_H_
#define KUAIBAO_RELAY_HOP_EVIDENCE_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kuaibao/v1/evidence.pb.h"
#include "relay/hop_chain.h"
#include "relay/receipt_signer.h"
#include "relay/report_types.h"
#include "relay/signer_chains.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// What a node adds to each hop record it stores so that the record can be
// checked later without trusting the node: its place in the node's hash
// chain (HopChain) and the receipt the node signs for it (ReceiptSigner),
// which goes to the sender and travels up inside the hop record. Receipts
// are signed once per synced write: the store seals the group of writes
// (ReportStore::SetGroupSealer) and each receipt gets its inclusion proof.
//
// Thread-safe; Seal's callers commit in the order of their calls (HopChain).
class HopEvidence {
 public:
  // Borrowed: `store` and `chains` outlive this. `region` is this node's.
  HopEvidence(ReportStore* store, SignerChains* chains, std::string region)
      : store_(store),
        chains_(chains),
        chain_(store),
        region_(std::move(region)) {}

  // Borrowed, and must outlive the store's writes; nullptr (the default)
  // leaves receipts unsigned.
  void SetSigner(const ReceiptSigner* signer);

  // Gives `hop`, this node's record of an arrival of `report` (its times
  // set), its chain link and its receipt (signed by PutReport's write);
  // adds the link to `batch`.
  absl::Status Seal(const IncidentReport& report, HopRecord* hop,
                    StoreBatch* batch);
  // Puts `stored` under its report key in `batch`, every receipt in it
  // naming its signer chain by digest (SignerChains::Compact). The hop
  // sealed last is
  // the last hop of path `path` (0: stored.hops(), i: other_paths(i - 1)).
  // With a signer its receipt is proven when the batch is written, and
  // `receipt` (not null) gets the same proof before the commit's callback
  // runs.
  void PutReport(StoredReport stored, int path,
                 std::shared_ptr<Receipt> receipt, StoreBatch* batch);
  // A write with sealed hops in it failed (HopChain::Invalidate).
  void Invalidate() { chain_.Invalidate(); }

 private:
  ReportStore* const store_;
  SignerChains* const chains_;
  HopChain chain_;
  const std::string region_;
  std::atomic<const ReceiptSigner*> signer_{nullptr};
};

// The evidence file of one report as node `node` holds it at `now`:
// `timeline` as RelayEngine::Timeline gives it.
EvidenceBundle MakeEvidenceBundle(const std::string& node, absl::Time now,
                                  StoredReport timeline);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_HOP_EVIDENCE_H_
