#ifndef KUAIBAO_CLIENT_GRPC_RELAY_CLIENT_H_
#define KUAIBAO_CLIENT_GRPC_RELAY_CLIENT_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/relay_client.h"
#include "kuaibao/v1/monitor.grpc.pb.h"
#include "kuaibao/v1/service.grpc.pb.h"

namespace kuaibao {

// RelayClient over the generated stubs. Taking the StubInterfaces lets a test
// substitute its own. Thread-compatible.
class GrpcRelayClient final : public RelayClient {
 public:
  // Borrows the stubs: they must outlive this client.
  GrpcRelayClient(v1::Intake::StubInterface* intake,
                  v1::Query::StubInterface* query,
                  v1::Monitor::StubInterface* monitor, absl::Duration timeout);

  SubmitResult Submit(
      const std::vector<v1::IncidentReport>& reports,
      absl::FunctionRef<void(const v1::SubmitResponse&)> on_response) override;
  absl::StatusOr<v1::GetReportResponse> GetReport(
      const std::string& report_id) override;
  absl::StatusOr<v1::ListReportsResponse> ListReports(
      const v1::ListReportsRequest& request) override;
  absl::StatusOr<v1::ListDueResponse> ListDue(bool include_met) override;
  absl::StatusOr<v1::GetStatusResponse> GetStatus() override;
  absl::StatusOr<v1::ListOriginsResponse> ListOrigins(
      const v1::ListOriginsRequest& request) override;

 private:
  v1::Intake::StubInterface* const intake_;
  v1::Query::StubInterface* const query_;
  v1::Monitor::StubInterface* const monitor_;
  const absl::Duration timeout_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_GRPC_RELAY_CLIENT_H_
