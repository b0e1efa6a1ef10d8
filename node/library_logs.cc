#include "node/library_logs.h"

#include <grpc/support/log.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "relay/base/clock.h"
#include "relay/base/log.h"
#include "relay/base/log_limiter.h"

namespace kuaibao {
namespace {

// gRPC writes lines that outsiders cause (a failed handshake per bare or
// refused connection) without naming the peer consistently: at most 20 a
// minute per source line, the rest counted.
void FromGrpc(gpr_log_func_args* args) {
  static auto* limiter =
      new LogLimiter(20, absl::Minutes(1), &RealClock::Get());
  std::string where = absl::StrCat(args->file, ":", args->line);
  uint64_t suppressed = 0;
  if (!limiter->Allow(where, &suppressed)) return;
  Log(args->severity == GPR_LOG_SEVERITY_ERROR ? LogLevel::kError
                                               : LogLevel::kInfo,
      "grpc",
      {{"where", where},
       {"detail", args->message},
       {"suppressed", absl::StrCat(suppressed)}});
}

void FromProtobuf(google::protobuf::LogLevel severity, const char* file,
                  int line, const std::string& message) {
  LogLevel level = severity >= google::protobuf::LOGLEVEL_ERROR
                       ? LogLevel::kError
                       : LogLevel::kWarning;
  Log(level, "protobuf",
      {{"where", absl::StrCat(file, ":", line)}, {"detail", message}});
}

}  // namespace

void RouteLibraryLogs() {
  gpr_set_log_function(FromGrpc);
  google::protobuf::SetLogHandler(FromProtobuf);
}

}  // namespace kuaibao
