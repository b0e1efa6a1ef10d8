#include "client/audit_view.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "client/csv.h"
#include "client/format.h"
#include "client/text_table.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

std::string Span(const google::protobuf::Duration& d) {
  return FormatShortDuration(FromDurationProto(d));
}

std::string Seconds(const google::protobuf::Duration& d) {
  return absl::StrFormat("%.3f", absl::ToDoubleSeconds(FromDurationProto(d)));
}

std::string KindInWords(int kind) {
  switch (kind) {
    case v1::BREACH_KIND_LATE_HAND_OFF:
      return "late hand-off";
    case v1::BREACH_KIND_LATE_UNIT_REPORT:
      return "late unit report";
    case v1::BREACH_KIND_LATE_TO_PROVINCE:
      return "late to the province";
    case v1::BREACH_KIND_LATE_TO_NATIONAL:
      return "late to the State Council";
    case v1::BREACH_KIND_MISSED_FOLLOW_UP:
      return "missed/overdue follow-up";
    case v1::BREACH_KIND_LATE_INSTRUCTION:
      return "instruction late to the locality";
    case v1::BREACH_KIND_OVERDUE_FEEDBACK:
      return "overdue instruction feedback";
    case v1::BREACH_KIND_SEQUENCE_GAP:
      return "gap in an origin's numbers";
    default:
      return absl::StrCat("kind ", kind);
  }
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
    bool with_who, TextTable* table) {
  for (const v1::BreachEntry& e : entries) {
    std::vector<std::string> row;
    if (with_who) {
      row.push_back(ShortIdentity(e.responsible()));
      row.push_back(KindInWords(e.kind()));
    }
    const bool gap = e.kind() == v1::BREACH_KIND_SEQUENCE_GAP;
    row.push_back(Entries(e));
    row.push_back(e.headline());
    row.push_back(
        FormatTimestamp(gap ? e.gap().first_seen_at() : e.breach().due()));
    row.push_back(e.outstanding() ? "OUTSTANDING"
                                  : FormatTimestamp(e.breach().met_at()));
    row.push_back(Span(e.late_by()));
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
           IsSet(h.received_at()) && h.has_dwell() ? Span(h.dwell()) : "-",
           h.has_budget() ? FormatBudget(FromDurationProto(h.budget())) : "-",
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
          {DeadlineRuleInWords(d.rule(), d.start(), d.due()),
           ShortIdentity(d.responsible()), FormatTimestamp(d.due()),
           DeadlineStateLabel(d.state()),
           DeadlineTiming(d.due(), d.met_at(), FromProto(response.as_of()))});
    }
    absl::StrAppend(&out, deadlines.Render());
    for (const std::string& late : t.late()) {
      absl::StrAppend(&out, "LATE: ", ShortIdentity(late), "\n");
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
    absl::StrAppend(&out, "\n", ShortIdentity(g.responsible()), "  ",
                    KindInWords(g.kind()), ": ", g.entries_size(),
                    g.entries_size() == 1 ? " breach" : " breaches",
                    ", worst late by ", Span(g.worst()), "\n");
    TextTable table({"ABOUT", "HEADLINE", "DUE", "MET", "LATE BY", "DETAIL"});
    AddBreachRows(g.entries(), false, &table);
    absl::StrAppend(&out, table.Render());
  }
  if (!response.drills().empty()) {
    absl::StrAppend(&out, "\nDrills (never counted) [DRILL]\n");
    TextTable table({"RESPONSIBLE", "KIND", "ABOUT", "HEADLINE", "DUE", "MET",
                     "LATE BY", "DETAIL"});
    AddBreachRows(response.drills(), true, &table);
    absl::StrAppend(&out, table.Render());
  }
  return out;
}

std::string BreachesCsv(const v1::ListBreachesResponse& response) {
  std::string out =
      "responsible,kind,report_id,event_id,instruction_id,region,due,met_at,"
      "late_by_s,outstanding,detail\n";
  auto line = [&](const v1::BreachEntry& e, bool drill) {
    const bool gap = e.kind() == v1::BREACH_KIND_SEQUENCE_GAP;
    std::string kind = EnumLabel(*v1::BreachKind_descriptor(), e.kind());
    absl::StrAppend(
        &out,
        CsvLine(
            {e.responsible(), drill ? "DRILL " + kind : kind, e.report_id(),
             e.event_id(), e.instruction_id(), e.region_code(),
             FormatTimestamp(gap ? e.gap().first_seen_at() : e.breach().due()),
             e.outstanding() ? "" : FormatTimestamp(e.breach().met_at()),
             Seconds(e.late_by()), e.outstanding() ? "true" : "false",
             gap ? e.headline() : e.breach().detail()}));
  };
  for (const v1::BreachGroup& g : response.groups()) {
    for (const v1::BreachEntry& e : g.entries()) line(e, false);
  }
  for (const v1::BreachEntry& e : response.drills()) line(e, true);
  return out;
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
          t.AddRow({ShortIdentity(r.responsible()), absl::StrCat(r.handled()),
                    absl::StrCat(r.on_time()), absl::StrCat(r.late()),
                    absl::StrCat(r.open()), Percent(r.share_on_time()),
                    r.late() == 0 ? "-" : Span(r.worst_delay()),
                    r.worst_report_id().empty() ? "-" : r.worst_report_id()});
        }
        absl::StrAppend(&out, rows.empty() ? "none\n" : t.Render());
      };
  table("Hand-offs to the next level (per-hop budget), by node", "NODE",
        response.nodes());
  table("Reports from the units to the local government, by reporting unit",
        "UNIT", response.units());
  return out;
}

std::string PunctualityCsv(const v1::PunctualityResponse& response) {
  std::string out =
      "table,responsible,handled,on_time,late,open,share_on_time,"
      "worst_delay_s,worst_report_id\n";
  auto rows =
      [&](const char* table,
          const google::protobuf::RepeatedPtrField<v1::PunctualityRow>& list) {
        for (const v1::PunctualityRow& r : list) {
          absl::StrAppend(
              &out, CsvLine({table, r.responsible(), absl::StrCat(r.handled()),
                             absl::StrCat(r.on_time()), absl::StrCat(r.late()),
                             absl::StrCat(r.open()),
                             absl::StrFormat("%.4f", r.share_on_time()),
                             Seconds(r.worst_delay()), r.worst_report_id()}));
        }
      };
  rows("node", response.nodes());
  rows("unit", response.units());
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
  std::string out = "key,events,deaths,missing,injured,economic_loss_yuan\n";
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
