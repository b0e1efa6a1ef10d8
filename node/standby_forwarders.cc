#include "node/standby_forwarders.h"

#include "relay/base/status_macros.h"
#include "relay/standby_links.h"

namespace kuaibao {
namespace {

std::vector<const v1::Upstream*> UpstreamsOf(const NodeConfig& config) {
  std::vector<const v1::Upstream*> all;
  if (config.has_parent()) all.push_back(&config.parent());
  for (const v1::Upstream& a : config.ancestors()) all.push_back(&a);
  return all;
}

std::string PeerLink(const NodeConfig& config) {
  return PeerLinkOf(config.region(), config.standby());
}

}  // namespace

void AddStandbyLinks(const NodeConfig& config, RelayOptions* options) {
  options->standby = config.standby();
  if (!config.peer_address().empty()) {
    options->peer = PeerLink(config);
    // The other node must be able to keep everything this one keeps.
    options->link_clearance[options->peer] = config.max_classification();
  }
  for (const v1::Upstream* up : UpstreamsOf(config)) {
    if (up->standby_address().empty()) continue;
    const std::string link = StandbyLink(up->region());
    options->standby_of[up->region()] = link;
    options->link_clearance[link] = up->max_classification();
  }
}

absl::Status AddStandbyForwarders(
    const NodeConfig& config, const TlsPaths& tls, RelayEngine* relay,
    PeerRecords* peer_records, Clock* clock,
    std::vector<std::unique_ptr<Forwarder>>* forwarders) {
  std::vector<Forwarder::Options> links;
  if (!config.peer_address().empty()) {
    Forwarder::Options peer;
    peer.upstream = PeerLink(config);
    peer.address = config.peer_address();
    peer.peer_records = peer_records;
    links.push_back(std::move(peer));
  }
  for (const v1::Upstream* up : UpstreamsOf(config)) {
    if (up->standby_address().empty()) continue;
    Forwarder::Options standby;
    standby.upstream = StandbyLink(up->region());
    standby.address = up->standby_address();
    standby.on_demand = true;
    standby.from_standby = config.standby();
    links.push_back(std::move(standby));
  }
  if (links.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(tls));
  for (Forwarder::Options& options : links) {
    options.max_in_flight = config.max_in_flight();
    options.min_backoff = absl::Milliseconds(config.min_backoff_ms());
    options.max_backoff = absl::Milliseconds(config.max_backoff_ms());
    forwarders->push_back(std::make_unique<Forwarder>(std::move(options), relay,
                                                      credentials, clock));
  }
  return absl::OkStatus();
}

bool Acting(const RelayOptions& options,
            const std::vector<const Forwarder*>& links) {
  if (!options.standby) return true;
  for (const Forwarder* f : links) {
    if (f->options().upstream == options.peer) return !f->Snapshot().connected;
  }
  return true;
}

}  // namespace kuaibao
