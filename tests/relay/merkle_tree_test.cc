#include "relay/merkle_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "relay/evidence_encoding.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;

// A node's key and self-signed certificate, made here (ECDSA P-256, as
// certs/pki.sh makes them).
class TestKey {
 public:
  TestKey() : key_(EVP_EC_gen("P-256"), EVP_PKEY_free) {
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key_.get());
    X509_sign(cert.get(), key_.get(), EVP_sha256());
    unsigned char* der = nullptr;
    int size = i2d_X509(cert.get(), &der);
    cert_der_.assign(reinterpret_cast<char*>(der), size);
    OPENSSL_free(der);
  }
  std::string Sign(const std::string& data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), EVP_MD_CTX_free);
    size_t size = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
    EVP_DigestSign(ctx.get(), nullptr, &size,
                   reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    std::string signature(size, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(&signature[0]),
                   &size, reinterpret_cast<const unsigned char*>(data.data()),
                   data.size());
    signature.resize(size);
    return signature;
  }
  const std::string& cert_der() const { return cert_der_; }

 private:
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
  std::string cert_der_;
};

// One synced batch of `n` reports, its receipts and their proofs, the root
// signed once.
struct Batch {
  std::vector<std::string> report_bytes;
  std::vector<Receipt> receipts;
  std::vector<MerkleReceiptProof> proofs;
};

Batch MakeBatch(const TestKey& key, int n) {
  Batch batch;
  std::vector<std::string> leaves;
  for (int i = 0; i < n; ++i) {
    IncidentReport report = testing::SampleReport(
        absl::StrCat("m-", i), "140105001000", absl::FromUnixSeconds(1.8e9));
    Receipt receipt;
    receipt.set_report_id(report.report_id());
    receipt.set_report_digest(Sha256Hex(ReportBytes(report)));
    receipt.set_node("140105000000");
    batch.report_bytes.push_back(ReportBytes(report));
    leaves.push_back(MerkleLeafHash(ReceiptSigningBytes(receipt)));
    batch.receipts.push_back(std::move(receipt));
  }
  MerkleTree tree(leaves);
  const std::string root = tree.Root();
  const std::string signature =
      key.Sign(BatchRootSigningBytes(tree.size(), root));
  for (int i = 0; i < n; ++i) {
    batch.proofs.push_back({static_cast<uint64_t>(i), tree.size(),
                            tree.InclusionProof(i), root, signature});
  }
  return batch;
}

// RFC 6962's reference values: the tree of the 8 test leaves of
// certificate-transparency's merkle_tree_test.
TEST(MerkleTreeTest, RootsMatchRfc6962ReferenceValues) {
  std::vector<std::string> leaves;
  for (absl::string_view hex :
       {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b"
        "6c6d6e6f"}) {
    leaves.push_back(MerkleLeafHash(absl::HexStringToBytes(hex)));
  }
  EXPECT_EQ(absl::BytesToHexString(MerkleTree({leaves[0]}).Root()),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(absl::BytesToHexString(MerkleTree(leaves).Root()),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(MerkleTreeTest, EveryLeafOfEveryTreeSizeProvesItsInclusion) {
  for (size_t n = 1; n <= 33; ++n) {
    std::vector<std::string> leaves;
    for (size_t i = 0; i < n; ++i) {
      leaves.push_back(MerkleLeafHash(absl::StrCat("leaf ", i)));
    }
    MerkleTree tree(leaves);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_THAT(
          VerifyInclusion(leaves[i], i, n, tree.InclusionProof(i), tree.Root()),
          IsOk())
          << "leaf " << i << " of " << n;
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion(leaves[i], (i + 1) % n, n,
                                     tree.InclusionProof(i), tree.Root())
                         .ok());
      }
    }
  }
}

TEST(MerkleTreeTest, ReceiptVerifiesOfflineAndAnyTamperedByteFails) {
  TestKey key;
  Batch batch = MakeBatch(key, 5);
  for (size_t i = 0; i < batch.receipts.size(); ++i) {
    ASSERT_THAT(VerifyMerkleReceipt(key.cert_der(), batch.report_bytes[i],
                                    batch.receipts[i], batch.proofs[i]),
                IsOk());
  }
  const size_t i = 3;
  auto fails = [&](const std::string& report, const MerkleReceiptProof& p) {
    return !VerifyMerkleReceipt(key.cert_der(), report, batch.receipts[i], p)
                .ok();
  };
  for (size_t b = 0; b < batch.report_bytes[i].size(); ++b) {
    std::string report = batch.report_bytes[i];
    report[b] ^= 0x01;
    EXPECT_TRUE(fails(report, batch.proofs[i])) << "report byte " << b;
  }
  ASSERT_FALSE(batch.proofs[i].proof.empty());
  for (size_t h = 0; h < batch.proofs[i].proof.size(); ++h) {
    for (size_t b = 0; b < batch.proofs[i].proof[h].size(); ++b) {
      MerkleReceiptProof p = batch.proofs[i];
      p.proof[h][b] ^= 0x01;
      EXPECT_TRUE(fails(batch.report_bytes[i], p))
          << "proof hash " << h << " byte " << b;
    }
  }
  for (size_t b = 0; b < batch.proofs[i].root.size(); ++b) {
    MerkleReceiptProof p = batch.proofs[i];
    p.root[b] ^= 0x01;
    EXPECT_TRUE(fails(batch.report_bytes[i], p)) << "root byte " << b;
  }
  // Another receipt's proof, or a proof signed by another key, fails too.
  EXPECT_TRUE(fails(batch.report_bytes[i], batch.proofs[i - 1]));
  TestKey other;
  EXPECT_FALSE(VerifyMerkleReceipt(other.cert_der(), batch.report_bytes[i],
                                   batch.receipts[i], batch.proofs[i])
                   .ok());
}

}  // namespace
}  // namespace kuaibao
