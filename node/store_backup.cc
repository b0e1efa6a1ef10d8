#include "node/store_backup.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "relay/base/status_macros.h"

namespace kuaibao {
namespace {

constexpr uint32_t kFormat = 1;

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Reads a backup file chunk by chunk, checking that it adds up; `visit`
// sees every chunk (and may stop the read with an error).
absl::StatusOr<RestoreResult> ReadBackupFile(
    const std::string& path,
    const std::function<absl::Status(const v1::BackupChunk&)>& visit) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("no backup ", path));
  google::protobuf::io::FileInputStream input(fd);
  input.SetCloseOnDelete(true);
  auto damaged = [&path](absl::string_view why) {
    return absl::DataLossError(
        absl::StrCat("backup ", path, " is damaged or incomplete: ", why));
  };
  RestoreResult result;
  BackupTally tally;
  bool has_header = false, has_trailer = false;
  for (;;) {
    v1::BackupChunk chunk;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(
            &chunk, &input, &clean_eof)) {
      if (clean_eof) break;
      return damaged("a record does not decode");
    }
    if (has_trailer) return damaged("records after the trailer");
    if (chunk.has_header() == has_header) {
      return damaged(has_header ? "a second header" : "no header first");
    }
    if (chunk.has_header()) {
      if (chunk.header().format() != kFormat) {
        return damaged(absl::StrCat("format ", chunk.header().format(),
                                    " is not ", kFormat));
      }
      result.header = chunk.header();
      has_header = true;
    }
    for (const v1::BackupEntry& e : chunk.entries())
      tally.Add(e.key(), e.value());
    if (chunk.has_trailer()) {
      v1::BackupTrailer counted = tally.Finish();
      if (counted.entries() != chunk.trailer().entries() ||
          counted.sha256() != chunk.trailer().sha256()) {
        return damaged(absl::StrCat(
            "the trailer says ", chunk.trailer().entries(),
            " entries, the file holds ", counted.entries(), " or other bytes"));
      }
      result.trailer = chunk.trailer();
      has_trailer = true;
    }
    RETURN_IF_ERROR(visit(chunk));
  }
  if (!has_trailer) return damaged("it ends before its trailer");
  return result;
}

}  // namespace

struct BackupTally::Digest {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  ~Digest() { EVP_MD_CTX_free(context); }
};

BackupTally::BackupTally() : digest_(std::make_unique<Digest>()) {
  EVP_DigestInit_ex(digest_->context, EVP_sha256(), nullptr);
}

BackupTally::~BackupTally() = default;

void BackupTally::Add(absl::string_view key, absl::string_view value) {
  for (absl::string_view part : {key, value}) {
    unsigned char length[8];
    uint64_t n = part.size();
    for (int i = 0; i < 8; ++i)
      length[i] = static_cast<unsigned char>(n >> (8 * i));
    EVP_DigestUpdate(digest_->context, length, sizeof(length));
    EVP_DigestUpdate(digest_->context, part.data(), part.size());
  }
  trailer_.set_entries(trailer_.entries() + 1);
  switch (ReportStore::KindOf(key)) {
    case ReportStore::EntryKind::kReport:
      trailer_.set_reports(trailer_.reports() + 1);
      break;
    case ReportStore::EntryKind::kWaiting:
      trailer_.set_waiting(trailer_.waiting() + 1);
      break;
    case ReportStore::EntryKind::kOther:
      break;
  }
}

