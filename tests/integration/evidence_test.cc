// Evidence: signed receipts and hop chains from real nodes over mTLS,
// exported (Evidence.Export) and checked offline (VerifyEvidence); tampered
// copies must fail, naming the hop and the reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "relay/base/files.h"
#include "relay/evidence_encoding.h"
#include "relay/evidence_verifier.h"
#include "relay/hop_chain.h"
#include "relay/receipt_signer.h"
#include "relay/signer_chains.h"
#include "relay/store/keys.h"
#include "relay/store/report_store.h"
#include "tests/integration/test_chain.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

using ::testing::HasSubstr;

class EvidenceTest : public ::testing::Test {
 protected:
  EvidenceTest() : chain_(dir_.path()) {}

  void SetUp() override {
    absl::StatusOr<std::string> ca =
        ReadFileToString(absl::StrCat(kPki, "/ca.pem"), "CA");
    ASSERT_THAT(ca, IsOk());
    ca_ = *ca;
    NodeProcess* parent = chain_.province.get();
    ASSERT_THAT(parent->Start(), IsOk());
    // Grade I/II reports go from the township to the province directly as
    // well: a second path.
    chain_.township->SetExtraConfig(absl::StrCat("ancestors { region: \"",
                                                 kProvince, "\" address: \"",
                                                 parent->address(), "\" }\n"));
    for (NodeProcess* node :
         {chain_.city.get(), chain_.county.get(), chain_.township.get()}) {
      node->SetParent(parent->region(), parent->port());
      ASSERT_THAT(node->Start(), IsOk());
      parent = node;
    }
  }

