#include "node/probe.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {

absl::StatusOr<std::string> LocalNodeAddress(const NodeConfig& config) {
  absl::string_view address = config.listen_address();
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen_address '", address, "' has no port"));
  }
  std::string host(address.substr(0, colon));
  std::string port(address.substr(colon + 1));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  if (port == "0") {
    ASSIGN_OR_RETURN(std::string text,
                     ReadFileToString(config.port_file(), "port file"));
    port = std::string(absl::StripAsciiWhitespace(text));
    int number = 0;
    if (!absl::SimpleAtoi(port, &number) || number <= 0) {
      return absl::NotFoundError(
          absl::StrCat("port file '", config.port_file(), "' holds no port"));
    }
  }
  return absl::StrCat(host, ":", port);
}

absl::Status ProbeNode(const NodeConfig& config, absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::string address, LocalNodeAddress(config));
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(NodeTlsPaths(config)));
  auto stub = v1::Query::NewStub(grpc::CreateChannel(address, credentials));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::ListReportsRequest request;
  request.set_limit(1);
  v1::ListReportsResponse response;
  absl::Status status =
      FromGrpcStatus(stub->ListReports(&context, request, &response));
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(address, ": ", status.message()));
  }
  return absl::OkStatus();
}

}  // namespace kuaibao
