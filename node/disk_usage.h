#ifndef KUAIBAO_NODE_DISK_USAGE_H_
#define KUAIBAO_NODE_DISK_USAGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "relay/admission_control.h"

namespace kuaibao {

// How much the directory `dir` holds (its regular files, recursively, as the
// disk counts them) and how much its file system has free for this process.
// NOT_FOUND when `dir` cannot be read.
absl::StatusOr<AdmissionControl::Usage> MeasureDisk(const std::string& dir);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_DISK_USAGE_H_
