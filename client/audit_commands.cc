#include "client/audit_commands.h"

#include <ostream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client/audit_view.h"
#include "client/format.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

absl::TimeZone Beijing() { return absl::FixedTimeZone(8 * 60 * 60); }

absl::Status Bad(const std::string& flag, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", why));
}

absl::StatusOr<absl::Time> Day(const std::string& flag,
                               const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d", text, Beijing(), &t, &error)) {
    return Bad(flag,
               absl::StrCat("'", text, "' is not a date like 2026-11-01"));
  }
  return t;
}

absl::Time MonthStart(int year, int month) {
  return absl::FromCivil(absl::CivilMonth(year, month), Beijing());
}

v1::AuditScope ScopeOf(const AuditPeriod& period, const AuditArgs& args) {
  v1::AuditScope scope;
  *scope.mutable_from() = ToProto(period.from);
  *scope.mutable_to() = ToProto(period.to);
  scope.set_region(args.region);
  return scope;
}

// Prints `response` as JSON, CSV or a table; kExitFailure if it failed.
template <typename Response, typename Table, typename Csv>
int Print(const absl::StatusOr<Response>& response, const AuditArgs& args,
          const CommandIo& io, Table table, Csv csv) {
  if (!response.ok()) {
    *io.err << FormatRpcError(response.status(), io.node);
    return kExitFailure;
  }
  if (io.json) {
    if (!PrintJsonLine(*response, io)) return kExitFailure;
  } else if (args.csv) {
    *io.out << csv(*response);
  } else {
    *io.out << table(*response);
  }
  return kExitOk;
}

}  // namespace

absl::StatusOr<AuditPeriod> ParseAuditPeriod(const AuditArgs& args) {
  int given = !args.month.empty() + !args.quarter.empty() + !args.year.empty() +
              (!args.from.empty() || !args.to.empty());
  if (given == 0) {
    return Bad("--month",
               "give a period: --month=2026-11, --quarter=2026Q4, "
               "--year=2026 or --from=DATE --to=DATE");
  }
  if (given > 1) {
    return Bad("--month",
               "give one period: --month, --quarter, --year or "
               "--from/--to");
  }
  AuditPeriod p;
  int year = 0;
  if (!args.month.empty()) {
    int month = 0;
    if (args.month.size() != 7 || args.month[4] != '-' ||
        !absl::SimpleAtoi(args.month.substr(0, 4), &year) ||
        !absl::SimpleAtoi(args.month.substr(5), &month) || month < 1 ||
        month > 12) {
      return Bad("--month", absl::StrCat("'", args.month,
                                         "' is not a month like 2026-11"));
    }
    p.from = MonthStart(year, month);
    p.to = MonthStart(year, month + 1);
    p.label = args.month;
  } else if (!args.quarter.empty()) {
    std::string q = absl::AsciiStrToUpper(args.quarter);
    int quarter = 0;
    if (q.size() != 6 || q[4] != 'Q' ||
        !absl::SimpleAtoi(q.substr(0, 4), &year) ||
        !absl::SimpleAtoi(q.substr(5), &quarter) || quarter < 1 ||
        quarter > 4) {
      return Bad("--quarter", absl::StrCat("'", args.quarter,
                                           "' is not a quarter like 2026Q4"));
    }
    p.from = MonthStart(year, 3 * quarter - 2);
    p.to = MonthStart(year, 3 * quarter + 1);
    p.label = q;
  } else if (!args.year.empty()) {
    if (args.year.size() != 4 || !absl::SimpleAtoi(args.year, &year)) {
      return Bad("--year",
                 absl::StrCat("'", args.year, "' is not a year like 2026"));
    }
    p.from = MonthStart(year, 1);
    p.to = MonthStart(year + 1, 1);
    p.label = args.year;
  } else {
    if (args.from.empty()) return Bad("--from", "is required with --to");
    if (args.to.empty()) return Bad("--to", "is required with --from");
    absl::StatusOr<absl::Time> from = Day("--from", args.from);
    if (!from.ok()) return from.status();
    absl::StatusOr<absl::Time> to = Day("--to", args.to);
    if (!to.ok()) return to.status();
    if (*to <= *from) return Bad("--to", "must be after --from");
    p.from = *from;
    p.to = *to;
    p.label = absl::StrCat(args.from, " – ", args.to);
  }
  return p;
}

