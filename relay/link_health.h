#ifndef KUAIBAO_RELAY_LINK_HEALTH_H_
#define KUAIBAO_RELAY_LINK_HEALTH_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kuaibao {

// What a forwarder knows about its link to one upstream, at one moment.
struct LinkSnapshot {
  bool connected = false;
  // An on-demand link (escalation, the direct route) closed because it has
  // nothing to send: idle, not down, until it has something to carry.
  bool dormant = false;
  absl::Time connected_since = absl::InfinitePast();
  // Reports sent on the current stream and not yet acknowledged.
  size_t in_flight = 0;
  // When the longest-outstanding of them was sent.
  absl::Time oldest_in_flight_sent_at = absl::InfinitePast();
  // When the last receipt was recorded (InfinitePast: none yet).
  absl::Time last_receipt_at = absl::InfinitePast();
  // Since the forwarder started: reports sent (resends included), receipts
  // recorded, refusals recorded (the report is held here).
  uint64_t sent = 0;
  uint64_t acknowledged = 0;
  uint64_t refused = 0;
  // Reads of this link's outbox (RelayEngine::NextOutbound) since the
  // forwarder started: a dormant link makes none until it is woken.
  uint64_t outbox_reads = 0;
  // Of `sent`: sent by the write that queued them, the link being idle
  // (Forwarder::Offer), without waking the link's own thread.
  uint64_t sent_on_write = 0;
};

enum class LinkHealth {
  kDown,     // not connected, and something (or everything) to send
  kIdle,     // connected with nothing in flight, or dormant
  kMoving,   // in flight, and a receipt within the stall threshold
  kStalled,  // in flight, and no receipt for longer than the threshold
};

struct LinkAssessment {
  LinkHealth health = LinkHealth::kDown;
  // Moving or stalled: since when nothing was acknowledged while reports
  // were outstanding (the later of the last receipt and the oldest send).
  absl::Time quiet_since = absl::InfinitePast();
};

// Judges a link by progress, not by connection state: a connected link that
// has had reports outstanding and seen no receipt for `stall_after` is
// stalled. A pure function of the snapshot and `now`.
LinkAssessment AssessLink(const LinkSnapshot& link, absl::Time now,
                          absl::Duration stall_after);

// "down", "idle", "moving", "stalled".
absl::string_view LinkHealthName(LinkHealth health);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_LINK_HEALTH_H_
