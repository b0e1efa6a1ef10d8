// Batch-signed receipts: the RFC 9162 Merkle tree, a node's signer sealing a
// batch, and offline verification of each receipt alone, against every
// tampered byte.
#include "relay/merkle_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "relay/evidence_encoding.h"
#include "relay/proto_time.h"
#include "relay/receipt_signer.h"
#include "relay/store/report_store.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_signer.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::MakeTestSigner;

// One synced batch of `n` reports and their receipts, the root signed once,
// as the store seals a group write.
struct Batch {
  std::vector<std::string> report_bytes;
  std::vector<Receipt> receipts;
};

Batch MakeBatch(const ReceiptSigner& signer, int n) {
  Batch batch;
  std::vector<std::string> leaves;
  for (int i = 0; i < n; ++i) {
    IncidentReport report = testing::SampleReport(
        absl::StrCat("m-", i), "140105001000", absl::FromUnixSeconds(1.8e9));
    Receipt receipt;
    receipt.set_report_id(report.report_id());
    receipt.set_node("140105000000");
    receipt.set_sender("spiffe://kuaibao/node/140105001000");
    *receipt.mutable_received_at() = ToProto(absl::FromUnixMillis(1.8e12 + i));
    *receipt.mutable_stored_at() = ToProto(absl::FromUnixMillis(1.8e12 + i));
    receipt.set_report_digest(Sha256Hex(ReportBytes(report)));
    receipt.set_chain_seq(100 + i);
    receipt.set_chain_hash(std::string(64, 'c'));
    signer.SetChain(&receipt);
    batch.report_bytes.push_back(ReportBytes(report));
    leaves.push_back(ReceiptSigner::LeafOf(receipt));
    batch.receipts.push_back(std::move(receipt));
  }
  absl::StatusOr<std::vector<BatchInclusion>> proofs =
      signer.Seal(std::move(leaves));
  EXPECT_THAT(proofs, IsOk());
  for (int i = 0; i < n && proofs.ok(); ++i) {
    *batch.receipts[i].mutable_batch() = (*proofs)[i];
  }
  return batch;
}

// What an auditor checks of one receipt alone: the report's bytes are the
// receipt's digest and the receipt's signature (of either kind) verifies.
absl::Status VerifyAlone(absl::string_view report_bytes,
                         const Receipt& receipt) {
  if (Sha256Hex(report_bytes) != receipt.report_digest()) {
    return absl::PermissionDeniedError("the report is not the receipt's");
  }
  return VerifyReceiptSignature(receipt);
}

std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> leaves;
  for (size_t i = 0; i < n; ++i) {
    leaves.push_back(MerkleLeafHash(absl::StrCat("leaf ", i)));
  }
  return leaves;
}

google::protobuf::RepeatedPtrField<std::string> Path(
    std::vector<std::string> hashes) {
  return {std::make_move_iterator(hashes.begin()),
          std::make_move_iterator(hashes.end())};
}

