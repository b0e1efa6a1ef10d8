#include "node/child_streams.h"

#include <utility>

#include "relay/base/log.h"

namespace kuaibao {

uint64_t ChildStreams::Register(const std::string& child, Push push) {
  uint64_t token;
  {
    absl::MutexLock lock(&mu_);
    token = ++next_token_;
    links_[child] = Link{token, std::move(push)};
    known_[child].connected = true;
  }
  if (link_listener_) link_listener_(child, true);
  return token;
}

void ChildStreams::Unregister(const std::string& child, uint64_t token) {
  {
    absl::MutexLock lock(&mu_);
    auto it = links_.find(child);
    if (it == links_.end() || it->second.token != token) return;
    links_.erase(it);
    known_[child].connected = false;
  }
  if (link_listener_) link_listener_(child, false);
}

void ChildStreams::Heard(const std::string& child, absl::Time now) {
  absl::MutexLock lock(&mu_);
  known_[child].last_heard = now;
}

void ChildStreams::SetStatus(const std::string& child,
                             v1::SubtreeStatus status) {
  absl::MutexLock lock(&mu_);
  Known& known = known_[child];
  known.status = std::move(status);
  known.status_at = known.last_heard;
}

absl::flat_hash_map<std::string, ChildStreams::Known> ChildStreams::Snapshot()
    const {
  absl::MutexLock lock(&mu_);
  return known_;
}

void ChildStreams::Deliver(const std::string& child) {
  {
    absl::MutexLock lock(&mu_);
    if (!links_.contains(child)) return;
  }
  absl::StatusOr<std::vector<Instruction>> pending = book_->PendingDown(child);
  if (!pending.ok()) {
    Log(LogLevel::kError, "cannot read instructions queued for a child",
        {{"child", child},
         {"reason", std::string(pending.status().message())}});
    return;
  }
  // Under the lock, so the stream cannot end between lookup and push.
  absl::MutexLock lock(&mu_);
  auto it = links_.find(child);
  if (it == links_.end()) return;
  for (Instruction& instruction : *pending) {
    v1::RelayDown down;
    *down.mutable_instruction() = std::move(instruction);
    if (!it->second.push(std::move(down))) return;
  }
}

}  // namespace kuaibao
