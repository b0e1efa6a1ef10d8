#include "node/department_provisioner.h"

#include <arpa/inet.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "relay/base/status_macros.h"
#include "relay/node_id.h"

namespace kuaibao {
namespace {

std::string DepartmentAddress(const std::string& pattern, const Region& region,
                              const std::string& code) {
  return absl::StrReplaceAll(
      pattern.empty() ? kDefaultDepartmentPattern : pattern,
      {{"{code}", region.code},
       {"{prefix}", std::string(SignificantPrefix(region.code))},
       {"{dept}", code}});
}

bool IsIpAddress(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

absl::StatusOr<std::vector<ProvisionedNode>> ProvisionDepartmentNodes(
    const RegionTable& table, const DepartmentTable& departments,
    const std::vector<std::string>& codes, const AddressPlan& plan,
    const std::string& department_pattern, const InstallPaths& paths) {
  std::vector<ProvisionedNode> nodes;
  for (const std::string& code : codes) {
    const Department* department = departments.Find(code);
    if (department == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "department '", code, "' is not in the department table"));
    }
    for (const Region& region : table.regions()) {
      if (!departments.CheckOffice(code, region.level).ok()) continue;
      ProvisionedNode node;
      const std::string id = MakeNodeId(region.code, code);
      const std::string file_name = absl::StrCat(region.code, "-", code);
      const std::string address =
          DepartmentAddress(department_pattern, region, code);
      ASSIGN_OR_RETURN(auto host_port, SplitHostPort(address));
      node.sans = absl::StrCat(IsIpAddress(host_port.first) ? "IP:" : "DNS:",
                               host_port.first);
      NodeConfig& config = node.config;
      config.set_region(region.code);
      config.set_department(code);
      config.set_listen_address(absl::StrCat("0.0.0.0:", host_port.second));
      config.set_data_dir(absl::StrCat(paths.data_root, "/", file_name));
      config.set_regions_file(paths.regions_file);
      config.set_departments_file(paths.departments_file);
      const std::string tls_dir = paths.etc_dir + "/tls";
      v1::TlsFiles* tls = config.mutable_tls();
      tls->set_cert_file(absl::StrCat(tls_dir, "/node-", file_name, ".pem"));
      tls->set_key_file(absl::StrCat(tls_dir, "/node-", file_name, ".key"));
      tls->set_ca_file(tls_dir + "/ca.pem");
      tls->set_crl_dir(tls_dir + "/crl");
      tls->set_require_crl(true);
      // Up its own line: the same department one level up.
      if (const Region* up = table.Find(region.parent); up != nullptr) {
        v1::Upstream* parent = config.mutable_parent();
        parent->set_region(up->code);
        parent->set_department(code);
        parent->set_address(DepartmentAddress(department_pattern, *up, code));
      }
      // And across to its government at the same time.
      v1::Upstream* across = config.add_across();
      across->set_region(region.code);
      across->set_address(plan.AddressOf(region));

      v1::ManifestEntry& entry = node.entry;
      entry.set_region(id);
      entry.set_level(std::string(LevelName(region.level)));
      entry.set_name(departments.Describe(table, id));
      entry.set_name(entry.name().substr(0, entry.name().rfind(" (")));
      entry.set_address(address);
      entry.set_parent(config.has_parent()
                           ? MakeNodeId(config.parent().region(), code)
                           : "");
      entry.set_parent_address(config.parent().address());
      // Named by the node id, as kuaibao-node@<id> reads it.
      entry.set_config(absl::StrCat(paths.etc_dir, "/", id, ".textproto"));
      entry.set_cert(tls->cert_file());
      entry.set_key(tls->key_file());
      entry.set_csr(absl::StrCat(tls_dir, "/node-", file_name, ".csr"));
      entry.set_data_dir(config.data_dir());
      absl::Status readable = ParseNodeConfig(ConfigFileText(node)).status();
      if (!readable.ok()) {
        return absl::InternalError(
            absl::StrCat("the configuration made for ", id,
                         " does not read back: ", readable.message()));
      }
      nodes.push_back(std::move(node));
    }
  }
  return nodes;
}

}  // namespace kuaibao
