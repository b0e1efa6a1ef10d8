#include "node/node_services.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "node/ack_stream_reactor.h"
#include "node/clock_watch.h"
#include "node/command_service.h"
#include "node/decoding_handler.h"
#include "node/peer_record_link.h"
#include "node/watch_reactor.h"
#include "relay/base/clock.h"
#include "relay/base/log.h"
#include "relay/base/log_limiter.h"
#include "relay/node_id.h"
#include "relay/proto_time.h"
#include "relay/standby_links.h"
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
  if (std::optional<absl::Duration> wait = RetryAfter(s)) {
    *rejection.mutable_retry_after() = ToDurationProto(*wait);
  }
  return rejection;
}

// Lines an outsider causes (its refused reports and streams): at most 20 a
// minute per peer, the rest counted (README, Security).
LogLimiter& OutsiderLines() {
  static auto* limiter =
      new LogLimiter(20, absl::Minutes(1), &RealClock::Get());
  return *limiter;
}

void LogRefusal(const Identity& from, const std::string& report_id,
                const absl::Status& s) {
  uint64_t suppressed = 0;
  if (!OutsiderLines().Allow(from.uri, &suppressed)) return;
  Log(LogLevel::kWarning, "report refused",
      {{"report_id", report_id},
       {"from", from.uri},
       {"code", absl::StatusCodeToString(s.code())},
       {"field", ErrorField(s)},
       {"suppressed", absl::StrCat(suppressed)}});
}

// The caller's identity, or the status to refuse the call with.
absl::StatusOr<Identity> Caller(grpc::CallbackServerContext* context) {
  return PeerIdentity(*context->auth_context());
}

using RawReactor = AckStreamReactor<grpc::ByteBuffer, grpc::ByteBuffer>;

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Refuse(
    const absl::Status& s, absl::string_view rpc) {
  uint64_t suppressed = 0;
  // The reason names the caller when there is one.
  if (OutsiderLines().Allow(std::string(s.message()), &suppressed)) {
    Log(LogLevel::kWarning, "stream refused",
        {{"rpc", std::string(rpc)},
         {"code", absl::StatusCodeToString(s.code())},
         {"reason", std::string(s.message())},
         {"suppressed", absl::StrCat(suppressed)}});
  }
  return new RefusedStreamReactor<grpc::ByteBuffer, grpc::ByteBuffer>(
      ToGrpcStatus(s));
}

template <typename Response>
Response Refusal(const Identity& from, const std::string& report_id,
                 const absl::Status& s, ReportCounters* counters) {
  LogRefusal(from, report_id, s);
  counters->Refused(s.code());
  Response response;
  *response.mutable_rejection() = ToRejection(report_id, s);
  return response;
}

// Reports from `peer`: each rate-limited, handed to `take` and answered with
// its receipt or refusal (and counted).
template <typename Request, typename Response>
TypedHandler<Request, Response> ReportHandler(
    const Identity& peer, RateLimiter* limiter, ReportCounters* counters,
    std::function<std::string(const Request&)> id_of,
    std::function<void(Request&&, RelayEngine::ReceiptCallback)> take) {
  // Shared by every report's answer, not copied into each (its uri, region
  // and role strings).
  auto shared = std::make_shared<const Identity>(peer);
  auto role = std::make_shared<const std::string>(RoleName(peer.role));
  return [peer = std::move(shared), role = std::move(role), limiter, counters,
          id_of = std::move(id_of), take = std::move(take)](
             Request&& request, TypedReply<Response> reply) {
    auto answer = [peer, role, id = id_of(request), reply = std::move(reply),
                   counters](absl::StatusOr<Receipt> receipt) {
      if (!receipt.ok()) {
        return reply(Refusal<Response>(*peer, id, receipt.status(), counters));
      }
      counters->Received(peer->region, *role);
      Response response;
      *response.mutable_receipt() = *std::move(receipt);
      reply(std::move(response));
    };
    absl::Status admitted = limiter->Admit(peer->uri);
    if (!admitted.ok()) return answer(admitted);
    take(std::move(request), std::move(answer));
  };
}

