#ifndef KUAIBAO_RELAY_BASE_FILES_H_
#define KUAIBAO_RELAY_BASE_FILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace kuaibao {

// Reads a whole file. NOT_FOUND naming `what` and the path when it cannot.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             const std::string& what);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_BASE_FILES_H_
