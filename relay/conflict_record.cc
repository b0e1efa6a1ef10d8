#include "relay/conflict_record.h"

#include "relay/evidence_encoding.h"
#include "relay/proto_time.h"

namespace kuaibao {

std::string ReportDigest(const IncidentReport& report) {
  return Sha256Hex(ReportBytes(report));
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
