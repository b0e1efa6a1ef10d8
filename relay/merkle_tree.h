#ifndef KUAIBAO_RELAY_MERKLE_TREE_H_
#define KUAIBAO_RELAY_MERKLE_TREE_H_

// Merkle trees over the receipts of one synced batch, hashed as RFC 6962
// (Certificate Transparency) hashes them: a leaf is SHA-256(0x00 || data), an
// interior node SHA-256(0x01 || left || right), and a tree of n leaves splits
// at the largest power of two below n. A node signs the batch's root once
// (SignedBatchRoot) instead of every receipt; each receipt carries its leaf
// index and inclusion proof, so that it still proves itself offline: the
// receipt's bytes hash to its leaf, the proof leads from the leaf to the
// root, and the root's signature verifies under the node's certificate.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "relay/report_types.h"

namespace kuaibao {

// 32-byte SHA-256 values.
std::string MerkleLeafHash(absl::string_view leaf_data);
std::string MerkleNodeHash(absl::string_view left, absl::string_view right);

// A tree over leaf hashes, built once per batch.
class MerkleTree {
 public:
  explicit MerkleTree(std::vector<std::string> leaf_hashes);

  size_t size() const { return leaves_.size(); }
  // The root (RFC 6962 MTH); SHA-256 of nothing for an empty tree.
  std::string Root() const;
  // The inclusion proof of leaf `index` (RFC 6962 PATH), nearest sibling
  // first.
  std::vector<std::string> InclusionProof(size_t index) const;

 private:
  std::string Hash(size_t begin, size_t end) const;
  void Path(size_t index, size_t begin, size_t end,
            std::vector<std::string>* proof) const;

  std::vector<std::string> leaves_;
};

// Whether `proof` leads from the leaf with `leaf_hash` at `index` of a tree
// of `tree_size` leaves to `root` (RFC 9162 section 2.1.3.2). INVALID_ARGUMENT
// naming what does not hold.
absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t index,
                             uint64_t tree_size,
                             const std::vector<std::string>& proof,
                             absl::string_view root);

// The bytes a node signs for a batch's root: a label, the tree size and the
// root, so that a signature over one cannot pass for another kind of
// signature by the same key.
std::string BatchRootSigningBytes(uint64_t tree_size, absl::string_view root);

// What a receipt signed as part of a batch carries instead of its own
// signature.
struct MerkleReceiptProof {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  std::vector<std::string> proof;
  std::string root;
  // Over BatchRootSigningBytes(tree_size, root), by the receipt's node.
  std::string root_signature;
};

// Proves offline that the node whose certificate is `cert_der` took the
// report whose canonical bytes (ReportBytes) are `report_bytes`: the bytes
// match the receipt's digest, the receipt is leaf `index` of the batch, and
// the batch's root is signed. PERMISSION_DENIED or INVALID_ARGUMENT naming
// the first check that fails.
absl::Status VerifyMerkleReceipt(const std::string& cert_der,
                                 absl::string_view report_bytes,
                                 const Receipt& receipt,
                                 const MerkleReceiptProof& proof);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_MERKLE_TREE_H_
