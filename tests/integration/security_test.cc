// Security integration tests: real kuaibao-node processes on 127.0.0.1 over
// real mTLS, with the test PKI of make-test-pki.sh (root, issuing CAs, CRLs,
// a revoked and an expired certificate, another CA). Every refusal is shown
// with the node still serving everyone else.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/handshake_probe.h"
#include "relay/base/files.h"
#include "relay/certificates.h"
#include "relay/transport/status_conversion.h"
#include "relay/transport/tls_credentials.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_client.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCity[] = "140100000000";
constexpr char kCounty[] = "140105000000";
constexpr char kTownship[] = "140105001000";
constexpr char kOtherCounty[] = "140106000000";
constexpr char kOtherTownship[] = "140106001000";
constexpr char kPkiRoot[] = KUAIBAO_TEST_PKI_DIR;
constexpr char kPki[] = KUAIBAO_TEST_PKI_DIR "/main";
constexpr char kForeignPki[] = KUAIBAO_TEST_PKI_DIR "/foreign";
constexpr char kDutyOfficer[] = "client-140105001000-duty-1";
constexpr char kOtherOfficer[] = "client-140106001000-duty-1";
constexpr char kCountyAuditor[] = "auditor-140105000000-inspector-1";
constexpr absl::Duration kPatience = absl::Seconds(60);

int Code(absl::StatusCode code) { return static_cast<int>(code); }

IncidentReport Report(const std::string& id,
                      const std::string& region = kTownship) {
  return SampleReport(id, region, absl::Now());
}

// A township → county → city chain, each node checking CRLs.
class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    city_ = Node(kCity);
    ASSERT_THAT(city_->Start(), IsOk());
    county_ = Node(kCounty);
    county_->SetParent(kCity, city_->port());
  }

  // Starts the county (configured by the test first) and the township below.
  void StartCountyAndTownship() {
    ASSERT_THAT(county_->Start(), IsOk());
    township_ = Node(kTownship);
    township_->SetParent(kCounty, county_->port());
    ASSERT_THAT(township_->Start(), IsOk());
  }

  std::unique_ptr<NodeProcess> Node(const std::string& region,
                                    const std::string& pki = kPki) {
    return std::make_unique<NodeProcess>(dir_.Sub(region), region, pki);
  }

  // The duty officer of the township submits one report at `node` and it is
  // acknowledged: the node is serving.
  void ExpectServing(const NodeProcess& node, const std::string& id) {
    SubmitOutcome fine =
        TestClient(kPki, kDutyOfficer, node.address()).Submit({Report(id)});
    EXPECT_THAT(fine.status, IsOk());
    EXPECT_EQ(fine.receipts(), 1) << node.LogTail();
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> city_, county_, township_;
};

