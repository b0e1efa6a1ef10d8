#include "relay/audit_timeline.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "relay/deadlines.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

// The forwarding of `hop` to `to`, or nullptr.
const Forwarding* ForwardingTo(const HopRecord& hop, const std::string& to) {
  for (const Forwarding& f : hop.forwarded()) {
    if (f.to() == to) return &f;
  }
  return nullptr;
}

// The answering node's hand-off to its parent: the PARENT route if any, else
// the first forwarding.
const Forwarding* OwnHandOff(const HopRecord& hop) {
  for (const Forwarding& f : hop.forwarded()) {
    if (f.route() == ROUTE_PARENT || f.route() == ROUTE_UNSPECIFIED) return &f;
  }
  return hop.forwarded().empty() ? nullptr : &hop.forwarded(0);
}

std::string Short(absl::Duration d) { return absl::FormatDuration(d); }

// The rows of one path. `primary`: the path the report was stored by.
void AddPath(const StoredReport& stored, int path_index,
             const google::protobuf::RepeatedPtrField<HopRecord>& hops,
             const TimelineContext& ctx, ReportTimeline* out) {
  if (hops.empty()) return;
  StoredReport view;
  *view.mutable_report() = stored.report();
  *view.mutable_hops() = hops;
  const bool primary = path_index == 0;
  // A later path ends with this node's record of that arrival: its own
  // hand-off is judged once, on the primary path.
  std::vector<DeadlineStatus> deadlines = ReportDeadlines(
      view, ctx.policy, ctx.here, primary && ctx.has_parent, ctx.now);
  const int last = hops.size() - 1;
  for (int i = 0; i <= last; ++i) {
    const HopRecord& hop = hops.Get(i);
    HopTiming* row = out->add_hops();
    row->set_path(path_index);
    row->set_node(hop.node());
    row->set_received_from(hop.received_from());
    *row->mutable_received_at() = hop.received_at();
    *row->mutable_stored_at() = hop.stored_at();
    const Forwarding* sent = nullptr;
    if (i < last) {
      sent = ForwardingTo(hop, hops.Get(i + 1).node());
    } else if (primary && hop.node() == ctx.here) {
      sent = OwnHandOff(hop);
      for (const Forwarding& f : hop.forwarded()) {
        if (&f == sent) continue;
        row->add_notes(absl::StrCat(
            "also sent to ", f.to(), " (", Route_Name(f.route()), ")",
            IsSet(f.acked_at()) ? ", acknowledged" : ", not yet acknowledged"));
      }
    } else if (!primary && hop.node() == ctx.here) {
      row->add_notes("a later arrival by another path: recorded, stored once");
    }
    const absl::Time received = FromProto(hop.received_at());
    if (sent != nullptr) {
      row->set_sent_to(sent->to());
      *row->mutable_sent_at() = sent->sent_at();
      *row->mutable_acked_at() = sent->acked_at();
      if (!sent->refused().empty()) {
        row->add_notes(
            absl::StrCat("refused by ", sent->to(), ": ", sent->refused()));
      }
    }
    if (sent != nullptr && IsSet(sent->sent_at())) {
      *row->mutable_dwell() =
          ToDurationProto(FromProto(sent->sent_at()) - received);
    } else if (i == last && primary && ctx.has_parent &&
               hop.node() == ctx.here) {
      *row->mutable_dwell() = ToDurationProto(ctx.now - received);
      row->add_notes("still here: not yet handed on");
    }
    for (const DeadlineStatus& d : deadlines) {
      if (d.rule() != DEADLINE_RULE_PER_HOP || d.responsible() != hop.node()) {
        continue;
      }
      *row->mutable_budget() =
          ToDurationProto(FromProto(d.due()) - FromProto(d.start()));
      *row->mutable_due() = d.due();
      row->set_state(d.state());
      row->set_late(d.state() == DEADLINE_STATE_MET_LATE ||
                    d.state() == DEADLINE_STATE_OVERDUE);
    }
    if (i == 0) continue;
    // The transit from the previous node compares two clocks.
    const HopRecord& before = hops.Get(i - 1);
    const Forwarding* handed = ForwardingTo(before, hop.node());
    if (handed == nullptr || !IsSet(handed->sent_at())) continue;
    absl::Duration transit = received - FromProto(handed->sent_at());
    *row->mutable_transit() = ToDurationProto(transit);
    SkewEstimate estimate;
    if (ctx.skew != nullptr && hop.node() == ctx.here &&
        ctx.skew->Estimate(before.node(), &estimate)) {
      *row->mutable_clock_offset() = ToDurationProto(estimate.offset);
      row->set_clock_offset_known(true);
      if (estimate.beyond_bound) {
        row->add_notes(absl::StrCat("clocks disagree: ", DescribeSkew(estimate),
                                    ", beyond the bound ",
                                    Short(ctx.skew->bound()),
                                    "; times across this hand-off are not "
                                    "comparable"));
      }
    }
    if (transit < absl::ZeroDuration()) {
      row->add_notes(absl::StrCat(
          "arrived ", Short(-transit),
          " before it was sent, by the two clocks: ", before.node(),
          "'s clock is ahead of ", hop.node(), "'s by at least that"));
    } else if (ctx.skew != nullptr && transit > ctx.skew->bound()) {
      row->add_notes(absl::StrCat(
          "transit ", Short(transit), " by the two clocks: a slow network or ",
          before.node(), "'s clock behind ", hop.node(), "'s"));
    }
  }
}

