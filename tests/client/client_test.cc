#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/command_io.h"
#include "client/display.h"
#include "client/due_view.h"
#include "client/format.h"
#include "client/query_commands.h"
#include "client/relay_client.h"
#include "client/report_input.h"
#include "client/report_view.h"
#include "client/status_commands.h"
#include "client/status_view.h"
#include "client/submit_command.h"
#include "client/text_table.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

template <typename T>
T ParseText(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

std::vector<std::string> Ids(const std::vector<v1::IncidentReport>& reports) {
  std::vector<std::string> ids;
  for (const auto& report : reports) ids.push_back(report.report_id());
  return ids;
}

// --- ParseReports -----------------------------------------------------------

struct ParseCase {
  std::string name;
  std::string input;
  std::vector<std::string> ids;  // expected on success
};

// Test names print the case name, not the struct's bytes.
void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class ParseReportsTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseReportsTest, Parses) {
  absl::StatusOr<std::vector<v1::IncidentReport>> reports =
      ParseReports(GetParam().input);
  ASSERT_TRUE(reports.ok()) << reports.status();
  EXPECT_EQ(Ids(*reports), GetParam().ids);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, ParseReportsTest,
    ::testing::Values(
        ParseCase{
            "SingleObject", R"({"reportId": "a", "headline": "x"})", {"a"}},
        ParseCase{"ProtoFieldNames", R"({"report_id": "a"})", {"a"}},
        ParseCase{"PrettyPrinted",
                  "{\n  \"report_id\": \"a\",\n  \"location\": {\n"
                  "    \"region_code\": \"140105001000\"\n  },\n"
                  "  \"kind\": \"REPORT_KIND_INITIAL\"\n}\n",
                  {"a"}},
        ParseCase{"Ndjson",
                  "{\"reportId\": \"a\"}\n{\"reportId\": \"b\"}\n",
                  {"a", "b"}},
        ParseCase{"NdjsonWithBlankLines",
                  "\n{\"reportId\": \"a\"}\n\n   \n{\"reportId\": \"b\"}\n\n"
                  "{\"reportId\": \"c\"}",
                  {"a", "b", "c"}},
        ParseCase{"NdjsonWithoutIds", "{}\n{\"headline\": \"h\"}\n", {"", ""}},
        ParseCase{"CrlfLineEnds",
                  "{\"reportId\": \"a\"}\r\n{\"reportId\": "
                  "\"b\"}\r\n",
                  {"a", "b"}}),
    [](const ::testing::TestParamInfo<ParseCase>& info) {
      return info.param.name;
    });

struct ParseErrorCase {
  std::string name;
  std::string input;
  std::string message_prefix;  // where
  std::string reason;          // part of protobuf's reason
};

void PrintTo(const ParseErrorCase& c, std::ostream* os) { *os << c.name; }

class ParseReportsErrorTest : public ::testing::TestWithParam<ParseErrorCase> {
};

