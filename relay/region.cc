#include "relay/region.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"

namespace kuaibao {
namespace {

constexpr size_t kCodeLength = 12;

// Significant length of each level, in Level order.
constexpr size_t kSignificant[] = {2, 4, 6, 9, 12};

absl::StatusOr<Level> ParseLevelName(absl::string_view name) {
  for (Level level : {Level::kProvince, Level::kCity, Level::kCounty,
                      Level::kTownship, Level::kVillage}) {
    if (name == LevelName(level)) return level;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown level '", name, "'"));
}

}  // namespace

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kProvince:
      return "province";
    case Level::kCity:
      return "city";
    case Level::kCounty:
      return "county";
    case Level::kTownship:
      return "township";
    case Level::kVillage:
      return "village";
  }
  return "unknown";
}

absl::StatusOr<Level> LevelOf(absl::string_view code) {
  if (code.size() != kCodeLength) {
    return absl::InvalidArgumentError(absl::StrCat("region code '", code,
                                                   "' must be 12 digits, not ",
                                                   code.size(), " characters"));
  }
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat("region code '", code, "' must be 12 digits"));
    }
  }
  size_t significant = code.find_last_not_of('0') + 1;
  if (significant == 0) {
    return absl::InvalidArgumentError("region code must not be all zeros");
  }
  for (size_t i = 0; i < 5; ++i) {
    if (significant <= kSignificant[i]) {
      // Zeros inside a level's digits are fine: "140100" is city 01.
      return static_cast<Level>(i);
    }
  }
  return absl::InvalidArgumentError("unreachable");
}

absl::string_view SignificantPrefix(absl::string_view code) {
  absl::StatusOr<Level> level = LevelOf(code);
  if (!level.ok()) return code;
  return code.substr(0, kSignificant[static_cast<int>(*level)]);
}

bool RegionContains(absl::string_view outer, absl::string_view inner) {
  if (!LevelOf(outer).ok() || !LevelOf(inner).ok()) return false;
  return absl::StartsWith(inner, SignificantPrefix(outer));
}

std::string ParentCode(absl::string_view code) {
  absl::StatusOr<Level> level = LevelOf(code);
  if (!level.ok() || *level == Level::kProvince) return "";
  size_t keep = kSignificant[static_cast<int>(*level) - 1];
  return absl::StrCat(code.substr(0, keep),
                      std::string(kCodeLength - keep, '0'));
}

absl::StatusOr<RegionTable> RegionTable::Parse(absl::string_view csv) {
  RegionTable table;
  std::vector<int> line_of;  // per region, for the parent check's errors
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line_no == 1) continue;  // header
    std::vector<absl::string_view> cols = absl::StrSplit(line, ',');
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("region table line ", line_no, ": ", why));
    };
    if (cols.size() != 4) return fail("expected 4 columns");
    Region region{std::string(cols[0]), Level::kProvince, std::string(cols[2]),
                  std::string(cols[3])};
    absl::StatusOr<Level> level = LevelOf(region.code);
    if (!level.ok()) return fail(level.status().message());
    absl::StatusOr<Level> named = ParseLevelName(cols[1]);
    if (!named.ok()) return fail(named.status().message());
    // County-level functional zones ("140171") and townships coded like
    // villages do not exist in the table's data; a level must match its code.
    if (*named != *level) {
      return fail(absl::StrCat("level '", cols[1], "' does not match code ",
                               region.code));
    }
    region.level = *level;
    if (table.by_code_.contains(region.code)) {
      return fail(absl::StrCat("duplicate code ", region.code));
    }
    table.by_code_[region.code] = table.regions_.size();
    table.regions_.push_back(std::move(region));
    line_of.push_back(line_no);
  }
  for (size_t i = 0; i < table.regions_.size(); ++i) {
    const Region& region = table.regions_[i];
    if (region.parent.empty()) {
      if (region.level != Level::kProvince) {
        return absl::InvalidArgumentError(
            absl::StrCat("region table line ", line_of[i], ": ", region.code,
                         " has no parent"));
      }
      continue;
    }
    if (!table.by_code_.contains(region.parent) ||
        !RegionContains(region.parent, region.code)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "region table line ", line_of[i], ": parent ", region.parent, " of ",
          region.code, " is missing or does not contain it"));
    }
  }
  if (table.regions_.empty()) {
    return absl::InvalidArgumentError("region table is empty");
  }
  return table;
}

absl::StatusOr<RegionTable> RegionTable::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, "region table"));
  absl::StatusOr<RegionTable> table = Parse(text);
  if (!table.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", table.status().message()));
  }
  return table;
}

const Region* RegionTable::Find(absl::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &regions_[it->second];
}

absl::Status RegionTable::CheckKnown(absl::string_view code) const {
  ASSIGN_OR_RETURN(Level level, LevelOf(code));
  std::string lookup(code);
  if (level == Level::kVillage) lookup = ParentCode(code);
  if (Find(lookup) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("region code ", code, " is not in the region table"));
  }
  return absl::OkStatus();
}

std::string RegionTable::Describe(absl::string_view code) const {
  const Region* region = Find(code);
  if (region == nullptr) return std::string(code);
  return absl::StrCat(region->name, " (", code, ")");
}

}  // namespace kuaibao
