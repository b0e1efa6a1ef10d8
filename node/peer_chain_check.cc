#include "node/peer_chain_check.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "node/cert_identity.h"
#include "node/crl_directory.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"
#include "relay/region.h"

namespace kuaibao {
namespace {

constexpr absl::string_view kCaUriPrefix = "spiffe://kuaibao/ca/";

// The region an issuing CA may issue for, from its URI SAN; empty when it
// names none (then its scope is whatever the root trusts it with).
std::string CaRegion(X509* ca) {
  for (const std::string& uri : KuaibaoUris(ca)) {
    if (absl::StartsWith(uri, kCaUriPrefix)) {
      return uri.substr(kCaUriPrefix.size());
    }
  }
  return "";
}

}  // namespace

absl::Status PeerChainCheck::Check(const std::string& leaf_pem,
                                   const std::string& chain_pem) const {
  std::vector<X509Ptr> leaves = ReadCertificates(leaf_pem);
  if (leaves.empty()) {
    return absl::UnauthenticatedError("the peer sent no certificate");
  }
  X509* leaf = leaves[0].get();
  ASSIGN_OR_RETURN(Identity identity, IdentityOfCertificate(leaf_pem));
  for (const X509Ptr& cert : ReadCertificates(chain_pem)) {
    X509* ca = cert.get();
    // The leaf's issuer: a CA of the issuer's name whose key verifies it.
    if (X509_check_ca(ca) <= 0 ||
        X509_NAME_cmp(X509_get_issuer_name(leaf), X509_get_subject_name(ca)) !=
            0 ||
        X509_verify(leaf, X509_get0_pubkey(ca)) != 1) {
      continue;
    }
    std::string scope = CaRegion(ca);
    if (!scope.empty() &&
        (!LevelOf(scope).ok() || !RegionContains(scope, identity.region))) {
      return absl::PermissionDeniedError(
          absl::StrCat(identity.uri, " was issued by the CA of ", scope,
                       ", which may only issue identities inside it"));
    }
  }
  if (crl_dir_.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string ca_bundle, ReadFileToString(ca_file_, "CA"));
  ASSIGN_OR_RETURN(CrlDirectory crls,
                   CrlDirectory::Read(crl_dir_, ca_bundle, chain_pem));
  absl::Status current = crls.CheckCurrent(clock_->TimeNow());
  if (!current.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("refusing ", identity.uri, ": ", current.message()));
  }
  return absl::OkStatus();
}

}  // namespace kuaibao
