#include "client/report_command.h"

#include <ostream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/beijing_time.h"
#include "client/display.h"
#include "client/format.h"
#include "client/region_names.h"
#include "client/report_input.h"
#include "client/submit_command.h"
#include "relay/proto_time.h"
#include "relay/region.h"

namespace kuaibao {
namespace {

absl::Status Bad(absl::string_view flag, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", why));
}

// An enum value by its name without the type's prefix, case-insensitive
// ("natural_disaster" → CATEGORY_NATURAL_DISASTER); -1 when unknown.
int EnumValue(const google::protobuf::EnumDescriptor& type,
              absl::string_view prefix, absl::string_view text) {
  const google::protobuf::EnumValueDescriptor* value =
      type.FindValueByName(absl::StrCat(prefix, absl::AsciiStrToUpper(text)));
  return value == nullptr || value->number() == 0 ? -1 : value->number();
}

std::string Names(const google::protobuf::EnumDescriptor& type,
                  absl::string_view prefix) {
  std::string names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() == 0) continue;
    absl::StrAppend(
        &names, names.empty() ? "" : ", ",
        absl::AsciiStrToLower(type.value(i)->name().substr(prefix.size())));
  }
  return names;
}

// A region code for a code or a unique name.
absl::StatusOr<std::string> RegionCode(absl::string_view text) {
  if (LevelOf(text).ok()) return std::string(text);
  std::string found;
  for (const Region& r : EmbeddedRegions().regions()) {
    if (r.name != text) continue;
    if (!found.empty()) {
      return Bad("--region", absl::StrCat("more than one region is called ",
                                          text, "; give its 12-digit code"));
    }
    found = r.code;
  }
  if (found.empty()) {
    return Bad("--region", absl::StrCat("'", text,
                                        "' is neither a 12-digit code nor a "
                                        "region's name"));
  }
  return found;
}

}  // namespace

absl::StatusOr<v1::IncidentReport> BuildReport(
    const ReportArgs& args, const v1::IncidentReport* previous, absl::Time now,
    const std::string& report_id, const std::string& new_event_id) {
  v1::IncidentReport r;
  if (previous != nullptr) {
    r.set_event_id(previous->event_id());
    r.set_event_seq(previous->event_seq() + 1);
    r.set_supersedes(previous->report_id());
    r.set_category(previous->category());
    r.set_grade(previous->grade());
    *r.mutable_location() = previous->location();
    *r.mutable_unit() = previous->unit();
    *r.mutable_occurred_at() = previous->occurred_at();
    *r.mutable_reportable_at() = previous->reportable_at();
    r.set_status(previous->status());
  } else {
    r.set_event_id(new_event_id);
    r.set_status(v1::REPORT_STATUS_ACTUAL);
    r.set_grade(v1::GRADE_UNKNOWN);
    *r.mutable_occurred_at() = ToProto(now);
  }
  r.set_report_id(report_id);
  const std::string kind =
      args.kind.empty() ? (previous ? "follow_up" : "brief") : args.kind;
  const int kind_value =
      EnumValue(*v1::ReportKind_descriptor(), "REPORT_KIND_", kind);
  if (kind_value < 0) {
    return Bad("--kind", absl::StrCat("'", kind, "' is not one of ",
                                      Names(*v1::ReportKind_descriptor(),
                                            "REPORT_KIND_")));
  }
  r.set_kind(static_cast<v1::ReportKind>(kind_value));
  if (previous == nullptr && (kind_value != v1::REPORT_KIND_BRIEF &&
                              kind_value != v1::REPORT_KIND_INITIAL)) {
    return Bad("--kind",
               "a new event starts with a brief or initial report; "
               "continue one with --follow-up=EVENT_ID");
  }
  if (!args.category.empty()) {
    const int v =
        EnumValue(*v1::Category_descriptor(), "CATEGORY_", args.category);
    if (v < 0) {
      return Bad("--category",
                 absl::StrCat("'", args.category, "' is not one of ",
                              Names(*v1::Category_descriptor(), "CATEGORY_")));
    }
    r.set_category(static_cast<v1::Category>(v));
  } else if (previous == nullptr) {
    return Bad(
        "--category",
        absl::StrCat("is required for a new event (",
                     Names(*v1::Category_descriptor(), "CATEGORY_"), ")"));
  }
  if (!args.grade.empty()) {
    const int v = EnumValue(*v1::Grade_descriptor(), "GRADE_", args.grade);
    if (v < 0) {
      return Bad("--grade",
                 absl::StrCat("'", args.grade, "' is not one of ",
                              Names(*v1::Grade_descriptor(), "GRADE_")));
    }
    r.set_grade(static_cast<v1::Grade>(v));
  }
  if (args.headline.empty()) return Bad("--headline", "is required");
  r.set_headline(args.headline);
  if (!args.course.empty()) r.set_course(args.course);
  if (!args.region.empty()) {
    absl::StatusOr<std::string> code = RegionCode(args.region);
    if (!code.ok()) return code.status();
    r.mutable_location()->set_region_code(*code);
  } else if (previous == nullptr) {
    return Bad("--region", "is required for a new event (a code or a name)");
  }
  if (!args.unit.empty()) {
    r.mutable_unit()->set_name(args.unit);
  } else if (previous == nullptr) {
    return Bad("--unit", "is required for a new event: the reporting unit");
  }
  if (!args.occurred_at.empty()) {
    absl::StatusOr<absl::Time> at = ParseDisplayTime(
        args.occurred_at, CurrentDisplay().zone, "--occurred-at");
    if (!at.ok()) return at.status();
    *r.mutable_occurred_at() = ToProto(*at);
  }
  if (args.drill) r.set_status(v1::REPORT_STATUS_EXERCISE);
  *r.mutable_authored_at() = ToProto(now);
  return r;
}

int RunReport(RelayClient& client, const ReportArgs& args,
              const CommandIo& io) {
  v1::IncidentReport previous;
  bool has_previous = false;
  if (!args.follow_up.empty()) {
    v1::ListReportsRequest request;
    request.set_event_id(args.follow_up);
    request.set_limit(1000);
    for (;;) {
      absl::StatusOr<v1::ListReportsResponse> page =
          client.ListReports(request);
      if (!page.ok()) {
        *io.err << FormatRpcError(page.status(), io.node);
        return kExitFailure;
      }
      for (const v1::StoredReport& s : page->reports()) {
        if (!has_previous || s.report().event_seq() > previous.event_seq()) {
          previous = s.report();
          has_previous = true;
        }
      }
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
    }
    if (!has_previous) {
      *io.err << "error: --follow-up: no report of event " << args.follow_up
              << " is visible at this node\n";
      return kExitUsage;
    }
  }
  const absl::Time now =
      io.now == absl::InfinitePast() ? absl::UnixEpoch() : io.now;
  absl::StatusOr<v1::IncidentReport> report =
      BuildReport(args, has_previous ? &previous : nullptr, now,
                  NewReportId(now), absl::StrCat("ev-", NewReportId(now)));
  if (!report.ok()) {
    *io.err << "error: " << report.status().message() << "\n";
    return kExitUsage;
  }
  if (has_previous) {
    *io.err << "event " << report->event_id() << ": report #"
            << report->event_seq() << " after " << previous.report_id() << "\n";
  }
  return RunSubmit(client, {*report}, io);
}

}  // namespace kuaibao
