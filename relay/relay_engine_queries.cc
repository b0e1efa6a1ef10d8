// The questions the node asks the engine (relay/relay_engine.h): status,
// metrics and health checks read the node's state through these, never
// through the store, outbox or ledger themselves.
#include "absl/strings/str_cat.h"
#include "relay/base/log.h"
#include "relay/base/status_macros.h"
#include "relay/feed_items.h"
#include "relay/relay_engine.h"
#include "relay/store/keys.h"

namespace kuaibao {

absl::Status RelayEngine::Admitted() const {
  AdmissionControl* admission;
  {
    absl::MutexLock lock(&mu_);
    admission = admission_;
  }
  return admission == nullptr ? absl::OkStatus() : admission->Check();
}

absl::Status RelayEngine::IntakeRefusal() const {
  absl::Status admitted = Admitted();
  return admitted.ok() ? store_->WriteHealth() : admitted;
}

absl::Status RelayEngine::RecheckIntake() {
  if (Admitted().ok() && !store_->WriteHealth().ok() &&
      store_->Recover().ok()) {
    Log(LogLevel::kInfo, "store reopened after a failed write");
  }
  return IntakeRefusal();
}

absl::Status RelayEngine::ForEachBreachRecord(
    const std::function<bool(const std::string& about, const Breach&)>& fn)
    const {
  return store_->Scan(
      keys::kBreaches, "", [&](const std::string& key, const std::string& v) {
        Breach b;
        // One that does not decode is skipped: the others are still worth
        // listing.
        return !b.ParseFromString(v) || fn(keys::BreachSubjectId(key), b);
      });
}

absl::StatusOr<v1::BreachReview> RelayEngine::ReviewOf(
    const std::string& about, DeadlineRule rule,
    const std::string& responsible) const {
  ASSIGN_OR_RETURN(std::string mark,
                   store_->Get(keys::Review(about, rule, responsible)));
  v1::BreachReview review;
  if (!review.ParseFromString(mark)) {
    return absl::DataLossError(absl::StrCat(
        "the review mark of a breach about ", about, " cannot be read"));
  }
  return review;
}

absl::Status RelayEngine::RecordReview(const v1::BreachReview& review) {
  StoreBatch batch;
  batch.Put(keys::Review(review.about(), review.rule(), review.responsible()),
            review.SerializeAsString());
  return store_->CommitAndWait(std::move(batch));
}

void RelayEngine::RecordInFeed(v1::FeedItem item) {
  RecordAlone(store_, std::move(item));
}

}  // namespace kuaibao
