#include "node/monitor_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "node/cert_identity.h"
#include "node/children_view.h"
#include "node/standby_forwarders.h"
#include "relay/proto_time.h"
#include "relay/transport/peer_identity.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

v1::LinkCondition ToProto(LinkHealth health) {
  switch (health) {
    case LinkHealth::kDown:
      return v1::LINK_CONDITION_DOWN;
    case LinkHealth::kIdle:
      return v1::LINK_CONDITION_IDLE;
    case LinkHealth::kMoving:
      return v1::LINK_CONDITION_MOVING;
    case LinkHealth::kStalled:
      return v1::LINK_CONDITION_STALLED;
  }
  return v1::LINK_CONDITION_UNSPECIFIED;
}

void SetIfFinite(absl::Time t, google::protobuf::Timestamp* out) {
  if (t != absl::InfinitePast() && t != absl::InfiniteFuture()) {
    *out = kuaibao::ToProto(t);
  }
}

}  // namespace

MonitorService::MonitorService(Options options, RelayEngine* relay,
                               const AdmissionControl* admission,
                               std::vector<const Forwarder*> links,
                               Clock* clock)
    : options_(options),
      relay_(relay),
      admission_(admission),
      links_(std::move(links)),
      clock_(clock),
      started_(clock->TimeNow()) {}

grpc::ServerUnaryReactor* MonitorService::GetStatus(
    grpc::CallbackServerContext* context, const v1::GetStatusRequest*,
    v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  const std::string& here = relay_->options().region;
  if (caller.ok() && !RegionContains(caller->region, here) &&
      !RegionContains(here, caller->region)) {
    caller = absl::PermissionDeniedError(absl::StrCat(
        caller->uri, " may see the status of nodes above or below its region ",
        caller->region, ", not of ", here));
  }
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  absl::Time now = clock_->TimeNow();
  response->set_node(here);
  *response->mutable_now() = kuaibao::ToProto(now);
  absl::Status refusal = relay_->IntakeRefusal();
  response->set_accepting(refusal.ok());
  response->set_refusal(std::string(refusal.message()));
  AdmissionControl::Usage usage = admission_->usage();
  response->set_store_bytes(usage.store_bytes);
  response->set_free_disk_bytes(usage.free_bytes);
  response->set_max_store_bytes(admission_->limits().max_store_bytes);
  response->set_min_free_disk_bytes(admission_->limits().min_free_bytes);
  *response->mutable_started_at() = kuaibao::ToProto(started_);
  absl::StatusOr<std::vector<absl::Time>> expiries =
      CertificateExpiries(options_.cert_file);
  if (expiries.ok()) {
    SetIfFinite(expiries->front(), response->mutable_certificate_expires_at());
  }
  response->set_backlog_bytes(relay_->backlog_bytes());
  response->set_max_backlog_bytes(admission_->limits().max_backlog_bytes);
  response->set_standby(relay_->options().standby);
  response->set_acting(Acting(relay_->options(), links_));
  for (const Forwarder* forwarder : links_) {
    LinkSnapshot snapshot = forwarder->Snapshot();
    LinkAssessment assessment = AssessLink(snapshot, now, options_.stall_after);
    v1::LinkStatus* link = response->add_links();
    link->set_upstream(forwarder->options().upstream);
    link->set_address(forwarder->options().address);
    link->set_condition(ToProto(assessment.health));
    if (snapshot.connected) {
      SetIfFinite(snapshot.connected_since, link->mutable_connected_since());
    }
    link->set_in_flight(static_cast<uint32_t>(snapshot.in_flight));
    SetIfFinite(snapshot.last_receipt_at, link->mutable_last_receipt_at());
    SetIfFinite(assessment.quiet_since, link->mutable_quiet_since());
    *link->mutable_stall_after() = ToDurationProto(options_.stall_after);
    absl::StatusOr<Outbox::Summary> summary =
        relay_->Waiting(forwarder->options().upstream);
    if (!summary.ok()) {
      reactor->Finish(ToGrpcStatus(summary.status()));
      return reactor;
    }
    link->set_waiting(summary->waiting);
    link->set_held(summary->held);
    SetIfFinite(summary->oldest_stored_at,
                link->mutable_oldest_waiting_since());
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* MonitorService::ListOrigins(
    grpc::CallbackServerContext* context, const v1::ListOriginsRequest* request,
    v1::ListOriginsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  const size_t limit =
      request->limit() == 0 ? 100 : std::min(request->limit(), 1000u);
  const std::string& region = caller->region;
  const bool gaps_only = request->gaps_only();
  absl::Time now = clock_->TimeNow();
  // Only origins inside the caller's subtree: nothing tells a caller what
  // exists beyond its region.
  absl::StatusOr<std::vector<OriginRecord>> origins = relay_->Origins(
      request->page_token(), limit,
      [&](const OriginRecord& origin) {
        absl::StatusOr<Identity> author = ParseIdentity(origin.origin());
        return author.ok() && RegionContains(region, author->region) &&
               (!gaps_only || origin.gaps_size() > 0);
      },
      now, options_.overdue_after);
  if (!origins.ok()) {
    reactor->Finish(ToGrpcStatus(origins.status()));
    return reactor;
  }
  response->set_node(relay_->options().region);
  *response->mutable_now() = kuaibao::ToProto(now);
  *response->mutable_overdue_after() = ToDurationProto(options_.overdue_after);
  if (origins->size() == limit) {
    response->set_next_page_token(origins->back().origin());
  }
  for (OriginRecord& origin : *origins) {
    *response->add_origins() = std::move(origin);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* MonitorService::ListChildren(
    grpc::CallbackServerContext* context, const v1::ListChildrenRequest*,
    v1::ListChildrenResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  const std::string& here = relay_->options().region;
  if (!RegionContains(caller->region, here)) {
    reactor->Finish(ToGrpcStatus(absl::PermissionDeniedError(
        absl::StrCat(caller->uri, " may not see the links below node ", here,
                     ": only callers whose region contains it"))));
    return reactor;
  }
  if (regions_ == nullptr || children_ == nullptr) {
    reactor->Finish(ToGrpcStatus(
        absl::UnimplementedError("this node does not track its children")));
    return reactor;
  }
  *response = kuaibao::ListChildren(*regions_, here, *children_, skew_,
                                    clock_->TimeNow());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace kuaibao
