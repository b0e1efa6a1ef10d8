#ifndef KUAIBAO_TESTS_INTEGRATION_NODE_PROCESS_H_
#define KUAIBAO_TESTS_INTEGRATION_NODE_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kuaibao::testing {

// The configuration text of a test node listening on `host`:`port`, with
// its certificate (and CRLs, when there are) from `pki_dir`, fast
// reconnects, and a parent at `parent_host`:`parent_port` when
// `parent_region` is not empty (with its standby at `parent_standby`, if
// not empty); `extra_tls` goes inside `tls { }`, `extra` is appended.
std::string TestNodeConfig(const std::string& region, int port,
                           const std::string& data_dir,
                           const std::string& port_file,
                           const std::string& pki_dir,
                           const std::string& parent_region, int parent_port,
                           const std::string& extra_tls,
                           const std::string& extra,
                           const std::string& host = "127.0.0.1",
                           const std::string& parent_host = "127.0.0.1",
                           const std::string& parent_standby = "");

// A port nobody listens on now on 127.0.0.1 (0 if none could be had), for
// nodes that must know each other's address before either starts (a
// primary and its standby).
int FreeLocalPort();

// A real kuaibao-node process for integration tests: its own config, data
// directory and log under `work_dir`, listening on 127.0.0.1 (or the host
// set). The first start takes any free port; restarts keep it, so children
// reconnect.
class NodeProcess {
 public:
  // `pki_dir` holds ca.pem and node-<region>.pem/.key.
  NodeProcess(std::string work_dir, std::string region, std::string pki_dir);
  ~NodeProcess();  // kills the process if still running
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  void SetParent(const std::string& region, int port,
                 const std::string& host = "127.0.0.1");
  // The parent's standby node listens at `address` (host:port): the
  // parent's `standby_address`.
  void set_parent_standby(std::string address) {
    parent_standby_ = std::move(address);
  }
  // Listen on this address instead of 127.0.0.1 (its certificate must name
  // it).
  void set_host(std::string host) { host_ = std::move(host); }
  // Run in this network namespace (`ip netns exec NAME`): a host of its own
  // as far as the network is concerned.
  void set_netns(std::string name) { netns_ = std::move(name); }
  // Listen on this port (0 = any free one).
  void set_port(int port) { port_ = port; }
  // Extra lines appended to the config (text format).
  void SetExtraConfig(const std::string& text) { extra_config_ = text; }
  // More lines after those.
  void AddExtraConfig(const std::string& text) { extra_config_ += text; }
  // Extra fields inside the config's `tls { }` (text format).
  void SetExtraTlsConfig(const std::string& text) { extra_tls_config_ = text; }
  // Use the certificate and key `pki_dir`/NAME.pem and .key instead of
  // node-<region> (e.g. a standby's node-<region>-standby).
  void set_cert_name(std::string name) { cert_name_ = std::move(name); }
  // Use this data directory instead of one of its own.
  void set_data_dir(const std::string& dir) { data_dir_ = dir; }
  // Start the process with this soft limit on open files (0 = inherit).
  void set_file_limit(int soft) { file_limit_ = soft; }
  // Runs this program instead of kuaibao-node (it gets the same
  // `--config FILE` and must write the port file the same way).
  void set_binary(std::string path) { binary_ = std::move(path); }

  // Starts the process and waits until it serves (its port file appears).
  absl::Status Start();
  // Start in two steps, so that many processes can start side by side:
  // Launch forks and returns at once; WaitServing waits for the port file.
  absl::Status Launch();
  absl::Status WaitServing(absl::Duration timeout = absl::Seconds(30));
  // Sends `signal` and reaps the process.
  void Kill(int signal);
  // Sends `signal` (e.g. SIGSTOP, SIGCONT) and leaves the process be.
  void Signal(int signal);
  // SIGTERM, then waits for exit; returns the exit status.
  int Stop();
  // Runs `kuaibao-node --repair` on this node's configuration (the node
  // stopped); its output, or an error with it.
  absl::StatusOr<std::string> Repair();
  // Runs `kuaibao-node ARGS... --config <this node's configuration>` (e.g.
  // {"backup", "--out", dir}) and waits for it; its output, or an error with
  // it when it exits non-zero.
  absl::StatusOr<std::string> Run(std::vector<std::string> args);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  int port() const { return port_; }
  std::string address() const;
  const std::string& region() const { return region_; }
  std::string log_path() const { return dir_ + "/node.log"; }
  std::string config_path() const { return dir_ + "/node.textproto"; }
  std::string data_dir() const {
    return data_dir_.empty() ? dir_ + "/data" : data_dir_;
  }
  // The whole log, to search.
  std::string Log() const;
  // The last lines of the node's log, for failure messages.
  std::string LogTail() const;

 private:
  std::string port_path() const { return dir_ + "/port"; }
  // Writes the configuration file; returns its path.
  std::string WriteConfig() const;

  const std::string dir_;
  const std::string region_;
  const std::string pki_dir_;
  std::string parent_region_;
  int parent_port_ = 0;
  std::string parent_host_ = "127.0.0.1";
  std::string parent_standby_;
  std::string host_ = "127.0.0.1";
  std::string netns_;
  std::string extra_config_;
  std::string extra_tls_config_;
  std::string data_dir_;
  std::string cert_name_;
  int file_limit_ = 0;
  std::string binary_ = KUAIBAO_NODE_BINARY;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_INTEGRATION_NODE_PROCESS_H_
