#ifndef KUAIBAO_NODE_NODE_PROVISIONER_H_
#define KUAIBAO_NODE_NODE_PROVISIONER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kuaibao/v1/operations.pb.h"
#include "node/address_plan.h"
#include "node/node_config.h"
#include "relay/region.h"

namespace kuaibao {

// Where the files of a provisioned node live on its machine (FHS), and where
// it serves its metrics.
struct InstallPaths {
  std::string etc_dir = "/etc/kuaibao";
  std::string data_root = "/var/lib/kuaibao";
  // The region table as installed (with the package, or from the bundle).
  std::string regions_file = "/usr/share/kuaibao/regions/shanxi-2022.csv";
  // The node's metrics_address: a host:port pattern where {host} is the
  // host of the node's own address in the plan (an address of its machine,
  // where the province's network reaches it), {code} and {prefix} as in the
  // plan. Metrics are on by default; empty = none.
  std::string metrics_pattern = std::string(kDefaultMetricsPattern);
  static constexpr char kDefaultMetricsPattern[] = "{host}:9464";
};

// One node of the plan: its configuration, its manifest entry and the
// subject alternative names its certificate needs (its host, so that
// children dialing it by name or address can verify it).
struct ProvisionedNode {
  NodeConfig config;
  v1::ManifestEntry entry;
  std::string sans;  // "DNS:host" or "IP:a.b.c.d"
};

// The configuration of every node of `table`, each reached at its address
// from `plan`, with its parent and, nearest first, the levels above it up to
// the province. Checks the tree first: exactly one province, no village rows
// (villages run no node), no region its own parent, every address unique.
// INVALID_ARGUMENT naming the regions (and the table's checks name the line).
// Every configuration is checked as the node will read it.
absl::StatusOr<std::vector<ProvisionedNode>> ProvisionNodes(
    const RegionTable& table, const AddressPlan& plan,
    const InstallPaths& paths);

// The configuration file's text: a comment saying what it is, then the
// configuration in protobuf text format.
std::string ConfigFileText(const ProvisionedNode& node);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_PROVISIONER_H_
