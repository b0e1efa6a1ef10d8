#ifndef KUAIBAO_RELAY_HOP_CHAIN_H_
#define KUAIBAO_RELAY_HOP_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// A node's hash chain over the hop records it stores, in store order: link N
// carries SHA-256(hash of link N-1 || canonical hop record N)
// (relay/evidence_encoding.h). A hop record removed, inserted or altered
// afterwards breaks the chain at that link (Verify). Kept in the store:
//   c/<seq, 16 hex digits>   ChainLink (with the report id)
//   m/chain                  ChainLink: the head, the last link written
// both written in the batch that stores the hop record itself.
//
// What it proves, and what not: the records of a node cannot be changed
// after the fact without either breaking the chain or rewriting it from the
// change on — and a rewrite contradicts the receipts this node signed over
// the old links, which the senders hold. It does not stop a node from never
// recording a report at all (the sender's receipt shows that one).
//
// Thread-safe; Append's callers must commit their batches in the order of
// their calls (the engine calls it and commits under its lock).
class HopChain {
 public:
  // Borrowed: `store` outlives the chain.
  explicit HopChain(ReportStore* store) : store_(store) {}

  // Gives `hop` (of the report `report_id` whose digest is `report_digest`)
  // the next position and adds the link and the new head to `batch`.
  // DATA_LOSS when the stored head does not decode.
  absl::StatusOr<ChainLink> Append(const std::string& report_id,
                                   const std::string& report_digest,
                                   const HopRecord& hop, StoreBatch* batch);
  // A write with links in it failed: the head is read from the store again
  // at the next Append.
  void Invalidate();

  // The result of checking a node's whole chain.
  struct Check {
    uint64_t links = 0;  // links checked (up to the first broken one)
    bool ok = true;
    // The first broken link and what is wrong with it.
    uint64_t broken_at = 0;
    std::string problem;
  };
  // Recomputes the chain from the first link: each link must follow its
  // predecessor, its report's hop record at that position must hash to it,
  // the receipt signed for that hop must verify, and the head must be the
  // last link. Stops at the first broken link. Errors only when the store
  // cannot be read.
  static absl::StatusOr<Check> Verify(const ReportStore& store);

  static std::string LinkKey(uint64_t seq);
  static std::string HeadKey() { return keys::kChainHead; }

 private:
  ReportStore* const store_;
  absl::Mutex mu_;
  // Unset until read from the store.
  std::optional<ChainLink> head_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_HOP_CHAIN_H_
