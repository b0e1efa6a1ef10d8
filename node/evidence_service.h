#ifndef KUAIBAO_NODE_EVIDENCE_SERVICE_H_
#define KUAIBAO_NODE_EVIDENCE_SERVICE_H_

#include "kuaibao/v1/evidence.grpc.pb.h"
#include "relay/base/clock.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// Evidence.Export: one report's evidence file (relay/hop_evidence.h) for any
// authenticated caller — auditors first of all — whose region contains the
// report's, like Query.GetReport; outside it the report reads as absent.
// Borrowed: the relay and the clock outlive the service.
class EvidenceService final : public v1::Evidence::CallbackService {
 public:
  EvidenceService(RelayEngine* relay, Clock* clock)
      : relay_(relay), clock_(clock) {}
  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const v1::ExportEvidenceRequest* request,
                                   v1::EvidenceBundle* response) override;

 private:
  RelayEngine* const relay_;
  Clock* const clock_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_EVIDENCE_SERVICE_H_
