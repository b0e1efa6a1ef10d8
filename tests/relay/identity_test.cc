#include "relay/identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;

TEST(IdentityTest, ParsesEachRole) {
  absl::StatusOr<Identity> node =
      ParseIdentity("spiffe://kuaibao/node/140105000000");
  ASSERT_THAT(node, IsOk());
  EXPECT_EQ(node->role, Role::kNode);
  EXPECT_EQ(node->region, "140105000000");
  EXPECT_EQ(node->name, "");

  absl::StatusOr<Identity> client =
      ParseIdentity("spiffe://kuaibao/client/140105001000/duty-1");
  ASSERT_THAT(client, IsOk());
  EXPECT_EQ(client->role, Role::kClient);
  EXPECT_EQ(client->region, "140105001000");
  EXPECT_EQ(client->name, "duty-1");

  absl::StatusOr<Identity> auditor =
      ParseIdentity("spiffe://kuaibao/auditor/140100000000/inspector-2");
  ASSERT_THAT(auditor, IsOk());
  EXPECT_EQ(auditor->role, Role::kAuditor);
}

TEST(IdentityTest, RefusesMalformedUris) {
  for (const char* uri : {
           "spiffe://other/node/140105000000",
           "spiffe://kuaibao/admin/140105000000",
           "spiffe://kuaibao/node/140105000000/extra",
           "spiffe://kuaibao/client/140105001000",
           "spiffe://kuaibao/client/140105001000/bad name",
           "spiffe://kuaibao/node/1401",
           "spiffe://kuaibao/node/",
       }) {
    EXPECT_THAT(ParseIdentity(uri),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << uri;
  }
}

TEST(IdentityTest, UriRoundTrips) {
  EXPECT_EQ(IdentityUri(Role::kClient, "140105001000", "duty-1"),
            "spiffe://kuaibao/client/140105001000/duty-1");
  EXPECT_EQ(IdentityUri(Role::kNode, "140000000000"),
            "spiffe://kuaibao/node/140000000000");
}

}  // namespace
}  // namespace kuaibao
