#include "node/crl_monitor.h"

#include "node/crl_directory.h"
#include "relay/base/files.h"
#include "relay/base/log.h"
#include "relay/base/status_macros.h"

namespace kuaibao {

CrlMonitor::CrlMonitor(Options options, Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

CrlMonitor::~CrlMonitor() { Shutdown(); }

absl::Status CrlMonitor::CheckNow() {
  // Read afresh each time: the certificate and the bundle may have been
  // renewed since the start.
  ASSIGN_OR_RETURN(std::string ca, ReadFileToString(options_.ca_file, "CA"));
  ASSIGN_OR_RETURN(std::string chain,
                   ReadFileToString(options_.cert_file, "certificate"));
  ASSIGN_OR_RETURN(CrlDirectory crls,
                   CrlDirectory::Read(options_.crl_dir, ca, chain));
  absl::Time now = clock_->TimeNow();
  absl::Status current = crls.CheckCurrent(now);
  for (const std::string& warning : crls.Warnings(now, options_.warn_before)) {
    Log(current.ok() ? LogLevel::kWarning : LogLevel::kError,
        "certificate revocation list", {{"problem", warning}});
  }
  return current;
}

void CrlMonitor::Start() {
  thread_ = std::thread([this] { Run(); });
}

void CrlMonitor::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void CrlMonitor::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
      if (stopping_) return;
    }
    absl::Status status = CheckNow();
    if (!status.ok()) {
      Log(LogLevel::kError, "revocation checks are failing",
          {{"code", absl::StatusCodeToString(status.code())},
           {"reason", std::string(status.message())}});
    }
  }
}

}  // namespace kuaibao
