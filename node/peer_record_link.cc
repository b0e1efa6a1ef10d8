#include "node/peer_record_link.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "relay/base/log.h"
#include "relay/validation.h"

namespace kuaibao {

// Records sent ahead of their receipts, at most.
constexpr size_t kWindow = 256;

void PeerRecordLink::StreamStarted() {
  absl::MutexLock lock(&mu_);
  sent_.clear();
}

bool PeerRecordLink::OnDown(const v1::RelayDown& down) {
  if (!down.has_peer_record_receipt()) return false;
  const v1::PeerRecordReceipt& receipt = down.peer_record_receipt();
  if (receipt.code() != 0) {
    // Kept queued (and marked sent), so it is offered again on the next
    // stream, not in a tight loop.
    Log(LogLevel::kError,
        "the region's other node refused a record; kept queued here",
        {{"seq", absl::StrCat(receipt.seq())},
         {"code", absl::StatusCodeToString(
                      static_cast<absl::StatusCode>(receipt.code()))},
         {"field", receipt.field()},
         {"reason", receipt.message()}});
    return true;
  }
  absl::Status deleted = records_->Delivered(receipt.seq());
  if (!deleted.ok()) {
    // Still queued: sent again on the next stream, which changes nothing.
    Log(LogLevel::kError, "cannot record a peer record's receipt",
        {{"seq", absl::StrCat(receipt.seq())},
         {"reason", std::string(deleted.message())}});
  }
  absl::MutexLock lock(&mu_);
  sent_.erase(receipt.seq());
  return true;
}

bool PeerRecordLink::WriteUp(
    const std::function<bool(const v1::RelayUp&)>& write) {
  absl::flat_hash_set<uint64_t> skip;
  {
    absl::MutexLock lock(&mu_);
    if (sent_.size() >= kWindow) return true;
    skip = sent_;
  }
  absl::StatusOr<std::vector<v1::PeerRecord>> pending =
      records_->Pending(kWindow - skip.size(), skip);
  if (!pending.ok()) {
    Log(LogLevel::kError, "cannot read records queued for the other node",
        {{"reason", std::string(pending.status().message())}});
    return true;
  }
  for (v1::PeerRecord& record : *pending) {
    {
      absl::MutexLock lock(&mu_);
      if (!sent_.insert(record.seq()).second) continue;
    }
    v1::RelayUp up;
    *up.mutable_peer_record() = std::move(record);
    if (!write(up)) return false;
  }
  return true;
}

v1::RelayDown ReceivePeerRecord(PeerRecords* records, bool from_peer,
                                const v1::PeerRecord& record) {
  absl::Status stored =
      records != nullptr && from_peer
          ? records->Apply(record)
          : absl::PermissionDeniedError(
                "records are copied only between the two nodes of a region "
                "(a primary and its standby)");
  v1::RelayDown down;
  v1::PeerRecordReceipt* receipt = down.mutable_peer_record_receipt();
  receipt->set_seq(record.seq());
  if (!stored.ok()) {
    Log(LogLevel::kWarning, "peer record refused",
        {{"seq", absl::StrCat(record.seq())},
         {"code", absl::StatusCodeToString(stored.code())},
         {"reason", std::string(stored.message())}});
    receipt->set_code(static_cast<int>(stored.code()));
    receipt->set_message(std::string(stored.message()));
    receipt->set_field(ErrorField(stored));
  }
  return down;
}

}  // namespace kuaibao
