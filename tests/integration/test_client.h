#ifndef KUAIBAO_TESTS_INTEGRATION_TEST_CLIENT_H_
#define KUAIBAO_TESTS_INTEGRATION_TEST_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuaibao/v1/audit.grpc.pb.h"
#include "kuaibao/v1/evidence.grpc.pb.h"
#include "kuaibao/v1/monitor.grpc.pb.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/report_types.h"

namespace kuaibao::testing {

// What one Submit stream came back with.
struct SubmitOutcome {
  std::vector<v1::SubmitResponse> responses;
  absl::Status status;  // the stream's final status

  int receipts() const;
  int rejections() const;
  const v1::SubmitResponse* For(const std::string& report_id) const;
};

// A gRPC client over real mTLS, with the certificate `cert_name` (e.g.
// "client-140105001000-duty-1") from `pki_dir`.
class TestClient {
 public:
  TestClient(const std::string& pki_dir, const std::string& cert_name,
             const std::string& address);
  // A client that verifies the node but offers no certificate of its own.
  static TestClient WithoutCertificate(const std::string& pki_dir,
                                       const std::string& address);

  // Streams `reports` over one Intake.Submit stream and collects every
  // response until the node closes the stream.
  SubmitOutcome Submit(const std::vector<IncidentReport>& reports);
  absl::StatusOr<v1::GetReportResponse> Get(const std::string& report_id);
  // Every report visible to this client, paging through.
  absl::StatusOr<std::vector<StoredReport>> ListAll();
  // The same, one report at a time, without keeping the pages.
  absl::Status ForEachReport(
      const std::function<void(const StoredReport&)>& visit);
  // Polls Get until the report is there or `timeout` passes.
  absl::StatusOr<v1::GetReportResponse> WaitFor(const std::string& report_id,
                                                absl::Duration timeout);
  // Polls ListAll until it holds at least `count` reports or `timeout`
  // passes; returns what it saw last.
  std::vector<StoredReport> WaitForCount(size_t count, absl::Duration timeout);

  // Monitor.GetStatus, and every origin of Monitor.ListOrigins.
  absl::StatusOr<v1::GetStatusResponse> Status();
  // Monitor.ListChildren.
  absl::StatusOr<v1::ListChildrenResponse> Children();
  absl::StatusOr<std::vector<OriginRecord>> Origins();
  // Query.ListDue: the deadlines open, at risk, overdue or met late.
  absl::StatusOr<v1::ListDueResponse> Due();
  // grpc.health.v1.Health/Check of `service` ("" = the node): true when
  // SERVING.
  absl::StatusOr<bool> Serving(const std::string& service);
  // Command: issue an instruction, send feedback, list instructions.
  absl::StatusOr<InstructionState> Issue(
      const v1::IssueInstructionRequest& request);
  absl::StatusOr<InstructionState> SendFeedback(const Feedback& feedback);
  absl::StatusOr<v1::ListInstructionsResponse> Instructions();
  absl::StatusOr<Forwarding> RecordNationalSubmission(
      const v1::RecordNationalSubmissionRequest& request);
  absl::StatusOr<v1::RollCallStatus> IssueRollCall(
      const v1::IssueRollCallRequest& request);
  absl::StatusOr<v1::RollCallStatus> GetRollCall(
      const v1::GetRollCallRequest& request);
  absl::StatusOr<v1::RollCallStatus> CloseRollCall(
      const v1::CloseRollCallRequest& request);
  // Polls Instructions until instruction `id` is there and `done` holds for
  // it, or `timeout` passes; returns what it saw last (NOT_FOUND if never
  // there).
  absl::StatusOr<InstructionState> WaitForInstruction(
      const std::string& id,
      const std::function<bool(const InstructionState&)>& done,
      absl::Duration timeout);

  // Evidence.Export of one report.
  absl::StatusOr<v1::EvidenceBundle> ExportEvidence(
      const std::string& report_id);
  // Audit: the auditors' views.
  absl::StatusOr<v1::TimelineResponse> Timeline(
      const v1::TimelineRequest& request);
  absl::StatusOr<v1::ListBreachesResponse> Breaches(
      const v1::ListBreachesRequest& request);
  absl::StatusOr<v1::PunctualityResponse> Punctuality(
      const v1::PunctualityRequest& request);
  absl::StatusOr<v1::StatisticsResponse> Statistics(
      const v1::StatisticsRequest& request);
  absl::StatusOr<v1::ClockSkewResponse> ClockSkew();

  // A Relay.Escalate stream with this client's certificate; returns the
  // stream's final status after sending `relayed`.
  absl::Status Escalate(const StoredReport& relayed,
                        std::vector<v1::RelayDown>* answers);

  // Sends `bytes`, as they are, as the one message of an Intake.Submit
  // stream; returns the stream's final status and adds the answers to
  // `answers`.
  absl::Status SubmitRawBytes(const std::string& bytes,
                              std::vector<v1::SubmitResponse>* answers);
  // The same for any bidi stream `method` (e.g. "/kuaibao.v1.Relay/Escalate");
  // the answers are added still encoded.
  absl::Status RawBytesCall(const std::string& method, const std::string& bytes,
                            std::vector<std::string>* answers);
  // The certificate (PEM, leaf) the node presents on this client's
  // connection.
  absl::StatusOr<std::string> NodeCertificate();

 private:
  explicit TestClient(std::shared_ptr<grpc::Channel> channel)
      : channel_(std::move(channel)) {}

  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_INTEGRATION_TEST_CLIENT_H_
