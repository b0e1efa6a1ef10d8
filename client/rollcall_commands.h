#ifndef KUAIBAO_CLIENT_ROLLCALL_COMMANDS_H_
#define KUAIBAO_CLIENT_ROLLCALL_COMMANDS_H_

// `kuaibao rollcall issue|status|answer|close`: roll calls (点名, 零报告;
// relay/roll_call_book.h) over the Command service.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/command_client.h"
#include "client/command_io.h"
#include "kuaibao/v1/rollcall.pb.h"

namespace kuaibao {

struct RollCallArgs {
  std::string action;  // issue, status, answer, close
  std::string roll_call_id;
  // issue
  std::string text;
  std::string period;
  std::string event_id;
  std::string level;  // city, county, township; "" = the level below
  std::string by;
  absl::Duration due = absl::ZeroDuration();    // answer within
  absl::Duration every = absl::ZeroDuration();  // 日报: 24h
  // status
  uint32_t round = 0;
  // answer: a zero report, or the reports filed
  bool zero = false;
  std::vector<std::string> report_ids;
  std::string answer_id;  // the feedback id; empty = derived (idempotent)
};

// Checks the arguments of `args.action` before anything is sent; the usage
// error's text, or "".
std::string CheckRollCallArgs(const RollCallArgs& args);

int RunRollCall(CommandClient& client, const RollCallArgs& args,
                const CommandIo& io);

// The issuer's view: per target, answered (zero / reported), silent,
// overdue; a summary line first.
std::string FormatRollCall(const v1::RollCallStatus& status);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_ROLLCALL_COMMANDS_H_
