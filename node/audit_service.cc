#include "node/audit_service.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "relay/audit_timeline.h"
#include "relay/base/log.h"
#include "relay/base/status_macros.h"
#include "relay/breach_collector.h"
#include "relay/proto_time.h"
#include "relay/punctuality.h"
#include "relay/statistics.h"
#include "relay/transport/peer_identity.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

// Every call: run `answer`, finish with its status.
template <typename Fn>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                 Fn answer) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(answer()));
  return reactor;
}

absl::Status Invalid(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// The report's key in b/<report id>/<rule>/<responsible>.
BreachSubject SubjectOf(const IncidentReport& r) {
  return BreachSubject{r.report_id(), r.event_id(), "",
                       r.location().region_code(), r.headline()};
}

}  // namespace

absl::StatusOr<std::string> AuditService::CallerRegion(
    grpc::CallbackServerContext* context) const {
  ASSIGN_OR_RETURN(Identity caller, PeerIdentity(*context->auth_context()));
  const std::string& here = relay_->options().region;
  switch (caller.role) {
    case Role::kAuditor:
      if (RegionContains(caller.region, here)) return here;
      if (RegionContains(here, caller.region)) return caller.region;
      return absl::PermissionDeniedError(absl::StrCat(
          "auditor ", caller.uri, " audits region ", caller.region,
          ", which neither contains nor lies inside this node's region ",
          here));
    case Role::kClient:
      if (RegionContains(here, caller.region)) return caller.region;
      return absl::PermissionDeniedError(
          absl::StrCat("client ", caller.uri, " belongs to region ",
                       caller.region, ", outside this node's region ", here,
                       "; audit views are for auditors and the node's own "
                       "clients"));
    default:
      return absl::PermissionDeniedError(
          absl::StrCat("audit views are for auditors and clients; ", caller.uri,
                       " is a node certificate"));
  }
}

absl::StatusOr<v1::AuditScope> AuditService::CheckScope(
    grpc::CallbackServerContext* context, const v1::AuditScope& asked) const {
  ASSIGN_OR_RETURN(std::string allowed, CallerRegion(context));
  v1::AuditScope scope = asked;
  if (!IsSet(scope.from())) return Invalid("scope.from", "is required");
  if (!IsSet(scope.to())) return Invalid("scope.to", "is required");
  if (FromProto(scope.to()) <= FromProto(scope.from())) {
    return Invalid("scope.to", "must be after scope.from");
  }
  if (scope.region().empty()) {
    scope.set_region(allowed);
  } else if (!LevelOf(scope.region()).ok()) {
    return Invalid("scope.region", "must be a 12-digit region code");
  } else if (!RegionContains(allowed, scope.region())) {
    return absl::PermissionDeniedError(
        absl::StrCat("scope.region ", scope.region(),
                     " lies outside the region you may audit here, ", allowed));
  }
  return scope;
}

absl::Status AuditService::ForEachReport(
    const std::string& region,
    const std::function<void(const StoredReport&)>& visit) const {
  return ForEachReport(
      [&](const StoredReport& r) {
        return RegionContains(region, r.report().location().region_code());
      },
      visit);
}

absl::Status AuditService::ForEachReport(
    const std::function<bool(const StoredReport&)>& filter,
    const std::function<void(const StoredReport&)>& visit) const {
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<StoredReport> page,
                     relay_->ListReports(after, 500, filter));
    for (const StoredReport& r : page) {
      // With this node's forwardings: its own hand-off is judged too.
      absl::StatusOr<StoredReport> full =
          relay_->Timeline(r.report().report_id());
      visit(full.ok() ? *full : r);
    }
    if (page.size() < 500) return absl::OkStatus();
    after = page.back().report().report_id();
  }
}

