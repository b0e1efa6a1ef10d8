#ifndef KUAIBAO_RELAY_INSTRUCTION_BOOK_H_
#define KUAIBAO_RELAY_INSTRUCTION_BOOK_H_

// Leaders' instructions (批示) down, localities' feedback up.
//
//  1. A leader (a client of this node, whose region contains this node)
//     issues an instruction about an event. Its target is the node that owns
//     the event (the originating locality) unless the leader names another
//     inside this node's region.
//  2. Each node on the way stores it with its own hop (received_at) and
//     queues it for the next node down (n/<child>/<seq>). The node's relay
//     service pushes the queue down the child's open stream; an entry is
//     deleted only when the child acknowledged it, which the child does only
//     after its own synced write. Nothing acknowledged is lost; a resend is
//     harmless (ids).
//  3. The target, on arrival, signs for it (签收): a feedback of status
//     RECEIVED carrying the instruction's hops as they reached it, so the
//     issuer learns when and by which path it arrived. Its duty officers then
//     send feedback (in progress, done, cannot comply).
//  4. Feedback climbs the parent streams (u/<parent>/<seq>), each node
//     appending its hop, until it reaches the issuer node.
//
// Two deadlines per instruction, evaluated by every node that holds it:
//  - INSTRUCTION_RELAY: issued → received at the target (the target's hop,
//    known above the target from the receipt feedback). Late: attributed to
//    the node that held it when the budget ran out.
//  - FEEDBACK: issued → a final feedback (done / cannot comply) arrived at
//    this node; due at the leader's due time. Late: attributed to the target.
//
// Storage (through ReportStore, every write synced):
//   in/<instruction_id>                 Instruction, hops as known here
//   fb/<instruction_id>/<feedback_id>   Feedback, hops as known here
//   n/<child>/<seq>                     down-outbox (value: instruction id)
//   u/<parent>/<seq>                    up-outbox (value: the fb/ key)

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/base/clock.h"
#include "relay/deadline_policy.h"
#include "relay/identity.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

struct InstructionBookOptions {
  std::string region;  // this node
  std::string parent;  // empty at the top
  DeadlinePolicy deadlines;
};

// Thread-safe. Mutations are serialized and each ends with a synced write
// (they block for it: call them where a short wait is acceptable).
class InstructionBook {
 public:
  // Borrowed: `store` and `clock` outlive the book.
  InstructionBook(InstructionBookOptions options, ReportStore* store,
                  Clock* clock);

  // Called after instructions for `child` were queued (durably), and after
  // feedback was queued for the parent; outside the book's lock. Set once,
  // before the book is shared between threads.
  void SetListeners(std::function<void(const std::string& child)> down,
                    std::function<void()> up);

  const std::string& region() const { return options_.region; }

  // A leader issues an instruction here. Refusals: PERMISSION_DENIED (not a
  // client, or a client of a region below this node), INVALID_ARGUMENT
  // naming the field, NOT_FOUND (no target given and the event is unknown
  // here), ALREADY_EXISTS (the id is taken by another instruction). Issuing
  // the same instruction again returns it as stored.
  absl::StatusOr<InstructionState> Issue(const Identity& leader,
                                         Instruction instruction,
                                         absl::Duration feedback_within);
  // An instruction pushed by the parent: stored with this node's hop and
  // passed on (idempotent). OK means durable: acknowledge it.
  absl::Status Receive(const Instruction& instruction);
  // An instruction the other node of this region holds (a primary's or its
  // standby's, relay/peer_records.h): stored as it came and queued for the
  // next node down like one received here, so that whichever of the two
  // nodes a child is connected to pushes it (the child keeps the first
  // push); not signed for again. Idempotent. OK means durable.
  absl::Status ReceiveFromPeer(const Instruction& instruction);
  // Instructions queued for `child`, oldest first, as stored here.
  absl::StatusOr<std::vector<Instruction>> PendingDown(
      const std::string& child) const;
  // `child` acknowledged: its queue entry is deleted.
  absl::Status Acknowledged(const std::string& child,
                            const std::string& instruction_id);

  // A duty officer of the target locality reports back (at the target
  // node). Refusals as Issue, plus FAILED_PRECONDITION when this node is not
  // the instruction's target.
  absl::StatusOr<InstructionState> SendFeedback(const Identity& client,
                                                Feedback feedback);
  // Feedback relayed by a child node: stored with this node's hop, passed
  // up unless this node issued the instruction (idempotent).
  absl::StatusOr<FeedbackReceipt> ReceiveFeedback(const Identity& child,
                                                  Feedback feedback);
  // Feedback queued for the parent, oldest first.
  absl::StatusOr<std::vector<Feedback>> PendingUp() const;
  // The parent stored `feedback_id`: its queue entry is deleted.
  absl::Status FeedbackDelivered(const std::string& feedback_id);

  // Instructions issued in, or aimed into, `region` (the caller's subtree),
  // optionally of one event, issue order, with their deadlines as of `now`.
  absl::StatusOr<std::vector<InstructionState>> List(
      const std::string& region, const std::string& event_id,
      absl::Time now) const;
  // Their deadlines, without the met ones unless `include_met`.
  absl::StatusOr<std::vector<DeadlineStatus>> Due(const std::string& region,
                                                  absl::Time now,
                                                  bool include_met) const;
  absl::StatusOr<InstructionState> State(const std::string& instruction_id,
                                         absl::Time now) const;

 private:
  absl::StatusOr<Instruction> Get(const std::string& id) const;
  // The instruction `feedback` is about; NOT_FOUND naming the field.
  absl::StatusOr<Instruction> InstructionOf(const Feedback& feedback) const;
  absl::StatusOr<std::vector<Feedback>> FeedbackOf(const std::string& id) const;
  // Stores `instruction` (this node's hop last) and routes it: queued for
  // the next node down, or signed for when this node is the target.
  // Returns the child it was queued for ("" when signed for here).
  std::string StoreAndRoute(const Instruction& instruction, StoreBatch* batch);
  // Stores `feedback` and queues it up unless this node issued `to`.
  void StoreFeedback(const Instruction& to, const Feedback& feedback,
                     StoreBatch* batch, bool* queued_up);
  // Deletes the first entry under `prefix` whose value satisfies `match`.
  absl::Status DeleteQueued(
      const std::string& prefix,
      const std::function<bool(const std::string&)>& match)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const InstructionBookOptions options_;
  ReportStore* const store_;
  Clock* const clock_;

  // Set once before sharing (SetListeners).
  std::function<void(const std::string&)> down_listener_;
  std::function<void()> up_listener_;

  // Serializes mutations (read, decide, write) so ids stay unique.
  absl::Mutex mu_;
};

// The next node below `here` on the way to `target`; "" when `target` is
// `here` or not inside it.
std::string NextNodeDown(const std::string& here, const std::string& target);

// The two deadlines of an instruction as node `here` knows it, with the
// feedback received here.
std::vector<DeadlineStatus> InstructionDeadlines(
    const Instruction& instruction, const std::vector<Feedback>& feedback,
    const DeadlinePolicy& policy, const std::string& here, absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_INSTRUCTION_BOOK_H_
