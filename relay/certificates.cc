#include "relay/certificates.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "relay/identity.h"

namespace kuaibao {

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

namespace {

// Beijing time, as the user reads it.
std::string Beijing(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S 北京时间", t,
                          absl::FixedTimeZone(8 * 60 * 60));
}

absl::Time AsTime(const ASN1_TIME* t) {
  struct tm parts = {};
  if (ASN1_TIME_to_tm(t, &parts) != 1) return absl::InfinitePast();
  return absl::FromTM(parts, absl::UTCTimeZone());
}

}  // namespace

absl::Status CheckOwnCertificate(const std::string& cert_pem,
                                 const std::string& key_pem,
                                 const std::string& ca_pem, absl::Time now) {
  std::vector<X509Ptr> chain = ReadCertificates(cert_pem);
  if (chain.empty()) {
    return absl::InvalidArgumentError(
        "certificate: the file holds no PEM certificate");
  }
  X509* mine = chain.front().get();
  const absl::Time not_before = AsTime(X509_get0_notBefore(mine));
  const absl::Time not_after = AsTime(X509_get0_notAfter(mine));
  if (now < not_before) {
    return absl::InvalidArgumentError(absl::StrCat(
        "certificate: not valid before ", Beijing(not_before),
        " (check this computer's clock, or use the certificate it replaces)"));
  }
  if (now > not_after) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate: expired on ", Beijing(not_after),
                     "; ask your CA operator for a renewed one"));
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())),
      BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr),
      EVP_PKEY_free);
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "key: the file holds no readable PEM private key");
  }
  if (X509_check_private_key(mine, key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "key: does not belong to the certificate (--key and --cert are from "
        "different pairs)");
  }
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(
      X509_STORE_new(), X509_STORE_free);
  for (const X509Ptr& ca : ReadCertificates(ca_pem)) {
    X509_STORE_add_cert(store.get(), ca.get());
  }
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
  for (size_t i = 1; i < chain.size(); ++i) {
    sk_X509_push(untrusted.get(), chain[i].get());
  }
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(
      X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), mine, untrusted.get());
  X509_STORE_CTX_set_time(ctx.get(), 0, absl::ToTimeT(now));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "certificate: not issued by the configured CA (--ca): ",
        X509_verify_cert_error_string(error), " (OpenSSL code ", error, ")"));
  }
  return absl::OkStatus();
}

}  // namespace kuaibao
