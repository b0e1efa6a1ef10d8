#include "client/report_view.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "client/display.h"
#include "client/enum_names.h"
#include "client/format.h"
#include "client/region_names.h"
#include "client/text_table.h"
#include "relay/deadlines.h"
#include "relay/proto_time.h"

namespace kuaibao {

namespace {

constexpr size_t kLabelWidth = 16;

// A word in the display's language.
std::string Words(absl::string_view en, absl::string_view zh) {
  return std::string(Say(CurrentDisplay().lang, {en, zh}));
}

// "Label:          value", continuation lines of a multi-line value indented
// under the value; `label` is {English, Chinese}.
void AddField(const Phrase& label, absl::string_view value, std::string& text) {
  std::string head =
      absl::StrCat(Say(CurrentDisplay().lang, label),
                   CurrentDisplay().lang == Lang::kZh ? "：" : ":");
  // Padded by what the terminal shows: a Chinese character is two columns.
  head.append(std::max<size_t>(kLabelWidth, DisplayWidth(head) + 1) -
                  DisplayWidth(head),
              ' ');
  const std::string indent(kLabelWidth, ' ');
  absl::StrAppend(&text, head,
                  absl::StrReplaceAll(value, {{"\n", "\n" + indent}}), "\n");
}

void AddFieldIfSet(const Phrase& label, absl::string_view value,
                   std::string& text) {
  if (!value.empty()) AddField(label, value, text);
}

std::string Banner(int status) {
  absl::string_view line;
  switch (status) {
    case v1::REPORT_STATUS_EXERCISE:
      line = CurrentDisplay().lang == Lang::kZh
                 ? "[演练]  演练信息，并非真实事件"
                 : "[DRILL]  EXERCISE - not a real incident";
      break;
    case v1::REPORT_STATUS_TEST:
      line = CurrentDisplay().lang == Lang::kZh
                 ? "[测试]  测试信息，并非真实事件"
                 : "[TEST]  TEST TRAFFIC - not a real incident";
      break;
    default:
      return "";
  }
  const std::string rule(60, '#');
  return absl::StrCat(rule, "\n##  ", line, "\n", rule, "\n");
}

std::string DescribeUnit(const v1::ReportingUnit& unit) {
  std::vector<std::string> parts;
  if (!unit.name().empty()) parts.push_back(unit.name());
  if (!unit.preparer().empty()) {
    parts.push_back(
        absl::StrCat(Words("prepared by ", "填报人 "), unit.preparer()));
  }
  if (!unit.phone().empty()) {
    parts.push_back(absl::StrCat(Words("tel ", "电话 "), unit.phone()));
  }
  if (!unit.authorized_by().empty()) {
    parts.push_back(
        absl::StrCat(Words("signed off by ", "签发人 "), unit.authorized_by()));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, Words("; ", "；"));
}

std::string DescribeHarm(const v1::Harm& harm) {
  std::string text =
      CurrentDisplay().lang == Lang::kZh
          ? absl::StrCat("死亡 ", harm.deaths(), "，失踪 ", harm.missing(),
                         "，受伤 ", harm.injured(), "，受灾 ", harm.affected(),
                         "，转移 ", harm.relocated())
          : absl::StrCat("deaths ", harm.deaths(), ", missing ", harm.missing(),
                         ", injured ", harm.injured(), ", affected ",
                         harm.affected(), ", relocated ", harm.relocated());
  // 0 is also what an unknown loss looks like on the wire: say nothing.
  if (harm.economic_loss_yuan() > 0) {
    absl::StrAppend(&text, Words(", direct loss ", "，直接经济损失 "),
                    harm.economic_loss_yuan(), Words(" yuan", " 元"));
  }
  if (IsSet(harm.as_of())) {
    absl::StrAppend(&text, Words("\n(as of ", "\n（截至 "),
                    FormatTimestamp(harm.as_of()), Words(")", "）"));
  }
  if (!harm.description().empty()) {
    absl::StrAppend(&text, "\n", harm.description());
  }
  return text;
}

std::string DescribeSensitivity(const v1::IncidentReport& report) {
  std::vector<std::string> reasons;
  for (int reason : report.sensitivity()) {
    reasons.push_back(ValueName(*v1::SensitivityReason_descriptor(), reason));
  }
  return reasons.empty() ? "-" : absl::StrJoin(reasons, ", ");
}

// How long the report waited at `hop` before it left: stored (or received)
// until the first send, or the first acknowledgement if no send was recorded.
std::string Dwell(const v1::HopRecord& hop) {
  if (hop.forwarded().empty()) return "-";
  const google::protobuf::Timestamp& start =
      IsSet(hop.stored_at()) ? hop.stored_at() : hop.received_at();
  if (!IsSet(start)) return "?";
  absl::Time first_sent = absl::InfiniteFuture();
  absl::Time first_acked = absl::InfiniteFuture();
  for (const v1::Forwarding& forwarding : hop.forwarded()) {
    if (IsSet(forwarding.sent_at())) {
      first_sent = std::min(first_sent, FromProto(forwarding.sent_at()));
    }
    if (IsSet(forwarding.acked_at())) {
      first_acked = std::min(first_acked, FromProto(forwarding.acked_at()));
    }
  }
  const absl::Time left =
      first_sent != absl::InfiniteFuture() ? first_sent : first_acked;
  if (left == absl::InfiniteFuture()) return "not sent";
  return FormatShortDuration(left - FromProto(start));
}

// The forwarding of `hop` that carried the report to `next`: the one
// addressed to it, else the first.
int ForwardingTo(const v1::HopRecord& hop, const v1::HopRecord* next) {
  if (next == nullptr || hop.forwarded().empty()) return -1;
  for (int i = 0; i < hop.forwarded_size(); ++i) {
    if (hop.forwarded(i).to() == next->node()) return i;
  }
  return 0;
}

// " (direct)", " (escalated)" or " (other means…)" after the upstream a
// forwarding went to;
// nothing for the level-by-level hand-off to the parent.
std::string RouteMark(int route) {
  switch (route) {
    case v1::ROUTE_UNSPECIFIED:
    case v1::ROUTE_PARENT:
      return "";
    case v1::ROUTE_DIRECT:
      return Words(" (direct)", "（直报）");
    case v1::ROUTE_ESCALATED:
      return Words(" (escalated)", "（越级）");
    case v1::ROUTE_ACROSS:
      return Words(" (across)", "（横向）");
    case v1::ROUTE_OTHER_MEANS:
      return Words(" (other means: fax, telephone…)", "（传真、电话等）");
    case v1::ROUTE_PEER:
      return Words(" (copy to the region's other node)",
                   "（本级另一节点副本）");
    default:
      return absl::StrCat(" (route ", route, ")");
  }
}

// Where a forwarding went, for a person: the State Council by name (the
// province records its submission outside Kuaibao under "national",
// relay/national_submission.h), a node by its code.
std::string UpstreamName(const std::string& to) {
  if (to == "national") return Words("State Council 国务院", "国务院");
  return RegionLabel(to);
}

// Whether any forwarding of `stored`, on any path, took `route`.
bool HasRoute(const v1::StoredReport& stored, v1::Route route) {
  auto marked =
      [route](const google::protobuf::RepeatedPtrField<v1::HopRecord>& hops) {
        for (const v1::HopRecord& hop : hops) {
          for (const v1::Forwarding& forwarding : hop.forwarded()) {
            if (forwarding.route() == route) return true;
          }
        }
        return false;
      };
  if (marked(stored.hops())) return true;
  for (const v1::Path& path : stored.other_paths()) {
    if (marked(path.hops())) return true;
  }
  return false;
}

// One path's hops as a table, one row per hop and one more per extra
// forwarding, then what does not fit in a cell: refusals, why a report went
// another way than to the parent, and the path's overall time.
std::string HopTable(
    const google::protobuf::RepeatedPtrField<v1::HopRecord>& hops) {
  TextTable table(
      CurrentDisplay().lang == Lang::kZh
          ? std::vector<std::string>{"跳", "节点", "来自", "收到", "存储",
                                     "停留", "报往", "报出", "上级签收", "次数",
                                     "传输（跨时钟）"}
          : std::vector<std::string>{"HOP", "NODE", "RECEIVED FROM",
                                     "RECEIVED AT", "STORED AT", "DWELL",
                                     "FORWARDED TO", "SENT AT", "ACKED AT",
                                     "TRIES", "TRANSIT (CROSS-CLOCK)"});
  std::string notes;
  for (int h = 0; h < hops.size(); ++h) {
    const v1::HopRecord& hop = hops.Get(h);
    const v1::HopRecord* next =
        h + 1 < hops.size() ? &hops.Get(h + 1) : nullptr;
    const google::protobuf::Timestamp& day = hop.received_at();
    std::vector<std::string> hop_cells = {absl::StrCat(h + 1),
                                          RegionLabel(hop.node()),
                                          ResponsibleLabel(hop.received_from()),
                                          FormatTimestamp(hop.received_at()),
                                          FormatTimeOfDay(hop.stored_at(), day),
                                          Dwell(hop)};
    if (hop.forwarded().empty()) {
      // A hop before the last one always forwarded; say so if it left no
      // record.
      hop_cells.push_back(next == nullptr ? "-" : "(no record)");
      table.AddRow(std::move(hop_cells));
      continue;
    }
    const int to_next = ForwardingTo(hop, next);
    for (int f = 0; f < hop.forwarded_size(); ++f) {
      const v1::Forwarding& forwarding = hop.forwarded(f);
      std::vector<std::string> row =
          f == 0 ? hop_cells : std::vector<std::string>(hop_cells.size());
      std::string transit;
      if (f == to_next && IsSet(forwarding.sent_at()) &&
          IsSet(next->received_at())) {
        transit = FormatShortDuration(FromProto(next->received_at()) -
                                      FromProto(forwarding.sent_at()));
      }
      const std::string to = absl::StrCat(UpstreamName(forwarding.to()),
                                          RouteMark(forwarding.route()));
      std::string acked = FormatTimeOfDay(forwarding.acked_at(), day);
      if (!forwarding.refused().empty()) {
        acked = "REFUSED";
        absl::StrAppend(&notes, "Hop ", h + 1, " -> ",
                        RegionLabel(forwarding.to()),
                        " refused: ", forwarding.refused(), "\n");
      }
      if (forwarding.route() == v1::ROUTE_ESCALATED ||
          (!RouteMark(forwarding.route()).empty() &&
           !forwarding.reason().empty())) {
        absl::StrAppend(&notes, "Hop ", h + 1, " -> ", to, ": ",
                        forwarding.reason().empty() ? "no reason recorded"
                                                    : forwarding.reason(),
                        "\n");
      }
      row.insert(row.end(),
                 {to, FormatTimeOfDay(forwarding.sent_at(), day), acked,
                  absl::StrCat(forwarding.attempts()), transit});
      table.AddRow(std::move(row));
    }
  }

  std::string text = table.Render();
  if (!notes.empty()) absl::StrAppend(&text, "\n", notes);
  const v1::HopRecord& first = hops.Get(0);
  const v1::HopRecord& last = hops.Get(hops.size() - 1);
  if (hops.size() > 1 && IsSet(first.received_at()) &&
      IsSet(last.stored_at())) {
    absl::StrAppend(&text,
                    Words("\nFirst hop received -> last hop stored: ",
                          "\n首跳收到至末跳存储："),
                    FormatShortDuration(FromProto(last.stored_at()) -
                                        FromProto(first.received_at())),
                    Words(" (cross-clock)\n", "（跨时钟）\n"));
  }
  return text;
}

// Where the information came from: the kind, the outlet and times, and
// the node's note ("learned from media (…), 22 h after it happened").
std::string DescribeSource(const v1::IncidentReport& report) {
  const v1::InformationSource& source = report.source();
  std::string text = ValueName(*v1::SourceKind_descriptor(), source.kind());
  if (!source.outlet().empty()) absl::StrAppend(&text, " ", source.outlet());
  if (!source.url().empty()) absl::StrAppend(&text, " ", source.url());
  if (IsSet(source.published_at())) {
    absl::StrAppend(&text, ", published ",
                    FormatTimestamp(source.published_at()));
  }
  if (IsSet(source.learned_at())) {
    absl::StrAppend(&text, ", learned ", FormatTimestamp(source.learned_at()));
  }
  if (!source.detail().empty()) absl::StrAppend(&text, "; ", source.detail());
  std::string note = SourceNote(report);
  if (!note.empty()) absl::StrAppend(&text, " — ", note);
  return text;
}

}  // namespace

std::string FormatReport(const v1::IncidentReport& report) {
  std::string text = Banner(report.status());
  AddField({"Report", "报告编号"}, report.report_id(), text);
  AddField({"Headline", "标题"},
           report.headline().empty() ? "-" : report.headline(), text);
  AddField(
      {"Event", "事件"},
      absl::StrCat(report.event_id(), " #", report.event_seq(),
                   report.event_label().empty()
                       ? ""
                       : absl::StrCat(Words(" (filed as ", "（报送时编号 "),
                                      report.event_label(), Words(")", "）"))),
      text);
  AddField({"Kind", "报告类型"},
           ValueName(*v1::ReportKind_descriptor(), report.kind()), text);
  AddField({"Status", "性质"},
           ValueName(*v1::ReportStatus_descriptor(), report.status()), text);
  AddField({"Category", "类别"},
           ValueName(*v1::Category_descriptor(), report.category()), text);
  AddField({"Grade", "等级"},
           ValueName(*v1::Grade_descriptor(), report.grade()), text);
  AddField({"Sensitivity", "敏感信息"}, DescribeSensitivity(report), text);
  AddField({"Classification", "密级"},
           ValueName(*v1::Classification_descriptor(), report.classification()),
           text);
  AddField({"Region", "发生地"}, RegionLabel(report.location().region_code()),
           text);
  AddField(
      {"Address", "详细地址"},
      report.location().address().empty() ? "-" : report.location().address(),
      text);
  AddField({"Unit", "报送单位"}, DescribeUnit(report.unit()), text);
  if (!report.origin().empty()) {
    AddField({"Origin", "首报来源"},
             report.origin_seq() == 0
                 ? ResponsibleLabel(report.origin())
                 : absl::StrCat(ResponsibleLabel(report.origin()), " #",
                                report.origin_seq()),
             text);
  }
  AddField({"Occurred", "发生时间"}, FormatTimestamp(report.occurred_at()),
           text);
  AddField({"Reportable", "应报时间"}, FormatTimestamp(report.reportable_at()),
           text);
  AddField({"Unit informed", "单位获悉"},
           FormatTimestamp(report.unit_informed_at()), text);
  AddField({"Authored", "填报时间"}, FormatTimestamp(report.authored_at()),
           text);
  if (IsSet(report.next_report_due())) {
    AddField({"Next report due", "下次续报"},
             FormatTimestamp(report.next_report_due()), text);
  }
  AddFieldIfSet({"Supersedes", "接续"}, report.supersedes(), text);
  if (report.has_source()) {
    AddField({"Source", "信息来源"}, DescribeSource(report), text);
  }
  AddField({"Harm", "伤亡损失"},
           report.has_harm() ? DescribeHarm(report.harm())
                             : Words("not reported", "未报"),
           text);
  AddFieldIfSet({"Course", "事件经过"}, report.course(), text);
  AddFieldIfSet({"Cause", "原因"}, report.cause(), text);
  if (report.trend() != v1::TREND_UNSPECIFIED || !report.trend_text().empty()) {
    std::string trend = ValueName(*v1::Trend_descriptor(), report.trend());
    if (!report.trend_text().empty()) {
      absl::StrAppend(&trend, Words(": ", "："), report.trend_text());
    }
    AddField({"Trend", "发展趋势"}, trend, text);
  }
  AddFieldIfSet({"Measures", "已采取措施"}, report.measures(), text);
  AddFieldIfSet({"Help needed", "需要帮助"}, report.help_needed(), text);
  return text;
}

std::string FormatHopTimeline(const v1::StoredReport& stored) {
  std::string text = stored.hops().empty()
                         ? Words("No hop records.\n", "无逐级记录。\n")
                         : HopTable(stored.hops());
  for (const v1::Path& path : stored.other_paths()) {
    absl::StrAppend(
        &text, Words("\nAlso arrived by another path:\n", "\n另一路径送达：\n"),
        path.hops().empty() ? Words("No hop records.\n", "无逐级记录。\n")
                            : HopTable(path.hops()));
  }
  if (stored.hops().empty() && stored.other_paths().empty()) return text;
  const bool utc = CurrentDisplay().zone == TimeZoneChoice::kUtc;
  absl::StrAppend(
      &text,
      Words(utc ? "\nTimes are UTC" : "\nTimes are Beijing time (+08:00)",
            utc ? "\n时间为 UTC" : "\n时间为北京时间"),
      Words(", each on its own node's clock; a time without a date falls on\n"
            "the day of that hop's RECEIVED AT. DWELL: stored until first "
            "sent, on one clock.\nTRANSIT: next hop's received-at minus this "
            "hop's sent-at, across two clocks:\nit includes their skew (it "
            "may even be negative). ACKED AT is filled in only\nfor the "
            "answering node's own forwardings.\n",
            "，各取所在节点的时钟；只有时分秒的时间与该跳“收到”同一天。\n"
            "停留：存储至首次报出，同一时钟。传输：下一跳收到减本跳报出，"
            "跨两个时钟，含时钟偏差（可能为负）。\n"
            "上级签收仅在本节点自己的报出中填写。\n"));
  // A legend for the route marks that appear.
  if (HasRoute(stored, v1::ROUTE_DIRECT) ||
      HasRoute(stored, v1::ROUTE_ESCALATED)) {
    absl::StrAppend(
        &text,
        Words("(direct): sent straight to the province as well (grade I/II "
              "or sensitive).\n(escalated): sent past an unreachable parent "
              "because a deadline was at risk;\nthe parent still gets its "
              "copy.\n",
              "（直报）：Ⅰ/Ⅱ级或敏感信息同时直报省政府。\n"
              "（越级）：上级无法连接且时限将到，越级报送；上级仍会收到。\n"));
  }
  if (HasRoute(stored, v1::ROUTE_ACROSS)) {
    absl::StrAppend(&text,
                    Words("(across): between a department and its "
                          "region's government (左右交错).\n",
                          "（横向）：部门与本级政府之间（左右交错）。\n"));
  }
  return text;
}

std::string FormatBreaches(const v1::StoredReport& stored, double time_scale) {
  const std::string tag = StatusTag(stored.report().status());
  TextTable table({"RULE", "RESPONSIBLE", "DUE", "MET AT", "LATE",
                   "RECORDED BY", "DETAIL"});
  // The paths share their first hops: list each recorded breach once.
  absl::flat_hash_set<std::string> seen;
  int rows = 0;
  auto add =
      [&](const google::protobuf::RepeatedPtrField<v1::HopRecord>& hops) {
        for (const v1::HopRecord& hop : hops) {
          for (const v1::Breach& breach : hop.breaches()) {
            if (!seen.insert(absl::StrCat(hop.node(), "\n",
                                          breach.SerializeAsString()))
                     .second) {
              continue;
            }
            const std::string mark =
                !tag.empty() ? tag : (breach.drill() ? "[DRILL]" : "");
            std::string rule = DeadlineRuleInWords(
                breach.rule(), breach.start(), breach.due(), time_scale);
            if (!mark.empty()) rule = absl::StrCat(mark, " ", rule);
            const bool met = IsSet(breach.met_at());
            table.AddRow({std::move(rule),
                          ResponsibleLabel(breach.responsible()),
                          FormatTimestamp(breach.due()),
                          met ? FormatTimeOfDay(breach.met_at(), breach.due())
                              : "outstanding",
                          met ? DeadlineTiming(breach.due(), breach.met_at(),
                                               absl::InfinitePast(), time_scale)
                              : "still open when recorded",
                          hop.node(), breach.detail()});
            ++rows;
          }
        }
      };
  add(stored.hops());
  for (const v1::Path& path : stored.other_paths()) add(path.hops());
  if (rows == 0) return "";
  return absl::StrCat("Breaches recorded on the way:\n", table.Render());
}

std::string FormatDeadlines(const v1::GetReportResponse& response,
                            absl::Time now) {
  if (response.deadlines().empty()) return "";
  const std::string tag = StatusTag(response.report().report().status());
  const bool zh = CurrentDisplay().lang == Lang::kZh;
  std::vector<std::string> header =
      zh ? std::vector<std::string>{"状态", "规则", "责任单位", "时限",
                                    "完成 / 剩余"}
         : std::vector<std::string>{"STATE", "RULE", "RESPONSIBLE", "DUE",
                                    "MET / TIME LEFT"};
  bool any_detail = false;
  for (const v1::DeadlineStatus& deadline : response.deadlines()) {
    any_detail = any_detail || !deadline.detail().empty();
  }
  if (any_detail) header.push_back(zh ? "说明" : "DETAIL");
  TextTable table(std::move(header));
  bool open = false;
  for (const v1::DeadlineStatus& deadline : response.deadlines()) {
    const std::string mark =
        !tag.empty() ? tag : (deadline.drill() ? "[DRILL]" : "");
    std::string state = DeadlineStateLabel(deadline.state());
    if (!mark.empty()) state = absl::StrCat(mark, " ", state);
    std::string timing = DeadlineTiming(deadline.due(), deadline.met_at(), now,
                                        response.time_scale());
    if (IsSet(deadline.met_at()) && zh) {
      timing = absl::StrCat(FormatTimeOfDay(deadline.met_at(), deadline.due()),
                            " 完成，", timing);
    } else if (IsSet(deadline.met_at())) {
      // "met 12:00:00.020Z, 1h59m early" rather than "met ..., met ...".
      absl::string_view how = timing;
      absl::ConsumePrefix(&how, "met ");
      timing = absl::StrCat("met ",
                            FormatTimeOfDay(deadline.met_at(), deadline.due()),
                            ", ", how);
    } else {
      open = true;
    }
    std::vector<std::string> row = {
        std::move(state),
        DeadlineRuleInWords(deadline.rule(), deadline.start(), deadline.due(),
                            response.time_scale()),
        ResponsibleLabel(deadline.responsible()),
        FormatTimestamp(deadline.due()), std::move(timing)};
    if (any_detail) row.push_back(deadline.detail());
    table.AddRow(std::move(row));
  }
  std::string text =
      absl::StrCat(CurrentDisplay().lang == Lang::kZh
                       ? absl::StrCat("时限（", RegionLabel(response.node()),
                                      " 当前所见）：\n")
                       : absl::StrCat("Deadlines (as seen by node ",
                                      response.node(), " now):\n"),
                   table.Render());
  if (open && now != absl::InfinitePast() && zh) {
    absl::StrAppend(&text, "状态为节点 ", RegionLabel(response.node()),
                    " 的判定；剩余时间按本机时钟计算。\n");
  } else if (open && now != absl::InfinitePast()) {
    absl::StrAppend(&text, "STATE is node ", response.node(),
                    "'s verdict; TIME LEFT is counted on this machine's "
                    "clock.\n");
  }
  return text;
}

std::string FormatShow(const v1::GetReportResponse& response, absl::Time now) {
  std::string text = absl::StrCat(
      FormatReport(response.report().report()),
      CurrentDisplay().lang == Lang::kZh
          ? absl::StrCat("\n逐级记录（", RegionLabel(response.node()),
                         " 所存）：\n")
          : absl::StrCat("\nHops (as node ", response.node(),
                         " holds them):\n"),
      FormatHopTimeline(response.report()));
  const std::string breaches =
      FormatBreaches(response.report(), response.time_scale());
  if (!breaches.empty()) absl::StrAppend(&text, "\n", breaches);
  const std::string deadlines = FormatDeadlines(response, now);
  if (!deadlines.empty()) absl::StrAppend(&text, "\n", deadlines);
  return text;
}

}  // namespace kuaibao
