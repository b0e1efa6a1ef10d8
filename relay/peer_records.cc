#include "relay/peer_records.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/national_submission.h"
#include "relay/store/keys.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

// The record a put of `key` stores, if it is of a copied kind.
std::optional<v1::PeerRecord> RecordOf(const std::string& key,
                                       const std::string& value) {
  // Every receipt writes a forwarding: only those to "national" are parsed.
  const std::optional<keys::ForwardingKeyParts> national =
      absl::EndsWith(key, kNationalUpstream) ? keys::ParseForwarding(key)
                                             : std::nullopt;
  v1::PeerRecord record;
  bool parsed = false;
  if (absl::StartsWith(key, keys::kInstructions)) {
    parsed = record.mutable_instruction()->ParseFromString(value);
  } else if (absl::StartsWith(key, keys::kFeedbacks)) {
    parsed = record.mutable_feedback()->ParseFromString(value);
  } else if (absl::StartsWith(key, keys::kRollCalls)) {
    parsed = record.mutable_roll_call()->ParseFromString(value);
  } else if (absl::StartsWith(key, keys::kReviews)) {
    parsed = record.mutable_review()->ParseFromString(value);
  } else if (national && national->upstream == kNationalUpstream) {
    v1::NationalSubmissionRecord* national_record =
        record.mutable_national_submission();
    national_record->set_report_id(national->report_id);
    parsed = national_record->mutable_forwarding()->ParseFromString(value);
  } else {
    return std::nullopt;
  }
  if (!parsed) return std::nullopt;  // the write's owner serialized it
  return record;
}

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason);
}

absl::Status Required(const std::string& value, const char* field) {
  return value.empty() ? Invalid(field, "is required") : absl::OkStatus();
}

// The key `record` is stored under here, and its value.
absl::StatusOr<std::pair<std::string, std::string>> KeyAndValue(
    const v1::PeerRecord& record) {
  switch (record.record_case()) {
    case v1::PeerRecord::kInstruction: {
      const Instruction& i = record.instruction();
      RETURN_IF_ERROR(
          Required(i.instruction_id(), "instruction.instruction_id"));
      return std::make_pair(keys::Instruction(i.instruction_id()),
                            i.SerializeAsString());
    }
    case v1::PeerRecord::kFeedback: {
      const Feedback& f = record.feedback();
      RETURN_IF_ERROR(Required(f.instruction_id(), "feedback.instruction_id"));
      RETURN_IF_ERROR(Required(f.feedback_id(), "feedback.feedback_id"));
      return std::make_pair(keys::Feedback(f.instruction_id(), f.feedback_id()),
                            f.SerializeAsString());
    }
    case v1::PeerRecord::kRollCall: {
      const v1::RollCall& c = record.roll_call();
      RETURN_IF_ERROR(Required(c.roll_call_id(), "roll_call.roll_call_id"));
      return std::make_pair(keys::RollCall(c.roll_call_id()),
                            c.SerializeAsString());
    }
    case v1::PeerRecord::kReview: {
      const v1::BreachReview& r = record.review();
      RETURN_IF_ERROR(Required(r.about(), "review.about"));
      RETURN_IF_ERROR(Required(r.responsible(), "review.responsible"));
      return std::make_pair(keys::Review(r.about(), r.rule(), r.responsible()),
                            r.SerializeAsString());
    }
    case v1::PeerRecord::kNationalSubmission: {
      const v1::NationalSubmissionRecord& n = record.national_submission();
      RETURN_IF_ERROR(Required(n.report_id(), "national_submission.report_id"));
      if (n.forwarding().to() != kNationalUpstream) {
        return Invalid("national_submission.forwarding.to",
                       absl::StrCat("must be \"", kNationalUpstream, "\""));
      }
      return std::make_pair(keys::Forwarding(n.report_id(), kNationalUpstream),
                            n.forwarding().SerializeAsString());
    }
    case v1::PeerRecord::RECORD_NOT_SET:
      break;
  }
  return Invalid("record", "is empty (or of a kind this node does not know)");
}

// Whether `incoming` replaces the roll call held here: a later round, or
// closed where the one here is open.
bool Newer(const v1::RollCall& incoming, const std::string& held) {
  v1::RollCall here;
  if (!here.ParseFromString(held)) return true;
  if (incoming.rounds() != here.rounds()) {
    return incoming.rounds() > here.rounds();
  }
  return incoming.closed() && !here.closed();
}

}  // namespace

void PeerRecords::CopyWrites() {
  store_->SetCommitHook([this](StoreBatch* batch) { Queue(batch); });
}

void PeerRecords::Queue(StoreBatch* batch) {
  if (batch->from_peer()) return;
  std::vector<v1::PeerRecord> copies;
  for (const auto& [key, value] : batch->ops()) {
    if (!value) continue;
    std::optional<v1::PeerRecord> record = RecordOf(key, *value);
    if (record) copies.push_back(*std::move(record));
  }
  for (v1::PeerRecord& record : copies) {
    record.set_seq(store_->NextSeq());
    batch->Put(keys::PeerQueueEntry(record.seq()), record.SerializeAsString());
  }
}

absl::StatusOr<std::vector<v1::PeerRecord>> PeerRecords::Pending(
    size_t limit, const absl::flat_hash_set<uint64_t>& skip) const {
  std::vector<v1::PeerRecord> pending;
  absl::Status damaged;
  RETURN_IF_ERROR(store_->ScanQueue(
      keys::kPeerQueue, [&](const std::string& key, const std::string& value) {
        v1::PeerRecord record;
        if (!record.ParseFromString(value)) {
          damaged = absl::DataLossError(
              absl::StrCat("the queued peer record ", key, " cannot be read"));
          return false;
        }
        if (!skip.contains(record.seq())) pending.push_back(std::move(record));
        return pending.size() < limit;
      }));
  RETURN_IF_ERROR(damaged);
  return pending;
}

absl::Status PeerRecords::Delivered(uint64_t seq) {
  StoreBatch batch;
  batch.Delete(keys::PeerQueueEntry(seq));
  return store_->CommitAndWait(std::move(batch));
}

absl::Status PeerRecords::Apply(const v1::PeerRecord& record) {
  ASSIGN_OR_RETURN(auto key_value, KeyAndValue(record));
  if (record.has_instruction() && book_ != nullptr) {
    return book_->ReceiveFromPeer(record.instruction());
  }
  auto& [key, value] = key_value;
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::string> held = store_->Get(key);
  if (held.ok()) {
    if (!record.has_roll_call() || !Newer(record.roll_call(), *held)) {
      return absl::OkStatus();  // the first copy stands
    }
  } else if (!absl::IsNotFound(held.status())) {
    return held.status();
  }
  StoreBatch batch;
  batch.MarkFromPeer();
  batch.Put(std::move(key), std::move(value));
  return store_->CommitAndWait(std::move(batch));
}

}  // namespace kuaibao
