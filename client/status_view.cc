#include "client/status_view.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/format.h"
#include "client/text_table.h"
#include "relay/admission_control.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

// Gaps shown per origin; the rest are counted.
constexpr int kGapsShown = 5;
// A certificate closer than this to its expiry is flagged.
constexpr absl::Duration kCertificateWarning = absl::Hours(14 * 24);

// "3.2s" since `then`, "-" when unset.
std::string Age(const google::protobuf::Timestamp& then,
                const google::protobuf::Timestamp& now) {
  if (!IsSet(then)) return "-";
  return FormatShortDuration(FromProto(now) - FromProto(then));
}

std::string LinkState(const v1::LinkStatus& link) {
  switch (link.condition()) {
    case v1::LINK_CONDITION_DOWN:
      return "down";
    case v1::LINK_CONDITION_IDLE:
      return "idle";
    case v1::LINK_CONDITION_MOVING:
      return "moving";
    case v1::LINK_CONDITION_STALLED:
      return "STALLED";
    default:
      return "?";
  }
}

// Standby nodes: which of the region's two nodes this is, and whether it
// acts for the region; empty for a node without a standby.
std::string StandbyLine(const v1::GetStatusResponse& status) {
  if (status.standby()) {
    return status.acting()
               ? "Standby node (备用节点), ACTING: its primary is unreachable; "
                 "it takes reports, forwards them and hands them to the "
                 "primary when it is back\n"
               : "Standby node (备用节点), idle: its primary is connected and "
                 "acting\n";
  }
  for (const v1::LinkStatus& link : status.links()) {
    if (link.upstream() == absl::StrCat(status.node(), "~standby")) {
      return "Primary node (主节点), acting; its standby is link " +
             link.upstream() + "\n";
    }
  }
  return "";
}

}  // namespace

std::string FormatNodeStatus(const v1::GetStatusResponse& status) {
  std::string text = absl::StrCat("Node ", status.node(), " at ",
                                  FormatTimestamp(status.now()), ": ");
  if (status.accepting()) {
    absl::StrAppend(&text, "taking new reports\n");
  } else {
    absl::StrAppend(&text, "NOT TAKING NEW REPORTS\n  ", status.refusal(),
                    "\n");
  }
  absl::StrAppend(&text, StandbyLine(status));
  auto limit = [](uint64_t bytes) {
    return bytes == 0 ? std::string("none") : FormatBytes(bytes);
  };
  absl::StrAppend(
      &text, "Backlog: ", FormatBytes(status.backlog_bytes()),
      " waiting upstream (limit ", limit(status.max_backlog_bytes()),
      "); store: ", FormatBytes(status.store_bytes()), " (limit ",
      limit(status.max_store_bytes()),
      "); disk: ", FormatBytes(status.free_disk_bytes()), " free (reserve ",
      FormatBytes(status.min_free_disk_bytes()), ")\n");
  if (IsSet(status.started_at())) {
    absl::StrAppend(&text, "Up ", Age(status.started_at(), status.now()),
                    " (since ", FormatTimestamp(status.started_at()), ")");
  }
  if (IsSet(status.certificate_expires_at())) {
    const absl::Duration left =
        FromProto(status.certificate_expires_at()) - FromProto(status.now());
    absl::StrAppend(&text, IsSet(status.started_at()) ? "; " : "",
                    "certificate valid until ",
                    FormatTimestamp(status.certificate_expires_at()));
    if (left <= absl::ZeroDuration()) {
      absl::StrAppend(&text,
                      "\nCERTIFICATE EXPIRED: peers refuse this node; renew "
                      "it (certs/pki.sh renew)");
    } else if (left < kCertificateWarning) {
      absl::StrAppend(&text, "\nCERTIFICATE EXPIRES in ",
                      FormatShortDuration(left),
                      ": renew it (certs/pki.sh renew); the node reads the "
                      "new files without a restart");
    }
  }
  if (IsSet(status.started_at()) || IsSet(status.certificate_expires_at())) {
    text += "\n";
  }
  if (status.links().empty()) {
    absl::StrAppend(&text, "No upstream: this node is the top.\n");
    return text;
  }
  TextTable table({"UPSTREAM", "ADDRESS", "STATE", "IN FLIGHT", "WAITING",
                   "HELD", "OLDEST WAITING", "LAST RECEIPT", "QUIET FOR"});
  for (const v1::LinkStatus& link : status.links()) {
    table.AddRow(
        {link.upstream(), link.address(), LinkState(link),
         absl::StrCat(link.in_flight()), absl::StrCat(link.waiting()),
         absl::StrCat(link.held()),
         Age(link.oldest_waiting_since(), status.now()),
         IsSet(link.last_receipt_at())
             ? absl::StrCat(Age(link.last_receipt_at(), status.now()), " ago")
             : "none yet",
         Age(link.quiet_since(), status.now())});
  }
  absl::StrAppend(&text, "\n", table.Render());
  for (const v1::LinkStatus& link : status.links()) {
    if (link.condition() == v1::LINK_CONDITION_STALLED) {
      absl::StrAppend(
          &text, "STALLED: ", link.upstream(),
          " is connected but has acknowledged nothing in flight for longer "
          "than ",
          FormatShortDuration(FromDurationProto(link.stall_after())),
          ". Check the node there; reports stay queued here.\n");
    }
    if (link.condition() == v1::LINK_CONDITION_DOWN && link.waiting() > 0) {
      absl::StrAppend(
          &text, "DOWN: ", link.upstream(), " (", link.address(),
          ") is unreachable; ", link.waiting(),
          link.waiting() == 1 ? " report waits" : " reports wait",
          " here, the oldest for ",
          Age(link.oldest_waiting_since(), status.now()),
          ". They go when it is back; check the network and the node there.\n");
    }
    if (link.held() > 0) {
      absl::StrAppend(&text, "HELD: ", link.held(),
                      link.held() == 1 ? " report" : " reports", " for ",
                      link.upstream(),
                      " stay here (refused there, or above the link's "
                      "classification); `kuaibao show ID` says why.\n");
    }
  }
  return text;
}