TEST_P(ParseReportsErrorTest, SaysWhereAndWhy) {
  absl::StatusOr<std::vector<v1::IncidentReport>> reports =
      ParseReports(GetParam().input);
  ASSERT_FALSE(reports.ok());
  EXPECT_EQ(reports.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(reports.status().message());
  EXPECT_THAT(message, StartsWith(GetParam().message_prefix));
  EXPECT_THAT(message, HasSubstr(GetParam().reason));
  // protobuf's excerpt and caret lines are dropped.
  EXPECT_THAT(message, Not(HasSubstr("\n")));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, ParseReportsErrorTest,
    ::testing::Values(
        ParseErrorCase{"Empty", "", "file: ", "no report"},
        ParseErrorCase{"BlankLinesOnly", "\n  \n\n", "file: ", "no report"},
        ParseErrorCase{"BadJsonOnThirdLine",
                       "{\"reportId\": \"a\"}\n\n{\"reportId\": \"b\",\n"
                       "{\"reportId\": \"c\"}\n",
                       "line 3: ", "Unexpected end of string"},
        ParseErrorCase{"UnknownFieldOnSecondLine",
                       "{\"reportId\": \"a\"}\n{\"reportid\": \"b\"}\n",
                       "line 2: ", "reportid: Cannot find field"},
        ParseErrorCase{"UnknownFieldInSingleLine", R"({"bogus": 1})",
                       "line 1: ", "bogus: Cannot find field"},
        ParseErrorCase{"UnknownFieldPrettyPrinted",
                       "{\n  \"report_id\": \"a\",\n  \"bogus\": 1\n}\n",
                       "file: ", "bogus: Cannot find field"},
        ParseErrorCase{"BadEnumPrettyPrinted",
                       "{\n  \"kind\": \"REPORT_KIND_NOPE\"\n}\n",
                       "file: ", "REPORT_KIND_NOPE"},
        ParseErrorCase{"TruncatedPrettyPrinted", "{\n  \"report_id\": \"a\",\n",
                       "file: ", "Unexpected end of string"},
        ParseErrorCase{"NotAnObject", "[1, 2]",
                       "file: ", "Root element must be a message"}),
    [](const ::testing::TestParamInfo<ParseErrorCase>& info) {
      return info.param.name;
    });

// --- Report ids -------------------------------------------------------------

TEST(AssignMissingReportIdsTest, AssignsOnlyWhereMissingFromTheContent) {
  std::vector<v1::IncidentReport> reports(3);
  reports[0].set_headline("a");
  reports[1].set_report_id("kept");
  reports[2].set_headline("b");
  std::vector<v1::IncidentReport> again = reports;
  std::vector<AssignedId> assigned = AssignMissingReportIds(reports);
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(assigned[0].number, 1);
  EXPECT_EQ(assigned[1].number, 3);
  EXPECT_EQ(reports[1].report_id(), "kept");
  EXPECT_THAT(reports[0].report_id(), StartsWith("c-"));
  EXPECT_EQ(reports[0].report_id().size(), 34u);
  EXPECT_NE(reports[0].report_id(), reports[2].report_id());
  // The same input again: the same ids (a resend, stored once).
  AssignMissingReportIds(again);
  EXPECT_EQ(Ids(again), Ids(reports));
  // A changed report is a new one.
  std::vector<v1::IncidentReport> changed(1);
  changed[0].set_headline("a, corrected");
  AssignMissingReportIds(changed);
  EXPECT_NE(changed[0].report_id(), reports[0].report_id());
}

TEST(AssignMissingReportIdsTest, KeepsEveryPresentId) {
  std::vector<v1::IncidentReport> reports(2);
  reports[0].set_report_id("a");
  reports[1].set_report_id("b");
  EXPECT_TRUE(AssignMissingReportIds(reports).empty());
  EXPECT_EQ(Ids(reports), (std::vector<std::string>{"a", "b"}));
}

TEST(MakeUuidV7Test, LaysOutTimeVersionAndVariant) {
  // 2024-06-01T00:00:00.123Z = 1717200000123 ms = 0x018fd118947b.
  const absl::Time now = absl::FromUnixMillis(1717200000123);
  const std::array<uint8_t, 10> random = {0xff, 0x01, 0xff, 0x02, 0x03,
                                          0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(MakeUuidV7(now, random), "018fd118-947b-7f01-bf02-030405060708");
}

TEST(NewReportIdTest, IsWellFormedAndUnique) {
  const absl::Time now = absl::FromUnixMillis(1717200000123);
  const std::string a = NewReportId(now);
  const std::string b = NewReportId(now);
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_THAT(a, StartsWith("018fd118-947b-7"));
  EXPECT_THAT(std::string("89ab"), HasSubstr(std::string(1, a[19])));
  for (char c : a) {
    EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
        << a;
  }
}

// --- Values -----------------------------------------------------------------

struct DurationCase {
  absl::Duration duration;
  std::string text;
};

TEST(FormatDurationTest, Table) {
  const DurationCase cases[] = {
      {absl::ZeroDuration(), "0.000s"},
      {absl::Milliseconds(12), "0.012s"},
      {absl::Microseconds(12400), "0.012s"},
      {absl::Microseconds(12600), "0.013s"},
      {absl::Seconds(59) + absl::Milliseconds(999), "59.999s"},
      {absl::Seconds(59) + absl::Microseconds(999600), "1m00s"},
      {absl::Seconds(63), "1m03s"},
      {absl::Minutes(59) + absl::Seconds(59), "59m59s"},
      {absl::Hours(2) + absl::Minutes(5) + absl::Seconds(40), "2h05m40s"},
      {absl::Hours(2) + absl::Minutes(12), "2h12m"},
      {absl::Hours(7) + absl::Minutes(40) + absl::Milliseconds(35906),
       "7h40m36s"},
      {absl::Hours(26), "1d02h"},
      {-absl::Milliseconds(12), "-0.012s"},
      {-absl::Seconds(63), "-1m03s"},
  };
  for (const DurationCase& c : cases) {
    EXPECT_EQ(FormatShortDuration(c.duration), c.text) << c.duration;
  }
}

TEST(FormatBudgetTest, Table) {
  const DurationCase cases[] = {
      {absl::Hours(2), "2h"},
      {absl::Hours(24), "24h"},
      {absl::Minutes(40), "40m"},
      {absl::Minutes(90), "1h30m"},
      {absl::Milliseconds(7200), "7.2s"},  // 2h scaled by 0.001
      {absl::Milliseconds(2400), "2.4s"},
      {absl::Seconds(14), "14s"},
      {absl::Seconds(90), "1m30s"},
      {absl::ZeroDuration(), "0s"},
  };
  for (const DurationCase& c : cases) {
    EXPECT_EQ(FormatBudget(c.duration), c.text) << c.duration;
  }
}

TEST(FormatCoarseDurationTest, Table) {
  const DurationCase cases[] = {
      {absl::Milliseconds(4260), "4.2s"},
      {absl::Seconds(42) + absl::Milliseconds(900), "42s"},
      {absl::Seconds(185), "3m05s"},
      {absl::Minutes(35) + absl::Seconds(59), "35m59s"},
      {absl::Minutes(11) + absl::Seconds(5), "11m05s"},
      {absl::Minutes(65), "1h05m"},
      {absl::Hours(23), "23h00m"},
      {absl::Hours(26) + absl::Minutes(59), "1d02h"},
      {-absl::Minutes(12), "-12m00s"},
  };
  for (const DurationCase& c : cases) {
    EXPECT_EQ(FormatCoarseDuration(c.duration), c.text) << c.duration;
  }
}

// Issue 14: on a drill clock a span reads in the notice's time first, the
// wall time beside it; in real time the wall time alone.
TEST(NoticeTimeTest, DrillSpansReadInNoticeTimeBesideTheWallTime) {
  EXPECT_EQ(InNoticeTime(absl::Milliseconds(7920), 0.001, FormatShortDuration),
            "2h12m (drill wall time 7.920s)");
  EXPECT_EQ(InNoticeTime(absl::Milliseconds(665), 0.001, FormatShortDuration),
            "11m05s (drill wall time 0.665s)");
  EXPECT_EQ(InNoticeTime(absl::Milliseconds(10800), 0.001, FormatBudget),
            "3h (drill wall time 10.8s)");
  EXPECT_EQ(InNoticeTime(absl::Milliseconds(665), 1, FormatShortDuration),
            "0.665s");
  EXPECT_EQ(InNoticeTime(absl::Milliseconds(665), 0, FormatShortDuration),
            "0.665s");
  EXPECT_EQ(DrillWallTime(absl::Seconds(3), 1, FormatBudget), "");

  const absl::Time t0 = absl::FromUnixSeconds(1795869601);
  const google::protobuf::Timestamp start = ToProto(t0);
  const google::protobuf::Timestamp due =
      ToProto(t0 + absl::Milliseconds(10800));
  EXPECT_EQ(
      DeadlineRuleInWords(v1::DEADLINE_RULE_END_TO_END, start, due, 0.001),
      "reach the province (end to end, 3h, drill wall time 10.8s)");
  EXPECT_EQ(DeadlineRuleInWords(v1::DEADLINE_RULE_END_TO_END, start, due),
            "reach the province (end to end, 10.8s)");
  const google::protobuf::Timestamp met =
      ToProto(FromProto(due) + absl::Milliseconds(665));
  EXPECT_EQ(DeadlineTiming(due, met, absl::InfinitePast(), 0.001),
            "late by 11m05s (drill wall time 0.6s)");

  const Display saved = CurrentDisplay();
  SetDisplay({Lang::kZh, saved.zone});
  EXPECT_EQ(InNoticeTime(absl::Milliseconds(7920), 0.001, FormatShortDuration),
            "2小时12分 (演练实耗 7.920秒)");
  EXPECT_EQ(DeadlineTiming(due, met, absl::InfinitePast(), 0.001),
            "迟报 11分05秒 (演练实耗 0.6秒)");
  SetDisplay(saved);
}

TEST(FormatTimestampTest, UtcWithMillisAndZ) {
  google::protobuf::Timestamp t;
  EXPECT_EQ(FormatTimestamp(t), "-");
  t.set_seconds(1795869601);  // 2026-11-28T12:40:01Z
  t.set_nanos(123456789);
  EXPECT_EQ(FormatTimestamp(t), "2026-11-28 12:40:01.123Z");
  google::protobuf::Timestamp same_day = t;
  same_day.set_seconds(t.seconds() - 3600);
  EXPECT_EQ(FormatTimeOfDay(t, same_day), "12:40:01.123Z");
  google::protobuf::Timestamp day_before = t;
  day_before.set_seconds(t.seconds() - 86400);
  EXPECT_EQ(FormatTimeOfDay(t, day_before), "2026-11-28 12:40:01.123Z");
}

TEST(EnumLabelTest, StripsTheTypePrefix) {
  EXPECT_EQ(EnumLabel(*v1::ReportKind_descriptor(), v1::REPORT_KIND_FOLLOW_UP),
            "FOLLOW_UP");
  EXPECT_EQ(EnumLabel(*v1::Grade_descriptor(), v1::GRADE_III), "III");
  EXPECT_EQ(EnumLabel(*v1::SensitivityReason_descriptor(),
                      v1::SENSITIVITY_REASON_MEDIA_ATTENTION),
            "MEDIA_ATTENTION");
  EXPECT_EQ(EnumLabel(*v1::Grade_descriptor(), 0), "UNSPECIFIED");
  EXPECT_EQ(EnumLabel(*v1::Grade_descriptor(), 99), "99");
}

TEST(StatusCodeNameTest, Table) {
  EXPECT_EQ(StatusCodeName(3), "INVALID_ARGUMENT");
  EXPECT_EQ(StatusCodeName(7), "PERMISSION_DENIED");
  EXPECT_EQ(StatusCodeName(14), "UNAVAILABLE");
  EXPECT_EQ(StatusCodeName(42), "CODE_42");
}

TEST(FormatReceiptTest, StoredAndDuplicate) {
  auto receipt = ParseText<v1::Receipt>(
      R"(report_id: "r1" node: "140105000000"
         received_at { seconds: 1795869601 nanos: 123000000 })");
  EXPECT_EQ(FormatReceipt(receipt),
            "stored   r1  at node 140105000000  received 2026-11-28 "
            "12:40:01.123Z");
  receipt.set_duplicate(true);
  EXPECT_EQ(FormatReceipt(receipt),
            "stored   r1  at node 140105000000  received 2026-11-28 "
            "12:40:01.123Z  (duplicate: already stored)");
}

TEST(FormatRejectionTest, WithAndWithoutField) {
  auto rejection = ParseText<v1::Rejection>(
      R"(report_id: "r2" code: 3 message: "unknown region"
         field: "location.region_code")");
  EXPECT_EQ(FormatRejection(rejection),
            "REFUSED  r2  INVALID_ARGUMENT  location.region_code: unknown "
            "region");
  rejection.clear_field();
  rejection.set_code(7);
  EXPECT_EQ(FormatRejection(rejection),
            "REFUSED  r2  PERMISSION_DENIED  unknown region");
}

TEST(FormatRejectionTest, FieldIsNotRepeatedWhenTheMessageNamesIt) {
  auto rejection = ParseText<v1::Rejection>(
      R"(report_id: "r3" code: 3 message: "headline: is required"
         field: "headline")");
  EXPECT_EQ(FormatRejection(rejection),
            "REFUSED  r3  INVALID_ARGUMENT  headline: is required");
}

TEST(FormatRpcErrorTest, UnavailableNamesTheNodeAndTheTlsCase) {
  const std::string text = FormatRpcError(
      absl::UnavailableError("failed to connect"), "10.0.0.5:7400");
  EXPECT_THAT(text, StartsWith("error: UNAVAILABLE: failed to connect\n"));
  EXPECT_THAT(text, HasSubstr("10.0.0.5:7400"));
  EXPECT_THAT(text, HasSubstr("TLS handshake"));
  EXPECT_EQ(FormatRpcError(absl::NotFoundError("no such report"), "n"),
            "error: NOT_FOUND: no such report\n");
}

TEST(TextTableTest, AlignsByDisplayWidth) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("太原市"), 6u);
  TextTable table({"A", "B"});
  table.AddRow({"太原", "x"});
  table.AddRow({"ab"});
  EXPECT_EQ(table.Render(),
            "A     B\n"
            "----  -\n"
            "太原  x\n"
            "ab\n");
}

