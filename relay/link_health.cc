#include "relay/link_health.h"

#include <algorithm>

namespace kuaibao {

LinkAssessment AssessLink(const LinkSnapshot& link, absl::Time now,
                          absl::Duration stall_after) {
  LinkAssessment result;
  if (!link.connected) return result;
  if (link.in_flight == 0) {
    result.condition = LinkCondition::kIdle;
    return result;
  }
  // A receipt before the oldest outstanding send says nothing about it.
  result.quiet_since =
      std::max(link.last_receipt_at, link.oldest_in_flight_sent_at);
  result.condition = now - result.quiet_since >= stall_after
                         ? LinkCondition::kStalled
                         : LinkCondition::kMoving;
  return result;
}

absl::string_view LinkConditionName(LinkCondition condition) {
  switch (condition) {
    case LinkCondition::kDown:
      return "down";
    case LinkCondition::kIdle:
      return "idle";
    case LinkCondition::kMoving:
      return "moving";
    case LinkCondition::kStalled:
      return "stalled";
  }
  return "unknown";
}

}  // namespace kuaibao
