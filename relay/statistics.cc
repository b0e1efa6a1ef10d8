#include "relay/statistics.h"

#include <map>
#include <tuple>

#include "relay/deadlines.h"
#include "relay/proto_time.h"
#include "relay/region.h"

namespace kuaibao {
namespace {

// The region one level below `scope` that contains `code`; `code` itself
// when it is `scope` or directly below it.
std::string RegionBelow(const std::string& scope, const std::string& code) {
  std::string c = code;
  for (std::string up = ParentCode(c); !up.empty() && up != scope;
       up = ParentCode(c)) {
    c = up;
  }
  return c;
}

void AddTo(const Harm& harm, StatsRow* row) {
  row->set_events(row->events() + 1);
  row->set_deaths(row->deaths() + harm.deaths());
  row->set_missing(row->missing() + harm.missing());
  row->set_injured(row->injured() + harm.injured());
  row->set_economic_loss_yuan(row->economic_loss_yuan() +
                              harm.economic_loss_yuan());
}

}  // namespace

void EventStatistics::Add(const IncidentReport& report) {
  Latest& e = events_[report.event_id()];
  ++e.reports;
  absl::Time authored = FromProto(report.authored_at());
  bool later =
      e.reports == 1 ||
      std::make_tuple(report.event_seq(), authored, report.report_id()) >
          std::make_tuple(e.event_seq, e.authored, e.report_id);
  if (!later) return;
  e.event_seq = report.event_seq();
  e.authored = authored;
  e.report_id = report.report_id();
  e.report.set_status(report.status());
  e.report.set_kind(report.kind());
  e.report.set_category(report.category());
  e.report.set_grade(report.grade());
  *e.report.mutable_occurred_at() = report.occurred_at();
  *e.report.mutable_location() = report.location();
  *e.report.mutable_harm() = report.harm();
}

StatisticsResponse EventStatistics::Build(absl::Time from, absl::Time to,
                                          const std::string& region,
                                          StatsGrouping grouping) const {
  StatisticsResponse out;
  out.set_grouping(grouping);
  std::map<std::string, StatsRow> rows;
  StatsRow* total = out.mutable_total();
  total->set_key("total");
  for (const auto& [id, e] : events_) {
    const IncidentReport& r = e.report;
    absl::Time occurred = FromProto(r.occurred_at());
    if (occurred < from || occurred >= to ||
        !RegionContains(region, r.location().region_code())) {
      continue;
    }
    if (IsDrill(r)) {
      out.set_drill_events(out.drill_events() + 1);
      continue;
    }
    if (r.kind() == REPORT_KIND_RETRACTION) {
      out.set_retracted_events(out.retracted_events() + 1);
      continue;
    }
    std::string key;
    switch (grouping) {
      case STATS_GROUPING_CATEGORY:
        key = Category_Name(r.category());
        break;
      case STATS_GROUPING_GRADE:
        key = Grade_Name(r.grade());
        break;
      default:
        key = RegionBelow(region, r.location().region_code());
    }
    StatsRow& row = rows[key];
    row.set_key(key);
    AddTo(r.harm(), &row);
    AddTo(r.harm(), total);
    out.set_reports(out.reports() + e.reports);
  }
  for (auto& [key, row] : rows) *out.add_rows() = std::move(row);
  return out;
}

}  // namespace kuaibao
