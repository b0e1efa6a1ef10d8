#include "node/admin_service.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "node/store_backup.h"
#include "relay/base/log.h"
#include "relay/transport/peer_identity.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

// About this many bytes of entries per message (the reader,
// kuaibao-node backup, takes messages of any size).
constexpr size_t kChunkBytes = 256 << 10;

// Streams one backup: a thread reads the snapshot and hands each chunk over,
// waiting until gRPC has written the one before (at most one in flight).
class BackupReactor : public grpc::ServerWriteReactor<v1::BackupChunk> {
 public:
  BackupReactor(const ReportStore* store, v1::BackupHeader header)
      : reader_([this, store, header = std::move(header)] {
          absl::Status status = ReadBackup(
              *store, header, kChunkBytes,
              [this](v1::BackupChunk chunk) { return Send(std::move(chunk)); });
          Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning,
              "backup streamed",
              {{"code", absl::StatusCodeToString(status.code())},
               {"reason", std::string(status.message())}});
          Finish(ToGrpcStatus(status));
        }) {}

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) broken_ = true;
  }
  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    broken_ = true;
  }
  void OnDone() override {
    // Finish may run OnDone on the reader thread itself.
    if (reader_.get_id() == std::this_thread::get_id()) {
      reader_.detach();
    } else {
      reader_.join();
    }
    delete this;
  }

 private:
  // Called on the reader thread, with no write in flight. False once the
  // call is broken. StartWrite is called without the lock held: gRPC may run
  // OnWriteDone on this thread.
  bool Send(v1::BackupChunk chunk) {
    {
      absl::MutexLock lock(&mu_);
      if (broken_) return false;
      writing_ = true;
    }
    current_ = std::move(chunk);
    StartWrite(&current_);
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !writing_ || broken_;
    };
    mu_.Await(absl::Condition(&idle));
    return !broken_;
  }

  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  // The message being written: gRPC reads it until OnWriteDone.
  v1::BackupChunk current_;
  std::thread reader_;  // last: starts once the rest is ready
};

}  // namespace

AdminService::AdminService(std::string region, std::string data_dir,
                           const ReportStore* store, Clock* clock)
    : region_(std::move(region)),
      data_dir_(std::move(data_dir)),
      store_(store),
      clock_(clock) {}

grpc::ServerWriteReactor<v1::BackupChunk>* AdminService::Backup(
    grpc::CallbackServerContext* context, const v1::BackupRequest*) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  if (caller.ok() &&
      (caller->role != Role::kNode || caller->region != region_)) {
    caller = absl::PermissionDeniedError(absl::StrCat(
        caller->uri, " may not back up node ", region_,
        ": only the node's own certificate may (kuaibao-node backup on its "
        "machine)"));
  }
  if (!caller.ok()) {
    Log(LogLevel::kWarning, "backup refused",
        {{"reason", std::string(caller.status().message())}});
    class Refusal : public grpc::ServerWriteReactor<v1::BackupChunk> {
     public:
      explicit Refusal(const absl::Status& status) {
        Finish(ToGrpcStatus(status));
      }
      void OnDone() override { delete this; }
    };
    return new Refusal(caller.status());
  }
  v1::BackupHeader header;
  header.set_region(region_);
  header.set_data_dir(data_dir_);
  header.set_taken_at_unix_micros(absl::ToUnixMicros(clock_->TimeNow()));
  Log(LogLevel::kInfo, "backup started", {});
  return new BackupReactor(store_, std::move(header));
}

}  // namespace kuaibao
