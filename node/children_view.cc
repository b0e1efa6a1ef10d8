#include "node/children_view.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

bool IsNodeLevel(const Region& region) {
  return region.level != Level::kVillage;
}

int Badness(v1::ChildCondition c) {
  switch (c) {
    case v1::CHILD_CONDITION_DOWN:
      return 0;
    case v1::CHILD_CONDITION_STALLED:
      return 1;
    default:
      return 2;
  }
}

}  // namespace

std::vector<v1::ChildLink> DirectChildren(const RegionTable& regions,
                                          const std::string& here,
                                          const ChildStreams& streams,
                                          const ClockSkewTracker* skew,
                                          absl::Time now) {
  auto known = streams.Snapshot();
  std::vector<std::string> codes;
  absl::flat_hash_set<std::string> listed;
  for (const Region& region : regions.regions()) {
    if (region.parent == here && IsNodeLevel(region)) {
      // Townships are nodes only where they run one: list those heard from.
      if (region.level == Level::kTownship && !known.contains(region.code)) {
        continue;
      }
      codes.push_back(region.code);
      listed.insert(region.code);
    }
  }
  for (const auto& [code, _] : known) {
    if (!listed.contains(code) && ParentCode(code) == here) {
      codes.push_back(code);
    }
  }
  std::vector<v1::ChildLink> out;
  for (const std::string& code : codes) {
    v1::ChildLink& link = out.emplace_back();
    link.set_region(code);
    link.set_parent(here);
    link.set_depth(1);
    *link.mutable_as_of() = ToProto(now);
    link.set_condition(v1::CHILD_CONDITION_DOWN);
    auto it = known.find(code);
    if (it == known.end()) continue;
    const ChildStreams::Known& k = it->second;
    if (k.last_heard != absl::InfinitePast()) {
      *link.mutable_last_heard() = ToProto(k.last_heard);
    }
    const v1::SubtreeStatus& status = k.status;
    link.set_backlog_reports(status.backlog_reports());
    link.set_backlog_bytes(status.backlog_bytes());
    *link.mutable_oldest_waiting_since() = status.oldest_waiting_since();
    link.set_accepting(status.node().empty() || status.accepting());
    link.set_standby_acting(status.standby_acting());
    if (k.connected) {
      link.set_condition(status.stalled() ? v1::CHILD_CONDITION_STALLED
                                          : v1::CHILD_CONDITION_CONNECTED);
    }
    SkewEstimate estimate;
    if (skew != nullptr && skew->Estimate(code, &estimate)) {
      *link.mutable_clock_skew() = ToDurationProto(estimate.offset);
      link.set_skew_known(true);
    }
  }
  return out;
}

v1::ListChildrenResponse ListChildren(const RegionTable& regions,
                                      const std::string& here,
                                      const ChildStreams& streams,
                                      const ClockSkewTracker* skew,
                                      absl::Time now) {
  v1::ListChildrenResponse response;
  response.set_node(here);
  *response.mutable_now() = ToProto(now);
  auto known = streams.Snapshot();
  for (v1::ChildLink& child :
       DirectChildren(regions, here, streams, skew, now)) {
    auto it = known.find(child.region());
    std::vector<v1::ChildLink> below;
    if (it != known.end()) {
      for (const v1::ChildLink& g : it->second.status.children()) {
        v1::ChildLink& grandchild = below.emplace_back(g);
        grandchild.set_depth(2);
        grandchild.set_parent(child.region());
        // As of the child's report, on this node's clock.
        *grandchild.mutable_as_of() = ToProto(it->second.status_at);
      }
    }
    if (below.empty()) {
      // Never reported (down since this node started): the table's children
      // of the child, unknown.
      for (const Region& region : regions.regions()) {
        if (region.parent == child.region() &&
            (region.level == Level::kCity || region.level == Level::kCounty)) {
          v1::ChildLink& grandchild = below.emplace_back();
          grandchild.set_region(region.code);
          grandchild.set_parent(child.region());
          grandchild.set_depth(2);
          grandchild.set_condition(v1::CHILD_CONDITION_DOWN);
        }
      }
    }
    *response.add_children() = std::move(child);
    for (auto& g : below) *response.add_children() = std::move(g);
  }
  auto* children = response.mutable_children();
  std::stable_sort(children->begin(), children->end(),
                   [](const v1::ChildLink& a, const v1::ChildLink& b) {
                     auto key = [](const v1::ChildLink& l) {
                       absl::Time oldest =
                           IsSet(l.oldest_waiting_since())
                               ? FromProto(l.oldest_waiting_since())
                               : absl::InfiniteFuture();
                       return std::make_tuple(Badness(l.condition()), oldest);
                     };
                     return key(a) < key(b);
                   });
  return response;
}

}  // namespace kuaibao
