#ifndef KUAIBAO_CLIENT_WATCH_COMMAND_H_
#define KUAIBAO_CLIENT_WATCH_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/command_io.h"
#include "client/feed_client.h"

namespace kuaibao {

struct WatchArgs {
  uint64_t since = 0;
  std::vector<v1::Grade> grades;
  // Stop after this many items (0: follow until interrupted).
  uint64_t limit = 0;
};

// "I,II" (or "1,2", "III") → grades; INVALID_ARGUMENT naming the bad one.
absl::StatusOr<std::vector<v1::Grade>> ParseGrades(const std::string& text);

// `kuaibao watch`: prints the node's feed live, one line per item (with
// --json one WatchResponse per line), resuming by itself after any break;
// notes on breaks go to standard error.
int RunWatch(FeedClient& client, const WatchArgs& args, const CommandIo& io);

// One line for a feed item: cursor, time (Beijing), what happened.
std::string FeedLine(const v1::FeedItem& item);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_WATCH_COMMAND_H_
