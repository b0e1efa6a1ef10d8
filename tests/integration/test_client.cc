#include "tests/integration/test_client.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "relay/base/files.h"
#include "relay/transport/status_conversion.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao::testing {

int SubmitOutcome::receipts() const {
  int n = 0;
  for (const auto& r : responses) n += r.has_receipt();
  return n;
}

int SubmitOutcome::rejections() const {
  int n = 0;
  for (const auto& r : responses) n += r.has_rejection();
  return n;
}

const v1::SubmitResponse* SubmitOutcome::For(const std::string& id) const {
  for (const auto& r : responses) {
    if ((r.has_receipt() && r.receipt().report_id() == id) ||
        (r.has_rejection() && r.rejection().report_id() == id)) {
      return &r;
    }
  }
  return nullptr;
}

TestClient::TestClient(const std::string& pki_dir, const std::string& cert_name,
                       const std::string& address) {
  TlsPaths paths;
  paths.cert_file = pki_dir + "/" + cert_name + ".pem";
  paths.key_file = pki_dir + "/" + cert_name + ".key";
  paths.ca_file = pki_dir + "/ca.pem";
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      MakeChannelCredentials(paths);
  channel_ = grpc::CreateChannel(
      address, creds.ok() ? *creds : grpc::InsecureChannelCredentials());
}

SubmitOutcome TestClient::Submit(const std::vector<IncidentReport>& reports) {
  auto stub = v1::Intake::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  auto stream = stub->Submit(&context);
  SubmitOutcome outcome;
  std::thread reader([&] {
    v1::SubmitResponse response;
    while (stream->Read(&response)) outcome.responses.push_back(response);
  });
  for (const IncidentReport& report : reports) {
    v1::SubmitRequest request;
    *request.mutable_report() = report;
    if (!stream->Write(request)) break;
  }
  stream->WritesDone();
  reader.join();
  outcome.status = FromGrpcStatus(stream->Finish());
  return outcome;
}

namespace {

std::unique_ptr<grpc::ClientContext> TenSeconds() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

}  // namespace

absl::StatusOr<InstructionState> TestClient::Issue(
    const v1::IssueInstructionRequest& request) {
  InstructionState state;
  absl::Status s =
      FromGrpcStatus(v1::Command::NewStub(channel_)->IssueInstruction(
          TenSeconds().get(), request, &state));
  if (!s.ok()) return s;
  return state;
}

absl::StatusOr<Forwarding> TestClient::RecordNationalSubmission(
    const v1::RecordNationalSubmissionRequest& request) {
  Forwarding recorded;
  absl::Status s =
      FromGrpcStatus(v1::Command::NewStub(channel_)->RecordNationalSubmission(
          TenSeconds().get(), request, &recorded));
  if (!s.ok()) return s;
  return recorded;
}

namespace {

// One unary Command call with the usual ten seconds.
template <typename Request, typename Response>
absl::StatusOr<Response> CommandCall(
    const std::shared_ptr<grpc::Channel>& channel,
    grpc::Status (v1::Command::Stub::*method)(grpc::ClientContext*,
                                              const Request&, Response*),
    const Request& request) {
  Response response;
  std::unique_ptr<v1::Command::Stub> stub = v1::Command::NewStub(channel);
  absl::Status s =
      FromGrpcStatus(((*stub).*method)(TenSeconds().get(), request, &response));
  if (!s.ok()) return s;
  return response;
}

}  // namespace

absl::StatusOr<v1::RollCallStatus> TestClient::IssueRollCall(
    const v1::IssueRollCallRequest& request) {
  return CommandCall(channel_, &v1::Command::Stub::IssueRollCall, request);
}

absl::StatusOr<v1::RollCallStatus> TestClient::GetRollCall(
    const v1::GetRollCallRequest& request) {
  return CommandCall(channel_, &v1::Command::Stub::GetRollCall, request);
}

absl::StatusOr<v1::RollCallStatus> TestClient::CloseRollCall(
    const v1::CloseRollCallRequest& request) {
  return CommandCall(channel_, &v1::Command::Stub::CloseRollCall, request);
}

absl::StatusOr<InstructionState> TestClient::SendFeedback(
    const Feedback& feedback) {
  v1::SendFeedbackRequest request;
  *request.mutable_feedback() = feedback;
  InstructionState state;
  absl::Status s = FromGrpcStatus(v1::Command::NewStub(channel_)->SendFeedback(
      TenSeconds().get(), request, &state));
  if (!s.ok()) return s;
  return state;
}

