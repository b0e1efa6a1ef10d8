#include "node/watch_reactor.h"

#include <deque>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "relay/base/log.h"
#include "relay/feed_items.h"
#include "relay/region.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

constexpr size_t kPage = 256;

class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchResponse> {
 public:
  WatchReactor(const RelayEngine* relay, FeedHub* hub, Identity caller,
               const v1::WatchRequest& request)
      : relay_(relay),
        hub_(hub),
        caller_(std::move(caller)),
        grades_(request.grades()),
        cursor_(request.from_now() ? relay->last_feed_cursor()
                                   : request.since()) {
    subscription_ =
        hub_->Subscribe(kWatchQueueCapacity, [this] { Pump(false); });
    Pump(true);
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) {
        // The call is over (cancelled or broken); it must still be
        // finished for OnDone to follow.
        FinishLocked(grpc::Status::CANCELLED);
        return;
      }
    }
    Pump(true);
  }

  void OnCancel() override { Stop(grpc::Status::CANCELLED); }

  void OnDone() override {
    hub_->Unsubscribe(subscription_);
    delete this;
  }

 private:
  // Writes the next item, if there is one and no write is under way.
  // `may_read`: the caller is a gRPC thread (not the store's writer), so it
  // may read the store.
  void Pump(bool may_read) {
    absl::MutexLock lock(&mu_);
    if (writing_ || stopped_) return;
    for (;;) {
      if (ready_.empty() && catching_up_) {
        if (!may_read) return;  // the next gRPC callback reads on
        absl::StatusOr<std::vector<v1::FeedItem>> page =
            relay_->ReadFeed(cursor_, kPage);
        if (!page.ok()) {
          FinishLocked(ToGrpcStatus(page.status()));
          return;
        }
        for (auto& item : *page) ready_.push_back(std::move(item));
        // A short page is the end of what is written: what follows comes
        // through the queue (subscribed before this read), unless the queue
        // overflowed meanwhile; then what it dropped is in the store.
        if (page->size() < kPage) {
          bool behind = false;
          std::deque<v1::FeedItem> live = subscription_->Take(&behind);
          if (!behind) {
            catching_up_ = false;
            for (auto& item : live) ready_.push_back(std::move(item));
          }
        }
        if (ready_.empty()) continue;
      }
      if (ready_.empty()) {
        bool behind = false;
        std::deque<v1::FeedItem> live = subscription_->Take(&behind);
        if (behind) {
          FinishLocked(grpc::Status(
              grpc::StatusCode::ABORTED,
              absl::StrCat("this watcher fell behind the node's record by "
                           "more than ",
                           kWatchQueueCapacity,
                           " items; resume with since=", cursor_)));
          return;
        }
        if (live.empty()) return;
        ready_ = std::move(live);
      }
      v1::FeedItem item = std::move(ready_.front());
      ready_.pop_front();
      if (item.cursor() <= cursor_) continue;  // read from the store already
      cursor_ = item.cursor();
      if (!RegionContains(caller_.region, item.region()) ||
          !MatchesGrades(item, grades_)) {
        continue;
      }
      response_.set_cursor(item.cursor());
      *response_.mutable_item() = std::move(item);
      writing_ = true;
      StartWrite(&response_);
      return;
    }
  }

  void Stop(const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    FinishLocked(status);
  }

  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (stopped_) return;
    stopped_ = true;
    Finish(status);
  }

  const RelayEngine* const relay_;
  FeedHub* const hub_;
  const Identity caller_;
  const google::protobuf::RepeatedField<int> grades_;
  std::shared_ptr<FeedHub::Subscription> subscription_;

  absl::Mutex mu_;
  uint64_t cursor_ ABSL_GUARDED_BY(mu_);
  bool catching_up_ ABSL_GUARDED_BY(mu_) = true;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<v1::FeedItem> ready_ ABSL_GUARDED_BY(mu_);
  v1::WatchResponse response_ ABSL_GUARDED_BY(mu_);
};

class RefusedWatchReactor final
    : public grpc::ServerWriteReactor<v1::WatchResponse> {
 public:
  explicit RefusedWatchReactor(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchResponse>* RefusedWatch(
    const grpc::Status& status) {
  return new RefusedWatchReactor(status);
}

grpc::ServerWriteReactor<v1::WatchResponse>* NewWatchReactor(
    const RelayEngine* relay, FeedHub* hub, Identity caller,
    const v1::WatchRequest& request) {
  return new WatchReactor(relay, hub, std::move(caller), request);
}

}  // namespace kuaibao
