#ifndef KUAIBAO_CLIENT_REGION_NAMES_H_
#define KUAIBAO_CLIENT_REGION_NAMES_H_

// Region names for people: the 12-digit statistical code a node speaks, and
// the Chinese name its users know. The table (deploy/regions/
// shanxi-2022.csv) is compiled into the binary (client/CMakeLists.txt
// generates region_table_data.cc), so a client needs no file at run time.
// Pure; no gRPC.

#include <string>

#include "absl/strings/string_view.h"
#include "client/locale.h"
#include "relay/departments.h"
#include "relay/region.h"

namespace kuaibao {

// The embedded tables, parsed once on first use (thread-safe).
const RegionTable& EmbeddedRegions();
const DepartmentTable& EmbeddedDepartments();

// The region for a code: the region itself, or for a village (not in the
// table) its township. nullptr for a code the table does not know.
const Region* FindRegion(absl::string_view code);

// "太原市" for "140100000000"; a village's township name; "" when unknown.
// A department node's id ("140105000000:yjglt", relay/node_id.h) names the
// department's office there: "小店区应急管理局", "山西省应急管理厅".
std::string RegionName(absl::string_view code);

// "市" / "city" for the level.
absl::string_view LevelLabel(Level level, Lang lang);

// For a table cell: "太原市 140100000000"; the bare code when the name is
// unknown; "-" when empty. The code stays beside the name because two
// counties in different cities may share a name (e.g. 城区).
std::string RegionLabel(absl::string_view code);

// "太原市 (140100000000)", or the bare code when unknown, with the parent
// city for a county or township ("太原市 小店区 (140105000000)") so a name
// is never ambiguous.
std::string RegionFullLabel(absl::string_view code);

// Who answers for something: a node's region code or a client's identity
// URI, with the region's name in front ("太原市 140100000000",
// "小店区 client/140105001000/duty-1"); ShortIdentity's form when the region
// is unknown.
std::string ResponsibleLabel(absl::string_view responsible);
// Just the region's name for the same ("" when unknown).
std::string ResponsibleName(absl::string_view responsible);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_REGION_NAMES_H_
