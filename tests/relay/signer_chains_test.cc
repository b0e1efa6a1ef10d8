// Stored receipts name their signer's certificate chain by digest: the
// digest's framing, Compact and Resolve over a real store, and two engines
// (a county relaying to its city) whose stores hold each chain once while
// everything that leaves them carries whole chains and verifies.
#include "relay/signer_chains.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "relay/hop_chain.h"
#include "relay/receipt_signer.h"
#include "relay/relay_engine.h"
#include "relay/store/keys.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_regions.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_signer.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::testing::HasSubstr;

google::protobuf::RepeatedPtrField<std::string> Certs(
    std::initializer_list<const char*> ders) {
  google::protobuf::RepeatedPtrField<std::string> out;
  for (const char* d : ders) out.Add(d);
  return out;
}

Receipt ReceiptWith(const std::string& report_id,
                    const google::protobuf::RepeatedPtrField<std::string>& c) {
  Receipt r;
  r.set_report_id(report_id);
  r.set_node("140105000000");
  r.set_chain_seq(7);
  *r.mutable_signer_chain() = c;
  return r;
}

// The keys under the signer chain prefix.
std::vector<std::string> ChainKeys(const ReportStore& store) {
  std::vector<std::string> keys;
  EXPECT_THAT(store.Scan(keys::kSignerChains, "",
                         [&](const std::string& k, const std::string&) {
                           keys.push_back(k);
                           return true;
                         }),
              IsOk());
  return keys;
}

int ChainPuts(const StoreBatch& batch) {
  int n = 0;
  for (const auto& [key, value] : batch.ops()) {
    n += absl::StartsWith(key, keys::kSignerChains) ? 1 : 0;
  }
  return n;
}

TEST(SignerChainDigestTest, FramingIsStableAndDistinct) {
  // SHA-256 of "kuaibao-signer-chain-v1\n1:a2:bc": fixed, so that stored
  // digests stay valid across versions.
  EXPECT_EQ(SignerChains::DigestOf(Certs({"a", "bc"})),
            "4c93dcdb78f2f299c2839ea5cab14c75972ee3b8edaeb83a963c56acffbc2139");
  // The same bytes cut differently, in another order, or fewer: another
  // chain.
  EXPECT_NE(SignerChains::DigestOf(Certs({"a", "bc"})),
            SignerChains::DigestOf(Certs({"ab", "c"})));
  EXPECT_NE(SignerChains::DigestOf(Certs({"a", "bc"})),
            SignerChains::DigestOf(Certs({"bc", "a"})));
  EXPECT_NE(SignerChains::DigestOf(Certs({"a", "bc"})),
            SignerChains::DigestOf(Certs({"a"})));
  EXPECT_NE(SignerChains::DigestOf(Certs({"abc"})),
            SignerChains::DigestOf(Certs({"a", "bc"})));
}

class SignerChainsTest : public ::testing::Test {
 protected:
  SignerChainsTest() { store_ = *ReportStore::Open(dir_.path(), {}); }

  void Write(StoreBatch batch) {
    ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  }

  testing::TempDir dir_;
  std::unique_ptr<ReportStore> store_;
};

TEST_F(SignerChainsTest, CompactThenResolveRoundTrip) {
  SignerChains chains(store_.get());
  const Receipt original = ReceiptWith("r-1", Certs({"leaf-der", "ca-der"}));
  Receipt receipt = original;
  StoreBatch batch;
  chains.Compact(&receipt, &batch);
  EXPECT_TRUE(receipt.signer_chain().empty());
  EXPECT_EQ(receipt.signer_chain_digest(),
            SignerChains::DigestOf(original.signer_chain()));
  EXPECT_EQ(ChainPuts(batch), 1);
  Write(std::move(batch));

  ASSERT_THAT(chains.Resolve(&receipt), IsOk());
  EXPECT_EQ(receipt.SerializeAsString(), original.SerializeAsString());
  // From the store alone (a restarted node: nothing in memory).
  Receipt again = original;
  StoreBatch unused;
  chains.Compact(&again, &unused);
  EXPECT_EQ(ChainPuts(unused), 0);  // stored already
  SignerChains fresh(store_.get());
  ASSERT_THAT(fresh.Resolve(&again), IsOk());
  EXPECT_EQ(again.SerializeAsString(), original.SerializeAsString());
}

