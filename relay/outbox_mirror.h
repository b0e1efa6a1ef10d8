#ifndef KUAIBAO_RELAY_OUTBOX_MIRROR_H_
#define KUAIBAO_RELAY_OUTBOX_MIRROR_H_

// The outbox in memory: per upstream, the head of its queue as the store
// holds it (relay/outbox.h), with each report's encoded payload and its
// forwarding record, so that a report written once reaches the forwarder
// without being read back. The store stays the truth; this is a cache of
// it, fed by the store's writes (ReportStore::WriteListener) after each is
// visible and before its callers are told, so that a forwarder woken by a
// write's completion finds what it wrote.
//
// A report written in this process is also held decoded, as the write had
// it (StoreBatch::AttachReport), until it is first sent: the live path
// decodes a report once, from the stream it came on (a decoded report takes
// about twice its encoded size, so only the head of a queue is held so).
//
// Per upstream the mirror holds every queue key below a boundary and none
// from it on: before anything was read, the boundary is the start of the
// queue (nothing held); once every entry is held there is none (complete),
// and then a write's entries are added as they are written. A read that
// reaches the boundary reads on from the store and takes what it read in
// (a refill), so a backlog after a restart is read once. When the entries
// held exceed the limits (OutboxMirrorLimits), the last keys (the least
// urgent classes, the latest arrivals) are let go and the boundary moves
// down to them: the head of the queue, what leaves next, stays in memory.
// A write reported failed is never seen here; after a reopen
// (ReportStore::Recover) the mirror forgets everything and reads again.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "relay/outbox.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// What the mirror holds per upstream at most; beyond it, the head.
struct OutboxMirrorLimits {
  // Queued reports; 0 = no mirror (every read from the store).
  size_t reports = 65536;
  // Their encoded payloads, in bytes.
  uint64_t bytes = 32 << 20;
};

// Thread-safe.
class OutboxMirror : public ReportStore::WriteListener {
 public:
  // Borrowed: `store` outlives the mirror. The caller makes the mirror the
  // store's write listener (AddWriteListener; removed before it goes).
  OutboxMirror(const ReportStore* store, OutboxMirrorLimits limits);

  void Written(const StoreBatch& batch) override;
  void Reopened() override;

  // The forwarding record of `report_id` to `upstream`, when held (the
  // report is queued for it and its record known); nullopt otherwise.
  std::optional<Forwarding> ForwardingOf(const std::string& upstream,
                                         const std::string& report_id) const;

  // What is held for `upstream`.
  struct Holding {
    size_t reports = 0;
    uint64_t bytes = 0;
    // Every entry of the queue is held.
    bool complete = false;
    // Where the store takes over (when not complete).
    std::string boundary;
  };
  Holding Held(const std::string& upstream) const;

  // Reads one upstream's queue for one Outbox::Next from memory, from the
  // store beyond the boundary (refilling the mirror).
  class Reader : public OutboxReader {
   public:
    explicit Reader(OutboxMirror* mirror) : mirror_(mirror) {}
    absl::Status ScanQueue(const std::string& upstream,
                           const std::string& prefix, const Visit& fn) override;
    absl::Status Scan(const std::string& upstream, const std::string& prefix,
                      const std::string& from, const Visit& fn) override;
    absl::StatusOr<std::string> Get(const std::string& upstream,
                                    const std::string& key) override;
    absl::StatusOr<QueuedReport> Load(const std::string& upstream,
                                      const std::string& key,
                                      const std::string& report_id) override;

   private:
    OutboxMirror* const mirror_;
  };

 private:
  // A report queued for one upstream.
  struct PerReport {
    // Queue entries naming it (one, but a repair may have queued twice).
    int entries = 0;
    // The encoded StoredReport; null until read.
    std::shared_ptr<const std::string> payload;
    // The same decoded, as the write that stored it made it (held only
    // until first sent, and by one queue: the send takes it).
    std::shared_ptr<StoredReport> decoded;
    // Its forwarding record to the upstream; nullopt until read.
    std::optional<Forwarding> forwarding;
  };
  struct Entry {
    std::string report_id;
    // Its event index key; empty until known (then the queue's index in
    // memory is incomplete and event lookups read the store).
    std::string index_key;
  };
  struct Queue {
    // Queue key -> entry, every key below the boundary.
    std::map<std::string, Entry> entries;
    // Event index key -> queue key, for the entries whose index key is
    // known.
    std::map<std::string, std::string> index;
    size_t unindexed = 0;
    absl::flat_hash_map<std::string, PerReport> reports;
    // The payload bytes held.
    uint64_t bytes = 0;
    // Reports held decoded (PerReport::decoded).
    size_t decoded = 0;
    // Keys from here on are only in the store; nullopt: none (complete).
    // "": nothing held yet.
    std::optional<std::string> boundary = std::string();
    // Every key from the boundary on is below this: one past the largest
    // key put there since the queue was complete (the queue's end while
    // that is unknown). Lets a read past it skip the store, so that a queue
    // beyond its limits still answers "anything in the next class?" from
    // memory.
    std::string tail_end;
  };
  // The queue of `upstream`, created holding nothing.
  Queue& QueueOf(const std::string& upstream)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A key from the boundary on exists in the store (put, or let go).
  static void Beyond(Queue* q, const std::string& key);

  static bool Below(const Queue& q, const std::string& key) {
    return !q.boundary || key < *q.boundary;
  }
  bool Over(const Queue& q, size_t reports, uint64_t bytes) const {
    return q.entries.size() > reports || q.bytes > bytes;
  }
  void Insert(Queue* q, const std::string& key, Entry entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Erase(Queue* q, std::map<std::string, Entry>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Replaces the payload held, and lets its decoded form go.
  void SetPayload(Queue* q, PerReport* held,
                  std::shared_ptr<const std::string> payload)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetDecoded(Queue* q, PerReport* held,
                  std::shared_ptr<StoredReport> decoded)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Past the limits: lets the last keys go down to 7/8 of them, so that the
  // next few writes beyond do not each let one go.
  void Trim(Queue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads the next keys after the boundary from the store, as many as the
  // limits leave room for (at most a chunk). False when there was no room.
  absl::StatusOr<bool> Refill(const std::string& upstream, Queue* q)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The scan of queue keys under `prefix` from `from` for Reader::Scan.
  // `*read_store`: it read the store.
  absl::Status ScanEntries(const std::string& upstream,
                           const std::string& prefix, const std::string& from,
                           const OutboxReader::Visit& fn, bool* read_store);
  absl::StatusOr<QueuedReport> Load(const std::string& upstream,
                                    const std::string& key,
                                    const std::string& report_id,
                                    bool* read_store);

  const ReportStore* const store_;
  const OutboxMirrorLimits limits_;

  mutable absl::Mutex mu_;
  // By upstream; an upstream not here holds nothing yet.
  absl::flat_hash_map<std::string, Queue> queues_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_OUTBOX_MIRROR_H_
