#ifndef KUAIBAO_TESTS_TESTING_HOP_BUILDER_H_
#define KUAIBAO_TESTS_TESTING_HOP_BUILDER_H_

#include <string>

#include "absl/time/time.h"
#include "relay/proto_time.h"
#include "relay/report_types.h"

namespace kuaibao::testing {

// Appends a hop at `node` to `hops`: received (and stored) at `in`, passed to
// `next` at `out` when `next` is not empty.
inline HopRecord* AddHopTo(google::protobuf::RepeatedPtrField<HopRecord>* hops,
                           const std::string& node, absl::Time in,
                           const std::string& next = "",
                           absl::Time out = absl::InfinitePast()) {
  HopRecord* hop = hops->Add();
  hop->set_node(node);
  *hop->mutable_received_at() = ToProto(in);
  *hop->mutable_stored_at() = ToProto(in);
  if (!next.empty()) {
    Forwarding* f = hop->add_forwarded();
    f->set_to(next);
    f->set_route(ROUTE_PARENT);
    *f->mutable_sent_at() = ToProto(out);
  }
  return hop;
}

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_HOP_BUILDER_H_