TEST_F(SignerChainsTest, AChainIsStoredOnceForManyReceipts) {
  SignerChains chains(store_.get());
  const auto county = Certs({"county-der", "ca-der"});
  const auto city = Certs({"city-der", "ca-der"});
  int puts = 0;
  for (int i = 0; i < 50; ++i) {
    StoredReport stored;
    stored.mutable_report()->set_report_id(absl::StrCat("r-", i));
    *stored.add_hops()->mutable_receipt() = ReceiptWith("x", county);
    HopRecord* own = stored.add_hops();
    *own->mutable_receipt() = ReceiptWith("x", city);
    *own->add_forwarded()->mutable_receipt() = ReceiptWith("x", county);
    *stored.add_other_paths()->add_hops()->mutable_receipt() =
        ReceiptWith("x", city);
    StoreBatch batch;
    chains.Compact(&stored, &batch);
    puts += ChainPuts(batch);
    EXPECT_THAT(stored.SerializeAsString(),
                ::testing::Not(HasSubstr("county-der")));
    batch.Put(keys::Report(stored.report().report_id()),
              stored.SerializeAsString());
    Write(std::move(batch));
  }
  // The first write carried both chains (the first once each), no later one.
  EXPECT_EQ(puts, 2);
  EXPECT_THAT(ChainKeys(*store_),
              ::testing::UnorderedElementsAre(
                  keys::SignerChain(SignerChains::DigestOf(county)),
                  keys::SignerChain(SignerChains::DigestOf(city))));
  StoredReport back = *store_->GetReport("r-49");
  ASSERT_THAT(chains.Resolve(&back), IsOk());
  EXPECT_EQ(back.hops(0).receipt().signer_chain(0), "county-der");
  EXPECT_EQ(back.hops(1).forwarded(0).receipt().signer_chain(0), "county-der");
  EXPECT_EQ(back.other_paths(0).hops(0).receipt().signer_chain(0), "city-der");
  EXPECT_TRUE(back.hops(1).receipt().signer_chain_digest().empty());
}

// A write that carried a new chain and failed (or was never made) must not
// leave later receipts naming a chain the store never got.
TEST_F(SignerChainsTest, AChainIsWrittenAgainUntilAWriteLands) {
  SignerChains chains(store_.get());
  Receipt first = ReceiptWith("r-1", Certs({"leaf-der"}));
  StoreBatch lost;
  chains.Compact(&first, &lost);
  ASSERT_EQ(ChainPuts(lost), 1);
  // `lost` is dropped: its write failed.
  Receipt second = ReceiptWith("r-2", Certs({"leaf-der"}));
  StoreBatch batch;
  chains.Compact(&second, &batch);
  EXPECT_EQ(ChainPuts(batch), 1);
  Write(std::move(batch));
  ASSERT_THAT(SignerChains(store_.get()).Resolve(&second), IsOk());
  EXPECT_EQ(second.signer_chain(0), "leaf-der");
}

TEST_F(SignerChainsTest, AnOldFullChainReceiptResolvesAsItself) {
  SignerChains chains(store_.get());
  // A store written before digests: the full chain, no digest; beside it a
  // compacted receipt (a mixed store).
  StoredReport stored;
  *stored.add_hops()->mutable_receipt() =
      ReceiptWith("r-1", Certs({"old-der", "ca-der"}));
  Receipt compacted = ReceiptWith("r-1", Certs({"new-der"}));
  StoreBatch batch;
  chains.Compact(&compacted, &batch);
  Write(std::move(batch));
  *stored.add_hops()->mutable_receipt() = compacted;
  const StoredReport before = stored;

  ASSERT_THAT(SignerChains(store_.get()).Resolve(&stored), IsOk());
  EXPECT_EQ(stored.hops(0).SerializeAsString(),
            before.hops(0).SerializeAsString());
  EXPECT_EQ(stored.hops(1).receipt().signer_chain(0), "new-der");
  // An unsigned receipt (no chain, no digest) too.
  Receipt bare;
  bare.set_report_id("r-2");
  ASSERT_THAT(chains.Resolve(&bare), IsOk());
  EXPECT_TRUE(bare.signer_chain().empty());
}

