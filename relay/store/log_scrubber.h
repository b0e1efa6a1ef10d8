#ifndef KUAIBAO_RELAY_STORE_LOG_SCRUBBER_H_
#define KUAIBAO_RELAY_STORE_LOG_SCRUBBER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace kuaibao {

struct ScrubResult {
  uint64_t records_kept = 0;
  // Logical records dropped because a fragment failed its checksum or was
  // malformed (each is one store write, a group of reports).
  uint64_t records_dropped = 0;
  uint64_t bytes_dropped = 0;
};

// Rewrites a LevelDB write-ahead log (*.log) keeping only the records whose
// checksums hold. LevelDB 1.23's RepairDB salvages log records without
// checking them, so a flipped byte in a log comes back as a silently altered
// value; scrubbing first turns that into a dropped record, which the repair
// then reports. A damaged fragment costs the rest of its 32 KiB block, as in
// LevelDB's own reader. The file is replaced only if something was dropped.
absl::StatusOr<ScrubResult> ScrubLevelDbLog(const std::string& path);

// CRC-32C (Castagnoli), as LevelDB uses; exposed for tests.
uint32_t Crc32c(const char* data, size_t size, uint32_t crc = 0);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STORE_LOG_SCRUBBER_H_