// A raw stream from `peer` whose messages decode as `Request`s for
// `handler`, ended by `watch` if it stalls; `on_done` runs when it is over.
template <typename Request, typename Response>
RawReactor* DecodingStream(const Identity& peer, ReportCounters* counters,
                           StreamWatch* watch,
                           TypedHandler<Request, Response> handler,
                           std::function<void()> on_done = nullptr) {
  return new RawReactor(DecodingHandler<Request, Response>(
                            std::move(handler),
                            [peer, counters](const absl::Status& s) {
                              return Refusal<Response>(peer, "", s, counters);
                            }),
                        kMaxOutstandingPerStream, std::move(on_done), watch,
                        peer.uri);
}

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
IntakeService::Submit(grpc::CallbackServerContext* context) {
  const std::string& here = relay_->options().region;
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) return Refuse(caller.status(), "Submit");
  if (caller->role != Role::kClient) {
    return Refuse(absl::PermissionDeniedError(absl::StrCat(
                      "intake is for clients; ", caller->uri, " is a ",
                      RoleName(caller->role), " certificate")),
                  "Submit");
  }
  if (!RegionContains(here, caller->region)) {
    return Refuse(absl::PermissionDeniedError(absl::StrCat(
                      "client ", caller->uri, " belongs to region ",
                      caller->region, ", outside this node's region ", here)),
                  "Submit");
  }
  RelayEngine* relay = relay_;
  Identity client = *std::move(caller);
  return DecodingStream<v1::SubmitRequest, v1::SubmitResponse>(
      client, counters_, watch_,
      ReportHandler<v1::SubmitRequest, v1::SubmitResponse>(
          client, limiter_, counters_,
          [](const v1::SubmitRequest& r) { return r.report().report_id(); },
          [relay, client](v1::SubmitRequest&& r,
                          RelayEngine::ReceiptCallback done) {
            relay->Submit(client, std::move(*r.mutable_report()),
                          std::move(done));
          }));
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
RelayService::Escalate(grpc::CallbackServerContext* context) {
  const std::string& here = relay_->options().node;
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) return Refuse(caller.status(), "Escalate");
  if (caller->role != Role::kNode) {
    return Refuse(absl::PermissionDeniedError(absl::StrCat(
                      "relay is for nodes; ", caller->uri, " is a ",
                      RoleName(caller->role), " certificate")),
                  "Escalate");
  }
  // The other node of this region (standby or primary) relays its copies;
  // else a government below, a department of this node's line below, or the
  // other side of this region (relay/node_id.h).
  const bool from_peer = !relay_->options().peer.empty() &&
                         caller->NodeId() == relay_->options().node;
  absl::Status peer = from_peer
                          ? absl::OkStatus()
                          : CheckRelayPeer(relay_->options().node, *caller);
  if (!peer.ok()) return Refuse(peer, "Escalate");
  Log(LogLevel::kInfo, "child connected", {{"child", caller->uri}});
  RelayEngine* relay = relay_;
  InstructionBook* book = book_;
  PeerRecords* peer_records = peer_records_;
  Identity child = *std::move(caller);
  TypedHandler<v1::RelayUp, v1::RelayDown> reports =
      ReportHandler<v1::RelayUp, v1::RelayDown>(
          child, limiter_, counters_,
          [](const v1::RelayUp& up) {
            return up.report().report().report_id();
          },
          [relay, child, child_node = child.NodeId(), here, skew = skew_](
              v1::RelayUp&& up, RelayEngine::ReceiptCallback done) {
            auto watched = WatchArrival(skew, child_node, here, up.report(),
                                        std::move(done));
            relay->Accept(child, std::move(*up.mutable_report()),
                          std::move(watched));
          });
  // The way down for instructions: registered before the reactor exists, so
  // its end always unregisters it. A region's standby says so: its stream
  // stands beside its primary's, not in its place.
  const bool standby = context->client_metadata().count(kStandbyStreamKey) > 0;
  auto stream = std::make_shared<std::atomic<RawReactor*>>(nullptr);
  uint64_t token = children_->Register(
      child.NodeId(), standby, [stream](const v1::RelayDown& down) {
        RawReactor* reactor = stream->load();
        return reactor != nullptr && reactor->Push(Encoded(down));
      });
  RawReactor* reactor = DecodingStream<v1::RelayUp, v1::RelayDown>(
      child, counters_, watch_,
      [book, child, reports, children = children_, clock = clock_, peer_records,
       from_peer](v1::RelayUp&& up, TypedReply<v1::RelayDown> reply) {
        children->Heard(child.region, clock->TimeNow());
        if (up.has_subtree_status()) {
          children->SetStatus(child.region,
                              std::move(*up.mutable_subtree_status()));
          reply(std::nullopt);
          return;
        }
        if (up.has_peer_record()) {
          reply(ReceivePeerRecord(peer_records, from_peer, up.peer_record()));
          return;
        }
        if (HandleInstructionUp(book, child, &up, reply)) return;
        reports(std::move(up), std::move(reply));
      },
      [children = children_, region = child.NodeId(), token] {
        children->Unregister(region, token);
      });
  stream->store(reactor);
  children_->Deliver(child.NodeId());
  return reactor;
}

