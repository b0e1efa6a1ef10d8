#include "client/grpc_relay_client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <thread>
#include <utility>

#include "relay/base/status_macros.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {

namespace {

// The stubs of one channel, owned, behind the borrowing GrpcRelayClient.
class ConnectedRelayClient final : public RelayClient {
 public:
  ConnectedRelayClient(const std::shared_ptr<grpc::Channel>& channel,
                       absl::Duration timeout)
      : intake_(v1::Intake::NewStub(channel)),
        query_(v1::Query::NewStub(channel)),
        monitor_(v1::Monitor::NewStub(channel)),
        client_(intake_.get(), query_.get(), monitor_.get(), timeout) {}

  SubmitResult Submit(
      const std::vector<v1::IncidentReport>& reports,
      absl::FunctionRef<void(const v1::SubmitResponse&)> on_response) override {
    return client_.Submit(reports, on_response);
  }
  absl::StatusOr<v1::GetReportResponse> GetReport(
      const std::string& report_id) override {
    return client_.GetReport(report_id);
  }
  absl::StatusOr<v1::ListReportsResponse> ListReports(
      const v1::ListReportsRequest& request) override {
    return client_.ListReports(request);
  }
  absl::StatusOr<v1::ListDueResponse> ListDue(bool include_met) override {
    return client_.ListDue(include_met);
  }
  absl::StatusOr<v1::GetStatusResponse> GetStatus() override {
    return client_.GetStatus();
  }
  absl::StatusOr<v1::ListOriginsResponse> ListOrigins(
      const v1::ListOriginsRequest& request) override {
    return client_.ListOrigins(request);
  }

 private:
  const std::unique_ptr<v1::Intake::Stub> intake_;
  const std::unique_ptr<v1::Query::Stub> query_;
  const std::unique_ptr<v1::Monitor::Stub> monitor_;
  GrpcRelayClient client_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RelayClient>> ConnectToNode(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(tls));
  return std::make_unique<ConnectedRelayClient>(
      grpc::CreateChannel(address, credentials), timeout);
}

GrpcRelayClient::GrpcRelayClient(v1::Intake::StubInterface* intake,
                                 v1::Query::StubInterface* query,
                                 v1::Monitor::StubInterface* monitor,
                                 absl::Duration timeout)
    : intake_(intake), query_(query), monitor_(monitor), timeout_(timeout) {}

SubmitResult GrpcRelayClient::Submit(
    const std::vector<v1::IncidentReport>& reports,
    absl::FunctionRef<void(const v1::SubmitResponse&)> on_response) {
  grpc::ClientContext context;
  // The command line is the edge where the wall clock may be read.
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  std::unique_ptr<
      grpc::ClientReaderWriterInterface<v1::SubmitRequest, v1::SubmitResponse>>
      stream = intake_->Submit(&context);

  // Receipts arrive while we are still writing: reading only after the last
  // write would let the node's send window fill and stall both sides. The
  // thread lives only inside this call and is joined before the stream is
  // finished, so `on_response` never outlives the caller's frame.
  std::thread reader([&stream, on_response] {
    v1::SubmitResponse response;
    while (stream->Read(&response)) on_response(response);
  });

  SubmitResult result;
  v1::SubmitRequest request;
  for (const v1::IncidentReport& report : reports) {
    *request.mutable_report() = report;
    // false: the stream is broken; Finish below says why.
    if (!stream->Write(request)) break;
    ++result.written;
  }
  stream->WritesDone();
  reader.join();
  result.status = FromGrpcStatus(stream->Finish());
  return result;
}

absl::StatusOr<v1::GetReportResponse> GrpcRelayClient::GetReport(
    const std::string& report_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::GetReportRequest request;
  request.set_report_id(report_id);
  v1::GetReportResponse response;
  RETURN_IF_ERROR(
      FromGrpcStatus(query_->GetReport(&context, request, &response)));
  return response;
}

absl::StatusOr<v1::ListReportsResponse> GrpcRelayClient::ListReports(
    const v1::ListReportsRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::ListReportsResponse response;
  RETURN_IF_ERROR(
      FromGrpcStatus(query_->ListReports(&context, request, &response)));
  return response;
}

absl::StatusOr<v1::ListDueResponse> GrpcRelayClient::ListDue(bool include_met) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::ListDueRequest request;
  request.set_include_met(include_met);
  v1::ListDueResponse response;
  RETURN_IF_ERROR(
      FromGrpcStatus(query_->ListDue(&context, request, &response)));
  return response;
}

absl::StatusOr<v1::GetStatusResponse> GrpcRelayClient::GetStatus() {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::GetStatusResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(
      monitor_->GetStatus(&context, v1::GetStatusRequest(), &response)));
  return response;
}

absl::StatusOr<v1::ListOriginsResponse> GrpcRelayClient::ListOrigins(
    const v1::ListOriginsRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::ListOriginsResponse response;
  RETURN_IF_ERROR(
      FromGrpcStatus(monitor_->ListOrigins(&context, request, &response)));
  return response;
}

}  // namespace kuaibao
