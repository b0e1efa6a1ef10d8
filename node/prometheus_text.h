#ifndef KUAIBAO_NODE_PROMETHEUS_TEXT_H_
#define KUAIBAO_NODE_PROMETHEUS_TEXT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace kuaibao {

// Writes metrics in the Prometheus text exposition format, version 0.0.4:
// for each family a "# HELP" and a "# TYPE" line, then its samples, one per
// line, `name{label="value",...} number`. Label values are escaped (\\, \",
// \n), HELP text too (\\, \n); numbers print as integers where they are
// whole, else with full precision; NaN and infinities as the format spells
// them.
//
// Usage: Family(...) then Sample(...) for each of its samples; Text() at the
// end. Not thread-safe (one per scrape).
class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  enum class Type { kCounter, kGauge };

  // Starts the family `name` (e.g. "kuaibao_reports_received_total").
  // REQUIRES: `name` and label names match [a-zA-Z_:][a-zA-Z0-9_:]*.
  void Family(absl::string_view name, Type type, absl::string_view help);
  // A sample of the current family.
  void Sample(const Labels& labels, double value);
  void Sample(double value) { Sample({}, value); }

  const std::string& Text() const { return text_; }

 private:
  std::string text_;
  std::string family_;
};

// The value of a label, escaped for the text format.
std::string EscapeLabelValue(absl::string_view value);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_PROMETHEUS_TEXT_H_
