#ifndef KUAIBAO_RELAY_CERTIFICATES_H_
#define KUAIBAO_RELAY_CERTIFICATES_H_

// Reading X.509 certificates and the identities they name (OpenSSL).

#include <openssl/types.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace kuaibao {

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

// Every certificate in a PEM text, in order.
std::vector<X509Ptr> ReadCertificates(const std::string& pem);

// Every URI SAN of `cert` that starts with spiffe://kuaibao/.
std::vector<std::string> KuaibaoUris(X509* cert);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_CERTIFICATES_H_
