#include "node/upstream_instructions.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "relay/base/log.h"

namespace kuaibao {

void UpstreamInstructions::StreamStarted() {
  absl::MutexLock lock(&mu_);
  sent_.clear();
  store_failed_ = false;
}

bool UpstreamInstructions::OnDown(const v1::RelayDown& down) {
  if (down.has_instruction()) {
    const std::string& id = down.instruction().instruction_id();
    absl::Status stored = book_->Receive(down.instruction());
    if (!stored.ok()) {
      // Not acknowledged: the parent keeps it, and pushes it again when the
      // stream is reopened, which WriteUp does next.
      Log(LogLevel::kError,
          "cannot store an instruction from the parent; reconnecting",
          {{"instruction_id", id},
           {"code", absl::StatusCodeToString(stored.code())},
           {"reason", std::string(stored.message())}});
      absl::MutexLock lock(&mu_);
      store_failed_ = true;
      return true;
    }
    Log(LogLevel::kInfo, "instruction received",
        {{"instruction_id", id},
         {"target", down.instruction().target_region()}});
    absl::MutexLock lock(&mu_);
    acks_.push_back(id);
    return true;
  }
  if (down.has_feedback_receipt()) {
    const std::string& id = down.feedback_receipt().feedback_id();
    absl::Status deleted = book_->FeedbackDelivered(id);
    if (!deleted.ok()) {
      Log(LogLevel::kError, "cannot record a feedback receipt",
          {{"feedback_id", id}, {"reason", std::string(deleted.message())}});
    }
    absl::MutexLock lock(&mu_);
    sent_.erase(id);
    return true;
  }
  if (down.has_rejection()) {
    const v1::Rejection& r = down.rejection();
    {
      absl::MutexLock lock(&mu_);
      if (!sent_.contains(r.report_id())) return false;  // about a report
    }
    // Kept queued (and marked sent), so it is offered again on the next
    // stream, not in a tight loop.
    Log(LogLevel::kError, "parent refused feedback; kept queued here",
        {{"feedback_id", r.report_id()},
         {"code",
          absl::StatusCodeToString(static_cast<absl::StatusCode>(r.code()))},
         {"reason", r.message()}});
    return true;
  }
  return false;
}

bool UpstreamInstructions::WriteUp(
    const std::function<bool(const v1::RelayUp&)>& write) {
  std::vector<std::string> acks;
  {
    absl::MutexLock lock(&mu_);
    if (store_failed_) {
      store_failed_ = false;
      return false;
    }
    acks.swap(acks_);
  }
  for (size_t i = 0; i < acks.size(); ++i) {
    v1::RelayUp up;
    up.set_instruction_ack(acks[i]);
    if (!write(up)) {
      // The parent pushes unacknowledged instructions again on reconnect.
      return false;
    }
  }
  absl::StatusOr<std::vector<Feedback>> pending = book_->PendingUp();
  if (!pending.ok()) {
    Log(LogLevel::kError, "cannot read feedback queued for the parent",
        {{"reason", std::string(pending.status().message())}});
    return true;
  }
  for (Feedback& feedback : *pending) {
    {
      absl::MutexLock lock(&mu_);
      if (!sent_.insert(feedback.feedback_id()).second) continue;
    }
    v1::RelayUp up;
    *up.mutable_feedback() = std::move(feedback);
    if (!write(up)) return false;
  }
  return true;
}

}  // namespace kuaibao