TEST_F(SecurityTest, HandshakeRefusesForeignRevokedExpiredAndMissingCerts) {
  ASSERT_THAT(county_->Start(), IsOk());
  const std::string at = county_->address();
  // Another PKI's certificate, from a client that trusts ours: so it is the
  // node that must refuse, not the client that gives up.
  const std::string foreign = dir_.Sub("foreign-client");
  std::filesystem::create_directories(foreign);
  for (const std::string& file : {std::string(kDutyOfficer) + ".pem",
                                  std::string(kDutyOfficer) + ".key"}) {
    std::filesystem::copy_file(absl::StrCat(kForeignPki, "/", file),
                               absl::StrCat(foreign, "/", file));
  }
  std::filesystem::copy_file(absl::StrCat(kPki, "/ca.pem"),
                             absl::StrCat(foreign, "/ca.pem"));
  struct Case {
    const char* what;
    TestClient client;
  };
  Case cases[] = {
      {"another CA's certificate", TestClient(foreign, kDutyOfficer, at)},
      {"a revoked certificate",
       TestClient(kPki, "client-140105001000-revoked", at)},
      {"an expired certificate",
       TestClient(kPki, "client-140105001000-expired", at)},
      {"no certificate", TestClient::WithoutCertificate(kPki, at)},
  };
  for (Case& c : cases) {
    SubmitOutcome outcome = c.client.Submit({Report("refused-1")});
    // Refused in the TLS handshake: no call ever reaches the node.
    EXPECT_THAT(outcome.status, StatusIs(absl::StatusCode::kUnavailable))
        << c.what;
    EXPECT_EQ(outcome.responses.size(), 0u) << c.what;
  }
  EXPECT_THAT(TestClient(kPki, kDutyOfficer, at).Get("refused-1"),
              StatusIs(absl::StatusCode::kNotFound));
  // What kuaibao says instead of a bare UNAVAILABLE: the handshake probe
  // tells a refused certificate from a node that is down.
  struct Probe {
    const char* what;
    std::string dir, name;
    HandshakeVerdict::Kind expected;
  };
  const Probe probes[] = {
      {"another CA's certificate", foreign, kDutyOfficer,
       HandshakeVerdict::kRefused},
      {"a revoked certificate", kPki, "client-140105001000-revoked",
       HandshakeVerdict::kRefused},
      {"an expired certificate", kPki, "client-140105001000-expired",
       HandshakeVerdict::kRefused},
      {"a good certificate", kPki, kDutyOfficer, HandshakeVerdict::kAccepted},
  };
  for (const Probe& p : probes) {
    HandshakeVerdict verdict =
        ProbeHandshake(at, absl::StrCat(p.dir, "/", p.name, ".pem"),
                       absl::StrCat(p.dir, "/", p.name, ".key"), kPatience);
    EXPECT_EQ(verdict.kind, p.expected) << p.what << ": " << verdict.detail;
    if (p.expected == HandshakeVerdict::kRefused) {
      EXPECT_THAT(HandshakeHint(verdict, at),
                  HasSubstr("refused your certificate"))
          << p.what;
    }
  }
  ExpectServing(*county_, "after-handshakes");
  // The node logs each refusal, as a JSON line like the rest: unknown
  // issuer (20), revoked (23), expired (10), no certificate.
  std::string log = county_->Log();
  for (const char* why :
       {"verify failed with code 20", "verify failed with code 23",
        "verify failed with code 10", "peer did not return a certificate"}) {
    EXPECT_THAT(log, HasSubstr(why));
  }
}

