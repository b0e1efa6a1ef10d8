#include "node/cert_identity.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/strings/match.h"
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

std::vector<X509Ptr> ReadCertificates(const std::string& pem) {
  std::vector<X509Ptr> certs;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert, X509_free);
  }
  return certs;
}

std::vector<std::string> KuaibaoUris(X509* cert) {
  using Names = STACK_OF(GENERAL_NAME);
  std::unique_ptr<Names, void (*)(Names*)> names(
      static_cast<Names*>(
          X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)),
      [](Names* n) { GENERAL_NAMES_free(n); });
  std::vector<std::string> uris;
  if (!names) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    std::string value(reinterpret_cast<const char*>(uri->data), uri->length);
    if (absl::StartsWith(value, kIdentityUriPrefix)) {
      uris.push_back(std::move(value));
    }
  }
  return uris;
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
