// kuaibao-node: the one program every government runs (township, county,
// city, province). See README.md for the configuration.
#include <csignal>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "node/backup_command.h"
#include "node/chain_verify_command.h"
#include "node/library_logs.h"
#include "node/node_config.h"
#include "node/node_server.h"
#include "node/probe.h"
#include "node/server_limits.h"
#include "node/store_repair_command.h"
#include "node/systemd_notifier.h"
#include "relay/base/flag_help.h"
#include "relay/base/log.h"

ABSL_FLAG(std::string, config, "", "node configuration file (text format)");
ABSL_FLAG(bool, probe, false,
          "do not serve: check that the node of --config answers a real "
          "mTLS call, exit 0 if it does and 1 if not (for watchdogs)");
ABSL_FLAG(absl::Duration, probe_timeout, absl::Seconds(5),
          "how long --probe waits for the answer");
ABSL_FLAG(bool, repair, false,
          "do not serve: repair the damaged store of --config (node "
          "stopped): keeps a copy of the data directory, rebuilds it, lists "
          "what it recovered");
ABSL_FLAG(std::string, out, "",
          "backup: the folder to write <region>-<UTC time>.kbbackup to");
ABSL_FLAG(std::string, from, "", "restore: the backup file");
ABSL_FLAG(std::string, data_dir, "",
          "restore: the data directory to make (default: --config's)");

ABSL_FLAG(bool, verify_chain, false,
          "do not serve: check the hash chain of the hop records in the "
          "store of --config (node stopped), print the first broken link");

int main(int argc, char** argv) {
  // Debian's Abseil is built with NDEBUG unset, which leaves the Mutex
  // deadlock detector on: every lock in every thread (gRPC's too) then
  // goes through one global graph. Lock order is checked by the unit tests.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  constexpr char kUsage[] =
      "Usage: kuaibao-node --config FILE [--probe | --repair | "
      "--verify_chain]\n"
      "  or:  kuaibao-node backup --config FILE --out DIR\n"
      "  or:  kuaibao-node restore --from BACKUP (--config FILE | --data_dir "
      "DIR)\n\n"
      "Runs one node of the Kuaibao incident-report relay (township, county, "
      "city or province): stores every report durably and forwards it to its "
      "parent over mutual TLS. With --probe it only checks that the node "
      "serves; with --repair it repairs a damaged store; with --verify_chain "
      "it checks the store's hash chain. backup copies the running node's "
      "store to a file; restore makes a new data directory of such a file. "
      "The configuration's fields: /usr/share/doc/kuaibao-node/README.md "
      "or README.md in the source.";
  if (kuaibao::WantsHelp(argc, argv)) {
    std::cout << kuaibao::FlagHelp(kUsage);
    return 0;
  }
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  kuaibao::RouteLibraryLogs();
  const std::string command = args.size() > 1 ? args[1] : "";
  if (args.size() > 2 ||
      (!command.empty() && command != "backup" && command != "restore")) {
    std::cerr << "kuaibao-node: unknown command '" << args.back()
              << "' (backup, restore, or none to run the node)\n";
    return 2;
  }
  std::string path = absl::GetFlag(FLAGS_config);
  if (command == "restore" && !absl::GetFlag(FLAGS_data_dir).empty()) {
    return kuaibao::RunRestore(absl::GetFlag(FLAGS_from),
                               absl::GetFlag(FLAGS_data_dir), std::cout,
                               std::cerr);
  }
  if (path.empty()) {
    std::cerr << "kuaibao-node: --config FILE is required\n";
    return 2;
  }
  absl::StatusOr<kuaibao::NodeConfig> config = kuaibao::LoadNodeConfig(path);
  if (!config.ok()) {
    kuaibao::Log(kuaibao::LogLevel::kError, "cannot start: bad configuration",
                 {{"reason", std::string(config.status().message())}});
    return 2;
  }
  if (command == "restore") {
    return kuaibao::RunRestore(absl::GetFlag(FLAGS_from), config->data_dir(),
                               std::cout, std::cerr);
  }
  if (command == "backup") {
    return kuaibao::RunBackup(*config, absl::GetFlag(FLAGS_out), std::cout,
                              std::cerr);
  }
  if (absl::GetFlag(FLAGS_repair)) {
    return kuaibao::RunStoreRepair(*config, &kuaibao::RealClock::Get(),
                                   std::cout, std::cerr);
  }

  if (absl::GetFlag(FLAGS_verify_chain)) {
    return kuaibao::RunChainVerify(*config, std::cout, std::cerr);
  }

  if (absl::GetFlag(FLAGS_probe)) {
    absl::Status status =
        kuaibao::ProbeNode(*config, absl::GetFlag(FLAGS_probe_timeout));
    if (!status.ok()) {
      std::cerr << "kuaibao-node: " << config->region() << " is NOT serving: "
                << absl::StatusCodeToString(status.code()) << ": "
                << status.message() << "\n";
      return 1;
    }
    std::cout << "kuaibao-node: " << config->region() << " is serving\n";
    return 0;
  }

  // Block the stop signals in every thread (threads inherit the mask), and
  // take them synchronously below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  kuaibao::RaiseFileLimit();
  absl::StatusOr<std::unique_ptr<kuaibao::NodeServer>> server =
      kuaibao::NodeServer::Start(*config, &kuaibao::RealClock::Get());
  if (!server.ok()) {
    kuaibao::Log(kuaibao::LogLevel::kError, "cannot start",
                 {{"code", absl::StatusCodeToString(server.status().code())},
                  {"reason", std::string(server.status().message())}});
    return 1;
  }
  int signal = kuaibao::ServeUntilStopped(*config, stop_signals);
  kuaibao::Log(kuaibao::LogLevel::kInfo, "stopping",
               {{"signal", absl::StrCat(signal)}});
  (*server)->Shutdown(absl::Seconds(5));
  return 0;
}
