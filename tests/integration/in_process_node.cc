#include "tests/integration/in_process_node.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "node/node_config.h"
#include "tests/integration/node_process.h"
#include "tests/integration/test_chain.h"

namespace kuaibao::testing {

InProcessNode::InProcessNode(std::string work_dir, std::string region,
                             Clock* clock)
    : dir_(std::move(work_dir)), region_(std::move(region)), clock_(clock) {
  std::filesystem::create_directories(dir_);
}

void InProcessNode::SetParent(const std::string& region, int port) {
  parent_region_ = region;
  parent_port_ = port;
}

std::string InProcessNode::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

absl::Status InProcessNode::Start() {
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(
      TestNodeConfig(region_, port_, dir_ + "/data", dir_ + "/port", kPki,
                     parent_region_, parent_port_, "", extra_config_));
  if (!config.ok()) return config.status();
  absl::StatusOr<std::unique_ptr<NodeServer>> server =
      NodeServer::Start(*config, clock_);
  if (!server.ok()) return server.status();
  server_ = *std::move(server);
  port_ = server_->port();
  return absl::OkStatus();
}

void InProcessNode::Stop() {
  if (server_ == nullptr) return;
  server_->Shutdown(absl::Seconds(2));
  server_.reset();
}

}  // namespace kuaibao::testing
