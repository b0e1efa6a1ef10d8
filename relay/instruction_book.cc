#include "relay/instruction_book.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "relay/base/status_macros.h"
#include "relay/deadlines.h"
#include "relay/feed_items.h"
#include "relay/node_id.h"
#include "relay/proto_time.h"
#include "relay/region.h"
#include "relay/time_fields.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

constexpr size_t kMaxTextBytes = size_t{64} * 1024;
constexpr size_t kMaxTitleBytes = 200;

std::string InstructionKey(const std::string& id) {
  return keys::Instruction(id);
}
std::string FeedbackPrefix(const std::string& instruction_id) {
  return keys::FeedbackPrefix(instruction_id);
}
std::string FeedbackKey(const std::string& instruction_id,
                        const std::string& feedback_id) {
  return keys::Feedback(instruction_id, feedback_id);
}
std::string DownPrefix(const std::string& child) {
  return keys::DownQueuePrefix(child);
}
std::string UpPrefix(const std::string& parent) {
  return keys::UpQueuePrefix(parent);
}
std::string QueueKey(const std::string& prefix, uint64_t seq) {
  return keys::InstructionQueueKey(prefix, seq);
}

template <typename Message>
absl::StatusOr<Message> Decode(const std::string& key,
                               const std::string& value) {
  Message m;
  if (!m.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("stored ", key, " does not decode"));
  }
  return m;
}

// The value stored under `key`; NOT_FOUND when absent.
absl::StatusOr<std::string> Read(const ReportStore& store,
                                 const std::string& key) {
  std::optional<std::string> found;
  RETURN_IF_ERROR(
      store.Scan(key, key, [&](const std::string& k, const std::string& v) {
        if (k == key) found = v;
        return false;
      }));
  if (!found) return absl::NotFoundError(absl::StrCat("no ", key));
  return *std::move(found);
}

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason);
}

absl::Status CheckText(const std::string& text, absl::string_view field,
                       size_t max, bool required) {
  if (required && text.empty()) return Invalid(field, "required");
  if (text.size() > max) {
    return Invalid(field, absl::StrCat("longer than ", max, " bytes"));
  }
  return absl::OkStatus();
}

InstructionHop Hop(const std::string& node, absl::Time at) {
  InstructionHop hop;
  hop.set_node(node);
  *hop.mutable_received_at() = ToProto(at);
  return hop;
}

// When `node` received it, per `hops`; InfinitePast when it has not.
absl::Time ReceivedBy(
    const google::protobuf::RepeatedPtrField<InstructionHop>& hops,
    const std::string& node) {
  for (const InstructionHop& hop : hops) {
    if (hop.node() == node) return FromProto(hop.received_at());
  }
  return absl::InfinitePast();
}

bool IsFinal(FeedbackStatus status) {
  return status == FEEDBACK_STATUS_DONE ||
         status == FEEDBACK_STATUS_CANNOT_COMPLY;
}

// Same instruction, as far as the issuer decided it (hops differ by node).
bool SameOrder(const Instruction& a, const Instruction& b) {
  return a.event_id() == b.event_id() && a.text() == b.text() &&
         a.target_region() == b.target_region() &&
         a.report_id() == b.report_id();
}

}  // namespace

std::string NextNodeDown(const std::string& here, const std::string& target) {
  if (target == here || !LevelOf(target).ok() || !LevelOf(here).ok() ||
      !RegionContains(here, target)) {
    return "";
  }
  std::string node = target;
  while (!node.empty() && ParentCode(node) != here) node = ParentCode(node);
  return node;
}

