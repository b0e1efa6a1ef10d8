#include "relay/roll_call_book.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/proto_time.h"
#include "relay/store/keys.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason);
}

absl::StatusOr<Level> LevelNamed(const std::string& name, Level below) {
  if (name.empty()) return below;
  for (Level l : {Level::kCity, Level::kCounty, Level::kTownship}) {
    if (name == LevelName(l)) return l;
  }
  return Invalid("level", "must be city, county or township");
}

}  // namespace

RollCallBook::RollCallBook(InstructionBook* instructions, ReportStore* store,
                           const RegionTable* regions, Clock* clock,
                           DeadlinePolicy policy)
    : instructions_(instructions),
      store_(store),
      regions_(regions),
      clock_(clock),
      policy_(policy) {}

std::string RollCallBook::InstructionId(const std::string& roll_call_id,
                                        uint32_t round,
                                        const std::string& target) {
  return absl::StrCat(roll_call_id, ".", round, ".", target);
}

absl::StatusOr<RollCall> RollCallBook::Get(const std::string& id) const {
  ASSIGN_OR_RETURN(std::string bytes, store_->Get(keys::RollCall(id)));
  RollCall call;
  if (!call.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("roll call ", id, " does not decode"));
  }
  return call;
}

absl::StatusOr<RollCallStatus> RollCallBook::Issue(const Identity& leader,
                                                   RollCall call,
                                                   const std::string& level) {
  const std::string& here = instructions_->region();
  if (leader.role != Role::kClient || !RegionContains(leader.region, here)) {
    return absl::PermissionDeniedError(
        absl::StrCat(leader.uri, " may not issue roll calls at node ", here,
                     ": only a client whose region contains this node's"));
  }
  if (!ValidId(call.roll_call_id()) || call.roll_call_id().size() > 64) {
    return Invalid("roll_call.roll_call_id",
                   "1 to 64 letters, digits, '-', '_', '.', ':'");
  }
  absl::StatusOr<RollCall> existing = Get(call.roll_call_id());
  if (existing.ok()) return Status(call.roll_call_id(), 0);
  if (!absl::IsNotFound(existing.status())) return existing.status();
  if (call.text().empty()) return Invalid("roll_call.text", "is required");
  if (call.event_id().empty() && call.period().empty()) {
    return Invalid("roll_call.period",
                   "name the event (event_id) or the period it is about");
  }
  if (!call.event_id().empty() && !ValidId(call.event_id())) {
    return Invalid("roll_call.event_id", "is not a valid id");
  }
  const absl::Duration within = FromDurationProto(call.answer_within());
  if (within <= absl::ZeroDuration()) {
    return Invalid("roll_call.answer_within", "must be positive");
  }
  if (FromDurationProto(call.repeat_every()) < absl::ZeroDuration()) {
    return Invalid("roll_call.repeat_every", "must not be negative");
  }
  absl::StatusOr<Level> mine = LevelOf(here);
  if (!mine.ok() || *mine == Level::kTownship) {
    return absl::FailedPreconditionError(
        "a township node has no nodes below it to call the roll of");
  }
  ASSIGN_OR_RETURN(
      Level want,
      LevelNamed(level, static_cast<Level>(static_cast<int>(*mine) + 1)));
  if (static_cast<int>(want) <= static_cast<int>(*mine)) {
    return Invalid("level", absl::StrCat("must lie below this node's level (",
                                         LevelName(*mine), ")"));
  }
  call.clear_targets();
  for (const Region& r : regions_->regions()) {
    if (r.level == want && RegionContains(here, r.code)) {
      call.add_targets(r.code);
    }
  }
  if (call.targets().empty()) {
    return Invalid("level",
                   absl::StrCat("no ", LevelName(want), " lies inside ", here));
  }
  const absl::Time now = clock_->TimeNow();
  call.set_issuer_node(here);
  call.set_issued_by(leader.uri);
  *call.mutable_issued_at() = ToProto(now);
  call.set_rounds(0);
  call.set_closed(false);
  RETURN_IF_ERROR(IssueRound(leader, &call, now));
  return Status(call.roll_call_id(), 0);
}

absl::Status RollCallBook::IssueRound(const Identity& leader, RollCall* call,
                                      absl::Time now) {
  const uint32_t round = call->rounds() + 1;
  const absl::Duration within = FromDurationProto(call->answer_within());
  for (const std::string& target : call->targets()) {
    Instruction part;
    part.set_instruction_id(InstructionId(call->roll_call_id(), round, target));
    part.set_event_id(call->event_id().empty() ? call->roll_call_id()
                                               : call->event_id());
    part.set_issuer_title(call->issuer_title());
    part.set_text(absl::StrCat(
        "【点名 第", round, "轮】",
        call->period().empty() ? "" : call->period() + " ", call->text()));
    part.set_target_region(target);
    part.set_drill(call->drill());
    part.set_roll_call_id(call->roll_call_id());
    part.set_roll_call_round(round);
    RETURN_IF_ERROR(instructions_->Issue(leader, part, within).status());
  }
  call->set_rounds(round);
  const absl::Duration every = FromDurationProto(call->repeat_every());
  if (every > absl::ZeroDuration() && !call->closed()) {
    *call->mutable_next_round_at() = ToProto(now + every * policy_.time_scale);
  } else {
    call->clear_next_round_at();
  }
  StoreBatch batch;
  batch.Put(keys::RollCall(call->roll_call_id()), call->SerializeAsString());
  return store_->CommitAndWait(std::move(batch));
}

