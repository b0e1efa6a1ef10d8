#ifndef KUAIBAO_TESTS_DRILL_DRILL_VIEW_H_
#define KUAIBAO_TESTS_DRILL_DRILL_VIEW_H_

// The drill's provincial view: what the `kuaibao` command line shows at a
// node, and the summary the driver computes from the province's store and
// the load generator's receipts.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "relay/region.h"
#include "relay/report_types.h"
#include "tests/bench/submit_stream.h"
#include "tests/drill/drill_results.pb.h"

namespace kuaibao::drill {

// A time of day, UTC, to the millisecond ("16:38:41.119Z").
std::string TimeOfDay(absl::Time t);

// Runs the `kuaibao` command line as a duty officer would, with a client
// certificate from the drill's PKI.
class Cli {
 public:
  Cli(std::string binary, std::string pki_dir)
      : binary_(std::move(binary)), pki_dir_(std::move(pki_dir)) {}

  // `kuaibao ARGS` against `address` with certificate `cert_name` (e.g.
  // "client-140000000000-duty"); its standard output (and error, appended)
  // in `*output`; returns the exit code.
  int Run(const std::string& address, const std::string& cert_name,
          const std::vector<std::string>& args, std::string* output) const;
  // The same, printing a heading (the command as typed) and the output.
  int Show(const std::string& address, const std::string& cert_name,
           const std::vector<std::string>& args) const;

 private:
  const std::string binary_;
  const std::string pki_dir_;
};

// The reports of the disaster as the province holds them, beside what the
// load generator sent: counts (lost, duplicated, second arrivals, escalated)
// and latency from the send to each level's stored copy.
struct ProvinceTally {
  Counts counts;
  std::vector<Latency> latency;
  std::vector<CityArrivals> arrivals;  // by city, in code order
};
ProvinceTally Tally(const std::vector<bench::Submission>& sent,
                    const std::vector<StoredReport>& at_province,
                    const RegionTable& regions);

// The deadlines of a `kuaibao --json due` answer (one
// kuaibao.v1.ListDueResponse per line), drills left out, counted by the
// node held responsible, most late first.
absl::StatusOr<std::vector<Responsible>> ByResponsible(
    const std::string& due_json, const RegionTable& regions);

// Tables for the terminal.
std::string ArrivalsTable(const std::vector<CityArrivals>& rows);

}  // namespace kuaibao::drill

#endif  // KUAIBAO_TESTS_DRILL_DRILL_VIEW_H_
