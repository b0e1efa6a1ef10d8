#ifndef KUAIBAO_RELAY_REPORT_TYPES_H_
#define KUAIBAO_RELAY_REPORT_TYPES_H_

// The wire and storage messages (package kuaibao.v1), usable unqualified in
// namespace kuaibao. Message types flow through relay/ whole, so that fields a
// newer sender added reach the province through an older node.
#include "kuaibao/v1/report.pb.h"

namespace kuaibao {
using namespace ::kuaibao::v1;  // NOLINT(build/namespaces): one schema version
}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_REPORT_TYPES_H_
