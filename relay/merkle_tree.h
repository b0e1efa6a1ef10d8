#ifndef KUAIBAO_RELAY_MERKLE_TREE_H_
#define KUAIBAO_RELAY_MERKLE_TREE_H_

// Merkle trees over the receipts of one synced batch, hashed as RFC 6962/9162
// (Certificate Transparency) hashes them: a leaf is SHA-256(0x00 || data), an
// interior node SHA-256(0x01 || left || right), and a tree of n leaves splits
// at the largest power of two below n. A node signs the batch's root once
// (BatchRootSigningBytes) instead of every receipt; each receipt carries its
// leaf index, the tree size, its audit path and the signed root
// (v1::BatchInclusion), so that it still proves itself offline alone.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace kuaibao {

// 32-byte SHA-256 values.
std::string MerkleLeafHash(absl::string_view leaf_data);
std::string MerkleNodeHash(absl::string_view left, absl::string_view right);

// A tree over leaf hashes, built once per batch: every level is kept, so that
// a batch of n receipts costs n - 1 interior hashes in all and each audit
// path is read off the levels, not recomputed.
class MerkleTree {
 public:
  explicit MerkleTree(std::vector<std::string> leaf_hashes);

  size_t size() const { return levels_[0].size(); }
  // The root (RFC 9162 MTH); SHA-256 of nothing for an empty tree.
  std::string Root() const;
  // The audit path of leaf `index` (RFC 9162 PATH), nearest sibling first;
  // empty for an index outside the tree.
  std::vector<std::string> InclusionProof(size_t index) const;

 private:
  // levels_[0] holds the leaves, each next level the parents of the one
  // below; a level's last node without a sibling moves up unchanged. This
  // pairing from the left is the RFC's split at the largest power of two.
  std::vector<std::vector<std::string>> levels_;
};

// Whether `proof` leads from the leaf with `leaf_hash` at `index` of a tree
// of `tree_size` leaves to `root` (RFC 9162 section 2.1.3.2).
// INVALID_ARGUMENT naming what does not hold.
absl::Status VerifyInclusion(
    absl::string_view leaf_hash, uint64_t index, uint64_t tree_size,
    const google::protobuf::RepeatedPtrField<std::string>& proof,
    absl::string_view root);

// The bytes a node signs for a batch's root: a label, the tree size and the
// root, so that a signature over one cannot pass for another kind of
// signature by the same key (a per-receipt signature covers bytes that start
// with another label).
std::string BatchRootSigningBytes(uint64_t tree_size, absl::string_view root);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_MERKLE_TREE_H_
