#include "relay/merkle_tree.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "relay/evidence_encoding.h"
#include "relay/receipt_signer.h"

namespace kuaibao {
namespace {

std::string Sha256(absl::string_view prefix, absl::string_view a,
                   absl::string_view b) {
  const std::string data = absl::StrCat(prefix, a, b);
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

constexpr char kLeafPrefix[] = {'\x00'};
constexpr char kNodePrefix[] = {'\x01'};

// The largest power of two below n (n > 1).
size_t Split(size_t n) {
  size_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

}  // namespace

std::string MerkleLeafHash(absl::string_view leaf_data) {
  return Sha256(absl::string_view(kLeafPrefix, 1), leaf_data, "");
}

std::string MerkleNodeHash(absl::string_view left, absl::string_view right) {
  return Sha256(absl::string_view(kNodePrefix, 1), left, right);
}

MerkleTree::MerkleTree(std::vector<std::string> leaf_hashes)
    : leaves_(std::move(leaf_hashes)) {}

std::string MerkleTree::Root() const {
  if (leaves_.empty()) return Sha256("", "", "");
  return Hash(0, leaves_.size());
}

std::string MerkleTree::Hash(size_t begin, size_t end) const {
  if (end - begin == 1) return leaves_[begin];
  size_t k = Split(end - begin);
  return MerkleNodeHash(Hash(begin, begin + k), Hash(begin + k, end));
}

std::vector<std::string> MerkleTree::InclusionProof(size_t index) const {
  std::vector<std::string> proof;
  if (index < leaves_.size()) Path(index, 0, leaves_.size(), &proof);
  return proof;
}

void MerkleTree::Path(size_t index, size_t begin, size_t end,
                      std::vector<std::string>* proof) const {
  if (end - begin <= 1) return;
  size_t k = Split(end - begin);
  if (index < begin + k) {
    Path(index, begin, begin + k, proof);
    proof->push_back(Hash(begin + k, end));
  } else {
    Path(index, begin + k, end, proof);
    proof->push_back(Hash(begin, begin + k));
  }
}

absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t index,
                             uint64_t tree_size,
                             const std::vector<std::string>& proof,
                             absl::string_view root) {
  if (index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leaf index ", index, " is outside a tree of ", tree_size));
  }
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) {
      return absl::InvalidArgumentError(
          "the inclusion proof is longer than the tree is deep");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError(
        "the inclusion proof is shorter than the tree is deep");
  }
  if (r != root) {
    return absl::InvalidArgumentError(
        "the inclusion proof does not lead to the signed root");
  }
  return absl::OkStatus();
}

std::string BatchRootSigningBytes(uint64_t tree_size, absl::string_view root) {
  std::string size(8, '\0');
  for (int i = 0; i < 8; ++i) {
    size[7 - i] = static_cast<char>((tree_size >> (8 * i)) & 0xff);
  }
  return absl::StrCat("kuaibao batch root v1\n", size, root);
}

absl::Status VerifyMerkleReceipt(const std::string& cert_der,
                                 absl::string_view report_bytes,
                                 const Receipt& receipt,
                                 const MerkleReceiptProof& proof) {
  if (Sha256Hex(report_bytes) != receipt.report_digest()) {
    return absl::PermissionDeniedError(
        "the report does not match the receipt's digest");
  }
  absl::Status included =
      VerifyInclusion(MerkleLeafHash(ReceiptSigningBytes(receipt)), proof.index,
                      proof.tree_size, proof.proof, proof.root);
  if (!included.ok()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the receipt is not in the signed batch: ", included.message()));
  }
  return VerifySignature(cert_der,
                         BatchRootSigningBytes(proof.tree_size, proof.root),
                         proof.root_signature);
}

}  // namespace kuaibao
