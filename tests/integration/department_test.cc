// Departments as nodes (README "Departments"): a mine accident filed at a
// county 应急管理局 goes up the 应急管理 line (county → city → 山西省应急管理厅
// → 山西省人民政府) and across to the county government, whose copy goes up
// the government line; the province stores one report with both paths, and
// the audit names the path that was late. Real nodes over real mTLS on
// 127.0.0.1, in-process on the test's clock (hours pass at its command).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "relay/proto_time.h"
#include "tests/integration/in_process_node.h"
#include "tests/integration/test_chain.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kProvinceDept[] = "140000000000:yjglt";
constexpr char kCityDept[] = "140100000000:yjglt";
constexpr char kCountyDept[] = "140105000000:yjglt";

std::string Across(const std::string& government, int port) {
  return absl::StrCat("across { region: \"", government,
                      "\" address: \"127.0.0.1:", port, "\" }\n");
}

std::vector<std::string> NodesOf(
    const google::protobuf::RepeatedPtrField<HopRecord>& hops) {
  std::vector<std::string> out;
  for (const HopRecord& h : hops) out.push_back(h.node());
  return out;
}

// Polls `get` until `done` holds or kPatience passes; the last answer.
template <typename T>
absl::StatusOr<T> PollUntil(const std::function<absl::StatusOr<T>()>& get,
                            const std::function<bool(const T&)>& done) {
  absl::Time give_up = absl::Now() + kPatience;
  absl::StatusOr<T> last = get();
  while (!(last.ok() && done(*last)) && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    last = get();
  }
  return last;
}

