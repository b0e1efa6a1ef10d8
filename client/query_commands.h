#ifndef KUAIBAO_CLIENT_QUERY_COMMANDS_H_
#define KUAIBAO_CLIENT_QUERY_COMMANDS_H_

#include <cstdint>
#include <string>

#include "client/audit_client.h"
#include "client/command_io.h"
#include "client/relay_client.h"

namespace kuaibao {

// `kuaibao show REPORT_ID`: the report and its hop timeline as the node holds
// them. kExitFailure when the call fails (NOT_FOUND included).
int RunShow(RelayClient& client, const std::string& report_id,
            const CommandIo& io);

// `kuaibao list`: one line per report the node holds, of `event_id` only when
// not empty, at most `limit` of them when not 0, paging through the node's
// answers. kExitFailure when a call fails; the pages already printed stay.
int RunList(RelayClient& client, const std::string& event_id, uint32_t limit,
            const CommandIo& io);

// `kuaibao due`: the deadlines of the node's subtree, grouped for a duty
// officer (see FormatDue), with a one-line summary on io.err; also the ones
// met on time when `include_met`. With io.json the ListDueResponse as one
// line, nothing else. kExitOk whenever the node answered, however much is
// overdue: the exit code says the command worked, not that all is well, so
// scripts read the JSON's states. kExitFailure when the call fails.
// With `audit` (may be null), also the breaches no auditor has reviewed yet,
// however old (Audit.ListBreaches since 2000): a breach leaves `due` when it
// is marked reviewed, not when it ages out of the node's watch window.
int RunDue(RelayClient& client, AuditClient* audit, bool include_met,
           const CommandIo& io);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_QUERY_COMMANDS_H_
