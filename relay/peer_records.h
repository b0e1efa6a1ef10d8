#ifndef KUAIBAO_RELAY_PEER_RECORDS_H_
#define KUAIBAO_RELAY_PEER_RECORDS_H_

// The records a region's two nodes (a primary and its standby,
// deploy/README.md "Standby nodes") copy to each other besides reports:
// instructions and their feedback (roll call answers among them), roll
// calls, auditors' review marks and national submissions, whichever node
// they were made or received at.
//
// The copy is taken where the record is written: a commit hook on the store
// (ReportStore::SetCommitHook) adds a queue entry p/<seq> holding the record
// to the very batch that writes it, so a record is never stored here without
// its copy queued. The node's stream to the other node carries the queue
// (node/peer_record_link.h); the other node stores each record durably
// before its receipt deletes the entry; an instruction is also queued down
// there, so that the node a child is connected to pushes it. A record is resent
// until its receipt comes; the receiver keeps the first copy of each id, so
// resends and records both nodes made (an instruction pushed to both) change
// nothing. A roll call changes as rounds are issued and it is closed: the
// receiver keeps the one with more rounds, closed over open. What the
// receiver stores from the other node is not copied back.

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kuaibao/v1/peer.pb.h"
#include "relay/instruction_book.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// Thread-safe. Borrowed: the store outlives it.
class PeerRecords {
 public:
  explicit PeerRecords(ReportStore* store) : store_(store) {}

  // Instructions from the other node are stored through `book`
  // (InstructionBook::ReceiveFromPeer), which also queues them down.
  // Borrowed; set once, before the node serves.
  void SetInstructionBook(InstructionBook* book) { book_ = book; }

  // Installs the commit hook: from now on every batch that writes a record
  // of a copied kind also queues it for the other node.
  void CopyWrites();
  // The queue hook itself: adds a p/ entry for each copied put in `batch`.
  void Queue(StoreBatch* batch);

  // Queued records, oldest first, at most `limit`, without those in `skip`
  // (by seq).
  absl::StatusOr<std::vector<v1::PeerRecord>> Pending(
      size_t limit, const absl::flat_hash_set<uint64_t>& skip) const;
  // The other node stored record `seq`: its entry is deleted.
  absl::Status Delivered(uint64_t seq);

  // Stores `record` from the other node unless this node holds it already
  // (see the file comment). OK means durable: acknowledge it.
  // INVALID_ARGUMENT naming the field for a record without its ids.
  absl::Status Apply(const v1::PeerRecord& record);

 private:
  ReportStore* const store_;
  InstructionBook* book_ = nullptr;
  // Serializes Apply's read-then-write.
  absl::Mutex mu_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_PEER_RECORDS_H_
