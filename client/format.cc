#include "client/format.h"

#include <cstdint>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "client/beijing_time.h"
#include "client/display.h"
#include "client/enum_names.h"
#include "client/region_names.h"
#include "client/text_table.h"
#include "google/protobuf/util/json_util.h"
#include "relay/identity.h"
#include "relay/proto_time.h"
#include "relay/time_fields.h"

namespace kuaibao {

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (!IsSet(timestamp)) return "-";
  return FormatDisplayTime(FromProto(timestamp), CurrentDisplay().zone);
}

std::string FormatTimeOfDay(const google::protobuf::Timestamp& timestamp,
                            const google::protobuf::Timestamp& day_of) {
  if (!IsSet(timestamp)) return "-";
  const TimeZoneChoice zone = CurrentDisplay().zone;
  if (IsSet(day_of) &&
      SameDisplayDay(FromProto(timestamp), FromProto(day_of), zone)) {
    return FormatDisplayTimeOfDay(FromProto(timestamp), zone);
  }
  return FormatTimestamp(timestamp);
}

namespace {

std::string ShortDurationEn(absl::Duration duration) {
  if (duration < absl::ZeroDuration()) {
    return absl::StrCat("-", ShortDurationEn(-duration));
  }
  // Round to the millisecond first so that 59.9996s reads "1m00s", not
  // "60.000s".
  const int64_t millis =
      absl::ToInt64Milliseconds(duration + absl::Microseconds(500));
  if (millis < int64_t{60} * 1000) {
    return absl::StrFormat("%d.%03ds", millis / 1000, millis % 1000);
  }
  // From a minute on, to the nearest second (as the console rounds), and
  // the seconds kept up to a day: a lateness of 7h40m35.9s is never read as
  // "7h40m" (an exact 2 h 12 m still reads "2h12m").
  const int64_t seconds = (millis + 500) / 1000;
  if (seconds < 3600) {
    return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
  }
  if (seconds < int64_t{24} * 3600) {
    // "2h12m" when exact (a budget, a round lateness), "7h40m36s" otherwise.
    std::string text =
        absl::StrFormat("%dh%02dm", seconds / 3600, seconds / 60 % 60);
    if (seconds % 60 != 0) {
      absl::StrAppend(&text, absl::StrFormat("%02ds", seconds % 60));
    }
    return text;
  }
  const int64_t hours = seconds / 3600;
  return absl::StrFormat("%dd%02dh", hours / 24, hours % 24);
}

std::string BudgetEn(absl::Duration duration) {
  if (duration < absl::ZeroDuration()) {
    return absl::StrCat("-", BudgetEn(-duration));
  }
  if (duration == absl::ZeroDuration()) return "0s";
  if (duration % absl::Minutes(1) == absl::ZeroDuration()) {
    const int64_t minutes = absl::ToInt64Minutes(duration);
    if (minutes < 60) return absl::StrCat(minutes, "m");
    if (minutes % 60 == 0) return absl::StrCat(minutes / 60, "h");
    return absl::StrFormat("%dh%02dm", minutes / 60, minutes % 60);
  }
  if (duration < absl::Minutes(1)) {
    // Millisecond precision with the trailing zeros dropped: "7.2s".
    std::string text = absl::StrFormat("%.3f", absl::ToDoubleSeconds(duration));
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return absl::StrCat(text, "s");
  }
  return ShortDurationEn(duration);
}

std::string CoarseDurationEn(absl::Duration duration) {
  if (duration < absl::ZeroDuration()) {
    return absl::StrCat("-", CoarseDurationEn(-duration));
  }
  if (duration < absl::Seconds(10)) {
    return absl::StrFormat("%.1fs", absl::ToDoubleSeconds(absl::Trunc(
                                        duration, absl::Milliseconds(100))));
  }
  if (duration < absl::Minutes(1)) {
    return absl::StrCat(absl::ToInt64Seconds(duration), "s");
  }
  // From a minute on exactly as the audit prints it (FormatShortDuration):
  // a drill's 7.2 s hop and a 10 m 59 s delay must read alike everywhere.
  return ShortDurationEn(duration);
}

// "7h40m36s" as a Chinese reader writes it, "7小时40分36秒", when the display
// speaks Chinese (the console's words); the unit letters otherwise.
std::string InDisplayUnits(const std::string& text) {
  if (CurrentDisplay().lang != Lang::kZh) return text;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool after_digit = i > 0 && absl::ascii_isdigit(text[i - 1]);
    if (after_digit && c == 'h') {
      out += "小时";
    } else if (after_digit && c == 'm') {
      out += "分";
    } else if (after_digit && c == 's') {
      out += "秒";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string FormatShortDuration(absl::Duration duration) {
  return InDisplayUnits(ShortDurationEn(duration));
}

std::string FormatBudget(absl::Duration duration) {
  return InDisplayUnits(BudgetEn(duration));
}

std::string FormatCoarseDuration(absl::Duration duration) {
  return InDisplayUnits(CoarseDurationEn(duration));
}

namespace {

bool OnDrillClock(double time_scale) {
  return time_scale > 0 && time_scale != 1;
}

}  // namespace

std::string NoticeTime(absl::Duration wall, double time_scale,
                       SpanFormat format) {
  if (!OnDrillClock(time_scale)) return format(wall);
  // To the millisecond, so that a scaled 3 h budget (10.8 s) reads "3h"
  // again rather than a nanosecond off.
  const absl::Duration notice = wall / time_scale;
  const absl::Duration ms = absl::Milliseconds(1);
  return format(notice < absl::ZeroDuration()
                    ? -absl::Floor(-notice + ms / 2, ms)
                    : absl::Floor(notice + ms / 2, ms));
}

std::string DrillWallTime(absl::Duration wall, double time_scale,
                          SpanFormat format) {
  if (!OnDrillClock(time_scale)) return "";
  return absl::StrCat(
      Say(CurrentDisplay().lang, {"drill wall time ", "演练实耗 "}),
      format(wall));
}

std::string InNoticeTime(absl::Duration wall, double time_scale,
                         SpanFormat format) {
  if (!OnDrillClock(time_scale)) return format(wall);
  return absl::StrCat(NoticeTime(wall, time_scale, format), " (",
                      DrillWallTime(wall, time_scale, format), ")");
}

std::string EnumLabel(const google::protobuf::EnumDescriptor& descriptor,
                      int value) {
  const google::protobuf::EnumValueDescriptor* known =
      descriptor.FindValueByNumber(value);
  if (known == nullptr) return absl::StrCat(value);
  // Our enums name value 0 <PREFIX>UNSPECIFIED; every value shares <PREFIX>.
  absl::string_view name = known->name();
  const google::protobuf::EnumValueDescriptor* zero =
      descriptor.FindValueByNumber(0);
  if (zero != nullptr && absl::EndsWith(zero->name(), "UNSPECIFIED")) {
    absl::string_view zero_name = zero->name();
    absl::string_view prefix = zero_name.substr(
        0, zero_name.size() - absl::string_view("UNSPECIFIED").size());
    absl::ConsumePrefix(&name, prefix);
  }
  return std::string(name);
}

std::string ShortIdentity(absl::string_view identity) {
  absl::ConsumePrefix(&identity, kIdentityUriPrefix);
  return identity.empty() ? "-" : std::string(identity);
}

std::string StatusTag(int report_status) {
  switch (report_status) {
    case v1::REPORT_STATUS_EXERCISE:
      return "[DRILL]";
    case v1::REPORT_STATUS_TEST:
      return "[TEST]";
    default:
      return "";
  }
}

std::string DeadlineRuleInWords(int rule,
                                const google::protobuf::Timestamp& start,
                                const google::protobuf::Timestamp& due,
                                double time_scale) {
  // The window comes from the deadline itself, not from the notice's
  // defaults: a node may be configured otherwise, and a drill scales it
  // (shown in the notice's time, the drill's wall time beside it).
  std::string window;
  if (IsSet(start) && IsSet(due) && FromProto(due) > FromProto(start)) {
    const absl::Duration wall = FromProto(due) - FromProto(start);
    window = NoticeTime(wall, time_scale, FormatBudget);
    const std::string drill = DrillWallTime(wall, time_scale, FormatBudget);
    if (!drill.empty()) absl::StrAppend(&window, ", ", drill);
  }
  // `words` and, when the window is known, the text around it in
  // parentheses.
  auto with = [&window](absl::string_view words, absl::string_view before,
                        absl::string_view after) {
    if (window.empty() && before.empty()) return std::string(words);
    if (window.empty()) {
      return absl::StrCat(words, " (", absl::StripSuffix(before, ", "), ")");
    }
    return absl::StrCat(words, " (", before, window, after, ")");
  };
  const Lang lang = CurrentDisplay().lang;
  auto say = [lang](absl::string_view en, absl::string_view zh) {
    return std::string(Say(lang, {en, zh}));
  };
  switch (rule) {
    case v1::DEADLINE_RULE_UNIT_TO_LOCAL:
      return with(say("unit → local government", "单位 → 属地政府"), "", "");
    case v1::DEADLINE_RULE_PER_HOP:
      return with(say("hand-off to the next level", "报上一级"), "",
                  say("/level", "/级"));
    case v1::DEADLINE_RULE_END_TO_END:
      return with(say("reach the province", "报达省政府"),
                  say("end to end, ", "端到端 "), "");
    case v1::DEADLINE_RULE_DIRECT_TO_PROVINCE:
      return with(
          say("grade I/II: reach the province directly", "Ⅰ/Ⅱ级：直报省政府"),
          "", "");
    case v1::DEADLINE_RULE_PROVINCE_TO_NATIONAL:
      return with(say("province → State Council", "省 → 国务院"), "", "");
    case v1::DEADLINE_RULE_BRIEF_TO_DETAILED:
      return with(say("detailed report after brief", "快报后报详报"), "", "");
    case v1::DEADLINE_RULE_FOLLOW_UP:
      // Its window is the author's declared next report time or the
      // cadence, whichever is sooner: no rule's budget to show.
      return say("next follow-up", "下一次续报");
    case v1::DEADLINE_RULE_INSTRUCTION_RELAY:
      return with(say("instruction reaches the locality", "批示传达至属地"), "",
                  "");
    case v1::DEADLINE_RULE_FEEDBACK:
      return with(say("feedback on instruction", "批示落实反馈"), "", "");
    case v1::DEADLINE_RULE_NEXT_LEVEL_SAME_TIME:
      return with(say("grade I/II: next level at the same time as the "
                      "province",
                      "Ⅰ/Ⅱ级：同时报上一级"),
                  say("within ", "不晚于省 "), "");
    default:
      return with(absl::StrCat("rule ", rule), "", "");
  }
}

std::string DeadlineTiming(const google::protobuf::Timestamp& due,
                           const google::protobuf::Timestamp& met_at,
                           absl::Time now, double time_scale) {
  const bool zh = CurrentDisplay().lang == Lang::kZh;
  auto span = [time_scale](absl::Duration d) {
    return InNoticeTime(d, time_scale, FormatCoarseDuration);
  };
  if (IsSet(met_at)) {
    if (!IsSet(due)) return std::string(zh ? "已完成" : "met");
    const absl::Duration late = FromProto(met_at) - FromProto(due);
    if (late > absl::ZeroDuration()) {
      return absl::StrCat(zh ? "迟报 " : "late by ", span(late));
    }
    if (late == absl::ZeroDuration()) {
      return std::string(zh ? "按时" : "met on time");
    }
    return zh ? absl::StrCat("提前 ", span(-late))
              : absl::StrCat("met ", span(-late), " early");
  }
  if (!IsSet(due)) return std::string("-");
  if (now == absl::InfinitePast()) return std::string(zh ? "未完成" : "open");
  const absl::Duration left = FromProto(due) - now;
  if (left > absl::ZeroDuration()) {
    return absl::StrCat(zh ? "剩余 " : "in ", span(left));
  }
  return absl::StrCat(zh ? "已超时 " : "overdue by ", span(-left));
}

std::string DeadlineStateLabel(int state) {
  if (CurrentDisplay().lang == Lang::kZh) {
    switch (state) {
      case v1::DEADLINE_STATE_ON_TIME:
        return "未到期";
      case v1::DEADLINE_STATE_AT_RISK:
        return std::string(phrases::kAtRisk.zh);
      case v1::DEADLINE_STATE_OVERDUE:
        return std::string(phrases::kOverdue.zh);
      case v1::DEADLINE_STATE_MET:
        return std::string(phrases::kMet.zh);
      case v1::DEADLINE_STATE_MET_LATE:
        return std::string(phrases::kMetLate.zh);
      default:
        break;
    }
  }
  return absl::StrReplaceAll(EnumLabel(*v1::DeadlineState_descriptor(), state),
                             {{"_", " "}});
}

std::string StatusCodeName(int code) {
  std::string name =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  if (name.empty()) return absl::StrCat("CODE_", code);
  return name;
}

std::string FormatReceipt(const v1::Receipt& receipt) {
  std::string line = absl::StrCat("stored   ", receipt.report_id(),
                                  "  at node ", receipt.node(), "  received ",
                                  FormatTimestamp(receipt.received_at()));
  // The event the node filed it under: a new event's number is assigned
  // there, and follow-ups name it.
  if (!receipt.event_id().empty()) {
    absl::StrAppend(&line, "  event ", receipt.event_id());
  }
  if (receipt.duplicate()) {
    absl::StrAppend(&line, "  (duplicate: already stored)");
  }
  return line;
}

std::string FormatRejection(const v1::Rejection& rejection) {
  // Both branches must be views: a ternary of a literal and a std::string
  // yields a temporary string that a view would outlive.
  const absl::string_view id = rejection.report_id().empty()
                                   ? absl::string_view("(no report_id)")
                                   : absl::string_view(rejection.report_id());
  std::string line = absl::StrCat("REFUSED  ", id, "  ",
                                  StatusCodeName(rejection.code()), "  ");
  // Nodes already start a field error's message with "field: "; older or
  // other servers may not.
  if (!rejection.field().empty() &&
      !absl::StartsWith(rejection.message(),
                        absl::StrCat(rejection.field(), ":"))) {
    absl::StrAppend(&line, rejection.field(), ": ");
  }
  absl::StrAppend(&line, rejection.message());
  return line;
}

namespace {

// `text` padded with spaces to `width` terminal columns (a Chinese
// character takes two).
std::string Pad(absl::string_view text, size_t width) {
  std::string padded(text);
  const size_t shown = DisplayWidth(text);
  if (shown < width) padded.append(width - shown, ' ');
  return padded;
}

std::string ListLine(absl::string_view report, absl::string_view event,
                     absl::string_view kind, absl::string_view grade,
                     absl::string_view region, absl::string_view hops,
                     absl::string_view headline) {
  return absl::StrCat(Pad(report, 36), "  ", Pad(event, 30), "  ",
                      Pad(kind, 10), "  ", Pad(grade, 18), "  ",
                      Pad(region, 12), "  ", Pad(hops, 4), "  ", headline);
}

}  // namespace

std::string FormatListHeader() {
  if (CurrentDisplay().lang == Lang::kZh) {
    return ListLine("报告编号", "事件#序号", "类型", "等级", "发生地", "跳数",
                    "标题");
  }
  return ListLine("REPORT", "EVENT#SEQ", "KIND", "GRADE", "REGION", "HOPS",
                  "HEADLINE");
}

std::string FormatListLine(const v1::StoredReport& stored) {
  const v1::IncidentReport& report = stored.report();
  const std::string region = RegionName(report.location().region_code());
  return ListLine(
      report.report_id(),
      absl::StrCat(report.event_id(), "#", report.event_seq()),
      ValueName(*v1::ReportKind_descriptor(), report.kind()),
      ValueName(*v1::Grade_descriptor(), report.grade()),
      region.empty() ? report.location().region_code() : region,
      absl::StrCat(stored.hops_size()),
      StatusTag(report.status()).empty()
          ? report.headline()
          : absl::StrCat(StatusTag(report.status()), " ", report.headline()));
}

bool PrintJsonLine(const google::protobuf::Message& message,
                   const CommandIo& io) {
  std::string json;
  google::protobuf::util::Status printed =
      google::protobuf::util::MessageToJsonString(message, &json);
  if (printed.ok()) {
    *io.out << json << "\n";
    return true;
  }
  // Nothing of it is printed: a script must never read half a message. The
  // usual cause is a time an older node stored without checking its range.
  absl::Status bad = CheckTimeFields(message);
  *io.err << "error: the answer cannot be printed as JSON: "
          << (bad.ok() ? std::string(printed.message().data(),
                                     printed.message().size())
                       : std::string(bad.message()))
          << "\n";
  return false;
}

namespace {

std::function<std::string(const std::string&)>& UnavailableHint() {
  static auto* hint = new std::function<std::string(const std::string&)>;
  return *hint;
}

}  // namespace

void SetUnavailableHint(std::function<std::string(const std::string&)> hint) {
  UnavailableHint() = std::move(hint);
}

std::string FormatRpcError(const absl::Status& status,
                           const std::string& node) {
  std::string text =
      absl::StrCat("error: ", StatusCodeName(static_cast<int>(status.code())),
                   ": ", status.message(), "\n");
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      if (UnavailableHint()) {
        absl::StrAppend(&text, UnavailableHint()(node));
        break;
      }
      absl::StrAppend(
          &text, "hint: the node at ", node,
          " (--node or KUAIBAO_NODE) could not be reached or dropped the "
          "connection. A certificate refused in the TLS handshake (wrong CA, "
          "expired, or not issued for that address) also shows as "
          "UNAVAILABLE.\n");
      break;
    case absl::StatusCode::kDeadlineExceeded:
      absl::StrAppend(&text,
                      "hint: the node did not finish within --timeout; "
                      "raise it for large submissions.\n");
      break;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      absl::StrAppend(&text,
                      "hint: the node decides by the identity in the URI SAN "
                      "of --cert (KUAIBAO_CERT): role and region must allow "
                      "this request.\n");
      break;
    default:
      break;
  }
  return text;
}

}  // namespace kuaibao
