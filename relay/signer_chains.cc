#include "relay/signer_chains.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "relay/evidence_encoding.h"
#include "relay/store/keys.h"

namespace kuaibao {
namespace {

// Calls `fn` with every receipt in `stored`.
template <typename Fn>
void ForEachReceipt(StoredReport* stored, Fn fn) {
  auto hops = [&](google::protobuf::RepeatedPtrField<HopRecord>* path) {
    for (HopRecord& hop : *path) {
      if (hop.has_receipt()) fn(hop.mutable_receipt());
      for (Forwarding& f : *hop.mutable_forwarded()) {
        if (f.has_receipt()) fn(f.mutable_receipt());
      }
    }
  };
  hops(stored->mutable_hops());
  for (Path& p : *stored->mutable_other_paths()) hops(p.mutable_hops());
}

// Whether `batch` already puts `key` (several receipts of one write name the
// same new chain). Only until the chain is stored: rarely.
bool Holds(const StoreBatch& batch, const std::string& key) {
  for (const auto& op : batch.ops()) {
    if (op.first == key && op.second.has_value()) return true;
  }
  return false;
}

}  // namespace

std::string SignerChains::DigestOf(
    const google::protobuf::RepeatedPtrField<std::string>& certs) {
  return Sha256Hex(SignerChainBytes(certs));
}

void SignerChains::Compact(Receipt* receipt, StoreBatch* batch) {
  if (receipt->signer_chain().empty()) return;
  std::string digest = DigestOf(receipt->signer_chain());
  {
    absl::MutexLock lock(&mu_);
    Known& known = known_[digest];
    if (known.chain == nullptr) {
      auto chain = std::make_shared<v1::SignerChain>();
      *chain->mutable_certs() = std::move(*receipt->mutable_signer_chain());
      known.chain = std::move(chain);
    }
    if (!known.durable) {
      // Only a write that landed counts: a batch that carried the record and
      // failed must not leave later receipts naming a chain never stored.
      // Until the store shows it, each write carries it again (the same
      // value: harmless).
      std::string key = keys::SignerChain(digest);
      if (store_->Get(key).ok()) {
        known.durable = true;
      } else if (!Holds(*batch, key)) {
        batch->Put(std::move(key), known.chain->SerializeAsString());
      }
    }
  }
  receipt->clear_signer_chain();
  receipt->set_signer_chain_digest(std::move(digest));
}

void SignerChains::Compact(StoredReport* stored, StoreBatch* batch) {
  ForEachReceipt(stored, [&](Receipt* r) { Compact(r, batch); });
}

absl::StatusOr<std::shared_ptr<const v1::SignerChain>> SignerChains::Lookup(
    const std::string& digest) const {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = known_.find(digest);
    if (it != known_.end()) return it->second.chain;
  }
  absl::StatusOr<std::string> value = store_->Get(keys::SignerChain(digest));
  if (absl::IsNotFound(value.status())) {
    return absl::DataLossError("names a signer chain this node does not hold");
  }
  if (!value.ok()) return value.status();
  auto chain = std::make_shared<v1::SignerChain>();
  if (!chain->ParseFromString(*value) || DigestOf(chain->certs()) != digest) {
    return absl::DataLossError(
        "names a signer chain whose stored record is damaged (it does not "
        "hash to the digest)");
  }
  absl::MutexLock lock(&mu_);
  Known& known = known_[digest];
  if (known.chain == nullptr) known.chain = std::move(chain);
  known.durable = true;
  return known.chain;
}

absl::Status SignerChains::Resolve(Receipt* receipt) const {
  if (receipt->signer_chain_digest().empty()) return absl::OkStatus();
  if (receipt->signer_chain().empty()) {
    absl::StatusOr<std::shared_ptr<const v1::SignerChain>> chain =
        Lookup(receipt->signer_chain_digest());
    if (!chain.ok()) {
      return absl::Status(
          chain.status().code(),
          absl::StrCat("the receipt of report ", receipt->report_id(),
                       " by node ", receipt->node(), ": signer_chain_digest ",
                       receipt->signer_chain_digest(), " ",
                       chain.status().message()));
    }
    *receipt->mutable_signer_chain() = (*chain)->certs();
  }
  receipt->clear_signer_chain_digest();
  return absl::OkStatus();
}

absl::Status SignerChains::Resolve(StoredReport* stored) const {
  absl::Status first;
  ForEachReceipt(stored, [&](Receipt* r) { first.Update(Resolve(r)); });
  return first;
}

}  // namespace kuaibao
