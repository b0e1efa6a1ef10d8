#ifndef KUAIBAO_RELAY_TRANSPORT_PEER_CHECK_VERIFIER_H_
#define KUAIBAO_RELAY_TRANSPORT_PEER_CHECK_VERIFIER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"

namespace grpc::experimental {
class CertificateVerifier;
}  // namespace grpc::experimental

namespace kuaibao {

// A check of a peer's certificate (PEM) and of the chain it came with (PEM,
// as the peer sent it: gRPC passes the CA certificates, in no promised
// order, and may or may not repeat the leaf). It runs in the TLS handshake,
// after the chain has been verified against the CA bundle and the CRLs. A
// non-OK status fails the handshake (the peer sees UNAVAILABLE).
using PeerCheck = std::function<absl::Status(const std::string& leaf_pem,
                                             const std::string& chain_pem)>;

// A gRPC certificate verifier that runs `check` synchronously.
std::shared_ptr<grpc::experimental::CertificateVerifier> MakePeerCheckVerifier(
    PeerCheck check);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_TRANSPORT_PEER_CHECK_VERIFIER_H_