absl::StatusOr<StoredReport> VisibleTimeline(
    const RelayEngine& relay, grpc::CallbackServerContext* context,
    const std::string& report_id) {
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) return caller.status();
  absl::StatusOr<StoredReport> stored = relay.Timeline(report_id);
  // Outside the caller's subtree reads as absent: no API tells a caller
  // what exists beyond its region.
  if (stored.ok() &&
      !RegionContains(caller->region,
                      stored->report().location().region_code())) {
    return absl::NotFoundError(absl::StrCat("no report ", report_id));
  }
  return stored;
}

grpc::ServerUnaryReactor* QueryService::GetReport(
    grpc::CallbackServerContext* context, const v1::GetReportRequest* request,
    v1::GetReportResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<StoredReport> stored =
      VisibleTimeline(*relay_, context, request->report_id());
  if (!stored.ok()) {
    reactor->Finish(ToGrpcStatus(stored.status()));
    return reactor;
  }
  absl::StatusOr<std::vector<ConflictRecord>> conflicts =
      relay_->Conflicts(request->report_id());
  if (!conflicts.ok()) {
    reactor->Finish(ToGrpcStatus(conflicts.status()));
    return reactor;
  }
  response->set_node(relay_->options().node);
  response->set_time_scale(relay_->options().deadlines.time_scale);
  for (DeadlineStatus& d : relay_->DeadlinesOf(*stored, clock_->TimeNow())) {
    *response->add_deadlines() = std::move(d);
  }
  *response->mutable_report() = *std::move(stored);
  for (ConflictRecord& c : *conflicts) {
    *response->add_conflicts() = std::move(c);
  }
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
  response->set_time_scale(relay_->options().deadlines.time_scale);
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

namespace kuaibao {

grpc::ServerWriteReactor<v1::WatchResponse>* QueryService::Watch(
    grpc::CallbackServerContext* context, const v1::WatchRequest* request) {
  absl::StatusOr<Identity> caller = Caller(context);
  if (!caller.ok()) return RefusedWatch(ToGrpcStatus(caller.status()));
  for (int grade : request->grades()) {
    if (grade <= GRADE_UNSPECIFIED || !Grade_IsValid(grade)) {
      return RefusedWatch(
          ToGrpcStatus(FieldError(absl::StatusCode::kInvalidArgument, "grades",
                                  absl::StrCat("unknown grade ", grade))));
    }
  }
  return NewWatchReactor(relay_, feed_, *std::move(caller), *request);
}

}  // namespace kuaibao
