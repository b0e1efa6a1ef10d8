#include "client/submit_command.h"

#include <iostream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/format.h"
#include "client/report_input.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"

namespace kuaibao {

namespace {

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  if (!path.empty() && path != "-") return ReadFileToString(path, "input");
  std::ostringstream text;
  text << std::cin.rdbuf();
  if (std::cin.bad()) return absl::NotFoundError("cannot read standard input");
  return text.str();
}

struct Tally {
  int stored = 0;
  int duplicates = 0;
  int refused = 0;
  // Answers that could not be printed as JSON (--json): a failure.
  int unprintable = 0;
};

}  // namespace

absl::StatusOr<std::vector<v1::IncidentReport>> LoadReports(
    const std::string& path, const CommandIo& io) {
  ASSIGN_OR_RETURN(std::string text, ReadInput(path));
  ASSIGN_OR_RETURN(std::vector<v1::IncidentReport> reports, ParseReports(text));
  // The node keys everything on report_id, so a report must carry one; the
  // user needs it to find the report again. Derived from the content, so
  // running the same submit twice stores nothing new.
  for (const AssignedId& assigned : AssignMissingReportIds(reports)) {
    *io.err << "note: report " << assigned.number
            << " had no report_id; assigned " << assigned.report_id << "\n";
  }
  return reports;
}

int RunSubmit(RelayClient& client,
              const std::vector<v1::IncidentReport>& reports,
              const CommandIo& io) {
  // How many responses each id still awaits (ids may repeat in the input).
  absl::flat_hash_map<std::string, int> awaited;
  for (const v1::IncidentReport& report : reports) {
    ++awaited[report.report_id()];
  }

  Tally tally;
  const SubmitResult result =
      client.Submit(reports, [&](const v1::SubmitResponse& response) {
        std::string line;
        std::string id;
        switch (response.result_case()) {
          case v1::SubmitResponse::kReceipt:
            id = response.receipt().report_id();
            ++(response.receipt().duplicate() ? tally.duplicates
                                              : tally.stored);
            line = FormatReceipt(response.receipt());
            break;
          case v1::SubmitResponse::kRejection:
            id = response.rejection().report_id();
            ++tally.refused;
            line = FormatRejection(response.rejection());
            break;
          default:
            line = "? a response with neither receipt nor rejection";
            break;
        }
        auto it = awaited.find(id);
        if (it != awaited.end() && it->second > 0) --it->second;
        // Flush each line: the user watches receipts arrive.
        if (io.json) {
          if (!PrintJsonLine(response, io)) ++tally.unprintable;
        } else {
          *io.out << line << "\n";
        }
        io.out->flush();
      });

  // Everything still awaited was never acknowledged: the user must know
  // which reports to submit again (resubmitting a stored one is harmless).
  std::vector<std::string> unanswered;
  std::vector<std::string> unsent;
  for (size_t i = 0; i < reports.size(); ++i) {
    int& count = awaited[reports[i].report_id()];
    if (count == 0) continue;
    --count;
    (i < result.written ? unanswered : unsent)
        .push_back(reports[i].report_id());
  }

  if (!result.status.ok()) *io.err << FormatRpcError(result.status, io.node);
  if (!unanswered.empty()) {
    *io.err << "no receipt for: " << absl::StrJoin(unanswered, ", ") << "\n";
  }
  if (!unsent.empty()) {
    *io.err << "not sent: " << absl::StrJoin(unsent, ", ") << "\n";
  }
  if (!io.json) {
    *io.err << result.written << " submitted, " << tally.stored << " stored, "
            << tally.duplicates << " duplicates, " << tally.refused
            << " refused\n";
  }
  const bool all_received = tally.refused == 0 && tally.unprintable == 0 &&
                            unanswered.empty() && unsent.empty();
  return result.status.ok() && all_received ? kExitOk : kExitFailure;
}

}  // namespace kuaibao
