#ifndef KUAIBAO_RELAY_REGION_H_
#define KUAIBAO_RELAY_REGION_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kuaibao {

// Administrative levels, from the top. The level of a 12-digit statistical
// division code follows from its significant length: 2 (province), 4 (city),
// 6 (county), 9 (township), 12 (village).
enum class Level { kProvince, kCity, kCounty, kTownship, kVillage };

absl::string_view LevelName(Level level);

// The level of a 12-digit code: the shortest level whose digits hold all of
// the code's non-zero digits. INVALID_ARGUMENT when the code is not 12 digits
// or is all zeros.
absl::StatusOr<Level> LevelOf(absl::string_view code);

// The significant prefix of a well-formed code: "14" for "140000000000".
absl::string_view SignificantPrefix(absl::string_view code);

// True when `inner` lies inside (or is) `outer`: a prefix test on `outer`'s
// significant digits. Both must be well-formed codes.
bool RegionContains(absl::string_view outer, absl::string_view inner);

// The code of the level above (`140105001000` → `140105000000`); empty for a
// province.
std::string ParentCode(absl::string_view code);

struct Region {
  std::string code;
  Level level;
  std::string name;
  std::string parent;  // empty for the province
};

// The region table shipped with the project (deploy/regions/): which codes
// exist, their names and parents. Immutable after loading; thread-safe.
class RegionTable {
 public:
  // Parses CSV text with the header `code12,level,name,parent_code12`.
  // INVALID_ARGUMENT naming the line for a malformed row, a duplicate code, a
  // level that contradicts the code, or a parent that is missing.
  static absl::StatusOr<RegionTable> Parse(absl::string_view csv);
  // Reads and parses a file.
  static absl::StatusOr<RegionTable> Load(const std::string& path);

  // The region with this code, or nullptr.
  const Region* Find(absl::string_view code) const;
  // OK when `code` is well-formed and names a known region (a village code
  // is known when its township is); INVALID_ARGUMENT otherwise, saying why.
  absl::Status CheckKnown(absl::string_view code) const;
  // "太原市 (140100000000)", or the bare code when unknown.
  std::string Describe(absl::string_view code) const;

  size_t size() const { return regions_.size(); }
  // Every region, in the order of the table.
  const std::vector<Region>& regions() const { return regions_; }

 private:
  std::vector<Region> regions_;
  absl::flat_hash_map<std::string, size_t> by_code_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_REGION_H_
