#ifndef KUAIBAO_CLIENT_ENUM_NAMES_H_
#define KUAIBAO_CLIENT_ENUM_NAMES_H_

// The protocol's enum values as people name them, in the language of the
// display (client/display.h): Ⅱ级（重大）, 续报, 自然灾害 — the same words as
// the web console's pages (client/console/assets/app.js), so that the CLI,
// its CSV and the console agree. Pure; no gRPC.

#include <string>

#include "google/protobuf/descriptor.h"

namespace kuaibao {

// The name of `value` of `descriptor` (a kuaibao.v1 enum) in the current
// language; for a value without one, its constant without the enum's prefix
// (EnumLabel), and the number for a value the descriptor does not know;
// "-" for 0 (every enum's UNSPECIFIED: not given).
std::string ValueName(const google::protobuf::EnumDescriptor& descriptor,
                      int value);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_ENUM_NAMES_H_