absl::StatusOr<v1::ListInstructionsResponse> TestClient::Instructions() {
  v1::ListInstructionsResponse response;
  absl::Status s =
      FromGrpcStatus(v1::Command::NewStub(channel_)->ListInstructions(
          TenSeconds().get(), v1::ListInstructionsRequest(), &response));
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<v1::EvidenceBundle> TestClient::ExportEvidence(
    const std::string& report_id) {
  v1::ExportEvidenceRequest request;
  request.set_report_id(report_id);
  v1::EvidenceBundle response;
  absl::Status s = FromGrpcStatus(v1::Evidence::NewStub(channel_)->Export(
      TenSeconds().get(), request, &response));
  if (!s.ok()) return s;
  return response;
}

namespace {

// One unary Audit call with a ten-second deadline.
template <typename Request, typename Response>
absl::StatusOr<Response> AuditCall(
    const std::shared_ptr<grpc::Channel>& channel,
    grpc::Status (v1::Audit::Stub::*method)(grpc::ClientContext*,
                                            const Request&, Response*),
    const Request& request) {
  Response response;
  auto stub = v1::Audit::NewStub(channel);
  absl::Status s = FromGrpcStatus(
      (stub.get()->*method)(TenSeconds().get(), request, &response));
  if (!s.ok()) return s;
  return response;
}

}  // namespace

absl::StatusOr<v1::ListDueResponse> TestClient::Due() {
  v1::ListDueResponse response;
  absl::Status s = FromGrpcStatus(v1::Query::NewStub(channel_)->ListDue(
      TenSeconds().get(), v1::ListDueRequest(), &response));
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<v1::TimelineResponse> TestClient::Timeline(
    const v1::TimelineRequest& request) {
  return AuditCall(channel_, &v1::Audit::Stub::Timeline, request);
}

absl::StatusOr<v1::ListBreachesResponse> TestClient::Breaches(
    const v1::ListBreachesRequest& request) {
  return AuditCall(channel_, &v1::Audit::Stub::ListBreaches, request);
}

absl::StatusOr<v1::PunctualityResponse> TestClient::Punctuality(
    const v1::PunctualityRequest& request) {
  return AuditCall(channel_, &v1::Audit::Stub::Punctuality, request);
}

absl::StatusOr<v1::StatisticsResponse> TestClient::Statistics(
    const v1::StatisticsRequest& request) {
  return AuditCall(channel_, &v1::Audit::Stub::Statistics, request);
}

absl::StatusOr<v1::ClockSkewResponse> TestClient::ClockSkew() {
  return AuditCall(channel_, &v1::Audit::Stub::ClockSkew,
                   v1::ClockSkewRequest());
}

absl::StatusOr<InstructionState> TestClient::WaitForInstruction(
    const std::string& id,
    const std::function<bool(const InstructionState&)>& done,
    absl::Duration timeout) {
  absl::Time give_up = absl::Now() + timeout;
  absl::StatusOr<InstructionState> last =
      absl::NotFoundError(absl::StrCat("no instruction ", id));
  for (;;) {
    absl::StatusOr<v1::ListInstructionsResponse> list = Instructions();
    if (!list.ok()) {
      last = list.status();
    } else {
      for (const InstructionState& s : list->instructions()) {
        if (s.instruction().instruction_id() == id) last = s;
      }
    }
    if ((last.ok() && done(*last)) || absl::Now() > give_up) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

absl::StatusOr<v1::GetReportResponse> TestClient::Get(
    const std::string& report_id) {
  auto stub = v1::Query::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::GetReportRequest request;
  request.set_report_id(report_id);
  v1::GetReportResponse response;
  absl::Status s =
      FromGrpcStatus(stub->GetReport(&context, request, &response));
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<std::vector<StoredReport>> TestClient::ListAll() {
  std::vector<StoredReport> all;
  absl::Status s =
      ForEachReport([&](const StoredReport& r) { all.push_back(r); });
  if (!s.ok()) return s;
  return all;
}

absl::Status TestClient::ForEachReport(
    const std::function<void(const StoredReport&)>& visit) {
  auto stub = v1::Query::NewStub(channel_);
  std::string token;
  do {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::ListReportsRequest request;
    request.set_limit(1000);
    request.set_page_token(token);
    v1::ListReportsResponse response;
    absl::Status s =
        FromGrpcStatus(stub->ListReports(&context, request, &response));
    if (!s.ok()) return s;
    for (const StoredReport& r : response.reports()) visit(r);
    token = response.next_page_token();
  } while (!token.empty());
  return absl::OkStatus();
}

absl::StatusOr<v1::GetReportResponse> TestClient::WaitFor(
    const std::string& report_id, absl::Duration timeout) {
  absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<v1::GetReportResponse> got = Get(report_id);
    if (got.ok() || absl::Now() > give_up) return got;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<StoredReport> TestClient::WaitForCount(size_t count,
                                                   absl::Duration timeout) {
  absl::Time give_up = absl::Now() + timeout;
  std::vector<StoredReport> seen;
  for (;;) {
    absl::StatusOr<std::vector<StoredReport>> all = ListAll();
    if (all.ok()) seen = std::move(*all);
    if (seen.size() >= count || absl::Now() > give_up) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

absl::StatusOr<v1::ListChildrenResponse> TestClient::Children() {
  auto stub = v1::Monitor::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::ListChildrenResponse response;
  absl::Status s = FromGrpcStatus(
      stub->ListChildren(&context, v1::ListChildrenRequest(), &response));
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<v1::GetStatusResponse> TestClient::Status() {
  auto stub = v1::Monitor::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::GetStatusResponse response;
  absl::Status s = FromGrpcStatus(
      stub->GetStatus(&context, v1::GetStatusRequest(), &response));
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<std::vector<OriginRecord>> TestClient::Origins() {
  auto stub = v1::Monitor::NewStub(channel_);
  std::vector<OriginRecord> all;
  v1::ListOriginsRequest request;
  request.set_limit(1000);
  do {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::ListOriginsResponse response;
    absl::Status s =
        FromGrpcStatus(stub->ListOrigins(&context, request, &response));
    if (!s.ok()) return s;
    for (auto& o : *response.mutable_origins()) all.push_back(std::move(o));
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return all;
}

absl::StatusOr<bool> TestClient::Serving(const std::string& service) {
  // No generated health stub ships with Debian's gRPC: the request is
  // HealthCheckRequest{service = 1}, the answer HealthCheckResponse{status =
  // 1}, SERVING = 1.
  std::string request = "\x0a";
  request.push_back(static_cast<char>(service.size()));
  request += service;
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request_buffer, &response_buffer, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  absl::Status s = FromGrpcStatus(status);
  if (!s.ok()) return s;
  std::vector<grpc::Slice> slices;
  response_buffer.Dump(&slices);
  std::string response;
  for (const grpc::Slice& part : slices) {
    response.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
  return response == std::string("\x08\x01", 2);
}

absl::Status TestClient::Escalate(const StoredReport& relayed,
                                  std::vector<v1::RelayDown>* answers) {
  auto stub = v1::Relay::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  auto stream = stub->Escalate(&context);
  v1::RelayUp up;
  *up.mutable_report() = relayed;
  stream->Write(up);
  stream->WritesDone();
  v1::RelayDown down;
  while (stream->Read(&down)) answers->push_back(down);
  return FromGrpcStatus(stream->Finish());
}

TestClient TestClient::WithoutCertificate(const std::string& pki_dir,
                                          const std::string& address) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs =
      ReadFileToString(pki_dir + "/ca.pem", "CA").value_or("");
  return TestClient(
      grpc::CreateChannel(address, grpc::SslCredentials(options)));
}

absl::Status TestClient::SubmitRawBytes(
    const std::string& bytes, std::vector<v1::SubmitResponse>* answers) {
  std::vector<std::string> encoded;
  absl::Status status =
      RawBytesCall("/kuaibao.v1.Intake/Submit", bytes, &encoded);
  for (const std::string& e : encoded)
    answers->emplace_back().ParseFromString(e);
  return status;
}

absl::Status TestClient::RawBytesCall(const std::string& method,
                                      const std::string& bytes,
                                      std::vector<std::string>* answers) {
  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  // One step at a time: start it, wait for the queue to say it is done.
  auto step = [&cq](auto start) {
    start();
    void* tag = nullptr;
    bool ok = false;
    cq.Next(&tag, &ok);
    return ok;
  };
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, method, &cq);
  if (step([&] { call->StartCall(nullptr); })) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer message(&slice, 1);
    if (step([&] { call->Write(message, nullptr); })) {
      step([&] { call->WritesDone(nullptr); });
    }
    grpc::ByteBuffer answer;
    while (step([&] { call->Read(&answer, nullptr); })) {
      std::vector<grpc::Slice> slices;
      std::string encoded;
      if (answer.Dump(&slices).ok()) {
        for (const grpc::Slice& slice : slices) {
          encoded.append(reinterpret_cast<const char*>(slice.begin()),
                         slice.size());
        }
      }
      answers->push_back(std::move(encoded));
    }
  }
  grpc::Status status;
  step([&] { call->Finish(&status, nullptr); });
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
  return FromGrpcStatus(status);
}

absl::StatusOr<std::string> TestClient::NodeCertificate() {
  auto stub = v1::Query::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::GetReportRequest request;
  request.set_report_id("no-such-report");
  v1::GetReportResponse response;
  absl::Status s =
      FromGrpcStatus(stub->GetReport(&context, request, &response));
  if (!s.ok() && !absl::IsNotFound(s)) return s;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  std::vector<grpc::string_ref> pems =
      auth ? auth->FindPropertyValues("x509_pem_cert")
           : std::vector<grpc::string_ref>();
  if (pems.empty()) return absl::InternalError("no peer certificate");
  return std::string(pems[0].data(), pems[0].size());
}

}  // namespace kuaibao::testing
