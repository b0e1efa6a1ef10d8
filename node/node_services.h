#ifndef KUAIBAO_NODE_NODE_SERVICES_H_
#define KUAIBAO_NODE_NODE_SERVICES_H_

#include "kuaibao/v1/service.grpc.pb.h"
#include "node/child_streams.h"
#include "relay/instruction_book.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// The node's gRPC services: adapters only. Each checks who the caller is
// (from its certificate), converts, calls the relay and converts back.
// Borrowed: the relay outlives the services.

// Intake: clients of this node's subtree stream reports in.
class IntakeService final : public v1::Intake::CallbackService {
 public:
  explicit IntakeService(RelayEngine* relay) : relay_(relay) {}
  grpc::ServerBidiReactor<v1::SubmitRequest, v1::SubmitResponse>* Submit(
      grpc::CallbackServerContext* context) override;

 private:
  RelayEngine* const relay_;
};

// Relay: child nodes inside this node's region stream reports (and feedback)
// up; instructions go down the same streams.
class RelayService final : public v1::Relay::CallbackService {
 public:
  RelayService(RelayEngine* relay, InstructionBook* book,
               ChildStreams* children)
      : relay_(relay), book_(book), children_(children) {}
  grpc::ServerBidiReactor<v1::RelayUp, v1::RelayDown>* Escalate(
      grpc::CallbackServerContext* context) override;

 private:
  RelayEngine* const relay_;
  InstructionBook* const book_;
  ChildStreams* const children_;
};

// Query: any authenticated caller reads what lies in its own subtree.
class QueryService final : public v1::Query::CallbackService {
 public:
  // Borrowed: `clock` outlives the service.
  QueryService(RelayEngine* relay, InstructionBook* book, Clock* clock)
      : relay_(relay), book_(book), clock_(clock) {}
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::GetReportResponse* response) override;
  grpc::ServerUnaryReactor* ListReports(
      grpc::CallbackServerContext* context,
      const v1::ListReportsRequest* request,
      v1::ListReportsResponse* response) override;
  grpc::ServerUnaryReactor* ListDue(grpc::CallbackServerContext* context,
                                    const v1::ListDueRequest* request,
                                    v1::ListDueResponse* response) override;

 private:
  RelayEngine* const relay_;
  InstructionBook* const book_;
  Clock* const clock_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_SERVICES_H_
