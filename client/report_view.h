#ifndef KUAIBAO_CLIENT_REPORT_VIEW_H_
#define KUAIBAO_CLIENT_REPORT_VIEW_H_

// What `kuaibao show` prints: a stored report for a duty officer to read, and
// the path it took through the nodes. Pure: no I/O, no gRPC.

#include <string>

#include "kuaibao/v1/report.pb.h"

namespace kuaibao {

// The report's fields as labelled lines. Drill and test reports open with a
// banner, so that nobody mistakes them for a real incident. Narrative fields
// (course, cause, trend, measures, help needed) appear only when filled in.
std::string FormatReport(const v1::IncidentReport& report);

// The hop timeline as a table, one row per hop and one more per extra
// forwarding, followed by notes on how to read it. Per hop:
//   DWELL    stored_at -> the first sent_at (or acked_at) on that node's
//            clock: how long the report waited there.
//   TRANSIT  the next hop's received_at - the sent_at of the forwarding to
//            it. The two times come from different clocks, so it includes
//            their skew and may even be negative.
std::string FormatHopTimeline(const v1::StoredReport& stored);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_REPORT_VIEW_H_