TEST(DepartmentTest,
     MineAccidentReachesTheProvinceOnBothLinesAndTheLatePathIsNamed) {
  FakeClock clock(absl::Now());
  TempDir dir;
  InProcessNode province(dir.Sub("p"), kProvince, &clock);
  InProcessNode province_dept(dir.Sub("pd"), kProvinceDept, &clock);
  InProcessNode city(dir.Sub("c"), kCity, &clock);
  InProcessNode city_dept(dir.Sub("cd"), kCityDept, &clock);
  InProcessNode county(dir.Sub("x"), kCounty, &clock);
  InProcessNode county_dept(dir.Sub("xd"), kCountyDept, &clock);
  ASSERT_THAT(province.Start(), IsOk());
  // The top of the 应急管理 line delivers to the provincial government.
  province_dept.SetExtraConfig(Across(kProvince, province.port()));
  ASSERT_THAT(province_dept.Start(), IsOk());
  city.SetParent(kProvince, province.port());
  ASSERT_THAT(city.Start(), IsOk());
  city_dept.SetParent(kProvinceDept, province_dept.port());
  city_dept.SetExtraConfig(Across(kCity, city.port()));
  ASSERT_THAT(city_dept.Start(), IsOk());
  county.SetParent(kCity, city.port());
  ASSERT_THAT(county.Start(), IsOk());
  county_dept.SetParent(kCityDept, city_dept.port());
  county_dept.SetExtraConfig(Across(kCounty, county.port()));
  ASSERT_THAT(county_dept.Start(), IsOk());

  // The city's 应急管理局 is away: the department line stalls at the county.
  city_dept.Stop();
  IncidentReport mine = SampleReport("mine-1", kTownship, clock.TimeNow());
  mine.set_category(CATEGORY_MAJOR_ACCIDENT);
  mine.set_sector("mine");
  mine.set_headline("坞城街道某煤矿透水事故");
  TestClient at_county_dept(kPki, kDutyOfficer, county_dept.address());
  SubmitOutcome outcome = at_county_dept.Submit({mine});
  ASSERT_EQ(outcome.receipts(), 1) << "the county 应急管理局 took it";
  EXPECT_EQ(outcome.For("mine-1")->receipt().node(), kCountyDept);

  // The government line: county 应急管理局 → 小店区 → 太原市 → 山西省.
  TestClient at_province(kPki, kProvinceOfficer, province.address());
  absl::StatusOr<v1::GetReportResponse> got =
      at_province.WaitFor("mine-1", kPatience);
  ASSERT_THAT(got, IsOk());
  EXPECT_THAT(NodesOf(got->report().hops()),
              ElementsAre(kCountyDept, kCounty, kCity, kProvince));
  EXPECT_EQ(got->report().hops(0).forwarded_size(), 1);
  EXPECT_EQ(got->report().hops(0).forwarded(0).route(), ROUTE_ACROSS);

  // Three hours later the city's 应急管理局 is back; the department line
  // delivers, late at the county 应急管理局.
  clock.Advance(absl::Hours(3));
  ASSERT_THAT(city_dept.Start(), IsOk());
  got = PollUntil<v1::GetReportResponse>(
      [&] { return at_province.Get("mine-1"); },
      [](const v1::GetReportResponse& r) {
        return r.report().other_paths_size() == 1;
      });
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->report().other_paths_size(), 1) << "the department line";
  const v1::Path& line = got->report().other_paths(0);
  EXPECT_THAT(NodesOf(line.hops()),
              ElementsAre(kCountyDept, kCityDept, kProvinceDept, kProvince));
  // Stored once: one report at the province, both paths on it.
  absl::StatusOr<std::vector<StoredReport>> all = at_province.ListAll();
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 1u);
  // The county 应急管理局 wrote its own late hand-off into its hop.
  ASSERT_EQ(line.hops(0).breaches_size(), 1);
  EXPECT_EQ(line.hops(0).breaches(0).rule(), DEADLINE_RULE_PER_HOP);
  EXPECT_EQ(line.hops(0).breaches(0).responsible(), kCountyDept);

  // The audit shows each path: the department line late at the county
  // 应急管理局, the government line on time.
  TestClient auditor(kPki, "auditor-140000000000-inspector-1",
                     province.address());
  v1::TimelineRequest request;
  request.set_report_id("mine-1");
  absl::StatusOr<v1::TimelineResponse> timeline = auditor.Timeline(request);
  ASSERT_THAT(timeline, IsOk());
  ASSERT_EQ(timeline->reports_size(), 1);
  int late_rows = 0;
  for (const v1::HopTiming& row : timeline->reports(0).hops()) {
    if (row.late()) {
      ++late_rows;
      EXPECT_EQ(row.path(), 1);
      EXPECT_EQ(row.node(), kCountyDept);
    }
  }
  EXPECT_EQ(late_rows, 1);
  v1::ListBreachesRequest breaches;
  *breaches.mutable_scope()->mutable_from() =
      ToProto(clock.TimeNow() - absl::Hours(24));
  *breaches.mutable_scope()->mutable_to() =
      ToProto(clock.TimeNow() + absl::Hours(24));
  absl::StatusOr<v1::ListBreachesResponse> listed = auditor.Breaches(breaches);
  ASSERT_THAT(listed, IsOk());
  std::vector<std::string> responsible;
  for (const v1::BreachGroup& g : listed->groups()) {
    responsible.push_back(g.responsible());
  }
  EXPECT_THAT(responsible, ElementsAre(kCountyDept));
}

TEST(DepartmentTest, ADepartmentNodeRefusesAnotherLineAndAGovernmentAbove) {
  FakeClock clock(absl::Now());
  TempDir dir;
  InProcessNode county_dept(dir.Sub("xd"), kCountyDept, &clock);
  county_dept.SetExtraConfig(Across(kCounty, 1));
  ASSERT_THAT(county_dept.Start(), IsOk());
  // The 太原市 government may not relay into the county's 应急管理局.
  TestClient as_city(kPki, absl::StrCat("node-", kCity), county_dept.address());
  StoredReport relayed;
  *relayed.mutable_report() = SampleReport("x-1", kTownship, clock.TimeNow());
  HopRecord* hop = relayed.add_hops();
  hop->set_node(kCity);
  hop->set_received_from("spiffe://kuaibao/client/140100000000/duty-1");
  *hop->mutable_received_at() = ToProto(clock.TimeNow());
  std::vector<v1::RelayDown> answers;
  EXPECT_THAT(as_city.Escalate(relayed, &answers),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace kuaibao::testing
