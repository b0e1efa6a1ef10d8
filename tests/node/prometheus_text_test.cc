#include "node/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kuaibao {
namespace {

using Type = PrometheusText::Type;

TEST(PrometheusTextTest, FamiliesHaveHelpTypeAndSamples) {
  PrometheusText text;
  text.Family("kuaibao_reports_received_total", Type::kCounter,
              "Reports acknowledged.");
  text.Sample({{"peer", "140105001000"}, {"role", "client"}}, 5);
  text.Sample({{"peer", "140105002000"}, {"role", "node"}}, 0);
  text.Family("kuaibao_uptime_seconds", Type::kGauge, "Seconds since start.");
  text.Sample(12.5);
  EXPECT_EQ(text.Text(),
            "# HELP kuaibao_reports_received_total Reports acknowledged.\n"
            "# TYPE kuaibao_reports_received_total counter\n"
            "kuaibao_reports_received_total{peer=\"140105001000\","
            "role=\"client\"} 5\n"
            "kuaibao_reports_received_total{peer=\"140105002000\","
            "role=\"node\"} 0\n"
            "# HELP kuaibao_uptime_seconds Seconds since start.\n"
            "# TYPE kuaibao_uptime_seconds gauge\n"
            "kuaibao_uptime_seconds 12.5\n");
}

TEST(PrometheusTextTest, EscapesLabelValuesAndHelp) {
  struct Case {
    const char* value;
    const char* escaped;
  };
  for (const Case& c :
       {Case{"plain", "plain"}, Case{"a\"b", "a\\\"b"},
        Case{"back\\slash", "back\\\\slash"}, Case{"two\nlines", "two\\nlines"},
        Case{"\\\"\n", "\\\\\\\"\\n"}, Case{"山西省", "山西省"},
        Case{"", ""}}) {
    EXPECT_EQ(EscapeLabelValue(c.value), c.escaped) << c.value;
  }
  PrometheusText text;
  text.Family("m", Type::kGauge, "a \\ and\na \"quote\"");
  text.Sample({{"l", "x\"y"}}, 1);
  EXPECT_EQ(text.Text(),
            "# HELP m a \\\\ and\\na \"quote\"\n# TYPE m gauge\n"
            "m{l=\"x\\\"y\"} 1\n");
}

TEST(PrometheusTextTest, NumbersAsTheFormatSpellsThem) {
  struct Case {
    double value;
    const char* text;
  };
  for (const Case& c : {
           Case{0, "0"},
           Case{-3, "-3"},
           Case{1e15, "1000000000000000"},
           Case{18446744073709551616.0, "1.8446744073709552e+19"},
           Case{0.25, "0.25"},
           Case{-7776000.5, "-7776000.5"},
           Case{std::numeric_limits<double>::infinity(), "+Inf"},
           Case{-std::numeric_limits<double>::infinity(), "-Inf"},
           Case{std::nan(""), "NaN"},
       }) {
    PrometheusText text;
    text.Family("m", Type::kGauge, "h");
    text.Sample(c.value);
    EXPECT_EQ(text.Text(),
              std::string("# HELP m h\n# TYPE m gauge\nm ") + c.text + "\n")
        << c.text;
  }
}

}  // namespace
}  // namespace kuaibao
