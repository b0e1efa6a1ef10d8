#include "node/deadline_loop.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "relay/base/log.h"
#include "relay/feed_items.h"
#include "relay/proto_time.h"
#include "relay/store/keys.h"

namespace kuaibao {
namespace {

// Where the feed keeps the last state it recorded of each deadline, so that a
// restart (which evaluates every deadline afresh) records no change twice.
std::string FeedStateKey(const DeadlineStatus& s) {
  return keys::FedDeadlineState(DeadlineRule_Name(s.rule()), s.report_id(),
                                s.event_id(), s.responsible());
}

bool Watched(DeadlineState state) {
  return state == DEADLINE_STATE_AT_RISK || state == DEADLINE_STATE_OVERDUE ||
         state == DEADLINE_STATE_MET_LATE;
}

// The region a deadline is about: its report's, or its event's.
std::string RegionOf(const ReportStore& store, const DeadlineStatus& s,
                     const std::string& fallback) {
  if (!s.report_id().empty()) {
    absl::StatusOr<StoredReport> stored = store.GetReport(s.report_id());
    if (stored.ok()) return stored->report().location().region_code();
  }
  absl::StatusOr<std::string> event =
      store.Get(ReportStore::EventKey(s.event_id()));
  EventRecord record;
  if (event.ok() && record.ParseFromString(*event)) return record.region_code();
  return fallback;
}

}  // namespace

DeadlineLoop::DeadlineLoop(RelayEngine* engine, Clock* clock,
                           const DeadlinePolicy& policy)
    : engine_(engine),
      clock_(clock),
      tick_(std::clamp(
          std::min({policy.per_hop, policy.direct_to_province,
                    policy.brief_to_detailed, policy.unit_to_local}) /
              20,
          absl::Milliseconds(100), absl::Seconds(1))) {}

void DeadlineLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void DeadlineLoop::Shutdown() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void DeadlineLoop::Run() {
  while (!stop_.WaitForNotificationWithTimeout(tick_)) {
    if (also_) also_(clock_->TimeNow());
    absl::StatusOr<std::vector<DeadlineStatus>> changed =
        engine_->CheckDeadlines(clock_->TimeNow());
    if (!changed.ok()) {
      Log(LogLevel::kError, "cannot check deadlines",
          {{"reason", std::string(changed.status().message())}});
      continue;
    }
    RecordInFeed(*changed);
    for (const DeadlineStatus& s : *changed) {
      LogLevel level = s.state() == DEADLINE_STATE_OVERDUE ? LogLevel::kError
                       : s.state() == DEADLINE_STATE_AT_RISK ||
                               s.state() == DEADLINE_STATE_MET_LATE
                           ? LogLevel::kWarning
                           : LogLevel::kInfo;
      // Only news: a deadline on time or met on time is no log line (one
      // per report would flood the log under load).
      if (level == LogLevel::kInfo) continue;
      Log(level, "deadline",
          {{"rule", DeadlineRule_Name(s.rule())},
           {"state", DeadlineState_Name(s.state())},
           {"report_id", s.report_id()},
           {"event_id", s.event_id()},
           {"responsible", s.responsible()},
           {"due", absl::FormatTime(FromProto(s.due()))},
           {"drill", s.drill() ? "true" : "false"}});
    }
  }
}

}  // namespace kuaibao

namespace kuaibao {

void DeadlineLoop::RecordInFeed(const std::vector<DeadlineStatus>& changed) {
  ReportStore& store = engine_->store();
  StoreBatch batch;
  absl::Time now = clock_->TimeNow();
  for (const DeadlineStatus& s : changed) {
    if (!Watched(s.state())) continue;
    std::string key = FeedStateKey(s);
    std::string state = DeadlineState_Name(s.state());
    absl::StatusOr<std::string> recorded = store.Get(key);
    if (recorded.ok() && *recorded == state) continue;
    batch.Put(key, state);
    batch.Record(
        DeadlineItem(s, RegionOf(store, s, engine_->options().region), now));
  }
  if (batch.empty()) return;
  absl::Status written = store.CommitAndWait(std::move(batch));
  if (!written.ok()) {
    Log(LogLevel::kError, "cannot record deadline changes in the feed",
        {{"reason", std::string(written.message())}});
  }
}

}  // namespace kuaibao
