#ifndef KUAIBAO_CLIENT_GRPC_UNARY_CALL_H_
#define KUAIBAO_CLIENT_GRPC_UNARY_CALL_H_

// One unary call of a generated stub, for the grpc_*_client.cc adapters.

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "relay/base/status_macros.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {

// Calls `method` on `stub` with a deadline `timeout` from now; the node's
// status on failure.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> UnaryCall(
    Stub* stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request, absl::Duration timeout) {
  Response response;
  grpc::ClientContext context;
  // The command line is the edge where the wall clock may be read.
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  RETURN_IF_ERROR(
      FromGrpcStatus((stub->*method)(&context, request, &response)));
  return response;
}

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_GRPC_UNARY_CALL_H_
