#ifndef KUAIBAO_CLIENT_SUBMIT_COMMAND_H_
#define KUAIBAO_CLIENT_SUBMIT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/command_io.h"
#include "client/relay_client.h"
#include "kuaibao/v1/report.pb.h"

namespace kuaibao {

// Reads the reports for `kuaibao submit` from `path` ("-" or empty: standard
// input) as ParseReports does, and gives each report without an id a new one,
// noting it on io.err. INVALID_ARGUMENT for input that does not parse,
// NOT_FOUND for a file that cannot be read.
absl::StatusOr<std::vector<v1::IncidentReport>> LoadReports(
    const std::string& path, const CommandIo& io);

// `kuaibao submit`: sends `reports` on one stream and prints each response as
// it arrives, then what was not acknowledged and a summary. kExitOk only when
// every report got a receipt (a duplicate receipt counts) and the stream
// ended OK.
int RunSubmit(RelayClient& client,
              const std::vector<v1::IncidentReport>& reports,
              const CommandIo& io);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_SUBMIT_COMMAND_H_
