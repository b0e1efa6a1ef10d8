#ifndef KUAIBAO_CLIENT_AUDIT_COMMANDS_H_
#define KUAIBAO_CLIENT_AUDIT_COMMANDS_H_

// `kuaibao audit timeline|breaches|punctuality|stats|skew`: the Audit
// service's views for auditors, as tables, CSV or JSON.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/audit_client.h"
#include "client/command_io.h"

namespace kuaibao {

// The command line of an audit command.
struct AuditArgs {
  std::string command;  // timeline, breaches, punctuality, stats, skew, review
  std::string report_id;
  std::string event_id;
  // The period: --from/--to dates, or one --month, --quarter or --year.
  std::string from, to, month, quarter, year;
  std::string region;
  std::string by;  // stats: region, category or grade
  bool csv = false;
  // review ABOUT --rule=RULE --responsible=WHO [--note=TEXT]
  std::string about, rule, responsible, note;
};

// Calendar periods are Beijing time (UTC+8), as the province's statistics
// are kept: "2026-11" is [2026-11-01 00:00 +08, 2026-12-01 00:00 +08).
struct AuditPeriod {
  absl::Time from;
  absl::Time to;
  std::string label;  // "2026-11", "2026Q4", "2026", "2026-11-01 – 2026-12-01"
};

// INVALID_ARGUMENT naming the flag when the period is missing, malformed or
// given twice; --to is exclusive.
absl::StatusOr<AuditPeriod> ParseAuditPeriod(const AuditArgs& args);

// Checks the command line before anything is sent: the subcommand, its
// operands (`operands` after the subcommand), the flags it needs. Fills
// args->report_id from the operand.
absl::Status CheckAuditArgs(const std::vector<std::string>& operands,
                            AuditArgs* args);

// A deadline rule as the user writes it: "END_TO_END", "end-to-end",
// "DEADLINE_RULE_END_TO_END" or its number. INVALID_ARGUMENT naming --rule.
absl::StatusOr<v1::DeadlineRule> ParseDeadlineRule(absl::string_view text);

// Runs a checked audit command. kExitFailure when the call fails.
int RunAudit(AuditClient& client, const AuditArgs& args, const CommandIo& io);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_AUDIT_COMMANDS_H_
