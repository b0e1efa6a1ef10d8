#ifndef KUAIBAO_TESTS_BENCH_BENCH_REPORT_H_
#define KUAIBAO_TESTS_BENCH_BENCH_REPORT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tests/bench/bench_results.pb.h"
#include "tests/bench/samples.h"

namespace kuaibao::bench {

// A figure to report: the system's value beside a baseline measured in the
// same run (see bench_results.proto for the fields' meaning).
struct FigureSpec {
  std::string id;
  std::string scenario;
  std::string description;  // short: it is a table row
  std::string unit;
  double value = 0;
  std::string baseline_id;
  double baseline_factor = 1;
  bool lower_is_better = true;
  // Optional target, e.g. {"ratio", "<=", 1.5} or {"value", "<", 30}.
  std::string target_of;  // "ratio" or "value"; empty for none
  std::string target_op;  // "<=", ">=", "<" or ">"
  double target = 0;
};

// A figure with no target, lower is better.
FigureSpec MakeFigure(const std::string& id, const std::string& scenario,
                      const std::string& description, const std::string& unit,
                      double value, const std::string& baseline_id);

// Everything one run measured; prints it as a table and writes it as JSON
// (schema "kuaibao-bench/1", bench_results.proto). Not thread-safe.
class BenchReport {
 public:
  BenchReport();

  void SetSetting(const std::string& name, const std::string& value);
  void AddBaseline(const std::string& id, const std::string& unit, double value,
                   const std::string& description);
  // The value of baseline `id`; 0 when it was not measured.
  double Baseline(const std::string& id) const;
  void AddFigure(const FigureSpec& spec);
  // Baselines <id>.p50, .p99 and .max (ms) of `samples`.
  void AddPercentileBaselines(const std::string& id, const Samples& samples,
                              const std::string& description);
  // Figures <id>.p50, .p99 and .max (ms) of `samples`, each beside the
  // baseline of the same percentile, <baseline>.p50 and so on; the median
  // with the target "ratio <= p50_target" when that is above 0.
  void AddPercentileFigures(const std::string& id, const std::string& scenario,
                            const std::string& description,
                            const Samples& samples, const std::string& baseline,
                            double p50_target = 0);
  void AddDetail(const std::string& id, const std::string& unit, double value,
                 const std::string& description);
  void AddNode(const NodeSample& node) { *run_.add_nodes() = node; }
  void AddNote(const std::string& note) { run_.add_notes(note); }

  // Stamps the duration and the final load average.
  void Finish();
  // The human-readable table: baselines, then each scenario's figures with
  // baseline, ratio and target.
  std::string Table() const;
  absl::Status WriteJson(const std::string& path) const;

  // Reads a file written by WriteJson and checks it against the schema:
  // it parses (unknown fields are errors), names the schema, and every
  // figure has a positive baseline and the ratio value / baseline.
  static absl::Status CheckJson(const std::string& path);

  const BenchRun& run() const { return run_; }

 private:
  absl::Time started_;
  BenchRun run_;
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_BENCH_REPORT_H_
