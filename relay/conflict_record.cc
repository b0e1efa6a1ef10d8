#include "relay/conflict_record.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "relay/proto_time.h"

namespace kuaibao {

std::string ReportDigest(const IncidentReport& report) {
  std::string bytes = report.SerializeAsString();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

ConflictRecord MakeConflictRecord(const IncidentReport& offered,
                                  const IncidentReport& stored,
                                  const std::string& sender, absl::Time at) {
  ConflictRecord record;
  record.set_report_id(offered.report_id());
  record.set_sender(sender);
  *record.mutable_received_at() = ToProto(at);
  record.set_digest(ReportDigest(offered));
  record.set_stored_digest(ReportDigest(stored));
  return record;
}

}  // namespace kuaibao
