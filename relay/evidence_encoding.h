#ifndef KUAIBAO_RELAY_EVIDENCE_ENCODING_H_
#define KUAIBAO_RELAY_EVIDENCE_ENCODING_H_

// The canonical byte strings that receipts sign and hop chains hash. They are
// built by hand, field by field, rather than from a protobuf serialization,
// so that a verifier in any language, and any later version of the schema,
// computes the same bytes: each field is written as <decimal length>:<bytes>,
// after a tag naming the encoding and its version; a time is
// "<unix seconds>.<9-digit nanoseconds>".

#include <string>

#include "absl/strings/string_view.h"
#include "relay/report_types.h"

namespace kuaibao {

// The report's deterministic protobuf serialization (what report digests and
// exported report bytes are).
std::string ReportBytes(const IncidentReport& report);
// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

// What a receipt's signature covers.
std::string ReceiptSigningBytes(const Receipt& receipt);
// The canonical encoding of the hop record at chain position `seq` of a
// report whose digest is `report_digest`: its node, sender and times
// (forwardings and breaches are added later and are not part of it).
std::string HopChainBytes(uint64_t seq, const std::string& report_id,
                          const std::string& report_digest,
                          const HopRecord& hop);
// What a signer chain's digest (Receipt.signer_chain_digest) is the SHA-256
// of: each DER certificate, in order, as a field.
std::string SignerChainBytes(
    const google::protobuf::RepeatedPtrField<std::string>& certs);
// A chain link's hash: SHA-256(prev_hash || record), hex.
std::string ChainHash(const std::string& prev_hash, absl::string_view record);
// The prev_hash of a chain's first link.
const std::string& ChainGenesis();

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_EVIDENCE_ENCODING_H_