std::vector<DeadlineStatus> InstructionDeadlines(
    const Instruction& instruction, const std::vector<Feedback>& feedback,
    const DeadlinePolicy& policy, const std::string& here, absl::Time now) {
  const std::string& target = instruction.target_region();
  absl::Time issued = FromProto(instruction.issued_at());
  // The path down as best known here: the target's own record of it (from
  // its receipt), else this node's.
  const google::protobuf::RepeatedPtrField<InstructionHop>* path =
      &instruction.hops();
  absl::Time arrived = ReceivedBy(instruction.hops(), target);
  absl::Time final_here = absl::InfinitePast();
  for (const Feedback& f : feedback) {
    absl::Time t = ReceivedBy(f.instruction_hops(), target);
    if (t != absl::InfinitePast() &&
        (arrived == absl::InfinitePast() || t < arrived)) {
      arrived = t;
      path = &f.instruction_hops();
    }
    absl::Time here_at = ReceivedBy(f.hops(), here);
    if (IsFinal(f.status()) && here_at != absl::InfinitePast() &&
        (final_here == absl::InfinitePast() || here_at < final_here)) {
      final_here = here_at;
    }
  }

  auto status = [&](DeadlineRule rule, const std::string& responsible,
                    absl::Time due, absl::Time met, std::string detail) {
    DeadlineStatus s;
    s.set_rule(rule);
    s.set_report_id(instruction.report_id());
    s.set_event_id(instruction.event_id());
    s.set_headline(instruction.text());
    s.set_drill(instruction.drill());
    s.set_responsible(responsible);
    *s.mutable_start() = ToProto(issued);
    *s.mutable_due() = ToProto(due);
    if (met != absl::InfinitePast()) *s.mutable_met_at() = ToProto(met);
    s.set_state(StateOf(issued, due, met, now, policy.at_risk_fraction));
    s.set_detail(std::move(detail));
    return s;
  };

  // Relay: whoever held it when the budget ran out (or, while open, the
  // last node known to have it).
  absl::Time relay_due = issued + policy.instruction_relay;
  absl::Time cutoff = arrived == absl::InfinitePast() ? now : relay_due;
  std::string holder = instruction.issuer_node();
  for (const InstructionHop& hop : *path) {
    if (FromProto(hop.received_at()) <= cutoff) holder = hop.node();
  }
  if (arrived != absl::InfinitePast() && arrived <= relay_due) holder = target;
  std::vector<DeadlineStatus> out;
  out.push_back(status(
      DEADLINE_RULE_INSTRUCTION_RELAY, holder, relay_due, arrived,
      absl::StrCat("instruction ", instruction.instruction_id(), " to ", target,
                   arrived == absl::InfinitePast()
                       ? absl::StrCat(", last known at ", holder)
                       : ", received")));
  out.push_back(
      status(DEADLINE_RULE_FEEDBACK, target,
             FromProto(instruction.feedback_due()), final_here,
             absl::StrCat("feedback on instruction ",
                          instruction.instruction_id(), " from ", target)));
  return out;
}

InstructionBook::InstructionBook(InstructionBookOptions options,
                                 ReportStore* store, Clock* clock)
    : options_(std::move(options)), store_(store), clock_(clock) {}

void InstructionBook::SetListeners(
    std::function<void(const std::string& child)> down,
    std::function<void()> up) {
  down_listener_ = std::move(down);
  up_listener_ = std::move(up);
}

absl::StatusOr<Instruction> InstructionBook::Get(const std::string& id) const {
  ASSIGN_OR_RETURN(std::string value, Read(*store_, InstructionKey(id)));
  return Decode<Instruction>(InstructionKey(id), value);
}

absl::StatusOr<Instruction> InstructionBook::InstructionOf(
    const Feedback& feedback) const {
  absl::StatusOr<Instruction> instruction = Get(feedback.instruction_id());
  if (absl::IsNotFound(instruction.status())) {
    return FieldError(absl::StatusCode::kNotFound, "feedback.instruction_id",
                      absl::StrCat("no instruction ", feedback.instruction_id(),
                                   " at node ", options_.region));
  }
  return instruction;
}