// --- Report and timeline ----------------------------------------------------

// A report that went township -> county -> city; the city answered.
v1::StoredReport ThreeHopReport() {
  return ParseText<v1::StoredReport>(R"pb(
    report {
      report_id: "r1"
      event_id: "ev-7"
      event_seq: 2
      kind: REPORT_KIND_FOLLOW_UP
      status: REPORT_STATUS_EXERCISE
      category: CATEGORY_MAJOR_ACCIDENT
      grade: GRADE_III
      sensitivity: SENSITIVITY_REASON_MEDIA_ATTENTION
      classification: CLASSIFICATION_INTERNAL
      location { region_code: "140105001000" address: "迎泽大街 1 号" }
      unit { name: "某镇政府" preparer: "张三" phone: "0351-1234567" }
      headline: "煤矿透水"
      course: "first line\nsecond line"
      harm { deaths: 1 injured: 3 }
    }
    hops {
      node: "140105001000"
      received_from: "spiffe://kuaibao/client/140105001000/duty-1"
      received_at { seconds: 1795869601 nanos: 100000000 }
      stored_at { seconds: 1795869601 nanos: 112000000 }
      forwarded {
        to: "140105000000"
        sent_at { seconds: 1795869601 nanos: 124000000 }
        attempts: 1
      }
    }
    hops {
      node: "140105000000"
      received_from: "spiffe://kuaibao/node/140105001000"
      received_at { seconds: 1795869601 nanos: 150000000 }
      stored_at { seconds: 1795869601 nanos: 160000000 }
      forwarded {
        to: "140199000000"
        sent_at { seconds: 1795869601 nanos: 170000000 }
        attempts: 3
      }
      forwarded {
        to: "140100000000"
        sent_at { seconds: 1795869664 nanos: 160000000 }
        attempts: 2
      }
    }
    hops {
      node: "140100000000"
      received_from: "spiffe://kuaibao/node/140105000000"
      received_at { seconds: 1795869664 nanos: 150000000 }
      stored_at { seconds: 1795869664 nanos: 170000000 }
    }
  )pb");
}

// Issue 14: `show` names the State Council, not "national (route 4)".
TEST(FormatHopTimelineTest, TheStateCouncilIsNamed) {
  v1::StoredReport stored = ThreeHopReport();
  v1::Forwarding* national =
      stored.mutable_hops(stored.hops_size() - 1)->add_forwarded();
  national->set_to("national");
  national->set_route(v1::ROUTE_OTHER_MEANS);
  national->set_channel("fax");
  *national->mutable_sent_at() = ToProto(absl::FromUnixSeconds(1795869601));
  const std::string text = FormatHopTimeline(stored);
  EXPECT_THAT(text, HasSubstr("State Council 国务院 (other means"));
  EXPECT_THAT(text, Not(HasSubstr("national")));
  EXPECT_THAT(text, Not(HasSubstr("(route")));
}

TEST(FormatReportTest, DrillBannerAndFields) {
  const std::string text = FormatReport(ThreeHopReport().report());
  EXPECT_THAT(text, StartsWith("####"));
  EXPECT_THAT(text, HasSubstr("[DRILL]"));
  EXPECT_THAT(text, HasSubstr("Headline:       煤矿透水\n"));
  EXPECT_THAT(text, HasSubstr("Kind:           follow-up\n"));
  EXPECT_THAT(text, HasSubstr("Grade:          III (large)\n"));
  EXPECT_THAT(text, HasSubstr("Region:         坞城街道 140105001000\n"));
  EXPECT_THAT(text, HasSubstr("Event:          ev-7 #2\n"));
  EXPECT_THAT(text, HasSubstr("deaths 1, missing 0, injured 3"));
  EXPECT_THAT(text, HasSubstr("Course:         first line\n"
                              "                second line\n"));
  EXPECT_THAT(text, Not(HasSubstr("Cause:")));
  EXPECT_THAT(text, Not(HasSubstr("Help needed:")));
}

TEST(FormatReportTest, NoBannerForActualReports) {
  v1::IncidentReport report = ThreeHopReport().report();
  report.set_status(v1::REPORT_STATUS_ACTUAL);
  EXPECT_THAT(FormatReport(report), Not(HasSubstr("[DRILL]")));
  report.set_status(v1::REPORT_STATUS_TEST);
  EXPECT_THAT(FormatReport(report), HasSubstr("[TEST]"));
}

// The table's lines with runs of spaces collapsed, so the expectations do
// not depend on column widths.
std::vector<std::string> CollapsedLines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> words =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    lines.push_back(absl::StrJoin(words, " "));
  }
  return lines;
}

TEST(FormatHopTimelineTest, RowsPerHopAndForwarding) {
  const std::vector<std::string> lines =
      CollapsedLines(FormatHopTimeline(ThreeHopReport()));
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "HOP NODE RECEIVED FROM RECEIVED AT STORED AT DWELL FORWARDED TO "
            "SENT AT ACKED AT TRIES TRANSIT (CROSS-CLOCK)");
  // Township: dwell 112 -> 124 ms; transit 124 -> county's 150 ms.
  EXPECT_EQ(lines[2],
            "1 坞城街道 140105001000 坞城街道 client/140105001000/duty-1 "
            "2026-11-28 12:40:01.100Z 12:40:01.112Z 0.012s 小店区 "
            "140105000000 12:40:01.124Z - 1 0.026s");
  // County: two forwardings; the transit belongs to the one to the city.
  EXPECT_EQ(lines[3],
            "2 小店区 140105000000 坞城街道 node/140105001000 2026-11-28 "
            "12:40:01.150Z 12:40:01.160Z 0.010s 140199000000 12:40:01.170Z "
            "- 3");
  EXPECT_EQ(lines[4], "太原市 140100000000 12:41:04.160Z - 2 -0.010s");
  // City: the answering node, nothing forwarded.
  EXPECT_EQ(lines[5],
            "3 太原市 140100000000 小店区 node/140105000000 2026-11-28 "
            "12:41:04.150Z 12:41:04.170Z - -");
  const std::string text = FormatHopTimeline(ThreeHopReport());
  EXPECT_THAT(text, HasSubstr("First hop received -> last hop stored: 1m03s"));
  EXPECT_THAT(text, HasSubstr("cross-clock"));
}

TEST(FormatHopTimelineTest, RefusedForwarding) {
  v1::StoredReport stored = ThreeHopReport();
  stored.mutable_hops()->RemoveLast();
  stored.mutable_hops(1)->mutable_forwarded(1)->set_refused(
      "PERMISSION_DENIED: not our child");
  const std::string text = FormatHopTimeline(stored);
  EXPECT_THAT(text, HasSubstr("REFUSED"));
  EXPECT_THAT(text, HasSubstr("Hop 2 -> 太原市 140100000000 refused: "
                              "PERMISSION_DENIED: not our child\n"));
}

TEST(FormatListLineTest, OneLinePerReport) {
  const std::vector<std::string> line =
      CollapsedLines(FormatListLine(ThreeHopReport()));
  EXPECT_EQ(line[0],
            "r1 ev-7#2 follow-up III (large) 坞城街道 3 [DRILL] 煤矿透水");
}

TEST(FormatListLineTest, TestTrafficIsMarked) {
  v1::StoredReport stored = ThreeHopReport();
  stored.mutable_report()->set_status(v1::REPORT_STATUS_TEST);
  EXPECT_EQ(CollapsedLines(FormatListLine(stored))[0],
            "r1 ev-7#2 follow-up III (large) 坞城街道 3 [TEST] 煤矿透水");
  stored.mutable_report()->set_status(v1::REPORT_STATUS_ACTUAL);
  EXPECT_EQ(CollapsedLines(FormatListLine(stored))[0],
            "r1 ev-7#2 follow-up III (large) 坞城街道 3 煤矿透水");
}

