#ifndef KUAIBAO_RELAY_CERTIFICATES_H_
#define KUAIBAO_RELAY_CERTIFICATES_H_

// Reading X.509 certificates and the identities they name (OpenSSL).

#include <openssl/types.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace kuaibao {

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

// Every certificate in a PEM text, in order.
std::vector<X509Ptr> ReadCertificates(const std::string& pem);

// Every URI SAN of `cert` that starts with spiffe://kuaibao/.
std::vector<std::string> KuaibaoUris(X509* cert);

// Checks a client's own certificate before it connects, so that the user is
// told what is wrong instead of the node's bare handshake failure
// (UNAVAILABLE): `cert_pem` (the chain, the client's certificate first)
// must hold a certificate valid at `now`, issued (through the chain's CAs) by
// a CA of `ca_pem`, and `key_pem` must be its private key.
// INVALID_ARGUMENT naming the file's role ("certificate", "key") and what is
// wrong (expired on ..., not valid before ..., in Beijing time).
absl::Status CheckOwnCertificate(const std::string& cert_pem,
                                 const std::string& key_pem,
                                 const std::string& ca_pem, absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_CERTIFICATES_H_
