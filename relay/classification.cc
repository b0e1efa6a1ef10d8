#include "relay/classification.h"

#include "absl/strings/str_cat.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

Classification Effective(Classification level) {
  return level == CLASSIFICATION_UNSPECIFIED ? CLASSIFICATION_PUBLIC : level;
}

}  // namespace

std::string ClassificationName(Classification level) {
  const std::string& name = Classification_Name(Effective(level));
  constexpr absl::string_view kPrefix = "CLASSIFICATION_";
  if (name.empty()) return absl::StrCat(static_cast<int>(level));
  return name.substr(kPrefix.size());
}

absl::Status CheckCleared(const IncidentReport& report, Classification cleared,
                          absl::string_view where) {
  Classification level = Effective(report.classification());
  if (level <= Effective(cleared)) return absl::OkStatus();
  return FieldError(
      absl::StatusCode::kPermissionDenied, "classification",
      absl::StrCat("a ", ClassificationName(level), " report is above what ",
                   where, " is cleared for (", ClassificationName(cleared),
                   ")"));
}

}  // namespace kuaibao