// --- Deadlines --------------------------------------------------------------

// "12:40:00" or "12:40:00.020" on 2026-11-28, or a full "2026-11-29 ..."
// date and time, UTC.
google::protobuf::Timestamp At(const std::string& text) {
  const std::string full =
      text.size() <= 12 ? absl::StrCat("2026-11-28 ", text) : text;
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime("%Y-%m-%d %H:%M:%E*S", full, absl::UTCTimeZone(),
                              &time, &error))
      << full << ": " << error;
  return ToProto(time);
}

absl::Time TimeAt(const std::string& text) { return FromProto(At(text)); }

v1::DeadlineStatus Deadline(v1::DeadlineRule rule, v1::DeadlineState state,
                            const std::string& report_id,
                            const std::string& headline,
                            const std::string& responsible,
                            const std::string& start, const std::string& due,
                            const std::string& met = "") {
  v1::DeadlineStatus deadline;
  deadline.set_rule(rule);
  deadline.set_state(state);
  deadline.set_report_id(report_id);
  deadline.set_event_id(absl::StrCat("ev-", report_id));
  deadline.set_headline(headline);
  deadline.set_responsible(responsible);
  *deadline.mutable_start() = At(start);
  *deadline.mutable_due() = At(due);
  if (!met.empty()) *deadline.mutable_met_at() = At(met);
  return deadline;
}

TEST(DeadlineRuleInWordsTest, EveryRuleWithItsWindow) {
  struct Case {
    v1::DeadlineRule rule;
    std::string start, due, words;
  };
  const Case cases[] = {
      {v1::DEADLINE_RULE_UNIT_TO_LOCAL, "10:00:00", "11:00:00",
       "unit → local government (1h)"},
      {v1::DEADLINE_RULE_PER_HOP, "10:00:00", "12:00:00",
       "hand-off to the next level (2h/level)"},
      {v1::DEADLINE_RULE_PER_HOP, "10:00:00", "10:00:07.200",
       "hand-off to the next level (7.2s/level)"},
      {v1::DEADLINE_RULE_END_TO_END, "10:00:00", "13:00:00",
       "reach the province (end to end, 3h)"},
      {v1::DEADLINE_RULE_DIRECT_TO_PROVINCE, "10:00:00", "11:00:00",
       "grade I/II: reach the province directly (1h)"},
      {v1::DEADLINE_RULE_PROVINCE_TO_NATIONAL, "10:00:00", "14:00:00",
       "province → State Council (4h)"},
      {v1::DEADLINE_RULE_BRIEF_TO_DETAILED, "10:00:00", "10:40:00",
       "detailed report after brief (40m)"},
      {v1::DEADLINE_RULE_FOLLOW_UP, "10:00:00", "10:29:15", "next follow-up"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DeadlineRuleInWords(c.rule, At(c.start), At(c.due)), c.words);
  }
  const google::protobuf::Timestamp unset;
  EXPECT_EQ(DeadlineRuleInWords(v1::DEADLINE_RULE_END_TO_END, unset, unset),
            "reach the province (end to end)");
  EXPECT_EQ(DeadlineRuleInWords(v1::DEADLINE_RULE_PER_HOP, unset, unset),
            "hand-off to the next level");
  EXPECT_EQ(DeadlineRuleInWords(99, unset, unset), "rule 99");
}

TEST(DeadlineTimingTest, OpenAndMet) {
  const absl::Time now = TimeAt("12:40:00");
  const google::protobuf::Timestamp open;
  EXPECT_EQ(DeadlineTiming(At("13:15:00"), open, now), "in 35m00s");
  EXPECT_EQ(DeadlineTiming(At("11:35:00"), open, now), "overdue by 1h05m");
  EXPECT_EQ(DeadlineTiming(At("11:35:00"), open, absl::InfinitePast()), "open");
  EXPECT_EQ(DeadlineTiming(open, open, now), "-");
  EXPECT_EQ(DeadlineTiming(At("11:40:00"), At("11:52:00"), now),
            "late by 12m00s");
  EXPECT_EQ(DeadlineTiming(At("11:40:00"), At("11:20:00"), now),
            "met 20m00s early");
  EXPECT_EQ(DeadlineTiming(At("11:40:00"), At("11:40:00"), now), "met on time");
}

// What node 140100000000 (a city) would answer at 12:40, soonest due first.
v1::ListDueResponse DueAtCity() {
  v1::ListDueResponse response;
  response.set_node("140100000000");
  *response.mutable_as_of() = At("12:40:00");
  *response.add_deadlines() = Deadline(
      v1::DEADLINE_RULE_END_TO_END, v1::DEADLINE_STATE_OVERDUE, "r-flood",
      "汾河堤防渗漏", "140105000000", "08:35:00", "11:35:00");
  *response.add_deadlines() = Deadline(
      v1::DEADLINE_RULE_UNIT_TO_LOCAL, v1::DEADLINE_STATE_MET_LATE, "r-school",
      "学校疑似食物中毒", "spiffe://kuaibao/client/140105001000/duty-1",
      "10:40:00", "11:40:00", "11:52:00");
  v1::DeadlineStatus* brief = response.add_deadlines();
  *brief = Deadline(v1::DEADLINE_RULE_BRIEF_TO_DETAILED,
                    v1::DEADLINE_STATE_OVERDUE, "r-drill-1", "演练：化工厂泄漏",
                    "140105001000", "11:55:00", "12:35:00");
  brief->set_event_id("ev-drill");
  brief->set_drill(true);
  *response.add_deadlines() =
      Deadline(v1::DEADLINE_RULE_DIRECT_TO_PROVINCE, v1::DEADLINE_STATE_AT_RISK,
               "r-gas", "燃气爆炸", "140105000000", "12:15:00", "13:15:00");
  *response.add_deadlines() =
      Deadline(v1::DEADLINE_RULE_PER_HOP, v1::DEADLINE_STATE_ON_TIME, "r-rain",
               "暴雨积水", "140100000000", "12:10:00", "14:10:00");
  v1::DeadlineStatus* follow_up = response.add_deadlines();
  *follow_up = Deadline(v1::DEADLINE_RULE_FOLLOW_UP, v1::DEADLINE_STATE_ON_TIME,
                        "r-drill-1", "演练：化工厂泄漏", "140105001000",
                        "11:40:00", "2026-11-29 11:40:00");
  follow_up->set_event_id("ev-drill");
  follow_up->set_drill(true);
  return response;
}

TEST(FormatDueTest, GroupsInOrderWithRelativeTimesAndDrillsApart) {
  const std::string text = FormatDue(DueAtCity(), absl::InfinitePast());
  EXPECT_EQ(
      CollapsedLines(text),
      (std::vector<std::string>{
          "Deadlines for node 140100000000 and its subtree, as of 2026-11-28 "
          "12:40:00.000Z",
          "",
          "OVERDUE (迟报 in the making): 1",
          "RULE REPORT HEADLINE RESPONSIBLE DUE WHEN",
          CollapsedLines(text)[4],  // the rule under the header
          "reach the province (end to end, 3h) r-flood 汾河堤防渗漏 "
          "小店区 140105000000 11:35:00.000Z overdue by 1h05m",
          "",
          "AT RISK: 1",
          "RULE REPORT HEADLINE RESPONSIBLE DUE WHEN",
          CollapsedLines(text)[9],
          "grade I/II: reach the province directly (1h) r-gas 燃气爆炸 "
          "小店区 140105000000 13:15:00.000Z in 35m00s",
          "",
          "ON TIME (due soon): 1",
          "RULE REPORT HEADLINE RESPONSIBLE DUE WHEN",
          CollapsedLines(text)[14],
          "hand-off to the next level (2h/level) r-rain 暴雨积水 太原市 "
          "140100000000 "
          "14:10:00.000Z in 1h30m",
          "",
          "MET LATE (recent breaches): 1",
          "RULE REPORT HEADLINE RESPONSIBLE DUE WHEN",
          CollapsedLines(text)[19],
          "unit → local government (1h) r-school 学校疑似食物中毒 "
          "坞城街道 client/140105001000/duty-1 11:40:00.000Z late by 12m00s",
          "",
          "Drills (never counted): 2",
          "STATE RULE REPORT HEADLINE RESPONSIBLE DUE WHEN",
          CollapsedLines(text)[24],
          "[DRILL] OVERDUE detailed report after brief (40m) event ev-drill "
          "演练：化工厂泄漏 坞城街道 140105001000 12:35:00.000Z overdue by "
          "5m00s",
          "[DRILL] ON TIME next follow-up event ev-drill "
          "演练：化工厂泄漏 "
          "坞城街道 140105001000 2026-11-29 11:40:00.000Z in 23h00m",
          "",
      }));
  EXPECT_THAT(CollapsedLines(text)[4], StartsWith("----"));
  EXPECT_EQ(FormatDueSummary(DueAtCity()),
            "1 overdue, 1 at risk, 1 late; 2 drill deadlines not counted");
}

