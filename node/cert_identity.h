#ifndef KUAIBAO_NODE_CERT_IDENTITY_H_
#define KUAIBAO_NODE_CERT_IDENTITY_H_

#include <openssl/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "relay/certificates.h"
#include "relay/identity.h"

namespace kuaibao {

// The identity in the URI SAN of the first certificate in a PEM file (used
// at start-up to check that the config and the certificate agree).
// INVALID_ARGUMENT when the file holds no certificate or no identity URI.
absl::StatusOr<Identity> IdentityOfCertificate(const std::string& pem);

// An ASN.1 time (a certificate's notAfter, a CRL's nextUpdate);
// InfiniteFuture for none, InfinitePast for one that does not parse.
absl::Time Asn1ToTime(const ASN1_TIME* t);

// The notAfter of every certificate in the PEM file `path`, in file order
// (leaf first in a chain). NOT_FOUND when the file cannot be read,
// INVALID_ARGUMENT when it holds no certificate.
absl::StatusOr<std::vector<absl::Time>> CertificateExpiries(
    const std::string& path);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CERT_IDENTITY_H_
