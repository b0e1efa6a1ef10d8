#include "relay/outbox.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/outbox_mirror.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

using keys::kEndOfSource;

std::string SeqText(uint64_t seq) { return keys::Hex16(seq); }

uint64_t SeqOfKey(absl::string_view key) { return keys::SeqOfQueueKey(key); }

std::string QueuePrefix(const std::string& upstream) {
  return keys::QueuePrefix(upstream);
}

std::string EventPrefix(const std::string& upstream,
                        const std::string& event_id) {
  return keys::EventIndexEventPrefix(upstream, event_id);
}

// The smallest key after every key that starts with `prefix`.
std::string PrefixEnd(std::string prefix) {
  ++prefix.back();
  return prefix;
}

// Every read from the store.
class StoreReader : public OutboxReader {
 public:
  explicit StoreReader(const ReportStore* store) : store_(store) {
    read_store_ = true;
  }
  absl::Status ScanQueue(const std::string&, const std::string& prefix,
                         const Visit& fn) override {
    return store_->ScanQueue(prefix, fn);
  }
  absl::Status Scan(const std::string&, const std::string& prefix,
                    const std::string& from, const Visit& fn) override {
    return store_->Scan(prefix, from, fn);
  }
  absl::StatusOr<std::string> Get(const std::string&,
                                  const std::string& key) override {
    return store_->Get(key);
  }
  absl::StatusOr<QueuedReport> Load(const std::string& upstream,
                                    const std::string& key,
                                    const std::string& report_id) override {
    return Outbox::LoadFromStore(*store_, upstream, key, report_id);
  }

 private:
  const ReportStore* const store_;
};

}  // namespace

absl::StatusOr<QueuedReport> Outbox::LoadFromStore(
    const ReportStore& store, const std::string& upstream,
    const std::string& key, const std::string& report_id) {
  QueuedReport q;
  ASSIGN_OR_RETURN(q.report, store.GetReport(report_id));
  absl::StatusOr<std::string> forwarding =
      store.Get(keys::Forwarding(report_id, upstream));
  if (forwarding.ok()) {
    if (!q.forwarding.ParseFromString(*forwarding)) {
      return absl::DataLossError(absl::StrCat("the forwarding record of ",
                                              report_id, " to ", upstream,
                                              " does not decode"));
    }
  } else if (absl::IsNotFound(forwarding.status())) {
    q.forwarding.set_to(upstream);
  } else {
    return forwarding.status();
  }
  q.entry = OutboxEntry{key, report_id, q.report.report().event_id(),
                        Weight(q.report)};
  return q;
}

Outbox::Outbox(ReportStore* store, OutboxMirror* mirror)
    : store_(store), mirror_(mirror) {}

std::string Outbox::KeyFor(const std::string& upstream, int priority,
                           const StoredReport& stored) {
  const HopRecord& own = stored.hops(stored.hops_size() - 1);
  std::string source = own.received_from().empty() ? "-" : own.received_from();
  return absl::StrCat(QueuePrefix(upstream), std::clamp(priority, 0, 9), "/",
                      source, std::string(1, kEndOfSource),
                      SeqText(store_->NextSeq()));
}

void Outbox::Queue(const std::string& upstream, const std::string& key,
                   const StoredReport& stored, StoreBatch* batch) {
  batch->Put(keys::EventIndexEntry(upstream, stored.report().event_id(),
                                   SeqOfKey(key)),
             key);
  batch->PutCounted(key, stored.report().report_id(), Weight(stored));
}

std::vector<std::string> Outbox::QueuedIn(const StoreBatch& batch) {
  std::vector<std::string> upstreams;
  for (const StoreBatch::Counted& c : batch.counted()) {
    if (!c.put) continue;
    std::optional<std::string> upstream = keys::UpstreamOfQueueKey(c.key);
    if (upstream) upstreams.push_back(*std::move(upstream));
  }
  std::sort(upstreams.begin(), upstreams.end());
  upstreams.erase(std::unique(upstreams.begin(), upstreams.end()),
                  upstreams.end());
  return upstreams;
}

void Outbox::Remove(const std::string& upstream, const OutboxEntry& entry,
                    StoreBatch* batch) {
  batch->DeleteCounted(entry.key, entry.bytes);
  batch->Delete(
      keys::EventIndexEntry(upstream, entry.event_id, SeqOfKey(entry.key)));
}

