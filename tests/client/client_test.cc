#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/command_io.h"
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
#include "gtest/gtest.h"

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

TEST(AssignMissingReportIdsTest, AssignsOnlyWhereMissing) {
  std::vector<v1::IncidentReport> reports(3);
  reports[1].set_report_id("kept");
  int next = 0;
  std::vector<AssignedId> assigned = AssignMissingReportIds(
      reports, [&next] { return "new-" + std::to_string(++next); });
  EXPECT_EQ(Ids(reports), (std::vector<std::string>{"new-1", "kept", "new-2"}));
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(assigned[0].number, 1);
  EXPECT_EQ(assigned[0].report_id, "new-1");
  EXPECT_EQ(assigned[1].number, 3);
  EXPECT_EQ(assigned[1].report_id, "new-2");
}

TEST(AssignMissingReportIdsTest, KeepsEveryPresentId) {
  std::vector<v1::IncidentReport> reports(2);
  reports[0].set_report_id("a");
  reports[1].set_report_id("b");
  EXPECT_TRUE(
      AssignMissingReportIds(reports, [] { return std::string("x"); }).empty());
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
      {absl::Hours(2) + absl::Minutes(5) + absl::Seconds(40), "2h05m"},
      {absl::Hours(26), "1d02h"},
      {-absl::Milliseconds(12), "-0.012s"},
      {-absl::Seconds(63), "-1m03s"},
  };
  for (const DurationCase& c : cases) {
    EXPECT_EQ(FormatShortDuration(c.duration), c.text) << c.duration;
  }
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

TEST(FormatReportTest, DrillBannerAndFields) {
  const std::string text = FormatReport(ThreeHopReport().report());
  EXPECT_THAT(text, StartsWith("####"));
  EXPECT_THAT(text, HasSubstr("[DRILL]"));
  EXPECT_THAT(text, HasSubstr("Headline:       煤矿透水\n"));
  EXPECT_THAT(text, HasSubstr("Kind:           FOLLOW_UP\n"));
  EXPECT_THAT(text, HasSubstr("Grade:          III\n"));
  EXPECT_THAT(text, HasSubstr("Region:         140105001000\n"));
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
            "1 140105001000 client/140105001000/duty-1 2026-11-28 "
            "12:40:01.100Z 12:40:01.112Z 0.012s 140105000000 12:40:01.124Z - "
            "1 0.026s");
  // County: two forwardings; the transit belongs to the one to the city.
  EXPECT_EQ(lines[3],
            "2 140105000000 node/140105001000 2026-11-28 12:40:01.150Z "
            "12:40:01.160Z 0.010s 140199000000 12:40:01.170Z - 3");
  EXPECT_EQ(lines[4], "140100000000 12:41:04.160Z - 2 -0.010s");
  // City: the answering node, nothing forwarded.
  EXPECT_EQ(lines[5],
            "3 140100000000 node/140105000000 2026-11-28 12:41:04.150Z "
            "12:41:04.170Z - -");
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
  EXPECT_THAT(text,
              HasSubstr("Hop 2 -> 140100000000 refused: PERMISSION_DENIED: not "
                        "our child\n"));
}

TEST(FormatListLineTest, OneLinePerReport) {
  const std::vector<std::string> line =
      CollapsedLines(FormatListLine(ThreeHopReport()));
  EXPECT_EQ(line[0], "r1 ev-7#2 FOLLOW_UP III 140105001000 3 [DRILL] 煤矿透水");
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

  SubmitResult Submit(
      const std::vector<v1::IncidentReport>&,
      absl::FunctionRef<void(const v1::SubmitResponse&)> on_response) override {
    for (const auto& response : responses) on_response(response);
    return {status, written};
  }
  absl::StatusOr<v1::GetReportResponse> GetReport(const std::string&) override {
    return absl::NotFoundError("no such report");
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

TEST(FormatNodeStatusTest, SaysWhyNotAcceptingAndFlagsAStalledLink) {
  std::string text = FormatNodeStatus(NodeStatus());
  EXPECT_THAT(text, HasSubstr("Node 140105000000 at 2026-09-21 "));
  EXPECT_THAT(text, HasSubstr("NOT TAKING NEW REPORTS\n  node 140105000000 "
                              "takes no new reports"));
  EXPECT_THAT(text, HasSubstr("Store: 3.0 MiB (limit none); disk: 10 MiB "
                              "free (reserve 256 MiB)"));
  std::vector<std::string> lines = CollapsedLines(text);
  EXPECT_THAT(
      lines, ::testing::Contains("140100000000 10.1.0.2:7400 STALLED 64 1200 1 "
                                 "1m40s 1m20s ago 1m10s"));
  EXPECT_THAT(text, HasSubstr("STALLED: 140100000000 is connected but has "
                              "acknowledged nothing in flight for longer "
                              "than 1m00s"));
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
                         "1496 17-19 (2h46m, OVERDUE), 240 (10.000s)"));
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