v1::BackupTrailer BackupTally::Finish() {
  unsigned char sha[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(digest_->context, sha, &size);
  trailer_.set_sha256(std::string(reinterpret_cast<char*>(sha), size));
  return trailer_;
}

absl::Status ReadBackup(const ReportStore& store, v1::BackupHeader header,
                        size_t chunk_bytes,
                        const std::function<bool(v1::BackupChunk)>& send) {
  header.set_format(kFormat);
  v1::BackupChunk chunk;
  *chunk.mutable_header() = std::move(header);
  BackupTally tally;
  size_t bytes = 0;
  bool cancelled = false;
  absl::Status scanned =
      store.Scan("", "", [&](const std::string& key, const std::string& value) {
        tally.Add(key, value);
        v1::BackupEntry* entry = chunk.add_entries();
        entry->set_key(key);
        entry->set_value(value);
        bytes += key.size() + value.size();
        if (bytes < chunk_bytes) return true;
        bytes = 0;
        cancelled = !send(std::exchange(chunk, v1::BackupChunk()));
        return !cancelled;
      });
  if (cancelled) return absl::CancelledError("the backup's reader went away");
  RETURN_IF_ERROR(scanned);
  *chunk.mutable_trailer() = tally.Finish();
  if (!send(std::move(chunk))) {
    return absl::CancelledError("the backup's reader went away");
  }
  return absl::OkStatus();
}

struct BackupFileWriter::File {
  int fd = -1;
  std::unique_ptr<google::protobuf::io::FileOutputStream> stream;
  ~File() {
    stream.reset();
    if (fd >= 0) close(fd);
  }
};

BackupFileWriter::BackupFileWriter(std::string path)
    : path_(std::move(path)), file_(std::make_unique<File>()) {}

BackupFileWriter::~BackupFileWriter() {
  if (file_ != nullptr) {
    file_.reset();
    unlink((path_ + ".tmp").c_str());
  }
}

absl::StatusOr<std::unique_ptr<BackupFileWriter>> BackupFileWriter::Create(
    std::string path) {
  std::unique_ptr<BackupFileWriter> writer(
      new BackupFileWriter(std::move(path)));
  const std::string tmp = writer->path_ + ".tmp";
  writer->file_->fd =
      open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (writer->file_->fd < 0) return Errno("cannot create", tmp);
  writer->file_->stream =
      std::make_unique<google::protobuf::io::FileOutputStream>(
          writer->file_->fd);
  return writer;
}

absl::Status BackupFileWriter::Append(const v1::BackupChunk& chunk) {
  if (chunk.has_header() == has_header_ || trailer_.has_value()) {
    return absl::DataLossError("the backup stream is out of order");
  }
  has_header_ = true;
  for (const v1::BackupEntry& e : chunk.entries()) {
    tally_.Add(e.key(), e.value());
  }
  if (chunk.has_trailer()) trailer_ = chunk.trailer();
  if (!google::protobuf::util::SerializeDelimitedToZeroCopyStream(
          chunk, file_->stream.get())) {
    return Errno("cannot write", path_ + ".tmp");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::BackupTrailer> BackupFileWriter::Close() {
  if (!trailer_.has_value()) {
    return absl::FailedPreconditionError(
        "the backup stream ended before its trailer: no file written");
  }
  v1::BackupTrailer counted = tally_.Finish();
  if (counted.entries() != trailer_->entries() ||
      counted.sha256() != trailer_->sha256()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the backup stream does not add up (", counted.entries(),
        " entries received, ", trailer_->entries(), " sent): no file written"));
  }
  const std::string tmp = path_ + ".tmp";
  if (!file_->stream->Flush()) return Errno("cannot write", tmp);
  if (fsync(file_->fd) != 0) return Errno("cannot sync", tmp);
  file_.reset();
  if (rename(tmp.c_str(), path_.c_str()) != 0)
    return Errno("cannot rename", tmp);
  return *trailer_;
}

absl::StatusOr<RestoreResult> RestoreBackup(const std::string& path,
                                            const std::string& data_dir) {
  std::error_code error;
  if (std::filesystem::exists(data_dir, error) &&
      !std::filesystem::is_empty(data_dir, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", data_dir,
                     " is not empty: restore only into a new one (move the "
                     "old one away first)"));
  }
  // The whole file is checked before anything is written.
  RETURN_IF_ERROR(ReadBackupFile(path, [](const v1::BackupChunk&) {
                    return absl::OkStatus();
                  }).status());
  const std::string building = data_dir + ".restoring";
  std::filesystem::remove_all(building, error);
  absl::StatusOr<RestoreResult> result;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<ReportStore> store,
                     ReportStore::Open(building, {}));
    result = ReadBackupFile(path, [&store](const v1::BackupChunk& chunk) {
      StoreBatch batch;
      for (const v1::BackupEntry& e : chunk.entries()) {
        batch.Put(e.key(), e.value());
      }
      return batch.empty() ? absl::OkStatus()
                           : store->CommitAndWait(std::move(batch));
    });
  }
  if (!result.ok()) return result.status();
  std::filesystem::remove(data_dir, error);  // empty, if there
  std::filesystem::rename(building, data_dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat(
        "cannot move ", building, " to ", data_dir, ": ", error.message()));
  }
  return result;
}

}  // namespace kuaibao
