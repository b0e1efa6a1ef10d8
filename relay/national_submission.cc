#include "relay/national_submission.h"

#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/proto_time.h"
#include "relay/region.h"

namespace kuaibao {
namespace {

constexpr size_t kMaxChannelBytes = 64;

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason);
}

std::string Utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

}  // namespace

absl::Status NationalSubmissions::Check(const Identity& caller,
                                        const NationalSubmission& submission,
                                        absl::Time now) const {
  absl::StatusOr<Level> level = LevelOf(region_);
  if (!level.ok() || *level != Level::kProvince) {
    return absl::FailedPreconditionError(absl::StrCat(
        "only the province records submissions to the State Council; this "
        "node is ",
        region_));
  }
  if (caller.role != Role::kClient || caller.region != region_) {
    return absl::PermissionDeniedError(
        absl::StrCat(caller.uri,
                     " may not record submissions to the State Council: only "
                     "the province's own clients may"));
  }
  if (!ValidId(submission.report_id)) {
    return Invalid("report_id", "is missing or not a valid report id");
  }
  if (submission.channel.empty()) {
    return Invalid("channel",
                   "is required: how it went (fax, telephone, national "
                   "system, ...)");
  }
  RETURN_IF_ERROR(CheckText(submission.channel, "channel", kMaxChannelBytes));
  RETURN_IF_ERROR(
      CheckText(submission.note, "note", limits_.max_short_text_bytes));
  if (submission.submitted_at == absl::InfinitePast()) return absl::OkStatus();
  return CheckTime(ToProto(submission.submitted_at), "submitted_at",
                   /*required=*/false, now, limits_);
}

absl::StatusOr<Forwarding> NationalSubmissions::Record(
    const Identity& caller, const NationalSubmission& submission,
    absl::Time now) {
  RETURN_IF_ERROR(Check(caller, submission, now));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(StoredReport stored,
                   store_->GetReport(submission.report_id));
  ASSIGN_OR_RETURN(std::vector<Forwarding> forwardings,
                   store_->GetForwardings(submission.report_id));
  for (const Forwarding& f : forwardings) {
    if (f.to() != kNationalUpstream) continue;
    if (f.channel() == submission.channel) return f;
    return absl::AlreadyExistsError(absl::StrCat(
        "report ", submission.report_id,
        " is already recorded as submitted to the State Council by ",
        f.channel().empty() ? "its national link" : f.channel(), " at ",
        Utc(FromProto(f.sent_at())), " (", f.recorded_by(), ")"));
  }
  const absl::Time received =
      FromProto(stored.hops(stored.hops_size() - 1).received_at());
  const absl::Time sent = submission.submitted_at == absl::InfinitePast()
                              ? now
                              : submission.submitted_at;
  if (sent < received) {
    return Invalid("submitted_at",
                   absl::StrCat("is before the province received the report (",
                                Utc(received), ")"));
  }
  Forwarding forwarding;
  forwarding.set_to(kNationalUpstream);
  *forwarding.mutable_sent_at() = ToProto(sent);
  *forwarding.mutable_acked_at() = ToProto(sent);
  forwarding.set_attempts(1);
  forwarding.set_route(ROUTE_OTHER_MEANS);
  forwarding.set_reason(
      absl::StrCat("submitted to the State Council by ", submission.channel,
                   submission.note.empty() ? "" : "; ", submission.note));
  forwarding.set_channel(submission.channel);
  forwarding.set_recorded_by(caller.uri);
  *forwarding.mutable_recorded_at() = ToProto(now);
  StoreBatch batch;
  batch.Put(ReportStore::ForwardingKey(submission.report_id, kNationalUpstream),
            forwarding.SerializeAsString());
  RETURN_IF_ERROR(store_->CommitAndWait(std::move(batch)));
  return forwarding;
}

}  // namespace kuaibao
