#include "node/chain_verify_command.h"

#include "relay/hop_chain.h"
#include "relay/store/report_store.h"

namespace kuaibao {

int RunChainVerify(const NodeConfig& config, std::ostream& out,
                   std::ostream& err) {
  absl::StatusOr<std::unique_ptr<ReportStore>> store =
      ReportStore::Open(config.data_dir(), {});
  if (!store.ok()) {
    err << "kuaibao-node: cannot open the store '" << config.data_dir()
        << "': " << store.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<HopChain::Check> check = HopChain::Verify(**store);
  if (!check.ok()) {
    err << "kuaibao-node: cannot read the store: " << check.status().message()
        << "\n";
    return 2;
  }
  if (check->ok) {
    out << "hop chain of " << config.region() << ": " << check->links
        << " links, intact\n";
    return 0;
  }
  out << "hop chain of " << config.region() << ": BROKEN at link "
      << check->broken_at << ": " << check->problem << " (" << check->links
      << " links before it hold)\n";
  return 1;
}

}  // namespace kuaibao