absl::StatusOr<v1::DeadlineRule> ParseDeadlineRule(absl::string_view text) {
  std::string name = absl::AsciiStrToUpper(text);
  absl::StrReplaceAll({{"-", "_"}}, &name);
  int number = 0;
  v1::DeadlineRule rule = v1::DEADLINE_RULE_UNSPECIFIED;
  if (absl::SimpleAtoi(name, &number) && v1::DeadlineRule_IsValid(number)) {
    rule = static_cast<v1::DeadlineRule>(number);
  } else if (!v1::DeadlineRule_Parse(name, &rule)) {
    v1::DeadlineRule_Parse(absl::StrCat("DEADLINE_RULE_", name), &rule);
  }
  if (rule == v1::DEADLINE_RULE_UNSPECIFIED) {
    return Bad("--rule", absl::StrCat("'", text,
                                      "' is not a deadline rule (e.g. "
                                      "PER_HOP, END_TO_END, "
                                      "DIRECT_TO_PROVINCE; see the breach's "
                                      "CSV or --json)"));
  }
  return rule;
}

absl::Status CheckAuditArgs(const std::vector<std::string>& operands,
                            AuditArgs* args) {
  const std::string& c = args->command;
  if (c == "review") {
    if (operands.size() != 1) {
      return Bad("review",
                 "takes one ABOUT: the breach's report, event or "
                 "instruction id");
    }
    args->about = operands[0];
    if (args->rule.empty()) return Bad("--rule", "is required for review");
    if (args->responsible.empty()) {
      return Bad("--responsible", "is required for review");
    }
    if (args->csv) return Bad("--csv", "is for breaches, punctuality, stats");
    return ParseDeadlineRule(args->rule).status();
  }
  if (c == "timeline") {
    if (operands.size() > 1) return Bad("timeline", "takes one REPORT_ID");
    if (operands.empty() == args->event_id.empty()) {
      return Bad("timeline", "give a REPORT_ID or --event=EVENT_ID");
    }
    if (!operands.empty()) args->report_id = operands[0];
    if (args->csv) return Bad("--csv", "is for breaches, punctuality, stats");
    return absl::OkStatus();
  }
  if (c != "breaches" && c != "punctuality" && c != "stats" && c != "skew") {
    return Bad("audit", absl::StrCat("unknown audit command '", c,
                                     "' (timeline, breaches, punctuality, "
                                     "stats, skew, review)"));
  }
  if (!operands.empty()) return Bad(c, "takes no arguments");
  if (c == "skew") {
    if (args->csv) return Bad("--csv", "is for breaches, punctuality, stats");
    return absl::OkStatus();
  }
  if (c != "stats" && !args->by.empty()) return Bad("--by", "is for stats");
  if (c == "stats" && !args->by.empty()) {
    absl::StatusOr<v1::StatsGrouping> grouping = ParseStatsGrouping(args->by);
    if (!grouping.ok()) return grouping.status();
  }
  return ParseAuditPeriod(*args).status();
}

int RunAudit(AuditClient& client, const AuditArgs& args, const CommandIo& io) {
  if (args.command == "timeline") {
    v1::TimelineRequest request;
    request.set_report_id(args.report_id);
    request.set_event_id(args.event_id);
    return Print(client.Timeline(request), args, io, FormatTimelines,
                 FormatTimelines);
  }
  if (args.command == "review") {
    v1::ReviewBreachRequest request;
    v1::BreachReview* review = request.mutable_review();
    review->set_about(args.about);
    review->set_rule(*ParseDeadlineRule(args.rule));
    review->set_responsible(args.responsible);
    review->set_note(args.note);
    return Print(client.ReviewBreach(request), args, io, FormatReview,
                 FormatReview);
  }
  if (args.command == "skew") {
    return Print(client.ClockSkew(), args, io, FormatClockSkew,
                 FormatClockSkew);
  }
  AuditPeriod period = *ParseAuditPeriod(args);
  if (args.command == "breaches") {
    v1::ListBreachesRequest request;
    *request.mutable_scope() = ScopeOf(period, args);
    return Print(client.ListBreaches(request), args, io, FormatBreaches,
                 BreachesCsv);
  }
  if (args.command == "punctuality") {
    v1::PunctualityRequest request;
    *request.mutable_scope() = ScopeOf(period, args);
    return Print(client.Punctuality(request), args, io, FormatPunctuality,
                 PunctualityCsv);
  }
  v1::StatisticsRequest request;
  *request.mutable_scope() = ScopeOf(period, args);
  request.set_grouping(args.by.empty() ? v1::STATS_GROUPING_REGION
                                       : *ParseStatsGrouping(args.by));
  return Print(
      client.Statistics(request), args, io,
      [&](const v1::StatisticsResponse& r) {
        return FormatStatistics(r, period.label);
      },
      StatisticsCsv);
}

}  // namespace kuaibao
