#ifndef KUAIBAO_NODE_PEER_CHAIN_CHECK_H_
#define KUAIBAO_NODE_PEER_CHAIN_CHECK_H_

#include <string>

#include "absl/status/status.h"
#include "relay/base/clock.h"

namespace kuaibao {

// What a node checks of a peer's certificate chain in the TLS handshake,
// beyond what TLS verifies (a chain to the root, not revoked, not expired):
//
//  - The issuing CA's scope. An issuing CA names its region
//    (spiffe://kuaibao/ca/<region>, certs/pki.sh); it may only have issued
//    identities inside that region. So a city's CA, compromised or careless,
//    cannot speak for another city.
//  - Revocation coverage, when `crl_dir` is set: the issuing CA must have a
//    current CRL there. gRPC accepts a certificate whose CA has no CRL in the
//    directory (fail-open); this refuses it instead.
//
// Thread-safe (no state beyond its settings; files are read per check, so a
// new CRL or CA bundle counts at once).
class PeerChainCheck {
 public:
  // `crl_dir` empty = no coverage check. Borrowed: `clock` outlives this.
  PeerChainCheck(std::string crl_dir, std::string ca_file, Clock* clock)
      : crl_dir_(std::move(crl_dir)),
        ca_file_(std::move(ca_file)),
        clock_(clock) {}

  // `leaf_pem`: the peer's certificate; `chain_pem`: the certificates it
  // came with (see PeerCheck). OK, or PERMISSION_DENIED (outside the CA's
  // scope) / FAILED_PRECONDITION (no current CRL of its CA) saying which.
  absl::Status Check(const std::string& leaf_pem,
                     const std::string& chain_pem) const;

 private:
  const std::string crl_dir_;
  const std::string ca_file_;
  Clock* const clock_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_PEER_CHAIN_CHECK_H_
