#ifndef KUAIBAO_NODE_PEER_RECORD_LINK_H_
#define KUAIBAO_NODE_PEER_RECORD_LINK_H_

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/peer_records.h"

namespace kuaibao {

// The records queued for the other node of this region (relay/peer_records.h)
// on this node's stream to it, for the Forwarder: each is sent once per
// stream and deleted from the queue when the other node's receipt arrives.
// A refused record stays queued (offered again on the next stream) and is
// logged.
//
// Thread-safe: OnDown runs on the stream's reader thread, WriteUp on the
// writer loop.
class PeerRecordLink {
 public:
  // Borrowed: `records` outlives this.
  explicit PeerRecordLink(PeerRecords* records) : records_(records) {}

  // A new stream: every queued record is (re)sent on it.
  void StreamStarted();
  // True when `down` was a peer record's receipt (handled here). Blocks for
  // the queue entry's deletion.
  bool OnDown(const v1::RelayDown& down);
  // Writes the queued records not yet sent on this stream through `write`;
  // false when a write failed (the stream broke).
  bool WriteUp(const std::function<bool(const v1::RelayUp&)>& write);

 private:
  PeerRecords* const records_;
  absl::Mutex mu_;
  // Sent on the current stream (or refused), receipt not yet in; by seq.
  absl::flat_hash_set<uint64_t> sent_ ABSL_GUARDED_BY(mu_);
};

// The receiving side: stores `record`, which came on a relay stream, and
// answers with its receipt. `records` is nullptr on a node without a peer;
// `from_peer` says whether the stream's certificate is this region's (the
// other node's): records from any other node are refused.
v1::RelayDown ReceivePeerRecord(PeerRecords* records, bool from_peer,
                                const v1::PeerRecord& record);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_PEER_RECORD_LINK_H_
