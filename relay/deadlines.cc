#include "relay/deadlines.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "relay/node_id.h"
#include "relay/proto_time.h"
#include "relay/region.h"

namespace kuaibao {
namespace {

bool IsProvince(const std::string& code) {
  absl::StatusOr<Level> level = LevelOf(code);
  return level.ok() && *level == Level::kProvince;
}

// When the report first reached a province, over every path; InfinitePast
// if it has not.
absl::Time ProvinceArrival(const StoredReport& stored) {
  absl::Time first = absl::InfiniteFuture();
  auto scan = [&](const google::protobuf::RepeatedPtrField<HopRecord>& hops) {
    for (const HopRecord& hop : hops) {
      if (IsProvince(hop.node()) && IsSet(hop.received_at())) {
        first = std::min(first, FromProto(hop.received_at()));
      }
    }
  };
  scan(stored.hops());
  for (const Path& path : stored.other_paths()) scan(path.hops());
  return first == absl::InfiniteFuture() ? absl::InfinitePast() : first;
}

using Hops = google::protobuf::RepeatedPtrField<HopRecord>;

// When hop `i` of a path handed the report to hop i+1 (its send time of the
// copy that arrived), or InfinitePast.
absl::Time SentOn(const Hops& hops, int i) {
  if (i + 1 >= hops.size()) return absl::InfinitePast();
  const std::string& next = hops[i + 1].node();
  for (const Forwarding& f : hops[i].forwarded()) {
    if (f.to() == next && IsSet(f.sent_at())) return FromProto(f.sent_at());
  }
  return absl::InfinitePast();
}

absl::Time SentOn(const StoredReport& stored, int i) {
  return SentOn(stored.hops(), i);
}

// This node's own send to its parent (route PARENT; for a department at the
// top of its line, across to its government), or InfinitePast.
absl::Time OwnSendToParent(const HopRecord& own) {
  const bool top_department =
      !NodeDepartment(own.node()).empty() &&
      std::none_of(
          own.forwarded().begin(), own.forwarded().end(),
          [](const Forwarding& f) { return f.route() == ROUTE_PARENT; });
  for (const Forwarding& f : own.forwarded()) {
    if ((f.route() == ROUTE_PARENT || f.route() == ROUTE_UNSPECIFIED ||
         (top_department && f.route() == ROUTE_ACROSS)) &&
        IsSet(f.sent_at()) && IsSet(f.acked_at())) {
      return FromProto(f.sent_at());
    }
  }
  return absl::InfinitePast();
}

// Who held the report at time `t` on the primary path: the hop that had
// received it and not yet passed it on; the origin before the first hop.
std::string HolderAt(const StoredReport& stored, absl::Time t) {
  if (stored.hops().empty() || t < FromProto(stored.hops(0).received_at())) {
    return stored.report().origin();
  }
  for (int i = 0; i < stored.hops_size(); ++i) {
    absl::Time sent = SentOn(stored, i);
    if (sent == absl::InfinitePast() || t < sent) return stored.hops(i).node();
  }
  return stored.hops(stored.hops_size() - 1).node();
}

// R2 end to end runs from when the event became reportable, or from when
// the government learned of it from the media or a tip.
absl::Time ReportableAt(const IncidentReport& r) {
  absl::Time learned = LearnedOutsideAt(r);
  if (learned != absl::InfinitePast()) return learned;
  if (IsSet(r.reportable_at())) return FromProto(r.reportable_at());
  return FromProto(r.occurred_at());
}

// R1 runs from when the unit's head learned of it, or, when no unit told the
// government, from when the government learned of it otherwise.
absl::Time UnitInformedAt(const IncidentReport& r) {
  absl::Time learned = LearnedOutsideAt(r);
  if (learned != absl::InfinitePast()) return learned;
  if (IsSet(r.unit_informed_at())) return FromProto(r.unit_informed_at());
  return ReportableAt(r);
}

// `detail` with the source note after it, if any.
std::string WithSource(const IncidentReport& r, std::string detail) {
  std::string note = SourceNote(r);
  if (note.empty()) return detail;
  return detail.empty() ? note : absl::StrCat(detail, "; ", note);
}

DeadlineStatus Status(const StoredReport& stored, DeadlineRule rule,
                      const std::string& responsible, absl::Time start,
                      absl::Duration budget, absl::Time met, absl::Time now,
                      const DeadlinePolicy& policy) {
  DeadlineStatus s;
  s.set_rule(rule);
  s.set_report_id(stored.report().report_id());
  s.set_event_id(stored.report().event_id());
  s.set_headline(stored.report().headline());
  s.set_responsible(responsible);
  s.set_drill(IsDrill(stored.report()));
  *s.mutable_start() = ToProto(start);
  *s.mutable_due() = ToProto(start + budget);
  if (met != absl::InfinitePast()) *s.mutable_met_at() = ToProto(met);
  s.set_state(
      StateOf(start, start + budget, met, now, policy.at_risk_fraction));
  return s;
}

}  // namespace

absl::Time LearnedOutsideAt(const IncidentReport& r) {
  const InformationSource& source = r.source();
  if (source.kind() != SOURCE_KIND_MEDIA &&
      source.kind() != SOURCE_KIND_PUBLIC_TIP) {
    return absl::InfinitePast();
  }
  if (IsSet(source.learned_at())) return FromProto(source.learned_at());
  if (IsSet(source.published_at())) return FromProto(source.published_at());
  return absl::InfinitePast();
}

std::string SourceNote(const IncidentReport& r) {
  const InformationSource& source = r.source();
  std::string what;
  switch (source.kind()) {
    case SOURCE_KIND_MEDIA:
      what = absl::StrCat("learned from media (", source.outlet(), ")");
      break;
    case SOURCE_KIND_PUBLIC_TIP:
      what = "learned from a public tip";
      break;
    default:
      return "";
  }
  absl::Time learned = LearnedOutsideAt(r);
  if (learned == absl::InfinitePast() || !IsSet(r.occurred_at())) return what;
  absl::Duration after = learned - FromProto(r.occurred_at());
  if (after < absl::ZeroDuration()) return what;
  return absl::StrCat(what, ", ", absl::ToInt64Hours(after),
                      " h after it happened");
}

DeadlineState StateOf(absl::Time start, absl::Time due, absl::Time met,
                      absl::Time now, double at_risk_fraction) {
  if (met != absl::InfinitePast()) {
    return met <= due ? DEADLINE_STATE_MET : DEADLINE_STATE_MET_LATE;
  }
  if (now > due) return DEADLINE_STATE_OVERDUE;
  if (now - start >= (due - start) * at_risk_fraction) {
    return DEADLINE_STATE_AT_RISK;
  }
  return DEADLINE_STATE_ON_TIME;
}

bool IsUrgent(const IncidentReport& report) {
  return report.grade() == GRADE_I || report.grade() == GRADE_II ||
         report.sensitivity_size() > 0;
}

bool IsDrill(const IncidentReport& report) {
  return report.status() != REPORT_STATUS_ACTUAL;
}

std::vector<DeadlineStatus> ReportDeadlines(const StoredReport& stored,
                                            const DeadlinePolicy& policy,
                                            const std::string& here,
                                            bool has_parent, absl::Time now) {
  std::vector<DeadlineStatus> out;
  if (stored.hops().empty()) return out;
  const IncidentReport& r = stored.report();
  const HopRecord& first = stored.hops(0);
  const int last = stored.hops_size() - 1;

  // R1 and R2 end to end run from when the event became known: they bind
  // the first report of an origin's stream; follow-ups are bound by the
  // per-hop budget and the follow-up cadence instead.
  const bool opens_stream = r.event_seq() == 0;
  // R1: recorded at intake, never a reason to refuse.
  if (opens_stream) {
    out.push_back(Status(stored, DEADLINE_RULE_UNIT_TO_LOCAL, r.origin(),
                         UnitInformedAt(r), policy.unit_to_local,
                         FromProto(first.received_at()), now, policy));
    out.back().set_detail(SourceNote(r));
  }

  // R2, per hop: every node that passed it on, and this node while it still
  // owes its parent the hand-off.
  // Every arrival counts: a later path (the level-by-level copy of a report
  // that came directly first) names its own late hand-offs. A node on two
  // paths is judged once, by the path that arrived first.
  absl::flat_hash_set<std::string> judged;
  auto per_hop = [&](const Hops& hops) {
    for (int i = 0; i + 1 < hops.size(); ++i) {
      if (!judged.insert(hops[i].node()).second) continue;
      out.push_back(Status(stored, DEADLINE_RULE_PER_HOP, hops[i].node(),
                           FromProto(hops[i].received_at()), policy.per_hop,
                           SentOn(hops, i), now, policy));
    }
  };
  per_hop(stored.hops());
  for (const Path& path : stored.other_paths()) per_hop(path.hops());
  if (has_parent && stored.hops(last).node() == here) {
    out.push_back(Status(stored, DEADLINE_RULE_PER_HOP, here,
                         FromProto(stored.hops(last).received_at()),
                         policy.per_hop, OwnSendToParent(stored.hops(last)),
                         now, policy));
  }

  // R2 end to end, and R3 for urgent reports: until the province has it.
  // Below the province a node sees the arrival there only if the report came
  // back by another path. Its view of these rules ends at its own hand-off:
  // once it has passed the report on, they are met (or met late) as far as
  // it can tell by that hop, and the province's view decides the rest.
  const absl::Time at_province = ProvinceArrival(stored);
  absl::Time view_ends = at_province;
  if (!IsProvince(here) && stored.hops(last).node() == here) {
    const absl::Time own_send = OwnSendToParent(stored.hops(last));
    if (own_send != absl::InfinitePast() &&
        (view_ends == absl::InfinitePast() || own_send < view_ends)) {
      view_ends = own_send;
    }
  }
  auto to_province = [&](DeadlineRule rule, absl::Time start,
                         absl::Duration budget) {
    absl::Time due = start + budget;
    // On time: the obligation was the first government's. Late (or open):
    // the node that held it when the time ran out (or now) answers for it.
    bool met_on_time = view_ends != absl::InfinitePast() && view_ends <= due;
    std::string responsible =
        met_on_time
            ? first.node()
            : HolderAt(stored, std::min(due, view_ends == absl::InfinitePast()
                                                 ? now
                                                 : view_ends));
    out.push_back(Status(stored, rule, responsible, start, budget, view_ends,
                         now, policy));
  };
  if (opens_stream) {
    to_province(DEADLINE_RULE_END_TO_END, ReportableAt(r), policy.end_to_end);
    out.back().set_detail(SourceNote(r));
  }
  if (IsUrgent(r)) {
    to_province(DEADLINE_RULE_DIRECT_TO_PROVINCE,
                FromProto(first.received_at()), policy.direct_to_province);
  }

  // R3's "at the same time": once the province has it, every level on the
  // way has it too within the tolerance; the hop before a lagging level
  // answers. Judged where the province's arrival is known.
  if (IsUrgent(r) && at_province != absl::InfinitePast()) {
    auto same_time = [&](const Hops& hops) {
      for (int i = 1; i < hops.size(); ++i) {
        if (IsProvince(hops[i].node()) || !IsSet(hops[i].received_at())) {
          continue;
        }
        const absl::Time reached = FromProto(hops[i].received_at());
        if (reached <= at_province + policy.same_time) continue;
        DeadlineStatus s = Status(stored, DEADLINE_RULE_NEXT_LEVEL_SAME_TIME,
                                  hops[i - 1].node(), at_province,
                                  policy.same_time, reached, now, policy);
        s.set_detail(absl::StrCat(hops[i].node(), " learned of it ",
                                  absl::FormatDuration(reached - at_province),
                                  " after the province (clocks of two nodes)"));
        out.push_back(std::move(s));
      }
    };
    same_time(stored.hops());
    for (const Path& path : stored.other_paths()) same_time(path.hops());
  }

  // R5: the province's own obligation for urgent reports.
  if (IsUrgent(r) && IsProvince(here) && stored.hops(last).node() == here) {
    absl::Time national = absl::InfinitePast();
    for (const Forwarding& f : stored.hops(last).forwarded()) {
      if (IsSet(f.sent_at())) national = FromProto(f.sent_at());
    }
    out.push_back(Status(stored, DEADLINE_RULE_PROVINCE_TO_NATIONAL, here,
                         FromProto(stored.hops(last).received_at()),
                         policy.province_to_national, national, now, policy));
  }
  return out;
}

namespace {

Forwarding ForwardingView(const Forwarding& f) {
  Forwarding view;
  view.set_to(f.to());
  view.set_route(f.route());
  if (f.has_sent_at()) *view.mutable_sent_at() = f.sent_at();
  if (f.has_acked_at()) *view.mutable_acked_at() = f.acked_at();
  view.set_refused(f.refused());
  return view;
}

void HopsView(const Hops& hops, Hops* view) {
  view->Reserve(hops.size());
  for (const HopRecord& hop : hops) {
    HopRecord* h = view->Add();
    h->set_node(hop.node());
    h->set_standby(hop.standby());
    if (hop.has_received_at()) *h->mutable_received_at() = hop.received_at();
    for (const Forwarding& f : hop.forwarded()) {
      *h->add_forwarded() = ForwardingView(f);
    }
  }
}

}  // namespace

StoredReport DeadlineView(const StoredReport& timeline) {
  StoredReport view;
  const IncidentReport& r = timeline.report();
  IncidentReport* v = view.mutable_report();
  v->set_report_id(r.report_id());
  v->set_event_id(r.event_id());
  v->set_event_seq(r.event_seq());
  v->set_origin(r.origin());
  v->set_kind(r.kind());
  v->set_status(r.status());
  v->set_grade(r.grade());
  *v->mutable_sensitivity() = r.sensitivity();
  if (r.has_occurred_at()) *v->mutable_occurred_at() = r.occurred_at();
  if (r.has_reportable_at()) *v->mutable_reportable_at() = r.reportable_at();
  if (r.has_unit_informed_at()) {
    *v->mutable_unit_informed_at() = r.unit_informed_at();
  }
  v->mutable_location()->set_region_code(r.location().region_code());
  v->set_headline(r.headline());
  if (r.has_source()) *v->mutable_source() = r.source();
  HopsView(timeline.hops(), view.mutable_hops());
  for (const Path& path : timeline.other_paths()) {
    HopsView(path.hops(), view.add_other_paths()->mutable_hops());
  }
  return view;
}

void PutOwnForwarding(const Forwarding& forwarding, StoredReport* view) {
  if (view->hops().empty()) return;
  auto* records =
      view->mutable_hops(view->hops_size() - 1)->mutable_forwarded();
  // In the store's order (by link), which the rules that take the first or
  // last send depend on.
  int at = 0;
  while (at < records->size() && records->Get(at).to() < forwarding.to()) ++at;
  if (at < records->size() && records->Get(at).to() == forwarding.to()) {
    *records->Mutable(at) = ForwardingView(forwarding);
    return;
  }
  *records->Add() = ForwardingView(forwarding);
  for (int i = records->size() - 1; i > at; --i)
    records->SwapElements(i, i - 1);
}

std::vector<Breach> BreachesAtSend(const StoredReport& stored,
                                   const DeadlinePolicy& policy,
                                   const std::string& here, absl::Time now) {
  std::vector<Breach> out;
  if (stored.hops().empty()) return out;
  const HopRecord& own = stored.hops(stored.hops_size() - 1);
  if (own.node() != here) return out;
  auto add = [&](DeadlineRule rule, const std::string& responsible,
                 absl::Time start, absl::Duration budget, absl::Time met,
                 const std::string& detail) {
    Breach b;
    b.set_rule(rule);
    b.set_responsible(responsible);
    *b.mutable_start() = ToProto(start);
    *b.mutable_due() = ToProto(start + budget);
    *b.mutable_met_at() = ToProto(met);
    b.set_drill(IsDrill(stored.report()));
    b.set_detail(detail);
    out.push_back(std::move(b));
  };
  absl::Time received = FromProto(own.received_at());
  if (now > received + policy.per_hop) {
    add(DEADLINE_RULE_PER_HOP, here, received, policy.per_hop, now,
        absl::StrCat("held ", absl::FormatDuration(now - received),
                     " here; the budget per level is ",
                     absl::FormatDuration(policy.per_hop)));
  }
  // The reporting unit was late to the local government: recorded by the
  // local government (the first hop), against the unit.
  if (stored.hops_size() == 1 && stored.report().event_seq() == 0) {
    absl::Time informed = UnitInformedAt(stored.report());
    if (received > informed + policy.unit_to_local) {
      add(DEADLINE_RULE_UNIT_TO_LOCAL, stored.report().origin(), informed,
          policy.unit_to_local, received,
          WithSource(stored.report(),
                     absl::StrCat("reached the local government ",
                                  absl::FormatDuration(received - informed),
                                  " after the unit's head learned of it")));
    }
  }
  return out;
}

std::vector<DeadlineStatus> EventDeadlines(const EventRecord& event,
                                           const DeadlinePolicy& policy,
                                           absl::Time now) {
  std::vector<DeadlineStatus> out;
  auto add = [&](DeadlineRule rule, absl::Time start, absl::Time due,
                 const std::string& detail) {
    DeadlineStatus s;
    s.set_rule(rule);
    s.set_report_id(event.last_report_id());
    s.set_event_id(event.event_id());
    s.set_headline(event.headline());
    s.set_responsible(event.owner_node());
    s.set_drill(event.drill());
    *s.mutable_start() = ToProto(start);
    *s.mutable_due() = ToProto(due);
    s.set_state(StateOf(start, due, absl::InfinitePast(), now,
                        policy.at_risk_fraction));
    s.set_detail(detail);
    out.push_back(std::move(s));
  };
  if (event.closed()) return out;
  if (IsSet(event.brief_at())) {
    absl::Time brief = FromProto(event.brief_at());
    add(DEADLINE_RULE_BRIEF_TO_DETAILED, brief,
        brief + policy.brief_to_detailed,
        "the detailed report after the brief one");
  }
  if (IsSet(event.next_due())) {
    add(DEADLINE_RULE_FOLLOW_UP, FromProto(event.last_received_at()),
        FromProto(event.next_due()),
        absl::StrCat("next report after #", event.last_event_seq(),
                     "; the event stays open until a final report"));
  }
  return out;
}

std::string GovernmentOf(const std::string& location) {
  absl::StatusOr<Level> level = LevelOf(location);
  if (!level.ok()) return "";
  return *level == Level::kVillage ? ParentCode(location) : location;
}

std::string EventOwner(const std::string& owner, const std::string& taker,
                       const std::string& location) {
  std::string government = GovernmentOf(location);
  if (government.empty()) return owner.empty() ? taker : owner;
  // A vaguer location of the same place (a department naming only the
  // county) keeps the nearer government that owns it already; any other
  // location, a nearer one or a corrected one, names its own government.
  if (LevelOf(owner).ok() && RegionContains(government, owner)) return owner;
  return government;
}

void UpdateEvent(const StoredReport& stored, absl::Time received,
                 const DeadlinePolicy& policy, EventRecord* event) {
  const IncidentReport& r = stored.report();
  bool first = event->reports() == 0;
  if (first) {
    event->set_event_id(r.event_id());
    event->set_origin(r.origin());
  }
  event->set_owner_node(EventOwner(
      event->owner_node(), stored.hops().empty() ? "" : stored.hops(0).node(),
      r.location().region_code()));
  event->set_reports(event->reports() + 1);
  if (!first && r.event_seq() < event->last_event_seq()) return;
  event->set_last_report_id(r.report_id());
  event->set_last_kind(r.kind());
  event->set_last_event_seq(r.event_seq());
  event->set_headline(r.headline());
  event->set_region_code(r.location().region_code());
  event->set_grade(r.grade());
  event->set_drill(IsDrill(r));
  *event->mutable_last_received_at() = ToProto(received);
  if (r.kind() == REPORT_KIND_FINAL || r.kind() == REPORT_KIND_RETRACTION) {
    event->set_closed(true);
    event->clear_next_due();
    event->clear_brief_at();
    return;
  }
  event->set_closed(false);
  absl::Time next = received + policy.follow_up_interval;
  if (IsSet(r.next_report_due())) {
    next = std::min(next, FromProto(r.next_report_due()));
  }
  *event->mutable_next_due() = ToProto(next);
  if (r.kind() == REPORT_KIND_BRIEF) {
    if (!IsSet(event->brief_at()))
      *event->mutable_brief_at() = ToProto(received);
  } else if (r.kind() != REPORT_KIND_CORRECTION) {
    event->clear_brief_at();
  }
}

}  // namespace kuaibao
