// Departments as nodes: identities, the department table, the routing
// between governments and departments, and the engine's across hand-offs.
#include "relay/departments.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "relay/department_routing.h"
#include "relay/node_id.h"
#include "relay/relay_engine.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_regions.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCounty[] = "140105000000";
constexpr char kCountyEmergency[] = "140105000000:yjglt";
constexpr char kCityEmergency[] = "140100000000:yjglt";
constexpr char kCountyEducation[] = "140105000000:jyt";

TEST(DepartmentIdentityTest, ParsesAndPrintsADepartmentNode) {
  absl::StatusOr<Identity> id =
      ParseIdentity("spiffe://kuaibao/node/140105000000/dept/yjglt");
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->role, Role::kNode);
  EXPECT_EQ(id->region, kCounty);
  EXPECT_EQ(id->department, "yjglt");
  EXPECT_EQ(id->NodeId(), kCountyEmergency);
  EXPECT_EQ(IdentityUri(Role::kNode, kCountyEmergency), id->uri);
  // A government's identity is unchanged.
  EXPECT_EQ(ParseIdentity("spiffe://kuaibao/node/140105000000")->NodeId(),
            kCounty);
  EXPECT_EQ(IdentityUri(Role::kNode, kCounty),
            "spiffe://kuaibao/node/140105000000");
}

