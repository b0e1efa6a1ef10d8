#include "relay/feed_hub.h"

#include <utility>

namespace kuaibao {

std::deque<v1::FeedItem> FeedHub::Subscription::Take(bool* behind) {
  absl::MutexLock lock(&mu_);
  *behind = behind_;
  behind_ = false;
  return std::exchange(queue_, {});
}

bool FeedHub::Subscription::Offer(const std::vector<v1::FeedItem>& items) {
  absl::MutexLock lock(&mu_);
  if (behind_) return false;
  if (queue_.size() + items.size() > capacity_) {
    // Dropped, not kept: the watcher reads them back from the store.
    queue_.clear();
    behind_ = true;
    return false;
  }
  queue_.insert(queue_.end(), items.begin(), items.end());
  return true;
}

std::shared_ptr<FeedHub::Subscription> FeedHub::Subscribe(
    size_t capacity, std::function<void()> wake) {
  auto subscription = std::make_shared<Subscription>(capacity, std::move(wake));
  absl::MutexLock lock(&mu_);
  subscriptions_.insert(subscription);
  return subscription;
}

void FeedHub::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  absl::MutexLock lock(&mu_);
  subscriptions_.erase(subscription);
}

void FeedHub::Publish(const std::vector<v1::FeedItem>& items) {
  // Waking under the lock is what lets Unsubscribe promise no later wake;
  // wakes only take the watcher's own lock.
  absl::MutexLock lock(&mu_);
  for (const auto& subscription : subscriptions_) {
    subscription->Offer(items);
    subscription->wake_();
  }
}

size_t FeedHub::watchers() const {
  absl::MutexLock lock(&mu_);
  return subscriptions_.size();
}

}  // namespace kuaibao
