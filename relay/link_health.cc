#include "relay/link_health.h"

#include <algorithm>

namespace kuaibao {

LinkAssessment AssessLink(const LinkSnapshot& link, absl::Time now,
                          absl::Duration stall_after) {
  LinkAssessment result;
  if (!link.connected) {
    if (link.dormant) result.health = LinkHealth::kIdle;
    return result;
  }
  if (link.in_flight == 0) {
    result.health = LinkHealth::kIdle;
    return result;
  }
  // A receipt before the oldest outstanding send says nothing about it.
  result.quiet_since =
      std::max(link.last_receipt_at, link.oldest_in_flight_sent_at);
  result.health = now - result.quiet_since >= stall_after ? LinkHealth::kStalled
                                                          : LinkHealth::kMoving;
  return result;
}

absl::string_view LinkHealthName(LinkHealth health) {
  switch (health) {
    case LinkHealth::kDown:
      return "down";
    case LinkHealth::kIdle:
      return "idle";
    case LinkHealth::kMoving:
      return "moving";
    case LinkHealth::kStalled:
      return "stalled";
  }
  return "unknown";
}

}  // namespace kuaibao