std::string CrossClockNote(const DeadlineStatus& d, const StoredReport& s) {
  const std::string first = s.hops().empty() ? "" : s.hops(0).node();
  switch (d.rule()) {
    case DEADLINE_RULE_UNIT_TO_LOCAL:
      return absl::StrCat(
          "unit → local government: the author's unit_informed_at (its "
          "clock) against ",
          first, "'s arrival (its clock)");
    case DEADLINE_RULE_END_TO_END:
      return "reach the province: the author's reportable_at (its clock) "
             "against the province's arrival (its clock)";
    case DEADLINE_RULE_DIRECT_TO_PROVINCE:
      return absl::StrCat("reach the province directly: ", first,
                          "'s arrival against the province's arrival, two "
                          "nodes' clocks");
    default:
      return "";
  }
}

}  // namespace

ReportTimeline BuildTimeline(const StoredReport& stored,
                             const TimelineContext& ctx) {
  ReportTimeline out;
  const IncidentReport& r = stored.report();
  out.set_report_id(r.report_id());
  out.set_event_id(r.event_id());
  out.set_event_seq(r.event_seq());
  out.set_kind(r.kind());
  out.set_status(r.status());
  out.set_headline(r.headline());
  AddPath(stored, 0, stored.hops(), ctx, &out);
  for (int p = 0; p < stored.other_paths_size(); ++p) {
    AddPath(stored, p + 1, stored.other_paths(p).hops(), ctx, &out);
  }
  absl::flat_hash_set<std::string> late, notes;
  for (DeadlineStatus& d :
       ReportDeadlines(stored, ctx.policy, ctx.here, ctx.has_parent, ctx.now)) {
    if ((d.state() == DEADLINE_STATE_MET_LATE ||
         d.state() == DEADLINE_STATE_OVERDUE) &&
        late.insert(d.responsible()).second) {
      out.add_late(d.responsible());
    }
    std::string note = CrossClockNote(d, stored);
    if (!note.empty() && notes.insert(note).second) out.add_cross_clock(note);
    *out.add_deadlines() = std::move(d);
  }
  return out;
}

std::vector<ReportTimeline> BuildTimelines(
    const std::vector<StoredReport>& reports, const TimelineContext& ctx) {
  std::vector<ReportTimeline> out;
  out.reserve(reports.size());
  for (const StoredReport& r : reports) out.push_back(BuildTimeline(r, ctx));
  std::sort(out.begin(), out.end(),
            [](const ReportTimeline& a, const ReportTimeline& b) {
              if (a.event_seq() != b.event_seq()) {
                return a.event_seq() < b.event_seq();
              }
              return a.report_id() < b.report_id();
            });
  return out;
}

}  // namespace kuaibao
