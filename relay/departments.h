#ifndef KUAIBAO_RELAY_DEPARTMENTS_H_
#define KUAIBAO_RELAY_DEPARTMENTS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "relay/region.h"

namespace kuaibao {

// One department line (deploy/regions/shanxi-departments.csv).
struct Department {
  std::string code;        // "yjglt"
  std::string name;        // the provincial body: 山西省应急管理厅
  std::string local_name;  // its office in a city or county: 应急管理局;
                           // empty when it has none below the province
  std::string kind;        // 组成部门, 直属机构, 部门管理机构 ...
};

// The departments that may run a node (relay/node_id.h). Immutable after
// loading; thread-safe.
class DepartmentTable {
 public:
  // CSV with the header `code,name,local_name,kind`; lines starting with '#'
  // are comments (the source of the data). INVALID_ARGUMENT naming the line
  // for a malformed row, a bad or duplicate code.
  static absl::StatusOr<DepartmentTable> Parse(absl::string_view csv);
  static absl::StatusOr<DepartmentTable> Load(const std::string& path);

  // The department with this code, or nullptr.
  const Department* Find(absl::string_view code) const;
  // OK when `code` names a department that has an office at `region`'s
  // level; INVALID_ARGUMENT saying why.
  absl::Status CheckOffice(absl::string_view code, Level level) const;
  // The node's name in Chinese with its id: "小店区应急管理局
  // (140105000000:yjglt)", "山西省应急管理厅 (140000000000:yjglt)", a
  // government as RegionTable::Describe does; unknown parts stay codes.
  std::string Describe(const RegionTable& regions,
                       absl::string_view node_id) const;

  const std::vector<Department>& departments() const { return departments_; }

 private:
  std::vector<Department> departments_;
  absl::flat_hash_map<std::string, size_t> by_code_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_DEPARTMENTS_H_
