#include "relay/transport/tls_credentials.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "relay/base/files.h"
#include "relay/base/status_macros.h"

namespace kuaibao {

namespace {

struct Pems {
  std::string cert, key, ca;
};

absl::StatusOr<Pems> ReadPems(const TlsPaths& paths) {
  Pems pems;
  ASSIGN_OR_RETURN(pems.cert, ReadFileToString(paths.cert_file, "certificate"));
  ASSIGN_OR_RETURN(pems.key, ReadFileToString(paths.key_file, "private key"));
  ASSIGN_OR_RETURN(pems.ca, ReadFileToString(paths.ca_file, "CA"));
  return pems;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const TlsPaths& paths) {
  ASSIGN_OR_RETURN(Pems pems, ReadPems(paths));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pems.ca;
  options.pem_private_key = pems.key;
  options.pem_cert_chain = pems.cert;
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsPaths& paths) {
  ASSIGN_OR_RETURN(Pems pems, ReadPems(paths));
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = pems.ca;
  options.pem_key_cert_pairs.push_back({pems.key, pems.cert});
  return grpc::SslServerCredentials(options);
}

}  // namespace kuaibao
