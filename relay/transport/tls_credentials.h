#ifndef KUAIBAO_RELAY_TRANSPORT_TLS_CREDENTIALS_H_
#define KUAIBAO_RELAY_TRANSPORT_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "relay/transport/peer_check_verifier.h"

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
  // Directory of CRLs by hash name (<hash>.r0, .r1, ...); empty = no
  // revocation checks. gRPC reads a CRL file once: a new CRL must come as a
  // new suffix, never by overwriting a file (certs/pki.sh publishes so).
  std::string crl_dir;
  // How often the three files are re-read: a renewed certificate (or a new
  // CA bundle) is used for new connections within this long, without a
  // restart; connections already open keep theirs.
  absl::Duration refresh_interval = absl::Seconds(60);
};

// Credentials for dialing a node: presents our certificate, verifies the
// node's against the CA (and the CRLs) and its name against the address
// dialed. NOT_FOUND / FAILED_PRECONDITION name the file that is missing or
// unreadable.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const TlsPaths& paths);

// Credentials for serving: every peer must present a certificate that chains
// to the CA, is not revoked and passes `check` if given (the handshake fails
// otherwise, the peer sees UNAVAILABLE, and no handler ever runs).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsPaths& paths, PeerCheck check = nullptr);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_TRANSPORT_TLS_CREDENTIALS_H_
