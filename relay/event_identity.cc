#include "relay/event_identity.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "relay/region.h"
#include "relay/store/keys.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

bool Opens(const IncidentReport& r) {
  return r.supersedes().empty() &&
         (r.kind() == REPORT_KIND_BRIEF || r.kind() == REPORT_KIND_INITIAL);
}

// The kinds a closed event takes.
bool MayFollowClose(ReportKind kind) {
  return kind == REPORT_KIND_REOPEN || kind == REPORT_KIND_CORRECTION ||
         kind == REPORT_KIND_RETRACTION;
}

}  // namespace

EventIdentity::EventIdentity(ReportStore* store, std::string region)
    : store_(store), region_(std::move(region)) {}

std::string EventIdentity::Number(const std::string& region,
                                  const std::string& day, int n) {
  return absl::StrFormat("%s-%s-%04d", region, day, n);
}

std::string EventIdentity::Assign(absl::Time now, StoreBatch* batch) {
  static const absl::TimeZone kBeijing = absl::FixedTimeZone(8 * 3600);
  const std::string day = absl::FormatTime("%Y%m%d", now, kBeijing);
  auto it = last_.find(day);
  if (it == last_.end()) {
    int stored = 0;
    absl::StatusOr<std::string> v = store_->Get(keys::EventCounter(day));
    if (v.ok()) (void)absl::SimpleAtoi(*v, &stored);
    it = last_.emplace(day, stored).first;
  }
  ++it->second;
  batch->Put(keys::EventCounter(day), absl::StrCat(it->second));
  return Number(region_, day, it->second);
}

std::string EventIdentity::Labelled(const std::string& label) const {
  auto it = labels_.find(label);
  if (it != labels_.end()) return it->second;
  absl::StatusOr<std::string> v = store_->Get(keys::EventLabel(label));
  return v.ok() ? *v : std::string();
}

absl::Status EventIdentity::Resolve(const Identity& client,
                                    const EventLookups& lookups, absl::Time now,
                                    IncidentReport* report, StoreBatch* batch) {
  const std::string named = report->event_id();
  EventRecord event;
  bool by_label = false;
  if (!named.empty()) {
    event = lookups.event(named);
    if (event.reports() == 0) {
      std::string id = Labelled(named);
      if (!id.empty()) event = lookups.event(id);
      by_label = true;
    }
  }
  const bool may_report = event.reports() > 0 &&
                          (RegionContains(client.region, event.region_code()) ||
                           RegionContains(client.region, event.owner_node()));
  // Another locality's first report under a label used here is a new event.
  if (by_label && !may_report && Opens(*report)) event = EventRecord();
  if (event.reports() == 0) {
    if (!Opens(*report)) {
      return FieldError(
          absl::StatusCode::kNotFound, "event_id",
          named.empty()
              ? std::string("is required: a follow-up names its event (the "
                            "event_id of the first report's receipt)")
              : absl::StrCat("no event ", named, " is known at node ", region_,
                             "; a follow-up names the event_id of the first "
                             "report's receipt"));
    }
    if (report->event_seq() != 0) {
      return FieldError(absl::StatusCode::kInvalidArgument, "event_seq",
                        absl::StrCat("expected 0: the first report of a new "
                                     "event, not #",
                                     report->event_seq()));
    }
    const std::string id = Assign(now, batch);
    if (!named.empty()) {
      report->set_event_label(named);
      if (Labelled(named).empty()) {
        labels_[named] = id;
        batch->Put(keys::EventLabel(named), id);
      }
    }
    report->set_event_id(id);
    return absl::OkStatus();
  }

  if (!may_report) {
    return FieldError(absl::StatusCode::kPermissionDenied, "event_id",
                      absl::StrCat("event ", event.event_id(), " (region ",
                                   event.region_code(),
                                   ") is outside your region ", client.region));
  }
  if (event.closed() && !MayFollowClose(report->kind())) {
    return FieldError(
        absl::StatusCode::kFailedPrecondition, "kind",
        absl::StrCat("event ", event.event_id(), " was closed by report ",
                     event.last_report_id(),
                     "; only kind REOPEN (重新开启), CORRECTION or "
                     "RETRACTION may follow"));
  }
  const uint32_t expected = event.last_event_seq() + 1;
  if (report->event_seq() > expected) {
    return FieldError(
        absl::StatusCode::kInvalidArgument, "event_seq",
        absl::StrCat("expected ", expected, " (event ", event.event_id(),
                     " has reports up to #", event.last_event_seq(), "), not ",
                     report->event_seq(), ": send the missing reports first"));
  }
  if (!report->supersedes().empty()) {
    absl::StatusOr<std::string> earlier =
        lookups.event_of(report->supersedes());
    if (!earlier.ok()) {
      return FieldError(absl::StatusCode::kNotFound, "supersedes",
                        absl::StrCat("no report ", report->supersedes(),
                                     " is known at node ", region_));
    }
    if (*earlier != event.event_id()) {
      return FieldError(
          absl::StatusCode::kInvalidArgument, "supersedes",
          absl::StrCat("report ", report->supersedes(), " is about event ",
                       *earlier, ", not ", event.event_id()));
    }
  }
  if (named != event.event_id()) {
    report->set_event_label(named);
    report->set_event_id(event.event_id());
  }
  return absl::OkStatus();
}

IncidentReport AsResolved(const IncidentReport& stored,
                          const IncidentReport& incoming) {
  IncidentReport out = incoming;
  if (incoming.event_id() != stored.event_id() &&
      incoming.event_label().empty() &&
      (incoming.event_id().empty() ||
       incoming.event_id() == stored.event_label())) {
    out.set_event_id(stored.event_id());
    out.set_event_label(stored.event_label());
  }
  return out;
}

}  // namespace kuaibao
