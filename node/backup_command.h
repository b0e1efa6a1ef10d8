#ifndef KUAIBAO_NODE_BACKUP_COMMAND_H_
#define KUAIBAO_NODE_BACKUP_COMMAND_H_

#include <ostream>
#include <string>

#include "node/node_config.h"

namespace kuaibao {

// `kuaibao-node backup --config FILE --out DIR`, on the node's machine while
// the node runs: asks the node (Admin.Backup, with the node's own
// certificate) for its store as of now and writes
// DIR/<region>-<UTC time>.kbbackup, checked as it arrives. Prints the file,
// the reports in it and how many wait for the parent. Returns the process
// exit code: 0 written, 1 not (the reason on `err`).
int RunBackup(const NodeConfig& config, const std::string& out_dir,
              std::ostream& out, std::ostream& err);

// `kuaibao-node restore --from FILE (--config FILE | --data_dir DIR)`, with
// no node running on DIR: makes a new data directory of the backup
// (RestoreBackup) and prints what the node will hold and send again.
// Returns 0 restored, 1 not.
int RunRestore(const std::string& from, const std::string& data_dir,
               std::ostream& out, std::ostream& err);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_BACKUP_COMMAND_H_
