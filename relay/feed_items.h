#ifndef KUAIBAO_RELAY_FEED_ITEMS_H_
#define KUAIBAO_RELAY_FEED_ITEMS_H_

// The items of the node's feed (kuaibao/v1/feed.proto), built from what the
// node records; each goes into the write of the thing it records
// (StoreBatch::Record).

#include <string>

#include "absl/time/time.h"
#include "kuaibao/v1/feed.pb.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

v1::FeedItem ArrivalItem(const StoredReport& stored, absl::Time now);
// `region`: the region the deadline is about (its report's or event's).
v1::FeedItem DeadlineItem(const DeadlineStatus& deadline,
                          const std::string& region, absl::Time now);
v1::FeedItem InstructionItem(const Instruction& instruction, absl::Time now);
v1::FeedItem FeedbackItem(const Feedback& feedback, const std::string& event_id,
                          absl::Time now);
// `region`: the peer's for a child link, this node's for an upstream link.
v1::FeedItem LinkItem(v1::LinkSide side, const std::string& peer,
                      v1::LinkState state, const std::string& detail,
                      const std::string& region, absl::Time now);

// Records `item` in a write of its own (for what the node records nowhere
// else: link changes); a failed write is logged.
void RecordAlone(ReportStore* store, v1::FeedItem item);

// Whether a watcher asking for `grades` (empty: everything) gets `item`.
bool MatchesGrades(const v1::FeedItem& item,
                   const google::protobuf::RepeatedField<int>& grades);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_FEED_ITEMS_H_
