#include "node/node_services.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "node/ack_stream_reactor.h"
#include "node/command_service.h"
#include "relay/base/log.h"
#include "relay/proto_time.h"
#include "relay/transport/peer_identity.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

constexpr size_t kMaxOutstandingPerStream = 256;

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
  InstructionBook* book = book_;
  Identity child = *std::move(caller);
  // The way down for instructions: registered before the reactor exists, so
  // its end always unregisters it.
  auto stream = std::make_shared<std::atomic<Reactor*>>(nullptr);
  uint64_t token = children_->Register(child.region, [stream](v1::RelayDown d) {
    Reactor* reactor = stream->load();
    return reactor != nullptr && reactor->Push(std::move(d));
  });
  auto* reactor = new Reactor(
      [relay, book, child](v1::RelayUp&& up, Reactor::Reply reply) {
        if (HandleInstructionUp(book, child, &up, reply)) return;
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
      kMaxOutstandingPerStream,
      [children = children_, region = child.region, token] {
        children->Unregister(region, token);
      });
  stream->store(reactor);
  children_->Deliver(child.region);
  return reactor;
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
  for (DeadlineStatus& d : relay_->DeadlinesOf(*stored, clock_->TimeNow())) {
    *response->add_deadlines() = std::move(d);
  }
  *response->mutable_report() = *std::move(stored);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* QueryService::ListDue(
    grpc::CallbackServerContext* context, const v1::ListDueRequest* request,
    v1::ListDueResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  absl::Time now = clock_->TimeNow();
  absl::StatusOr<std::vector<DeadlineStatus>> due =
      relay_->ListDue(caller->region, now, request->include_met());
  if (due.ok()) {
    absl::StatusOr<std::vector<DeadlineStatus>> instructions =
        book_->Due(caller->region, now, request->include_met());
    if (!instructions.ok()) due = instructions.status();
    if (instructions.ok()) {
      due->insert(due->end(), instructions->begin(), instructions->end());
      std::stable_sort(due->begin(), due->end(),
                       [](const DeadlineStatus& a, const DeadlineStatus& b) {
                         return FromProto(a.due()) < FromProto(b.due());
                       });
    }
  }
  if (!due.ok()) {
    reactor->Finish(ToGrpcStatus(due.status()));
    return reactor;
  }
  response->set_node(relay_->options().region);
  *response->mutable_as_of() = ToProto(now);
  for (DeadlineStatus& d : *due) *response->add_deadlines() = std::move(d);
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
  if (reports->size() == limit) {
    response->set_next_page_token(reports->back().report().report_id());
  }
  for (StoredReport& r : *reports) *response->add_reports() = std::move(r);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace kuaibao
