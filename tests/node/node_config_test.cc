#include "node/node_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kCounty[] = R"(
  region: "140105000000"
  listen_address: "0.0.0.0:7403"
  data_dir: "data"
  regions_file: "regions.csv"
  tls { cert_file: "c.pem" key_file: "c.key" ca_file: "ca.pem" }
  parent { region: "140100000000" address: "city:7402" }
)";

TEST(NodeConfigTest, ParsesAndFillsDefaults) {
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(kCounty);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->region(), "140105000000");
  EXPECT_EQ(config->parent().region(), "140100000000");
  EXPECT_EQ(config->max_in_flight(), 64u);
  EXPECT_EQ(config->min_backoff_ms(), 200u);
  EXPECT_EQ(config->max_backoff_ms(), 5000u);
  EXPECT_EQ(config->max_store_bytes(), 0u);
  EXPECT_EQ(config->min_free_disk_bytes(), uint64_t{256} << 20);
  EXPECT_EQ(config->stall_after_ms(), 60000u);
  EXPECT_EQ(config->gap_overdue_after_s(), 7200u);
}

TEST(NodeConfigTest, MetricsAddressIsOffByDefaultAndLoopbackWithoutHost) {
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(kCounty);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->metrics_address(), "");
  struct Case {
    const char* given;
    const char* expect;  // nullptr: refused
  };
  for (const Case& c :
       {Case{"9464", "127.0.0.1:9464"}, Case{":9464", "127.0.0.1:9464"},
        Case{"10.0.0.5:9464", "10.0.0.5:9464"},
        Case{"127.0.0.1:0", "127.0.0.1:0"}, Case{"host:port", nullptr},
        Case{"70000", nullptr}}) {
    config = ParseNodeConfig(
        absl::StrCat(kCounty, "metrics_address: \"", c.given, "\"\n"));
    if (c.expect == nullptr) {
      EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument))
          << c.given;
      EXPECT_THAT(std::string(config.status().message()),
                  HasSubstr("metrics_address"));
    } else {
      ASSERT_THAT(config, IsOk()) << c.given;
      EXPECT_EQ(config->metrics_address(), c.expect);
    }
  }
}

TEST(NodeConfigTest, TheSampleConfigurationsParse) {
  int samples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           KUAIBAO_SOURCE_DIR "/deploy/sample")) {
    if (entry.path().extension() != ".textproto") continue;
    EXPECT_THAT(LoadNodeConfig(entry.path().string()), IsOk()) << entry.path();
    ++samples;
  }
  EXPECT_EQ(samples, 5);
}

TEST(NodeConfigTest, ErrorsNameTheField) {
  struct Case {
    std::string text;
    const char* expect;
  };
  std::string base = kCounty;
  auto without = [&](const std::string& line) {
    std::string t = base;
    t.erase(t.find(line), line.size());
    return t;
  };
  for (const Case& c : {
           Case{without("region: \"140105000000\""),
                "config region: is required"},
           Case{without("data_dir: \"data\""), "data_dir"},
           Case{without("regions_file: \"regions.csv\""), "regions_file"},
           Case{without("listen_address: \"0.0.0.0:7403\""), "listen_address"},
           Case{without("key_file: \"c.key\""), "tls"},
           Case{base + "bogus_field: 1",
                "line 8 column 12: Message type \"kuaibao.v1.NodeConfig\" has "
                "no field named \"bogus_field\""},
           Case{"region: 14", "line 1"},
       }) {
    absl::StatusOr<NodeConfig> config = ParseNodeConfig(c.text);
    EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument))
        << c.expect;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.expect));
  }
}

TEST(NodeConfigTest, ParentMustLieAbove) {
  std::string text = kCounty;
  text.replace(text.find("140100000000"), 12, "140106000000");
  EXPECT_THAT(ParseNodeConfig(text),
              StatusIs(absl::StatusCode::kInvalidArgument));
  text = kCounty;
  text.replace(text.find("140100000000"), 12, "140105001000");
  EXPECT_THAT(ParseNodeConfig(text),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(NodeConfigTest, RegionMustBeWellFormed) {
  std::string text = kCounty;
  text.replace(text.find("140105000000"), 12, "14010500000x");
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(text);
  EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("12 digits"));
}

TEST(NodeConfigTest, SecuritySettingsHaveSaneDefaults) {
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(kCounty);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->max_classification(), v1::CLASSIFICATION_INTERNAL);
  EXPECT_EQ(config->parent().max_classification(), v1::CLASSIFICATION_INTERNAL);
  EXPECT_EQ(config->client_rate_limit().reports_per_second(), 100);
  EXPECT_EQ(config->client_rate_limit().burst(), 2000u);
  EXPECT_EQ(config->node_rate_limit().burst(), 10000u);
  EXPECT_EQ(config->max_message_bytes(), 1u << 20);
  EXPECT_EQ(config->tls().refresh_interval_s(), 60u);
  EXPECT_EQ(config->tls().crl_warn_hours(), 168u);
  EXPECT_TRUE(config->tls().crl_dir().empty());
}

// kCounty with `fields` added inside its tls { }.
std::string WithTls(const std::string& fields) {
  std::string text = kCounty;
  const std::string end = "ca_file: \"ca.pem\"";
  return text.insert(text.find(end) + end.size(), " " + fields);
}

