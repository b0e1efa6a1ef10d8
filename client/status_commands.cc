#include "client/status_commands.h"

#include "client/format.h"
#include "client/status_view.h"

namespace kuaibao {

int RunStatus(RelayClient& client, const CommandIo& io) {
  absl::StatusOr<v1::GetStatusResponse> status = client.GetStatus();
  if (!status.ok()) {
    *io.err << FormatRpcError(status.status(), io.node);
    return kExitFailure;
  }
  if (io.json) return PrintJsonLine(*status, io) ? kExitOk : kExitFailure;
  *io.out << FormatNodeStatus(*status);
  return kExitOk;
}

int RunOrigins(RelayClient& client, bool gaps_only, const CommandIo& io) {
  v1::ListOriginsRequest request;
  request.set_gaps_only(gaps_only);
  request.set_limit(1000);
  OriginTally tally;
  for (;;) {
    absl::StatusOr<v1::ListOriginsResponse> page = client.ListOrigins(request);
    if (!page.ok()) {
      *io.err << FormatRpcError(page.status(), io.node);
      return kExitFailure;
    }
    if (io.json) {
      if (!PrintJsonLine(*page, io)) return kExitFailure;
    } else if (page->origins_size() > 0) {
      *io.out << FormatOrigins(*page);
    }
    io.out->flush();
    tally.Add(*page);
    if (page->next_page_token().empty() || page->origins_size() == 0 ||
        page->next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(page->next_page_token());
  }
  if (!io.json) *io.err << tally.Summary() << "\n";
  return kExitOk;
}

}  // namespace kuaibao
