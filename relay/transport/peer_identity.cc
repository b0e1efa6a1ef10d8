#include "relay/transport/peer_identity.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>

#include <string>

#include "absl/strings/match.h"

namespace kuaibao {

absl::StatusOr<Identity> PeerIdentity(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("the peer presented no certificate");
  }
  // A certificate may carry DNS and IP SANs beside the identity URI.
  for (const grpc::string_ref& san :
       auth.FindPropertyValues(GRPC_X509_SAN_PROPERTY_NAME)) {
    std::string value(san.data(), san.size());
    if (absl::StartsWith(value, kIdentityUriPrefix)) {
      absl::StatusOr<Identity> identity = ParseIdentity(value);
      if (!identity.ok()) {
        return absl::UnauthenticatedError(identity.status().message());
      }
      return identity;
    }
  }
  return absl::UnauthenticatedError(
      "the peer's certificate names no spiffe://kuaibao/ identity");
}

}  // namespace kuaibao