TEST(FormatDueTest, MetComesAfterMetLateAndBeforeDrills) {
  v1::ListDueResponse response = DueAtCity();
  *response.add_deadlines() = Deadline(
      v1::DEADLINE_RULE_PROVINCE_TO_NATIONAL, v1::DEADLINE_STATE_MET, "r-gas",
      "燃气爆炸", "140000000000", "12:00:00", "16:00:00", "12:30:00");
  const std::string text = FormatDue(response, absl::InfinitePast());
  const size_t met_late = text.find("\nMET LATE (recent breaches): 1\n");
  const size_t met = text.find("\nMET: 1\n");
  const size_t drills = text.find("\nDrills (never counted): 2\n");
  ASSERT_NE(met, std::string::npos) << text;
  EXPECT_LT(met_late, met);
  EXPECT_LT(met, drills);
  EXPECT_THAT(text, HasSubstr("province → State Council (4h)"));
  EXPECT_THAT(text, HasSubstr("met 3h30m early"));
  // Met deadlines are not news: the summary does not count them.
  EXPECT_EQ(FormatDueSummary(response),
            "1 overdue, 1 at risk, 1 late; 2 drill deadlines not counted");
}

TEST(FormatDueTest, NothingDueAndNoAsOf) {
  v1::ListDueResponse response;
  response.set_node("140105001000");
  EXPECT_EQ(FormatDue(response, TimeAt("12:40:00")),
            "Deadlines for node 140105001000 and its subtree, as of "
            "2026-11-28 12:40:00.000Z (this machine's clock)\n\n"
            "Nothing due, at risk, overdue or late.\n");
  EXPECT_EQ(FormatDueSummary(response), "0 overdue, 0 at risk, 0 late");
}

// A grade II gas explosion as the province holds it: the township sent it
// straight to the province (the first arrival) and to its county, which was
// down; it escalated to the city, which passed it on to the province (the
// second arrival). The township had taken it in late from the unit.
v1::GetReportResponse GradeTwoAtProvince() {
  v1::Breach late_intake;
  late_intake.set_rule(v1::DEADLINE_RULE_UNIT_TO_LOCAL);
  late_intake.set_responsible("spiffe://kuaibao/client/140105001000/duty-1");
  *late_intake.mutable_start() = At("10:30:00");
  *late_intake.mutable_due() = At("11:30:00");
  *late_intake.mutable_met_at() = At("12:00:00");
  late_intake.set_detail(
      "reached the local government 1h30m after the unit's head learned of "
      "it");

  v1::HopRecord township;
  township.set_node("140105001000");
  township.set_received_from("spiffe://kuaibao/client/140105001000/duty-1");
  *township.mutable_received_at() = At("12:00:00");
  *township.mutable_stored_at() = At("12:00:00.010");
  *township.add_breaches() = late_intake;
  v1::Forwarding* direct = township.add_forwarded();
  direct->set_to("140000000000");
  *direct->mutable_sent_at() = At("12:00:00.020");
  direct->set_attempts(1);
  direct->set_route(v1::ROUTE_DIRECT);
  direct->set_reason("grade II: direct to the province");
  v1::Forwarding* parent = township.add_forwarded();
  parent->set_to("140105000000");
  *parent->mutable_sent_at() = At("12:00:00.020");
  parent->set_attempts(9);
  parent->set_route(v1::ROUTE_PARENT);
  v1::Forwarding* escalated = township.add_forwarded();
  escalated->set_to("140100000000");
  *escalated->mutable_sent_at() = At("13:30:00");
  escalated->set_attempts(1);
  escalated->set_route(v1::ROUTE_ESCALATED);
  escalated->set_reason(
      "parent 140105000000 unreachable for 1h30m; per-hop deadline at risk");

  v1::HopRecord province_first;
  province_first.set_node("140000000000");
  province_first.set_received_from("spiffe://kuaibao/node/140105001000");
  *province_first.mutable_received_at() = At("12:00:00.050");
  *province_first.mutable_stored_at() = At("12:00:00.060");

  v1::HopRecord city;
  city.set_node("140100000000");
  city.set_received_from("spiffe://kuaibao/node/140105001000");
  *city.mutable_received_at() = At("13:30:00.040");
  *city.mutable_stored_at() = At("13:30:00.050");
  v1::Forwarding* up = city.add_forwarded();
  up->set_to("140000000000");
  *up->mutable_sent_at() = At("13:30:00.060");
  up->set_attempts(1);
  up->set_route(v1::ROUTE_PARENT);

  v1::HopRecord province_second;
  province_second.set_node("140000000000");
  province_second.set_received_from("spiffe://kuaibao/node/140100000000");
  *province_second.mutable_received_at() = At("13:30:00.090");
  *province_second.mutable_stored_at() = At("13:30:00.095");

  v1::GetReportResponse response;
  response.set_node("140000000000");
  v1::StoredReport* stored = response.mutable_report();
  v1::IncidentReport* report = stored->mutable_report();
  report->set_report_id("r-gas");
  report->set_event_id("ev-gas");
  report->set_kind(v1::REPORT_KIND_INITIAL);
  report->set_status(v1::REPORT_STATUS_ACTUAL);
  report->set_grade(v1::GRADE_II);
  report->set_headline("燃气爆炸");
  *stored->add_hops() = township;
  *stored->add_hops() = province_first;
  v1::Path* second = stored->add_other_paths();
  *second->add_hops() = township;
  *second->add_hops() = city;
  *second->add_hops() = province_second;

  const std::string origin = "spiffe://kuaibao/client/140105001000/duty-1";
  *response.add_deadlines() =
      Deadline(v1::DEADLINE_RULE_UNIT_TO_LOCAL, v1::DEADLINE_STATE_MET_LATE,
               "r-gas", "燃气爆炸", origin, "10:30:00", "11:30:00", "12:00:00");
  *response.add_deadlines() = Deadline(
      v1::DEADLINE_RULE_PER_HOP, v1::DEADLINE_STATE_MET, "r-gas", "燃气爆炸",
      "140105001000", "12:00:00", "14:00:00", "12:00:00.020");
  *response.add_deadlines() = Deadline(
      v1::DEADLINE_RULE_DIRECT_TO_PROVINCE, v1::DEADLINE_STATE_MET, "r-gas",
      "燃气爆炸", "140105001000", "12:00:00", "13:00:00", "12:00:00.050");
  v1::DeadlineStatus* national = response.add_deadlines();
  *national = Deadline(v1::DEADLINE_RULE_PROVINCE_TO_NATIONAL,
                       v1::DEADLINE_STATE_AT_RISK, "r-gas", "燃气爆炸",
                       "140000000000", "12:00:00.050", "16:00:00.050");
  national->set_detail("not yet submitted to the State Council");
  return response;
}

// The lines of `text` from the one equal to `title` to the next blank line.
std::vector<std::string> Section(const std::string& text,
                                 const std::string& title) {
  std::vector<std::string> lines = CollapsedLines(text);
  std::vector<std::string> section;
  bool in = false;
  for (const std::string& line : lines) {
    if (line == title) in = true;
    if (!in) continue;
    if (line.empty()) break;
    section.push_back(line);
  }
  return section;
}

