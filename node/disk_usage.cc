#include "node/disk_usage.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace kuaibao {

absl::StatusOr<AdmissionControl::Usage> MeasureDisk(const std::string& dir) {
  AdmissionControl::Usage usage;
  struct statvfs fs;
  if (statvfs(dir.c_str(), &fs) != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot stat file system of '", dir, "'"));
  }
  usage.free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    struct stat st;
    // Blocks, not sizes: what the files take from the disk.
    if (it->is_regular_file(ec) && ::stat(it->path().c_str(), &st) == 0) {
      usage.store_bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot read '", dir, "': ", ec.message()));
  }
  return usage;
}

}  // namespace kuaibao
