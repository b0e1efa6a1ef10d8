#include "node/cert_identity.h"

namespace kuaibao {

absl::StatusOr<Identity> IdentityOfCertificate(const std::string& pem) {
  std::vector<X509Ptr> certs = ReadCertificates(pem);
  if (certs.empty()) {
    return absl::InvalidArgumentError("no PEM certificate found");
  }
  std::vector<std::string> uris = KuaibaoUris(certs[0].get());
  if (uris.empty()) {
    return absl::InvalidArgumentError(
        "the certificate names no spiffe://kuaibao/ identity in its URI SAN");
  }
  return ParseIdentity(uris[0]);
}

}  // namespace kuaibao