TEST_F(SignerChainsTest, AnUnknownOrDamagedChainIsAClearError) {
  Receipt receipt = ReceiptWith("r-9", Certs({}));
  const std::string digest = std::string(64, 'a');
  receipt.set_signer_chain_digest(digest);
  absl::Status status = SignerChains(store_.get()).Resolve(&receipt);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(status.message(), HasSubstr("report r-9"));
  EXPECT_THAT(status.message(), HasSubstr("node 140105000000"));
  EXPECT_THAT(status.message(), HasSubstr("signer_chain_digest " + digest));
  EXPECT_THAT(status.message(), HasSubstr("does not hold"));
  EXPECT_EQ(receipt.signer_chain_digest(), digest);  // left as it was

  // A record whose certificates are not the ones its key names.
  v1::SignerChain other;
  other.add_certs("someone-else");
  StoreBatch batch;
  batch.Put(keys::SignerChain(digest), other.SerializeAsString());
  Write(std::move(batch));
  status = SignerChains(store_.get()).Resolve(&receipt);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(status.message(), HasSubstr("damaged"));
}

// A county relaying to its city, both signing: what each stores names every
// chain by digest, once per chain; the receipts they give, the reports they
// send and their timelines carry whole chains that verify.
class RelayedChainsTest : public ::testing::Test {
 protected:
  struct Node {
    testing::TempDir dir;
    std::unique_ptr<ReportStore> store;
    std::unique_ptr<ReceiptSigner> signer;
    std::unique_ptr<RelayEngine> engine;
  };

  RelayedChainsTest() : regions_(testing::SampleRegions()) {
    RelayOptions county;
    county.region = kCounty;
    county.parent = kCity;
    RelayOptions city;
    city.region = kCity;
    city.parent = kProvince;
    Open(county, &county_);
    Open(city, &city_);
  }

  void Open(const RelayOptions& options, Node* node) {
    node->store = *ReportStore::Open(node->dir.path(), {});
    node->signer = testing::MakeTestSigner();
    node->engine =
        *RelayEngine::Open(options, node->store.get(), &regions_, &clock_);
    node->engine->SetReceiptSigner(node->signer.get());
  }