std::string FormatOrigins(const v1::ListOriginsResponse& page) {
  TextTable table({"ORIGIN", "HIGHEST", "HERE", "MISSING"});
  for (const v1::OriginRecord& origin : page.origins()) {
    std::vector<std::string> gaps;
    for (int i = 0; i < origin.gaps_size() && i < kGapsShown; ++i) {
      const v1::SequenceGap& gap = origin.gaps(i);
      std::string range = gap.first() == gap.last()
                              ? absl::StrCat(gap.first())
                              : absl::StrCat(gap.first(), "-", gap.last());
      gaps.push_back(absl::StrCat(range, " (",
                                  Age(gap.first_seen_at(), page.now()),
                                  gap.overdue() ? ", OVERDUE)" : ")"));
    }
    if (origin.gaps_size() > kGapsShown) {
      gaps.push_back(
          absl::StrCat("and ", origin.gaps_size() - kGapsShown, " more gaps"));
    }
    table.AddRow({origin.origin(), absl::StrCat(origin.high_water()),
                  absl::StrCat(origin.count()),
                  gaps.empty() ? "-" : absl::StrJoin(gaps, ", ")});
  }
  return table.Render();
}

void OriginTally::Add(const v1::ListOriginsResponse& page) {
  overdue_after = FormatShortDuration(FromDurationProto(page.overdue_after()));
  for (const v1::OriginRecord& origin : page.origins()) {
    ++origins;
    for (const v1::SequenceGap& gap : origin.gaps()) {
      ++gaps;
      missing += gap.last() - gap.first() + 1;
      overdue += gap.overdue();
    }
  }
}

std::string OriginTally::Summary() const {
  std::string text =
      absl::StrCat(origins, origins == 1 ? " origin" : " origins", "; ");
  if (gaps == 0) return absl::StrCat(text, "no numbers missing");
  absl::StrAppend(&text, missing, missing == 1 ? " number" : " numbers",
                  " missing in ", gaps, gaps == 1 ? " gap" : " gaps");
  if (overdue > 0) {
    absl::StrAppend(&text, ", ", overdue, overdue == 1 ? " gap" : " gaps",
                    " overdue (missing longer than ", overdue_after,
                    ": lost, withheld or held up on the way)");
  }
  return text;
}

}  // namespace kuaibao