absl::StatusOr<RollCallStatus> RollCallBook::Status(const std::string& id,
                                                    uint32_t round) const {
  absl::StatusOr<RollCall> call = Get(id);
  if (absl::IsNotFound(call.status())) {
    return FieldError(absl::StatusCode::kNotFound, "roll_call_id",
                      absl::StrCat("no roll call ", id, " was issued at node ",
                                   instructions_->region()));
  }
  if (!call.ok()) return call.status();
  if (round == 0) round = call->rounds();
  if (round > call->rounds()) {
    return Invalid("round", absl::StrCat("roll call ", id, " has ",
                                         call->rounds(), " rounds so far"));
  }
  const absl::Time now = clock_->TimeNow();
  RollCallStatus status;
  status.set_round(round);
  *status.mutable_as_of() = ToProto(now);
  for (const std::string& target : call->targets()) {
    RollCallTarget* t = status.add_targets();
    t->set_region(target);
    if (const Region* r = regions_->Find(target)) t->set_name(r->name);
    t->set_instruction_id(InstructionId(id, round, target));
    t->set_state(ROLL_CALL_STATE_SILENT);
    absl::StatusOr<InstructionState> part =
        instructions_->State(t->instruction_id(), now);
    if (!part.ok()) continue;
    *t->mutable_due() = part->instruction().feedback_due();
    for (const Feedback& f : part->feedback()) {
      const RollCallAnswer& answer = f.roll_call_answer();
      if (answer.kind() == RollCallAnswer::KIND_UNSPECIFIED) {
        if (t->state() == ROLL_CALL_STATE_SILENT) {
          t->set_state(ROLL_CALL_STATE_RECEIVED);
        }
        continue;
      }
      const bool reported = answer.kind() == RollCallAnswer::KIND_REPORTED;
      if (t->state() != ROLL_CALL_STATE_REPORTED) {
        t->set_state(reported ? ROLL_CALL_STATE_REPORTED
                              : ROLL_CALL_STATE_ZERO);
      }
      for (const std::string& r : answer.report_ids()) t->add_report_ids(r);
      if (!IsSet(t->answered_at()) && !f.hops().empty()) {
        *t->mutable_answered_at() = f.hops(f.hops_size() - 1).received_at();
      }
    }
    const bool answered = t->state() == ROLL_CALL_STATE_ZERO ||
                          t->state() == ROLL_CALL_STATE_REPORTED;
    t->set_overdue(!answered && IsSet(t->due()) && now > FromProto(t->due()));
  }
  for (const RollCallTarget& t : status.targets()) {
    switch (t.state()) {
      case ROLL_CALL_STATE_ZERO:
        status.set_zero(status.zero() + 1);
        break;
      case ROLL_CALL_STATE_REPORTED:
        status.set_reported(status.reported() + 1);
        break;
      default:
        status.set_silent(status.silent() + 1);
        break;
    }
  }
  status.set_answered(status.zero() + status.reported());
  *status.mutable_roll_call() = *std::move(call);
  return status;
}

absl::StatusOr<RollCallStatus> RollCallBook::Close(const Identity& leader,
                                                   const std::string& id) {
  const std::string& here = instructions_->region();
  if (leader.role != Role::kClient || !RegionContains(leader.region, here)) {
    return absl::PermissionDeniedError(
        absl::StrCat(leader.uri, " may not close roll calls at node ", here));
  }
  ASSIGN_OR_RETURN(RollCall call, Get(id));
  if (!call.closed()) {
    call.set_closed(true);
    call.clear_next_round_at();
    StoreBatch batch;
    batch.Put(keys::RollCall(id), call.SerializeAsString());
    RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  }
  return Status(id, 0);
}

absl::StatusOr<int> RollCallBook::Tick(absl::Time now) {
  std::vector<RollCall> due;
  absl::Status decoded;
  RETURN_IF_ERROR(store_->Scan(
      keys::kRollCalls, "",
      [&](const std::string& key, const std::string& value) {
        RollCall call;
        if (!call.ParseFromString(value)) {
          decoded = absl::DataLossError(absl::StrCat(key, " does not decode"));
          return false;
        }
        if (!call.closed() && IsSet(call.next_round_at()) &&
            FromProto(call.next_round_at()) <= now) {
          due.push_back(std::move(call));
        }
        return true;
      }));
  RETURN_IF_ERROR(decoded);
  int issued = 0;
  for (RollCall& call : due) {
    ASSIGN_OR_RETURN(Identity leader, ParseIdentity(call.issued_by()));
    RETURN_IF_ERROR(IssueRound(leader, &call, now));
    ++issued;
  }
  return issued;
}

}  // namespace kuaibao
