#include "node/deadline_loop.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "relay/base/log.h"
#include "relay/proto_time.h"

namespace kuaibao {

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
