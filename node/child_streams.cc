#include "node/child_streams.h"

#include <algorithm>
#include <utility>

#include "relay/base/log.h"

namespace kuaibao {

uint64_t ChildStreams::Register(const std::string& child, bool standby,
                                Push push) {
  uint64_t token;
  {
    absl::MutexLock lock(&mu_);
    token = ++next_token_;
    links_[child].push_back(Link{token, standby, std::move(push)});
    known_[child].connected = true;
  }
  if (link_listener_) link_listener_(child, true);
  return token;
}

void ChildStreams::Unregister(const std::string& child, uint64_t token) {
  bool last = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = links_.find(child);
    if (it == links_.end()) return;
    std::vector<Link>& links = it->second;
    auto link = std::find_if(links.begin(), links.end(),
                             [&](const Link& l) { return l.token == token; });
    if (link == links.end()) return;
    const bool standby = link->standby;
    links.erase(link);
    // The standby's status no longer stands for the region once its
    // stream is gone.
    if (standby && std::none_of(links.begin(), links.end(),
                                [](const Link& l) { return l.standby; })) {
      known_[child].status.set_standby_acting(false);
    }
    if (links.empty()) {
      links_.erase(it);
      known_[child].connected = false;
      last = true;
    }
  }
  if (last) {
    if (link_listener_) link_listener_(child, false);
    return;
  }
  // Instructions pushed into the ended stream and not acknowledged go down
  // the one that remains (the child ignores one it already holds).
  Deliver(child);
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

ChildStreams::Link* ChildStreams::DownLink(std::vector<Link>& links) {
  Link* down = nullptr;
  for (Link& l : links) {
    if (down == nullptr || !l.standby || down->standby) down = &l;
  }
  return down;
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
  Link* link = DownLink(it->second);
  for (Instruction& instruction : *pending) {
    v1::RelayDown down;
    *down.mutable_instruction() = std::move(instruction);
    if (!link->push(std::move(down))) return;
  }
}

}  // namespace kuaibao
