#ifndef KUAIBAO_NODE_STORE_BACKUP_H_
#define KUAIBAO_NODE_STORE_BACKUP_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kuaibao/v1/operations.pb.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// A node's backup: the store's entries as of one moment, as a file of
// BackupChunk messages (each preceded by its varint length): a header, the
// entries in key order, a trailer with counts and a SHA-256 over them
// (protos/kuaibao/v1/operations.proto). The running node reads its store
// (Admin.Backup, node/admin_service.h); `kuaibao-node backup` writes the
// file and `kuaibao-node restore` makes a data directory of it.

// Counts and digests a backup's entries, in order. Not thread-safe.
class BackupTally {
 public:
  BackupTally();
  ~BackupTally();
  void Add(absl::string_view key, absl::string_view value);
  // The trailer for the entries added so far. Call once.
  v1::BackupTrailer Finish();

 private:
  struct Digest;
  std::unique_ptr<Digest> digest_;
  v1::BackupTrailer trailer_;
};

// Reads every entry of `store` under one snapshot (a LevelDB iterator sees
// the database as of its creation) and hands the chunks to `send`, about
// `chunk_bytes` of entries each: first the header, last the trailer. Stops
// with CANCELLED when `send` returns false.
absl::Status ReadBackup(const ReportStore& store, v1::BackupHeader header,
                        size_t chunk_bytes,
                        const std::function<bool(v1::BackupChunk)>& send);

// Appends chunks to a backup file, checking as they come that the stream is
// whole: one header first, one trailer last whose counts and digest match
// the entries. Not thread-safe.
class BackupFileWriter {
 public:
  // Writes to `path`.tmp, renamed to `path` by Close.
  static absl::StatusOr<std::unique_ptr<BackupFileWriter>> Create(
      std::string path);
  ~BackupFileWriter();
  absl::Status Append(const v1::BackupChunk& chunk);
  // After the trailer: syncs and renames into place. FAILED_PRECONDITION
  // (and no file) when the stream ended early or does not add up.
  absl::StatusOr<v1::BackupTrailer> Close();

 private:
  struct File;
  explicit BackupFileWriter(std::string path);
  const std::string path_;
  std::unique_ptr<File> file_;
  BackupTally tally_;
  bool has_header_ = false;
  std::optional<v1::BackupTrailer> trailer_;
};

// What a restore made.
struct RestoreResult {
  v1::BackupHeader header;
  v1::BackupTrailer trailer;
};

// Makes the data directory `data_dir` (which must not exist, or be empty)
// from the backup file `path`: checks the whole file first (header, counts,
// digest), then writes the entries with synced writes. DATA_LOSS when the
// file is damaged or cut short (nothing is written), FAILED_PRECONDITION
// when `data_dir` holds anything.
absl::StatusOr<RestoreResult> RestoreBackup(const std::string& path,
                                            const std::string& data_dir);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_STORE_BACKUP_H_
