#include "tests/integration/node_process.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "relay/node_id.h"

namespace kuaibao::testing {

std::string TestNodeConfig(const std::string& region, int port,
                           const std::string& data_dir,
                           const std::string& port_file,
                           const std::string& pki_dir,
                           const std::string& parent_region, int parent_port,
                           const std::string& extra_tls,
                           const std::string& extra, const std::string& host,
                           const std::string& parent_host,
                           const std::string& parent_standby) {
  // A department's node: `region` is its node id "<region>:<department>"
  // (relay/node_id.h), its certificate node-<region>-<department>.pem.
  const std::string code(NodeRegion(region));
  const std::string department(NodeDepartment(region));
  const std::string cert =
      absl::StrCat("node-", code, department.empty() ? "" : "-", department);
  std::string config = absl::StrCat(
      "region: \"", code, "\"\n", "listen_address: \"", host, ":", port, "\"\n",
      "data_dir: \"", data_dir, "\"\n", "port_file: \"", port_file, "\"\n",
      "regions_file: \"", KUAIBAO_SOURCE_DIR,
      "/deploy/regions/shanxi-2022.csv\"\n", "tls { cert_file: \"", pki_dir,
      "/", cert, ".pem\" key_file: \"", pki_dir, "/", cert,
      ".key\" ca_file: \"", pki_dir, "/ca.pem\"");
  // Revocation checks whenever the PKI has CRLs (the test PKI has).
  if (std::filesystem::is_directory(pki_dir + "/crl")) {
    absl::StrAppend(&config, " crl_dir: \"", pki_dir,
                    "/crl\" require_crl: true");
  }
  absl::StrAppend(&config, " ", extra_tls, " }\n",
                  "min_backoff_ms: 50\nmax_backoff_ms: 500\n");
  if (!department.empty()) {
    absl::StrAppend(&config, "department: \"", department,
                    "\"\ndepartments_file: \"", KUAIBAO_SOURCE_DIR,
                    "/deploy/regions/shanxi-departments.csv\"\n");
  }
  if (!parent_region.empty()) {
    absl::StrAppend(&config, "parent { region: \"", NodeRegion(parent_region),
                    "\" department: \"", NodeDepartment(parent_region),
                    "\" address: \"", parent_host, ":", parent_port, "\"");
    if (!parent_standby.empty()) {
      absl::StrAppend(&config, " standby_address: \"", parent_standby, "\"");
    }
    absl::StrAppend(&config, " }\n");
  }
  return config + extra;
}

int FreeLocalPort() {
  // Below Linux's ephemeral range (32768 and up by default): a port the
  // kernel hands out for "any port" (another node's listener, a client's
  // connection) can then never be this one between its release here and
  // the bind it is picked for. A port 0 bind here would pick from that
  // range, and it did collide (a standby test's node found its port taken).
  thread_local std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(20000, 32767);
  for (int attempt = 0; attempt < 200; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int port = pick(random);
    addr.sin_port = htons(port);
    const bool bound =
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (bound) return port;
  }
  return 0;
}

NodeProcess::NodeProcess(std::string work_dir, std::string region,
                         std::string pki_dir)
    : dir_(std::move(work_dir)),
      region_(std::move(region)),
      pki_dir_(std::move(pki_dir)) {
  std::filesystem::create_directories(dir_);
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) Kill(SIGKILL);
}

void NodeProcess::SetParent(const std::string& region, int port,
                            const std::string& host) {
  parent_region_ = region;
  parent_port_ = port;
  parent_host_ = host;
}

std::string NodeProcess::address() const {
  return absl::StrCat(host_, ":", port_);
}

std::string NodeProcess::WriteConfig() const {
  std::string text =
      TestNodeConfig(region_, port_, data_dir(), port_path(), pki_dir_,
                     parent_region_, parent_port_, extra_tls_config_,
                     extra_config_, host_, parent_host_, parent_standby_);
  if (!cert_name_.empty()) {
    text = absl::StrReplaceAll(text, {{absl::StrCat("/node-", region_, "."),
                                       absl::StrCat("/", cert_name_, ".")}});
  }
  std::ofstream config(config_path(), std::ios::trunc);
  config << text;
  return config_path();
}

absl::StatusOr<std::string> NodeProcess::Repair() { return Run({"--repair"}); }

absl::StatusOr<std::string> NodeProcess::Run(std::vector<std::string> args) {
  args.insert(args.begin(), binary_);
  args.push_back("--config");
  args.push_back(WriteConfig());
  const std::string output = dir_ + "/command.out";
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    FILE* out = freopen(output.c_str(), "w", stdout);
    out = freopen(output.c_str(), "a", stderr);
    (void)out;
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary_.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(output);
  std::stringstream text;
  text << in.rdbuf();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("kuaibao-node ", args[1], " failed:\n", text.str()));
  }
  return text.str();
}

absl::Status NodeProcess::Start() {
  absl::Status launched = Launch();
  if (!launched.ok()) return launched;
  return WaitServing();
}

absl::Status NodeProcess::Launch() {
  const std::string config_path = WriteConfig();
  const std::string port_file = port_path();
  std::filesystem::remove(port_file);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    std::string log = log_path();
    FILE* out = freopen(log.c_str(), "a", stderr);
    (void)out;
    struct rlimit limit;
    if (file_limit_ > 0 && getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      limit.rlim_cur = static_cast<rlim_t>(file_limit_);
      setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (!netns_.empty()) {
      // `ip netns exec` enters the namespace and then execs the node, so
      // the pid stays the node's.
      execlp("ip", "ip", "netns", "exec", netns_.c_str(), binary_.c_str(),
             "--config", config_path.c_str(), static_cast<char*>(nullptr));
    } else {
      execl(binary_.c_str(), binary_.c_str(), "--config", config_path.c_str(),
            static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  pid_ = pid;
  return absl::OkStatus();
}

absl::Status NodeProcess::WaitServing(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not launched");
  const std::string port_file = port_path();
  // Generous by default: the machine may be busy.
  absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) {
      port_ = port;
      return absl::OkStatus();
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(
          absl::StrCat("node ", region_, " exited at start:\n", LogTail()));
    }
    // Short: the benchmarks time starts with this.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("node ", region_, " did not start:\n", LogTail()));
}

void NodeProcess::Kill(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void NodeProcess::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

int NodeProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string NodeProcess::Log() const {
  std::ifstream in(log_path());
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

std::string NodeProcess::LogTail() const {
  std::vector<std::string> lines = absl::StrSplit(Log(), '\n');
  size_t from = lines.size() > 20 ? lines.size() - 20 : 0;
  std::string tail;
  for (size_t i = from; i < lines.size(); ++i)
    absl::StrAppend(&tail, lines[i], "\n");
  return tail;
}

}  // namespace kuaibao::testing
