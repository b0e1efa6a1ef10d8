#ifndef KUAIBAO_NODE_CHILDREN_VIEW_H_
#define KUAIBAO_NODE_CHILDREN_VIEW_H_

// The links of the nodes below this one (Monitor.ListChildren), and what this
// node reports up about itself (SubtreeStatus).
//
// Children come from what the parent itself sees (their relay streams, when
// it last heard from them, its estimate of their clocks); their backlog and
// their own children come from the SubtreeStatus each child sends up its
// stream every few seconds. So the province sees its cities first-hand and
// its counties as the cities last reported them. A township is not a node in
// every deployment; a county lists its townships only when they connect.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kuaibao/v1/children.pb.h"
#include "node/child_streams.h"
#include "relay/clock_skew.h"
#include "relay/region.h"

namespace kuaibao {

// The region table's children of `here` (one level down) that are nodes,
// plus any other node below that connected, each with its link as known
// here (depth 1). `skew` may be nullptr.
std::vector<v1::ChildLink> DirectChildren(const RegionTable& regions,
                                          const std::string& here,
                                          const ChildStreams& streams,
                                          const ClockSkewTracker* skew,
                                          absl::Time now);

// Children and grandchildren, worst first: down, stalled, then the oldest
// waiting report first.
v1::ListChildrenResponse ListChildren(const RegionTable& regions,
                                      const std::string& here,
                                      const ChildStreams& streams,
                                      const ClockSkewTracker* skew,
                                      absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CHILDREN_VIEW_H_
