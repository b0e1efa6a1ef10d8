#include "relay/receipt_signer.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"
#include "relay/certificates.h"
#include "relay/evidence_encoding.h"
#include "relay/merkle_tree.h"

namespace kuaibao {
namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string OpenSslError() {
  unsigned long code = ERR_get_error();  // NOLINT(runtime/int): OpenSSL's
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

// Ed25519 signs the message itself; the others sign its SHA-256.
const EVP_MD* DigestFor(EVP_PKEY* key) {
  return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

std::string DerOf(X509* cert) {
  unsigned char* der = nullptr;
  int size = i2d_X509(cert, &der);
  if (size <= 0) return "";
  std::string out(reinterpret_cast<const char*>(der), size);
  OPENSSL_free(der);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReceiptSigner>> ReceiptSigner::FromPem(
    const std::string& cert_chain_pem, const std::string& key_pem) {
  std::vector<X509Ptr> certs = ReadCertificates(cert_chain_pem);
  if (certs.empty()) {
    return absl::InvalidArgumentError(
        "receipt signing: no PEM certificate in the certificate file");
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())),
      BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "receipt signing: the private key does not parse: ", OpenSslError()));
  }
  if (X509_check_private_key(certs[0].get(), key) != 1) {
    EVP_PKEY_free(key);
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "receipt signing: the private key is not the certificate's");
  }
  std::vector<std::string> chain;
  chain.reserve(certs.size());
  for (const X509Ptr& cert : certs) chain.push_back(DerOf(cert.get()));
  return std::unique_ptr<ReceiptSigner>(
      new ReceiptSigner(key, std::move(chain)));
}

absl::StatusOr<std::unique_ptr<ReceiptSigner>> ReceiptSigner::Load(
    const std::string& cert_file, const std::string& key_file) {
  ASSIGN_OR_RETURN(std::string cert,
                   ReadFileToString(cert_file, "certificate"));
  ASSIGN_OR_RETURN(std::string key, ReadFileToString(key_file, "private key"));
  return FromPem(cert, key);
}

ReceiptSigner::~ReceiptSigner() { EVP_PKEY_free(key_); }

void ReceiptSigner::SetChain(Receipt* receipt) const {
  receipt->clear_signer_chain();
  for (const std::string& der : chain_der_) receipt->add_signer_chain(der);
}

std::string ReceiptSigner::LeafOf(const Receipt& receipt) {
  return MerkleLeafHash(ReceiptSigningBytes(receipt));
}

absl::StatusOr<std::vector<BatchInclusion>> ReceiptSigner::Seal(
    std::vector<std::string> leaves) const {
  MerkleTree tree(std::move(leaves));
  BatchInclusion signed_root;
  signed_root.set_tree_size(tree.size());
  signed_root.set_root(tree.Root());
  ASSIGN_OR_RETURN(
      *signed_root.mutable_root_signature(),
      SignBytes(BatchRootSigningBytes(tree.size(), signed_root.root())));
  std::vector<BatchInclusion> out(tree.size(), signed_root);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].set_leaf_index(i);
    for (std::string& hash : tree.InclusionProof(i)) {
      out[i].add_audit_path(std::move(hash));
    }
  }
  return out;
}

absl::Status ReceiptSigner::Sign(Receipt* receipt) const {
  SetChain(receipt);
  receipt->clear_batch();
  ASSIGN_OR_RETURN(*receipt->mutable_signature(),
                   SignBytes(ReceiptSigningBytes(*receipt)));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReceiptSigner::SignBytes(
    const std::string& data) const {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t size = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key_), nullptr, key_) !=
          1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot sign the receipt: ", OpenSslError()));
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&signature[0]),
                     &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot sign the receipt: ", OpenSslError()));
  }
  signature.resize(size);
  return signature;
}

bool IsSigned(const Receipt& receipt) {
  return !receipt.signer_chain().empty() &&
         (receipt.has_batch() || !receipt.signature().empty());
}

absl::Status VerifyReceiptSignature(const Receipt& receipt) {
  if (receipt.signer_chain().empty()) {
    return absl::PermissionDeniedError("the receipt names no signer");
  }
  if (!receipt.has_batch()) {
    return VerifySignature(receipt.signer_chain(0),
                           ReceiptSigningBytes(receipt), receipt.signature());
  }
  const BatchInclusion& batch = receipt.batch();
  absl::Status included =
      VerifyInclusion(ReceiptSigner::LeafOf(receipt), batch.leaf_index(),
                      batch.tree_size(), batch.audit_path(), batch.root());
  if (!included.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("receipt signature does not verify: the receipt is not "
                     "in its signed batch (",
                     included.message(), ")"));
  }
  absl::Status root =
      VerifySignature(receipt.signer_chain(0),
                      BatchRootSigningBytes(batch.tree_size(), batch.root()),
                      batch.root_signature());
  if (absl::IsPermissionDenied(root)) {
    return absl::PermissionDeniedError(
        "receipt signature does not verify: the signature of its batch's "
        "root does not");
  }
  return root;
}

absl::Status VerifySignature(const std::string& cert_der,
                             const std::string& data,
                             const std::string& signature) {
  const unsigned char* p =
      reinterpret_cast<const unsigned char*>(cert_der.data());
  X509Ptr cert(
      d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())),  // NOLINT
      X509_free);
  if (cert == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "the signer's certificate does not parse");
  }
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (key == nullptr || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(key), nullptr, key) !=
          1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        "the signer's certificate has no usable public key");
  }
  int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
      signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
      data.size());
  ERR_clear_error();
  if (verified != 1) {
    return absl::PermissionDeniedError("receipt signature does not verify");
  }
  return absl::OkStatus();
}

}  // namespace kuaibao
