#include "client/report_input.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "relay/evidence_encoding.h"

namespace kuaibao {

namespace {

// protobuf's reason, without the excerpt of the input and the caret line
// that it appends: those assume a one-line input and garble a multi-line one.
std::string Reason(absl::string_view message) {
  return std::string(message.substr(0, message.find('\n')));
}

absl::Status ParseOne(absl::string_view json, v1::IncidentReport& report) {
  google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &report);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(Reason(
      absl::string_view(status.message().data(), status.message().size())));
}

// True for a line that holds a whole JSON object by itself: the first line of
// newline-delimited input, as opposed to the "{" opening a pretty-printed one.
bool IsOneLineObject(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  return line.size() >= 2 && line.front() == '{' && line.back() == '}';
}

}  // namespace

absl::StatusOr<std::vector<v1::IncidentReport>> ParseReports(
    absl::string_view text) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError("file: holds no report");
  }

  // One object, pretty-printed or not, is the common case for a hand-written
  // report; protobuf refuses anything after the object, so NDJSON with two or
  // more lines falls through to the line-by-line parse.
  std::vector<v1::IncidentReport> reports(1);
  absl::Status whole = ParseOne(text, reports[0]);
  if (whole.ok()) return reports;

  reports.clear();
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (reports.empty() && !IsOneLineObject(line)) {
      // Not newline-delimited: the whole-input error is the one that applies.
      return absl::InvalidArgumentError(
          absl::StrCat("file: ", whole.message()));
    }
    v1::IncidentReport report;
    absl::Status status = ParseOne(line, report);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", status.message()));
    }
    reports.push_back(std::move(report));
  }
  return reports;
}

std::string ContentReportId(const v1::IncidentReport& report) {
  v1::IncidentReport content = report;
  content.clear_report_id();
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  content.SerializeToCodedStream(&coded);
  coded.Trim();
  return absl::StrCat("c-", Sha256Hex(bytes).substr(0, 32));
}

std::vector<AssignedId> AssignMissingReportIds(
    std::vector<v1::IncidentReport>& reports) {
  std::vector<AssignedId> assigned;
  for (size_t i = 0; i < reports.size(); ++i) {
    if (!reports[i].report_id().empty()) continue;
    reports[i].set_report_id(ContentReportId(reports[i]));
    assigned.push_back({static_cast<int>(i + 1), reports[i].report_id()});
  }
  return assigned;
}

std::string MakeUuidV7(absl::Time now, const std::array<uint8_t, 10>& random) {
  const uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(now));
  std::array<uint8_t, 16> bytes;
  for (int i = 0; i < 6; ++i) {
    bytes[i] = static_cast<uint8_t>(millis >> (8 * (5 - i)));
  }
  bytes[6] = 0x70 | (random[0] & 0x0F);  // version 7
  bytes[7] = random[1];
  bytes[8] = 0x80 | (random[2] & 0x3F);  // variant 10
  for (int i = 9; i < 16; ++i) bytes[i] = random[i - 6];

  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[bytes[i] >> 4]);
    id.push_back(kHex[bytes[i] & 0x0F]);
  }
  return id;
}

std::string NewReportId(absl::Time now) {
  // std::random_device reads the kernel's CSPRNG on Linux (getrandom or
  // /dev/urandom), so ids from concurrent clients do not collide.
  std::random_device device;
  std::array<uint8_t, 10> random;
  for (size_t i = 0; i < random.size(); i += 4) {
    const uint32_t word = device();
    for (size_t j = 0; j < 4 && i + j < random.size(); ++j) {
      random[i + j] = static_cast<uint8_t>(word >> (8 * j));
    }
  }
  return MakeUuidV7(now, random);
}

}  // namespace kuaibao