TEST(DepartmentIdentityTest, RefusesMalformedDepartments) {
  for (const char* uri : {
           "spiffe://kuaibao/node/140105000000/dept/",
           "spiffe://kuaibao/node/140105000000/dept/YJGLT",
           "spiffe://kuaibao/node/140105000000/dept/yj-glt",
           "spiffe://kuaibao/node/140105000000/unit/yjglt",
           "spiffe://kuaibao/node/140105000000/dept/yjglt/x",
           "spiffe://kuaibao/client/140105000000/dept/yjglt",
       }) {
    EXPECT_THAT(ParseIdentity(uri),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << uri;
  }
}

TEST(NodeIdTest, SplitsAndChecks) {
  EXPECT_EQ(NodeRegion(kCountyEmergency), kCounty);
  EXPECT_EQ(NodeDepartment(kCountyEmergency), "yjglt");
  EXPECT_EQ(NodeDepartment(kCounty), "");
  EXPECT_THAT(CheckNodeId(kCountyEmergency), IsOk());
  EXPECT_THAT(CheckNodeId(kCounty), IsOk());
  EXPECT_FALSE(CheckNodeId("140105000000:").ok());
  EXPECT_FALSE(CheckNodeId("1401:yjglt").ok());
}

Identity Node(const std::string& node_id) {
  return *ParseIdentity(IdentityUri(Role::kNode, node_id));
}

TEST(NodeIdTest, WhoMayRelayToWhom) {
  // Governments: from governments below and from their own departments.
  EXPECT_THAT(CheckRelayPeer("140100000000", Node(kCounty)), IsOk());
  EXPECT_THAT(CheckRelayPeer(kCounty, Node(kCountyEmergency)), IsOk());
  EXPECT_THAT(CheckRelayPeer("140100000000", Node(kCountyEmergency)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckRelayPeer(kCounty, Node("140100000000")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // Departments: from their own line below and from their government.
  EXPECT_THAT(CheckRelayPeer(kCityEmergency, Node(kCountyEmergency)), IsOk());
  EXPECT_THAT(CheckRelayPeer(kCountyEmergency, Node(kCounty)), IsOk());
  EXPECT_THAT(CheckRelayPeer(kCityEmergency, Node(kCountyEducation)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckRelayPeer(kCityEmergency, Node(kCounty)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckRelayPeer(kCountyEmergency, Node(kCountyEducation)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  Identity client =
      *ParseIdentity("spiffe://kuaibao/client/140105000000/duty-1");
  EXPECT_THAT(CheckRelayPeer(kCounty, client),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(DepartmentTableTest, ShippedShanxiTableLoadsWithItsSource) {
  absl::StatusOr<DepartmentTable> table = DepartmentTable::Load(
      KUAIBAO_SOURCE_DIR "/deploy/regions/shanxi-departments.csv");
  ASSERT_THAT(table, IsOk());
  ASSERT_NE(table->Find("yjglt"), nullptr);
  EXPECT_EQ(table->Find("yjglt")->name, "山西省应急管理厅");
  EXPECT_EQ(table->Find("jyt")->name, "山西省教育厅");
  EXPECT_EQ(table->Find("nyj")->name, "山西省能源局");
  EXPECT_EQ(table->Find("gat")->name, "山西省公安厅");
  EXPECT_EQ(table->Find("wjw")->name, "山西省卫生健康委员会");
  RegionTable regions = testing::SampleRegions();
  EXPECT_EQ(table->Describe(regions, kCountyEmergency),
            "小店区应急管理局 (140105000000:yjglt)");
  EXPECT_EQ(table->Describe(regions, "140000000000:yjglt"),
            "山西省应急管理厅 (140000000000:yjglt)");
  EXPECT_THAT(table->CheckOffice("yjglt", Level::kCounty), IsOk());
  EXPECT_THAT(table->CheckOffice("yjglt", Level::kTownship),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(table->CheckOffice("nosuch", Level::kCounty),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DepartmentTableTest, RefusesBadRowsNamingTheLine) {
  absl::StatusOr<DepartmentTable> t = DepartmentTable::Parse(
      "# comment\ncode,name,local_name,kind\nyjglt,山西省应急管理厅,应急管理局,"
      "组成部门\nyjglt,again,x,y\n");
  EXPECT_THAT(t, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("line 4"));
  EXPECT_FALSE(
      DepartmentTable::Parse("code,name,local_name,kind\nYJ,a,b,c\n").ok());
  EXPECT_FALSE(DepartmentTable::Parse("code,name\nyj,a\n").ok());
}

StoredReport Taken(const std::string& node, const std::string& from,
                   IncidentReport report) {
  StoredReport stored;
  *stored.mutable_report() = std::move(report);
  HopRecord* hop = stored.add_hops();
  hop->set_node(node);
  hop->set_received_from(from);
  return stored;
}

constexpr char kClient[] = "spiffe://kuaibao/client/140105001000/duty-1";

std::vector<std::string> Nodes(const std::vector<AcrossTarget>& targets) {
  std::vector<std::string> out;
  for (const AcrossTarget& t : targets) out.push_back(t.node);
  return out;
}

TEST(AcrossTargetsTest, ADepartmentReportsToItsGovernmentAtTheSameTime) {
  IncidentReport r = testing::SampleReport("r-1", "140105001000", absl::Now());
  // Taken from a client: across as well as up.
  EXPECT_THAT(Nodes(AcrossTargets(kCountyEmergency, true, {kCounty}, {},
                                  Taken(kCountyEmergency, kClient, r))),
              ElementsAre(kCounty));
  // Relayed from below, with a parent above: its government has its own
  // copy from the government line.
  StoredReport relayed = Taken(kCountyEmergency, kClient, r);
  *relayed.add_hops() = relayed.hops(0);
  relayed.mutable_hops(1)->set_node(kCityEmergency);
  relayed.mutable_hops(1)->set_received_from(
      IdentityUri(Role::kNode, kCountyEmergency));
  EXPECT_TRUE(AcrossTargets(kCityEmergency, true, {"140100000000"}, {}, relayed)
                  .empty());
  // The top of the line delivers it to the provincial government.
  relayed.mutable_hops(1)->set_node("140000000000:yjglt");
  EXPECT_THAT(Nodes(AcrossTargets("140000000000:yjglt", false, {"140000000000"},
                                  {}, relayed)),
              ElementsAre("140000000000"));
  // Never back to where it came from.
  StoredReport from_government = Taken(kCountyEmergency, kClient, r);
  *from_government.add_hops() = from_government.hops(0);
  from_government.mutable_hops(0)->set_node(kCounty);
  from_government.mutable_hops(1)->set_received_from(
      IdentityUri(Role::kNode, kCounty));
  EXPECT_TRUE(
      AcrossTargets(kCountyEmergency, false, {kCounty}, {}, from_government)
          .empty());
}

TEST(AcrossTargetsTest, AGovernmentRoutesByRuleAndByTheReportsOwnList) {
  IncidentReport mine =
      testing::SampleReport("r-1", "140105001000", absl::Now());
  mine.set_category(CATEGORY_MAJOR_ACCIDENT);
  mine.set_sector("mine");
  RoutingRule mines{{CATEGORY_MAJOR_ACCIDENT}, {"mine"}, {"yjglt", "nyj"}};
  RoutingRule schools{{}, {"school"}, {"jyt"}};
  std::vector<std::string> across = {kCountyEmergency, "140105000000:nyj",
                                     kCountyEducation};
  EXPECT_THAT(Nodes(AcrossTargets(kCounty, true, across, {mines, schools},
                                  Taken(kCounty, kClient, mine))),
              ElementsAre(kCountyEmergency, "140105000000:nyj"));
  IncidentReport school = mine;
  school.set_sector("school");
  EXPECT_THAT(Nodes(AcrossTargets(kCounty, true, across, {mines, schools},
                                  Taken(kCounty, kClient, school))),
              ElementsAre(kCountyEducation));
  // A unit naming a department the county has no node for: a target that
  // is not configured, so that the engine holds it visibly.
  IncidentReport named = school;
  named.set_sector("");
  named.add_departments("gat");
  std::vector<AcrossTarget> t =
      AcrossTargets(kCounty, true, across, {}, Taken(kCounty, kClient, named));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].node, "140105000000:gat");
  EXPECT_FALSE(t[0].configured);
  // Only what it took from a client: relayed reports are not routed again.
  StoredReport relayed = Taken("140105001000", kClient, mine);
  *relayed.add_hops() = relayed.hops(0);
  relayed.mutable_hops(1)->set_node(kCounty);
  EXPECT_TRUE(AcrossTargets(kCounty, true, across, {mines}, relayed).empty());
}

TEST(AcrossTargetsTest, ReportDepartmentsAreChecked) {
  IncidentReport r = testing::SampleReport("r-1", "140105001000", absl::Now());
  r.add_departments("yjglt");
  r.add_departments("yjglt");
  absl::Status s = CheckReportDepartments(r, nullptr);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(s), "departments[1]");
  r.clear_departments();
  r.add_departments("Bad Code");
  EXPECT_EQ(ErrorField(CheckReportDepartments(r, nullptr)), "departments[0]");
  r.clear_departments();
  r.set_sector("Mine!");
  EXPECT_EQ(ErrorField(CheckReportDepartments(r, nullptr)), "sector");
}

// A county 应急管理局's engine: parent the city's, across its government.
class DepartmentEngineTest : public ::testing::Test {
 protected:
  DepartmentEngineTest() : regions_(testing::SampleRegions()) {
    options_.region = kCounty;
    options_.node = kCountyEmergency;
    options_.parent = kCityEmergency;
    options_.across = {kCounty};
    store_ = *ReportStore::Open(dir_.path(), {});
    engine_ = *RelayEngine::Open(options_, store_.get(), &regions_, &clock_);
  }

  absl::StatusOr<Receipt> Submit(IncidentReport report) {
    absl::Notification done;
    absl::StatusOr<Receipt> result;
    engine_->Submit(*ParseIdentity(kClient), std::move(report),
                    [&](absl::StatusOr<Receipt> r) {
                      result = std::move(r);
                      done.Notify();
                    });
    done.WaitForNotification();
    return result;
  }

  RelayOptions options_;
  testing::FakeClock clock_;
  testing::TempDir dir_;
  RegionTable regions_;
  std::unique_ptr<ReportStore> store_;
  std::unique_ptr<RelayEngine> engine_;
};

TEST_F(DepartmentEngineTest, TakesAReportUpItsLineAndAcrossInOneWrite) {
  absl::StatusOr<Receipt> receipt =
      Submit(testing::SampleReport("r-1", "140105001000", clock_.TimeNow()));
  ASSERT_THAT(receipt, IsOk());
  EXPECT_EQ(receipt->node(), kCountyEmergency);
  absl::StatusOr<StoredReport> stored = engine_->Timeline("r-1");
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->hops(0).node(), kCountyEmergency);
  ASSERT_EQ(stored->hops(0).forwarded_size(), 2);
  std::vector<std::pair<std::string, Route>> routes;
  for (const Forwarding& f : stored->hops(0).forwarded()) {
    routes.emplace_back(f.to(), f.route());
  }
  EXPECT_THAT(routes,
              ::testing::UnorderedElementsAre(
                  std::make_pair(std::string(kCityEmergency), ROUTE_PARENT),
                  std::make_pair(std::string(kCounty), ROUTE_ACROSS)));
  EXPECT_EQ(Outbox(store_.get()).Summarize(kCityEmergency)->waiting, 1u);
  EXPECT_EQ(Outbox(store_.get()).Summarize(kCounty)->waiting, 1u);
  EXPECT_THAT(engine_->Upstreams(), ElementsAre(kCityEmergency, kCounty));
}

}  // namespace
}  // namespace kuaibao
