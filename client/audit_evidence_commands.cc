#include "client/audit_evidence_commands.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/format.h"
#include "client/text_table.h"
#include "google/protobuf/util/json_util.h"
#include "kuaibao/v1/evidence.grpc.pb.h"
#include "relay/base/files.h"
#include "relay/evidence_verifier.h"
#include "relay/time_fields.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

int Fail(const CommandIo& io, int code, absl::string_view message) {
  *io.err << "error: " << message << "\n";
  return code;
}

absl::StatusOr<v1::EvidenceBundle> Fetch(const std::string& node,
                                         const TlsPaths& tls,
                                         absl::Duration timeout,
                                         const std::string& report_id) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      MakeChannelCredentials(tls);
  if (!creds.ok()) return creds.status();
  auto stub = v1::Evidence::NewStub(grpc::CreateChannel(node, *creds));
  grpc::ClientContext context;
  // The command line is the edge where the wall clock may be read.
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::ExportEvidenceRequest request;
  request.set_report_id(report_id);
  v1::EvidenceBundle bundle;
  absl::Status status =
      FromGrpcStatus(stub->Export(&context, request, &bundle));
  if (!status.ok()) return status;
  return bundle;
}

int RunExport(const std::string& report_id, const EvidenceOptions& options,
              const CommandIo& io) {
  if (!options.tls.ok()) {
    return Fail(io, kExitUsage, options.tls.status().message());
  }
  absl::StatusOr<v1::EvidenceBundle> bundle =
      Fetch(io.node, *options.tls, options.timeout, report_id);
  if (!bundle.ok()) {
    return Fail(io, kExitFailure,
                absl::StrCat("export of ", report_id, " from ", io.node, ": ",
                             absl::StatusCodeToString(bundle.status().code()),
                             ": ", bundle.status().message()));
  }
  google::protobuf::util::JsonPrintOptions json;
  json.add_whitespace = true;
  json.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(*bundle, &text, json).ok()) {
    absl::Status bad = CheckTimeFields(*bundle);
    return Fail(io, kExitFailure,
                absl::StrCat("the evidence of ", report_id,
                             " does not convert to JSON", bad.ok() ? "" : ": ",
                             bad.message(), "; nothing was written"));
  }
  if (options.out.empty()) {
    *io.out << text;
  } else {
    std::ofstream file(options.out, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
      return Fail(io, kExitFailure, absl::StrCat("cannot write ", options.out));
    }
  }
  int hops = bundle->timeline().hops_size();
  for (const v1::Path& p : bundle->timeline().other_paths()) {
    hops += p.hops_size();
  }
  *io.err << "evidence of " << report_id << " from " << bundle->exported_by()
          << ": " << hops << " hop records"
          << (options.out.empty() ? ""
                                  : absl::StrCat(", written to ", options.out))
          << "\n";
  return kExitOk;
}

int RunVerify(const std::string& path, const EvidenceOptions& options,
              const CommandIo& io) {
  if (options.ca_file.empty()) {
    return Fail(io, kExitUsage, "audit verify: --ca CA.pem (or $KUAIBAO_CA)");
  }
  absl::StatusOr<std::string> text = ReadFileToString(path, "evidence file");
  if (!text.ok()) return Fail(io, kExitUsage, text.status().message());
  absl::StatusOr<std::string> ca = ReadFileToString(options.ca_file, "CA");
  if (!ca.ok()) return Fail(io, kExitUsage, ca.status().message());
  v1::EvidenceBundle bundle;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text->data(), text->size()), &bundle);
  if (!parsed.ok()) {
    return Fail(io, kExitUsage,
                absl::StrCat(path, " is not an evidence file: ",
                             std::string(parsed.message().data(),
                                         parsed.message().size())));
  }
  absl::StatusOr<v1::EvidenceVerdict> verdict = VerifyEvidence(bundle, *ca);
  if (!verdict.ok()) {
    return Fail(
        io, kExitUsage,
        absl::StrCat(options.ca_file, ": ", verdict.status().message()));
  }
  if (io.json) {
    if (!PrintJsonLine(*verdict, io)) return kExitFailure;
  } else {
    *io.out << FormatEvidenceVerdict(*verdict);
  }
  for (const std::string& p : verdict->problems()) {
    *io.err << "FAILED: " << p << "\n";
  }
  for (const v1::HopVerdict& hop : verdict->hops()) {
    for (const std::string& p : hop.problems()) {
      *io.err << "FAILED: " << hop.label() << " (" << hop.node() << "): " << p
              << "\n";
    }
  }
  return verdict->ok() ? kExitOk : kExitFailure;
}

}  // namespace

bool IsEvidenceCommand(const std::vector<std::string>& operands) {
  return !operands.empty() &&
         (operands[0] == "export" || operands[0] == "verify");
}

int RunAuditEvidence(const std::vector<std::string>& operands,
                     const EvidenceOptions& options, const CommandIo& io) {
  if (operands.size() != 2) {
    return Fail(io, kExitUsage,
                operands[0] == "export" ? "audit export takes one REPORT_ID"
                                        : "audit verify takes one FILE");
  }
  if (operands[0] == "export") return RunExport(operands[1], options, io);
  return RunVerify(operands[1], options, io);
}

std::string FormatEvidenceVerdict(const v1::EvidenceVerdict& verdict) {
  std::string out = absl::StrCat("evidence of ", verdict.report_id(),
                                 " exported by ", verdict.exported_by(), "\n");
  TextTable table(
      {"record", "node", "received at", "chain", "signer", "verdict"});
  int receipts = 0;
  for (const v1::HopVerdict& hop : verdict.hops()) {
    if (hop.ok()) ++receipts;
    table.AddRow(
        {hop.label(), hop.node(), FormatTimestamp(hop.received_at()),
         hop.chain_seq() == 0 ? "-" : absl::StrCat("#", hop.chain_seq()),
         hop.signer(),
         hop.ok()
             ? "ok"
             : absl::StrCat("FAILED: ", absl::StrJoin(hop.problems(), "; "))});
  }
  absl::StrAppend(&out, table.Render());
  for (const std::string& p : verdict.problems()) {
    absl::StrAppend(&out, "FAILED: ", p, "\n");
  }
  if (verdict.ok()) {
    absl::StrAppend(&out, "signatures verified: ", receipts,
                    " receipts signed by their nodes, certificates chain to "
                    "the CA, report digest and chain links match\n");
  } else {
    absl::StrAppend(&out, "NOT verified\n");
  }
  return out;
}

}  // namespace kuaibao
