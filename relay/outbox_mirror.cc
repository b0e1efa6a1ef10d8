#include "relay/outbox_mirror.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/store/keys.h"

namespace kuaibao {
namespace {

// Keys a refill reads at most: it holds the mirror's lock, and with it the
// store's writer (whose writes wait to be mirrored), for this many reads.
constexpr size_t kRefillChunk = 512;

// Reports a queue holds decoded at most: the head of a live queue (sent
// within the next few writes). Beyond it, a report is decoded when sent.
constexpr size_t kMaxDecoded = 64;

// The smallest key after every key that starts with `prefix`.
std::string PrefixEnd(std::string prefix) {
  ++prefix.back();
  return prefix;
}

}  // namespace

OutboxMirror::OutboxMirror(const ReportStore* store, OutboxMirrorLimits limits)
    : store_(store), limits_(limits) {}

OutboxMirror::Queue& OutboxMirror::QueueOf(const std::string& upstream) {
  auto [it, fresh] = queues_.try_emplace(upstream);
  if (fresh) it->second.tail_end = PrefixEnd(keys::QueuePrefix(upstream));
  return it->second;
}

void OutboxMirror::Beyond(Queue* q, const std::string& key) {
  if (key >= q->tail_end) q->tail_end = absl::StrCat(key, std::string(1, '\0'));
}

void OutboxMirror::Insert(Queue* q, const std::string& key, Entry entry) {
  auto [it, fresh] = q->entries.try_emplace(key);
  if (!fresh) {
    Erase(q, it);
    it = q->entries.try_emplace(key).first;
  }
  if (entry.index_key.empty()) {
    ++q->unindexed;
  } else {
    q->index[entry.index_key] = key;
  }
  ++q->reports[entry.report_id].entries;
  it->second = std::move(entry);
}

void OutboxMirror::Erase(Queue* q, std::map<std::string, Entry>::iterator it) {
  Entry& entry = it->second;
  if (entry.index_key.empty()) {
    --q->unindexed;
  } else {
    q->index.erase(entry.index_key);
  }
  auto held = q->reports.find(entry.report_id);
  if (held != q->reports.end() && --held->second.entries <= 0) {
    SetPayload(q, &held->second, nullptr);
    q->reports.erase(held);
  }
  q->entries.erase(it);
}

void OutboxMirror::SetPayload(Queue* q, PerReport* held,
                              std::shared_ptr<const std::string> payload) {
  if (held->payload) q->bytes -= held->payload->size();
  held->payload = std::move(payload);
  if (held->payload) q->bytes += held->payload->size();
  SetDecoded(q, held, nullptr);
}

void OutboxMirror::SetDecoded(Queue* q, PerReport* held,
                              std::shared_ptr<StoredReport> decoded) {
  if (held->decoded) --q->decoded;
  held->decoded = q->decoded < kMaxDecoded ? std::move(decoded) : nullptr;
  if (held->decoded) ++q->decoded;
}

void OutboxMirror::Trim(Queue* q) {
  if (!Over(*q, limits_.reports, limits_.bytes)) return;
  const size_t reports = limits_.reports - limits_.reports / 8;
  const uint64_t bytes = limits_.bytes - limits_.bytes / 8;
  while (!q->entries.empty() && Over(*q, reports, bytes)) {
    auto last = std::prev(q->entries.end());
    q->boundary = last->first;
    Beyond(q, last->first);
    Erase(q, last);
  }
}

void OutboxMirror::Written(const StoreBatch& batch) {
  absl::MutexLock lock(&mu_);
  if (queues_.empty()) return;
  // What the batch writes beside its queue keys, by what they belong to.
  absl::flat_hash_map<std::string, const std::string*> index_of;  // queue key
  // Report id -> its stored record as written, and decoded (from
  // StoreBatch::AttachReport) until the first queue that holds it takes it:
  // a send moves it out.
  struct WrittenReport {
    const std::string* bytes = nullptr;
    std::shared_ptr<StoredReport> decoded;
  };
  absl::flat_hash_map<std::string, WrittenReport> payloads;
  std::vector<std::pair<keys::ForwardingKeyParts, const std::string*>>
      forwardings;
  std::vector<const std::pair<std::string, std::optional<std::string>>*> ops;
  for (const auto& op : batch.ops()) {
    const std::string& key = op.first;
    if (std::optional<std::string> upstream = keys::UpstreamOfQueueKey(key)) {
      if (queues_.contains(*upstream)) ops.push_back(&op);
      continue;
    }
    if (!op.second) continue;
    if (absl::StartsWith(key, keys::kEventIndex)) {
      index_of[*op.second] = &key;
    } else if (std::optional<std::string> id = keys::ReportIdOfKey(key)) {
      payloads[*id] = WrittenReport{&*op.second, nullptr};
    } else if (std::optional<keys::ForwardingKeyParts> parts =
                   keys::ParseForwarding(key)) {
      forwardings.emplace_back(*std::move(parts), &*op.second);
    }
  }
  for (const auto& report : batch.reports()) {
    auto written = payloads.find(report->report().report_id());
    if (written != payloads.end()) written->second.decoded = report;
  }
  // Queue keys in batch order; a new entry takes its payload from the batch
  // (or from another upstream's queue), else it is read when first sent.
  absl::flat_hash_map<std::string, std::shared_ptr<const std::string>> shared;
  auto payload_of =
      [&](const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        auto& p = shared[id];
        if (!p) {
          auto written = payloads.find(id);
          if (written != payloads.end()) {
            p = std::make_shared<const std::string>(*written->second.bytes);
          } else {
            for (const auto& [upstream, q] : queues_) {
              auto held = q.reports.find(id);
              if (held != q.reports.end() && held->second.payload) {
                p = held->second.payload;
                break;
              }
            }
          }
        }
        return p;
      };
  for (const auto* op : ops) {
    const std::string& key = op->first;
    Queue& q = queues_.find(*keys::UpstreamOfQueueKey(key))->second;
    if (!op->second) {
      auto it = q.entries.find(key);
      if (it != q.entries.end()) Erase(&q, it);
      continue;
    }
    if (!Below(q, key)) {  // the store's part
      Beyond(&q, key);
      continue;
    }
    const std::string& id = *op->second;
    auto index = index_of.find(key);
    Insert(&q, key, Entry{id, index == index_of.end() ? "" : *index->second});
    PerReport& held = q.reports[id];
    if (!held.payload) {
      SetPayload(&q, &held, payload_of(id));
      auto written = payloads.find(id);
      if (written != payloads.end()) {
        SetDecoded(&q, &held, std::exchange(written->second.decoded, nullptr));
      }
    }
    Trim(&q);
  }
  // A stored report or forwarding record rewritten (another path recorded,
  // a hand-off's outcome) replaces the copy held.
  for (auto& [id, written] : payloads) {
    std::shared_ptr<const std::string> fresh;
    for (auto& [upstream, q] : queues_) {
      auto held = q.reports.find(id);
      if (held == q.reports.end()) continue;
      if (!fresh) fresh = payload_of(id);
      if (held->second.payload != fresh) {
        SetPayload(&q, &held->second, fresh);
        SetDecoded(&q, &held->second, std::exchange(written.decoded, nullptr));
      }
    }
  }
  for (const auto& [parts, value] : forwardings) {
    auto q = queues_.find(parts.upstream);
    if (q == queues_.end()) continue;
    auto held = q->second.reports.find(parts.report_id);
    if (held == q->second.reports.end()) continue;
    Forwarding f;
    if (f.ParseFromString(*value)) {
      held->second.forwarding = std::move(f);
    } else {
      held->second.forwarding.reset();  // read (and refused) from the store
    }
  }
}

void OutboxMirror::Reopened() {
  absl::MutexLock lock(&mu_);
  queues_.clear();
}

std::optional<Forwarding> OutboxMirror::ForwardingOf(
    const std::string& upstream, const std::string& report_id) const {
  absl::MutexLock lock(&mu_);
  auto q = queues_.find(upstream);
  if (q == queues_.end()) return std::nullopt;
  auto held = q->second.reports.find(report_id);
  if (held == q->second.reports.end()) return std::nullopt;
  return held->second.forwarding;
}

OutboxMirror::Holding OutboxMirror::Held(const std::string& upstream) const {
  absl::MutexLock lock(&mu_);
  Holding holding;
  auto q = queues_.find(upstream);
  if (q == queues_.end()) return holding;
  holding.reports = q->second.entries.size();
  holding.bytes = q->second.bytes;
  holding.complete = !q->second.boundary.has_value();
  if (q->second.boundary) holding.boundary = *q->second.boundary;
  return holding;
}

absl::StatusOr<bool> OutboxMirror::Refill(const std::string& upstream,
                                          Queue* q) {
  // Only with room for a chunk's worth (an eighth of the limits): a queue
  // at its limits refilled by the few reports each receipt frees would read
  // the store on every call.
  if (!q->boundary ||
      q->entries.size() + std::max<size_t>(1, limits_.reports / 8) >
          limits_.reports ||
      q->bytes + limits_.bytes / 8 > limits_.bytes) {
    return false;
  }
  const size_t room =
      std::min(kRefillChunk, limits_.reports - q->entries.size());
  std::vector<std::pair<std::string, std::string>> found;
  std::optional<std::string> next;
  auto visit = [&](const std::string& key, const std::string& id) {
    if (found.size() == room) {
      next = key;
      return false;
    }
    found.emplace_back(key, id);
    return true;
  };
  const std::string prefix = keys::QueuePrefix(upstream);
  const std::string before = *q->boundary;
  // From the start of the queue, past the acknowledged head: the floor.
  RETURN_IF_ERROR(q->boundary->empty()
                      ? store_->ScanQueue(prefix, visit)
                      : store_->Scan(prefix, *q->boundary, visit));
  for (auto& [key, id] : found) {
    // The report and its forwarding record are read now, while the store
    // is read anyway; what fails to read is read again (and its error
    // given) when the entry is sent.
    std::shared_ptr<const std::string> payload;
    absl::StatusOr<std::string> stored = store_->Get(keys::Report(id));
    if (stored.ok()) {
      payload = std::make_shared<const std::string>(*std::move(stored));
    }
    std::optional<Forwarding> forwarding;
    absl::StatusOr<std::string> f = store_->Get(keys::Forwarding(id, upstream));
    if (f.ok()) {
      Forwarding parsed;
      if (parsed.ParseFromString(*f)) forwarding = std::move(parsed);
    } else if (absl::IsNotFound(f.status())) {
      forwarding.emplace().set_to(upstream);
    }
    Insert(q, key, Entry{id, ""});
    PerReport& held = q->reports[id];
    if (!held.payload) SetPayload(q, &held, std::move(payload));
    if (!held.forwarding) held.forwarding = std::move(forwarding);
  }
  q->boundary = std::move(next);
  if (!q->boundary) q->tail_end.clear();  // nothing beyond
  Trim(q);
  // Trimmed back to where it started (one payload above the limit): no
  // progress, the store it is.
  return !q->boundary || *q->boundary > before;
}

absl::Status OutboxMirror::ScanEntries(const std::string& upstream,
                                       const std::string& prefix,
                                       const std::string& from,
                                       const OutboxReader::Visit& fn,
                                       bool* read_store) {
  absl::MutexLock lock(&mu_);
  Queue& q = QueueOf(upstream);
  const std::string queue_start = keys::QueuePrefix(upstream);
  std::string cursor = std::max(prefix, from);
  const std::string end = PrefixEnd(prefix);
  for (;;) {
    for (auto it = q.entries.lower_bound(cursor);
         it != q.entries.end() && it->first < end && Below(q, it->first);
         ++it) {
      if (!fn(it->first, it->second.report_id)) return absl::OkStatus();
    }
    // Every key of the prefix is held, or the rest lies beyond the
    // boundary, and below the tail's end.
    if (!q.boundary) return absl::OkStatus();
    const std::string boundary = std::max(*q.boundary, queue_start);
    cursor = std::max(cursor, boundary);
    if (cursor >= end || cursor >= q.tail_end) return absl::OkStatus();
    *read_store = true;
    // Read on in order from the boundary: keep what is read, if there is
    // room. Asked for a key further on (is there a next class?): the store
    // answers, and memory keeps the head.
    if (cursor == boundary) {
      ASSIGN_OR_RETURN(bool refilled, Refill(upstream, &q));
      if (refilled) continue;
    }
    bool stopped = false;
    RETURN_IF_ERROR(store_->Scan(
        prefix, cursor, [&](const std::string& key, const std::string& id) {
          stopped = !fn(key, id);
          return !stopped;
        }));
    return absl::OkStatus();
  }
}

absl::StatusOr<QueuedReport> OutboxMirror::Load(const std::string& upstream,
                                                const std::string& key,
                                                const std::string& report_id,
                                                bool* read_store) {
  {
    absl::MutexLock lock(&mu_);
    auto q = queues_.find(upstream);
    if (q != queues_.end()) {
      auto it = q->second.entries.find(key);
      auto held = q->second.reports.find(report_id);
      if (it != q->second.entries.end() && it->second.report_id == report_id &&
          held != q->second.reports.end() && held->second.payload &&
          held->second.forwarding) {
        QueuedReport out;
        PerReport& report = held->second;
        bool decoded = report.decoded != nullptr;
        if (decoded) {
          out.report = std::move(*report.decoded);
          SetDecoded(&q->second, &report, nullptr);
        } else {
          decoded = out.report.ParseFromString(*report.payload);
        }
        if (decoded) {
          out.forwarding = *report.forwarding;
          out.entry =
              OutboxEntry{key, report_id, out.report.report().event_id(),
                          Outbox::Weight(out.report)};
          if (it->second.index_key.empty()) {
            it->second.index_key = keys::EventIndexEntry(
                upstream, out.entry.event_id, keys::SeqOfQueueKey(key));
            q->second.index[it->second.index_key] = key;
            --q->second.unindexed;
          }
          return out;
        }
      }
    }
  }
  // Not held (let go, or not read yet), or not readable here: the store
  // answers, errors included.
  *read_store = true;
  return Outbox::LoadFromStore(*store_, upstream, key, report_id);
}

absl::Status OutboxMirror::Reader::ScanQueue(const std::string& upstream,
                                             const std::string& prefix,
                                             const Visit& fn) {
  return mirror_->ScanEntries(upstream, prefix, "", fn, &read_store_);
}

absl::Status OutboxMirror::Reader::Scan(const std::string& upstream,
                                        const std::string& prefix,
                                        const std::string& from,
                                        const Visit& fn) {
  if (absl::StartsWith(prefix, keys::QueuePrefix(upstream))) {
    return mirror_->ScanEntries(upstream, prefix, from, fn, &read_store_);
  }
  // The event index: from memory only when it holds every entry's.
  {
    absl::MutexLock lock(&mirror_->mu_);
    auto q = mirror_->queues_.find(upstream);
    if (q != mirror_->queues_.end() && !q->second.boundary &&
        q->second.unindexed == 0) {
      const std::string end = PrefixEnd(prefix);
      for (auto it = q->second.index.lower_bound(std::max(prefix, from));
           it != q->second.index.end() && it->first < end; ++it) {
        if (!fn(it->first, it->second)) break;
      }
      return absl::OkStatus();
    }
  }
  read_store_ = true;
  return mirror_->store_->Scan(prefix, from, fn);
}

absl::StatusOr<std::string> OutboxMirror::Reader::Get(
    const std::string& upstream, const std::string& key) {
  {
    absl::MutexLock lock(&mirror_->mu_);
    auto q = mirror_->queues_.find(upstream);
    if (q != mirror_->queues_.end() && Below(q->second, key)) {
      auto it = q->second.entries.find(key);
      if (it == q->second.entries.end()) {
        return absl::NotFoundError(key);
      }
      return it->second.report_id;
    }
  }
  read_store_ = true;
  return mirror_->store_->Get(key);
}

absl::StatusOr<QueuedReport> OutboxMirror::Reader::Load(
    const std::string& upstream, const std::string& key,
    const std::string& report_id) {
  return mirror_->Load(upstream, key, report_id, &read_store_);
}

}  // namespace kuaibao