std::string Outbox::HeldKey(const std::string& key) {
  return keys::HeldFromQueued(key);
}

absl::StatusOr<std::vector<Outbox::Group>> Outbox::Groups(
    OutboxReader& reader, const std::string& upstream,
    const std::string& prefix, char end, const std::string& start) const {
  std::vector<Group> groups;
  std::string from = start;
  for (;;) {
    std::optional<Group> group;
    auto first = [&](const std::string& key, const std::string&) {
      size_t at = key.find(end, prefix.size());
      if (at == std::string::npos) return true;  // not ours
      group = Group{key.substr(0, at + 1), key};
      return false;
    };
    // From the very start, past the acknowledged head: the store's floor.
    RETURN_IF_ERROR(from.empty() ? reader.ScanQueue(upstream, prefix, first)
                                 : reader.Scan(upstream, prefix, from, first));
    if (!group) break;
    from = PrefixEnd(group->prefix);
    groups.push_back(*std::move(group));
  }
  return groups;
}

absl::StatusOr<std::vector<QueuedReport>> Outbox::Next(
    const std::string& upstream, size_t max,
    const absl::flat_hash_set<std::string>& skip) {
  StoreReader from_store(store_);
  std::optional<OutboxMirror::Reader> from_memory;
  if (mirror_ != nullptr) from_memory.emplace(mirror_);
  OutboxReader& reader =
      from_memory ? static_cast<OutboxReader&>(*from_memory) : from_store;
  std::vector<QueuedReport> out;
  absl::flat_hash_set<std::string> taken;
  // The classes with anything queued, <upstream queue prefix><class>/, and
  // where each starts: the first seek starts at the store's floor, past the
  // deletions an acknowledged backlog leaves at the front, and every later
  // one at a live key the one before found.
  ASSIGN_OR_RETURN(std::vector<Group> classes,
                   Groups(reader, upstream, QueuePrefix(upstream), '/', ""));
  for (size_t c = 0; c < classes.size() && out.size() < max; ++c) {
    // Earlier reports of an event can wait in a less urgent class only if
    // there is one; the bulk of a routine backlog needs no lookups.
    const bool pull_earlier = c + 1 < classes.size();
    RETURN_IF_ERROR(TakeFromClass(reader, upstream, classes[c], pull_earlier,
                                  max, skip, &taken, &out));
  }
  ++(reader.read_store() ? next_from_store_ : next_from_memory_);
  return out;
}