TEST(FormatShowTest, TwoPathsRoutesBreachAndDeadlines) {
  const std::string text = FormatShow(GradeTwoAtProvince(), TimeAt("15:10:00"));
  // The first arrival: the township's three forwardings, each marked.
  EXPECT_THAT(text, HasSubstr("Hops (as node 140000000000 holds them):\n"));
  const std::vector<std::string> lines = CollapsedLines(text);
  EXPECT_THAT(lines,
              ::testing::Contains(
                  "1 坞城街道 140105001000 坞城街道 client/140105001000/duty-1 "
                  "2026-11-28 12:00:00.000Z 12:00:00.010Z 0.010s 山西省 "
                  "140000000000 (direct) 12:00:00.020Z - 1 0.030s"));
  EXPECT_THAT(lines,
              ::testing::Contains("小店区 140105000000 12:00:00.020Z - 9"));
  EXPECT_THAT(lines, ::testing::Contains(
                         "太原市 140100000000 (escalated) 13:30:00.000Z - 1"));
  EXPECT_THAT(text,
              HasSubstr("Hop 1 -> 山西省 140000000000 (direct): grade II: "
                        "direct to the province\n"
                        "Hop 1 -> 太原市 140100000000 (escalated): parent "
                        "140105000000 unreachable for 1h30m; per-hop deadline "
                        "at risk\n"));

  // The second arrival, as its own table.
  const std::vector<std::string> other =
      Section(text, "Also arrived by another path:");
  ASSERT_EQ(other.size(), 8u) << text;
  EXPECT_EQ(other[6],
            "2 太原市 140100000000 坞城街道 node/140105001000 2026-11-28 "
            "13:30:00.040Z 13:30:00.050Z 0.010s 山西省 140000000000 "
            "13:30:00.060Z - 1 0.030s");
  EXPECT_EQ(other[7],
            "3 山西省 140000000000 太原市 node/140100000000 2026-11-28 "
            "13:30:00.090Z 13:30:00.095Z - -");
  EXPECT_THAT(text, HasSubstr("(escalated): sent past an unreachable parent"));

  // The breach travels on both paths' township hop: listed once.
  EXPECT_EQ(Section(text, "Breaches recorded on the way:"),
            (std::vector<std::string>{
                "Breaches recorded on the way:",
                "RULE RESPONSIBLE DUE MET AT LATE RECORDED BY DETAIL",
                Section(text, "Breaches recorded on the way:")[2],
                "unit → local government (1h) 坞城街道 "
                "client/140105001000/duty-1 2026-11-28 11:30:00.000Z "
                "12:00:00.000Z late by 30m00s "
                "140105001000 reached the local government 1h30m after the "
                "unit's head learned of it"}));

  EXPECT_EQ(
      Section(text, "Deadlines (as seen by node 140000000000 now):"),
      (std::vector<std::string>{
          "Deadlines (as seen by node 140000000000 now):",
          "STATE RULE RESPONSIBLE DUE MET / TIME LEFT DETAIL",
          Section(text, "Deadlines (as seen by node 140000000000 now):")[2],
          "MET LATE unit → local government (1h) 坞城街道 "
          "client/140105001000/duty-1 2026-11-28 11:30:00.000Z met "
          "12:00:00.000Z, late by 30m00s",
          "MET hand-off to the next level (2h/level) 坞城街道 140105001000 "
          "2026-11-28 14:00:00.000Z met 12:00:00.020Z, 2h00m early",
          "MET grade I/II: reach the province directly (1h) 坞城街道 "
          "140105001000 2026-11-28 13:00:00.000Z met 12:00:00.050Z, 1h00m "
          "early",
          "AT RISK province → State Council (4h) 山西省 140000000000 "
          "2026-11-28 16:00:00.050Z in 50m00s not yet submitted to the State "
          "Council",
          "STATE is node 140000000000's verdict; TIME LEFT is counted on "
          "this machine's clock."}));
  // Sections in order, after the report.
  EXPECT_LT(text.find("Hops (as node"), text.find("Also arrived by another"));
  EXPECT_LT(text.find("Also arrived by another"),
            text.find("Breaches recorded on the way:"));
  EXPECT_LT(text.find("Breaches recorded on the way:"),
            text.find("Deadlines (as seen by node"));
  EXPECT_THAT(text, Not(HasSubstr("[DRILL]")));
}

TEST(FormatShowTest, EveryDeadlineAndBreachLineOfADrillSaysSo) {
  v1::GetReportResponse response = GradeTwoAtProvince();
  response.mutable_report()->mutable_report()->set_status(
      v1::REPORT_STATUS_EXERCISE);
  const std::string text = FormatShow(response, TimeAt("15:10:00"));
  EXPECT_THAT(text, StartsWith("####"));  // the banner
  for (const std::string title :
       {"Breaches recorded on the way:",
        "Deadlines (as seen by node 140000000000 now):"}) {
    const std::vector<std::string> section = Section(text, title);
    ASSERT_GT(section.size(), 3u) << title;
    // Title, header and rule, then the rows (and the deadlines' note).
    for (size_t i = 3; i < section.size(); ++i) {
      if (absl::StartsWith(section[i], "STATE is node")) continue;
      EXPECT_THAT(section[i], StartsWith("[DRILL] ")) << section[i];
    }
  }
  // A breach or deadline marked as a drill is tagged even if the report
  // itself were not.
  response.mutable_report()->mutable_report()->set_status(
      v1::REPORT_STATUS_ACTUAL);
  response.mutable_deadlines(3)->set_drill(true);
  EXPECT_THAT(CollapsedLines(FormatDeadlines(response, TimeAt("15:10:00"))),
              ::testing::Contains(
                  StartsWith("[DRILL] AT RISK province → State Council (4h)")));
}

TEST(FormatShowTest, NoDetailColumnWithoutDetails) {
  v1::GetReportResponse response = GradeTwoAtProvince();
  response.mutable_deadlines(3)->clear_detail();
  const std::vector<std::string> lines =
      CollapsedLines(FormatDeadlines(response, TimeAt("15:10:00")));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1], "STATE RULE RESPONSIBLE DUE MET / TIME LEFT");
}

TEST(FormatShowTest, NoDeadlineSectionsWhenThereAreNone) {
  v1::GetReportResponse response;
  response.set_node("140100000000");
  *response.mutable_report() = ThreeHopReport();
  const std::string text = FormatShow(response, absl::InfinitePast());
  EXPECT_THAT(text, Not(HasSubstr("Breaches")));
  EXPECT_THAT(text, Not(HasSubstr("Deadlines")));
  EXPECT_THAT(text, Not(HasSubstr("Also arrived")));
  EXPECT_THAT(text, Not(HasSubstr("(escalated)")));
}

// --- Commands against a fake node -------------------------------------------

// Answers Submit with canned responses, after `fail_after` reports fails the
// stream with `failure`.
class FakeRelayClient : public RelayClient {
 public:
  std::vector<v1::SubmitResponse> responses;
  size_t written = 0;
  absl::Status status;
  std::vector<v1::ListReportsResponse> pages;
  std::vector<v1::ListReportsRequest> list_requests;
  // GetReport answers with this when set, else NOT_FOUND.
  std::optional<v1::GetReportResponse> report;
  // ListDue answers with this when set, else `due_status`.
  std::optional<v1::ListDueResponse> due;
  absl::Status due_status = absl::UnavailableError("node down");
  std::vector<bool> due_requests;  // include_met of each ListDue call

  SubmitResult Submit(
      const std::vector<v1::IncidentReport>&,
      absl::FunctionRef<void(const v1::SubmitResponse&)> on_response) override {
    for (const auto& response : responses) on_response(response);
    return {status, written};
  }
  absl::StatusOr<v1::GetReportResponse> GetReport(const std::string&) override {
    if (report.has_value()) return *report;
    return absl::NotFoundError("no such report");
  }
  absl::StatusOr<v1::ListDueResponse> ListDue(bool include_met) override {
    due_requests.push_back(include_met);
    if (due.has_value()) return *due;
    return due_status;
  }
  absl::StatusOr<v1::ListReportsResponse> ListReports(
      const v1::ListReportsRequest& request) override {
    list_requests.push_back(request);
    if (list_requests.size() > pages.size())
      return absl::InternalError("extra");
    return pages[list_requests.size() - 1];
  }
  absl::StatusOr<v1::GetStatusResponse> GetStatus() override {
    if (!status.ok()) return status;
    return node_status;
  }
  absl::StatusOr<v1::ListOriginsResponse> ListOrigins(
      const v1::ListOriginsRequest& request) override {
    origin_requests.push_back(request);
    if (origin_requests.size() > origin_pages.size()) {
      return absl::InternalError("extra");
    }
    return origin_pages[origin_requests.size() - 1];
  }

  v1::GetStatusResponse node_status;
  std::vector<v1::ListOriginsResponse> origin_pages;
  std::vector<v1::ListOriginsRequest> origin_requests;
};

