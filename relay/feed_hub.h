#ifndef KUAIBAO_RELAY_FEED_HUB_H_
#define KUAIBAO_RELAY_FEED_HUB_H_

// Hands the node's feed items (ReportStore's record, StoreBatch::Record) to
// the live watchers as they are written. Each watcher gets a bounded queue:
// the store's writer thread only appends to it and never waits for a
// watcher, so a slow or silent watcher cannot slow the relay. A watcher whose
// queue is full is marked behind, its queue dropped; it resumes from its
// cursor by reading the store (ReportStore::ReadFeed).

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "kuaibao/v1/feed.pb.h"

namespace kuaibao {

class FeedHub {
 public:
  class Subscription {
   public:
    Subscription(size_t capacity, std::function<void()> wake)
        : capacity_(capacity), wake_(std::move(wake)) {}
    // What was published since the last Take, oldest first; `behind` is set
    // (and nothing returned) when more came than the queue holds.
    std::deque<v1::FeedItem> Take(bool* behind);

   private:
    friend class FeedHub;
    // False when the queue overflowed.
    bool Offer(const std::vector<v1::FeedItem>& items);

    const size_t capacity_;
    const std::function<void()> wake_;
    absl::Mutex mu_;
    std::deque<v1::FeedItem> queue_ ABSL_GUARDED_BY(mu_);
    bool behind_ ABSL_GUARDED_BY(mu_) = false;
  };

  // A new watcher: items published from now on go to its queue (at most
  // `capacity`), and `wake` is called (on the publishing thread, must not
  // block nor call back into the hub) whenever something was added or the
  // queue overflowed.
  std::shared_ptr<Subscription> Subscribe(size_t capacity,
                                          std::function<void()> wake);
  // After this returns, `wake` of `subscription` is never called again.
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);
  // Called by the store's writer thread after the write of `items`.
  void Publish(const std::vector<v1::FeedItem>& items);
  size_t watchers() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::shared_ptr<Subscription>> subscriptions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_FEED_HUB_H_
