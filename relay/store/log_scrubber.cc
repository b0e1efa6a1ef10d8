#include "relay/store/log_scrubber.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace kuaibao {
namespace {

// LevelDB's log format (db/log_format.h): 32 KiB blocks of records, each
// with a 7-byte header: masked CRC-32C of type and payload (4, little
// endian), payload length (2, little endian), type (1).
constexpr size_t kBlockSize = 32768;
constexpr size_t kHeaderSize = 7;
enum RecordType : uint8_t { kZero = 0, kFull, kFirst, kMiddle, kLast };

uint32_t Mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

uint32_t Decode32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return b[0] | (b[1] << 8) | (b[2] << 16) |
         (static_cast<uint32_t>(b[3]) << 24);
}

const std::array<uint32_t, 256>& CrcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

// Appends `payload` as one logical record, split across blocks as LevelDB's
// log writer does.
void WriteRecord(const std::string& payload, std::string* out) {
  size_t left = payload.size();
  const char* p = payload.data();
  bool begin = true;
  do {
    size_t room = kBlockSize - out->size() % kBlockSize;
    if (room < kHeaderSize) {
      out->append(room, '\0');  // trailer
      room = kBlockSize;
    }
    size_t n = std::min(left, room - kHeaderSize);
    bool end = n == left;
    uint8_t type = begin && end ? kFull
                   : begin      ? kFirst
                   : end        ? kLast
                                : kMiddle;
    char type_byte = static_cast<char>(type);
    uint32_t crc = Mask(Crc32c(p, n, Crc32c(&type_byte, 1)));
    char header[kHeaderSize] = {static_cast<char>(crc),
                                static_cast<char>(crc >> 8),
                                static_cast<char>(crc >> 16),
                                static_cast<char>(crc >> 24),
                                static_cast<char>(n),
                                static_cast<char>(n >> 8),
                                type_byte};
    out->append(header, kHeaderSize);
    out->append(p, n);
    p += n;
    left -= n;
    begin = false;
  } while (left > 0);
}

}  // namespace

uint32_t Crc32c(const char* data, size_t size, uint32_t crc) {
  const std::array<uint32_t, 256>& table = CrcTable();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) {
    crc =
        table[(crc ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

absl::StatusOr<ScrubResult> ScrubLevelDbLog(const std::string& path) {
  std::string in;
  {
    std::ifstream file(path, std::ios::binary);
    if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
    std::ostringstream all;
    all << file.rdbuf();
    in = all.str();
  }
  ScrubResult result;
  std::string out;
  std::string record;
  bool in_record = false;
  auto drop = [&](size_t bytes) {
    if (in_record) ++result.records_dropped;
    result.bytes_dropped += bytes + record.size();
    record.clear();
    in_record = false;
  };
  for (size_t pos = 0; pos < in.size();) {
    size_t block_left = kBlockSize - pos % kBlockSize;
    if (block_left < kHeaderSize) {  // trailer
      pos += block_left;
      continue;
    }
    if (in.size() - pos < kHeaderSize) break;  // torn tail: not a record
    const char* header = in.data() + pos;
    size_t length = static_cast<unsigned char>(header[4]) |
                    (static_cast<unsigned char>(header[5]) << 8);
    uint8_t type = static_cast<uint8_t>(header[6]);
    if (type == kZero && length == 0) {  // preallocated zeros
      pos += block_left;
      continue;
    }
    if (kHeaderSize + length > block_left ||
        pos + kHeaderSize + length > in.size()) {
      if (pos + kHeaderSize + length > in.size()) break;  // torn tail
      drop(block_left);  // a bad length: the rest of the block is lost
      ++result.records_dropped;
      pos += block_left;
      continue;
    }
    const char* payload = header + kHeaderSize;
    uint32_t expected = Decode32(header);
    uint32_t actual = Mask(Crc32c(payload, length, Crc32c(header + 6, 1)));
    if (expected != actual || type > kLast || type == kZero) {
      drop(block_left);
      ++result.records_dropped;
      pos += block_left;
      continue;
    }
    pos += kHeaderSize + length;
    switch (type) {
      case kFull:
        if (in_record) drop(0);
        WriteRecord(std::string(payload, length), &out);
        ++result.records_kept;
        break;
      case kFirst:
        if (in_record) drop(0);
        record.assign(payload, length);
        in_record = true;
        break;
      case kMiddle:
      case kLast:
        if (!in_record) {
          result.bytes_dropped += length;
          break;
        }
        record.append(payload, length);
        if (type == kLast) {
          WriteRecord(record, &out);
          ++result.records_kept;
          record.clear();
          in_record = false;
        }
        break;
    }
  }
  if (result.records_dropped == 0 && result.bytes_dropped == 0) return result;
  std::string tmp = absl::StrCat(path, ".scrubbed");
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (!file.good()) {
      return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot replace ", path, ": ", ec.message()));
  }
  return result;
}

}  // namespace kuaibao
