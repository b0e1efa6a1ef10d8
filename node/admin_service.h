#ifndef KUAIBAO_NODE_ADMIN_SERVICE_H_
#define KUAIBAO_NODE_ADMIN_SERVICE_H_

#include <string>

#include "kuaibao/v1/operations.grpc.pb.h"
#include "relay/base/clock.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// Admin: the node's own administration, for the node's own certificate only
// (spiffe://kuaibao/node/<this region>). That certificate's key is readable
// only by the node's user on the node's machine, so this is as local as a
// Unix socket, without a second listener to secure: an operator there runs
// `kuaibao-node backup --config FILE`. A parent or child node has a node
// certificate too, but of another region.
//
// Backup streams the whole store as of the call (one LevelDB snapshot)
// while the node goes on serving; each call reads on a thread of its own and
// waits for the network, so a slow reader slows only itself.
class AdminService final : public v1::Admin::CallbackService {
 public:
  // Borrowed: `store` and `clock` outlive the service.
  AdminService(std::string region, std::string data_dir,
               const ReportStore* store, Clock* clock);

  grpc::ServerWriteReactor<v1::BackupChunk>* Backup(
      grpc::CallbackServerContext* context,
      const v1::BackupRequest* request) override;

 private:
  const std::string region_;
  const std::string data_dir_;
  const ReportStore* const store_;
  Clock* const clock_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_ADMIN_SERVICE_H_
