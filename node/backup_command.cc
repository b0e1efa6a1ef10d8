#include "node/backup_command.h"

#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "kuaibao/v1/operations.grpc.pb.h"
#include "node/probe.h"
#include "node/store_backup.h"
#include "relay/base/status_macros.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

std::string TimeText(int64_t unix_micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixMicros(unix_micros),
                          absl::UTCTimeZone());
}

absl::StatusOr<std::string> Backup(const NodeConfig& config,
                                   const std::string& out_dir,
                                   v1::BackupTrailer* trailer) {
  ASSIGN_OR_RETURN(std::string address, LocalNodeAddress(config));
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(NodeTlsPaths(config)));
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(-1);
  auto stub = v1::Admin::NewStub(
      grpc::CreateCustomChannel(address, credentials, arguments));
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  const std::string path = absl::StrCat(
      out_dir, "/", config.region(), "-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()),
      ".kbbackup");
  ASSIGN_OR_RETURN(std::unique_ptr<BackupFileWriter> writer,
                   BackupFileWriter::Create(path));
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::BackupChunk>> reader =
      stub->Backup(&context, v1::BackupRequest());
  v1::BackupChunk chunk;
  absl::Status written;
  while (written.ok() && reader->Read(&chunk)) written = writer->Append(chunk);
  if (!written.ok()) context.TryCancel();
  absl::Status call = FromGrpcStatus(reader->Finish());
  RETURN_IF_ERROR(written);
  if (!call.ok()) {
    return absl::Status(call.code(),
                        absl::StrCat(address, ": ", call.message()));
  }
  ASSIGN_OR_RETURN(*trailer, writer->Close());
  return path;
}

}  // namespace

int RunBackup(const NodeConfig& config, const std::string& out_dir,
              std::ostream& out, std::ostream& err) {
  if (out_dir.empty()) {
    err << "kuaibao-node backup: --out DIR is required\n";
    return 2;
  }
  v1::BackupTrailer trailer;
  absl::StatusOr<std::string> path = Backup(config, out_dir, &trailer);
  if (!path.ok()) {
    err << "kuaibao-node backup: " << config.region()
        << ": NOT backed up: " << absl::StatusCodeToString(path.status().code())
        << ": " << path.status().message() << "\n";
    return 1;
  }
  out << "backed up " << config.region() << " to " << *path << ": "
      << trailer.reports() << " reports, " << trailer.waiting()
      << " waiting for an upstream's receipt, " << trailer.entries()
      << " entries\n";
  return 0;
}

int RunRestore(const std::string& from, const std::string& data_dir,
               std::ostream& out, std::ostream& err) {
  if (from.empty() || data_dir.empty()) {
    err << "kuaibao-node restore: --from FILE and a data directory "
           "(--config or --data_dir) are required\n";
    return 2;
  }
  absl::StatusOr<RestoreResult> restored = RestoreBackup(from, data_dir);
  if (!restored.ok()) {
    err << "kuaibao-node restore: NOT restored: "
        << absl::StatusCodeToString(restored.status().code()) << ": "
        << restored.status().message() << "\n";
    return 1;
  }
  out << "restored " << restored->header.region() << " as of "
      << TimeText(restored->header.taken_at_unix_micros()) << " into "
      << data_dir << ": " << restored->trailer.reports() << " reports; "
      << restored->trailer.waiting()
      << " outbox entries are sent again at start (the parent acknowledges "
         "again, without storing twice, what it already has). Reports this "
         "node took after the backup are not here: see deploy/README.md, "
         "Backup and restore.\n";
  return 0;
}

}  // namespace kuaibao
