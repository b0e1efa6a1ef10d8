#include "client/children_command.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/beijing_time.h"
#include "client/region_names.h"
#include "client/text_table.h"
#include "google/protobuf/util/json_util.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

std::string Condition(v1::ChildCondition c) {
  switch (c) {
    case v1::CHILD_CONDITION_CONNECTED:
      return "connected";
    case v1::CHILD_CONDITION_STALLED:
      return "STALLED";
    default:
      return "DOWN";
  }
}

std::string When(const google::protobuf::Timestamp& t) {
  return IsSet(t) ? FormatDisplayTime(FromProto(t), TimeZoneChoice::kBeijing)
                  : "-";
}

}  // namespace

int RunChildren(FeedClient& client, const CommandIo& io) {
  absl::StatusOr<v1::ListChildrenResponse> children = client.ListChildren();
  if (!children.ok()) {
    *io.err << "error: " << children.status().message() << "\n";
    return kExitFailure;
  }
  if (io.json) {
    std::string line;
    if (!google::protobuf::util::MessageToJsonString(*children, &line).ok()) {
      line = "{}";
    }
    *io.out << line << "\n";
    return kExitOk;
  }
  TextTable table({"node", "state", "last heard", "backlog", "oldest waiting",
                   "clock skew"});
  int down = 0;
  for (const v1::ChildLink& c : children->children()) {
    if (c.condition() != v1::CHILD_CONDITION_CONNECTED) ++down;
    std::string skew = "-";
    if (c.skew_known()) {
      skew = absl::StrFormat(
          "%+.1fs", absl::ToDoubleSeconds(FromDurationProto(c.clock_skew())));
    }
    table.AddRow(
        {absl::StrCat(c.depth() == 2 ? "  " : "", RegionLabel(c.region())),
         c.standby_acting() ? absl::StrCat(Condition(c.condition()),
                                           ", standby acting (备用节点在岗)")
                            : Condition(c.condition()),
         When(c.last_heard()), absl::StrCat(c.backlog_reports()),
         When(c.oldest_waiting_since()), skew});
  }
  *io.out << table.Render();
  *io.err << children->children_size() << " nodes below "
          << RegionLabel(children->node()) << ", " << down
          << " down or stalled\n";
  return kExitOk;
}

}  // namespace kuaibao
