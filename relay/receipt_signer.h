#ifndef KUAIBAO_RELAY_RECEIPT_SIGNER_H_
#define KUAIBAO_RELAY_RECEIPT_SIGNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace kuaibao {

// Signs a node's receipts with the private key of its TLS certificate, so
// that whoever holds a receipt can prove, to anyone with the province's CA,
// that this node took the report at that time (README "Evidence and
// verification"). ECDSA P-256 with SHA-256 for the keys certs/pki.sh makes,
// Ed25519 also works.
//
// A node signs once per synced write: the store hands it the leaves of every
// receipt written together (ReportStore's GroupSealer), it signs their Merkle
// root (relay/merkle_tree.h) and gives each receipt its inclusion proof.
// Receipts of older stores carry a signature each (Sign); both verify
// (VerifyReceiptSignature).
//
// Thread-safe: signing only reads the key.
class ReceiptSigner : public GroupSealer {
 public:
  // `cert_chain_pem`: the node's certificate, then its issuing CAs;
  // `key_pem`: its private key. INVALID_ARGUMENT when either does not parse
  // or the key is not the certificate's.
  static absl::StatusOr<std::unique_ptr<ReceiptSigner>> FromPem(
      const std::string& cert_chain_pem, const std::string& key_pem);
  // The same from files (NOT_FOUND naming a file it cannot read).
  static absl::StatusOr<std::unique_ptr<ReceiptSigner>> Load(
      const std::string& cert_file, const std::string& key_file);
  ~ReceiptSigner() override;

  // Fills in `receipt`'s signer_chain, the certificates its signature is
  // checked with.
  void SetChain(Receipt* receipt) const;
  // The leaf of `receipt` in its batch's Merkle tree: the hash of what a
  // receipt's signature covers (ReceiptSigningBytes).
  static std::string LeafOf(const Receipt& receipt);
  // GroupSealer: signs the Merkle root of `leaves` once and returns each
  // leaf's BatchInclusion, in order. INTERNAL if OpenSSL fails.
  absl::StatusOr<std::vector<BatchInclusion>> Seal(
      std::vector<std::string> leaves) const override;

  // The format before batch signing: fills in signer_chain and a signature
  // over ReceiptSigningBytes(*receipt) of this receipt alone. Nodes no
  // longer make these; they stay verifiable, and the tests make them as an
  // older node did. INTERNAL if OpenSSL fails.
  absl::Status Sign(Receipt* receipt) const;

 private:
  ReceiptSigner(EVP_PKEY* key, std::vector<std::string> chain_der)
      : key_(key), chain_der_(std::move(chain_der)) {}
  absl::StatusOr<std::string> SignBytes(const std::string& data) const;

  EVP_PKEY* const key_;  // owned
  const std::vector<std::string> chain_der_;
};

// Whether `receipt` carries a signature of either kind.
bool IsSigned(const Receipt& receipt);
// Checks that the key of `receipt`'s signer_chain[0] signed it: its batch
// proof leads from its leaf to a root that key signed, or (older receipts)
// its own signature covers it. PERMISSION_DENIED naming what does not
// verify; INVALID_ARGUMENT when the certificate does not parse.
absl::Status VerifyReceiptSignature(const Receipt& receipt);

// Checks `signature` over `data` with the public key of `cert_der`.
// INVALID_ARGUMENT when the certificate does not parse, PERMISSION_DENIED
// when the signature does not verify.
absl::Status VerifySignature(const std::string& cert_der,
                             const std::string& data,
                             const std::string& signature);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_RECEIPT_SIGNER_H_