absl::StatusOr<std::vector<Feedback>> InstructionBook::FeedbackOf(
    const std::string& id) const {
  std::vector<Feedback> out;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(
      FeedbackPrefix(id), "", [&](const std::string& k, const std::string& v) {
        absl::StatusOr<Feedback> f = Decode<Feedback>(k, v);
        if (!f.ok()) {
          bad = f.status();
          return false;
        }
        out.push_back(*std::move(f));
        return true;
      }));
  RETURN_IF_ERROR(bad);
  std::sort(out.begin(), out.end(), [](const Feedback& a, const Feedback& b) {
    return FromProto(a.sent_at()) < FromProto(b.sent_at());
  });
  return out;
}

std::string InstructionBook::StoreAndRoute(const Instruction& instruction,
                                           StoreBatch* batch) {
  const std::string& here = options_.region;
  batch->Put(InstructionKey(instruction.instruction_id()),
             instruction.SerializeAsString());
  batch->Record(InstructionItem(instruction, clock_->TimeNow()));
  std::string child = NextNodeDown(here, instruction.target_region());
  if (!child.empty()) {
    batch->Put(QueueKey(DownPrefix(child), store_->NextSeq()),
               instruction.instruction_id());
    return child;
  }
  // Arrived: sign for it, with the path it took.
  Feedback receipt;
  receipt.set_feedback_id(
      absl::StrCat(instruction.instruction_id(), ":received"));
  receipt.set_instruction_id(instruction.instruction_id());
  receipt.set_from_node(here);
  receipt.set_by(IdentityUri(Role::kNode, here));
  *receipt.mutable_sent_at() = instruction.hops().empty()
                                   ? ToProto(clock_->TimeNow())
                                   : instruction.hops().rbegin()->received_at();
  receipt.set_status(FEEDBACK_STATUS_RECEIVED);
  receipt.set_text("received");
  *receipt.add_hops() = Hop(here, FromProto(receipt.sent_at()));
  *receipt.mutable_instruction_hops() = instruction.hops();
  bool queued_up;
  StoreFeedback(instruction, receipt, batch, &queued_up);
  return "";
}

void InstructionBook::StoreFeedback(const Instruction& to,
                                    const Feedback& feedback, StoreBatch* batch,
                                    bool* queued_up) {
  std::string key = FeedbackKey(to.instruction_id(), feedback.feedback_id());
  batch->Put(key, feedback.SerializeAsString());
  batch->Record(FeedbackItem(feedback, to.event_id(), clock_->TimeNow()));
  *queued_up = to.issuer_node() != options_.region && !options_.parent.empty();
  if (*queued_up) {
    batch->Put(QueueKey(UpPrefix(options_.parent), store_->NextSeq()), key);
  }
}

namespace {

// A roll call's answer (relay/roll_call_book.h) is a final feedback on one
// of the roll call's instructions, and a "reported" one names the reports.
absl::Status CheckRollCallAnswer(const Instruction& instruction,
                                 const Feedback& feedback) {
  const RollCallAnswer& answer = feedback.roll_call_answer();
  if (!feedback.has_roll_call_answer()) return absl::OkStatus();
  if (instruction.roll_call_id().empty()) {
    return Invalid("feedback.roll_call_answer",
                   absl::StrCat("instruction ", instruction.instruction_id(),
                                " is not part of a roll call"));
  }
  if (answer.kind() == RollCallAnswer::KIND_UNSPECIFIED ||
      !RollCallAnswer::Kind_IsValid(answer.kind())) {
    return Invalid("feedback.roll_call_answer.kind", "zero or reported");
  }
  if (answer.kind() == RollCallAnswer::KIND_REPORTED &&
      answer.report_ids().empty()) {
    return Invalid("feedback.roll_call_answer.report_ids",
                   "name the reports filed (or answer with a zero report)");
  }
  for (const std::string& id : answer.report_ids()) {
    if (!ValidId(id)) {
      return Invalid("feedback.roll_call_answer.report_ids",
                     absl::StrCat("'", id, "' is not a report id"));
    }
  }
  if (!IsFinal(feedback.status())) {
    return Invalid("feedback.status", "a roll call's answer is final (done)");
  }
  return absl::OkStatus();
}

// Where an instruction about `event` goes when the leader names no target:
// the event's owner (the government of its location, relay/deadlines.h)
// when the event's latest report passed through its node, else the node
// that took that report in (a township whose duty room files at its
// county's node runs none of its own).
std::string DefaultTarget(const ReportStore& store, const EventRecord& event) {
  absl::StatusOr<StoredReport> last = store.GetReport(event.last_report_id());
  if (!last.ok() || last->hops().empty()) return event.owner_node();
  for (const HopRecord& hop : last->hops()) {
    if (hop.node() == event.owner_node()) return event.owner_node();
  }
  return std::string(NodeRegion(last->hops(0).node()));
}

}  // namespace

