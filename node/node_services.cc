#include "node/node_services.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "node/ack_stream_reactor.h"
#include "relay/base/log.h"
#include "relay/transport/peer_identity.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

constexpr size_t kMaxOutstandingPerStream = 256;
// The most a ListReports page carries (gRPC clients receive 4 MiB at most).
constexpr size_t kMaxPageBytes = 3 << 20;

Rejection ToRejection(const std::string& report_id, const absl::Status& s) {
  Rejection rejection;
  rejection.set_report_id(report_id);
  rejection.set_code(static_cast<int>(s.code()));
  rejection.set_message(std::string(s.message()));
  rejection.set_field(ErrorField(s));
  return rejection;
}

void LogRefusal(const Identity& from, const std::string& report_id,
                const absl::Status& s) {
  Log(LogLevel::kWarning, "report refused",
      {{"report_id", report_id},
       {"from", from.uri},
       {"code", absl::StatusCodeToString(s.code())},
       {"field", ErrorField(s)}});
}

// The caller's identity, or the status to refuse the call with.
absl::StatusOr<Identity> Caller(grpc::CallbackServerContext* context) {
  return PeerIdentity(*context->auth_context());
}

template <typename Req, typename Resp>
grpc::ServerBidiReactor<Req, Resp>* Refuse(const absl::Status& s,
                                           absl::string_view rpc) {
  Log(LogLevel::kWarning, "stream refused",
      {{"rpc", std::string(rpc)},
       {"code", absl::StatusCodeToString(s.code())},
       {"reason", std::string(s.message())}});
  return new RefusedStreamReactor<Req, Resp>(ToGrpcStatus(s));
}

}  // namespace

grpc::ServerBidiReactor<v1::SubmitRequest, v1::SubmitResponse>*
IntakeService::Submit(grpc::CallbackServerContext* context) {
  using Reactor = AckStreamReactor<v1::SubmitRequest, v1::SubmitResponse>;
  const std::string& here = relay_->options().region;
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) {
    return Refuse<v1::SubmitRequest, v1::SubmitResponse>(caller.status(),
                                                         "Submit");
  }
  if (caller->role != Role::kClient) {
    return Refuse<v1::SubmitRequest, v1::SubmitResponse>(
        absl::PermissionDeniedError(
            absl::StrCat("intake is for clients; ", caller->uri, " is a ",
                         RoleName(caller->role), " certificate")),
        "Submit");
  }
  if (!RegionContains(here, caller->region)) {
    return Refuse<v1::SubmitRequest, v1::SubmitResponse>(
        absl::PermissionDeniedError(absl::StrCat(
            "client ", caller->uri, " belongs to region ", caller->region,
            ", outside this node's region ", here)),
        "Submit");
  }
  RelayEngine* relay = relay_;
  Identity client = *std::move(caller);
  return new Reactor(
      [relay, client](v1::SubmitRequest&& request, Reactor::Reply reply) {
        std::string id = request.report().report_id();
        relay->Submit(client, std::move(*request.mutable_report()),
                      [client, id, reply](absl::StatusOr<Receipt> receipt) {
                        v1::SubmitResponse response;
                        if (receipt.ok()) {
                          *response.mutable_receipt() = *std::move(receipt);
                        } else {
                          LogRefusal(client, id, receipt.status());
                          *response.mutable_rejection() =
                              ToRejection(id, receipt.status());
                        }
                        reply(std::move(response));
                      });
      },
      kMaxOutstandingPerStream);
}

grpc::ServerBidiReactor<v1::RelayUp, v1::RelayDown>* RelayService::Escalate(
    grpc::CallbackServerContext* context) {
  using Reactor = AckStreamReactor<v1::RelayUp, v1::RelayDown>;
  const std::string& here = relay_->options().region;
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) {
    return Refuse<v1::RelayUp, v1::RelayDown>(caller.status(), "Escalate");
  }
  if (caller->role != Role::kNode) {
    return Refuse<v1::RelayUp, v1::RelayDown>(
        absl::PermissionDeniedError(
            absl::StrCat("relay is for nodes; ", caller->uri, " is a ",
                         RoleName(caller->role), " certificate")),
        "Escalate");
  }
  if (caller->region == here || !RegionContains(here, caller->region)) {
    return Refuse<v1::RelayUp, v1::RelayDown>(
        absl::PermissionDeniedError(absl::StrCat(
            "node ", caller->region, " is not inside this node's region ", here,
            "; a node relays only to a node above it")),
        "Escalate");
  }
  Log(LogLevel::kInfo, "child connected", {{"child", caller->uri}});
  RelayEngine* relay = relay_;
  Identity child = *std::move(caller);
  return new Reactor(
      [relay, child](v1::RelayUp&& up, Reactor::Reply reply) {
        std::string id = up.report().report().report_id();
        relay->Accept(child, std::move(*up.mutable_report()),
                      [child, id, reply](absl::StatusOr<Receipt> receipt) {
                        v1::RelayDown down;
                        if (receipt.ok()) {
                          *down.mutable_receipt() = *std::move(receipt);
                        } else {
                          LogRefusal(child, id, receipt.status());
                          *down.mutable_rejection() =
                              ToRejection(id, receipt.status());
                        }
                        reply(std::move(down));
                      });
      },
      kMaxOutstandingPerStream);
}

grpc::ServerUnaryReactor* QueryService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::GetReportResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  absl::StatusOr<StoredReport> stored = relay_->Timeline(request->report_id());
  // Outside the caller's subtree reads as absent: no API tells a caller
  // what exists beyond its region.
  if (stored.ok() &&
      !RegionContains(caller->region,
                      stored->report().location().region_code())) {
    stored =
        absl::NotFoundError(absl::StrCat("no report ", request->report_id()));
  }
  if (!stored.ok()) {
    reactor->Finish(ToGrpcStatus(stored.status()));
    return reactor;
  }
  response->set_node(relay_->options().region);
  *response->mutable_report() = *std::move(stored);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* QueryService::ListReports(
    grpc::CallbackServerContext* context, const v1::ListReportsRequest* request,
    v1::ListReportsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  size_t limit =
      request->limit() == 0 ? 100 : std::min(request->limit(), 1000u);
  const std::string& region = caller->region;
  const std::string& event = request->event_id();
  absl::StatusOr<std::vector<StoredReport>> reports = relay_->ListReports(
      request->page_token(), limit, [&](const StoredReport& r) {
        return RegionContains(region, r.report().location().region_code()) &&
               (event.empty() || r.report().event_id() == event);
      });
  if (!reports.ok()) {
    reactor->Finish(ToGrpcStatus(reports.status()));
    return reactor;
  }
  response->set_node(relay_->options().region);
  // A page of large reports would pass a client's 4 MiB receive limit: stop
  // at kMaxPageBytes and let the token continue from there.
  size_t bytes = 0;
  for (StoredReport& r : *reports) {
    bytes += r.ByteSizeLong();
    if (response->reports_size() > 0 && bytes > kMaxPageBytes) break;
    *response->add_reports() = std::move(r);
  }
  if (static_cast<size_t>(response->reports_size()) < reports->size() ||
      reports->size() == limit) {
    response->set_next_page_token(
        response->reports(response->reports_size() - 1).report().report_id());
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace kuaibao
