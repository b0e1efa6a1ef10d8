#ifndef KUAIBAO_CLIENT_REPORT_VIEW_H_
#define KUAIBAO_CLIENT_REPORT_VIEW_H_

// What `kuaibao show` prints: a stored report for a duty officer to read, and
// the path it took through the nodes. Pure: no I/O, no gRPC.

#include <string>

#include "absl/time/time.h"
#include "kuaibao/v1/report.pb.h"
#include "kuaibao/v1/service.pb.h"

namespace kuaibao {

// The report's fields as labelled lines. Drill and test reports open with a
// banner, so that nobody mistakes them for a real incident. Narrative fields
// (course, cause, trend, measures, help needed) appear only when filled in.
std::string FormatReport(const v1::IncidentReport& report);

// The hop timeline as a table, one row per hop and one more per extra
// forwarding, then one more table per other path the report also arrived by
// ("Also arrived by another path:"), followed by notes on how to read them.
// A forwarding that did not go level by level to the parent is marked after
// its upstream: "140000000000 (direct)", "140100000000 (escalated)"; the
// reason is listed under the table (always for an escalation). Per hop:
//   DWELL    stored_at -> the first sent_at (or acked_at) on that node's
//            clock: how long the report waited there.
//   TRANSIT  the next hop's received_at - the sent_at of the forwarding to
//            it. The two times come from different clocks, so it includes
//            their skew and may even be negative.
std::string FormatHopTimeline(const v1::StoredReport& stored);

// "Breaches recorded on the way:" and a table of the deadlines nodes found
// they had missed (HopRecord.breaches, over every path, each once): rule,
// responsible, due, met at, how late, the node that recorded it, detail.
// Empty when there are none. Drill and test reports' rows start with their
// tag ([DRILL], [TEST]), as does any breach marked as a drill. Spans in the
// notice's time on a drill clock (`time_scale`, client/format.h).
std::string FormatBreaches(const v1::StoredReport& stored,
                           double time_scale = 1);

// "Deadlines (as seen by node X now):" and a table of the response's
// deadlines: state (the node's verdict), rule, responsible, due, and when met
// (with how late or early) or the time left from `now` (this machine's clock;
// absl::InfinitePast() = unknown, shown as "open"). Drill rows tagged as in
// FormatBreaches. Empty when the node sent no deadlines.
std::string FormatDeadlines(const v1::GetReportResponse& response,
                            absl::Time now);

// Everything `kuaibao show` prints: the report, "Hops (as node X holds
// them):" with the timeline, then the breaches and deadlines when there are
// any, each section separated by a blank line.
std::string FormatShow(const v1::GetReportResponse& response, absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_REPORT_VIEW_H_
