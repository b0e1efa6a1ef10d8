#include "client/query_commands.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "client/due_view.h"
#include "client/format.h"
#include "client/report_view.h"
#include "relay/proto_time.h"

namespace kuaibao {

namespace {

// Reports per ListReports call: enough to make paging cheap, few enough that
// a page of full reports stays far below gRPC's 4 MB message limit.
constexpr uint32_t kPageSize = 100;

}  // namespace

int RunShow(RelayClient& client, const std::string& report_id,
            const CommandIo& io) {
  absl::StatusOr<v1::GetReportResponse> response = client.GetReport(report_id);
  if (!response.ok()) {
    *io.err << FormatRpcError(response.status(), io.node);
    return kExitFailure;
  }
  if (io.json) return PrintJsonLine(*response, io) ? kExitOk : kExitFailure;
  *io.out << FormatShow(*response, io.now);
  return kExitOk;
}

int RunDue(RelayClient& client, AuditClient* audit, bool include_met,
           const CommandIo& io) {
  absl::StatusOr<v1::ListDueResponse> response = client.ListDue(include_met);
  if (!response.ok()) {
    *io.err << FormatRpcError(response.status(), io.node);
    return kExitFailure;
  }
  absl::StatusOr<v1::ListBreachesResponse> breaches =
      absl::UnavailableError("not asked");
  if (audit != nullptr && !io.json) {
    v1::ListBreachesRequest request;
    *request.mutable_scope()->mutable_from() = ToProto(
        absl::FromCivil(absl::CivilDay(2000, 1, 1), absl::UTCTimeZone()));
    *request.mutable_scope()->mutable_to() = ToProto(
        IsSet(response->as_of()) ? FromProto(response->as_of()) : absl::Now());
    breaches = audit->ListBreaches(request);
    if (!breaches.ok()) {
      *io.err << "note: breaches awaiting review not shown: "
              << breaches.status().message() << "\n";
    }
  }
  if (io.json) return PrintJsonLine(*response, io) ? kExitOk : kExitFailure;
  *io.out << FormatDue(*response, io.now);
  if (breaches.ok()) *io.out << FormatAwaitingReview(*response, *breaches);
  io.out->flush();
  *io.err << FormatDueSummary(*response) << "\n";
  return kExitOk;
}

int RunList(RelayClient& client, const std::string& event_id, uint32_t limit,
            const CommandIo& io) {
  v1::ListReportsRequest request;
  request.set_event_id(event_id);
  uint32_t shown = 0;
  while (limit == 0 || shown < limit) {
    request.set_limit(limit == 0 ? kPageSize
                                 : std::min(kPageSize, limit - shown));
    absl::StatusOr<v1::ListReportsResponse> page = client.ListReports(request);
    if (!page.ok()) {
      *io.err << FormatRpcError(page.status(), io.node);
      return kExitFailure;
    }
    // A node may answer with more than asked for; the limit is the user's.
    if (limit != 0 &&
        static_cast<uint32_t>(page->reports_size()) > limit - shown) {
      page->mutable_reports()->DeleteSubrange(
          limit - shown, page->reports_size() - (limit - shown));
    }
    if (io.json) {
      if (!PrintJsonLine(*page, io)) return kExitFailure;
    } else {
      if (shown == 0 && page->reports_size() > 0) {
        *io.out << FormatListHeader() << "\n";
      }
      for (const v1::StoredReport& stored : page->reports()) {
        *io.out << FormatListLine(stored) << "\n";
      }
    }
    io.out->flush();
    shown += page->reports_size();
    // An empty page or a token that does not move would loop forever.
    if (page->next_page_token().empty() || page->reports_size() == 0 ||
        page->next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(page->next_page_token());
  }
  if (!io.json) *io.err << shown << (shown == 1 ? " report\n" : " reports\n");
  return kExitOk;
}

}  // namespace kuaibao
