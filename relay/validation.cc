#include "relay/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "relay/base/status_macros.h"
#include "relay/identity.h"
#include "relay/node_id.h"
#include "relay/time_fields.h"

namespace kuaibao {
namespace {

constexpr char kFieldPayload[] = "type.kuaibao/field";

absl::Status Invalid(absl::string_view field, absl::string_view reason) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason);
}

bool IsSetTime(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}

// An enum field: a value outside the enum is "unknown value N" (a sender on a
// newer schema, or a bug), the zero value is "is required" with the choices.
absl::Status CheckEnum(absl::string_view field, int value, bool known,
                       bool required, absl::string_view choices) {
  if (!known) return Invalid(field, absl::StrCat("unknown value ", value));
  if (required && value == 0) {
    return Invalid(field, absl::StrCat("is required (", choices, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckCount(absl::string_view field, int count, int max) {
  if (count > max) {
    return Invalid(field, absl::StrCat("holds ", count, " entries; at most ",
                                       max, " allowed"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSource(const InformationSource& source, absl::Time now,
                            const ValidationLimits& limits) {
  if (!SourceKind_IsValid(source.kind())) {
    return Invalid("source.kind", "is not a known source");
  }
  const bool media = source.kind() == SOURCE_KIND_MEDIA;
  if (media && source.outlet().empty()) {
    return Invalid("source.outlet",
                   "is required for a media report: the outlet that "
                   "published it (e.g. 新华网)");
  }
  if (media && !IsSetTime(source.published_at())) {
    return Invalid("source.published_at",
                   "is required for a media report: when it was published");
  }
  if (source.kind() == SOURCE_KIND_PUBLIC_TIP &&
      !IsSetTime(source.learned_at())) {
    return Invalid("source.learned_at",
                   "is required for a public tip: when the call or letter "
                   "came in");
  }
  RETURN_IF_ERROR(CheckTime(source.published_at(), "source.published_at", false,
                            now, limits));
  RETURN_IF_ERROR(
      CheckTime(source.learned_at(), "source.learned_at", false, now, limits));
  RETURN_IF_ERROR(
      CheckText(source.outlet(), "source.outlet", limits.max_short_text_bytes));
  RETURN_IF_ERROR(
      CheckText(source.url(), "source.url", limits.max_short_text_bytes));
  return CheckText(source.detail(), "source.detail", limits.max_text_bytes);
}

absl::Status CheckTime(const google::protobuf::Timestamp& ts,
                       absl::string_view field, bool required, absl::Time now,
                       const ValidationLimits& limits) {
  if (ts.seconds() == 0 && ts.nanos() == 0) {
    return required ? Invalid(field, "is required") : absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckTimeFields(ts, field));
  absl::Time t =
      absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  if (t > now + limits.max_future) {
    return Invalid(field, absl::StrCat("is in the future (",
                                       absl::FormatTime(t, absl::UTCTimeZone()),
                                       "); check the sender's clock"));
  }
  if (t < limits.earliest) {
    return Invalid(field, "is before the year 2000");
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view text, absl::string_view field,
                       size_t max) {
  if (text.size() > max) {
    return Invalid(field, absl::StrCat("is ", text.size(), " bytes; at most ",
                                       max, " allowed"));
  }
  return absl::OkStatus();
}

absl::Status FieldError(absl::StatusCode code, absl::string_view field,
                        absl::string_view reason) {
  absl::Status status(code, absl::StrCat(field, ": ", reason));
  status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

std::string ErrorField(const absl::Status& status) {
  absl::optional<absl::Cord> field = status.GetPayload(kFieldPayload);
  return field ? std::string(*field) : std::string();
}

absl::Status UnderField(absl::string_view parent, const absl::Status& status) {
  if (status.ok() || parent.empty()) return status;
  const std::string field = ErrorField(status);
  absl::string_view reason = status.message();
  if (absl::StartsWith(reason, absl::StrCat(field, ": "))) {
    reason.remove_prefix(field.size() + 2);
  }
  std::string path(parent);
  if (!field.empty()) {
    absl::StrAppend(&path, field.front() == '[' ? "" : ".", field);
  }
  return FieldError(status.code(), path, reason);
}

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_' && c != '.' && c != ':') {
      return false;
    }
  }
  return true;
}

absl::Status ValidateReport(const IncidentReport& report,
                            const RegionTable& regions, absl::Time now,
                            const ValidationLimits& limits) {
  constexpr char kIdRule[] =
      "must be 1-128 letters, digits, '-', '_', '.' or ':'";
  // First, so that no later check (nor any JSON printer) meets an
  // unrepresentable time.
  RETURN_IF_ERROR(CheckTimeFields(report));
  if (report.report_id().empty()) return Invalid("report_id", "is required");
  if (!ValidId(report.report_id())) return Invalid("report_id", kIdRule);
  // Empty on a client's first report: the first node assigns the number
  // (relay/event_identity.h).
  if (!report.event_id().empty() && !ValidId(report.event_id())) {
    return Invalid("event_id", kIdRule);
  }
  if (!report.event_label().empty() && !ValidId(report.event_label())) {
    return Invalid("event_label", kIdRule);
  }

  RETURN_IF_ERROR(CheckEnum("kind", report.kind(),
                            ReportKind_IsValid(report.kind()), true,
                            "BRIEF, INITIAL, FOLLOW_UP, FINAL, CORRECTION, "
                            "RETRACTION or REOPEN"));
  RETURN_IF_ERROR(CheckEnum("status", report.status(),
                            ReportStatus_IsValid(report.status()), true,
                            "ACTUAL, EXERCISE or TEST"));
  RETURN_IF_ERROR(CheckEnum("category", report.category(),
                            Category_IsValid(report.category()), true,
                            "one of the notice's six"));
  RETURN_IF_ERROR(CheckEnum("grade", report.grade(),
                            Grade_IsValid(report.grade()), true,
                            "I-IV, UNGRADED or UNKNOWN"));
  RETURN_IF_ERROR(CheckEnum("classification", report.classification(),
                            Classification_IsValid(report.classification()),
                            false, ""));
  RETURN_IF_ERROR(CheckCount("sensitivity", report.sensitivity_size(),
                             limits.max_sensitivity_reasons));
  for (int reason : report.sensitivity()) {
    if (!SensitivityReason_IsValid(reason) ||
        reason == SENSITIVITY_REASON_UNSPECIFIED) {
      return Invalid(
          "sensitivity",
          absl::StrCat("holds an unknown reason: unknown value ", reason));
    }
  }
  RETURN_IF_ERROR(CheckEnum("trend", report.trend(),
                            Trend_IsValid(report.trend()), false, ""));

  bool continues = report.kind() == REPORT_KIND_FOLLOW_UP ||
                   report.kind() == REPORT_KIND_FINAL ||
                   report.kind() == REPORT_KIND_CORRECTION ||
                   report.kind() == REPORT_KIND_RETRACTION ||
                   report.kind() == REPORT_KIND_REOPEN;
  if (continues && report.supersedes().empty()) {
    return Invalid("supersedes",
                   "is required for a follow-up, final, correction, "
                   "retraction or reopen: the report it continues");
  }
  if (!report.supersedes().empty() && !ValidId(report.supersedes())) {
    return Invalid("supersedes", kIdRule);
  }
  if (report.supersedes() == report.report_id()) {
    return Invalid("supersedes", "names the report itself");
  }
  if (!report.origin().empty()) {
    absl::StatusOr<Identity> origin = ParseIdentity(report.origin());
    if (!origin.ok()) return Invalid("origin", origin.status().message());
    if (origin->role != Role::kClient) {
      return Invalid("origin", "must be a client identity");
    }
  }
  if (continues && report.event_seq() == 0) {
    return Invalid("event_seq", "must be at least 1 after the first report");
  }

  if (report.location().region_code().empty()) {
    return Invalid("location.region_code", "is required");
  }
  absl::Status known = regions.CheckKnown(report.location().region_code());
  if (!known.ok()) return Invalid("location.region_code", known.message());

  if (report.unit().name().empty()) return Invalid("unit.name", "is required");
  if (report.headline().empty()) return Invalid("headline", "is required");

  struct TimeField {
    const google::protobuf::Timestamp& ts;
    const char* name;
    bool required;
  };
  for (const TimeField& f : {
           TimeField{report.occurred_at(), "occurred_at", true},
           TimeField{report.reportable_at(), "reportable_at", false},
           TimeField{report.unit_informed_at(), "unit_informed_at", false},
           TimeField{report.authored_at(), "authored_at", false},
           TimeField{report.harm().as_of(), "harm.as_of", false},
       }) {
    absl::Status s = CheckTime(f.ts, f.name, f.required, now, limits);
    if (!s.ok()) return s;
  }
  RETURN_IF_ERROR(ValidateSource(report.source(), now, limits));
  // A schedule lies ahead by nature; only absurd dates are refused.
  ValidationLimits schedule = limits;
  schedule.max_future = limits.max_schedule_ahead;
  RETURN_IF_ERROR(CheckTime(report.next_report_due(), "next_report_due", false,
                            now, schedule));

  struct TextField {
    const std::string& text;
    const char* name;
    size_t max;
  };
  for (const TextField& f : {
           TextField{report.headline(), "headline", limits.max_headline_bytes},
           TextField{report.course(), "course", limits.max_text_bytes},
           TextField{report.cause(), "cause", limits.max_text_bytes},
           TextField{report.trend_text(), "trend_text", limits.max_text_bytes},
           TextField{report.measures(), "measures", limits.max_text_bytes},
           TextField{report.help_needed(), "help_needed",
                     limits.max_text_bytes},
           TextField{report.harm().description(), "harm.description",
                     limits.max_text_bytes},
           TextField{report.location().address(), "location.address",
                     limits.max_text_bytes},
           TextField{report.unit().name(), "unit.name",
                     limits.max_short_text_bytes},
           TextField{report.unit().preparer(), "unit.preparer",
                     limits.max_short_text_bytes},
           TextField{report.unit().phone(), "unit.phone",
                     limits.max_short_text_bytes},
           TextField{report.unit().authorized_by(), "unit.authorized_by",
                     limits.max_short_text_bytes},
       }) {
    absl::Status s = CheckText(f.text, f.name, f.max);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

namespace {

// One hop of a relayed report; fields named from the hop.
absl::Status CheckHop(const HopRecord& hop, absl::Time now,
                      const ValidationLimits& limits) {
  RETURN_IF_ERROR(CheckTimeFields(hop));
  if (!CheckNodeId(hop.node()).ok()) {
    return Invalid("node",
                   "must be a node's id (its region code, or "
                   "<region>:<department>)");
  }
  if (!ParseIdentity(hop.received_from()).ok()) {
    return Invalid("received_from", "must be a spiffe://kuaibao/ identity");
  }
  RETURN_IF_ERROR(
      CheckTime(hop.received_at(), "received_at", true, now, limits));
  RETURN_IF_ERROR(CheckTime(hop.stored_at(), "stored_at", false, now, limits));
  RETURN_IF_ERROR(
      CheckCount("forwarded", hop.forwarded_size(), limits.max_forwardings));
  RETURN_IF_ERROR(
      CheckCount("breaches", hop.breaches_size(), limits.max_breaches));
  // A digest names a chain in the sender's own store
  // (relay/signer_chains.h): between nodes receipts carry the chain.
  if (!hop.receipt().signer_chain_digest().empty()) {
    return Invalid("receipt.signer_chain_digest",
                   "must be empty: a relayed receipt carries its signer's "
                   "certificate chain (signer_chain)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateHops(const StoredReport& relayed, absl::Time now,
                          const ValidationLimits& limits) {
  RETURN_IF_ERROR(CheckCount("hops", relayed.hops_size(), limits.max_hops));
  for (int i = 0; i < relayed.hops_size(); ++i) {
    absl::Status s = CheckHop(relayed.hops(i), now, limits);
    // The hop's path ("hops[1]") is built only for a refusal.
    if (!s.ok()) return UnderField(absl::StrCat("hops[", i, "]"), s);
  }
  if (relayed.other_paths_size() > 0) {
    return Invalid("other_paths",
                   "must be empty: a relayed report carries its own path only");
  }
  return absl::OkStatus();
}

}  // namespace kuaibao
