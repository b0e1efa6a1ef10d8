#include "relay/merkle_tree.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/strings/str_cat.h"

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

}  // namespace

std::string MerkleLeafHash(absl::string_view leaf_data) {
  return Sha256(absl::string_view(kLeafPrefix, 1), leaf_data, "");
}

std::string MerkleNodeHash(absl::string_view left, absl::string_view right) {
  return Sha256(absl::string_view(kNodePrefix, 1), left, right);
}

MerkleTree::MerkleTree(std::vector<std::string> leaf_hashes) {
  levels_.push_back(std::move(leaf_hashes));
  while (levels_.back().size() > 1) {
    const std::vector<std::string>& below = levels_.back();
    std::vector<std::string> up;
    up.reserve((below.size() + 1) / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2) {
      up.push_back(MerkleNodeHash(below[i], below[i + 1]));
    }
    if (below.size() % 2 == 1) up.push_back(below.back());
    levels_.push_back(std::move(up));
  }
}

std::string MerkleTree::Root() const {
  if (size() == 0) return Sha256("", "", "");
  return levels_.back()[0];
}

std::vector<std::string> MerkleTree::InclusionProof(size_t index) const {
  std::vector<std::string> proof;
  if (index >= size()) return proof;
  for (size_t level = 0; level + 1 < levels_.size(); ++level) {
    const size_t sibling = index ^ 1;
    // A node without a sibling moved up unchanged: nothing to hash with.
    if (sibling < levels_[level].size()) {
      proof.push_back(levels_[level][sibling]);
    }
    index >>= 1;
  }
  return proof;
}

absl::Status VerifyInclusion(
    absl::string_view leaf_hash, uint64_t index, uint64_t tree_size,
    const google::protobuf::RepeatedPtrField<std::string>& proof,
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

}  // namespace kuaibao
