#ifndef KUAIBAO_TESTS_BENCH_REPORT_GENERATOR_H_
#define KUAIBAO_TESTS_BENCH_REPORT_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "relay/report_types.h"

namespace kuaibao::bench {

// Realistic incident reports as a township's duty officer writes them (a
// coal-mine gas alarm, a flood, a road accident, ...), every field the
// notice asks for filled in, sized to about `target_bytes` serialized (the
// narrative grows sentence by sentence until it gets there). Deterministic
// for a seed. Not thread-safe.
class ReportGenerator {
 public:
  explicit ReportGenerator(uint64_t seed, size_t target_bytes = 1024);

  // One initial report with id `id` about an incident in `region` (a county
  // or township code) called `place`, written at `authored`.
  IncidentReport Make(const std::string& id, const std::string& region,
                      const std::string& place, absl::Time authored);

  // The reports of one event, in order: a brief report, the initial report,
  // `follow_ups` follow-ups and a final report, each continuing the one
  // before (supersedes, event_seq). Ids are "<event_id>-<n>". The grade is
  // the event's throughout; `grade` GRADE_UNSPECIFIED picks one as they are
  // found in practice (mostly IV, rarely I). `category` other than
  // CATEGORY_UNSPECIFIED picks an incident of that kind (a flood for
  // CATEGORY_NATURAL_DISASTER).
  std::vector<IncidentReport> Event(const std::string& event_id,
                                    const std::string& region,
                                    const std::string& place, absl::Time start,
                                    int follow_ups, Grade grade,
                                    Category category = CATEGORY_UNSPECIFIED);

  // Reports numbered from `first`: report_id(first), report_id(first + 1)...,
  // as events of `per_event` reports (at least 3: a brief, an initial
  // report, follow-ups and a final report), all of grade `grade`, the way
  // a township's reports come. Events are named after their first report.
  std::vector<IncidentReport> Series(
      const std::function<std::string(size_t)>& report_id, size_t first,
      size_t count, size_t per_event, const std::string& region,
      const std::string& place, absl::Time start, Grade grade);

  size_t target_bytes() const { return target_bytes_; }

 private:
  Grade PickGrade();
  // Fills every field of `r` but ids, kind and grade, for template `t`.
  void Fill(IncidentReport* r, size_t t, const std::string& region,
            const std::string& place, absl::Time authored);

  std::mt19937_64 rng_;
  const size_t target_bytes_;
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_REPORT_GENERATOR_H_