// What the node would refuse in the handshake (where the client only sees
// UNAVAILABLE), the client finds in its own files before connecting
// (kuaibao calls this for every command), and says which file is wrong.
TEST_F(SecurityTest, ClientFindsWhatIsWrongWithItsOwnCertificate) {
  auto read = [](const std::string& dir, const std::string& file) {
    return *ReadFileToString(absl::StrCat(dir, "/", file), file);
  };
  const std::string ca = read(kPki, "ca.pem");
  const std::string cert = read(kPki, absl::StrCat(kDutyOfficer, ".pem"));
  const std::string key = read(kPki, absl::StrCat(kDutyOfficer, ".key"));
  const absl::Time now = absl::Now();
  EXPECT_THAT(CheckOwnCertificate(cert, key, ca, now), IsOk());
  struct Case {
    const char* what;
    absl::Status status;
    const char* says;
  };
  const std::string expired = "client-140105001000-expired";
  const std::string revoked = "client-140105001000-revoked";
  Case cases[] = {
      {"expired",
       CheckOwnCertificate(read(kPki, expired + ".pem"),
                           read(kPki, expired + ".key"), ca, now),
       "certificate: expired on "},
      {"not yet valid",
       CheckOwnCertificate(cert, key, ca, absl::FromUnixSeconds(946684800)),
       "certificate: not valid before "},
      {"another CA's",
       CheckOwnCertificate(
           read(kForeignPki, absl::StrCat(kDutyOfficer, ".pem")),
           read(kForeignPki, absl::StrCat(kDutyOfficer, ".key")), ca, now),
       "certificate: not issued by the configured CA"},
      {"another pair's key",
       CheckOwnCertificate(cert, read(kPki, revoked + ".key"), ca, now),
       "key: does not belong to the certificate"},
      {"no key", CheckOwnCertificate(cert, "", ca, now), "key: "},
      {"no certificate", CheckOwnCertificate("", key, ca, now),
       "certificate: the file holds no PEM certificate"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(c.status, StatusIs(absl::StatusCode::kInvalidArgument))
        << c.what;
    EXPECT_THAT(std::string(c.status.message()), HasSubstr(c.says)) << c.what;
  }
  // In Beijing time, which the officer reads.
  EXPECT_THAT(std::string(cases[0].status.message()), HasSubstr("北京时间"));
}

TEST_F(SecurityTest, NodeWithoutACurrentCrlOfItsCaRefusesToStart) {
  struct Case {
    const char* pki;
    const char* why;
  };
  for (const Case& c : {Case{"no-city-crl", "no CRL of CA"},
                        Case{"expired-crl", "expired at 2020-02-01"}}) {
    NodeProcess node(dir_.Sub(c.pki), kCounty,
                     absl::StrCat(kPkiRoot, "/", c.pki));
    absl::Status started = node.Start();
    EXPECT_THAT(started, StatusIs(absl::StatusCode::kInternal)) << c.pki;
    EXPECT_THAT(std::string(started.message()), HasSubstr(c.why)) << c.pki;
  }
  // A CRL that expires in two days: the node starts, and says so.
  NodeProcess warned(dir_.Sub("expiring"), kCounty,
                     absl::StrCat(kPkiRoot, "/expiring-crl"));
  ASSERT_THAT(warned.Start(), IsOk());
  EXPECT_THAT(warned.Log(), HasSubstr("publish a new one before then"));
}

TEST_F(SecurityTest, CertificatesOutsideTheirCasScopeOrCrlCoverageAreRefused) {
  NodeProcess province(dir_.Sub("province"), "140000000000", kPki);
  ASSERT_THAT(province.Start(), IsOk());
  // 大同市's officer, certified by 大同市's CA: served at the province.
  SubmitOutcome datong =
      TestClient(kPki, "client-140200000000-duty-1", province.address())
          .Submit({Report("datong-1", "140200000000")});
  EXPECT_EQ(datong.receipts(), 1) << province.LogTail();
  // The same identity certified by 太原市's CA, which may issue only inside
  // 太原市: refused in the handshake.
  SubmitOutcome rogue =
      TestClient(kPki, "client-140200000000-rogue", province.address())
          .Submit({Report("datong-2", "140200000000")});
  EXPECT_THAT(rogue.status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(province.Log(), HasSubstr("may only issue identities inside"));

  // A county whose CRL directory lacks the province CA's CRL: it starts (its
  // own CAs are covered) but refuses the province's certificates, which it
  // could not check for revocation, and serves its own.
  NodeProcess county(dir_.Sub("uncovered"), kCounty,
                     absl::StrCat(kPkiRoot, "/no-province-crl"));
  ASSERT_THAT(county.Start(), IsOk());
  EXPECT_THAT(
      TestClient(kPki, "auditor-140000000000-inspector-1", county.address())
          .Get("any"),
      StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(county.Log(), HasSubstr("no CRL of CA"));
  EXPECT_THAT(TestClient(kPki, kCountyAuditor, county.address()).Get("any"),
              StatusIs(absl::StatusCode::kNotFound));
  ExpectServing(county, "covered");
}

TEST_F(SecurityTest, RenewedCertificateIsServedWithoutRestartOrDroppedStream) {
  // The county's own copy of its files, renewed below.
  const std::string pki = dir_.Sub("county-pki");
  std::filesystem::create_directories(pki);
  for (const char* file :
       {"node-140105000000.pem", "node-140105000000.key", "ca.pem"}) {
    std::filesystem::copy_file(absl::StrCat(kPki, "/", file),
                               absl::StrCat(pki, "/", file));
  }
  std::filesystem::copy(absl::StrCat(kPki, "/crl"), pki + "/crl");
  county_ = Node(kCounty, pki);
  county_->SetExtraTlsConfig("refresh_interval_s: 1");
  ASSERT_THAT(county_->Start(), IsOk());
  absl::StatusOr<std::string> before =
      TestClient(kPki, kDutyOfficer, county_->address()).NodeCertificate();
  ASSERT_THAT(before, IsOk());

  // A stream opened before the renewal.
  TlsPaths paths;
  paths.cert_file = absl::StrCat(kPki, "/", kDutyOfficer, ".pem");
  paths.key_file = absl::StrCat(kPki, "/", kDutyOfficer, ".key");
  paths.ca_file = absl::StrCat(kPki, "/ca.pem");
  auto stub = v1::Intake::NewStub(
      grpc::CreateChannel(county_->address(), *MakeChannelCredentials(paths)));
  grpc::ClientContext context;
  auto stream = stub->Submit(&context);
  v1::SubmitRequest request;
  v1::SubmitResponse response;
  *request.mutable_report() = Report("before-renewal");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_receipt());

  // Renewal as an operator does it: a CSR from the node's directory, signed
  // by the city's issuing CA, then the files replaced (key, then chain).
  const std::string script = absl::StrCat(KUAIBAO_SOURCE_DIR, "/certs/pki.sh");
  const std::string fresh = dir_.Sub("fresh");
  ASSERT_EQ(std::system(absl::StrCat(script, " request ", fresh,
                                     " node:140105000000 >/dev/null")
                            .c_str()),
            0);
  ASSERT_EQ(
      std::system(absl::StrCat(script, " sign ", kPki, " ", fresh,
                               "/node-140105000000.csr node:140105000000 ",
                               fresh, "/node-140105000000.pem >/dev/null")
                      .c_str()),
      0);
  for (const char* file : {"node-140105000000.key", "node-140105000000.pem"}) {
    std::filesystem::rename(absl::StrCat(fresh, "/", file),
                            absl::StrCat(pki, "/", file));
  }

  // New connections see the new certificate, without a restart.
  absl::StatusOr<std::string> after = before;
  absl::Time give_up = absl::Now() + kPatience;
  while (after.ok() && *after == *before && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    after =
        TestClient(kPki, kDutyOfficer, county_->address()).NodeCertificate();
  }
  ASSERT_THAT(after, IsOk());
  EXPECT_NE(*after, *before) << "the renewed certificate was never served";
  // The stream opened before goes on.
  *request.mutable_report() = Report("after-renewal");
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_TRUE(response.has_receipt());
  stream->WritesDone();
  EXPECT_THAT(FromGrpcStatus(stream->Finish()), IsOk());
  ExpectServing(*county_, "renewed");
}

TEST_F(SecurityTest, RolesAndRegionsOutsideTheCertificatesAuthorityAreRefused) {
  StartCountyAndTownship();
  const std::string at = county_->address();
  // An auditor trying to submit; a node certificate used as a client.
  for (const char* cert : {kCountyAuditor, "node-140105001000"}) {
    SubmitOutcome outcome =
        TestClient(kPki, cert, at).Submit({Report("wrong-role")});
    EXPECT_THAT(outcome.status, StatusIs(absl::StatusCode::kPermissionDenied))
        << cert;
    EXPECT_EQ(outcome.receipts(), 0) << cert;
  }
  // A client (and an auditor) certificate used as a node.
  StoredReport relayed;
  *relayed.mutable_report() = Report("relayed-1");
  HopRecord* hop = relayed.add_hops();
  hop->set_node(kTownship);
  hop->set_received_from("spiffe://kuaibao/client/140105001000/duty-1");
  *hop->mutable_received_at() = ToProto(absl::Now());
  for (const char* cert : {kDutyOfficer, kCountyAuditor}) {
    std::vector<v1::RelayDown> answers;
    absl::Status s = TestClient(kPki, cert, at).Escalate(relayed, &answers);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied)) << cert;
    EXPECT_THAT(std::string(s.message()), HasSubstr("relay is for nodes"));
  }
  // A node outside the county relaying to it.
  std::vector<v1::RelayDown> answers;
  EXPECT_THAT(
      TestClient(kPki, "node-140106001000", at).Escalate(relayed, &answers),
      StatusIs(absl::StatusCode::kPermissionDenied));
  // The county's own township relaying a report of another county.
  StoredReport foreign = relayed;
  foreign.mutable_report()->set_report_id("relayed-2");
  foreign.mutable_report()->mutable_location()->set_region_code(kOtherTownship);
  answers.clear();
  EXPECT_THAT(
      TestClient(kPki, "node-140105001000", at).Escalate(foreign, &answers),
      IsOk());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].rejection().code(),
            Code(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(answers[0].rejection().field(), "report.location.region_code");
  // A client submitting for another region than its own.
  SubmitOutcome elsewhere = TestClient(kPki, kDutyOfficer, at)
                                .Submit({Report("elsewhere", kOtherTownship)});
  ASSERT_EQ(elsewhere.rejections(), 1);
  EXPECT_EQ(elsewhere.responses[0].rejection().code(),
            Code(absl::StatusCode::kPermissionDenied));
  for (const char* id : {"wrong-role", "relayed-1", "relayed-2", "elsewhere"}) {
    EXPECT_THAT(TestClient(kPki, kCountyAuditor, at).Get(id),
                StatusIs(absl::StatusCode::kNotFound))
        << id;
  }
  ExpectServing(*county_, "after-roles");
}

