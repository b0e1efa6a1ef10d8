#include "relay/origin_ledger.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/identity.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

constexpr const char* kPrefix = keys::kLedger;
constexpr char kHeadMark = keys::kLedgerHeadMark;

std::string HeadKey(const std::string& origin) {
  return keys::LedgerHead(origin);
}

std::string GapKey(const std::string& origin, uint64_t first) {
  return keys::LedgerGap(origin, first);
}

// Only identity URIs are tracked: they are what the first node stamps, and
// they cannot hold the key's separators.
bool Trackable(const std::string& origin) { return ParseIdentity(origin).ok(); }

}  // namespace

OriginLedger::OriginLedger(ReportStore* store) : store_(store) {}

absl::Status OriginLedger::LoadLocked() {
  if (loaded_) return absl::OkStatus();
  marks_.clear();
  absl::Status parsed;
  RETURN_IF_ERROR(store_->Scan(
      kPrefix, "", [&](absl::string_view key, absl::string_view value) {
        key.remove_prefix(std::strlen(kPrefix));
        size_t mark = key.find_first_of(absl::string_view("\x01\x02", 2));
        if (mark == absl::string_view::npos) return true;
        Mark& m = marks_[std::string(key.substr(0, mark))];
        if (key[mark] == kHeadMark) {
          if (!m.head.ParseFromArray(value.data(), value.size())) {
            parsed = absl::DataLossError("a ledger record does not decode");
          }
        } else {
          SequenceGap gap;
          uint64_t first = 0;
          if (!gap.ParseFromArray(value.data(), value.size()) ||
              !absl::SimpleHexAtoi(key.substr(mark + 1), &first)) {
            parsed = absl::DataLossError("a ledger gap does not decode");
          }
          gap.set_first(first);
          m.gaps[first] = std::move(gap);
        }
        return parsed.ok();
      }));
  RETURN_IF_ERROR(parsed);
  loaded_ = true;
  return absl::OkStatus();
}

void OriginLedger::ObserveLocked(const std::string& origin, uint64_t seq,
                                 absl::Time now, StoreBatch* batch) {
  Mark& m = marks_[origin];
  OriginRecord& head = m.head;
  if (!IsSet(head.first_seen_at()))
    *head.mutable_first_seen_at() = ToProto(now);
  *head.mutable_last_seen_at() = ToProto(now);
  if (seq == 0) {
    head.set_unnumbered(head.unnumbered() + 1);
  } else if (seq > head.high_water()) {
    if (seq > head.high_water() + 1) {
      SequenceGap gap;
      gap.set_first(head.high_water() + 1);
      gap.set_last(seq - 1);
      *gap.mutable_first_seen_at() = ToProto(now);
      batch->Put(GapKey(origin, gap.first()), gap.SerializeAsString());
      m.gaps[gap.first()] = std::move(gap);
    }
    head.set_high_water(seq);
    head.set_count(head.count() + 1);
  } else {
    // At or below the high-water mark: fills a gap, or reuses a number.
    auto after = m.gaps.upper_bound(seq);
    if (after == m.gaps.begin() || std::prev(after)->second.last() < seq) {
      head.set_reused(head.reused() + 1);
    } else {
      SequenceGap gap = std::prev(after)->second;
      m.gaps.erase(gap.first());
      batch->Delete(GapKey(origin, gap.first()));
      if (gap.first() < seq) {
        SequenceGap below = gap;
        below.set_last(seq - 1);
        batch->Put(GapKey(origin, below.first()), below.SerializeAsString());
        m.gaps[below.first()] = std::move(below);
      }
      if (seq < gap.last()) {
        SequenceGap above = gap;
        above.set_first(seq + 1);
        batch->Put(GapKey(origin, above.first()), above.SerializeAsString());
        m.gaps[above.first()] = std::move(above);
      }
    }
    head.set_count(head.count() + 1);
  }
  batch->Put(HeadKey(origin), head.SerializeAsString());
}