std::vector<v1::IncidentReport> Reports(std::vector<std::string> ids) {
  std::vector<v1::IncidentReport> reports(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) reports[i].set_report_id(ids[i]);
  return reports;
}

v1::SubmitResponse Receipt(const std::string& id, bool duplicate = false) {
  v1::SubmitResponse response;
  response.mutable_receipt()->set_report_id(id);
  response.mutable_receipt()->set_node("140105000000");
  response.mutable_receipt()->set_duplicate(duplicate);
  return response;
}

v1::SubmitResponse Refusal(const std::string& id) {
  v1::SubmitResponse response;
  response.mutable_rejection()->set_report_id(id);
  response.mutable_rejection()->set_code(3);
  response.mutable_rejection()->set_message("bad");
  return response;
}

struct Captured {
  std::ostringstream out;
  std::ostringstream err;
  CommandIo io{&out, &err, false, "127.0.0.1:7400"};
};

TEST(RunSubmitTest, AllReceivedExitsZero) {
  FakeRelayClient client;
  client.responses = {Receipt("b"), Receipt("a", /*duplicate=*/true)};
  client.written = 2;
  Captured c;
  EXPECT_EQ(RunSubmit(client, Reports({"a", "b"}), c.io), kExitOk);
  EXPECT_THAT(c.out.str(), HasSubstr("stored   b  at node 140105000000"));
  EXPECT_THAT(c.out.str(), HasSubstr("(duplicate: already stored)"));
  EXPECT_EQ(c.err.str(), "2 submitted, 1 stored, 1 duplicates, 0 refused\n");
}

TEST(RunSubmitTest, RefusalExitsOne) {
  FakeRelayClient client;
  client.responses = {Receipt("a"), Refusal("b")};
  client.written = 2;
  Captured c;
  EXPECT_EQ(RunSubmit(client, Reports({"a", "b"}), c.io), kExitFailure);
  EXPECT_THAT(c.out.str(), HasSubstr("REFUSED  b  INVALID_ARGUMENT  bad"));
  EXPECT_THAT(c.err.str(), HasSubstr("1 refused"));
  EXPECT_THAT(c.err.str(), Not(HasSubstr("no receipt")));
}

TEST(RunSubmitTest, StreamFailureListsWhatWasNotAcknowledged) {
  FakeRelayClient client;
  client.responses = {Receipt("b")};
  client.written = 3;
  client.status = absl::UnavailableError("connection reset");
  Captured c;
  EXPECT_EQ(RunSubmit(client, Reports({"a", "b", "c", "d"}), c.io),
            kExitFailure);
  EXPECT_THAT(c.err.str(), HasSubstr("error: UNAVAILABLE: connection reset\n"));
  EXPECT_THAT(c.err.str(), HasSubstr("no receipt for: a, c\n"));
  EXPECT_THAT(c.err.str(), HasSubstr("not sent: d\n"));
  EXPECT_THAT(c.err.str(), HasSubstr("3 submitted, 1 stored"));
}

TEST(RunSubmitTest, JsonPrintsResponsesOnlyAndNoSummary) {
  FakeRelayClient client;
  client.responses = {Receipt("a")};
  client.written = 1;
  Captured c;
  c.io.json = true;
  EXPECT_EQ(RunSubmit(client, Reports({"a"}), c.io), kExitOk);
  EXPECT_EQ(c.out.str(),
            "{\"receipt\":{\"reportId\":\"a\",\"node\":\"140105000000\"}}\n");
  EXPECT_EQ(c.err.str(), "");
}

TEST(RunShowTest, NotFoundExitsOne) {
  FakeRelayClient client;
  Captured c;
  EXPECT_EQ(RunShow(client, "nope", c.io), kExitFailure);
  EXPECT_EQ(c.err.str(), "error: NOT_FOUND: no such report\n");
}

TEST(RunShowTest, PrintsEverySection) {
  FakeRelayClient client;
  client.report = GradeTwoAtProvince();
  Captured c;
  c.io.now = TimeAt("15:10:00");
  EXPECT_EQ(RunShow(client, "r-gas", c.io), kExitOk);
  EXPECT_EQ(c.out.str(), FormatShow(*client.report, c.io.now));
  EXPECT_EQ(c.err.str(), "");
}

TEST(RunDueTest, PrintsGroupsAndSummaryAndExitsZeroEvenWhenOverdue) {
  FakeRelayClient client;
  client.due = DueAtCity();
  Captured c;
  EXPECT_EQ(RunDue(client, nullptr, /*include_met=*/false, c.io), kExitOk);
  EXPECT_THAT(client.due_requests, ElementsAre(false));
  EXPECT_EQ(c.out.str(), FormatDue(DueAtCity(), c.io.now));
  EXPECT_EQ(c.err.str(),
            "1 overdue, 1 at risk, 1 late; 2 drill deadlines not counted\n");
}

TEST(RunDueTest, AllAsksForMetDeadlines) {
  FakeRelayClient client;
  client.due = DueAtCity();
  Captured c;
  EXPECT_EQ(RunDue(client, nullptr, /*include_met=*/true, c.io), kExitOk);
  EXPECT_THAT(client.due_requests, ElementsAre(true));
}

TEST(RunDueTest, JsonIsTheResponseOnOneLine) {
  FakeRelayClient client;
  client.due = DueAtCity();
  Captured c;
  c.io.json = true;
  EXPECT_EQ(RunDue(client, nullptr, false, c.io), kExitOk);
  std::string expected;
  ASSERT_TRUE(
      google::protobuf::util::MessageToJsonString(DueAtCity(), &expected).ok());
  EXPECT_EQ(c.out.str(), expected + "\n");
  EXPECT_THAT(c.out.str(), HasSubstr("\"state\":\"DEADLINE_STATE_OVERDUE\""));
  EXPECT_EQ(CollapsedLines(c.out.str()).size(), 2u);  // one line, then ""
  EXPECT_EQ(c.err.str(), "");
}

TEST(RunDueTest, FailedCallExitsOne) {
  FakeRelayClient client;
  Captured c;
  EXPECT_EQ(RunDue(client, nullptr, false, c.io), kExitFailure);
  EXPECT_THAT(c.err.str(), StartsWith("error: UNAVAILABLE: node down\n"));
  EXPECT_EQ(c.out.str(), "");
}

TEST(RunListTest, PagesUntilTheTokenRunsOutOrTheLimit) {
  FakeRelayClient client;
  client.pages.resize(2);
  *client.pages[0].add_reports() = ThreeHopReport();
  *client.pages[0].add_reports() = ThreeHopReport();
  client.pages[0].set_next_page_token("r1");
  *client.pages[1].add_reports() = ThreeHopReport();
  Captured c;
  EXPECT_EQ(RunList(client, "ev-7", 0, c.io), kExitOk);
  ASSERT_EQ(client.list_requests.size(), 2u);
  EXPECT_EQ(client.list_requests[0].event_id(), "ev-7");
  EXPECT_EQ(client.list_requests[1].page_token(), "r1");
  EXPECT_EQ(CollapsedLines(c.out.str()).size(), 5u);  // header, 3, ""
  EXPECT_EQ(c.err.str(), "3 reports\n");

  FakeRelayClient limited;
  limited.pages = client.pages;
  Captured d;
  EXPECT_EQ(RunList(limited, "", 1, d.io), kExitOk);
  ASSERT_EQ(limited.list_requests.size(), 1u);
  EXPECT_EQ(limited.list_requests[0].limit(), 1u);
  EXPECT_EQ(d.err.str(), "1 report\n");
}

TEST(RunListTest, ABadTimeFailsLoudlyAndPrintsNothingOfThePage) {
  // A report an older node stored with nanos = -1: the JSON printer cannot
  // represent it. Nothing of that page is printed; the field is named.
  FakeRelayClient client;
  client.pages.resize(1);
  *client.pages[0].add_reports() = ThreeHopReport();
  v1::StoredReport* bad = client.pages[0].add_reports();
  *bad = ThreeHopReport();
  bad->mutable_report()->mutable_authored_at()->set_nanos(-1);
  Captured c;
  c.io.json = true;
  EXPECT_EQ(RunList(client, "", 0, c.io), kExitFailure);
  EXPECT_EQ(c.out.str(), "");
  EXPECT_THAT(c.err.str(), HasSubstr("reports[1].report.authored_at"));
  EXPECT_THAT(c.err.str(), HasSubstr("nanos -1"));
}

