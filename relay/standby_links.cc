#include "relay/standby_links.h"

#include "absl/strings/str_cat.h"

namespace kuaibao {

std::string StandbyLink(const std::string& region) {
  return absl::StrCat(region, "~standby");
}

std::string PrimaryLink(const std::string& region) {
  return absl::StrCat(region, "~primary");
}

std::string PeerLinkOf(const std::string& region, bool standby) {
  return standby ? PrimaryLink(region) : StandbyLink(region);
}

std::string RegionOfLink(const std::string& link) {
  return link.substr(0, link.find('~'));
}

bool IsPeerCopy(const StoredReport& stored) {
  const int n = stored.hops_size();
  return n >= 2 && stored.hops(n - 1).node() == stored.hops(n - 2).node();
}

}  // namespace kuaibao