  // Submits `report` at the township and waits until the province holds it
  // with `paths` paths and the township has its hand-offs acknowledged.
  void SubmitAndWait(const IncidentReport& report, int paths) {
    SubmitOutcome outcome = chain_.AtTownship().Submit({report});
    ASSERT_THAT(outcome.status, IsOk());
    ASSERT_EQ(outcome.receipts(), 1);
    const v1::SubmitResponse* answer = outcome.For(report.report_id());
    ASSERT_NE(answer, nullptr);
    // The client's receipt is signed by the township: its batch's root.
    EXPECT_TRUE(answer->receipt().has_batch());
    EXPECT_THAT(VerifyReceiptSignature(answer->receipt()), IsOk());
    EXPECT_EQ(answer->receipt().sender(),
              "spiffe://kuaibao/client/140105001000/duty-1");
    absl::Time give_up = absl::Now() + kPatience;
    while (absl::Now() < give_up) {
      absl::StatusOr<v1::GetReportResponse> top =
          chain_.AtProvince().Get(report.report_id());
      absl::StatusOr<v1::GetReportResponse> low =
          chain_.AtTownship().Get(report.report_id());
      bool acked = low.ok();
      if (low.ok()) {
        for (const Forwarding& f : low->report().hops(0).forwarded()) {
          acked = acked && f.has_receipt();
        }
      }
      if (top.ok() && top->report().other_paths_size() + 1 == paths && acked) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << report.report_id() << " did not arrive by " << paths
           << " paths in time";
  }

  EvidenceBundle Export(const std::string& cert, NodeProcess* node,
                        const std::string& id) {
    absl::StatusOr<EvidenceBundle> bundle =
        TestClient(kPki, cert, node->address()).ExportEvidence(id);
    EXPECT_THAT(bundle, IsOk());
    return bundle.ok() ? *bundle : EvidenceBundle();
  }

  EvidenceVerdict Verify(const EvidenceBundle& bundle) {
    absl::StatusOr<EvidenceVerdict> verdict = VerifyEvidence(bundle, ca_);
    EXPECT_THAT(verdict, IsOk());
    return verdict.ok() ? *verdict : EvidenceVerdict();
  }

  // Every failure of `verdict`, as "label (node): problem" lines.
  static std::string Failures(const EvidenceVerdict& verdict) {
    std::vector<std::string> lines(verdict.problems().begin(),
                                   verdict.problems().end());
    for (const HopVerdict& h : verdict.hops()) {
      for (const std::string& p : h.problems()) {
        lines.push_back(absl::StrCat(h.label(), " (", h.node(), "): ", p));
      }
    }
    return absl::StrJoin(lines, "\n");
  }

  static std::unique_ptr<ReceiptSigner> SignerOf(const std::string& pki,
                                                 const std::string& name) {
    absl::StatusOr<std::unique_ptr<ReceiptSigner>> signer =
        ReceiptSigner::Load(absl::StrCat(pki, "/", name, ".pem"),
                            absl::StrCat(pki, "/", name, ".key"));
    EXPECT_THAT(signer, IsOk());
    return signer.ok() ? *std::move(signer) : nullptr;
  }

  TempDir dir_;
  Chain chain_;
  std::string ca_;
};

TEST_F(EvidenceTest, ExportsFromEveryLevelVerifyOffline) {
  IncidentReport urgent =
      SampleReport("evidence-urgent", kTownship, absl::Now());
  urgent.set_grade(GRADE_II);
  ASSERT_NO_FATAL_FAILURE(SubmitAndWait(urgent, 2));

  // At the province: four hops level by level, two on the direct path,
  // whichever arrived first.
  EvidenceBundle top = Export("auditor-140000000000-inspector-1",
                              chain_.province.get(), "evidence-urgent");
  ASSERT_EQ(top.timeline().other_paths_size(), 1);
  const bool direct_first = top.timeline().hops_size() == 2;
  const auto& level_by_level = direct_first
                                   ? top.timeline().other_paths(0).hops()
                                   : top.timeline().hops();
  const auto& direct = direct_first ? top.timeline().hops()
                                    : top.timeline().other_paths(0).hops();
  ASSERT_EQ(level_by_level.size(), 4);
  ASSERT_EQ(direct.size(), 2);
  EvidenceVerdict verdict = Verify(top);
  EXPECT_TRUE(verdict.ok()) << Failures(verdict);
  EXPECT_EQ(verdict.hops_size(), 6);
  for (const HopVerdict& h : verdict.hops()) {
    EXPECT_EQ(h.signer(), absl::StrCat("spiffe://kuaibao/node/", h.node()));
  }
  // Each node's receipt, as its sender holds it, is the one in its hop.
  EvidenceBundle low =
      Export(kDutyOfficer, chain_.township.get(), "evidence-urgent");
  verdict = Verify(low);
  EXPECT_TRUE(verdict.ok()) << Failures(verdict);
  ASSERT_EQ(verdict.hops_size(), 3);  // its hop, two hand-offs
  std::vector<std::string> labels;
  for (const HopVerdict& h : verdict.hops()) labels.push_back(h.label());
  EXPECT_THAT(labels, ::testing::UnorderedElementsAre(
                          "hop 1", absl::StrCat("hand-off to ", kCounty),
                          absl::StrCat("hand-off to ", kProvince)));
  for (const Forwarding& f : low.timeline().hops(0).forwarded()) {
    EXPECT_EQ(f.receipt().batch().SerializeAsString(),
              (f.to() == kCounty ? level_by_level : direct)[1]
                  .receipt()
                  .batch()
                  .SerializeAsString())
        << f.to();
  }

  // An auditor reads its own subtree only.
  EXPECT_EQ(Export("auditor-140105000000-inspector-1", chain_.province.get(),
                   "evidence-urgent")
                .report_bytes(),
            top.report_bytes());
  EXPECT_THAT(TestClient(kPki, "auditor-140106000000-inspector-1",
                         chain_.province->address())
                  .ExportEvidence("evidence-urgent"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(EvidenceTest, TamperedEvidenceFailsNamingTheHop) {
  ASSERT_NO_FATAL_FAILURE(SubmitAndWait(
      SampleReport("evidence-routine", kTownship, absl::Now()), 1));
  const EvidenceBundle good = Export("auditor-140000000000-inspector-1",
                                     chain_.province.get(), "evidence-routine");
  ASSERT_TRUE(Verify(good).ok()) << Failures(Verify(good));

  {  // An altered hop record, edited in the JSON file: the county's
     // received_at ten minutes earlier.
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    std::string json;
    ASSERT_TRUE(
        google::protobuf::util::MessageToJsonString(good, &json, options).ok());
    const google::protobuf::Timestamp& at =
        good.timeline().hops(1).received_at();
    EvidenceBundle earlier = good;
    *earlier.mutable_timeline()->mutable_hops(1)->mutable_received_at() =
        ToProto(FromProto(at) - absl::Minutes(10));
    std::string before, after;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(
                    good.timeline().hops(1).received_at(), &before)
                    .ok());
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(
                    earlier.timeline().hops(1).received_at(), &after)
                    .ok());
    // The hop's own received_at is the first occurrence of the time.
    size_t hop1 = json.find("\"node\":\"140105000000\"");
    ASSERT_NE(hop1, std::string::npos);
    size_t pos = json.find(before, hop1);
    ASSERT_NE(pos, std::string::npos);
    json.replace(pos, before.size(), after);
    EvidenceBundle edited;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(json, &edited).ok());
    EvidenceVerdict verdict = Verify(edited);
    EXPECT_FALSE(verdict.ok());
    EXPECT_FALSE(verdict.hops(1).ok());
    EXPECT_THAT(Failures(verdict),
                HasSubstr("hop 2 (140105000000): the hop record differs from "
                          "its signed receipt in received_at"));
    EXPECT_THAT(Failures(verdict),
                HasSubstr("hop 2 (140105000000): the hop record does not hash "
                          "to its chain link"));
    EXPECT_TRUE(verdict.hops(0).ok() && verdict.hops(2).ok());
  }
  {  // A receipt with a changed report digest.
    EvidenceBundle forged = good;
    forged.mutable_timeline()
        ->mutable_hops(2)
        ->mutable_receipt()
        ->set_report_digest(std::string(64, 'a'));
    EXPECT_THAT(Failures(Verify(forged)),
                HasSubstr("hop 3 (140100000000): the report digest in the "
                          "receipt is not the report's"));
    EXPECT_THAT(Failures(Verify(forged)),
                HasSubstr("hop 3 (140100000000): receipt signature does not "
                          "verify"));
  }
  {  // The county's receipt re-signed with the city's key: with the county's
     // certificate it does not verify; with the city's it is not the
     // county's.
    std::unique_ptr<ReceiptSigner> city = SignerOf(kPki, "node-140100000000");
    ASSERT_NE(city, nullptr);
    EvidenceBundle forged = good;
    Receipt* receipt =
        forged.mutable_timeline()->mutable_hops(1)->mutable_receipt();
    ASSERT_THAT(city->Sign(receipt), IsOk());
    EXPECT_THAT(Failures(Verify(forged)),
                HasSubstr("hop 2 (140105000000): the receipt's node "
                          "140105000000 is not the signer's certificate "
                          "(spiffe://kuaibao/node/140100000000)"));
    *receipt->mutable_signer_chain() =
        good.timeline().hops(1).receipt().signer_chain();
    EXPECT_THAT(
        Failures(Verify(forged)),
        HasSubstr("hop 2 (140105000000): receipt signature does not verify"));
  }
  {  // Signed with a key from outside the province's PKI.
    std::unique_ptr<ReceiptSigner> foreign =
        SignerOf(KUAIBAO_TEST_PKI_DIR "/foreign", kDutyOfficer);
    ASSERT_NE(foreign, nullptr);
    EvidenceBundle forged = good;
    ASSERT_THAT(
        foreign->Sign(
            forged.mutable_timeline()->mutable_hops(1)->mutable_receipt()),
        IsOk());
    EXPECT_THAT(Failures(Verify(forged)),
                HasSubstr("hop 2 (140105000000): signer certificate does not "
                          "chain to the CA"));
  }
  {  // A hop record removed from the path.
    EvidenceBundle removed = good;
    removed.mutable_timeline()->mutable_hops()->DeleteSubrange(1, 1);
    EXPECT_THAT(Failures(Verify(removed)),
                HasSubstr("hop 2 (140100000000): received from "
                          "spiffe://kuaibao/node/140105000000 but the hop "
                          "before is spiffe://kuaibao/node/140105001000: a "
                          "hop record is missing or altered"));
  }
  {  // The report changed, in its readable copy or in the signed bytes.
    EvidenceBundle changed = good;
    changed.mutable_timeline()->mutable_report()->set_headline("nothing");
    EXPECT_THAT(Failures(Verify(changed)),
                HasSubstr("the report shown differs from the report bytes"));
    changed.set_report_bytes(ReportBytes(changed.timeline().report()));
    EXPECT_THAT(Failures(Verify(changed)),
                HasSubstr("hop 1 (140105001000): the report digest in the "
                          "receipt is not the report's"));
  }
}

// A burst stored in shared synced writes: each write's receipts are signed
// once (one root signature per batch), and every receipt, given to the
// client and exported from the province, proves itself alone.
TEST_F(EvidenceTest, ABurstIsSignedOncePerSyncedBatchAndEachReceiptVerifies) {
  std::vector<IncidentReport> reports;
  for (int i = 0; i < 200; ++i) {
    reports.push_back(
        SampleReport(absl::StrCat("burst-", i), kTownship, absl::Now()));
  }
  SubmitOutcome outcome = chain_.AtTownship().Submit(reports);
  ASSERT_THAT(outcome.status, IsOk());
  ASSERT_EQ(outcome.receipts(), 200);
  absl::flat_hash_set<std::string> roots;
  uint64_t largest = 0;
  for (const v1::SubmitResponse& answer : outcome.responses) {
    const Receipt& r = answer.receipt();
    EXPECT_THAT(VerifyReceiptSignature(r), IsOk()) << r.report_id();
    EXPECT_TRUE(r.signature().empty());
    roots.insert(r.batch().root());
    largest = std::max(largest, r.batch().tree_size());
  }
  // Fewer signatures than reports: some writes carried several.
  EXPECT_GT(largest, 1u);
  EXPECT_LT(roots.size(), reports.size());
  ASSERT_EQ(chain_.AtProvince().WaitForCount(200, kPatience).size(), 200u);
  for (int i : {0, 57, 199}) {
    const std::string id = absl::StrCat("burst-", i);
    EvidenceBundle bundle =
        Export("auditor-140000000000-inspector-1", chain_.province.get(), id);
    EvidenceVerdict verdict = Verify(bundle);
    EXPECT_TRUE(verdict.ok()) << id << "\n" << Failures(verdict);
    EXPECT_EQ(verdict.hops_size(), 4);
    // One byte of one hop's proof changed: that hop fails, alone.
    for (int h = 0; h < 4; ++h) {
      EvidenceBundle tampered = bundle;
      BatchInclusion* proof = tampered.mutable_timeline()
                                  ->mutable_hops(h)
                                  ->mutable_receipt()
                                  ->mutable_batch();
      (*proof->mutable_root())[h] ^= 0x20;
      EvidenceVerdict bad = Verify(tampered);
      EXPECT_FALSE(bad.ok());
      for (int o = 0; o < 4; ++o) EXPECT_EQ(bad.hops(o).ok(), o != h) << o;
    }
  }
}

// Receipts of stores written before batch signing carry one signature each;
// an evidence file holding such a receipt (re-signed here by the county's
// own key, as the county signed before) still verifies.
TEST_F(EvidenceTest, AnOldFormatReceiptStillVerifies) {
  ASSERT_NO_FATAL_FAILURE(
      SubmitAndWait(SampleReport("evidence-old", kTownship, absl::Now()), 1));
  EvidenceBundle bundle = Export("auditor-140000000000-inspector-1",
                                 chain_.province.get(), "evidence-old");
  std::unique_ptr<ReceiptSigner> county = SignerOf(kPki, "node-140105000000");
  ASSERT_NE(county, nullptr);
  Receipt* receipt =
      bundle.mutable_timeline()->mutable_hops(1)->mutable_receipt();
  ASSERT_TRUE(receipt->has_batch());
  ASSERT_THAT(county->Sign(receipt), IsOk());
  ASSERT_FALSE(receipt->has_batch());
  EvidenceVerdict verdict = Verify(bundle);
  EXPECT_TRUE(verdict.ok()) << Failures(verdict);
  (*receipt->mutable_signature())[10] ^= 0x01;
  EXPECT_THAT(
      Failures(Verify(bundle)),
      HasSubstr("hop 2 (140105000000): receipt signature does not verify"));
}

// Each node stores every signer's certificate chain once, and its stored
// receipts name it by digest; the evidence it exports (what `kuaibao audit
// verify` reads) carries whole chains and verifies offline.
TEST_F(EvidenceTest, StoredReceiptsNameEachChainOnceAndExportsCarryIt) {
  for (int i = 0; i < 3; ++i) {
    IncidentReport urgent =
        SampleReport(absl::StrCat("chains-", i), kTownship, absl::Now());
    urgent.set_grade(GRADE_II);  // two paths to the province
    ASSERT_NO_FATAL_FAILURE(SubmitAndWait(urgent, 2));
  }
  for (int i = 0; i < 3; ++i) {
    EvidenceBundle top =
        Export("auditor-140000000000-inspector-1", chain_.province.get(),
               absl::StrCat("chains-", i));
    EvidenceVerdict verdict = Verify(top);
    EXPECT_TRUE(verdict.ok()) << Failures(verdict);
    EXPECT_EQ(verdict.hops_size(), 6);
    std::vector<const HopRecord*> hops;
    for (const HopRecord& h : top.timeline().hops()) hops.push_back(&h);
    for (const HopRecord& h : top.timeline().other_paths(0).hops()) {
      hops.push_back(&h);
    }
    for (const HopRecord* h : hops) {
      EXPECT_FALSE(h->receipt().signer_chain().empty()) << h->node();
      EXPECT_TRUE(h->receipt().signer_chain_digest().empty()) << h->node();
    }
  }

  // What the stores hold: every receipt (hops of every path, forwarding
  // records) names its chain by digest; each chain is stored once.
  auto stored = [](NodeProcess* node, int* receipts) {
    std::set<std::string> named;
    std::set<std::string> held;
    EXPECT_EQ(node->Stop(), 0);
    absl::StatusOr<std::unique_ptr<ReportStore>> store =
        ReportStore::Open(node->data_dir(), {});
    EXPECT_THAT(store, IsOk());
    if (!store.ok()) return std::make_pair(named, held);
    auto note = [&](const Receipt& r) {
      if (!r.has_batch()) return;
      EXPECT_TRUE(r.signer_chain().empty()) << r.report_id();
      named.insert(r.signer_chain_digest());
      ++*receipts;
    };
    auto hops = [&](const auto& path) {
      for (const HopRecord& h : path) note(h.receipt());
    };
    EXPECT_THAT((*store)->Scan(keys::kReports, "",
                               [&](const std::string&, const std::string& v) {
                                 StoredReport s;
                                 EXPECT_TRUE(s.ParseFromString(v));
                                 hops(s.hops());
                                 for (const Path& p : s.other_paths()) {
                                   hops(p.hops());
                                 }
                                 return true;
                               }),
                IsOk());
    EXPECT_THAT((*store)->Scan(keys::kForwardings, "",
                               [&](const std::string&, const std::string& v) {
                                 Forwarding f;
                                 EXPECT_TRUE(f.ParseFromString(v));
                                 note(f.receipt());
                                 return true;
                               }),
                IsOk());
    EXPECT_THAT(
        (*store)->Scan(
            keys::kSignerChains, "",
            [&](const std::string& k, const std::string& v) {
              v1::SignerChain chain;
              EXPECT_TRUE(chain.ParseFromString(v));
              EXPECT_EQ(
                  k, keys::SignerChain(SignerChains::DigestOf(chain.certs())));
              held.insert(k.substr(std::string(keys::kSignerChains).size()));
              return true;
            }),
        IsOk());
    return std::make_pair(named, held);
  };
  // The province: 3 reports x 6 hops, signed by 4 nodes.
  int receipts = 0;
  auto [named, held] = stored(chain_.province.get(), &receipts);
  EXPECT_EQ(receipts, 18);
  EXPECT_EQ(named.size(), 4u);
  EXPECT_EQ(named, held);
  // The township: its own 3 receipts and the 6 of its two upstreams.
  receipts = 0;
  std::tie(named, held) = stored(chain_.township.get(), &receipts);
  EXPECT_EQ(receipts, 9);
  EXPECT_EQ(named.size(), 3u);
  EXPECT_EQ(named, held);

  // The hop chain check puts the chains back and verifies every receipt.
  absl::StatusOr<std::string> out = chain_.province->Run({"--verify_chain"});
  ASSERT_THAT(out, IsOk());
  EXPECT_THAT(*out, HasSubstr("6 links, intact"));
}

TEST_F(EvidenceTest, VerifyChainFindsARemovedRecord) {
  std::vector<IncidentReport> reports;
  for (int i = 0; i < 3; ++i) {
    reports.push_back(
        SampleReport(absl::StrCat("chain-", i), kTownship, absl::Now()));
  }
  ASSERT_EQ(chain_.AtTownship().Submit(reports).receipts(), 3);
  ASSERT_EQ(chain_.AtProvince().WaitForCount(3, kPatience).size(), 3u);
  NodeProcess* county = chain_.county.get();
  ASSERT_EQ(county->Stop(), 0);
  absl::StatusOr<std::string> out = county->Run({"--verify_chain"});
  ASSERT_THAT(out, IsOk());
  EXPECT_THAT(*out, HasSubstr("hop chain of 140105000000: 3 links, intact"));

  {  // Remove the second record: the report and its link.
    absl::StatusOr<std::unique_ptr<ReportStore>> store =
        ReportStore::Open(county->data_dir(), {});
    ASSERT_THAT(store, IsOk());
    absl::StatusOr<std::string> link = (*store)->Get(HopChain::LinkKey(2));
    ASSERT_THAT(link, IsOk());
    ChainLink second;
    ASSERT_TRUE(second.ParseFromString(*link));
    StoreBatch batch;
    batch.Delete(HopChain::LinkKey(2));
    batch.Delete(ReportStore::ReportKey(second.report_id()));
    ASSERT_THAT((*store)->CommitAndWait(std::move(batch)), IsOk());
  }
  // Exit code non-zero: Run answers an error with the output.
  out = county->Run({"--verify_chain"});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(),
              HasSubstr("BROKEN at link 2: link 2 is missing (the chain "
                        "goes from 1 to 3)"));
}

}  // namespace
}  // namespace kuaibao::testing
