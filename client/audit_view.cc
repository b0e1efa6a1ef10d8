#include "client/audit_view.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "client/beijing_time.h"
#include "client/csv.h"
#include "client/display.h"
#include "client/format.h"
#include "client/region_names.h"
#include "client/text_table.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

std::string Span(const google::protobuf::Duration& d) {
  return FormatShortDuration(FromDurationProto(d));
}

// A span a node measured on its deadline clock: in the notice's time, a
// drill's wall time beside it (client/format.h).
std::string NoticeSpan(const google::protobuf::Duration& d, double time_scale) {
  return InNoticeTime(FromDurationProto(d), time_scale, FormatShortDuration);
}

std::string Seconds(const google::protobuf::Duration& d) {
  return absl::StrFormat("%.3f", absl::ToDoubleSeconds(FromDurationProto(d)));
}

std::string KindInWords(int kind) {
  const Lang lang = CurrentDisplay().lang;
  auto say = [lang](absl::string_view en, absl::string_view zh) {
    return std::string(Say(lang, {en, zh}));
  };
  switch (kind) {
    case v1::BREACH_KIND_LATE_HAND_OFF:
      return say("late hand-off", "逐级上报迟报");
    case v1::BREACH_KIND_LATE_UNIT_REPORT:
      return say("late unit report", "单位迟报");
    case v1::BREACH_KIND_LATE_TO_PROVINCE:
      return say("late to the province, end to end (from reportable)",
                 "迟报省政府（端到端，自可报告时起）");
    case v1::BREACH_KIND_LATE_DIRECT_TO_PROVINCE:
      return say("grade I/II: late directly to the province",
                 "Ⅰ/Ⅱ级迟直报省政府");
    case v1::BREACH_KIND_NEXT_LEVEL_LAGGED:
      return say("grade I/II: a level learned of it after the province",
                 "Ⅰ/Ⅱ级未同时报上一级");
    case v1::BREACH_KIND_LATE_TO_NATIONAL:
      return say("late to the State Council", "迟报国务院");
    case v1::BREACH_KIND_MISSED_FOLLOW_UP:
      return say("missed/overdue follow-up", "续报超时");
    case v1::BREACH_KIND_LATE_INSTRUCTION:
      return say("instruction late to the locality", "批示传达迟延");
    case v1::BREACH_KIND_OVERDUE_FEEDBACK:
      return say("overdue instruction feedback", "批示反馈超时");
    case v1::BREACH_KIND_SEQUENCE_GAP:
      return say("gap in an origin's numbers", "编号缺失（漏报/瞒报）");
    default:
      return absl::StrCat("kind ", kind);
  }
}

// The budget a breach was judged by (due - start), "" when unknown.
std::string BudgetOf(const v1::BreachEntry& e, double time_scale) {
  if (!IsSet(e.breach().start()) || !IsSet(e.breach().due())) return "";
  return InNoticeTime(
      FromProto(e.breach().due()) - FromProto(e.breach().start()), time_scale,
      FormatBudget);
}

// The kind in words with the rule's budget: the end-to-end and the direct
// rule must never read alike.
std::string KindWithBudget(int kind, const v1::BreachEntry& e,
                           double time_scale) {
  const std::string budget = BudgetOf(e, time_scale);
  if (budget.empty()) return KindInWords(kind);
  return absl::StrCat(KindInWords(kind), ", budget ", budget);
}

std::string Percent(double share) {
  return absl::StrFormat("%.1f%%", 100 * share);
}

std::string Scope(const v1::AuditScope& scope) {
  return absl::StrCat(FormatTimestamp(scope.from()), " – ",
                      FormatTimestamp(scope.to()), ", region ", scope.region());
}

std::string Entries(const v1::BreachEntry& e) {
  std::string about = !e.instruction_id().empty()
                          ? absl::StrCat("instruction ", e.instruction_id())
                      : !e.report_id().empty() ? e.report_id()
                                               : e.origin();
  return about;
}

