#ifndef KUAIBAO_RELAY_TRANSPORT_TLS_CREDENTIALS_H_
#define KUAIBAO_RELAY_TRANSPORT_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace grpc {
class ChannelCredentials;
class ServerCredentials;
}  // namespace grpc

namespace kuaibao {

// PEM files of one party in a mutually authenticated TLS connection.
struct TlsPaths {
  std::string cert_file;  // certificate chain, leaf first
  std::string key_file;   // private key
  std::string ca_file;    // CA bundle the peer's certificate must chain to
};

// Credentials for dialing a node: presents our certificate, verifies the
// node's against the CA. NOT_FOUND / FAILED_PRECONDITION name the file that
// is missing or unreadable.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const TlsPaths& paths);

// Credentials for serving: every peer must present a certificate that chains
// to the CA (the handshake fails otherwise, and no handler ever runs).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsPaths& paths);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_TRANSPORT_TLS_CREDENTIALS_H_
