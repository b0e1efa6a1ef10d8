#ifndef KUAIBAO_NODE_CERT_IDENTITY_H_
#define KUAIBAO_NODE_CERT_IDENTITY_H_

#include <openssl/types.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "relay/identity.h"

namespace kuaibao {

// The identity in the URI SAN of the first certificate in a PEM file (used
// at start-up to check that the config and the certificate agree).
// INVALID_ARGUMENT when the file holds no certificate or no identity URI.
absl::StatusOr<Identity> IdentityOfCertificate(const std::string& pem);

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

// Every certificate in a PEM text, in order.
std::vector<X509Ptr> ReadCertificates(const std::string& pem);

// An ASN.1 time (a certificate's notAfter, a CRL's nextUpdate);
// InfiniteFuture for none, InfinitePast for one that does not parse.
absl::Time Asn1ToTime(const ASN1_TIME* t);

// The notAfter of every certificate in the PEM file `path`, in file order
// (leaf first in a chain). NOT_FOUND when the file cannot be read,
// INVALID_ARGUMENT when it holds no certificate.
absl::StatusOr<std::vector<absl::Time>> CertificateExpiries(
    const std::string& path);

// Every URI SAN of `cert` that starts with spiffe://kuaibao/.
std::vector<std::string> KuaibaoUris(X509* cert);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CERT_IDENTITY_H_
