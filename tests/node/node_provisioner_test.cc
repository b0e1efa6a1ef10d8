#include "node/node_provisioner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/base/files.h"
#include "tests/testing/sample_regions.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::SampleRegions;
using ::kuaibao::testing::StatusIs;
using ::testing::HasSubstr;

const ProvisionedNode* Find(const std::vector<ProvisionedNode>& nodes,
                            const std::string& code) {
  for (const ProvisionedNode& n : nodes) {
    if (n.config.region() == code) return &n;
  }
  return nullptr;
}

TEST(AddressPlanTest, TheMostSpecificRuleWins) {
  absl::StatusOr<AddressPlan> plan = AddressPlan::Parse(
      "# comment\n"
      "*            n{prefix}.example:7400\n"
      "county       c{code}.example:7500   # counties\n"
      "140105000000 10.0.0.5:7600\n");
  ASSERT_THAT(plan, IsOk());
  RegionTable table = SampleRegions();
  EXPECT_EQ(plan->AddressOf(*table.Find("140105000000")), "10.0.0.5:7600");
  EXPECT_EQ(plan->AddressOf(*table.Find("140106000000")),
            "c140106000000.example:7500");
  EXPECT_EQ(plan->AddressOf(*table.Find("140105001000")),
            "n140105001.example:7400");
  EXPECT_EQ(AddressPlan::Default().AddressOf(*table.Find("140000000000")),
            "140000000000.kuaibao.internal:7400");
}

TEST(AddressPlanTest, BadLinesAreNamed) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"* a.example\n", "line 1: address 'a.example' must be host:port"},
      {"\n\ncounti x:1\n", "line 3: key 'counti'"},
      {"1401 x:1\n", "line 1: key '1401'"},
      {"* x:70000\n", "line 1: address 'x:70000'"},
      {"* x:1\n* y:2\n", "line 2: key '*' given twice"},
      {"* x:1 extra\n", "line 1: expected KEY ADDRESS"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<AddressPlan> plan = AddressPlan::Parse(c.text);
    EXPECT_THAT(plan, StatusIs(absl::StatusCode::kInvalidArgument)) << c.text;
    EXPECT_THAT(plan.status().message(), HasSubstr(c.error)) << c.text;
  }
}

TEST(NodeProvisionerTest, EveryNodeGetsItsParentAncestorsAndPaths) {
  absl::StatusOr<std::vector<ProvisionedNode>> nodes =
      ProvisionNodes(SampleRegions(),
                     *AddressPlan::Parse("* {code}.k:7400\n"
                                         "140105000000 10.1.1.1:7401\n"),
                     InstallPaths());
  ASSERT_THAT(nodes, IsOk());
  ASSERT_EQ(nodes->size(), 6u);

  const ProvisionedNode* township = Find(*nodes, "140105001000");
  ASSERT_NE(township, nullptr);
  const NodeConfig& c = township->config;
  EXPECT_EQ(c.listen_address(), "0.0.0.0:7400");
  EXPECT_EQ(c.data_dir(), "/var/lib/kuaibao/140105001000");
  EXPECT_EQ(c.tls().key_file(), "/etc/kuaibao/tls/node-140105001000.key");
  EXPECT_TRUE(c.tls().require_crl());
  EXPECT_EQ(c.parent().region(), "140105000000");
  EXPECT_EQ(c.parent().address(), "10.1.1.1:7401");
  ASSERT_EQ(c.ancestors_size(), 2);
  EXPECT_EQ(c.ancestors(0).region(), "140100000000");
  EXPECT_EQ(c.ancestors(0).address(), "140100000000.k:7400");
  EXPECT_EQ(c.ancestors(1).region(), "140000000000");
  EXPECT_EQ(township->sans, "DNS:140105001000.k");
  // Metrics on, on the node's own address (not 0.0.0.0: plain HTTP).
  EXPECT_EQ(c.metrics_address(), "140105001000.k:9464");
  EXPECT_EQ(Find(*nodes, "140105000000")->config.metrics_address(),
            "10.1.1.1:9464");
  EXPECT_EQ(township->entry.name(), "坞城街道");
  EXPECT_EQ(township->entry.config(), "/etc/kuaibao/140105001000.textproto");

  EXPECT_EQ(Find(*nodes, "140105000000")->sans, "IP:10.1.1.1");
  const NodeConfig& top = Find(*nodes, "140000000000")->config;
  EXPECT_FALSE(top.has_parent());
  EXPECT_EQ(top.ancestors_size(), 0);
  EXPECT_EQ(Find(*nodes, "140100000000")->config.ancestors_size(), 0);

  // The file reads back as the node will read it.
  absl::StatusOr<NodeConfig> read = ParseNodeConfig(ConfigFileText(*township));
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->ancestors_size(), 2);
}

