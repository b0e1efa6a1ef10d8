#ifndef KUAIBAO_NODE_CLOCK_WATCH_H_
#define KUAIBAO_NODE_CLOCK_WATCH_H_

// Feeds the relay stream's timestamps into the node's ClockSkewTracker and
// logs a warning when a neighbour's clock (or this node's own, as its parent's
// receipts show) goes beyond the bound, and again when it is back within.

#include <string>

#include "absl/time/time.h"
#include "relay/clock_skew.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// Wraps `done` for a report `child` relayed to `here`: once it is stored
// (not a duplicate), the child's send time and this node's arrival time make
// a sample. `skew` is borrowed and may be nullptr (then `done` is returned).
RelayEngine::ReceiptCallback WatchArrival(ClockSkewTracker* skew,
                                          const std::string& child,
                                          const std::string& here,
                                          const StoredReport& relayed,
                                          RelayEngine::ReceiptCallback done);

// A receipt from `upstream` for a report sent at `sent`, arrived at
// `arrived` (this node's clock).
void WatchReceipt(ClockSkewTracker* skew, const std::string& upstream,
                  absl::Time sent, const Receipt& receipt, absl::Time arrived);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CLOCK_WATCH_H_