void AddBreachRows(
    const google::protobuf::RepeatedPtrField<v1::BreachEntry>& entries,
    bool with_who, double time_scale, TextTable* table) {
  for (const v1::BreachEntry& e : entries) {
    std::vector<std::string> row;
    if (with_who) {
      row.push_back(ResponsibleLabel(e.responsible()));
      row.push_back(KindWithBudget(e.kind(), e, time_scale));
    }
    const bool gap = e.kind() == v1::BREACH_KIND_SEQUENCE_GAP;
    row.push_back(Entries(e));
    row.push_back(e.headline());
    row.push_back(
        FormatTimestamp(gap ? e.gap().first_seen_at() : e.breach().due()));
    row.push_back(e.outstanding() ? "OUTSTANDING"
                                  : FormatTimestamp(e.breach().met_at()));
    row.push_back(e.has_review()
                      ? absl::StrCat("reviewed by ",
                                     ShortIdentity(e.review().reviewed_by()))
                      : "-");
    row.push_back(NoticeSpan(e.late_by(), time_scale));
    row.push_back(e.breach().detail());
    table->AddRow(std::move(row));
  }
}

}  // namespace

absl::StatusOr<v1::StatsGrouping> ParseStatsGrouping(absl::string_view text) {
  std::string key = absl::AsciiStrToLower(text);
  if (key == "region") return v1::STATS_GROUPING_REGION;
  if (key == "category") return v1::STATS_GROUPING_CATEGORY;
  if (key == "grade") return v1::STATS_GROUPING_GRADE;
  return absl::InvalidArgumentError(
      absl::StrCat("--by: '", text, "' is not one of region, category, grade"));
}