TEST_F(SecurityTest, ReadsStayInsideTheCallersSubtree) {
  StartCountyAndTownship();
  ExpectServing(*township_, "ours");
  // A report of the other county, submitted at the city by its officer.
  ASSERT_EQ(TestClient(kPki, kOtherOfficer, city_->address())
                .Submit({Report("theirs", kOtherTownship)})
                .receipts(),
            1);
  ASSERT_THAT(TestClient(kPki, kCountyAuditor, city_->address())
                  .WaitFor("ours", kPatience),
              IsOk());
  struct Case {
    const char* cert;
    const char* visible;
    const char* hidden;
  };
  for (const Case& c : {
           Case{kCountyAuditor, "ours", "theirs"},
           Case{"auditor-140106000000-inspector-1", "theirs", "ours"},
           Case{kOtherOfficer, "theirs", "ours"},
           Case{kDutyOfficer, "ours", "theirs"},
       }) {
    TestClient reader(kPki, c.cert, city_->address());
    EXPECT_THAT(reader.Get(c.visible), IsOk()) << c.cert;
    EXPECT_THAT(reader.Get(c.hidden), StatusIs(absl::StatusCode::kNotFound))
        << c.cert;
    absl::StatusOr<std::vector<StoredReport>> listed = reader.ListAll();
    ASSERT_THAT(listed, IsOk());
    ASSERT_EQ(listed->size(), 1u) << c.cert;
    EXPECT_EQ((*listed)[0].report().report_id(), c.visible);
  }
}

