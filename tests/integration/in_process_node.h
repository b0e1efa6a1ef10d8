#ifndef KUAIBAO_TESTS_INTEGRATION_IN_PROCESS_NODE_H_
#define KUAIBAO_TESTS_INTEGRATION_IN_PROCESS_NODE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "node/node_server.h"
#include "relay/base/clock.h"

namespace kuaibao::testing {

// A node running inside the test process on the test's clock (where time
// matters: hours and days pass at the test's command), over real mTLS on
// 127.0.0.1 like NodeProcess. Restarts keep the port and the data.
class InProcessNode {
 public:
  // Borrowed: `clock` outlives the node.
  InProcessNode(std::string work_dir, std::string region, Clock* clock);
  ~InProcessNode() { Stop(); }

  void SetParent(const std::string& region, int port);
  void SetExtraConfig(const std::string& text) { extra_config_ = text; }

  absl::Status Start();
  void Stop();

  int port() const { return port_; }
  std::string address() const;

 private:
  const std::string dir_;
  const std::string region_;
  Clock* const clock_;
  std::string parent_region_;
  int parent_port_ = 0;
  std::string extra_config_;
  int port_ = 0;
  std::unique_ptr<NodeServer> server_;
};

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_INTEGRATION_IN_PROCESS_NODE_H_
