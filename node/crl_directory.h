#ifndef KUAIBAO_NODE_CRL_DIRECTORY_H_
#define KUAIBAO_NODE_CRL_DIRECTORY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kuaibao {

// The revocation lists in a node's CRL directory, matched to the CAs the node
// knows (the trust bundle and the issuers in its own certificate chain).
//
// Why the node checks them itself: gRPC 1.51 accepts every certificate whose
// issuer has no CRL in the directory (fail-open), and rejects every peer of a
// CA whose CRL has expired. So a node must not start without a current CRL
// of each CA it knows, and must warn well before one expires.
//
// Immutable after Read; thread-safe.
class CrlDirectory {
 public:
  // The newest CRL a CA signed, if any.
  struct CaCrls {
    std::string ca;  // the CA's subject, one line
    bool has_crl = false;
    std::string file;  // the newest CRL (latest lastUpdate)
    absl::Time last_update;
    absl::Time next_update;  // InfiniteFuture() when the CRL has none
  };

  // Reads the CA certificates of `ca_bundle_pem` and of `chain_pem` (the
  // CA certificates in it; a leaf there is ignored), and every CRL file in
  // `dir` (PEM or DER; other files are skipped). A CRL counts for a CA only
  // when the CA's key verifies its signature. NOT_FOUND when `dir` is missing;
  // INVALID_ARGUMENT when the bundle holds no certificate.
  static absl::StatusOr<CrlDirectory> Read(const std::string& dir,
                                           const std::string& ca_bundle_pem,
                                           const std::string& chain_pem);

  // OK when every known CA has a CRL current at `now` (lastUpdate not after
  // `now`, nextUpdate after it). FAILED_PRECONDITION naming the first CA
  // without one and what to do.
  absl::Status CheckCurrent(absl::Time now) const;

  // One sentence per CA whose newest CRL expires before `now + horizon` (or
  // has expired, or is missing).
  std::vector<std::string> Warnings(absl::Time now,
                                    absl::Duration horizon) const;

  const std::vector<CaCrls>& cas() const { return cas_; }

 private:
  std::string dir_;
  std::vector<CaCrls> cas_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CRL_DIRECTORY_H_
