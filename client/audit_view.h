#ifndef KUAIBAO_CLIENT_AUDIT_VIEW_H_
#define KUAIBAO_CLIENT_AUDIT_VIEW_H_

// How the audit commands print the Audit service's answers: tables for
// people, CSV for spreadsheets (breaches, punctuality, stats). Pure: no I/O,
// no gRPC. Times in UTC with a trailing Z, as everywhere in the client.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kuaibao/v1/audit.pb.h"

namespace kuaibao {

// "region", "category" or "grade"; INVALID_ARGUMENT naming --by otherwise.
absl::StatusOr<v1::StatsGrouping> ParseStatsGrouping(absl::string_view text);

// Per report: one row per node and path with its times, dwell (its own
// clock), budget, state and the late hop marked; transits (two clocks) with
// the estimated offset; the deadlines and which verdicts compare clocks.
std::string FormatTimelines(const v1::TimelineResponse& response);

// Per responsible node and kind: a heading with the count and the worst
// delay, then one row per breach; drills apart, never counted.
std::string FormatBreaches(const v1::ListBreachesResponse& response);
// For Excel and WPS (client/csv.h: UTF-8 with BOM, ISO times with the
// display zone's offset, names beside codes):
// responsible,responsible_name,kind,rule,budget_s,report_id,event_id,
// instruction_id,region,region_name,headline,due,met_at,late_by_s,
// outstanding,detail — one line per breach, drills last (kind prefixed
// "DRILL "). `rule` names the deadline with its budget, so the end-to-end
// and the direct rule never read alike.
std::string BreachesCsv(const v1::ListBreachesResponse& response);

// The hand-offs per node, the reporting units, then the notice's measure
// (reached the province within the end-to-end budget) by reporting region.
std::string FormatPunctuality(const v1::PunctualityResponse& response);
// table (node, unit, end_to_end),responsible,responsible_name,handled,
// on_time,late,open,share_on_time,worst_delay_s,worst_report_id; with BOM.
std::string PunctualityCsv(const v1::PunctualityResponse& response);

// The rows, the total and what was left out; `label` names the period.
std::string FormatStatistics(const v1::StatisticsResponse& response,
                             const std::string& label);
// key,events,deaths,missing,injured,economic_loss_yuan; the total last.
std::string StatisticsCsv(const v1::StatisticsResponse& response);

// "reviewed  <about>  <rule in words>  <responsible>  by <auditor> at
// <time>[  note: ...]".
std::string FormatReview(const v1::BreachReview& review);

// Each link's estimated offset, round trip, samples and whether it is
// beyond the bound.
std::string FormatClockSkew(const v1::ClockSkewResponse& response);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_AUDIT_VIEW_H_
