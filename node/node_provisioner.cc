#include "node/node_provisioner.h"

#include <arpa/inet.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/text_format.h"
#include "relay/base/status_macros.h"

namespace kuaibao {
namespace {

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

v1::Upstream UpstreamOf(const Region& region, const AddressPlan& plan) {
  v1::Upstream upstream;
  upstream.set_region(region.code);
  upstream.set_address(plan.AddressOf(region));
  return upstream;
}

}  // namespace

absl::StatusOr<std::vector<ProvisionedNode>> ProvisionNodes(
    const RegionTable& table, const AddressPlan& plan,
    const InstallPaths& paths) {
  int provinces = 0;
  for (const Region& region : table.regions()) {
    if (region.level == Level::kProvince) ++provinces;
    if (region.level == Level::kVillage) {
      return absl::InvalidArgumentError(
          absl::StrCat("region table: ", region.code,
                       " is a village; villages run no node (report through "
                       "their township)"));
    }
    if (region.parent == region.code) {
      return absl::InvalidArgumentError(
          absl::StrCat("region table: ", region.code, " is its own parent"));
    }
  }
  if (provinces != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "region table: needs exactly one province, has ", provinces));
  }

  std::vector<ProvisionedNode> nodes;
  nodes.reserve(table.size());
  absl::flat_hash_map<std::string, std::string> owner_of_address;
  for (const Region& region : table.regions()) {
    ProvisionedNode node;
    std::string address = plan.AddressOf(region);
    ASSIGN_OR_RETURN(auto host_port, SplitHostPort(address));
    auto [owner, fresh] =
        owner_of_address.emplace(absl::AsciiStrToLower(address), region.code);
    if (!fresh) {
      return absl::InvalidArgumentError(
          absl::StrCat("address plan: ", region.code, " and ", owner->second,
                       " would both be at ", address));
    }
    node.sans = absl::StrCat(IsIpAddress(host_port.first) ? "IP:" : "DNS:",
                             host_port.first);

    NodeConfig& config = node.config;
    config.set_region(region.code);
    config.set_listen_address(absl::StrCat("0.0.0.0:", host_port.second));
    if (!paths.metrics_pattern.empty()) {
      // Plain HTTP without authentication: on the node's own address (or
      // the management address the pattern names), never 0.0.0.0.
      config.set_metrics_address(absl::StrReplaceAll(
          paths.metrics_pattern,
          {{"{host}", absl::StrContains(host_port.first, ':')
                          ? absl::StrCat("[", host_port.first, "]")
                          : host_port.first},
           {"{code}", region.code},
           {"{prefix}", std::string(SignificantPrefix(region.code))}}));
    }
    config.set_data_dir(absl::StrCat(paths.data_root, "/", region.code));
    config.set_regions_file(paths.regions_file);
    const std::string tls_dir = paths.etc_dir + "/tls";
    v1::TlsFiles* tls = config.mutable_tls();
    tls->set_cert_file(absl::StrCat(tls_dir, "/node-", region.code, ".pem"));
    tls->set_key_file(absl::StrCat(tls_dir, "/node-", region.code, ".key"));
    tls->set_ca_file(tls_dir + "/ca.pem");
    tls->set_crl_dir(tls_dir + "/crl");
    tls->set_require_crl(true);
    // The parent, then every level above it up to the province.
    for (const Region* up = table.Find(region.parent); up != nullptr;
         up = table.Find(up->parent)) {
      if (!config.has_parent()) {
        *config.mutable_parent() = UpstreamOf(*up, plan);
      } else {
        *config.add_ancestors() = UpstreamOf(*up, plan);
      }
    }

    v1::ManifestEntry& entry = node.entry;
    entry.set_region(region.code);
    entry.set_level(std::string(LevelName(region.level)));
    entry.set_name(region.name);
    entry.set_address(address);
    entry.set_parent(config.parent().region());
    entry.set_parent_address(config.parent().address());
    entry.set_config(
        absl::StrCat(paths.etc_dir, "/", region.code, ".textproto"));
    entry.set_cert(tls->cert_file());
    entry.set_key(tls->key_file());
    entry.set_csr(absl::StrCat(tls_dir, "/node-", region.code, ".csr"));
    entry.set_data_dir(config.data_dir());

    absl::Status readable = ParseNodeConfig(ConfigFileText(node)).status();
    if (!readable.ok()) {
      return absl::InternalError(
          absl::StrCat("the configuration made for ", region.code,
                       " does not read back: ", readable.message()));
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

std::string ConfigFileText(const ProvisionedNode& node) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(node.config, &text);
  return absl::StrCat(
      "# Kuaibao node ", node.entry.name(), " (", node.entry.region(), ", ",
      node.entry.level(), "), made by kuaibao-provision.\n",
      "# Run as: systemctl enable --now kuaibao-node@", node.entry.region(),
      "\n# Every field: protos/kuaibao/v1/config.proto and README.md.\n", text);
}

}  // namespace kuaibao
