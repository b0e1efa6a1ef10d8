#include "relay/departments.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"
#include "relay/node_id.h"

namespace kuaibao {

absl::StatusOr<DepartmentTable> DepartmentTable::Parse(absl::string_view csv) {
  DepartmentTable table;
  int line_no = 0;
  bool header = true;
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("department table line ", line_no, ": ", why));
    };
    if (header) {
      if (line != "code,name,local_name,kind") {
        return fail("the header must be code,name,local_name,kind");
      }
      header = false;
      continue;
    }
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    if (cols.size() != 4) return fail("expected 4 columns");
    if (!ValidDepartmentCode(cols[0])) {
      return fail(absl::StrCat("code '", cols[0],
                               "' must be 1-16 lowercase letters and digits"));
    }
    if (cols[1].empty()) return fail("name is empty");
    if (table.by_code_.contains(cols[0])) {
      return fail(absl::StrCat("duplicate code ", cols[0]));
    }
    table.by_code_[cols[0]] = table.departments_.size();
    table.departments_.push_back(
        Department{cols[0], cols[1], cols[2], cols[3]});
  }
  if (table.departments_.empty()) {
    return absl::InvalidArgumentError("department table is empty");
  }
  return table;
}

absl::StatusOr<DepartmentTable> DepartmentTable::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text,
                   ReadFileToString(path, "department table"));
  absl::StatusOr<DepartmentTable> table = Parse(text);
  if (!table.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", table.status().message()));
  }
  return table;
}

const Department* DepartmentTable::Find(absl::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &departments_[it->second];
}

absl::Status DepartmentTable::CheckOffice(absl::string_view code,
                                          Level level) const {
  const Department* d = Find(code);
  if (d == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("department '", code, "' is not in the department table"));
  }
  if (level == Level::kTownship || level == Level::kVillage) {
    return absl::InvalidArgumentError(
        absl::StrCat("department '", code,
                     "': departments run nodes at the province, "
                     "cities and counties only"));
  }
  if (level != Level::kProvince && d->local_name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        d->name, " (", code, ") has no office below the province"));
  }
  return absl::OkStatus();
}

std::string DepartmentTable::Describe(const RegionTable& regions,
                                      absl::string_view node_id) const {
  const absl::string_view code = NodeDepartment(node_id);
  if (code.empty()) return regions.Describe(node_id);
  const Department* d = Find(code);
  const Region* region = regions.Find(NodeRegion(node_id));
  if (d == nullptr || region == nullptr) return std::string(node_id);
  if (region->level == Level::kProvince || d->local_name.empty()) {
    return absl::StrCat(d->name, " (", node_id, ")");
  }
  return absl::StrCat(region->name, d->local_name, " (", node_id, ")");
}

}  // namespace kuaibao
