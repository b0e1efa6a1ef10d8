#ifndef KUAIBAO_RELAY_TRANSPORT_PEER_IDENTITY_H_
#define KUAIBAO_RELAY_TRANSPORT_PEER_IDENTITY_H_

#include "absl/status/statusor.h"
#include "relay/identity.h"

namespace grpc {
class AuthContext;
}  // namespace grpc

namespace kuaibao {

// The authenticated peer of a call, read from the URI SAN of its verified
// certificate. UNAUTHENTICATED when the peer presented no certificate or it
// names no kuaibao identity.
absl::StatusOr<Identity> PeerIdentity(const grpc::AuthContext& auth);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_TRANSPORT_PEER_IDENTITY_H_
