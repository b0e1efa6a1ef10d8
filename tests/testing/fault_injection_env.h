#ifndef KUAIBAO_TESTS_TESTING_FAULT_INJECTION_ENV_H_
#define KUAIBAO_TESTS_TESTING_FAULT_INJECTION_ENV_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "leveldb/env.h"

namespace kuaibao::testing {

// A leveldb::Env over the real file system that does to LevelDB's files what
// a machine crash or a full disk would (the pattern of LevelDB's own
// fault_injection_test):
//  - it remembers, for every file written through it, the size as of its
//    last Sync, and which files were created since their directory entry
//    was last made durable. Like LevelDB's test (and ext4), a Sync of a new
//    file also makes its directory entry durable;
//  - Crash(): the machine is down; every later write, sync, create, rename
//    and delete fails, so nothing more is acknowledged. CrashAtSync(n) does
//    it from inside the n-th Sync from now, after the data to sync was
//    written: the window a power loss hits most;
//  - DropUnsyncedData(): cuts every file back to its last synced size, as a
//    power loss does to data still in the page cache;
//  - RemoveUnsyncedFiles(): deletes the files whose directory entry never
//    became durable;
//  - Restart(): the machine is up again (the files stay as they are);
//  - SetSpaceLeft(n): after n more bytes, an append writes what fits and
//    fails with "No space left on device", as write(2) does on a full disk.
//
// Thread-safe.
class FaultInjectionEnv : public leveldb::EnvWrapper {
 public:
  FaultInjectionEnv();

  leveldb::Status NewWritableFile(const std::string& name,
                                  leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& name,
                                    leveldb::WritableFile** result) override;
  leveldb::Status RemoveFile(const std::string& name) override;
  leveldb::Status RenameFile(const std::string& from,
                             const std::string& to) override;

  void Crash();
  void CrashAtSync(int n);
  void Restart();
  // Returns the bytes dropped.
  uint64_t DropUnsyncedData();
  // Returns the number of files removed.
  int RemoveUnsyncedFiles();
  void SetSpaceLeft(uint64_t bytes);
  void SetUnlimitedSpace();

  // For the files' wrappers.
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  leveldb::Status BeforeAppend(const std::string& name, size_t size,
                               size_t* allowed);
  void Appended(const std::string& name, size_t size);
  leveldb::Status BeforeSync();
  void Synced(const std::string& name);
  bool crashed() const;

 private:
  leveldb::Status Open(const std::string& name, bool append,
                       leveldb::WritableFile** result);

  mutable absl::Mutex mu_;
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  int syncs_to_crash_ ABSL_GUARDED_BY(mu_) = 0;  // 0 = none planned
  bool limited_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t space_left_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> unsynced_entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_FAULT_INJECTION_ENV_H_
