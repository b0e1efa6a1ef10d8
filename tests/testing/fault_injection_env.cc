#include "tests/testing/fault_injection_env.h"

#include <unistd.h>

#include <memory>
#include <utility>
#include <vector>

namespace kuaibao::testing {
namespace {

leveldb::Status Down(const std::string& name) {
  return leveldb::Status::IOError(name, "the machine is down (simulated)");
}

// Reports every append and sync to the env, which decides what is allowed.
class FaultyWritableFile final : public leveldb::WritableFile {
 public:
  FaultyWritableFile(std::string name, leveldb::WritableFile* target,
                     FaultInjectionEnv* env)
      : name_(std::move(name)), target_(target), env_(env) {}

  leveldb::Status Append(const leveldb::Slice& data) override {
    size_t allowed = data.size();
    leveldb::Status s = env_->BeforeAppend(name_, data.size(), &allowed);
    if (allowed > 0) {
      // On a full disk the bytes that fit are written: a torn record.
      leveldb::Status written =
          target_->Append(leveldb::Slice(data.data(), allowed));
      if (written.ok() && allowed < data.size()) written = target_->Flush();
      if (written.ok()) env_->Appended(name_, allowed);
      if (s.ok()) s = written;
    }
    return s;
  }
  leveldb::Status Flush() override {
    if (env_->crashed()) return Down(name_);
    return target_->Flush();
  }
  leveldb::Status Sync() override {
    leveldb::Status s = env_->BeforeSync();
    if (!s.ok()) return s;
    s = target_->Sync();
    if (s.ok()) env_->Synced(name_);
    return s;
  }
  leveldb::Status Close() override { return target_->Close(); }

 private:
  const std::string name_;
  const std::unique_ptr<leveldb::WritableFile> target_;
  FaultInjectionEnv* const env_;
};

}  // namespace

FaultInjectionEnv::FaultInjectionEnv()
    : leveldb::EnvWrapper(leveldb::Env::Default()) {}

leveldb::Status FaultInjectionEnv::Open(const std::string& name, bool append,
                                        leveldb::WritableFile** result) {
  if (crashed()) return Down(name);
  uint64_t size = 0;
  bool existed = target()->FileExists(name);
  if (append && existed) target()->GetFileSize(name, &size);
  leveldb::WritableFile* file = nullptr;
  leveldb::Status s = append ? target()->NewAppendableFile(name, &file)
                             : target()->NewWritableFile(name, &file);
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    FileState& state = files_[name];
    if (!append || !existed) {
      // A new file: nothing of it is durable yet, not even its name.
      state = FileState{};
      unsynced_entries_.insert(name);
    } else {
      state.size = size;
    }
  }
  *result = new FaultyWritableFile(name, file, this);
  return s;
}

leveldb::Status FaultInjectionEnv::NewWritableFile(
    const std::string& name, leveldb::WritableFile** result) {
  return Open(name, /*append=*/false, result);
}

leveldb::Status FaultInjectionEnv::NewAppendableFile(
    const std::string& name, leveldb::WritableFile** result) {
  return Open(name, /*append=*/true, result);
}

leveldb::Status FaultInjectionEnv::RemoveFile(const std::string& name) {
  if (crashed()) return Down(name);
  leveldb::Status s = target()->RemoveFile(name);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(name);
    unsynced_entries_.erase(name);
  }
  return s;
}

leveldb::Status FaultInjectionEnv::RenameFile(const std::string& from,
                                              const std::string& to) {
  if (crashed()) return Down(from);
  leveldb::Status s = target()->RenameFile(from, to);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    auto state = files_.find(from);
    if (state != files_.end()) {
      files_[to] = state->second;
      files_.erase(from);
    }
    if (unsynced_entries_.erase(from) > 0) unsynced_entries_.insert(to);
  }
  return s;
}

void FaultInjectionEnv::Crash() {
  absl::MutexLock lock(&mu_);
  crashed_ = true;
}

void FaultInjectionEnv::CrashAtSync(int n) {
  absl::MutexLock lock(&mu_);
  syncs_to_crash_ = n;
}

void FaultInjectionEnv::Restart() {
  absl::MutexLock lock(&mu_);
  crashed_ = false;
}

bool FaultInjectionEnv::crashed() const {
  absl::MutexLock lock(&mu_);
  return crashed_;
}

uint64_t FaultInjectionEnv::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  uint64_t dropped = 0;
  for (auto& [name, state] : files_) {
    if (state.size > state.synced) {
      dropped += state.size - state.synced;
      if (::truncate(name.c_str(), static_cast<off_t>(state.synced)) == 0) {
        state.size = state.synced;
      }
    }
  }
  return dropped;
}

int FaultInjectionEnv::RemoveUnsyncedFiles() {
  absl::MutexLock lock(&mu_);
  int removed = 0;
  for (const std::string& name : unsynced_entries_) {
    if (::unlink(name.c_str()) == 0) ++removed;
    files_.erase(name);
  }
  unsynced_entries_.clear();
  return removed;
}

void FaultInjectionEnv::SetSpaceLeft(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  limited_ = true;
  space_left_ = bytes;
}

void FaultInjectionEnv::SetUnlimitedSpace() {
  absl::MutexLock lock(&mu_);
  limited_ = false;
}

leveldb::Status FaultInjectionEnv::BeforeAppend(const std::string& name,
                                                size_t size, size_t* allowed) {
  absl::MutexLock lock(&mu_);
  if (crashed_) {
    *allowed = 0;
    return Down(name);
  }
  if (!limited_ || size <= space_left_) {
    *allowed = size;
    if (limited_) space_left_ -= size;
    return leveldb::Status::OK();
  }
  *allowed = space_left_;
  space_left_ = 0;
  return leveldb::Status::IOError(name, "No space left on device");
}

void FaultInjectionEnv::Appended(const std::string& name, size_t size) {
  absl::MutexLock lock(&mu_);
  files_[name].size += size;
}

leveldb::Status FaultInjectionEnv::BeforeSync() {
  absl::MutexLock lock(&mu_);
  if (syncs_to_crash_ > 0 && --syncs_to_crash_ == 0) crashed_ = true;
  return crashed_ ? leveldb::Status::IOError("sync",
                                             "the machine is down (simulated)")
                  : leveldb::Status::OK();
}

void FaultInjectionEnv::Synced(const std::string& name) {
  absl::MutexLock lock(&mu_);
  FileState& state = files_[name];
  state.synced = state.size;
  // As in LevelDB's own test: a synced new file has a durable entry.
  unsynced_entries_.erase(name);
}

}  // namespace kuaibao::testing
