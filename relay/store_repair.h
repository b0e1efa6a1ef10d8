#ifndef KUAIBAO_RELAY_STORE_REPAIR_H_
#define KUAIBAO_RELAY_STORE_REPAIR_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuaibao/v1/ledger.pb.h"
#include "relay/outbox.h"
#include "relay/store/log_scrubber.h"

namespace kuaibao {

struct RepairSummary {
  // Log records dropped because their checksums failed.
  ScrubResult scrub;
  // Reports left in the store.
  uint64_t reports = 0;
  // Keys whose values no longer decode; removed.
  std::vector<std::string> undecodable;
  // Reports queued again, by upstream: no receipt recorded from it, and
  // neither queued nor held any more.
  std::map<std::string, uint64_t> requeued;
  // Queue entries whose report is gone; removed.
  uint64_t dangling = 0;
  // Each upstream's queue afterwards.
  std::map<std::string, Outbox::Summary> queues;
  // Each origin's numbers afterwards; gaps include what the damage took.
  std::vector<OriginRecord> origins;
};

// A link whose queue a repair rebuilds, and which reports it queues again
// when they have no receipt from it and are neither queued nor held.
struct RepairLink {
  enum Requeue {
    // Every report, except those that came from the other node of this
    // region (relay/standby_links.h: that node forwards them): a primary's
    // parent, and the link to the region's other node.
    kEvery,
    // Only those that were on their way there (a forwarding record): the
    // levels above, the upstreams' standbys, a standby's parent (it forwards
    // only while it acts).
    kOnTheirWay,
  };
  std::string link;
  Requeue requeue = kEvery;
};

// Repairs the store in `dir` (ReportStore::Repair: scrub the logs, then
// LevelDB's RepairDB) and makes what survived consistent again, so that the
// next start resends everything the upstreams have not acknowledged:
//  - values that no longer decode are removed (and listed);
//  - for each of `links`, the reports its rule names that have no receipt
//    recorded from it, and are neither queued nor held for it, are queued
//    again (the upstream dedups);
//  - queue entries whose report is gone are removed;
//  - the origin ledger is rebuilt from the reports that are left, keeping
//    high-water marks, so numbers lost in the damage show as gaps here.
// `dir` must not be in use; the caller keeps a copy of it first.
absl::StatusOr<RepairSummary> RepairStore(const std::string& dir,
                                          const std::vector<RepairLink>& links,
                                          absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STORE_REPAIR_H_
