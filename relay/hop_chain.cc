#include "relay/hop_chain.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "relay/evidence_encoding.h"
#include "relay/receipt_signer.h"
#include "relay/signer_chains.h"

namespace kuaibao {
namespace {

// The hop record of `stored` at chain position `seq`: the last hop of the
// primary path or of another path (each path ends with this node's hop).
const HopRecord* HopAt(const StoredReport& stored, uint64_t seq) {
  if (!stored.hops().empty() &&
      stored.hops(stored.hops_size() - 1).chain().seq() == seq) {
    return &stored.hops(stored.hops_size() - 1);
  }
  for (const Path& path : stored.other_paths()) {
    if (!path.hops().empty() &&
        path.hops(path.hops_size() - 1).chain().seq() == seq) {
      return &path.hops(path.hops_size() - 1);
    }
  }
  return nullptr;
}

// What is wrong with link `link` (which follows `prev`), or "".
std::string CheckLink(const ReportStore& store, const SignerChains& chains,
                      const ChainLink& prev, const ChainLink& link) {
  if (link.seq() != prev.seq() + 1) {
    return absl::StrCat("link ", prev.seq() + 1,
                        (link.seq() == prev.seq() + 2 ? " is" : "s are"),
                        " missing (the chain goes from ", prev.seq(), " to ",
                        link.seq(), ")");
  }
  if (link.prev_hash() != prev.hash()) {
    return "its prev_hash is not the hash of the link before it";
  }
  absl::StatusOr<StoredReport> stored = store.GetReport(link.report_id());
  if (!stored.ok()) {
    return absl::StrCat("its report ", link.report_id(), " cannot be read (",
                        stored.status().message(), ")");
  }
  const HopRecord* hop = HopAt(*stored, link.seq());
  if (hop == nullptr) {
    return absl::StrCat("report ", link.report_id(),
                        " has no hop record at this position");
  }
  const std::string digest = Sha256Hex(ReportBytes(stored->report()));
  if (ChainHash(link.prev_hash(), HopChainBytes(link.seq(), link.report_id(),
                                                digest, *hop)) != link.hash() ||
      hop->chain().hash() != link.hash()) {
    return absl::StrCat("the hop record of report ", link.report_id(),
                        " (or the report) was altered: it does not hash to "
                        "the link");
  }
  Receipt receipt = hop->receipt();
  // Stored receipts name their signer's chain by digest.
  absl::Status resolved = chains.Resolve(&receipt);
  if (!resolved.ok()) return std::string(resolved.message());
  if (IsSigned(receipt)) {
    if (receipt.chain_hash() != link.hash() ||
        receipt.report_digest() != digest ||
        !VerifyReceiptSignature(receipt).ok()) {
      return absl::StrCat("the receipt signed for report ", link.report_id(),
                          " does not verify");
    }
  }
  return "";
}

}  // namespace

std::string HopChain::LinkKey(uint64_t seq) { return keys::ChainLink(seq); }

absl::StatusOr<ChainLink> HopChain::Append(const std::string& report_id,
                                           const std::string& report_digest,
                                           const HopRecord& hop,
                                           StoreBatch* batch) {
  absl::MutexLock lock(&mu_);
  if (!head_.has_value()) {
    absl::StatusOr<std::string> stored = store_->Get(HeadKey());
    ChainLink head;
    if (stored.ok()) {
      if (!head.ParseFromString(*stored)) {
        return absl::DataLossError(
            absl::StrCat("stored value of ", HeadKey(), " does not decode"));
      }
    } else if (absl::IsNotFound(stored.status())) {
      head.set_hash(ChainGenesis());
    } else {
      return stored.status();
    }
    head_ = std::move(head);
  }
  ChainLink link;
  link.set_seq(head_->seq() + 1);
  link.set_prev_hash(head_->hash());
  link.set_hash(ChainHash(link.prev_hash(), HopChainBytes(link.seq(), report_id,
                                                          report_digest, hop)));
  link.set_report_id(report_id);
  const std::string value = link.SerializeAsString();
  batch->Put(LinkKey(link.seq()), value);
  batch->Put(HeadKey(), value);
  head_ = link;
  link.clear_report_id();  // the hop's copy: the report is its own
  return link;
}

void HopChain::Invalidate() {
  absl::MutexLock lock(&mu_);
  head_.reset();
}

absl::StatusOr<HopChain::Check> HopChain::Verify(const ReportStore& store) {
  const SignerChains chains(&store);
  Check check;
  ChainLink prev;
  prev.set_hash(ChainGenesis());
  absl::Status scanned = store.Scan(
      keys::kChainLinks, "", [&](const std::string& key, const std::string& v) {
        ChainLink link;
        std::string problem;
        if (!link.ParseFromString(v)) {
          problem = absl::StrCat("the stored link ", key, " does not decode");
        } else {
          problem = CheckLink(store, chains, prev, link);
        }
        if (!problem.empty()) {
          check.ok = false;
          check.broken_at = prev.seq() + 1;
          check.problem = problem;
          return false;
        }
        ++check.links;
        prev = std::move(link);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!check.ok) return check;
  absl::StatusOr<std::string> head_value = store.Get(HeadKey());
  if (!head_value.ok() && !absl::IsNotFound(head_value.status())) {
    return head_value.status();
  }
  ChainLink head;
  if (head_value.ok()) head.ParseFromString(*head_value);
  if (head.seq() != prev.seq() ||
      (head_value.ok() && head.hash() != prev.hash())) {
    check.ok = false;
    check.broken_at = prev.seq() + 1;
    check.problem = absl::StrCat("the head names link ", head.seq(),
                                 " but the chain ends at link ", prev.seq(),
                                 ": the last links are missing or altered");
  }
  return check;
}

}  // namespace kuaibao
