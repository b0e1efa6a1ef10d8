#include "node/library_logs.h"

#include <grpc/support/log.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "relay/base/log.h"

namespace kuaibao {
namespace {

void FromGrpc(gpr_log_func_args* args) {
  Log(args->severity == GPR_LOG_SEVERITY_ERROR ? LogLevel::kError
                                               : LogLevel::kInfo,
      "grpc",
      {{"where", absl::StrCat(args->file, ":", args->line)},
       {"detail", args->message}});
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
