#include "relay/feed_items.h"

#include <algorithm>

#include "relay/base/log.h"
#include "relay/deadlines.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

v1::FeedItem Item(const std::string& region, absl::Time now) {
  v1::FeedItem item;
  item.set_region(region);
  *item.mutable_recorded_at() = ToProto(now);
  return item;
}

}  // namespace

v1::FeedItem ArrivalItem(const StoredReport& stored, absl::Time now) {
  const IncidentReport& report = stored.report();
  v1::FeedItem item = Item(report.location().region_code(), now);
  v1::ReportArrival* arrival = item.mutable_report();
  arrival->set_report_id(report.report_id());
  arrival->set_event_id(report.event_id());
  arrival->set_event_seq(report.event_seq());
  arrival->set_kind(report.kind());
  arrival->set_status(report.status());
  arrival->set_category(report.category());
  arrival->set_grade(report.grade());
  arrival->set_sensitive(report.sensitivity_size() > 0);
  arrival->set_region_code(report.location().region_code());
  const HopRecord& hop = *stored.hops().rbegin();
  arrival->set_from(hop.received_from());
  arrival->set_headline(report.headline());
  *arrival->mutable_occurred_at() = report.occurred_at();
  return item;
}

v1::FeedItem DeadlineItem(const DeadlineStatus& deadline,
                          const std::string& region, absl::Time now) {
  v1::FeedItem item = Item(region, now);
  *item.mutable_deadline()->mutable_deadline() = deadline;
  return item;
}

v1::FeedItem InstructionItem(const Instruction& instruction, absl::Time now) {
  v1::FeedItem item = Item(instruction.target_region(), now);
  *item.mutable_instruction()->mutable_instruction() = instruction;
  return item;
}

v1::FeedItem FeedbackItem(const Feedback& feedback, const std::string& event_id,
                          absl::Time now) {
  v1::FeedItem item = Item(feedback.from_node(), now);
  *item.mutable_feedback()->mutable_feedback() = feedback;
  item.mutable_feedback()->set_event_id(event_id);
  return item;
}

v1::FeedItem LinkItem(v1::LinkSide side, const std::string& peer,
                      v1::LinkState state, const std::string& detail,
                      const std::string& region, absl::Time now) {
  v1::FeedItem item = Item(region, now);
  v1::LinkChange* link = item.mutable_link();
  link->set_side(side);
  link->set_peer(peer);
  link->set_state(state);
  link->set_detail(detail);
  return item;
}

void RecordAlone(ReportStore* store, v1::FeedItem item) {
  StoreBatch batch;
  batch.Record(std::move(item));
  store->Commit(std::move(batch), [](absl::Status status) {
    if (!status.ok()) {
      Log(LogLevel::kError, "cannot record a link change in the feed",
          {{"reason", std::string(status.message())}});
    }
  });
}

bool MatchesGrades(const v1::FeedItem& item,
                   const google::protobuf::RepeatedField<int>& grades) {
  if (grades.empty()) return true;
  if (!item.has_report()) return false;
  return std::find(grades.begin(), grades.end(), item.report().grade()) !=
         grades.end();
}

}  // namespace kuaibao