grpc::ServerUnaryReactor* AuditService::Timeline(
    grpc::CallbackServerContext* context, const v1::TimelineRequest* request,
    v1::TimelineResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string region, CallerRegion(context));
    if (request->report_id().empty() == request->event_id().empty()) {
      return Invalid("report_id", "give a report_id or an event_id");
    }
    std::vector<StoredReport> reports;
    if (!request->report_id().empty()) {
      absl::StatusOr<StoredReport> stored =
          relay_->Timeline(request->report_id());
      // Outside the caller's subtree reads as absent, as in Query.
      if (stored.ok() &&
          RegionContains(region, stored->report().location().region_code())) {
        reports.push_back(*std::move(stored));
      } else if (!stored.ok() && !absl::IsNotFound(stored.status())) {
        return stored.status();
      }
    } else {
      RETURN_IF_ERROR(ForEachReport(
          [&](const StoredReport& r) {
            return r.report().event_id() == request->event_id() &&
                   RegionContains(region, r.report().location().region_code());
          },
          [&](const StoredReport& r) { reports.push_back(r); }));
    }
    if (reports.empty()) {
      return absl::NotFoundError(
          request->report_id().empty()
              ? absl::StrCat("no report of event ", request->event_id())
              : absl::StrCat("no report ", request->report_id()));
    }
    TimelineContext ctx;
    ctx.policy = relay_->options().deadlines;
    ctx.here = relay_->options().region;
    ctx.has_parent = !relay_->options().parent.empty();
    ctx.now = clock_->TimeNow();
    ctx.skew = skew_;
    response->set_node(ctx.here);
    response->set_time_scale(ctx.policy.time_scale);
    *response->mutable_as_of() = ToProto(ctx.now);
    *response->mutable_skew_bound() = ToDurationProto(skew_->bound());
    for (ReportTimeline& t : BuildTimelines(reports, ctx)) {
      *response->add_reports() = std::move(t);
    }
    return absl::OkStatus();
  });
}

absl::Status AuditService::CollectBreaches(
    const v1::AuditScope& scope, absl::Time now,
    v1::ListBreachesResponse* response) const {
  BreachCollector collector(FromProto(scope.from()), FromProto(scope.to()),
                            now);
  const std::string& region = scope.region();
  // Each report as evaluated now, and the breaches that travelled up with it.
  RETURN_IF_ERROR(ForEachReport(region, [&](const StoredReport& r) {
    BreachSubject subject = SubjectOf(r.report());
    for (const DeadlineStatus& d : relay_->DeadlinesOf(r, now)) {
      collector.AddDeadline(subject, d);
    }
    // Every arrival's hops (a later path, a department's line beside the
    // government's): a later path's late hand-off is as much a breach as
    // the first path's.
    auto add_records =
        [&](const google::protobuf::RepeatedPtrField<HopRecord>& hops) {
          for (const HopRecord& hop : hops) {
            for (const Breach& b : hop.breaches())
              collector.AddRecord(subject, b);
          }
        };
    add_records(r.hops());
    for (const Path& path : r.other_paths()) add_records(path.hops());
  }));
  // Open events' follow-ups as evaluated now...
  ASSIGN_OR_RETURN(std::vector<DeadlineStatus> due,
                   relay_->ListDue(region, now, /*include_met=*/false));
  for (const DeadlineStatus& d : due) {
    collector.AddDeadline(
        BreachSubject{d.report_id(), d.event_id(), "", "", d.headline()}, d);
  }
  // ...and every breach this node recorded when it happened.
  RETURN_IF_ERROR(relay_->ForEachBreachRecord(
      [&](const std::string& about, const Breach& b) {
        absl::StatusOr<StoredReport> r = relay_->Timeline(about);
        if (r.ok() &&
            RegionContains(region, r->report().location().region_code())) {
          collector.AddRecord(SubjectOf(r->report()), b);
        }
        return true;
      }));
  // Instructions relayed or answered late.
  ASSIGN_OR_RETURN(std::vector<InstructionState> instructions,
                   book_->List(region, "", now));
  for (const InstructionState& s : instructions) {
    for (const DeadlineStatus& d : s.deadlines()) {
      collector.AddDeadline(
          BreachSubject{d.report_id(), s.instruction().event_id(),
                        s.instruction().instruction_id(),
                        s.instruction().target_region(), d.headline()},
          d);
    }
  }
  // Numbers an origin used that never arrived here.
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(
        std::vector<OriginRecord> origins,
        relay_->Origins(
            after, 1000,
            [&](const OriginRecord& o) {
              absl::StatusOr<Identity> author = ParseIdentity(o.origin());
              return author.ok() && RegionContains(region, author->region) &&
                     o.gaps_size() > 0;
            },
            now, options_.gap_overdue_after));
    for (const OriginRecord& o : origins) {
      std::string origin_region = ParseIdentity(o.origin())->region;
      for (const SequenceGap& gap : o.gaps()) {
        collector.AddGap(o.origin(), origin_region, gap);
      }
    }
    if (origins.size() < 1000) break;
    after = origins.back().origin();
  }
  *response = collector.Build();
  return AttachReviews(response);
}

