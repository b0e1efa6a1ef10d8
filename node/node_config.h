#ifndef KUAIBAO_NODE_NODE_CONFIG_H_
#define KUAIBAO_NODE_NODE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "kuaibao/v1/config.pb.h"
#include "relay/deadline_policy.h"

namespace kuaibao {

using NodeConfig = ::kuaibao::v1::NodeConfig;

// Parses a node configuration in protobuf text format, fills defaults and
// checks it: the region and the parent's region are well-formed 12-digit
// codes, the parent lies above this node, the required paths are set.
// INVALID_ARGUMENT naming the field (or the line, for a syntax error).
absl::StatusOr<NodeConfig> ParseNodeConfig(const std::string& text);

// The deadline policy of a configuration: the notice's defaults, overridden
// by what the file sets, scaled by its time_scale.
DeadlinePolicy DeadlinesOf(const NodeConfig& config);

// Reads and parses a file; relative paths in it are taken relative to the
// file's directory.
absl::StatusOr<NodeConfig> LoadNodeConfig(const std::string& path);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_CONFIG_H_
