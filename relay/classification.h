#ifndef KUAIBAO_RELAY_CLASSIFICATION_H_
#define KUAIBAO_RELAY_CLASSIFICATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "relay/report_types.h"

namespace kuaibao {

// 密级 (classification) rules. Levels are ordered, PUBLIC < INTERNAL < SECRET
// < CONFIDENTIAL < TOP_SECRET; a node or a link cleared for a level takes
// everything at or below it. A report without a classification counts as
// PUBLIC.

// "SECRET", "INTERNAL", ...
std::string ClassificationName(Classification level);

// OK when `report` may go where `cleared` is the limit; PERMISSION_DENIED
// naming the field "classification" otherwise. `where` says what the limit
// belongs to ("this node", "the link to 140100000000"). The message carries
// levels only, never content.
absl::Status CheckCleared(const IncidentReport& report, Classification cleared,
                          absl::string_view where);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_CLASSIFICATION_H_
