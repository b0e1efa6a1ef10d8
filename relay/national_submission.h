#ifndef KUAIBAO_RELAY_NATIONAL_SUBMISSION_H_
#define KUAIBAO_RELAY_NATIONAL_SUBMISSION_H_

// The province's hand-off to the State Council (R5, 4 h) when it happens
// outside Kuaibao — by fax, telephone, the national system — is recorded as
// the province's forwarding of the report to `kNationalUpstream`, with the
// channel, who recorded it and when. The deadline evaluation then sees the
// report handed on, on time or late, like any other forwarding.

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/identity.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"
#include "relay/validation.h"

namespace kuaibao {

// The `to` of a forwarding to the State Council.
inline constexpr char kNationalUpstream[] = "national";

struct NationalSubmission {
  std::string report_id;
  // How it went: "fax", "telephone", "national system", ...
  std::string channel;
  // When it went; InfinitePast: now.
  absl::Time submitted_at = absl::InfinitePast();
  std::string note;
};

// Records national submissions at the province. Thread-safe. Borrowed: the
// store outlives it.
class NationalSubmissions {
 public:
  NationalSubmissions(ReportStore* store, std::string region,
                      ValidationLimits limits)
      : store_(store), region_(std::move(region)), limits_(limits) {}

  // Records `submission` by `caller` (a client of the province) as of `now`
  // and returns, once it is durable, the forwarding recorded. Blocks for one
  // synced write (a rare act of a duty officer, not traffic).
  // Recording the same channel again answers the first record. Refusals:
  // FAILED_PRECONDITION (this node is not the province), PERMISSION_DENIED
  // (not a client of the province), INVALID_ARGUMENT (a field, named),
  // NOT_FOUND (no such report here), ALREADY_EXISTS (recorded already by
  // another channel).
  absl::StatusOr<Forwarding> Record(const Identity& caller,
                                    const NationalSubmission& submission,
                                    absl::Time now);

 private:
  // The checks that need no store read.
  absl::Status Check(const Identity& caller,
                     const NationalSubmission& submission,
                     absl::Time now) const;

  ReportStore* const store_;
  const std::string region_;
  const ValidationLimits limits_;
  // Serializes read-then-write of a record, so that the first one wins.
  absl::Mutex mu_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_NATIONAL_SUBMISSION_H_
