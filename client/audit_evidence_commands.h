#ifndef KUAIBAO_CLIENT_AUDIT_EVIDENCE_COMMANDS_H_
#define KUAIBAO_CLIENT_AUDIT_EVIDENCE_COMMANDS_H_

// `kuaibao audit export REPORT_ID [--out FILE]` and
// `kuaibao audit verify FILE [--ca CA.pem]`: a report's evidence, fetched
// from the node (Evidence.Export) and checked offline (VerifyEvidence).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/command_io.h"
#include "kuaibao/v1/evidence.pb.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

// True for the `audit` subcommands these run: export, verify.
bool IsEvidenceCommand(const std::vector<std::string>& operands);

struct EvidenceOptions {
  // export: the file to write; empty = standard output.
  std::string out;
  // verify: the CA bundle (the province root) to trust.
  std::string ca_file;
  // export: the call's deadline and the TLS files to make it with.
  absl::Duration timeout;
  absl::StatusOr<TlsPaths> tls;
};

// `operands` = {"export", REPORT_ID} or {"verify", FILE}. Exit codes:
// export 0 written, 1 the call failed, 2 usage; verify 0 everything checks,
// 1 something does not (each failure named on io.err), 2 usage or an
// unreadable file.
int RunAuditEvidence(const std::vector<std::string>& operands,
                     const EvidenceOptions& options, const CommandIo& io);

// The verdict as a table, and a last line: "signatures verified: ..." when
// it holds, the failures otherwise.
std::string FormatEvidenceVerdict(const v1::EvidenceVerdict& verdict);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_AUDIT_EVIDENCE_COMMANDS_H_
