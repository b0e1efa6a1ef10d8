#ifndef KUAIBAO_NODE_NODE_CONFIG_H_
#define KUAIBAO_NODE_NODE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "kuaibao/v1/config.pb.h"
#include "relay/deadline_policy.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

using NodeConfig = ::kuaibao::v1::NodeConfig;

// Parses a node configuration in protobuf text format, fills defaults and
// checks it: the region and the parent's region are well-formed 12-digit
// codes, the parent lies above this node, the required paths are set.
// Security settings get their defaults (see config.proto): classification
// INTERNAL for the node and its parent link, rate limits, 1 MiB messages,
// certificate refresh every 60 s. INVALID_ARGUMENT naming the field (or the
// line, for a syntax error).
absl::StatusOr<NodeConfig> ParseNodeConfig(const std::string& text);

// The deadline policy of a configuration: the notice's defaults, overridden
// by what the file sets, scaled by its time_scale.
DeadlinePolicy DeadlinesOf(const NodeConfig& config);

// Reads and parses a file; relative paths in it are taken relative to the
// file's directory.
absl::StatusOr<NodeConfig> LoadNodeConfig(const std::string& path);

// The node's TLS files and settings, as the transport takes them.
TlsPaths NodeTlsPaths(const NodeConfig& config);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_CONFIG_H_