TEST(NodeConfigTest, SecuritySettingsAreChecked) {
  std::string base = kCounty;
  struct Case {
    std::string text;
    const char* expect;
  };
  for (const Case& c : {
           Case{WithTls("require_crl: true"), "tls.crl_dir"},
           Case{base + "max_classification: 42", "max_classification"},
           Case{base + "client_rate_limit { reports_per_second: -1 }",
                "client_rate_limit"},
           Case{base + "max_message_bytes: 1000", "max_message_bytes"},
       }) {
    absl::StatusOr<NodeConfig> config = ParseNodeConfig(c.text);
    EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument))
        << c.expect;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.expect));
  }
  absl::StatusOr<NodeConfig> secret =
      ParseNodeConfig(WithTls("crl_dir: \"crl\" require_crl: true") +
                      "max_classification: CLASSIFICATION_SECRET");
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(secret->max_classification(), v1::CLASSIFICATION_SECRET);
  TlsPaths paths = NodeTlsPaths(*secret);
  EXPECT_EQ(paths.crl_dir, "crl");
  EXPECT_EQ(paths.refresh_interval, absl::Seconds(60));
}

}  // namespace
}  // namespace kuaibao

namespace kuaibao {
namespace {

TEST(NodeConfigTest, InstructionBudgetsDefaultScaleAndAreChecked) {
  std::string text = std::string(kCounty) +
                     "deadlines { instruction_relay: \"30m\" time_scale: 0.5 "
                     "}\n";
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(text);
  ASSERT_THAT(config, IsOk());
  DeadlinePolicy policy = DeadlinesOf(*config);
  EXPECT_EQ(policy.instruction_relay, absl::Minutes(15));
  EXPECT_EQ(policy.feedback, absl::Hours(12));  // the 24 h default, scaled
  EXPECT_EQ(policy.time_scale, 0.5);
  absl::StatusOr<NodeConfig> bad = ParseNodeConfig(
      std::string(kCounty) + "deadlines { feedback: \"soon\" }\n");
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("deadlines.feedback"));
}

}  // namespace
}  // namespace kuaibao

namespace kuaibao {
namespace {

// A county 应急管理局: up its own line, across to its government.
constexpr char kCountyEmergency[] = R"(
  region: "140105000000"
  department: "yjglt"
  departments_file: "departments.csv"
  listen_address: "0.0.0.0:7413"
  data_dir: "data"
  regions_file: "regions.csv"
  tls { cert_file: "c.pem" key_file: "c.key" ca_file: "ca.pem" }
  parent { region: "140100000000" department: "yjglt" address: "city:7412" }
  across { region: "140105000000" address: "county:7403" }
)";

TEST(DepartmentConfigTest, ADepartmentNodeParsesWithDefaults) {
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(kCountyEmergency);
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->department(), "yjglt");
  ASSERT_EQ(config->across_size(), 1);
  EXPECT_EQ(config->across(0).max_classification(),
            v1::CLASSIFICATION_INTERNAL);
}

TEST(DepartmentConfigTest, ErrorsNameTheField) {
  auto replaced = [](std::string text, const std::string& from,
                     const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const std::string base = kCountyEmergency;
  struct Case {
    std::string text;
    const char* expect;
  };
  for (const Case& c : {
           Case{replaced(base, "department: \"yjglt\" address",
                         "department: \"jyt\" address"),
                "config parent.department: must be yjglt"},
           Case{replaced(base, "department: \"yjglt\"\n",
                         "department: \"YJ\"\n"),
                "config department:"},
           Case{replaced(base, "across { region: \"140105000000\"",
                         "across { region: \"140106000000\""),
                "config across[0].region"},
           Case{replaced(base, "  departments_file: \"departments.csv\"\n", ""),
                "config departments_file"},
           Case{
               base + "ancestors { region: \"140000000000\" address: \"p:1\" }",
               "config ancestors"},
           Case{base + "department_routes { departments: \"yjglt\" }",
                "config department_routes"},
           Case{replaced(base,
                         "  across { region: \"140105000000\" address: "
                         "\"county:7403\" }\n",
                         ""),
                "config across: a department's node names exactly one"},
       }) {
    absl::StatusOr<NodeConfig> config = ParseNodeConfig(c.text);
    EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument))
        << c.expect;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.expect));
  }
}

TEST(DepartmentConfigTest, AGovernmentRoutesOnlyToDepartmentsItLinks) {
  std::string text = absl::StrCat(
      kCounty,
      "departments_file: \"departments.csv\"\n"
      "across { region: \"140105000000\" department: \"yjglt\" address: "
      "\"x:1\" }\n"
      "department_routes { categories: CATEGORY_MAJOR_ACCIDENT sectors: "
      "\"mine\" departments: \"yjglt\" }\n");
  EXPECT_THAT(ParseNodeConfig(text), IsOk());
  absl::StatusOr<NodeConfig> bad = ParseNodeConfig(
      text +
      "department_routes { sectors: \"school\" departments: \"jyt\" }\n");
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("department jyt has no node in `across`"));
  // A government's parent is a government.
  std::string parent_dept = kCounty;
  parent_dept.replace(parent_dept.find("address: \"city:7402\""), 0,
                      "department: \"yjglt\" ");
  EXPECT_THAT(ParseNodeConfig(parent_dept),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace kuaibao
