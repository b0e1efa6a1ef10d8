#include "node/cert_identity.h"

#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "relay/base/files.h"

namespace kuaibao {

absl::Time Asn1ToTime(const ASN1_TIME* t) {
  if (t == nullptr) return absl::InfiniteFuture();
  struct tm tm = {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return absl::InfinitePast();
  return absl::FromTM(tm, absl::UTCTimeZone());
}

absl::StatusOr<std::vector<absl::Time>> CertificateExpiries(
    const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFileToString(path, "certificate");
  if (!pem.ok()) return pem.status();
  std::vector<absl::Time> expiries;
  for (const X509Ptr& cert : ReadCertificates(*pem)) {
    expiries.push_back(Asn1ToTime(X509_get0_notAfter(cert.get())));
  }
  if (expiries.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " holds no PEM certificate"));
  }
  return expiries;
}

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