TEST_F(SecurityTest, OversizeAndMalformedMessagesAreRefused) {
  ASSERT_THAT(county_->Start(), IsOk());
  TestClient client(kPki, kDutyOfficer, county_->address());
  // Over the 1 MiB limit: the call fails before anything is parsed.
  v1::SubmitRequest big;
  *big.mutable_report() = Report("big");
  big.mutable_report()->set_course(std::string(2 << 20, 'x'));
  std::vector<v1::SubmitResponse> answers;
  EXPECT_THAT(client.SubmitRawBytes(big.SerializeAsString(), &answers),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(answers.empty());
  // Bytes that do not decode (a truncated message; text that is not UTF-8):
  // refused, and the stream ends normally.
  v1::SubmitRequest request;
  *request.mutable_report() = Report("malformed");
  std::string bytes = request.SerializeAsString();
  v1::SubmitRequest not_utf8 = request;
  not_utf8.mutable_report()->set_headline("\xff\xfe");
  std::string bad_text;
  not_utf8.SerializePartialToString(&bad_text);
  for (const std::string& broken :
       {bytes.substr(0, bytes.size() / 2), bad_text}) {
    answers.clear();
    EXPECT_THAT(client.SubmitRawBytes(broken, &answers), IsOk());
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].rejection().code(),
              Code(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(answers[0].rejection().message(),
                HasSubstr("does not decode as a kuaibao.v1.SubmitRequest"));
    // No report_id to match it by: its position in the stream instead.
    EXPECT_EQ(answers[0].rejection().message_index(), 1u);
  }
  // The well-formed bytes get through the same way: the refusals above were
  // about the bytes.
  answers.clear();
  EXPECT_THAT(client.SubmitRawBytes(bytes, &answers), IsOk());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0].has_receipt());
  EXPECT_THAT(client.Get("big"), StatusIs(absl::StatusCode::kNotFound));
  // The same on a child node's relay stream (which also carries
  // instructions down): the broken message gets its own refusal.
  v1::RelayUp up;
  *up.mutable_report()->mutable_report() = Report("relayed-malformed");
  std::string up_bytes = up.SerializeAsString();
  std::vector<std::string> encoded;
  EXPECT_THAT(
      TestClient(kPki, "node-140105001000", county_->address())
          .RawBytesCall("/kuaibao.v1.Relay/Escalate",
                        up_bytes.substr(0, up_bytes.size() / 2), &encoded),
      IsOk());
  ASSERT_EQ(encoded.size(), 1u);
  v1::RelayDown down;
  ASSERT_TRUE(down.ParseFromString(encoded[0]));
  EXPECT_EQ(down.rejection().code(), Code(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(down.rejection().message(),
              HasSubstr("does not decode as a kuaibao.v1.RelayUp"));
  EXPECT_EQ(down.rejection().message_index(), 1u);
  ExpectServing(*county_, "after-bytes");
}

TEST_F(SecurityTest, ClassifiedReportsStayWhereTheyAreCleared) {
  // The county may hold SECRET reports; its link to the city carries at most
  // INTERNAL (the default), as does the township.
  county_->SetExtraConfig("max_classification: CLASSIFICATION_SECRET\n");
  StartCountyAndTownship();
  IncidentReport secret = Report("secret-1");
  secret.set_classification(CLASSIFICATION_SECRET);
  secret.set_headline("涉密标题甲乙丙");
  secret.set_course("涉密经过丁戊己庚");
  // The township is not cleared for it: refused, never stored.
  SubmitOutcome at_township =
      TestClient(kPki, kDutyOfficer, township_->address()).Submit({secret});
  ASSERT_EQ(at_township.rejections(), 1);
  EXPECT_EQ(at_township.responses[0].rejection().code(),
            Code(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(at_township.responses[0].rejection().field(), "classification");
  // The county is: stored, and held there rather than sent to the city.
  TestClient at_county(kPki, kDutyOfficer, county_->address());
  ASSERT_EQ(at_county.Submit({secret}).receipts(), 1);
  absl::StatusOr<v1::GetReportResponse> held = at_county.Get("secret-1");
  ASSERT_THAT(held, IsOk());
  const HopRecord& own = held->report().hops(0);
  ASSERT_EQ(own.forwarded_size(), 1);
  EXPECT_EQ(own.forwarded(0).to(), kCity);
  EXPECT_THAT(own.forwarded(0).refused(), HasSubstr("classification"));
  // A report submitted after it reaches the city; the secret one never does.
  ASSERT_EQ(at_county.Submit({Report("internal-1")}).receipts(), 1);
  TestClient at_city(kPki, kDutyOfficer, city_->address());
  ASSERT_THAT(at_city.WaitFor("internal-1", kPatience), IsOk());
  EXPECT_THAT(at_city.Get("secret-1"), StatusIs(absl::StatusCode::kNotFound));
  // No log carries its content, only its id.
  for (const NodeProcess* node :
       {city_.get(), county_.get(), township_.get()}) {
    std::string log = node->Log();
    EXPECT_THAT(log, Not(HasSubstr("涉密"))) << node->region();
    EXPECT_THAT(log, Not(HasSubstr(secret.location().address())))
        << node->region();
  }
  EXPECT_THAT(county_->Log(), HasSubstr("secret-1"));
}

TEST_F(SecurityTest, ConflictingIdIsRefusedAndRecordedForAuditors) {
  ASSERT_THAT(county_->Start(), IsOk());
  TestClient officer(kPki, kDutyOfficer, county_->address());
  IncidentReport original = Report("twice");
  ASSERT_EQ(officer.Submit({original}).receipts(), 1);
  // The same report again: acknowledged, not a conflict.
  SubmitOutcome again = officer.Submit({original});
  ASSERT_EQ(again.receipts(), 1);
  EXPECT_TRUE(again.responses[0].receipt().duplicate());
  // The same id with other content, from another officer.
  IncidentReport changed = original;
  changed.mutable_harm()->set_deaths(3);
  SubmitOutcome conflict =
      TestClient(kPki, "client-140105001000-duty-2", county_->address())
          .Submit({changed});
  ASSERT_EQ(conflict.rejections(), 1);
  EXPECT_EQ(conflict.responses[0].rejection().code(),
            Code(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(conflict.responses[0].rejection().field(), "report_id");
  absl::StatusOr<v1::GetReportResponse> seen =
      TestClient(kPki, kCountyAuditor, county_->address()).Get("twice");
  ASSERT_THAT(seen, IsOk());
  EXPECT_EQ(seen->report().report().harm().deaths(), 0u);
  ASSERT_EQ(seen->conflicts_size(), 1);
  EXPECT_EQ(seen->conflicts(0).sender(),
            "spiffe://kuaibao/client/140105001000/duty-2");
  EXPECT_EQ(seen->conflicts(0).digest().size(), 64u);
  EXPECT_NE(seen->conflicts(0).digest(), seen->conflicts(0).stored_digest());
}

TEST_F(SecurityTest, RateLimitRefusesBeyondTheBurstAndTheStreamGoesOn) {
  county_->SetExtraConfig(
      "client_rate_limit { reports_per_second: 0.001 burst: 3 }\n");
  ASSERT_THAT(county_->Start(), IsOk());
  std::vector<IncidentReport> reports;
  for (int i = 0; i < 6; ++i) reports.push_back(Report(absl::StrCat("r-", i)));
  SubmitOutcome outcome =
      TestClient(kPki, kDutyOfficer, county_->address()).Submit(reports);
  EXPECT_THAT(outcome.status, IsOk());
  EXPECT_EQ(outcome.receipts(), 3);
  ASSERT_EQ(outcome.rejections(), 3);
  std::vector<uint64_t> refused_at;
  for (const auto& r : outcome.responses) {
    if (r.has_rejection()) {
      EXPECT_EQ(r.rejection().code(),
                Code(absl::StatusCode::kResourceExhausted));
      // When to resend, as a field (at 0.001 per second: about 1000 s).
      EXPECT_GT(r.rejection().retry_after().seconds(), 100)
          << r.rejection().DebugString();
      refused_at.push_back(r.rejection().message_index());
    }
  }
  // The 4th, 5th and 6th messages of the stream were the refused ones.
  std::sort(refused_at.begin(), refused_at.end());
  EXPECT_THAT(refused_at, ::testing::ElementsAre(4u, 5u, 6u));
  // Another officer has a bucket of its own.
  SubmitOutcome other =
      TestClient(kPki, "client-140105001000-duty-2", county_->address())
          .Submit({Report("other-officer")});
  EXPECT_EQ(other.receipts(), 1);
}

TEST_F(SecurityTest, HundredsOfBareConnectionsDoNotStopService) {
  // Started with Debian's usual small soft limit scaled down: the node must
  // raise it itself, or the connections below exhaust it and gRPC 1.51
  // stops accepting for good.
  county_->set_file_limit(256);
  ASSERT_THAT(county_->Start(), IsOk());
  EXPECT_THAT(county_->Log(), HasSubstr("open-file limit"));
  // Plain TCP, no TLS, never a byte: what fills a server's descriptor table
  // before any certificate is checked.
  std::vector<int> sockets;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(county_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 400; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0) << "the test itself ran out of descriptors";
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    sockets.push_back(fd);
  }
  ExpectServing(*county_, "during-flood");
  for (int fd : sockets) close(fd);
  ExpectServing(*county_, "after-flood");
}

TEST_F(SecurityTest, SecondNodeOnTheSameDataDirectoryRefusesToStart) {
  ASSERT_THAT(county_->Start(), IsOk());
  NodeProcess second(dir_.Sub("second"), kCounty, kPki);
  second.set_data_dir(county_->data_dir());
  absl::Status started = second.Start();
  EXPECT_THAT(started, StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(std::string(started.message()), HasSubstr("in use"));
  ExpectServing(*county_, "first-still-serves");
}

// Runs `kuaibao-node --probe` against a node's config: its exit status.
int Probe(const NodeProcess& node) {
  std::string command =
      absl::StrCat(KUAIBAO_NODE_BINARY, " --probe --probe_timeout=2s --config ",
                   node.config_path(), " >/dev/null 2>&1");
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(SecurityTest, ProbeTellsAServingNodeFromAStuckOrStoppedOne) {
  ASSERT_THAT(county_->Start(), IsOk());
  EXPECT_EQ(Probe(*county_), 0);
  // Stuck: the process is there, the port is open, nothing answers.
  kill(county_->pid(), SIGSTOP);
  EXPECT_EQ(Probe(*county_), 1);
  kill(county_->pid(), SIGCONT);
  EXPECT_EQ(Probe(*county_), 0);
  county_->Stop();
  EXPECT_EQ(Probe(*county_), 1);
}

}  // namespace
}  // namespace kuaibao::testing
