#include "client/due_view.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "client/format.h"
#include "client/region_names.h"
#include "client/text_table.h"
#include "relay/proto_time.h"

namespace kuaibao {

namespace {

struct Group {
  v1::DeadlineState state;
  absl::string_view title;
};

// The duty officer reads from the top: what is already late first.
constexpr Group kGroups[] = {
    {v1::DEADLINE_STATE_OVERDUE, "OVERDUE (迟报 in the making)"},
    {v1::DEADLINE_STATE_AT_RISK, "AT RISK"},
    {v1::DEADLINE_STATE_ON_TIME, "ON TIME (due soon)"},
    {v1::DEADLINE_STATE_MET_LATE, "MET LATE (recent breaches)"},
    {v1::DEADLINE_STATE_MET, "MET"},
};
constexpr size_t kOtherGroup = sizeof(kGroups) / sizeof(kGroups[0]);
constexpr absl::string_view kOtherTitle =
    "OTHER (a state this client does not know)";

size_t GroupOf(int state) {
  for (size_t g = 0; g < kOtherGroup; ++g) {
    if (kGroups[g].state == state) return g;
  }
  return kOtherGroup;
}

bool IsEventRule(int rule) {
  return rule == v1::DEADLINE_RULE_BRIEF_TO_DETAILED ||
         rule == v1::DEADLINE_RULE_FOLLOW_UP;
}

// The event's own deadlines are owed by the event (a next report), not by
// the report that happens to be its latest.
std::string Subject(const v1::DeadlineStatus& deadline) {
  const bool by_event =
      IsEventRule(deadline.rule()) || deadline.report_id().empty();
  if (by_event && !deadline.event_id().empty()) {
    return absl::StrCat("event ", deadline.event_id());
  }
  return deadline.report_id().empty() ? "-" : deadline.report_id();
}

std::vector<std::string> Row(const v1::DeadlineStatus& deadline,
                             const google::protobuf::Timestamp& as_of,
                             absl::Time now, double time_scale) {
  return {DeadlineRuleInWords(deadline.rule(), deadline.start(), deadline.due(),
                              time_scale),
          Subject(deadline),
          deadline.headline().empty() ? "-" : deadline.headline(),
          ResponsibleLabel(deadline.responsible()),
          FormatTimeOfDay(deadline.due(), as_of),
          DeadlineTiming(deadline.due(), deadline.met_at(), now, time_scale)};
}

std::vector<std::string> Columns() {
  return {"RULE", "REPORT", "HEADLINE", "RESPONSIBLE", "DUE", "WHEN"};
}

}  // namespace

std::string FormatDue(const v1::ListDueResponse& response, absl::Time now) {
  google::protobuf::Timestamp as_of = response.as_of();
  std::string clock;
  if (IsSet(as_of)) {
    now = FromProto(as_of);
  } else if (now != absl::InfinitePast()) {
    as_of = ToProto(now);
    clock = " (this machine's clock)";
  }
  std::string text = absl::StrCat("Deadlines for node ", response.node(),
                                  " and its subtree, as of ",
                                  FormatTimestamp(as_of), clock, "\n");

  std::vector<std::vector<const v1::DeadlineStatus*>> groups(kOtherGroup + 1);
  std::vector<const v1::DeadlineStatus*> drills;
  for (const v1::DeadlineStatus& deadline : response.deadlines()) {
    if (deadline.drill()) {
      drills.push_back(&deadline);
    } else {
      groups[GroupOf(deadline.state())].push_back(&deadline);
    }
  }
  if (response.deadlines().empty()) {
    absl::StrAppend(&text, "\nNothing due, at risk, overdue or late.\n");
    return text;
  }

  for (size_t g = 0; g <= kOtherGroup; ++g) {
    if (groups[g].empty()) continue;
    TextTable table(Columns());
    for (const v1::DeadlineStatus* deadline : groups[g]) {
      std::vector<std::string> row =
          Row(*deadline, as_of, now, response.time_scale());
      if (g == kOtherGroup) {
        row.back() = absl::StrCat(DeadlineStateLabel(deadline->state()), ", ",
                                  row.back());
      }
      table.AddRow(std::move(row));
    }
    absl::StrAppend(&text, "\n",
                    g == kOtherGroup ? kOtherTitle : kGroups[g].title, ": ",
                    groups[g].size(), "\n", table.Render());
  }

  if (!drills.empty()) {
    // Grouped as above, so a drill's overdue deadlines still come first.
    std::vector<std::vector<const v1::DeadlineStatus*>> by_group(kOtherGroup +
                                                                 1);
    for (const v1::DeadlineStatus* deadline : drills) {
      by_group[GroupOf(deadline->state())].push_back(deadline);
    }
    std::vector<std::string> columns = Columns();
    columns.insert(columns.begin(), "STATE");
    TextTable table(std::move(columns));
    for (const auto& group : by_group) {
      for (const v1::DeadlineStatus* deadline : group) {
        std::vector<std::string> row =
            Row(*deadline, as_of, now, response.time_scale());
        row.insert(
            row.begin(),
            absl::StrCat("[DRILL] ", DeadlineStateLabel(deadline->state())));
        table.AddRow(std::move(row));
      }
    }
    absl::StrAppend(&text, "\nDrills (never counted): ", drills.size(), "\n",
                    table.Render());
  }
  return text;
}

std::string FormatAwaitingReview(const v1::ListDueResponse& due,
                                 const v1::ListBreachesResponse& breaches) {
  // What `due` already lists: about (report or event) / rule / responsible.
  absl::flat_hash_set<std::string> listed;
  for (const v1::DeadlineStatus& d : due.deadlines()) {
    for (const std::string& about : {d.report_id(), d.event_id()}) {
      listed.insert(absl::StrCat(about, "/", d.rule(), "/", d.responsible()));
    }
  }
  TextTable table(
      {"RULE", "ABOUT", "HEADLINE", "RESPONSIBLE", "DUE", "LATE BY"});
  int rows = 0;
  for (const v1::BreachGroup& g : breaches.groups()) {
    for (const v1::BreachEntry& e : g.entries()) {
      if (e.has_review() || e.kind() == v1::BREACH_KIND_SEQUENCE_GAP) continue;
      const std::string about = !e.instruction_id().empty() ? e.instruction_id()
                                : !e.report_id().empty()    ? e.report_id()
                                                            : e.event_id();
      if (listed.contains(absl::StrCat(about, "/", e.breach().rule(), "/",
                                       e.responsible()))) {
        continue;
      }
      ++rows;
      table.AddRow(
          {DeadlineRuleInWords(e.breach().rule(), e.breach().start(),
                               e.breach().due(), breaches.time_scale()),
           about, e.headline(), ResponsibleLabel(e.responsible()),
           FormatTimestamp(e.breach().due()),
           absl::StrCat(
               e.outstanding() ? "overdue by " : "late by ",
               InNoticeTime(FromDurationProto(e.late_by()),
                            breaches.time_scale(), FormatShortDuration))});
    }
  }
  if (rows == 0) return "";
  return absl::StrCat(
      "\nBreaches awaiting review (kept until an auditor marks them "
      "reviewed: kuaibao audit review): ",
      rows, "\n", table.Render());
}

std::string FormatDueSummary(const v1::ListDueResponse& response) {
  int overdue = 0;
  int at_risk = 0;
  int late = 0;
  int drills = 0;
  for (const v1::DeadlineStatus& deadline : response.deadlines()) {
    if (deadline.drill()) {
      ++drills;
      continue;
    }
    switch (deadline.state()) {
      case v1::DEADLINE_STATE_OVERDUE:
        ++overdue;
        break;
      case v1::DEADLINE_STATE_AT_RISK:
        ++at_risk;
        break;
      case v1::DEADLINE_STATE_MET_LATE:
        ++late;
        break;
      default:
        break;
    }
  }
  std::string summary =
      absl::StrCat(overdue, " overdue, ", at_risk, " at risk, ", late, " late");
  if (drills > 0) {
    absl::StrAppend(&summary, "; ", drills,
                    drills == 1 ? " drill deadline" : " drill deadlines",
                    " not counted");
  }
  return summary;
}

}  // namespace kuaibao
