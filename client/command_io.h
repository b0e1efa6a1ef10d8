#ifndef KUAIBAO_CLIENT_COMMAND_IO_H_
#define KUAIBAO_CLIENT_COMMAND_IO_H_

#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace kuaibao {

// The process exit codes of every command.
enum ExitCode : int {
  kExitOk = 0,
  // Something was refused, not acknowledged, or a call failed.
  kExitFailure = 1,
  // Bad command line or unreadable input; nothing was sent.
  kExitUsage = 2,
};

// Where a command writes, and how. Results go to `out`; notes, errors and
// summaries go to `err`, so that `out` can be piped into other programs.
struct CommandIo {
  std::ostream* out;  // borrowed
  std::ostream* err;  // borrowed
  // Print every response message as one line of protobuf JSON, without
  // decoration or summary.
  bool json = false;
  // The node's address, for error hints.
  std::string node;
  // This machine's clock when the command started (main.cc reads it): what
  // "time left" is measured from where the node's answer carries no time of
  // its own. absl::InfinitePast() = unknown.
  absl::Time now = absl::InfinitePast();
};

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_COMMAND_IO_H_