absl::Status AuditService::AttachReviews(
    v1::ListBreachesResponse* response) const {
  auto attach = [&](v1::BreachEntry* e) -> absl::Status {
    absl::StatusOr<v1::BreachReview> mark =
        relay_->ReviewOf(AboutOf(*e), e->breach().rule(), e->responsible());
    if (absl::IsNotFound(mark.status())) return absl::OkStatus();
    if (!mark.ok()) return mark.status();
    *e->mutable_review() = *std::move(mark);
    return absl::OkStatus();
  };
  for (v1::BreachGroup& g : *response->mutable_groups()) {
    for (v1::BreachEntry& e : *g.mutable_entries()) RETURN_IF_ERROR(attach(&e));
  }
  for (v1::BreachEntry& e : *response->mutable_drills()) {
    RETURN_IF_ERROR(attach(&e));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AuditService::ListBreaches(
    grpc::CallbackServerContext* context,
    const v1::ListBreachesRequest* request,
    v1::ListBreachesResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::AuditScope scope,
                     CheckScope(context, request->scope()));
    absl::Time now = clock_->TimeNow();
    RETURN_IF_ERROR(CollectBreaches(scope, now, response));
    response->set_node(relay_->options().region);
    response->set_time_scale(relay_->options().deadlines.time_scale);
    *response->mutable_as_of() = ToProto(now);
    *response->mutable_scope() = scope;
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditService::Punctuality(
    grpc::CallbackServerContext* context, const v1::PunctualityRequest* request,
    v1::PunctualityResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::AuditScope scope,
                     CheckScope(context, request->scope()));
    absl::Time now = clock_->TimeNow();
    PunctualityTally tally(FromProto(scope.from()), FromProto(scope.to()), now);
    RETURN_IF_ERROR(ForEachReport(scope.region(), [&](const StoredReport& r) {
      tally.Add(relay_->DeadlinesOf(r, now),
                r.hops().empty() ? "" : r.hops(0).node());
    }));
    response->set_node(relay_->options().region);
    *response->mutable_as_of() = ToProto(now);
    *response->mutable_scope() = scope;
    for (PunctualityRow& row : tally.Nodes()) {
      *response->add_nodes() = std::move(row);
    }
    for (PunctualityRow& row : tally.Units()) {
      *response->add_units() = std::move(row);
    }
    for (PunctualityRow& row : tally.EndToEnd()) {
      *response->add_end_to_end() = std::move(row);
    }
    *response->mutable_end_to_end_budget() =
        ToDurationProto(relay_->options().deadlines.end_to_end);
    response->set_time_scale(relay_->options().deadlines.time_scale);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditService::Statistics(
    grpc::CallbackServerContext* context, const v1::StatisticsRequest* request,
    v1::StatisticsResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(v1::AuditScope scope,
                     CheckScope(context, request->scope()));
    if (!v1::StatsGrouping_IsValid(request->grouping())) {
      return Invalid("grouping", "must be REGION, CATEGORY or GRADE");
    }
    EventStatistics stats;
    RETURN_IF_ERROR(ForEachReport(
        scope.region(), [&](const StoredReport& r) { stats.Add(r.report()); }));
    StatsGrouping grouping = request->grouping() == STATS_GROUPING_UNSPECIFIED
                                 ? STATS_GROUPING_REGION
                                 : request->grouping();
    *response = stats.Build(FromProto(scope.from()), FromProto(scope.to()),
                            scope.region(), grouping);
    response->set_node(relay_->options().region);
    *response->mutable_scope() = scope;
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditService::ReviewBreach(
    grpc::CallbackServerContext* context,
    const v1::ReviewBreachRequest* request, v1::BreachReview* response) {
  return Answer(context, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Identity caller, PeerIdentity(*context->auth_context()));
    if (caller.role != Role::kAuditor) {
      return absl::PermissionDeniedError(
          absl::StrCat("marking a breach reviewed is for auditors; ",
                       caller.uri, " is not an auditor certificate"));
    }
    ASSIGN_OR_RETURN(std::string region, CallerRegion(context));
    const v1::BreachReview& asked = request->review();
    if (asked.about().empty()) {
      return Invalid("review.about",
                     "is required: the breach's report, event or instruction "
                     "id");
    }
    if (asked.rule() == DEADLINE_RULE_UNSPECIFIED ||
        !DeadlineRule_IsValid(asked.rule())) {
      return Invalid("review.rule", "must name the breach's deadline rule");
    }
    if (asked.responsible().empty()) {
      return Invalid("review.responsible", "is required");
    }
    if (asked.note().size() > 2000) {
      return Invalid("review.note", "is longer than 2000 bytes");
    }
    absl::StatusOr<v1::BreachReview> existing =
        relay_->ReviewOf(asked.about(), asked.rule(), asked.responsible());
    if (existing.ok()) {
      // Idempotent: the first mark stands, with its auditor and time.
      *response = *std::move(existing);
      return absl::OkStatus();
    }
    if (!absl::IsNotFound(existing.status())) return existing.status();
    // Only a breach this node lists for the caller can be marked.
    const absl::Time now = clock_->TimeNow();
    v1::AuditScope all;
    *all.mutable_from() = ToProto(absl::FromUnixSeconds(0));
    *all.mutable_to() = ToProto(now + absl::Hours(24));
    all.set_region(region);
    v1::ListBreachesResponse listed;
    RETURN_IF_ERROR(CollectBreaches(all, now, &listed));
    bool found = false;
    auto match = [&](const v1::BreachEntry& e) {
      found = found || (AboutOf(e) == asked.about() &&
                        e.breach().rule() == asked.rule() &&
                        e.responsible() == asked.responsible());
    };
    for (const v1::BreachGroup& g : listed.groups()) {
      for (const v1::BreachEntry& e : g.entries()) match(e);
    }
    for (const v1::BreachEntry& e : listed.drills()) match(e);
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat("no breach of rule ", DeadlineRule_Name(asked.rule()),
                       " by ", asked.responsible(), " about ", asked.about(),
                       " in region ", region, " at this node"));
    }
    v1::BreachReview review = asked;
    review.set_reviewed_by(caller.uri);
    *review.mutable_reviewed_at() = ToProto(now);
    RETURN_IF_ERROR(relay_->RecordReview(review));
    Log(LogLevel::kInfo, "breach marked reviewed",
        {{"about", asked.about()},
         {"rule", DeadlineRule_Name(asked.rule())},
         {"responsible", asked.responsible()},
         {"auditor", caller.uri}});
    *response = std::move(review);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AuditService::ClockSkew(
    grpc::CallbackServerContext* context, const v1::ClockSkewRequest*,
    v1::ClockSkewResponse* response) {
  return Answer(context, [&]() -> absl::Status {
    RETURN_IF_ERROR(CallerRegion(context).status());
    response->set_node(relay_->options().region);
    *response->mutable_as_of() = ToProto(clock_->TimeNow());
    *response->mutable_bound() = ToDurationProto(skew_->bound());
    for (const SkewEstimate& e : skew_->Estimates()) {
      v1::ClockLink* link = response->add_links();
      link->set_peer(e.peer);
      link->set_relation(e.relation == SkewRelation::kParent ? "upstream"
                                                             : "child");
      *link->mutable_offset() = ToDurationProto(e.offset);
      if (e.round_trip != absl::InfiniteDuration()) {
        *link->mutable_round_trip() = ToDurationProto(e.round_trip);
      }
      link->set_samples(e.samples);
      *link->mutable_last_sample_at() = ToProto(e.last_sample_at);
      link->set_beyond_bound(e.beyond_bound);
    }
    return absl::OkStatus();
  });
}

}  // namespace kuaibao
