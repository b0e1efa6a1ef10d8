#include "node/store_repair_command.h"

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "relay/admission_control.h"
#include "relay/proto_time.h"
#include "relay/standby_links.h"
#include "relay/store_repair.h"

namespace kuaibao {
namespace {

// The links whose queues a repair rebuilds, as the node runs them
// (node/node_server.cc, node/standby_forwarders.cc): the parent (only what
// was on its way there at a standby, which forwards only while it acts),
// the levels above, the other node of this region, and the upstreams'
// standbys.
std::vector<RepairLink> RepairLinksOf(const NodeConfig& config) {
  std::vector<RepairLink> links;
  if (config.has_parent()) {
    links.push_back({config.parent().region(), config.standby()
                                                   ? RepairLink::kOnTheirWay
                                                   : RepairLink::kEvery});
  }
  std::vector<const v1::Upstream*> upstreams;
  if (config.has_parent()) upstreams.push_back(&config.parent());
  for (const v1::Upstream& a : config.ancestors()) {
    links.push_back({a.region(), RepairLink::kOnTheirWay});
    upstreams.push_back(&a);
  }
  if (!config.peer_address().empty()) {
    links.push_back(
        {PeerLinkOf(config.region(), config.standby()), RepairLink::kEvery});
  }
  for (const v1::Upstream* up : upstreams) {
    if (up->standby_address().empty()) continue;
    links.push_back({StandbyLink(up->region()), RepairLink::kOnTheirWay});
  }
  return links;
}

// "17-19, 240" for the gaps of one origin.
std::string Ranges(const OriginRecord& origin) {
  std::vector<std::string> parts;
  for (const SequenceGap& gap : origin.gaps()) {
    parts.push_back(gap.first() == gap.last()
                        ? absl::StrCat(gap.first())
                        : absl::StrCat(gap.first(), "-", gap.last()));
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace

int RunStoreRepair(const NodeConfig& config, Clock* clock, std::ostream& out,
                   std::ostream& err) {
  const std::string& dir = config.data_dir();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    err << "kuaibao-node: no data directory '" << dir << "' to repair\n";
    return 1;
  }
  absl::Time now = clock->TimeNow();
  const std::string copy = absl::StrCat(
      dir, ".damaged-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()));
  std::filesystem::copy(dir, copy, std::filesystem::copy_options::recursive,
                        ec);
  if (ec) {
    err << "kuaibao-node: cannot copy '" << dir << "' to '" << copy
        << "' before repairing (" << ec.message()
        << "); nothing was changed. Free space or copy it yourself first.\n";
    return 1;
  }
  absl::StatusOr<RepairSummary> summary =
      RepairStore(dir, RepairLinksOf(config), now);
  if (!summary.ok()) {
    err << "kuaibao-node: repair of '" << dir
        << "' failed: " << summary.status().message()
        << "\nThe damaged directory as it was is kept at '" << copy << "'.\n";
    return 1;
  }
  out << "repaired " << dir << "\n"
      << "  the damaged directory as it was is kept at " << copy << "\n"
      << "  log records dropped (checksum failed): "
      << summary->scrub.records_dropped << " ("
      << FormatBytes(summary->scrub.bytes_dropped) << ")\n"
      << "  reports recovered: " << summary->reports << "\n"
      << "  values removed (no longer decode): " << summary->undecodable.size()
      << "\n";
  for (const std::string& key : summary->undecodable) {
    out << "    " << key << "\n";
  }
  for (const auto& [upstream, queue] : summary->queues) {
    out << "  waiting for " << upstream << ": " << queue.waiting
        << " (queued again, no receipt recorded: "
        << summary->requeued[upstream] << "), held: " << queue.held << "\n";
  }
  out << "  origins: " << summary->origins.size() << "\n";
  for (const OriginRecord& origin : summary->origins) {
    out << "    " << origin.origin() << ": numbers up to "
        << origin.high_water() << ", " << origin.count() << " here";
    if (origin.gaps_size() > 0) out << "; missing here: " << Ranges(origin);
    out << "\n";
  }
  out << "Start the node: it sends every waiting report, and the parent "
         "acknowledges again what it already has.\n"
         "Numbers missing here were lost in the damage unless the parent "
         "already acknowledged them (kuaibao origins at the parent); the "
         "clients' receipts name every report this node acknowledged.\n";
  return 0;
}

}  // namespace kuaibao