TEST(NodeProvisionerTest, MetricsGoWhereThePatternSaysOrNowhere) {
  InstallPaths paths;
  paths.metrics_pattern = "mgmt-{prefix}.k:9100";
  absl::StatusOr<std::vector<ProvisionedNode>> nodes =
      ProvisionNodes(SampleRegions(), AddressPlan::Default(), paths);
  ASSERT_THAT(nodes, IsOk());
  EXPECT_EQ(Find(*nodes, "140105000000")->config.metrics_address(),
            "mgmt-140105.k:9100");
  EXPECT_THAT(ConfigFileText(*Find(*nodes, "140105000000")),
              HasSubstr("metrics_address: \"mgmt-140105.k:9100\""));
  paths.metrics_pattern.clear();
  nodes = ProvisionNodes(SampleRegions(), AddressPlan::Default(), paths);
  ASSERT_THAT(nodes, IsOk());
  EXPECT_EQ(Find(*nodes, "140105000000")->config.metrics_address(), "");
}

TEST(NodeProvisionerTest, AddressesMustBeUnique) {
  absl::StatusOr<std::vector<ProvisionedNode>> nodes = ProvisionNodes(
      SampleRegions(), *AddressPlan::Parse("* one.k:7400\n"), InstallPaths());
  EXPECT_THAT(nodes, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(nodes.status().message(),
              HasSubstr("140100000000 and 140000000000 would both be at "
                        "one.k:7400"));
}

TEST(NodeProvisionerTest, TheTreeIsCheckedFirst) {
  struct Case {
    const char* rows;
    const char* error;
  } cases[] = {
      {"140000000000,province,山西省,\n"
       "140100000000,city,太原市,140000000000\n"
       "140100000000,city,太原市,140000000000\n",
       "line 4: duplicate code 140100000000"},
      {"140000000000,province,山西省,\n"
       "14010000000,city,太原市,140000000000\n",
       "line 3"},
      {"140000000000,province,山西省,\n"
       "140105001000,township,坞城街道,140105000000\n",
       "line 3: parent 140105000000 of 140105001000 is missing"},
      {"140000000000,province,山西省,\n"
       "140100000000,county,太原市,140000000000\n",
       "line 3: level 'county' does not match"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<RegionTable> table = RegionTable::Parse(
        absl::StrCat("code12,level,name,parent_code12\n", c.rows));
    EXPECT_THAT(table, StatusIs(absl::StatusCode::kInvalidArgument)) << c.rows;
    EXPECT_THAT(table.status().message(), HasSubstr(c.error)) << c.rows;
  }
  absl::StatusOr<RegionTable> two = RegionTable::Parse(
      "code12,level,name,parent_code12\n"
      "140000000000,province,山西省,\n"
      "150000000000,province,内蒙古自治区,\n");
  ASSERT_THAT(two, IsOk());
  EXPECT_THAT(ProvisionNodes(*two, AddressPlan::Default(), InstallPaths())
                  .status()
                  .message(),
              HasSubstr("needs exactly one province, has 2"));
}

TEST(NodeProvisionerTest, TheWholeShanxiTable) {
  absl::StatusOr<RegionTable> table =
      RegionTable::Load(KUAIBAO_SOURCE_DIR "/deploy/regions/shanxi-2022.csv");
  ASSERT_THAT(table, IsOk());
  absl::StatusOr<std::vector<ProvisionedNode>> nodes =
      ProvisionNodes(*table, AddressPlan::Default(), InstallPaths());
  ASSERT_THAT(nodes, IsOk());
  EXPECT_EQ(nodes->size(), 1485u);
  for (const ProvisionedNode& n : *nodes) {
    int above = n.config.has_parent() ? 1 + n.config.ancestors_size() : 0;
    EXPECT_EQ(above, static_cast<int>(LevelOf(n.config.region()).value()))
        << n.config.region();
  }
}

}  // namespace
}  // namespace kuaibao
