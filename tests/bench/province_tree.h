#ifndef KUAIBAO_TESTS_BENCH_PROVINCE_TREE_H_
#define KUAIBAO_TESTS_BENCH_PROVINCE_TREE_H_

// The province's whole tree as real kuaibao-node processes (the province,
// the cities, the counties of deploy/regions/shanxi-2022.csv) and one
// Intake stream per township from a load generator. Shared by the fan-in
// benchmark and the whole-province drill (tests/drill/).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "relay/region.h"
#include "tests/bench/bench_context.h"
#include "tests/bench/report_generator.h"
#include "tests/bench/submit_stream.h"
#include "tests/integration/node_process.h"

namespace kuaibao::bench {

struct TreeNode {
  explicit TreeNode(const Region* r) : region(r) {}
  const Region* region;
  std::unique_ptr<testing::NodeProcess> process;
};

struct Township {
  Township(const Region* r, const Region* c) : region(r), county(c) {}
  const Region* region;
  const Region* county;
  std::unique_ptr<SubmitStream> stream;
};

// The counties of the tree: real counties only (the functional zones, code
// digits 5-6 = "71", are left out), at most `limit`, in code order.
std::vector<const Region*> Counties(const RegionTable& regions, size_t limit);

// The certificates a tree of `counties` counties needs (certs/pki.sh
// specs): a node certificate for each node and a load generator's client
// certificate per county.
std::vector<std::string> TreeCertificateSpecs(const RegionTable& regions,
                                              size_t counties);

// Makes the PKI as deployed (certs/pki.sh issue, then crl): root, issuing
// CAs, `specs` and the CRLs, which the nodes then check.
absl::Status MakeCertificates(const std::string& pki_dir,
                              const std::vector<std::string>& specs);

// A tree holds thousands of connections in one process: lifts the soft
// limit on open files to the hard one.
void RaiseFileLimit();

// The province (nodes[0]), the cities above the counties (then), the
// counties (from first_county on), each a process under
// ctx.work_dir/<dir>/<region>.
class ProvinceTree {
 public:
  // Called as nodes serve: how many serve, of how many.
  using Progress = std::function<void(size_t serving, size_t total)>;

  // Starts the tree top-down, each level side by side, every node under its
  // parent, the counties with the province as their ancestor (the direct
  // route for grade I/II reports, escalation past an unreachable city).
  absl::Status Start(const BenchContext& ctx, const std::string& dir,
                     size_t counties, const Progress& progress = nullptr);

  // Opens one stream per township of the tree's counties (its own
  // connection to its county, the county's load generator certificate) and
  // sends a roll call over each (TEST reports "rc-<township>" and
  // "rc-<township>-end", which closes its event) until every stream was
  // answered. Streams give up after `deadline`.
  absl::StatusOr<std::vector<Township>> OpenTownshipStreams(
      const BenchContext& ctx, ReportGenerator& generator, size_t window,
      absl::Duration deadline, absl::Duration patience) const;

  // Also run a standby for the province (deploy/README.md, "Standby
  // nodes"; certificate node-<province>-standby): the province's two nodes
  // name each other (peer_address), the cities list both (parent
  // standby_address) and so does the counties' province entry. Before
  // Start.
  void set_province_standby(bool on) { province_standby_wanted_ = on; }
  // The province's standby, nullptr if none.
  testing::NodeProcess* province_standby() const {
    return province_standby_.get();
  }

  std::vector<TreeNode>& nodes() { return nodes_; }
  const std::vector<TreeNode>& nodes() const { return nodes_; }
  size_t first_county() const { return first_county_; }
  // The node of `region`, nullptr if it is not in the tree.
  testing::NodeProcess* Node(const std::string& region) const;

 private:
  // Sets up the province's primary (port, peer) and launches its standby.
  absl::Status LaunchProvinceStandby(const BenchContext& ctx,
                                     const std::string& dir, int primary_port,
                                     int standby_port);

  std::vector<TreeNode> nodes_;
  bool province_standby_wanted_ = false;
  std::unique_ptr<testing::NodeProcess> province_standby_;
  size_t first_county_ = 0;
  std::map<std::string, testing::NodeProcess*> by_region_;
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_PROVINCE_TREE_H_
