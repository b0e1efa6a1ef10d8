#include "tests/drill/flood_script.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_format.h"
#include "relay/proto_time.h"

namespace kuaibao::drill {
namespace {

// The counties of the floods of October 2021: 介休, 平遥, 灵石, 祁县 (晋中),
// 孝义, 汾阳 (吕梁), 河津, 新绛, 稷山 (运城), 乡宁 (临汾).
constexpr const char* kFloodCounties[] = {
    "140781000000", "140728000000", "140729000000", "140727000000",
    "141181000000", "141182000000", "140882000000", "140825000000",
    "140824000000", "141029000000"};

// Report times keep their distance to authored_at, scaled.
void Rescale(google::protobuf::Timestamp* t, absl::Time old_authored,
             absl::Time now, double scale) {
  if (!IsSet(*t)) return;
  *t = ToProto(now - (old_authored - FromProto(*t)) * scale);
}

}  // namespace

void StampForSending(IncidentReport* report, absl::Time now,
                     double time_scale) {
  const absl::Time authored = FromProto(report->authored_at());
  Rescale(report->mutable_occurred_at(), authored, now, time_scale);
  Rescale(report->mutable_reportable_at(), authored, now, time_scale);
  Rescale(report->mutable_unit_informed_at(), authored, now, time_scale);
  if (report->has_harm()) {
    Rescale(report->mutable_harm()->mutable_as_of(), authored, now, time_scale);
  }
  *report->mutable_authored_at() = ToProto(now);
}

std::vector<std::string> FloodCounties(
    const std::vector<const Region*>& counties, size_t n) {
  std::vector<std::string> chosen;
  std::set<std::string> in_tree;
  for (const Region* c : counties) in_tree.insert(c->code);
  for (const char* code : kFloodCounties) {
    if (in_tree.count(code) && chosen.size() < n) chosen.push_back(code);
  }
  if (chosen.empty()) {
    for (size_t i = 0; i < counties.size() && i < n; ++i) {
      chosen.push_back(counties[i]->code);
    }
  }
  return chosen;
}

FloodScript MakeFloodScript(const std::vector<bench::Township>& townships,
                            const std::vector<const Region*>& counties,
                            const FloodSettings& settings,
                            bench::ReportGenerator& generator) {
  FloodScript script;
  script.flood_counties = FloodCounties(counties, settings.flood_counties);
  std::map<std::string, std::vector<size_t>> townships_of;
  for (size_t t = 0; t < townships.size(); ++t) {
    townships_of[townships[t].county->code].push_back(t);
  }
  if (settings.faults && !script.flood_counties.empty()) {
    script.faults.county = script.flood_counties[0];
    for (const Region* c : counties) {
      if (c->code == script.faults.county) script.faults.city = c->parent;
    }
    script.faults.kill_province = settings.province_standby;
  }

  std::mt19937_64 rng(2021);
  auto uniform = [&](double from, double to) {
    return from + (to - from) * static_cast<double>(rng() % 10000) / 10000;
  };
  const ReportStatus status =
      settings.exercise ? REPORT_STATUS_EXERCISE : REPORT_STATUS_ACTUAL;
  // Each event's reports at these notice hours after its start: the brief
  // report, the detailed one within the 40 minutes, follow-ups, the final.
  auto add_event = [&](const std::string& id, size_t township, double start_h,
                       const std::vector<double>& offsets_h, Grade grade,
                       Category category) {
    const Region& where = *townships[township].region;
    std::vector<IncidentReport> event = generator.Event(
        id, where.code, where.name, absl::Now(),
        static_cast<int>(offsets_h.size()) - 3, grade, category);
    for (size_t k = 0; k < event.size(); ++k) {
      event[k].set_status(status);
      script.sends.push_back(
          Send{start_h + offsets_h[k], township, std::move(event[k])});
    }
  };

  for (size_t c = 0; c < script.flood_counties.size(); ++c) {
    const std::string& county = script.flood_counties[c];
    const std::vector<size_t>& local = townships_of[county];
    if (local.empty()) continue;
    for (size_t e = 0; e < settings.events_per_county; ++e) {
      // One county in three has a grade II flood (reported straight to the
      // province as well); the rest are grade III and IV.
      Grade grade = e == 0 && c % 3 == 0 ? GRADE_II
                    : e % 2 == 0         ? GRADE_III
                                         : GRADE_IV;
      // The hung county's first flood begins while its city is down, so
      // that the county holds it when it hangs.
      double start_h = c == 0 && e == 0 && !script.faults.city.empty()
                           ? script.faults.city_down_h + 0.05
                           : uniform(0, 1);
      // With the province's primary killed, the next county's first flood
      // is grade I, its brief report sent just before the kill: the
      // detailed report and the follow-ups must reach a province node (the
      // standby) within their hour while the primary is down.
      if (c == 1 && e == 0 && script.faults.kill_province) {
        grade = GRADE_I;
        start_h = script.faults.province_down_h - 0.1;
      }
      const std::string id =
          absl::StrFormat("fl-%s-%02d", county.substr(0, 6), e + 1);
      add_event(id, local[e % local.size()], start_h, {0, 0.25, 1, 2, 3}, grade,
                CATEGORY_NATURAL_DISASTER);
      if (grade == GRADE_II && script.instruction_event.empty()) {
        script.instruction_event = id;
        script.instruction_county = county;
      }
    }
  }
  // Routine reports from the rest of the province: a brief, the detailed
  // report and a final one, grade IV.
  std::vector<size_t> elsewhere;
  std::set<std::string> flooded(script.flood_counties.begin(),
                                script.flood_counties.end());
  for (size_t t = 0; t < townships.size(); ++t) {
    if (!flooded.count(townships[t].county->code)) elsewhere.push_back(t);
  }
  if (elsewhere.empty()) {
    for (size_t t = 0; t < townships.size(); ++t) elsewhere.push_back(t);
  }
  for (size_t e = 0; e < settings.background_events && !elsewhere.empty();
       ++e) {
    add_event(absl::StrFormat("bg-%04d", e + 1),
              elsewhere[rng() % elsewhere.size()], uniform(0, 3), {0, 0.25, 1},
              GRADE_IV, CATEGORY_UNSPECIFIED);
    if (e == 0) {
      // The township learned of this one from a news website, 22 hours
      // after it happened (as the county did of the 2011 Daixian
      // landslide): R1 and end to end run from then, and the audit says so.
      IncidentReport& first = script.sends[script.sends.size() - 3].report;
      const absl::Time learned = FromProto(first.occurred_at());
      *first.mutable_occurred_at() = ToProto(learned - absl::Hours(22));
      first.clear_unit_informed_at();
      first.clear_reportable_at();
      InformationSource* source = first.mutable_source();
      source->set_kind(SOURCE_KIND_MEDIA);
      source->set_outlet("黄河新闻网");
      *source->mutable_published_at() = ToProto(learned);
      *source->mutable_learned_at() = ToProto(learned);
    }
  }
  std::stable_sort(
      script.sends.begin(), script.sends.end(),
      [](const Send& a, const Send& b) { return a.at_h < b.at_h; });
  return script;
}

}  // namespace kuaibao::drill