  static absl::StatusOr<Receipt> Await(
      const std::function<void(RelayEngine::ReceiptCallback)>& call) {
    absl::Notification done;
    absl::StatusOr<Receipt> result;
    call([&](absl::StatusOr<Receipt> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  // Submits `id` at the county and relays it to the city, recording the
  // city's receipt at the county. Returns the client's receipt.
  Receipt SubmitAndRelay(const std::string& id) {
    submitted_[id] = testing::SampleReport(id, kTownship, clock_.TimeNow());
    absl::StatusOr<Receipt> receipt = Await([&](auto done) {
      county_.engine->Submit(client_, submitted_[id], done);
    });
    EXPECT_THAT(receipt, IsOk());
    absl::StatusOr<std::vector<OutboundReport>> out =
        county_.engine->NextOutbound(kCity, 10, {});
    EXPECT_THAT(out, IsOk());
    if (!out.ok() || out->size() != 1) {
      ADD_FAILURE() << "nothing to send for " << id;
      return Receipt();
    }
    OutboundReport& sent = out->front();
    // What travels up carries whole chains.
    EXPECT_FALSE(sent.payload.hops(0).receipt().signer_chain().empty());
    EXPECT_TRUE(sent.payload.hops(0).receipt().signer_chain_digest().empty());
    absl::StatusOr<Receipt> city_receipt = Await([&](auto done) {
      city_.engine->Accept(county_node_, sent.payload, done);
    });
    EXPECT_THAT(city_receipt, IsOk());
    absl::Notification recorded;
    county_.engine->RecordReceipt(kCity, sent.entry, *city_receipt,
                                  clock_.TimeNow(), 1, [&](absl::Status s) {
                                    EXPECT_THAT(s, IsOk());
                                    recorded.Notify();
                                  });
    recorded.WaitForNotification();
    clock_.Advance(absl::Seconds(1));
    return receipt.ok() ? *receipt : Receipt();
  }

  // Every receipt stored under r/ and f/ at `node`: none carries a chain.
  static int StoredReceipts(const ReportStore& store) {
    int n = 0;
    auto check = [&](const Receipt& r) {
      EXPECT_TRUE(r.signer_chain().empty()) << r.report_id();
      EXPECT_EQ(r.signer_chain_digest().size(), 64u) << r.report_id();
      ++n;
    };
    EXPECT_THAT(store.Scan(keys::kReports, "",
                           [&](const std::string&, const std::string& v) {
                             StoredReport s;
                             EXPECT_TRUE(s.ParseFromString(v));
                             for (const HopRecord& h : s.hops()) {
                               check(h.receipt());
                             }
                             return true;
                           }),
                IsOk());
    EXPECT_THAT(store.Scan(keys::kForwardings, "",
                           [&](const std::string&, const std::string& v) {
                             Forwarding f;
                             EXPECT_TRUE(f.ParseFromString(v));
                             if (f.has_receipt()) check(f.receipt());
                             return true;
                           }),
                IsOk());
    return n;
  }

  static constexpr char kTownship[] = "140105001000";
  static constexpr char kCounty[] = "140105000000";
  static constexpr char kCity[] = "140100000000";
  static constexpr char kProvince[] = "140000000000";
  const Identity client_ =
      *ParseIdentity("spiffe://kuaibao/client/140105001000/duty-1");
  const Identity county_node_ =
      *ParseIdentity("spiffe://kuaibao/node/140105000000");
  testing::FakeClock clock_;
  RegionTable regions_;
  Node county_;
  Node city_;
  std::map<std::string, IncidentReport> submitted_;
};

TEST_F(RelayedChainsTest, StoredOnceSentWholeAndVerified) {
  for (int i = 0; i < 5; ++i) {
    Receipt given = SubmitAndRelay(absl::StrCat("relayed-", i));
    EXPECT_FALSE(given.signer_chain().empty());
    EXPECT_THAT(VerifyReceiptSignature(given), IsOk());
  }
  // County: 5 own receipts, 5 of the city's in forwarding records; city: 5
  // reports of 2 hops. Two chains, each stored once, at each node.
  EXPECT_EQ(StoredReceipts(*county_.store), 10);
  EXPECT_EQ(StoredReceipts(*city_.store), 10);
  EXPECT_EQ(ChainKeys(*county_.store).size(), 2u);
  EXPECT_EQ(ChainKeys(*city_.store).size(), 2u);

  // Timelines (queries, evidence) carry whole chains that verify.
  int forwarding_receipts = 0;
  for (Node* node : {&county_, &city_}) {
    absl::StatusOr<StoredReport> timeline = node->engine->Timeline("relayed-3");
    ASSERT_THAT(timeline, IsOk());
    for (const HopRecord& h : timeline->hops()) {
      EXPECT_THAT(VerifyReceiptSignature(h.receipt()), IsOk());
      for (const Forwarding& f : h.forwarded()) {
        // The copy that travelled up names its hand-off, not yet received.
        if (!f.has_receipt()) continue;
        EXPECT_THAT(VerifyReceiptSignature(f.receipt()), IsOk());
        ++forwarding_receipts;
      }
    }
    absl::StatusOr<std::vector<StoredReport>> listed =
        node->engine->ListReports("", 10, nullptr);
    ASSERT_THAT(listed, IsOk());
    for (const StoredReport& r : *listed) {
      EXPECT_FALSE(r.hops(0).receipt().signer_chain().empty());
    }
  }
  EXPECT_EQ(forwarding_receipts, 1);  // the city's, at the county
  // A resend is acknowledged from what is stored, with the whole chain.
  absl::StatusOr<Receipt> again = Await([&](auto done) {
    county_.engine->Submit(client_, submitted_["relayed-1"], done);
  });
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->duplicate());
  EXPECT_THAT(VerifyReceiptSignature(*again), IsOk());
}

// The hop chain check reads stored receipts: a compacted one is checked
// (its chain put back), not skipped as unsigned.
TEST_F(RelayedChainsTest, TheHopChainCheckVerifiesCompactedReceipts) {
  for (int i = 0; i < 3; ++i) SubmitAndRelay(absl::StrCat("relayed-", i));
  absl::StatusOr<HopChain::Check> check = HopChain::Verify(*city_.store);
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_EQ(check->links, 3u);

  // The city's own receipt of relayed-1 with a forged root signature.
  StoredReport stored = *city_.store->GetReport("relayed-1");
  Receipt* own = stored.mutable_hops(1)->mutable_receipt();
  ASSERT_FALSE(own->signer_chain_digest().empty());
  (*own->mutable_batch()->mutable_root_signature())[8] ^= 0x01;
  StoreBatch batch;
  batch.Put(keys::Report("relayed-1"), stored.SerializeAsString());
  ASSERT_THAT(city_.store->CommitAndWait(std::move(batch)), IsOk());
  check = HopChain::Verify(*city_.store);
  ASSERT_THAT(check, IsOk());
  EXPECT_FALSE(check->ok);
  EXPECT_THAT(check->problem, HasSubstr("relayed-1 does not verify"));
}

}  // namespace
}  // namespace kuaibao
