#include "client/console/console_server.h"

#include <httplib.h>

#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "client/audit_client.h"
#include "client/command_client.h"
#include "client/console/console_assets.h"
#include "client/console/console_feed.h"
#include "client/feed_client.h"
#include "client/relay_client.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "relay/base/log.h"
#include "relay/base/status_macros.h"
#include "relay/validation.h"

namespace kuaibao {

// client/region_table_data.cc.in
extern const char kEmbeddedRegionsCsv[];
extern const char kEmbeddedDepartmentsCsv[];

namespace {

int HttpStatus(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

std::string Quote(const std::string& s) {
  std::string out;
  google::protobuf::util::JsonPrintOptions print;
  google::protobuf::Value value;
  value.set_string_value(s);
  (void)google::protobuf::util::MessageToJsonString(value, &out, print);
  return out;
}

void SendError(const absl::Status& status, const std::string& cert_file,
               httplib::Response* res) {
  res->status = HttpStatus(status.code());
  res->set_content(
      absl::StrCat("{\"code\":", Quote(absl::StatusCodeToString(status.code())),
                   ",\"field\":", Quote(ErrorField(status)), ",\"kind\":",
                   Quote(status.code() == absl::StatusCode::kUnavailable
                             ? FailureKind(status, cert_file, absl::Now())
                             : ""),
                   ",\"message\":", Quote(std::string(status.message())), "}"),
      "application/json; charset=utf-8");
}

template <typename Message>
void SendMessage(const absl::StatusOr<Message>& message,
                 const std::string& cert_file, httplib::Response* res) {
  if (!message.ok()) {
    SendError(message.status(), cert_file, res);
    return;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(*message, &json, print);
  res->set_content(json, "application/json; charset=utf-8");
}

template <typename Message>
absl::StatusOr<Message> ParseBody(const httplib::Request& req) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(req.body, &message, options)
           .ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a ", Message::descriptor()->name(),
                     " in protobuf JSON"));
  }
  return message;
}

// The node's clients, one call at a time each (they are thread-compatible).
struct Clients {
  absl::Mutex mu;
  std::unique_ptr<RelayClient> relay ABSL_PT_GUARDED_BY(mu);
  std::unique_ptr<CommandClient> command ABSL_PT_GUARDED_BY(mu);
  std::unique_ptr<AuditClient> audit ABSL_PT_GUARDED_BY(mu);
  std::unique_ptr<FeedClient> children ABSL_PT_GUARDED_BY(mu);
};

// A brief report's submission: the receipt, or the refusal with its field.
absl::StatusOr<v1::SubmitResponse> SubmitOne(RelayClient& client,
                                             const v1::IncidentReport& report) {
  if (report.report_id().empty()) {
    return FieldError(absl::StatusCode::kInvalidArgument, "report_id",
                      "the form's draft id is missing; reload the page");
  }
  std::optional<v1::SubmitResponse> answer;
  SubmitResult result =
      client.Submit({report}, [&](const v1::SubmitResponse& r) { answer = r; });
  if (answer) return *answer;
  if (!result.status.ok()) return result.status;
  return absl::UnavailableError("the node closed the stream without answering");
}