absl::Status Outbox::TakeFromClass(
    OutboxReader& reader, const std::string& upstream, const Group& queue_class,
    bool pull_earlier, size_t max, const absl::flat_hash_set<std::string>& skip,
    absl::flat_hash_set<std::string>* taken, std::vector<QueuedReport>* out) {
  const std::string& class_prefix = queue_class.prefix;
  ASSIGN_OR_RETURN(std::vector<Group> sources,
                   Groups(reader, upstream, class_prefix, kEndOfSource,
                          queue_class.first_key));
  // Take turns from the source after the one served last.
  {
    absl::MutexLock lock(&mu_);
    auto last = last_source_.find(class_prefix);
    if (last != last_source_.end()) {
      auto first =
          std::upper_bound(sources.begin(), sources.end(), last->second,
                           [](const std::string& key, const Group& g) {
                             return key < g.prefix;
                           });
      std::rotate(sources.begin(), first, sources.end());
    }
  }

  struct Cursor {
    std::string prefix;  // the source's keys
    std::string from;    // where this call goes on reading
    bool exhausted = false;
  };
  std::vector<Cursor> cursors;
  cursors.reserve(sources.size());
  for (const Group& source : sources) {
    cursors.push_back({source.prefix, source.first_key, false});
  }
  std::string served;
  bool full = false;
  while (!full && out->size() < max) {
    size_t active = std::count_if(cursors.begin(), cursors.end(),
                                  [](const Cursor& c) { return !c.exhausted; });
    if (active == 0) break;
    // Share what room is left evenly; at least one each.
    const size_t quantum = std::max<size_t>(1, (max - out->size()) / active);
    for (size_t i = 0; i < cursors.size() && !full && out->size() < max; ++i) {
      Cursor& cursor = cursors[i];
      if (cursor.exhausted) continue;
      std::vector<std::pair<std::string, std::string>> candidates;  // key, id
      bool reached = false;
      RETURN_IF_ERROR(
          reader.Scan(upstream, cursor.prefix, cursor.from,
                      [&](const std::string& key, const std::string& id) {
                        cursor.from = absl::StrCat(key, std::string(1, '\0'));
                        if (skip.contains(id) || taken->contains(id))
                          return true;
                        candidates.emplace_back(key, id);
                        reached = candidates.size() >= quantum;
                        return !reached;
                      }));
      cursor.exhausted = !reached;
      for (const auto& [key, id] : candidates) {
        if (taken->contains(id)) continue;  // pulled forward
        ASSIGN_OR_RETURN(QueuedReport queued, reader.Load(upstream, key, id));
        ASSIGN_OR_RETURN(bool emitted,
                         Emit(reader, upstream, std::move(queued), pull_earlier,
                              max, skip, taken, out));
        served = sources[i].prefix;
        if (!emitted) {
          full = true;
          break;
        }
      }
    }
  }
  if (!served.empty()) {
    absl::MutexLock lock(&mu_);
    last_source_[class_prefix] = served;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Outbox::Emit(
    OutboxReader& reader, const std::string& upstream, QueuedReport queued,
    bool pull_earlier, size_t max, const absl::flat_hash_set<std::string>& skip,
    absl::flat_hash_set<std::string>* taken, std::vector<QueuedReport>* out) {
  // The earlier reports of the event still queued, in arrival order.
  const uint64_t seq = SeqOfKey(queued.entry.key);
  std::vector<std::string> earlier;
  if (pull_earlier) {
    RETURN_IF_ERROR(
        reader.Scan(upstream, EventPrefix(upstream, queued.entry.event_id), "",
                    [&](const std::string& key, const std::string& value) {
                      if (SeqOfKey(key) >= seq) return false;
                      earlier.push_back(value);
                      return true;
                    }));
  }
  for (const std::string& key : earlier) {
    absl::StatusOr<std::string> id = reader.Get(upstream, key);
    if (absl::IsNotFound(id.status())) continue;  // acknowledged meanwhile
    if (!id.ok()) return id.status();
    // In flight already (sent before) or waiting for a retry.
    if (skip.contains(*id) || taken->contains(*id)) continue;
    if (out->size() >= max) return false;
    ASSIGN_OR_RETURN(QueuedReport first, reader.Load(upstream, key, *id));
    taken->insert(*id);
    out->push_back(std::move(first));
  }
  if (out->size() >= max) return false;
  taken->insert(queued.entry.report_id);
  out->push_back(std::move(queued));
  return true;
}

uint64_t Outbox::Weight(const StoredReport& stored) {
  return stored.report().ByteSizeLong();
}

absl::Status Outbox::RecountBacklog(bool always) {
  if (store_->backlog_known() && !always) return absl::OkStatus();
  uint64_t bytes = 0;
  absl::Status read;
  RETURN_IF_ERROR(store_->Scan(keys::kQueued, "",
                               [&](absl::string_view, absl::string_view id) {
                                 absl::StatusOr<StoredReport> stored =
                                     store_->GetReport(std::string(id));
                                 if (absl::IsNotFound(stored.status()))
                                   return true;  // dangling
                                 if (!stored.ok()) {
                                   read = stored.status();
                                   return false;
                                 }
                                 bytes += Weight(*stored);
                                 return true;
                               }));
  RETURN_IF_ERROR(read);
  return store_->SetBacklog(bytes);
}

absl::StatusOr<Outbox::Summary> Outbox::Summarize(
    const std::string& upstream) const {
  Summary summary;
  std::string oldest_id;
  uint64_t oldest_seq = UINT64_MAX;
  RETURN_IF_ERROR(
      store_->Scan(QueuePrefix(upstream), "",
                   [&](absl::string_view key, absl::string_view value) {
                     ++summary.waiting;
                     uint64_t seq = SeqOfKey(key);
                     if (seq < oldest_seq) {
                       oldest_seq = seq;
                       oldest_id = std::string(value);
                     }
                     return true;
                   }));
  RETURN_IF_ERROR(store_->Scan(keys::HeldPrefix(upstream), "",
                               [&](absl::string_view, absl::string_view) {
                                 ++summary.held;
                                 return true;
                               }));
  if (!oldest_id.empty()) {
    ASSIGN_OR_RETURN(StoredReport oldest, store_->GetReport(oldest_id));
    summary.oldest_stored_at =
        FromProto(oldest.hops(oldest.hops_size() - 1).stored_at());
  }
  return summary;
}

}  // namespace kuaibao