absl::Status OriginLedger::Record(IncidentReport* report, bool assign,
                                  absl::Time now, StoreBatch* batch) {
  if (!Trackable(report->origin())) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(LoadLocked());
  if (assign && report->origin_seq() == 0) {
    auto mark = marks_.find(report->origin());
    report->set_origin_seq(
        (mark == marks_.end() ? 0 : mark->second.head.high_water()) + 1);
  }
  ObserveLocked(report->origin(), report->origin_seq(), now, batch);
  return absl::OkStatus();
}

void OriginLedger::Invalidate() {
  absl::MutexLock lock(&mu_);
  loaded_ = false;
}

absl::StatusOr<std::vector<OriginRecord>> OriginLedger::List(
    const std::string& after_origin, size_t limit,
    const std::function<bool(const OriginRecord&)>& filter, absl::Time now,
    absl::Duration overdue_after) const {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(const_cast<OriginLedger*>(this)->LoadLocked());
  std::vector<OriginRecord> result;
  for (auto it = marks_.upper_bound(after_origin);
       it != marks_.end() && result.size() < limit; ++it) {
    OriginRecord record = it->second.head;
    record.set_origin(it->first);
    for (const auto& [first, gap] : it->second.gaps) {
      SequenceGap* shown = record.add_gaps();
      *shown = gap;
      shown->set_overdue(FromProto(gap.first_seen_at()) + overdue_after <= now);
    }
    if (filter && !filter(record)) continue;
    result.push_back(std::move(record));
  }
  return result;
}

absl::StatusOr<StoreBatch> OriginLedger::Reconcile(
    const std::map<std::string, std::vector<uint64_t>>& present,
    absl::Time now) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(LoadLocked());
  StoreBatch batch;
  // Start over from the numbers present; keep what only the old records
  // know (the high-water mark, reuse, and when gaps were first seen).
  absl::btree_map<std::string, Mark> old = std::move(marks_);
  marks_.clear();
  for (const auto& [origin, old_mark] : old) {
    batch.Delete(HeadKey(origin));
    for (const auto& [first, gap] : old_mark.gaps) {
      batch.Delete(GapKey(origin, first));
    }
  }
  absl::btree_map<std::string, std::vector<uint64_t>> numbers;
  for (const auto& [origin, seqs] : present) {
    if (Trackable(origin)) numbers[origin] = seqs;
  }
  for (const auto& [origin, _] : old) numbers[origin];  // every known origin
  for (auto& [origin, seqs] : numbers) {
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    auto before = old.find(origin);
    const Mark* was = before == old.end() ? nullptr : &before->second;
    Mark& m = marks_[origin];
    if (was != nullptr) m.head = was->head;
    m.head.set_count(0);
    uint64_t high = was != nullptr ? was->head.high_water() : 0;
    if (!seqs.empty() && seqs.back() > high) high = seqs.back();
    m.head.set_high_water(high);
    // Records from..to as missing: pieces that were missing before keep
    // their first-seen time, the rest are first seen now.
    auto add_missing = [&](uint64_t from, uint64_t to) {
      for (uint64_t n = from;;) {
        SequenceGap gap;
        gap.set_first(n);
        uint64_t last = to;
        *gap.mutable_first_seen_at() = ToProto(now);
        if (was != nullptr) {
          auto after = was->gaps.upper_bound(n);
          if (after != was->gaps.begin() &&
              std::prev(after)->second.last() >= n) {
            last = std::min(to, std::prev(after)->second.last());
            *gap.mutable_first_seen_at() =
                std::prev(after)->second.first_seen_at();
          } else if (after != was->gaps.end()) {
            last = std::min(to, after->first - 1);
          }
        }
        gap.set_last(last);
        m.gaps[n] = std::move(gap);
        if (last == to) break;
        n = last + 1;
      }
    };
    uint64_t next = 1;
    for (uint64_t seq : seqs) {
      if (seq == 0) continue;
      if (seq > next) add_missing(next, seq - 1);
      next = seq + 1;
      m.head.set_count(m.head.count() + 1);
    }
    if (next <= high) add_missing(next, high);
    batch.Put(HeadKey(origin), m.head.SerializeAsString());
    for (const auto& [first, gap] : m.gaps) {
      batch.Put(GapKey(origin, first), gap.SerializeAsString());
    }
  }
  return batch;
}

}  // namespace kuaibao