void Serve(const ConsoleOptions& options, Clients* clients, ConsoleFeed* feed,
           httplib::Server* server) {
  const std::string cert = options.tls.cert_file;
  auto asset = [server](const std::string& path, const ConsoleAsset& a) {
    server->Get(path, [&a](const httplib::Request&, httplib::Response& res) {
      res.set_content(a.data, a.size, a.content_type);
      res.set_header("Cache-Control", "no-cache");
    });
  };
  asset("/", AssetIndexHtml());
  asset("/app.js", AssetAppJs());
  asset("/app.css", AssetAppCss());
  // The region and department tables the client library embeds
  // (client/region_names.h).
  auto table = [server](const char* path, const char* csv) {
    server->Get(path, [csv](const httplib::Request&, httplib::Response& res) {
      res.set_content(csv, "text/csv; charset=utf-8");
    });
  };
  table("/regions.csv", kEmbeddedRegionsCsv);
  table("/departments.csv", kEmbeddedDepartmentsCsv);

  server->Get("/api/events", [feed](const httplib::Request& req,
                                    httplib::Response& res) {
    uint64_t since = 0;
    std::string from = req.has_header("Last-Event-ID")
                           ? req.get_header_value("Last-Event-ID")
                           : req.get_param_value("since");
    if (!from.empty() && !absl::SimpleAtoi(from, &since)) since = 0;
    res.set_header("Cache-Control", "no-cache");
    auto cursor = std::make_shared<uint64_t>(since);
    auto version = std::make_shared<uint64_t>(0);
    res.set_chunked_content_provider(
        "text/event-stream",
        [feed, cursor, version](size_t, httplib::DataSink& sink) {
          ConsoleFeed::Snapshot s =
              feed->WaitFor(*cursor, *version, absl::Seconds(10));
          std::string out;
          if (s.state_version != *version) {
            out += absl::StrCat("event: node\ndata: ", s.node_state, "\n\n");
            *version = s.state_version;
          }
          for (const std::string& frame : s.items) out += frame;
          *cursor = s.last;
          // A comment keeps proxies open and finds closed tabs.
          if (out.empty()) out = ": ping\n\n";
          return sink.write(out.data(), out.size());
        });
  });

  server->Get("/api/status",
              [clients, cert](const httplib::Request&, httplib::Response& res) {
                absl::MutexLock lock(&clients->mu);
                SendMessage(clients->relay->GetStatus(), cert, &res);
              });
  server->Get("/api/report", [clients, cert](const httplib::Request& req,
                                             httplib::Response& res) {
    absl::MutexLock lock(&clients->mu);
    SendMessage(clients->relay->GetReport(req.get_param_value("id")), cert,
                &res);
  });
  server->Get("/api/reports", [clients, cert](const httplib::Request& req,
                                              httplib::Response& res) {
    v1::ListReportsRequest request;
    request.set_event_id(req.get_param_value("event"));
    request.set_limit(1000);
    absl::MutexLock lock(&clients->mu);
    SendMessage(clients->relay->ListReports(request), cert, &res);
  });
  server->Get("/api/due",
              [clients, cert](const httplib::Request&, httplib::Response& res) {
                absl::MutexLock lock(&clients->mu);
                SendMessage(clients->relay->ListDue(false), cert, &res);
              });
  server->Get("/api/instructions", [clients, cert](const httplib::Request& req,
                                                   httplib::Response& res) {
    v1::ListInstructionsRequest request;
    request.set_event_id(req.get_param_value("event"));
    absl::MutexLock lock(&clients->mu);
    SendMessage(clients->command->List(request), cert, &res);
  });
  server->Get("/api/children",
              [clients, cert](const httplib::Request&, httplib::Response& res) {
                absl::MutexLock lock(&clients->mu);
                SendMessage(clients->children->ListChildren(), cert, &res);
              });
  server->Get("/api/timeline", [clients, cert](const httplib::Request& req,
                                               httplib::Response& res) {
    v1::TimelineRequest request;
    request.set_report_id(req.get_param_value("id"));
    request.set_event_id(req.get_param_value("event"));
    absl::MutexLock lock(&clients->mu);
    SendMessage(clients->audit->Timeline(request), cert, &res);
  });
  server->Post("/api/submit", [clients, cert](const httplib::Request& req,
                                              httplib::Response& res) {
    absl::StatusOr<v1::IncidentReport> report =
        ParseBody<v1::IncidentReport>(req);
    if (!report.ok()) return SendError(report.status(), cert, &res);
    absl::MutexLock lock(&clients->mu);
    SendMessage(SubmitOne(*clients->relay, *report), cert, &res);
  });
  server->Post("/api/instruct", [clients, cert](const httplib::Request& req,
                                                httplib::Response& res) {
    auto request = ParseBody<v1::IssueInstructionRequest>(req);
    if (!request.ok()) return SendError(request.status(), cert, &res);
    absl::MutexLock lock(&clients->mu);
    SendMessage(clients->command->Issue(*request), cert, &res);
  });
  server->Post("/api/feedback", [clients, cert](const httplib::Request& req,
                                                httplib::Response& res) {
    auto request = ParseBody<v1::SendFeedbackRequest>(req);
    if (!request.ok()) return SendError(request.status(), cert, &res);
    absl::MutexLock lock(&clients->mu);
    SendMessage(clients->command->SendFeedback(*request), cert, &res);
  });
  server->Post(
      "/api/audit/breaches",
      [clients, cert](const httplib::Request& req, httplib::Response& res) {
        auto request = ParseBody<v1::ListBreachesRequest>(req);
        if (!request.ok()) return SendError(request.status(), cert, &res);
        absl::MutexLock lock(&clients->mu);
        SendMessage(clients->audit->ListBreaches(*request), cert, &res);
      });
  server->Post("/api/audit/stats", [clients, cert](const httplib::Request& req,
                                                   httplib::Response& res) {
    auto request = ParseBody<v1::StatisticsRequest>(req);
    if (!request.ok()) return SendError(request.status(), cert, &res);
    absl::MutexLock lock(&clients->mu);
    SendMessage(clients->audit->Statistics(*request), cert, &res);
  });
}

}  // namespace

absl::Status RunConsole(const ConsoleOptions& options) {
  std::vector<std::string> host_port =
      absl::StrSplit(options.listen, absl::MaxSplits(':', 1));
  int port = 0;
  if (host_port.size() != 2 || !absl::SimpleAtoi(host_port[1], &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: '", options.listen,
                     "' is not HOST:PORT, e.g. 127.0.0.1:8080"));
  }
  Clients clients;
  ASSIGN_OR_RETURN(clients.relay,
                   ConnectToNode(options.node, options.tls, options.timeout));
  ASSIGN_OR_RETURN(
      clients.command,
      ConnectCommandClient(options.node, options.tls, options.timeout));
  ASSIGN_OR_RETURN(clients.audit, ConnectAuditClient(options.node, options.tls,
                                                     options.timeout));
  ASSIGN_OR_RETURN(
      clients.children,
      ConnectFeedClient(options.node, options.tls, options.timeout));
  ASSIGN_OR_RETURN(
      std::unique_ptr<FeedClient> watcher,
      ConnectFeedClient(options.node, options.tls, options.timeout));
  ASSIGN_OR_RETURN(std::unique_ptr<RelayClient> poller,
                   ConnectToNode(options.node, options.tls, absl::Seconds(5)));
  ConsoleFeed feed(watcher.get(), poller.get(), options.tls.cert_file);
  feed.Start();

  httplib::Server server;
  // Every open tab holds one thread for its event stream.
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  Serve(options, &clients, &feed, &server);
  if (port == 0) {
    port = server.bind_to_any_port(host_port[0]);
  } else if (!server.bind_to_port(host_port[0], port)) {
    port = -1;
  }
  if (port < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use, or not an address of this host)"));
  }
  if (!options.port_file.empty()) {
    std::ofstream(options.port_file) << port << "\n";
  }
  Log(LogLevel::kInfo, "console serving",
      {{"url", absl::StrCat("http://", host_port[0], ":", port, "/")},
       {"node", options.node}});
  server.listen_after_bind();
  feed.Stop();
  return absl::OkStatus();
}

}  // namespace kuaibao
