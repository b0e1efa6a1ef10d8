// kuaibao-provision: the configuration of every node of a region table, and
// the manifest of what goes where. deploy/provision/provision.sh runs it and
// then makes the keys and certificates with certs/pki.sh; see
// deploy/provision/README.md.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "node/node_provisioner.h"
#include "relay/base/files.h"
#include "relay/base/flag_help.h"
#include "relay/base/status_macros.h"

ABSL_FLAG(std::string, regions, "", "the region table (CSV)");
ABSL_FLAG(std::string, plan, "",
          "the address plan (default: every node at "
          "{code}.kuaibao.internal:7400)");
ABSL_FLAG(std::string, out, "", "output folder");
ABSL_FLAG(std::string, only, "",
          "comma-separated region codes: write only these nodes' bundles "
          "(the manifest always lists every node)");
ABSL_FLAG(std::string, etc_dir, "/etc/kuaibao",
          "configuration folder on the nodes");
ABSL_FLAG(std::string, data_root, "/var/lib/kuaibao",
          "data folder on the nodes (each node uses DATA_ROOT/<code>)");
ABSL_FLAG(std::string, metrics, kuaibao::InstallPaths::kDefaultMetricsPattern,
          "each node's metrics_address: host:port, where {host} is the host "
          "of the node's address in the plan, {code} and {prefix} as there "
          "(e.g. mgmt-{code}.kuaibao.internal:9464 for a management "
          "network); 'none': no metrics listener");
ABSL_FLAG(std::string, regions_file, "",
          "the region table's path on the nodes (default "
          "/usr/share/kuaibao/regions/<name of --regions>)");

namespace kuaibao {
namespace {

absl::Status WriteFile(const std::filesystem::path& path,
                       const std::string& text) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) {
      return absl::UnavailableError(
          absl::StrCat("cannot write ", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, path, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path.string(), ": ", error.message()));
  }
  return absl::OkStatus();
}

std::string ManifestCsv(const v1::ProvisionManifest& manifest) {
  std::string csv =
      "region,level,name,address,parent,parent_address,bundle,config,cert,"
      "key,csr,data_dir\n";
  for (const v1::ManifestEntry& e : manifest.nodes()) {
    absl::StrAppend(
        &csv,
        absl::StrJoin({e.region(), e.level(), e.name(), e.address(), e.parent(),
                       e.parent_address(), e.bundle(), e.config(), e.cert(),
                       e.key(), e.csr(), e.data_dir()},
                      ","),
        "\n");
  }
  return csv;
}

absl::Status Run() {
  const std::string regions = absl::GetFlag(FLAGS_regions);
  const std::filesystem::path out = absl::GetFlag(FLAGS_out);
  if (regions.empty() || out.empty()) {
    return absl::InvalidArgumentError("--regions and --out are required");
  }
  ASSIGN_OR_RETURN(RegionTable table, RegionTable::Load(regions));
  AddressPlan plan = AddressPlan::Default();
  if (!absl::GetFlag(FLAGS_plan).empty()) {
    ASSIGN_OR_RETURN(
        std::string text,
        ReadFileToString(absl::GetFlag(FLAGS_plan), "address plan"));
    absl::StatusOr<AddressPlan> parsed = AddressPlan::Parse(text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          absl::GetFlag(FLAGS_plan), ": ", parsed.status().message()));
    }
    plan = *std::move(parsed);
  }
  InstallPaths paths;
  paths.etc_dir = absl::GetFlag(FLAGS_etc_dir);
  paths.data_root = absl::GetFlag(FLAGS_data_root);
  paths.regions_file = absl::GetFlag(FLAGS_regions_file);
  paths.metrics_pattern = absl::GetFlag(FLAGS_metrics);
  if (paths.metrics_pattern == "none") paths.metrics_pattern.clear();
  if (paths.regions_file.empty()) {
    paths.regions_file =
        absl::StrCat("/usr/share/kuaibao/regions/",
                     std::filesystem::path(regions).filename().string());
  }
  ASSIGN_OR_RETURN(std::vector<ProvisionedNode> nodes,
                   ProvisionNodes(table, plan, paths));

  absl::flat_hash_set<std::string> only;
  for (absl::string_view code :
       absl::StrSplit(absl::GetFlag(FLAGS_only), ',', absl::SkipEmpty())) {
    if (table.Find(code) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--only: ", code, " is not in ", regions));
    }
    only.insert(std::string(code));
  }

  v1::ProvisionManifest manifest;
  std::string pki_list;
  int written = 0;
  for (ProvisionedNode& node : nodes) {
    const std::string& code = node.entry.region();
    node.entry.set_bundle(absl::StrCat("nodes/", code));
    *manifest.add_nodes() = node.entry;
    if (!only.empty() && !only.contains(code)) continue;
    std::filesystem::path root = out / node.entry.bundle();
    RETURN_IF_ERROR(
        WriteFile(root / node.entry.config().substr(1), ConfigFileText(node)));
    // The TLS folder, made here with the usual modes (the key inside is
    // 0600): the node's user must be able to enter it.
    std::error_code error;
    std::filesystem::create_directories(
        root / (paths.etc_dir + "/tls").substr(1), error);
    // For certs/pki.sh bundles: the spec, the folder of its key and
    // certificate (relative to the list), the names its certificate needs.
    absl::StrAppend(&pki_list, "node:", code, " ", node.entry.bundle(),
                    paths.etc_dir, "/tls ", node.sans, "\n");
    ++written;
  }
  RETURN_IF_ERROR(WriteFile(out / "manifest.csv", ManifestCsv(manifest)));
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(manifest, &json, options);
  RETURN_IF_ERROR(WriteFile(out / "manifest.json", json));
  RETURN_IF_ERROR(WriteFile(out / "pki.list", pki_list));
  std::cout << "checked " << table.size() << " regions: one province, every "
            << "parent present, codes and addresses unique\n"
            << "wrote " << written << " node configuration(s) under "
            << (out / "nodes").string() << ", "
            << (out / "manifest.csv").string() << " and manifest.json\n";
  return absl::OkStatus();
}

}  // namespace
}  // namespace kuaibao

int main(int argc, char** argv) {
  constexpr char kUsage[] =
      "Usage: kuaibao-provision --regions TABLE.csv [--plan PLAN] --out DIR "
      "[--only CODE,...]\n\n"
      "Checks the region table and the address plan, and writes every node's "
      "configuration and the manifest. deploy/provision/provision.sh runs it "
      "and makes the keys and certificates (deploy/provision/README.md).";
  if (kuaibao::WantsHelp(argc, argv)) {
    std::cout << kuaibao::FlagHelp(kUsage);
    return 0;
  }
  absl::SetProgramUsageMessage(kUsage);
  absl::ParseCommandLine(argc, argv);
  absl::Status status = kuaibao::Run();
  if (!status.ok()) {
    std::cerr << "kuaibao-provision: " << status.message() << "\n";
    return 2;
  }
  return 0;
}
