#ifndef KUAIBAO_NODE_CERT_IDENTITY_H_
#define KUAIBAO_NODE_CERT_IDENTITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "relay/certificates.h"
#include "relay/identity.h"

namespace kuaibao {

// The identity in the URI SAN of the first certificate in a PEM file (used
// at start-up to check that the config and the certificate agree).
// INVALID_ARGUMENT when the file holds no certificate or no identity URI.
absl::StatusOr<Identity> IdentityOfCertificate(const std::string& pem);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CERT_IDENTITY_H_
