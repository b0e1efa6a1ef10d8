#include "node/node_monitor.h"

#include <grpcpp/health_check_service_interface.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "node/disk_usage.h"
#include "relay/base/log.h"
#include "relay/feed_items.h"

namespace kuaibao {
namespace {

v1::LinkState FeedState(LinkHealth health) {
  switch (health) {
    case LinkHealth::kDown:
      return v1::LINK_STATE_DOWN;
    case LinkHealth::kStalled:
      return v1::LINK_STATE_STALLED;
    default:
      return v1::LINK_STATE_CONNECTED;
  }
}

}  // namespace
namespace {

std::string Ago(absl::Duration d) {
  return absl::FormatDuration(absl::Trunc(d, absl::Seconds(1)));
}

}  // namespace

NodeMonitor::NodeMonitor(Options options, RelayEngine* relay,
                         AdmissionControl* admission,
                         std::vector<const Forwarder*> links,
                         grpc::HealthCheckServiceInterface* health,
                         Clock* clock)
    : options_(std::move(options)),
      relay_(relay),
      admission_(admission),
      links_(std::move(links)),
      health_(health),
      clock_(clock),
      conditions_(links_.size(), LinkHealth::kDown) {}

NodeMonitor::~NodeMonitor() { Shutdown(); }

void NodeMonitor::Start() {
  Check();
  thread_ = std::thread([this] {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        if (mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                                 options_.interval)) {
          return;
        }
      }
      Check();
    }
  });
}

void NodeMonitor::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void NodeMonitor::Check() {
  absl::StatusOr<AdmissionControl::Usage> usage =
      MeasureDisk(options_.data_dir);
  if (usage.ok()) {
    usage->backlog_bytes = relay_->backlog_bytes();
    admission_->Update(*usage);
  } else {
    Log(LogLevel::kWarning, "cannot measure the store's disk",
        {{"reason", std::string(usage.status().message())}});
  }
  // The engine's one answer (reopening a store stopped by a failed write
  // once there is room again).
  const absl::Status refusal = relay_->RecheckIntake();
  const bool accepting = refusal.ok();

  std::vector<LinkAssessment> links;
  absl::Time now = clock_->TimeNow();
  for (const Forwarder* link : links_) {
    links.push_back(AssessLink(link->Snapshot(), now, options_.stall_after));
  }

  absl::MutexLock lock(&mu_);
  if (!published_ || accepting != accepting_) {
    const bool first = !published_;
    published_ = true;
    accepting_ = accepting;
    if (health_ != nullptr) {
      health_->SetServingStatus(v1::Intake::service_full_name(), accepting);
      health_->SetServingStatus(v1::Relay::service_full_name(), accepting);
    }
    if (accepting && first) {
      // Nothing to announce: taking reports is the normal state.
    } else if (accepting) {
      Log(LogLevel::kInfo, "taking new reports again");
    } else {
      Log(LogLevel::kError, "not taking new reports",
          {{"code", absl::StatusCodeToString(refusal.code())},
           {"reason", std::string(refusal.message())}});
    }
  }
  for (size_t i = 0; i < links.size(); ++i) {
    LinkHealth was = conditions_[i];
    LinkHealth is = links[i].health;
    conditions_[i] = is;
    const std::string& upstream = links_[i]->options().upstream;
    if (FeedState(is) != FeedState(was)) {
      relay_->RecordInFeed(LinkItem(
          v1::LINK_SIDE_UPSTREAM, upstream, FeedState(is),
          std::string(LinkHealthName(is)), relay_->options().region, now));
    }
    if (is == LinkHealth::kStalled && was != LinkHealth::kStalled) {
      Log(LogLevel::kError,
          "upstream link stalled: connected, but no receipt for reports in "
          "flight",
          {{"upstream", upstream},
           {"quiet_for", Ago(now - links[i].quiet_since)}});
    } else if (was == LinkHealth::kStalled && is != LinkHealth::kStalled) {
      Log(LogLevel::kInfo, "upstream link no longer stalled",
          {{"upstream", upstream}, {"now", std::string(LinkHealthName(is))}});
    }
  }
}

}  // namespace kuaibao