absl::StatusOr<InstructionState> InstructionBook::Issue(
    const Identity& leader, Instruction instruction,
    absl::Duration feedback_within) {
  const std::string& here = options_.region;
  if (leader.role != Role::kClient || !RegionContains(leader.region, here)) {
    return absl::PermissionDeniedError(absl::StrCat(
        leader.uri, " may not issue instructions at node ", here,
        ": only a client whose region contains this node's (a leader at this "
        "level or above)"));
  }
  if (!ValidId(instruction.instruction_id())) {
    return Invalid("instruction.instruction_id",
                   "1 to 128 letters, digits, '-', '_', '.', ':'");
  }
  if (!ValidId(instruction.event_id())) {
    return Invalid("instruction.event_id",
                   "1 to 128 letters, digits, '-', '_', '.', ':'");
  }
  if (!instruction.report_id().empty() && !ValidId(instruction.report_id())) {
    return Invalid("instruction.report_id",
                   "1 to 128 letters, digits, '-', '_', '.', ':'");
  }
  RETURN_IF_ERROR(
      CheckText(instruction.text(), "instruction.text", kMaxTextBytes, true));
  RETURN_IF_ERROR(CheckText(instruction.issuer_title(),
                            "instruction.issuer_title", kMaxTitleBytes, false));
  if (feedback_within < absl::ZeroDuration()) {
    return Invalid("feedback_within_seconds", "must not be negative");
  }
  // The event as known here: the default target, and whether it is a drill.
  absl::StatusOr<std::string> event =
      Read(*store_, ReportStore::EventKey(instruction.event_id()));
  if (!event.ok() && !absl::IsNotFound(event.status())) return event.status();
  if (event.ok()) {
    ASSIGN_OR_RETURN(EventRecord record,
                     Decode<EventRecord>(instruction.event_id(), *event));
    instruction.set_drill(record.drill());
    if (instruction.target_region().empty()) {
      instruction.set_target_region(DefaultTarget(*store_, record));
    }
  } else if (instruction.target_region().empty()) {
    return FieldError(
        absl::StatusCode::kNotFound, "instruction.event_id",
        absl::StrCat("event ", instruction.event_id(), " is unknown at node ",
                     here, "; name the target region"));
  }
  absl::StatusOr<Level> level = LevelOf(instruction.target_region());
  if (!level.ok() || *level == Level::kVillage ||
      !RegionContains(here, instruction.target_region())) {
    return Invalid("instruction.target_region",
                   absl::StrCat("'", instruction.target_region(),
                                "' is not a node's region inside ", here));
  }

  absl::Time now = clock_->TimeNow();
  instruction.set_issuer_node(here);
  instruction.set_issued_by(leader.uri);
  *instruction.mutable_issued_at() = ToProto(now);
  absl::Duration within = feedback_within > absl::ZeroDuration()
                              ? feedback_within * options_.deadlines.time_scale
                              : options_.deadlines.feedback;
  *instruction.mutable_feedback_due() = ToProto(now + within);
  instruction.clear_hops();
  *instruction.add_hops() = Hop(here, now);

  std::string child;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Instruction> existing = Get(instruction.instruction_id());
    if (existing.ok()) {
      if (!SameOrder(*existing, instruction)) {
        return FieldError(
            absl::StatusCode::kAlreadyExists, "instruction.instruction_id",
            absl::StrCat("instruction ", instruction.instruction_id(),
                         " exists with other content"));
      }
      return State(instruction.instruction_id(), now);
    }
    if (!absl::IsNotFound(existing.status())) return existing.status();
    StoreBatch batch;
    child = StoreAndRoute(instruction, &batch);
    RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  }
  if (!child.empty() && down_listener_) down_listener_(child);
  return State(instruction.instruction_id(), now);
}

