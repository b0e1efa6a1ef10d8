#ifndef KUAIBAO_CLIENT_STATUS_VIEW_H_
#define KUAIBAO_CLIENT_STATUS_VIEW_H_

// What `kuaibao status` and `kuaibao origins` print. Pure: no I/O, no gRPC.

#include <string>

#include "google/protobuf/timestamp.pb.h"
#include "kuaibao/v1/monitor.pb.h"

namespace kuaibao {

// The node's intake decision and disk, then a table of its upstream links:
// state (STALLED in capitals), in flight, waiting, held, how long the
// oldest waiting report has waited, the last receipt.
std::string FormatNodeStatus(const v1::GetStatusResponse& status);

// A table of origins: highest number, how many here, missing numbers (each
// gap with how long it has been missing, OVERDUE past the node's deadline).
std::string FormatOrigins(const v1::ListOriginsResponse& page);

// The tally printed after all pages, e.g. "2 origins; 3 numbers missing in
// 2 gaps, 1 gap overdue (missing longer than 2h: lost, withheld or held up
// on the way)".
struct OriginTally {
  int origins = 0;
  uint64_t missing = 0;
  int gaps = 0;
  int overdue = 0;
  std::string overdue_after;

  void Add(const v1::ListOriginsResponse& page);
  std::string Summary() const;
};

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_STATUS_VIEW_H_
