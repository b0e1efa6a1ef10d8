#include "client/region_names.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "relay/identity.h"
#include "relay/node_id.h"

namespace kuaibao {

// Generated from deploy/regions/*.csv (region_table_data.cc).
extern const char kEmbeddedRegionsCsv[];
extern const char kEmbeddedDepartmentsCsv[];

const RegionTable& EmbeddedRegions() {
  static const RegionTable* const table = [] {
    absl::StatusOr<RegionTable> parsed =
        RegionTable::Parse(kEmbeddedRegionsCsv);
    // The CSV is checked by region_test and by this parse in every client
    // test; a build that embeds a broken table must not run.
    if (!parsed.ok()) std::abort();
    return new RegionTable(*std::move(parsed));
  }();
  return *table;
}

const DepartmentTable& EmbeddedDepartments() {
  static const DepartmentTable* const table = [] {
    absl::StatusOr<DepartmentTable> parsed =
        DepartmentTable::Parse(kEmbeddedDepartmentsCsv);
    if (!parsed.ok()) std::abort();  // as for the regions above
    return new DepartmentTable(*std::move(parsed));
  }();
  return *table;
}

const Region* FindRegion(absl::string_view code) {
  const RegionTable& table = EmbeddedRegions();
  if (const Region* region = table.Find(code)) return region;
  absl::StatusOr<Level> level = LevelOf(code);
  if (level.ok() && *level == Level::kVillage) {
    return table.Find(ParentCode(code));
  }
  return nullptr;
}

std::string RegionName(absl::string_view code) {
  const Region* region = FindRegion(NodeRegion(code));
  if (region == nullptr) return "";
  const absl::string_view department_code = NodeDepartment(code);
  if (department_code.empty()) return region->name;
  const Department* department = EmbeddedDepartments().Find(department_code);
  if (department == nullptr) return "";
  // The province's own body has the provincial name; below, the line's
  // office after the region's name (DepartmentTable::Describe).
  if (region->level == Level::kProvince || department->local_name.empty()) {
    return department->name;
  }
  return absl::StrCat(region->name, department->local_name);
}

absl::string_view LevelLabel(Level level, Lang lang) {
  switch (level) {
    case Level::kProvince:
      return Say(lang, phrases::kProvince);
    case Level::kCity:
      return Say(lang, phrases::kCity);
    case Level::kCounty:
      return Say(lang, phrases::kCounty);
    case Level::kTownship:
      return Say(lang, phrases::kTownship);
    case Level::kVillage:
      return Say(lang, phrases::kVillage);
  }
  return "";
}

std::string RegionLabel(absl::string_view code) {
  if (code.empty()) return "-";
  const std::string name = RegionName(code);
  if (name.empty()) return std::string(code);
  return absl::StrCat(name, " ", code);
}

std::string RegionFullLabel(absl::string_view code) {
  const Region* region = FindRegion(code);
  if (region == nullptr) return std::string(code);
  // The names from the city down (the province is implied).
  std::vector<std::string> names;
  for (const Region* at = region;
       at != nullptr && at->level != Level::kProvince;
       at = at->parent.empty() ? nullptr : EmbeddedRegions().Find(at->parent)) {
    names.insert(names.begin(), at->name);
  }
  if (names.empty()) names.push_back(region->name);
  return absl::StrCat(absl::StrJoin(names, " "), " (", code, ")");
}

std::string ResponsibleName(absl::string_view responsible) {
  if (CheckNodeId(responsible).ok()) return RegionName(responsible);
  absl::StatusOr<Identity> identity = ParseIdentity(responsible);
  if (!identity.ok()) return "";
  // A department node by its office; a client or auditor by its region's
  // government (its name follows in the label).
  return RegionName(identity->role == Role::kNode ? identity->NodeId()
                                                  : identity->region);
}

std::string ResponsibleLabel(absl::string_view responsible) {
  absl::string_view short_form = responsible;
  absl::ConsumePrefix(&short_form, kIdentityUriPrefix);
  if (short_form.empty()) return "-";
  const std::string name = ResponsibleName(responsible);
  if (name.empty()) return std::string(short_form);
  return absl::StrCat(name, " ", short_form);
}

}  // namespace kuaibao