absl::Status InstructionBook::Receive(const Instruction& instruction) {
  const std::string& here = options_.region;
  RETURN_IF_ERROR(CheckTimeFields(instruction, "instruction"));
  if (!ValidId(instruction.instruction_id())) {
    return Invalid("instruction.instruction_id", "not a valid id");
  }
  if (!RegionContains(here, instruction.target_region()) ||
      !LevelOf(instruction.target_region()).ok()) {
    return Invalid("instruction.target_region",
                   absl::StrCat("'", instruction.target_region(),
                                "' is not inside this node's region ", here));
  }
  std::string child;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Instruction> existing = Get(instruction.instruction_id());
    if (existing.ok()) return absl::OkStatus();  // a resend: ack again
    if (!absl::IsNotFound(existing.status())) return existing.status();
    Instruction stored = instruction;
    *stored.add_hops() = Hop(here, clock_->TimeNow());
    StoreBatch batch;
    child = StoreAndRoute(stored, &batch);
    RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  }
  if (!child.empty() && down_listener_) down_listener_(child);
  if (child.empty() && up_listener_) up_listener_();  // the receipt
  return absl::OkStatus();
}

absl::Status InstructionBook::ReceiveFromPeer(const Instruction& instruction) {
  if (!ValidId(instruction.instruction_id())) {
    return Invalid("instruction.instruction_id", "not a valid id");
  }
  std::string child;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Instruction> existing = Get(instruction.instruction_id());
    if (existing.ok()) return absl::OkStatus();  // the first copy stands
    if (!absl::IsNotFound(existing.status())) return existing.status();
    StoreBatch batch;
    batch.MarkFromPeer();  // not copied back
    batch.Put(InstructionKey(instruction.instruction_id()),
              instruction.SerializeAsString());
    batch.Record(InstructionItem(instruction, clock_->TimeNow()));
    child = NextNodeDown(options_.region, instruction.target_region());
    if (!child.empty()) {
      batch.Put(QueueKey(DownPrefix(child), store_->NextSeq()),
                instruction.instruction_id());
    }
    RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  }
  if (!child.empty() && down_listener_) down_listener_(child);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Instruction>> InstructionBook::PendingDown(
    const std::string& child) const {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(store_->Scan(DownPrefix(child), "",
                               [&](const std::string&, const std::string& v) {
                                 ids.push_back(v);
                                 return true;
                               }));
  std::vector<Instruction> out;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(Instruction instruction, Get(id));
    out.push_back(std::move(instruction));
  }
  return out;
}

absl::Status InstructionBook::DeleteQueued(
    const std::string& prefix,
    const std::function<bool(const std::string&)>& match) {
  StoreBatch batch;
  RETURN_IF_ERROR(
      store_->Scan(prefix, "", [&](const std::string& k, const std::string& v) {
        if (match(v)) batch.Delete(k);
        return true;
      }));
  if (batch.empty()) return absl::OkStatus();  // already deleted
  return store_->CommitAndWait(std::move(batch));
}

absl::Status InstructionBook::Acknowledged(const std::string& child,
                                           const std::string& instruction_id) {
  absl::MutexLock lock(&mu_);
  return DeleteQueued(DownPrefix(child), [&](const std::string& v) {
    return v == instruction_id;
  });
}

