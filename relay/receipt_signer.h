#ifndef KUAIBAO_RELAY_RECEIPT_SIGNER_H_
#define KUAIBAO_RELAY_RECEIPT_SIGNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "relay/report_types.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace kuaibao {

// Signs a node's receipts with the private key of its TLS certificate, so
// that whoever holds a receipt can prove, to anyone with the province's CA,
// that this node took the report at that time (README "Evidence and
// verification"). One signature per receipt: ECDSA P-256 with SHA-256 for
// the keys certs/pki.sh makes, Ed25519 also works.
//
// Thread-safe: signing only reads the key.
class ReceiptSigner {
 public:
  // `cert_chain_pem`: the node's certificate, then its issuing CAs;
  // `key_pem`: its private key. INVALID_ARGUMENT when either does not parse
  // or the key is not the certificate's.
  static absl::StatusOr<std::unique_ptr<ReceiptSigner>> FromPem(
      const std::string& cert_chain_pem, const std::string& key_pem);
  // The same from files (NOT_FOUND naming a file it cannot read).
  static absl::StatusOr<std::unique_ptr<ReceiptSigner>> Load(
      const std::string& cert_file, const std::string& key_file);
  ~ReceiptSigner();

  // Fills in `receipt`'s signer_chain and signature over
  // ReceiptSigningBytes(*receipt). INTERNAL if OpenSSL fails.
  absl::Status Sign(Receipt* receipt) const;

 private:
  ReceiptSigner(EVP_PKEY* key, std::vector<std::string> chain_der)
      : key_(key), chain_der_(std::move(chain_der)) {}

  EVP_PKEY* const key_;  // owned
  const std::vector<std::string> chain_der_;
};

// Checks `signature` over `data` with the public key of `cert_der`.
// INVALID_ARGUMENT when the certificate does not parse, PERMISSION_DENIED
// when the signature does not verify.
absl::Status VerifySignature(const std::string& cert_der,
                             const std::string& data,
                             const std::string& signature);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_RECEIPT_SIGNER_H_
