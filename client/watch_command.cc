#include "client/watch_command.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/beijing_time.h"
#include "client/enum_names.h"
#include "client/format.h"
#include "client/region_names.h"
#include "google/protobuf/util/json_util.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

std::string BeijingTime(const google::protobuf::Timestamp& t) {
  return FormatDisplayTime(FromProto(t), TimeZoneChoice::kBeijing);
}

std::string Short(const std::string& name, const std::string& prefix) {
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

}  // namespace

absl::StatusOr<std::vector<v1::Grade>> ParseGrades(const std::string& text) {
  std::vector<v1::Grade> grades;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::string g(part);
    if (g == "I" || g == "1") {
      grades.push_back(v1::GRADE_I);
    } else if (g == "II" || g == "2") {
      grades.push_back(v1::GRADE_II);
    } else if (g == "III" || g == "3") {
      grades.push_back(v1::GRADE_III);
    } else if (g == "IV" || g == "4") {
      grades.push_back(v1::GRADE_IV);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--grade: '", g, "' is not one of I, II, III, IV"));
    }
  }
  return grades;
}

std::string FeedLine(const v1::FeedItem& item) {
  std::string head = absl::StrCat("#", item.cursor(), " ",
                                  BeijingTime(item.recorded_at()), " ");
  if (item.has_report()) {
    const v1::ReportArrival& r = item.report();
    return absl::StrCat(
        head, "REPORT ", ValueName(*v1::Grade_descriptor(), r.grade()), " ",
        ValueName(*v1::Category_descriptor(), r.category()), " ",
        ValueName(*v1::ReportKind_descriptor(), r.kind()), " ",
        RegionLabel(r.region_code()), " ", r.report_id(), " event ",
        r.event_id(), r.sensitive() ? " SENSITIVE" : "",
        r.status() == v1::REPORT_STATUS_EXERCISE ||
                r.status() == v1::REPORT_STATUS_TEST
            ? " [DRILL]"
            : "",
        " ", r.headline());
  }
  if (item.has_deadline()) {
    const v1::DeadlineStatus& d = item.deadline().deadline();
    return absl::StrCat(head, "DEADLINE ", DeadlineStateLabel(d.state()), " ",
                        DeadlineRuleInWords(d.rule(), d.start(), d.due()), " ",
                        d.report_id().empty() ? d.event_id() : d.report_id(),
                        " responsible ", RegionLabel(d.responsible()), " due ",
                        BeijingTime(d.due()), d.drill() ? " [DRILL]" : "");
  }
  if (item.has_instruction()) {
    const v1::Instruction& i = item.instruction().instruction();
    return absl::StrCat(head, "INSTRUCTION ", i.instruction_id(), " event ",
                        i.event_id(), " to ", RegionLabel(i.target_region()),
                        " by ", i.issuer_title(), ": ", i.text());
  }
  if (item.has_feedback()) {
    const v1::Feedback& f = item.feedback().feedback();
    return absl::StrCat(
        head, "FEEDBACK ",
        Short(v1::FeedbackStatus_Name(f.status()), "FEEDBACK_STATUS_"), " ",
        f.instruction_id(), " from ", RegionLabel(f.from_node()), ": ",
        f.text());
  }
  if (item.has_link()) {
    const v1::LinkChange& l = item.link();
    return absl::StrCat(
        head, "LINK ", Short(v1::LinkSide_Name(l.side()), "LINK_SIDE_"), " ",
        RegionLabel(l.peer()), " ",
        Short(v1::LinkState_Name(l.state()), "LINK_STATE_"),
        l.detail().empty() ? "" : absl::StrCat(" (", l.detail(), ")"));
  }
  return absl::StrCat(head, "?");
}

int RunWatch(FeedClient& client, const WatchArgs& args, const CommandIo& io) {
  FollowOptions options;
  options.since = args.since;
  options.grades = args.grades;
  options.on_break = [&io](const absl::Status& status, uint64_t cursor) {
    *io.err << "note: feed interrupted (" << status.message()
            << "); resuming after #" << cursor << "\n";
    return true;
  };
  uint64_t seen = 0;
  absl::Status done =
      FollowFeed(client, options, [&](const v1::WatchResponse& r) {
        if (io.json) {
          std::string line;
          google::protobuf::util::JsonPrintOptions json;
          if (!google::protobuf::util::MessageToJsonString(r, &line, json)
                   .ok()) {
            line = "{}";
          }
          *io.out << line << "\n";
        } else {
          *io.out << FeedLine(r.item()) << "\n";
        }
        io.out->flush();
        return args.limit == 0 || ++seen < args.limit;
      });
  if (!done.ok()) {
    *io.err << "error: " << done.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace kuaibao
