#ifndef KUAIBAO_RELAY_ROLL_CALL_BOOK_H_
#define KUAIBAO_RELAY_ROLL_CALL_BOOK_H_

// Roll calls (点名, 无情况零报告), built on instructions:
//
//  1. A leader of this node's region (or above) issues a roll call to the
//     subtree: every region of the table at the level asked for (by default
//     the one just below), for an event or a period, with a time to answer
//     by. Each round becomes one instruction per target, id
//     "<roll call>.<round>.<target>", carrying roll_call_id and round: it
//     travels down, is signed for and acknowledged like any instruction.
//  2. Each target answers with feedback on its instruction (status DONE)
//     carrying a RollCallAnswer: a zero report, or the ids of the reports it
//     filed (those travel up as reports). The feedback travels up to the
//     issuer like any feedback.
//  3. The issuer's view (Status) says, per target, who answered, who
//     reported, who is silent and who is overdue. An overdue round is the
//     instruction's FEEDBACK deadline missed: a breach attributed to the
//     silent target, listed by the audit's breaches with every other.
//  4. A roll call with repeat_every (日报) gets its next round from the
//     node's clock loop (Tick), until it is closed.
//
// Storage: q/<roll call id> → RollCall.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuaibao/v1/rollcall.pb.h"
#include "relay/base/clock.h"
#include "relay/identity.h"
#include "relay/instruction_book.h"
#include "relay/region.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// Thread-safe as far as InstructionBook is; Issue, Close and Tick are
// serialized by the caller's thread model (each ends in a synced write).
class RollCallBook {
 public:
  // Borrowed: everything outlives the book.
  RollCallBook(InstructionBook* instructions, ReportStore* store,
               const RegionTable* regions, Clock* clock, DeadlinePolicy policy);

  // Issues `call`'s first round to every region at `level` (city, county,
  // township; "" = the level below this node) inside this node's region.
  // Refusals as InstructionBook::Issue, INVALID_ARGUMENT naming the field.
  // Issuing the same roll call again returns it as it stands.
  absl::StatusOr<RollCallStatus> Issue(const Identity& leader, RollCall call,
                                       const std::string& level);
  // Round `round` (0 = the latest) of roll call `id`, as known here.
  absl::StatusOr<RollCallStatus> Status(const std::string& id,
                                        uint32_t round) const;
  // No further rounds (a leader of this node's region or above).
  absl::StatusOr<RollCallStatus> Close(const Identity& leader,
                                       const std::string& id);
  // The clock loop: issues the next round of each open repeating roll call
  // whose time has come. Returns how many rounds it issued.
  absl::StatusOr<int> Tick(absl::Time now);

  // The instruction id of `target`'s part of round `round`.
  static std::string InstructionId(const std::string& roll_call_id,
                                   uint32_t round, const std::string& target);

 private:
  absl::StatusOr<RollCall> Get(const std::string& id) const;
  // Issues round call.rounds() + 1 and stores the roll call.
  absl::Status IssueRound(const Identity& leader, RollCall* call,
                          absl::Time now);

  InstructionBook* const instructions_;
  ReportStore* const store_;
  const RegionTable* const regions_;
  Clock* const clock_;
  const DeadlinePolicy policy_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_ROLL_CALL_BOOK_H_
