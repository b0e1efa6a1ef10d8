#ifndef KUAIBAO_TESTS_TESTING_SAMPLE_REPORTS_H_
#define KUAIBAO_TESTS_TESTING_SAMPLE_REPORTS_H_

#include <string>

#include "absl/time/time.h"
#include "relay/proto_time.h"
#include "relay/report_types.h"

namespace kuaibao::testing {

// A complete, valid report located in `region`, occurring an hour before
// `now`.
inline IncidentReport SampleReport(const std::string& id,
                                   const std::string& region, absl::Time now) {
  IncidentReport r;
  r.set_report_id(id);
  r.set_event_id("ev-" + id);
  r.set_kind(REPORT_KIND_INITIAL);
  r.set_status(REPORT_STATUS_ACTUAL);
  r.set_category(CATEGORY_MAJOR_ACCIDENT);
  r.set_grade(GRADE_IV);
  r.set_classification(CLASSIFICATION_PUBLIC);
  *r.mutable_occurred_at() = ToProto(now - absl::Hours(1));
  *r.mutable_unit_informed_at() = ToProto(now - absl::Minutes(50));
  r.mutable_location()->set_region_code(region);
  r.mutable_location()->set_address("坞城路 1 号");
  r.mutable_unit()->set_name("坞城街道办事处");
  r.set_headline("居民楼燃气泄漏");
  r.set_course("上午 9 时许，居民楼发生燃气泄漏，已疏散居民。");
  r.mutable_harm()->set_injured(2);
  return r;
}

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_SAMPLE_REPORTS_H_
