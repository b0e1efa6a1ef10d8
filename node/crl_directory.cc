#include "node/crl_directory.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "node/cert_identity.h"
#include "relay/base/files.h"

namespace kuaibao {
namespace {

using CrlPtr = std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)>;

CrlPtr ReadCrl(const std::string& bytes) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), BIO_free);
  X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
  if (crl == nullptr) {
    const unsigned char* p =
        reinterpret_cast<const unsigned char*>(bytes.data());
    crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size()));
  }
  return CrlPtr(crl, X509_CRL_free);
}

std::string OneLine(const X509_NAME* name) {
  char buf[512];
  X509_NAME_oneline(name, buf, sizeof(buf));
  return buf;
}

std::string Format(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<CrlDirectory> CrlDirectory::Read(
    const std::string& dir, const std::string& ca_bundle_pem,
    const std::string& chain_pem) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("CRL directory '", dir, "' does not exist"));
  }
  std::vector<X509Ptr> cas = ReadCertificates(ca_bundle_pem);
  if (cas.empty()) {
    return absl::InvalidArgumentError("the CA bundle holds no certificate");
  }
  for (X509Ptr& cert : ReadCertificates(chain_pem)) {
    if (X509_check_ca(cert.get()) > 0) cas.push_back(std::move(cert));
  }

  // One entry per distinct CA; `keys[i]` verifies the CRLs of `cas_[i]`.
  CrlDirectory result;
  result.dir_ = dir;
  std::vector<const X509*> keys;
  for (const X509Ptr& ca : cas) {
    std::string subject = OneLine(X509_get_subject_name(ca.get()));
    bool seen = false;
    for (const CaCrls& other : result.cas_) seen |= other.ca == subject;
    if (seen) continue;
    CaCrls entry;
    entry.ca = std::move(subject);
    result.cas_.push_back(std::move(entry));
    keys.push_back(ca.get());
  }
  for (const auto& file : std::filesystem::directory_iterator(dir, ec)) {
    if (!file.is_regular_file()) continue;
    absl::StatusOr<std::string> bytes =
        ReadFileToString(file.path().string(), "CRL");
    if (!bytes.ok()) continue;
    CrlPtr crl = ReadCrl(*bytes);
    if (!crl) continue;
    for (size_t i = 0; i < keys.size(); ++i) {
      CaCrls& entry = result.cas_[i];
      EVP_PKEY* key = X509_get0_pubkey(keys[i]);
      absl::Time last = Asn1ToTime(X509_CRL_get0_lastUpdate(crl.get()));
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()),
                        X509_get_subject_name(keys[i])) != 0 ||
          key == nullptr || X509_CRL_verify(crl.get(), key) != 1 ||
          (entry.has_crl && last <= entry.last_update)) {
        continue;
      }
      entry.has_crl = true;
      entry.file = file.path().string();
      entry.last_update = last;
      entry.next_update = Asn1ToTime(X509_CRL_get0_nextUpdate(crl.get()));
    }
  }
  return result;
}

absl::Status CrlDirectory::CheckCurrent(absl::Time now) const {
  for (const CaCrls& ca : cas_) {
    if (!ca.has_crl) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no CRL of CA '", ca.ca, "' in ", dir_,
          ": without one, revoked certificates of that CA would be accepted. "
          "Publish one (certs/pki.sh crl) and copy it there"));
    }
    if (ca.next_update <= now) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the newest CRL of CA '", ca.ca, "' (", ca.file, ") expired at ",
          Format(ca.next_update),
          ": every certificate of that CA would be refused. Publish a new "
          "one (certs/pki.sh crl)"));
    }
    if (ca.last_update > now) {
      return absl::FailedPreconditionError(
          absl::StrCat("the newest CRL of CA '", ca.ca, "' (", ca.file,
                       ") is not valid before ", Format(ca.last_update),
                       ": check this machine's clock"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> CrlDirectory::Warnings(absl::Time now,
                                                absl::Duration horizon) const {
  std::vector<std::string> warnings;
  for (const CaCrls& ca : cas_) {
    if (!ca.has_crl) {
      warnings.push_back(absl::StrCat("no CRL of CA '", ca.ca, "'"));
    } else if (ca.next_update <= now) {
      warnings.push_back(absl::StrCat("the CRL of CA '", ca.ca, "' expired at ",
                                      Format(ca.next_update)));
    } else if (ca.next_update < now + horizon) {
      warnings.push_back(absl::StrCat(
          "the CRL of CA '", ca.ca, "' expires at ", Format(ca.next_update),
          "; publish a new one before then (certs/pki.sh crl)"));
    }
  }
  return warnings;
}

}  // namespace kuaibao
