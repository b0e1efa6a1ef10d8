#ifndef KUAIBAO_RELAY_EVIDENCE_VERIFIER_H_
#define KUAIBAO_RELAY_EVIDENCE_VERIFIER_H_

#include <string>

#include "absl/status/statusor.h"
#include "kuaibao/v1/evidence.pb.h"

namespace kuaibao {

// Checks one report's evidence file offline, trusting only the CA
// certificates in `ca_pem` (the province root; each receipt brings its
// signer's issuing CA). For every hop record on every path: the receipt its
// node signed (signature, certificate chain to the CA at the receipt's time,
// the certificate names that node, the report digest is the report's), the
// hop record agrees with its receipt and hashes to its chain link, and it
// was received from the node of the hop before it (the first from the
// report's origin); for the exporting node's hand-offs, the upstream's
// receipt likewise. INVALID_ARGUMENT only when `ca_pem` holds no
// certificate; every problem with the evidence is in the verdict.
absl::StatusOr<v1::EvidenceVerdict> VerifyEvidence(
    const v1::EvidenceBundle& bundle, const std::string& ca_pem);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_EVIDENCE_VERIFIER_H_