std::string FormatTimelines(const v1::TimelineResponse& response) {
  std::string out;
  for (const v1::ReportTimeline& t : response.reports()) {
    absl::StrAppend(
        &out, "report ", t.report_id(), "  event ", t.event_id(), "  #",
        t.event_seq(), " ", EnumLabel(*v1::ReportKind_descriptor(), t.kind()),
        "  ", StatusTag(t.status()), StatusTag(t.status()).empty() ? "" : " ",
        t.headline(), "\n");
    TextTable table({"PATH", "NODE", "FROM", "RECEIVED", "STORED", "SENT", "TO",
                     "ACKED", "DWELL", "BUDGET", "STATE", "TRANSIT*",
                     "CLOCK OFFSET"});
    std::vector<std::string> notes;
    for (const v1::HopTiming& h : t.hops()) {
      table.AddRow(
          {h.path() == 0 ? "main" : absl::StrCat("other ", h.path()),
           h.late() ? absl::StrCat(h.node(), " LATE") : h.node(),
           ShortIdentity(h.received_from()),
           FormatTimeOfDay(h.received_at(), response.as_of()),
           FormatTimeOfDay(h.stored_at(), response.as_of()),
           FormatTimeOfDay(h.sent_at(), response.as_of()),
           h.sent_to().empty() ? "-" : h.sent_to(),
           FormatTimeOfDay(h.acked_at(), response.as_of()),
           IsSet(h.received_at()) && h.has_dwell()
               ? NoticeSpan(h.dwell(), response.time_scale())
               : "-",
           h.has_budget() ? InNoticeTime(FromDurationProto(h.budget()),
                                         response.time_scale(), FormatBudget)
                          : "-",
           h.state() == 0 ? "-" : DeadlineStateLabel(h.state()),
           h.has_transit() ? Span(h.transit()) : "-",
           h.clock_offset_known() ? Span(h.clock_offset()) : "unknown"});
      for (const std::string& n : h.notes()) {
        notes.push_back(absl::StrCat(h.node(), ": ", n));
      }
    }
    absl::StrAppend(&out, table.Render());
    absl::StrAppend(&out,
                    "* TRANSIT compares the sender's clock with the "
                    "receiver's; read it with CLOCK OFFSET (sender − "
                    "receiver, bound ",
                    Span(response.skew_bound()), ")\n");
    for (const std::string& n : notes) absl::StrAppend(&out, "  ", n, "\n");
    TextTable deadlines({"DEADLINE", "RESPONSIBLE", "DUE", "STATE", "TIMING"});
    for (const v1::DeadlineStatus& d : t.deadlines()) {
      deadlines.AddRow(
          {DeadlineRuleInWords(d.rule(), d.start(), d.due(),
                               response.time_scale()),
           ResponsibleLabel(d.responsible()), FormatTimestamp(d.due()),
           DeadlineStateLabel(d.state()),
           DeadlineTiming(d.due(), d.met_at(), FromProto(response.as_of()),
                          response.time_scale())});
    }
    absl::StrAppend(&out, deadlines.Render());
    for (const std::string& late : t.late()) {
      absl::StrAppend(&out, "LATE: ", ResponsibleLabel(late), "\n");
    }
    for (const std::string& c : t.cross_clock()) {
      absl::StrAppend(&out, "cross-clock: ", c, "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string FormatBreaches(const v1::ListBreachesResponse& response) {
  std::string out = absl::StrCat("breaches at node ", response.node(), ", ",
                                 Scope(response.scope()), "\n");
  if (response.groups().empty()) absl::StrAppend(&out, "none\n");
  for (const v1::BreachGroup& g : response.groups()) {
    absl::StrAppend(
        &out, "\n", ResponsibleLabel(g.responsible()), "  ",
        g.entries().empty()
            ? KindInWords(g.kind())
            : KindWithBudget(g.kind(), g.entries(0), response.time_scale()),
        ": ", g.entries_size(), g.entries_size() == 1 ? " breach" : " breaches",
        ", worst late by ", NoticeSpan(g.worst(), response.time_scale()), "\n");
    TextTable table(
        {"ABOUT", "HEADLINE", "DUE", "MET", "REVIEWED", "LATE BY", "DETAIL"});
    AddBreachRows(g.entries(), false, response.time_scale(), &table);
    absl::StrAppend(&out, table.Render());
  }
  if (!response.drills().empty()) {
    absl::StrAppend(&out, "\nDrills (never counted) [DRILL]\n");
    TextTable table({"RESPONSIBLE", "KIND", "ABOUT", "HEADLINE", "DUE", "MET",
                     "REVIEWED", "LATE BY", "DETAIL"});
    AddBreachRows(response.drills(), true, response.time_scale(), &table);
    absl::StrAppend(&out, table.Render());
  }
  return out;
}

std::string BreachesCsv(const v1::ListBreachesResponse& response) {
  std::string out = absl::StrCat(
      kUtf8Bom,
      "responsible,responsible_name,kind,rule,budget_s,report_id,event_id,"
      "instruction_id,region,region_name,headline,due,met_at,late_by_s,"
      "outstanding,reviewed_by,reviewed_at,detail\n");
  const TimeZoneChoice zone = CurrentDisplay().zone;
  auto iso = [zone](const google::protobuf::Timestamp& t) {
    return IsSet(t) ? FormatIsoTime(FromProto(t), zone) : std::string();
  };
  auto line = [&](const v1::BreachEntry& e, bool drill) {
    const bool gap = e.kind() == v1::BREACH_KIND_SEQUENCE_GAP;
    std::string kind = EnumLabel(*v1::BreachKind_descriptor(), e.kind());
    const bool budgeted = IsSet(e.breach().start()) && IsSet(e.breach().due());
    absl::StrAppend(
        &out,
        CsvLine(
            {e.responsible(), ResponsibleName(e.responsible()),
             drill ? "DRILL " + kind : kind,
             gap ? KindInWords(e.kind())
                 : DeadlineRuleInWords(e.breach().rule(), e.breach().start(),
                                       e.breach().due(), response.time_scale()),
             budgeted
                 ? absl::StrFormat("%.3f", absl::ToDoubleSeconds(
                                               FromProto(e.breach().due()) -
                                               FromProto(e.breach().start())))
                 : "",
             e.report_id(), e.event_id(), e.instruction_id(), e.region_code(),
             RegionName(e.region_code()), e.headline(),
             iso(gap ? e.gap().first_seen_at() : e.breach().due()),
             e.outstanding() ? "" : iso(e.breach().met_at()),
             Seconds(e.late_by()), e.outstanding() ? "true" : "false",
             e.review().reviewed_by(), iso(e.review().reviewed_at()),
             gap ? e.headline() : e.breach().detail()}));
  };
  for (const v1::BreachGroup& g : response.groups()) {
    for (const v1::BreachEntry& e : g.entries()) line(e, false);
  }
  for (const v1::BreachEntry& e : response.drills()) line(e, true);
  return out;
}

std::string FormatReview(const v1::BreachReview& review) {
  std::string out = absl::StrCat("reviewed  ", review.about(), "  ",
                                 DeadlineRuleInWords(review.rule(), {}, {}),
                                 "  ", ResponsibleLabel(review.responsible()),
                                 "  by ", ShortIdentity(review.reviewed_by()),
                                 " at ", FormatTimestamp(review.reviewed_at()));
  if (!review.note().empty()) absl::StrAppend(&out, "  note: ", review.note());
  return out + "\n";
}

std::string FormatPunctuality(const v1::PunctualityResponse& response) {
  std::string out = absl::StrCat("punctuality at node ", response.node(), ", ",
                                 Scope(response.scope()), "\n");
  auto table =
      [&](const char* title, const char* who,
          const google::protobuf::RepeatedPtrField<v1::PunctualityRow>& rows) {
        absl::StrAppend(&out, "\n", title, "\n");
        TextTable t({who, "HANDLED", "ON TIME", "LATE", "OPEN", "ON TIME %",
                     "WORST DELAY", "WORST REPORT"});
        for (const v1::PunctualityRow& r : rows) {
          t.AddRow({ResponsibleLabel(r.responsible()),
                    absl::StrCat(r.handled()), absl::StrCat(r.on_time()),
                    absl::StrCat(r.late()), absl::StrCat(r.open()),
                    Percent(r.share_on_time()),
                    r.late() == 0
                        ? "-"
                        : NoticeSpan(r.worst_delay(), response.time_scale()),
                    r.worst_report_id().empty() ? "-" : r.worst_report_id()});
        }
        absl::StrAppend(&out, rows.empty() ? "none\n" : t.Render());
      };
  table("Hand-offs to the next level (per-hop budget), by node", "NODE",
        response.nodes());
  table("Reports from the units to the local government, by reporting unit",
        "UNIT", response.units());
  table(absl::StrCat(
            "Reached the province within ",
            response.has_end_to_end_budget()
                ? InNoticeTime(FromDurationProto(response.end_to_end_budget()),
                               response.time_scale(), FormatBudget)
                : "the end-to-end budget",
            " of becoming reportable (the notice's measure), by "
            "reporting region")
            .c_str(),
        "REGION", response.end_to_end());
  return out;
}

std::string PunctualityCsv(const v1::PunctualityResponse& response) {
  std::string out =
      absl::StrCat(kUtf8Bom,
                   "table,responsible,responsible_name,handled,on_time,late,"
                   "open,share_on_time,worst_delay_s,worst_report_id\n");
  auto rows =
      [&](const char* table,
          const google::protobuf::RepeatedPtrField<v1::PunctualityRow>& list) {
        for (const v1::PunctualityRow& r : list) {
          absl::StrAppend(
              &out,
              CsvLine({table, r.responsible(), ResponsibleName(r.responsible()),
                       absl::StrCat(r.handled()), absl::StrCat(r.on_time()),
                       absl::StrCat(r.late()), absl::StrCat(r.open()),
                       absl::StrFormat("%.4f", r.share_on_time()),
                       Seconds(r.worst_delay()), r.worst_report_id()}));
        }
      };
  rows("node", response.nodes());
  rows("unit", response.units());
  rows("end_to_end", response.end_to_end());
  return out;
}

std::string FormatStatistics(const v1::StatisticsResponse& response,
                             const std::string& label) {
  std::string by = absl::AsciiStrToLower(
      EnumLabel(*v1::StatsGrouping_descriptor(), response.grouping()));
  std::string out =
      absl::StrCat("statistics ", label, " at node ", response.node(),
                   ", region ", response.scope().region(), ", by ", by,
                   " (each event once, from its latest report)\n");
  TextTable table({absl::AsciiStrToUpper(by), "EVENTS", "DEATHS", "MISSING",
                   "INJURED", "ECONOMIC LOSS (YUAN)"});
  auto add = [&](const v1::StatsRow& r) {
    // "NATURAL_DISASTER" for CATEGORY_NATURAL_DISASTER, "II" for GRADE_II.
    absl::string_view key = r.key();
    absl::ConsumePrefix(&key, "CATEGORY_") ||
        absl::ConsumePrefix(&key, "GRADE_");
    table.AddRow({std::string(key), absl::StrCat(r.events()),
                  absl::StrCat(r.deaths()), absl::StrCat(r.missing()),
                  absl::StrCat(r.injured()),
                  absl::StrCat(r.economic_loss_yuan())});
  };
  for (const v1::StatsRow& r : response.rows()) add(r);
  add(response.total());
  absl::StrAppend(&out, table.Render(), "left out: ", response.drill_events(),
                  " drill/test events, ", response.retracted_events(),
                  " retracted; ", response.reports(),
                  " reports read for the events counted\n");
  return out;
}

std::string StatisticsCsv(const v1::StatisticsResponse& response) {
  std::string out = absl::StrCat(
      kUtf8Bom, "key,events,deaths,missing,injured,economic_loss_yuan\n");
  auto add = [&](const v1::StatsRow& r) {
    absl::StrAppend(
        &out,
        CsvLine({r.key(), absl::StrCat(r.events()), absl::StrCat(r.deaths()),
                 absl::StrCat(r.missing()), absl::StrCat(r.injured()),
                 absl::StrCat(r.economic_loss_yuan())}));
  };
  for (const v1::StatsRow& r : response.rows()) add(r);
  add(response.total());
  return out;
}

std::string FormatClockSkew(const v1::ClockSkewResponse& response) {
  std::string out =
      absl::StrCat("clocks of node ", response.node(), "'s links (bound ",
                   Span(response.bound()), ")\n");
  if (response.links().empty()) {
    return absl::StrCat(out, "no samples yet (nothing relayed)\n");
  }
  TextTable table({"PEER", "RELATION", "OFFSET (PEER − HERE)", "ROUND TRIP",
                   "SAMPLES", "LAST SAMPLE", "STATE"});
  for (const v1::ClockLink& l : response.links()) {
    table.AddRow({l.peer(), l.relation(), Span(l.offset()),
                  l.has_round_trip() ? Span(l.round_trip()) : "one-way",
                  absl::StrCat(l.samples()),
                  FormatTimeOfDay(l.last_sample_at(), response.as_of()),
                  l.beyond_bound() ? "BEYOND BOUND" : "ok"});
  }
  absl::StrAppend(&out, table.Render());
  for (const v1::ClockLink& l : response.links()) {
    if (!l.beyond_bound()) continue;
    absl::StrAppend(&out, "WARNING: ", l.peer(), "'s clock is off by ",
                    Span(l.offset()),
                    ": times across this link are not comparable; check NTP "
                    "on both machines\n");
  }
  absl::StrAppend(&out,
                  "child: from its send times against arrivals here "
                  "(one-way, reads low by the network delay); upstream: "
                  "from its receipts (NTP's formula)\n");
  return out;
}

}  // namespace kuaibao