// The roots of the first 1..8 of the RFC 6962 test leaves, as
// certificate-transparency's and Trillian's tests give them.
TEST(MerkleTreeTest, RootsMatchRfc6962ReferenceValues) {
  std::vector<std::string> leaves;
  for (absl::string_view hex :
       {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f"}) {
    leaves.push_back(MerkleLeafHash(absl::HexStringToBytes(hex)));
  }
  const char* const roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  for (size_t n = 1; n <= leaves.size(); ++n) {
    MerkleTree tree({leaves.begin(), leaves.begin() + n});
    EXPECT_EQ(absl::BytesToHexString(tree.Root()), roots[n - 1]) << n;
  }
  EXPECT_EQ(absl::BytesToHexString(MerkleTree({}).Root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// The RFC's recursive definition (MTH, split at the largest power of two
// below n), written out here to check the tree's level-by-level build.
std::string ReferenceRoot(const std::vector<std::string>& leaves, size_t begin,
                          size_t end) {
  if (end - begin == 1) return leaves[begin];
  size_t k = 1;
  while (k << 1 < end - begin) k <<= 1;
  return MerkleNodeHash(ReferenceRoot(leaves, begin, begin + k),
                        ReferenceRoot(leaves, begin + k, end));
}

TEST(MerkleTreeTest, EveryLeafOfEveryTreeSizeProvesItsInclusion) {
  for (size_t n = 1; n <= 70; ++n) {
    std::vector<std::string> leaves = Leaves(n);
    MerkleTree tree(leaves);
    ASSERT_EQ(tree.Root(), ReferenceRoot(leaves, 0, n)) << n;
    for (size_t i = 0; i < n; ++i) {
      auto path = Path(tree.InclusionProof(i));
      EXPECT_THAT(VerifyInclusion(leaves[i], i, n, path, tree.Root()), IsOk())
          << "leaf " << i << " of " << n;
      // Another index or another leaf: no. (A path alone may fit other
      // tree sizes too: the signature over the root binds the size.)
      if (n > 1) {
        EXPECT_FALSE(
            VerifyInclusion(leaves[i], (i + 1) % n, n, path, tree.Root()).ok());
        EXPECT_FALSE(
            VerifyInclusion(leaves[(i + 1) % n], i, n, path, tree.Root()).ok());
      }
      EXPECT_FALSE(
          VerifyInclusion(leaves[i], i, n, path, MerkleLeafHash("x")).ok());
    }
  }
}

TEST(MerkleTreeTest, BatchOfOneAndOfManyVerifyEachReceiptAlone) {
  std::unique_ptr<ReceiptSigner> signer = MakeTestSigner();
  ASSERT_NE(signer, nullptr);
  for (int n : {1, 2, 7, 64, 100}) {
    Batch batch = MakeBatch(*signer, n);
    for (int i = 0; i < n; ++i) {
      const Receipt& r = batch.receipts[i];
      EXPECT_THAT(VerifyAlone(batch.report_bytes[i], r), IsOk()) << n;
      EXPECT_TRUE(r.signature().empty());  // one signature: the root's
      EXPECT_EQ(r.batch().leaf_index(), static_cast<uint64_t>(i));
      EXPECT_EQ(r.batch().tree_size(), static_cast<uint64_t>(n));
      EXPECT_EQ(r.batch().root_signature(),
                batch.receipts[0].batch().root_signature());
    }
  }
}

TEST(MerkleTreeTest, TamperingWithAnyByteOfReportProofOrRootFails) {
  std::unique_ptr<ReceiptSigner> signer = MakeTestSigner();
  ASSERT_NE(signer, nullptr);
  Batch batch = MakeBatch(*signer, 11);
  const size_t i = 6;  // a leaf with siblings at several levels
  const std::string& report = batch.report_bytes[i];
  const Receipt& good = batch.receipts[i];
  ASSERT_THAT(VerifyAlone(report, good), IsOk());
  ASSERT_EQ(good.batch().audit_path_size(), 4);
  int checked = 0;
  auto fails = [&](const std::string& bytes, const Receipt& receipt) {
    ++checked;
    return !VerifyAlone(bytes, receipt).ok();
  };
  // Each byte of the report, each bit flipped.
  for (size_t b = 0; b < report.size(); ++b) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = report;
      tampered[b] ^= static_cast<char>(1 << bit);
      EXPECT_TRUE(fails(tampered, good)) << "report byte " << b;
    }
  }
  // Each byte of every field the receipt's leaf binds.
  auto each_byte = [&](const char* what, std::string* (*field)(Receipt*)) {
    Receipt probe = good;
    const size_t size = field(&probe)->size();
    ASSERT_GT(size, 0u) << what;
    for (size_t b = 0; b < size; ++b) {
      Receipt tampered = good;
      (*field(&tampered))[b] ^= 0x01;
      EXPECT_TRUE(fails(report, tampered)) << what << " byte " << b;
    }
  };
  each_byte("report_id", [](Receipt* r) { return r->mutable_report_id(); });
  each_byte("report_digest",
            [](Receipt* r) { return r->mutable_report_digest(); });
  each_byte("sender", [](Receipt* r) { return r->mutable_sender(); });
  each_byte("node", [](Receipt* r) { return r->mutable_node(); });
  each_byte("chain_hash", [](Receipt* r) { return r->mutable_chain_hash(); });
  each_byte("root",
            [](Receipt* r) { return r->mutable_batch()->mutable_root(); });
  each_byte("root_signature", [](Receipt* r) {
    return r->mutable_batch()->mutable_root_signature();
  });
  for (int h = 0; h < good.batch().audit_path_size(); ++h) {
    for (size_t b = 0; b < good.batch().audit_path(h).size(); ++b) {
      Receipt tampered = good;
      (*tampered.mutable_batch()->mutable_audit_path(h))[b] ^= 0x01;
      EXPECT_TRUE(fails(report, tampered)) << "path " << h << " byte " << b;
    }
  }
  // The numbers: each bit of the index, the size, the chain position, and
  // each time field.
  for (int bit = 0; bit < 64; ++bit) {
    const uint64_t flip = uint64_t{1} << bit;
    Receipt tampered = good;
    tampered.mutable_batch()->set_leaf_index(good.batch().leaf_index() ^ flip);
    EXPECT_TRUE(fails(report, tampered)) << "index bit " << bit;
    tampered = good;
    tampered.mutable_batch()->set_tree_size(good.batch().tree_size() ^ flip);
    EXPECT_TRUE(fails(report, tampered)) << "size bit " << bit;
    tampered = good;
    tampered.set_chain_seq(good.chain_seq() ^ flip);
    EXPECT_TRUE(fails(report, tampered)) << "chain_seq bit " << bit;
    tampered = good;
    tampered.mutable_received_at()->set_seconds(good.received_at().seconds() ^
                                                static_cast<int64_t>(flip));
    EXPECT_TRUE(fails(report, tampered)) << "received_at bit " << bit;
    tampered = good;
    tampered.mutable_stored_at()->set_seconds(good.stored_at().seconds() ^
                                              static_cast<int64_t>(flip));
    EXPECT_TRUE(fails(report, tampered)) << "stored_at bit " << bit;
  }
  // A path element missing, one too many, two swapped; another receipt's
  // proof; the proof taken away; another node's key.
  Receipt tampered = good;
  tampered.mutable_batch()->mutable_audit_path()->RemoveLast();
  EXPECT_TRUE(fails(report, tampered));
  tampered = good;
  tampered.mutable_batch()->add_audit_path(good.batch().audit_path(0));
  EXPECT_TRUE(fails(report, tampered));
  tampered = good;
  tampered.mutable_batch()->mutable_audit_path()->SwapElements(0, 1);
  EXPECT_TRUE(fails(report, tampered));
  tampered = good;
  *tampered.mutable_batch() = batch.receipts[i - 1].batch();
  EXPECT_TRUE(fails(report, tampered));
  tampered = good;
  tampered.clear_batch();
  EXPECT_TRUE(fails(report, tampered));
  std::unique_ptr<ReceiptSigner> other = MakeTestSigner();
  ASSERT_NE(other, nullptr);
  tampered = good;
  other->SetChain(&tampered);
  EXPECT_TRUE(fails(report, tampered));
  // Every bit of the report, every byte of the rest.
  EXPECT_GT(checked, static_cast<int>(report.size()) * 8 + 5 * 64 + 4 * 32);
}

// Receipts of stores written before batch signing carry their own
// signature; they still verify, and tampering with them still fails.
TEST(MerkleTreeTest, OldFormatReceiptWithItsOwnSignatureStillVerifies) {
  std::unique_ptr<ReceiptSigner> signer = MakeTestSigner();
  ASSERT_NE(signer, nullptr);
  Batch batch = MakeBatch(*signer, 1);
  Receipt old = batch.receipts[0];
  ASSERT_THAT(signer->Sign(&old), IsOk());
  ASSERT_FALSE(old.has_batch());
  ASSERT_FALSE(old.signature().empty());
  EXPECT_TRUE(IsSigned(old));
  EXPECT_THAT(VerifyAlone(batch.report_bytes[0], old), IsOk());
  for (size_t b = 0; b < old.signature().size(); ++b) {
    Receipt tampered = old;
    (*tampered.mutable_signature())[b] ^= 0x01;
    EXPECT_FALSE(VerifyAlone(batch.report_bytes[0], tampered).ok()) << b;
  }
  for (size_t b = 0; b < old.report_id().size(); ++b) {
    Receipt tampered = old;
    (*tampered.mutable_report_id())[b] ^= 0x01;
    EXPECT_FALSE(VerifyAlone(batch.report_bytes[0], tampered).ok()) << b;
  }
  Receipt unsigned_receipt = old;
  unsigned_receipt.clear_signature();
  EXPECT_FALSE(IsSigned(unsigned_receipt));
  EXPECT_FALSE(VerifyReceiptSignature(unsigned_receipt).ok());
}

// The node's signer, counting how often the store asks it to seal.
class CountingSealer : public GroupSealer {
 public:
  explicit CountingSealer(const ReceiptSigner* signer) : signer_(signer) {}
  absl::StatusOr<std::vector<BatchInclusion>> Seal(
      std::vector<std::string> leaves) const override {
    ++seals_;
    return signer_->Seal(std::move(leaves));
  }
  int seals() const { return seals_.load(); }

 private:
  const ReceiptSigner* const signer_;
  mutable std::atomic<int> seals_{0};
};

// Puts `receipt` under `key`, proven by the group write it lands in.
void PutReceipt(const std::string& key, Receipt receipt, StoreBatch* batch) {
  receipt.clear_batch();
  std::string leaf = ReceiptSigner::LeafOf(receipt);
  batch->PutSealed(key, std::move(leaf),
                   [receipt](const BatchInclusion& proof) {
                     Receipt proven = receipt;
                     *proven.mutable_batch() = proof;
                     return proven.SerializeAsString();
                   });
}

// Receipts written by concurrent commits that the store syncs in one write
// are signed once, each with its own proof, and written only proven.
TEST(MerkleTreeTest, StoreSealsEachGroupWriteOnceAcrossItsCommits) {
  std::unique_ptr<ReceiptSigner> signer = MakeTestSigner();
  ASSERT_NE(signer, nullptr);
  CountingSealer sealer(signer.get());
  testing::TempDir dir;
  std::unique_ptr<ReportStore> store = *ReportStore::Open(dir.path(), {});
  store->SetGroupSealer(&sealer);
  Batch batch = MakeBatch(*signer, 5);
  // Hold the writer in a first write's callback, so that the next commits
  // queue up and go out together as one group.
  absl::Notification held, release;
  StoreBatch first;
  first.Put("test/first", "");
  store->Commit(std::move(first), [&](absl::Status) {
    held.Notify();
    release.WaitForNotification();
  });
  held.WaitForNotification();
  std::vector<std::string> written(5);
  std::vector<absl::Status> results(5, absl::UnknownError("pending"));
  absl::Notification done[5];
  // Commit 0 carries two receipts, commits 1-3 one each.
  for (int c = 0; c < 4; ++c) {
    StoreBatch b;
    for (int i : c == 0 ? std::vector<int>{0, 4} : std::vector<int>{c}) {
      PutReceipt(absl::StrCat("test/", i), batch.receipts[i], &b);
    }
    store->Commit(std::move(b), [&, c](absl::Status s) {
      results[c] = s;
      done[c].Notify();
    });
  }
  EXPECT_EQ(sealer.seals(), 0);  // nothing sealed before it is written
  release.Notify();
  for (int c = 0; c < 4; ++c) done[c].WaitForNotification();
  for (int c = 0; c < 4; ++c) EXPECT_THAT(results[c], IsOk());
  EXPECT_EQ(sealer.seals(), 1);
  std::string root;
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<std::string> value = store->Get(absl::StrCat("test/", i));
    ASSERT_THAT(value, IsOk());
    Receipt stored;
    ASSERT_TRUE(stored.ParseFromString(*value));
    EXPECT_THAT(VerifyAlone(batch.report_bytes[i], stored), IsOk()) << i;
    EXPECT_EQ(stored.batch().tree_size(), 5u);
    if (i == 0) root = stored.batch().root();
    EXPECT_EQ(stored.batch().root(), root);
  }
  // A lone commit is a batch of one.
  StoreBatch alone;
  PutReceipt("test/alone", batch.receipts[3], &alone);
  ASSERT_THAT(store->CommitAndWait(std::move(alone)), IsOk());
  Receipt one;
  ASSERT_TRUE(one.ParseFromString(*store->Get("test/alone")));
  EXPECT_EQ(one.batch().tree_size(), 1u);
  EXPECT_EQ(one.batch().audit_path_size(), 0);
  EXPECT_THAT(VerifyAlone(batch.report_bytes[3], one), IsOk());
  EXPECT_EQ(sealer.seals(), 2);
}

}  // namespace
}  // namespace kuaibao