// --- status and origins -----------------------------------------------------

v1::GetStatusResponse NodeStatus() {
  return ParseText<v1::GetStatusResponse>(R"pb(
    node: "140105000000"
    now { seconds: 1790000100 }
    accepting: false
    refusal: "node 140105000000 takes no new reports: the disk holding its store has 10 MiB free"
    store_bytes: 3145728
    free_disk_bytes: 10485760
    min_free_disk_bytes: 268435456
    backlog_bytes: 1258291
    max_backlog_bytes: 1048576
    links {
      upstream: "140100000000"
      address: "10.1.0.2:7400"
      condition: LINK_CONDITION_STALLED
      in_flight: 64
      waiting: 1200
      held: 1
      oldest_waiting_since { seconds: 1790000000 }
      last_receipt_at { seconds: 1790000020 }
      quiet_since { seconds: 1790000030 }
      stall_after { seconds: 60 }
    }
  )pb");
}

TEST(FormatNodeStatusTest, SaysWhichOfARegionsTwoNodesActs) {
  v1::GetStatusResponse status = NodeStatus();
  EXPECT_THAT(FormatNodeStatus(status), Not(HasSubstr("node (")))
      << "a node without a standby says nothing of it";
  status.set_standby(true);
  status.set_acting(true);
  EXPECT_THAT(FormatNodeStatus(status),
              HasSubstr("Standby node (备用节点), ACTING: its primary is "
                        "unreachable"));
  status.set_acting(false);
  EXPECT_THAT(FormatNodeStatus(status),
              HasSubstr("Standby node (备用节点), idle"));
  status.set_standby(false);
  status.set_acting(true);
  status.add_links()->set_upstream("140105000000~standby");
  EXPECT_THAT(FormatNodeStatus(status),
              HasSubstr("Primary node (主节点), acting; its standby is link "
                        "140105000000~standby"));
}

TEST(FormatNodeStatusTest, SaysWhyNotAcceptingAndFlagsAStalledLink) {
  std::string text = FormatNodeStatus(NodeStatus());
  EXPECT_THAT(text, HasSubstr("Node 140105000000 at 2026-09-21 "));
  EXPECT_THAT(text, HasSubstr("NOT TAKING NEW REPORTS\n  node 140105000000 "
                              "takes no new reports"));
  EXPECT_THAT(text, HasSubstr("Backlog: 1.2 MiB waiting upstream (limit "
                              "1.0 MiB); store: 3.0 MiB (limit none); disk: "
                              "10 MiB free (reserve 256 MiB)"));
  std::vector<std::string> lines = CollapsedLines(text);
  EXPECT_THAT(
      lines, ::testing::Contains("140100000000 10.1.0.2:7400 STALLED 64 1200 1 "
                                 "1m40s 1m20s ago 1m10s"));
  EXPECT_THAT(text, HasSubstr("STALLED: 140100000000 is connected but has "
                              "acknowledged nothing in flight for longer "
                              "than 1m00s"));
  EXPECT_THAT(text, HasSubstr("HELD: 1 report for 140100000000 stay here"));
  EXPECT_THAT(text, Not(HasSubstr("DOWN:")));
  EXPECT_THAT(text, Not(HasSubstr("Up ")));  // an older node says nothing
}

TEST(FormatNodeStatusTest, UptimeCertificateAndADownLinkWithABacklog) {
  v1::GetStatusResponse status = NodeStatus();
  status.mutable_started_at()->set_seconds(1790000100 - 3 * 3600 - 60);
  status.mutable_certificate_expires_at()->set_seconds(1790000100 + 89 * 86400);
  status.mutable_links(0)->set_condition(v1::LINK_CONDITION_DOWN);
  status.mutable_links(0)->set_held(0);
  std::string text = FormatNodeStatus(status);
  EXPECT_THAT(text, HasSubstr("Up 3h01m (since "));
  EXPECT_THAT(text, HasSubstr("; certificate valid until "));
  EXPECT_THAT(text, Not(HasSubstr("CERTIFICATE")));
  EXPECT_THAT(text, HasSubstr("DOWN: 140100000000 (10.1.0.2:7400) is "
                              "unreachable; 1200 reports wait here, the "
                              "oldest for 1m40s."));
  EXPECT_THAT(text, Not(HasSubstr("HELD:")));

  status.mutable_certificate_expires_at()->set_seconds(1790000100 + 5 * 86400);
  EXPECT_THAT(FormatNodeStatus(status),
              HasSubstr("CERTIFICATE EXPIRES in 5d00h: renew it"));
  status.mutable_certificate_expires_at()->set_seconds(1790000000);
  EXPECT_THAT(FormatNodeStatus(status), HasSubstr("CERTIFICATE EXPIRED"));
}

TEST(FormatNodeStatusTest, TopNodeHasNoLinks) {
  v1::GetStatusResponse status = NodeStatus();
  status.clear_links();
  status.set_accepting(true);
  std::string text = FormatNodeStatus(status);
  EXPECT_THAT(text, HasSubstr(": taking new reports\n"));
  EXPECT_THAT(text, HasSubstr("No upstream: this node is the top."));
}

v1::ListOriginsResponse OriginsPage() {
  return ParseText<v1::ListOriginsResponse>(R"pb(
    node: "140000000000"
    now { seconds: 1790010000 }
    overdue_after { seconds: 7200 }
    origins {
      origin: "spiffe://kuaibao/client/140105001000/duty-1"
      high_water: 1500
      count: 1496
      gaps {
        first: 17
        last: 19
        first_seen_at { seconds: 1790000000 }
        overdue: true
      }
      gaps {
        first: 240
        last: 240
        first_seen_at { seconds: 1790009990 }
      }
    }
    origins {
      origin: "spiffe://kuaibao/client/140106001000/duty-1"
      high_water: 3
      count: 3
    }
  )pb");
}

TEST(FormatOriginsTest, GapsWithTheirAgeAndOverdueFlag) {
  std::vector<std::string> lines = CollapsedLines(FormatOrigins(OriginsPage()));
  EXPECT_THAT(lines, ::testing::Contains(
                         "spiffe://kuaibao/client/140105001000/duty-1 1500 "
                         "1496 17-19 (2h46m40s, OVERDUE), 240 (10.000s)"));
  EXPECT_THAT(lines, ::testing::Contains(
                         "spiffe://kuaibao/client/140106001000/duty-1 3 3 -"));
  OriginTally tally;
  tally.Add(OriginsPage());
  EXPECT_EQ(tally.Summary(),
            "2 origins; 4 numbers missing in 2 gaps, 1 gap overdue (missing "
            "longer than 2h00m: lost, withheld or held up on the way)");
}

TEST(RunStatusTest, PrintsTheStatusOrTheError) {
  FakeRelayClient client;
  client.node_status = NodeStatus();
  Captured c;
  EXPECT_EQ(RunStatus(client, c.io), kExitOk);
  EXPECT_THAT(c.out.str(), HasSubstr("STALLED"));
  client.status = absl::UnavailableError("gone");
  Captured d;
  EXPECT_EQ(RunStatus(client, d.io), kExitFailure);
  EXPECT_THAT(d.err.str(), StartsWith("error: UNAVAILABLE: gone"));
}

TEST(RunOriginsTest, PagesThroughAndTalliesOnStderr) {
  FakeRelayClient client;
  client.origin_pages = {OriginsPage(), OriginsPage()};
  client.origin_pages[0].set_next_page_token("x");
  Captured c;
  EXPECT_EQ(RunOrigins(client, /*gaps_only=*/true, c.io), kExitOk);
  ASSERT_EQ(client.origin_requests.size(), 2u);
  EXPECT_TRUE(client.origin_requests[0].gaps_only());
  EXPECT_EQ(client.origin_requests[1].page_token(), "x");
  EXPECT_THAT(c.err.str(), StartsWith("4 origins; 8 numbers missing in 4 "
                                      "gaps, 2 gaps overdue"));
  FakeRelayClient json;
  json.origin_pages = {OriginsPage()};
  Captured d;
  d.io.json = true;
  EXPECT_EQ(RunOrigins(json, false, d.io), kExitOk);
  EXPECT_THAT(d.out.str(), StartsWith("{\"node\":\"140000000000\""));
  EXPECT_EQ(d.err.str(), "");
}

}  // namespace
}  // namespace kuaibao
