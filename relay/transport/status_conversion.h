#ifndef KUAIBAO_RELAY_TRANSPORT_STATUS_CONVERSION_H_
#define KUAIBAO_RELAY_TRANSPORT_STATUS_CONVERSION_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace kuaibao {

// The one place where absl::Status and grpc::Status meet. The codes are
// numerically equal; messages pass through unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_TRANSPORT_STATUS_CONVERSION_H_
