#include "node/store_backup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "relay/base/files.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::kuaibao::testing::TempDir;

std::map<std::string, std::string> Everything(const ReportStore& store) {
  std::map<std::string, std::string> all;
  EXPECT_THAT(store.Scan("", "",
                         [&](const std::string& k, const std::string& v) {
                           all[k] = v;
                           return true;
                         }),
              IsOk());
  return all;
}

class StoreBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<ReportStore>> store =
        ReportStore::Open(dir_.Sub("data"), {});
    ASSERT_THAT(store, IsOk());
    store_ = *std::move(store);
    StoreBatch batch;
    for (int i = 0; i < 500; ++i) {
      batch.Put(absl::StrCat("r/report-", i), std::string(300, 'a' + i % 26));
    }
    for (int i = 0; i < 7; ++i) batch.Put(absl::StrCat("o/up/", i), "id");
    ASSERT_THAT(store_->CommitAndWait(std::move(batch)), IsOk());
  }

  // A backup of the store in small chunks; the file's path.
  std::string Backup() {
    const std::string path = dir_.Sub("node.kbbackup");
    absl::StatusOr<std::unique_ptr<BackupFileWriter>> writer =
        BackupFileWriter::Create(path);
    EXPECT_THAT(writer, IsOk());
    v1::BackupHeader header;
    header.set_region("140105000000");
    EXPECT_THAT(ReadBackup(*store_, header, 4096,
                           [&](v1::BackupChunk chunk) {
                             return (*writer)->Append(chunk).ok();
                           }),
                IsOk());
    absl::StatusOr<v1::BackupTrailer> trailer = (*writer)->Close();
    EXPECT_THAT(trailer, IsOk());
    EXPECT_EQ(trailer->reports(), 500u);
    EXPECT_EQ(trailer->waiting(), 7u);
    return path;
  }

  TempDir dir_;
  std::unique_ptr<ReportStore> store_;
};

TEST_F(StoreBackupTest, RestoresEveryEntry) {
  const std::string path = Backup();
  absl::StatusOr<RestoreResult> restored =
      RestoreBackup(path, dir_.Sub("restored"));
  ASSERT_THAT(restored, IsOk());
  EXPECT_EQ(restored->header.region(), "140105000000");
  EXPECT_EQ(restored->trailer.entries(), Everything(*store_).size());
  absl::StatusOr<std::unique_ptr<ReportStore>> copy =
      ReportStore::Open(dir_.Sub("restored"), {});
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(Everything(**copy), Everything(*store_));
}

TEST_F(StoreBackupTest, RefusesADataDirectoryInUse) {
  EXPECT_THAT(RestoreBackup(Backup(), dir_.Sub("data")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(StoreBackupTest, RefusesADamagedOrShortFileAndWritesNothing) {
  const std::string path = Backup();
  absl::StatusOr<std::string> bytes = ReadFileToString(path, "backup");
  ASSERT_THAT(bytes, IsOk());
  std::string flipped = *bytes;
  flipped[flipped.size() / 2] ^= 0x01;  // inside some report's value
  for (const std::string& damaged :
       {bytes->substr(0, bytes->size() - 40), flipped}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
    EXPECT_THAT(RestoreBackup(path, dir_.Sub("restored")),
                StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_FALSE(std::filesystem::exists(dir_.Sub("restored")));
  }
}

}  // namespace
}  // namespace kuaibao
