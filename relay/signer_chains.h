#ifndef KUAIBAO_RELAY_SIGNER_CHAINS_H_
#define KUAIBAO_RELAY_SIGNER_CHAINS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kuaibao/v1/signer_chain.pb.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// Stored receipts name their signer's certificate chain by digest. A
// receipt carries the signer's whole DER chain (1-2 KB), and a node stores
// one receipt per hop of every report it keeps and per hand-off it records:
// the same few chains (one per node below and above) over and over. Written
// to the store, a receipt keeps only the chain's digest
// (Receipt.signer_chain_digest) and the chain is stored once, under that
// digest (keys::SignerChain); wherever a stored receipt leaves the node or is
// checked, the chain is put back. The wire never sees a digest.
//
// Receipts stored before this (a full chain, no digest) are read as they
// are: a store may hold both kinds.
//
// Thread-safe. Keeps every chain it has met in memory (a handful per node).
class SignerChains {
 public:
  // Borrowed: `store` outlives this.
  explicit SignerChains(const ReportStore* store) : store_(store) {}

  // SHA-256 (hex) of SignerChainBytes(certs) (relay/evidence_encoding.h).
  static std::string DigestOf(
      const google::protobuf::RepeatedPtrField<std::string>& certs);

  // For a receipt about to be written in `batch`: replaces its signer_chain
  // by the chain's digest, and adds the chain's record to `batch` unless the
  // store already holds it. A receipt without a chain is left as it is.
  void Compact(Receipt* receipt, StoreBatch* batch);
  // The same for every receipt in `stored` (each hop of each path, and the
  // forwarding records on them).
  void Compact(StoredReport* stored, StoreBatch* batch);

  // Puts the chain named by `receipt`'s signer_chain_digest back (and clears
  // the digest). A receipt without a digest is left as it is. DATA_LOSS
  // naming the report, the node and the digest when the store holds no such
  // chain or it is damaged.
  absl::Status Resolve(Receipt* receipt) const;
  // The same for every receipt in `stored`; the first error.
  absl::Status Resolve(StoredReport* stored) const;

 private:
  struct Known {
    std::shared_ptr<const v1::SignerChain> chain;
    // The store holds it (read there, or seen there by Compact): later
    // writes need not add it.
    bool durable = false;
  };
  // The chain under `digest`, from memory or the store.
  absl::StatusOr<std::shared_ptr<const v1::SignerChain>> Lookup(
      const std::string& digest) const;

  const ReportStore* const store_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, Known> known_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_SIGNER_CHAINS_H_