absl::StatusOr<InstructionState> InstructionBook::SendFeedback(
    const Identity& client, Feedback feedback) {
  const std::string& here = options_.region;
  if (client.role != Role::kClient || !RegionContains(here, client.region)) {
    return absl::PermissionDeniedError(
        absl::StrCat("feedback is sent by a client of the target's region; ",
                     client.uri, " is not a client inside ", here));
  }
  if (!ValidId(feedback.feedback_id())) {
    return Invalid("feedback.feedback_id",
                   "1 to 128 letters, digits, '-', '_', '.', ':'");
  }
  if (feedback.status() != FEEDBACK_STATUS_IN_PROGRESS &&
      feedback.status() != FEEDBACK_STATUS_SIGNED_FOR &&
      !IsFinal(feedback.status())) {
    return Invalid("feedback.status",
                   "one of signed for, in progress, done, cannot comply");
  }
  RETURN_IF_ERROR(
      CheckText(feedback.text(), "feedback.text", kMaxTextBytes, true));
  absl::Time now = clock_->TimeNow();
  bool queued_up = false;
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Instruction instruction, InstructionOf(feedback));
    RETURN_IF_ERROR(CheckRollCallAnswer(instruction, feedback));
    if (instruction.target_region() != here) {
      return FieldError(
          absl::StatusCode::kFailedPrecondition, "feedback.instruction_id",
          absl::StrCat("instruction ", feedback.instruction_id(),
                       " is addressed to ", instruction.target_region(),
                       "; its feedback is sent at that node"));
    }
    std::string key =
        FeedbackKey(feedback.instruction_id(), feedback.feedback_id());
    absl::StatusOr<std::string> existing = Read(*store_, key);
    if (existing.ok()) {
      ASSIGN_OR_RETURN(Feedback stored, Decode<Feedback>(key, *existing));
      if (stored.text() != feedback.text() ||
          stored.status() != feedback.status()) {
        return FieldError(absl::StatusCode::kAlreadyExists,
                          "feedback.feedback_id",
                          absl::StrCat("feedback ", feedback.feedback_id(),
                                       " exists with other content"));
      }
      return State(feedback.instruction_id(), now);
    }
    if (!absl::IsNotFound(existing.status())) return existing.status();
    feedback.set_from_node(here);
    feedback.set_by(client.uri);
    *feedback.mutable_sent_at() = ToProto(now);
    feedback.clear_hops();
    *feedback.add_hops() = Hop(here, now);
    *feedback.mutable_instruction_hops() = instruction.hops();
    StoreBatch batch;
    StoreFeedback(instruction, feedback, &batch, &queued_up);
    RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  }
  if (queued_up && up_listener_) up_listener_();
  return State(feedback.instruction_id(), now);
}

absl::StatusOr<FeedbackReceipt> InstructionBook::ReceiveFeedback(
    const Identity& child, Feedback feedback) {
  const std::string& here = options_.region;
  RETURN_IF_ERROR(CheckTimeFields(feedback, "feedback"));
  if (child.role != Role::kNode || !LevelOf(feedback.from_node()).ok() ||
      !RegionContains(child.region, feedback.from_node())) {
    return absl::PermissionDeniedError(
        absl::StrCat("node ", child.region, " may not relay feedback from '",
                     feedback.from_node(), "'"));
  }
  if (!ValidId(feedback.instruction_id()) || feedback.feedback_id().empty() ||
      absl::StrContains(feedback.feedback_id(), "/")) {
    return Invalid("feedback.feedback_id", "not a valid id");
  }
  FeedbackReceipt receipt;
  receipt.set_feedback_id(feedback.feedback_id());
  receipt.set_node(here);
  bool queued_up = false;
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Instruction instruction, InstructionOf(feedback));
    std::string key =
        FeedbackKey(feedback.instruction_id(), feedback.feedback_id());
    absl::StatusOr<std::string> existing = Read(*store_, key);
    if (existing.ok()) {
      ASSIGN_OR_RETURN(Feedback stored, Decode<Feedback>(key, *existing));
      *receipt.mutable_received_at() = ToProto(ReceivedBy(stored.hops(), here));
      return receipt;
    }
    if (!absl::IsNotFound(existing.status())) return existing.status();
    absl::Time now = clock_->TimeNow();
    *feedback.add_hops() = Hop(here, now);
    *receipt.mutable_received_at() = ToProto(now);
    StoreBatch batch;
    StoreFeedback(instruction, feedback, &batch, &queued_up);
    RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  }
  if (queued_up && up_listener_) up_listener_();
  return receipt;
}

