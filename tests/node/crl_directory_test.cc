#include "node/crl_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "relay/base/files.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kPkiRoot[] = KUAIBAO_TEST_PKI_DIR;

// The CRLs of `crl_pki`'s directory, as the county node of the main test
// PKI sees them (its trust bundle and chain).
absl::StatusOr<CrlDirectory> Read(const std::string& crl_pki) {
  std::string main = std::string(kPkiRoot) + "/main";
  return CrlDirectory::Read(
      std::string(kPkiRoot) + "/" + crl_pki + "/crl",
      *ReadFileToString(main + "/ca.pem", "CA"),
      *ReadFileToString(main + "/node-140105000000.pem", "certificate"));
}

TEST(CrlDirectoryTest, CurrentCrlsOfTheRootAndTheIssuingCaPass) {
  absl::StatusOr<CrlDirectory> crls = Read("main");
  ASSERT_THAT(crls, IsOk());
  ASSERT_EQ(crls->cas().size(), 2u);  // the root and the city's issuing CA
  for (const auto& ca : crls->cas()) EXPECT_TRUE(ca.has_crl) << ca.ca;
  absl::Time now = absl::Now();
  EXPECT_THAT(crls->CheckCurrent(now), IsOk());
  EXPECT_TRUE(crls->Warnings(now, absl::Hours(24)).empty());
}

TEST(CrlDirectoryTest, TheNewestCrlCounts) {
  // The city CA published twice (before and after a revocation).
  absl::StatusOr<CrlDirectory> crls = Read("main");
  ASSERT_THAT(crls, IsOk());
  for (const auto& ca : crls->cas()) {
    if (absl::StrContains(ca.ca, "140100000000")) {
      EXPECT_THAT(ca.file, ::testing::EndsWith(".r1"));
    }
  }
}

TEST(CrlDirectoryTest, ExpiryIsWarnedOfThenRefused) {
  absl::StatusOr<CrlDirectory> crls = Read("main");
  ASSERT_THAT(crls, IsOk());
  absl::Time soon = absl::Now() + absl::Hours(24 * 25);  // CRLs last 30 days
  EXPECT_THAT(crls->CheckCurrent(soon), IsOk());
  std::vector<std::string> warnings = crls->Warnings(soon, absl::Hours(24 * 7));
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], HasSubstr("publish a new one before then"));
  absl::Time late = absl::Now() + absl::Hours(24 * 31);
  absl::Status expired = crls->CheckCurrent(late);
  EXPECT_THAT(expired, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(expired.message()), HasSubstr("expired at"));
}

TEST(CrlDirectoryTest, ACrlFromTheFutureMeansAWrongClock) {
  absl::StatusOr<CrlDirectory> crls = Read("main");
  ASSERT_THAT(crls, IsOk());
  absl::Status early = crls->CheckCurrent(absl::Now() - absl::Hours(3));
  EXPECT_THAT(early, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(early.message()), HasSubstr("check this machine"));
}

TEST(CrlDirectoryTest, MissingOrForgedCrlsDoNotCount) {
  absl::StatusOr<CrlDirectory> missing = Read("no-city-crl");
  ASSERT_THAT(missing, IsOk());
  absl::Status s = missing->CheckCurrent(absl::Now());
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("no CRL of CA '/O=Kuaibao/CN=Kuaibao issuing CA "
                        "140100000000'"));
  // Another PKI's CRLs carry the very same issuer names, but our CAs did not
  // sign them.
  absl::StatusOr<CrlDirectory> forged = Read("foreign");
  ASSERT_THAT(forged, IsOk());
  for (const auto& ca : forged->cas()) EXPECT_FALSE(ca.has_crl) << ca.ca;
  EXPECT_THAT(CrlDirectory::Read("/nonexistent", "", ""),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace kuaibao
