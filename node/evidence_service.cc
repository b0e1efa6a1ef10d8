#include "node/evidence_service.h"

#include "node/node_services.h"
#include "relay/hop_evidence.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {

grpc::ServerUnaryReactor* EvidenceService::Export(
    grpc::CallbackServerContext* context,
    const v1::ExportEvidenceRequest* request, v1::EvidenceBundle* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<StoredReport> stored =
      VisibleTimeline(*relay_, context, request->report_id());
  if (!stored.ok()) {
    reactor->Finish(ToGrpcStatus(stored.status()));
    return reactor;
  }
  *response = MakeEvidenceBundle(relay_->options().region, clock_->TimeNow(),
                                 *std::move(stored));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace kuaibao