absl::StatusOr<std::vector<Feedback>> InstructionBook::PendingUp() const {
  std::vector<std::string> keys;
  if (options_.parent.empty()) return std::vector<Feedback>();
  RETURN_IF_ERROR(store_->Scan(UpPrefix(options_.parent), "",
                               [&](const std::string&, const std::string& v) {
                                 keys.push_back(v);
                                 return true;
                               }));
  std::vector<Feedback> out;
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(std::string value, Read(*store_, key));
    ASSIGN_OR_RETURN(Feedback f, Decode<Feedback>(key, value));
    out.push_back(std::move(f));
  }
  return out;
}

absl::Status InstructionBook::FeedbackDelivered(
    const std::string& feedback_id) {
  if (options_.parent.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  std::string suffix = absl::StrCat("/", feedback_id);
  return DeleteQueued(UpPrefix(options_.parent), [&](const std::string& v) {
    return absl::EndsWith(v, suffix);
  });
}

absl::StatusOr<InstructionState> InstructionBook::State(
    const std::string& instruction_id, absl::Time now) const {
  InstructionState state;
  ASSIGN_OR_RETURN(*state.mutable_instruction(), Get(instruction_id));
  ASSIGN_OR_RETURN(std::vector<Feedback> feedback, FeedbackOf(instruction_id));
  for (DeadlineStatus& d :
       InstructionDeadlines(state.instruction(), feedback, options_.deadlines,
                            options_.region, now)) {
    *state.add_deadlines() = std::move(d);
  }
  for (Feedback& f : feedback) *state.add_feedback() = std::move(f);
  std::string child =
      NextNodeDown(options_.region, state.instruction().target_region());
  if (!child.empty()) {
    bool pending = false;
    RETURN_IF_ERROR(store_->Scan(DownPrefix(child), "",
                                 [&](const std::string&, const std::string& v) {
                                   pending = v == instruction_id;
                                   return !pending;
                                 }));
    if (pending) state.set_pending_for(child);
  }
  return state;
}

absl::StatusOr<std::vector<InstructionState>> InstructionBook::List(
    const std::string& region, const std::string& event_id,
    absl::Time now) const {
  std::vector<std::string> ids;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(
      keys::kInstructions, "", [&](const std::string& k, const std::string& v) {
        absl::StatusOr<Instruction> i = Decode<Instruction>(k, v);
        if (!i.ok()) {
          bad = i.status();
          return false;
        }
        if ((RegionContains(region, i->target_region()) ||
             RegionContains(region, i->issuer_node())) &&
            (event_id.empty() || i->event_id() == event_id)) {
          ids.push_back(i->instruction_id());
        }
        return true;
      }));
  RETURN_IF_ERROR(bad);
  std::vector<InstructionState> out;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(InstructionState state, State(id, now));
    out.push_back(std::move(state));
  }
  std::sort(out.begin(), out.end(),
            [](const InstructionState& a, const InstructionState& b) {
              return FromProto(a.instruction().issued_at()) <
                     FromProto(b.instruction().issued_at());
            });
  return out;
}

absl::StatusOr<std::vector<DeadlineStatus>> InstructionBook::Due(
    const std::string& region, absl::Time now, bool include_met) const {
  ASSIGN_OR_RETURN(std::vector<InstructionState> all, List(region, "", now));
  std::vector<DeadlineStatus> out;
  for (InstructionState& state : all) {
    for (DeadlineStatus& d : *state.mutable_deadlines()) {
      if (include_met || d.state() != DEADLINE_STATE_MET) {
        out.push_back(std::move(d));
      }
    }
  }
  return out;
}

}  // namespace kuaibao
