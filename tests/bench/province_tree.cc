#include "tests/bench/province_tree.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "relay/base/status_macros.h"
#include "relay/proto_time.h"
#include "tests/bench/node_chain.h"

namespace kuaibao::bench {

std::vector<const Region*> Counties(const RegionTable& regions, size_t limit) {
  std::vector<const Region*> counties;
  for (const Region& r : regions.regions()) {
    if (r.level == Level::kCounty && r.code.substr(4, 2) != "71") {
      counties.push_back(&r);
    }
  }
  std::sort(counties.begin(), counties.end(),
            [](const Region* a, const Region* b) { return a->code < b->code; });
  if (counties.size() > limit) counties.resize(limit);
  return counties;
}

std::vector<std::string> TreeCertificateSpecs(const RegionTable& regions,
                                              size_t counties) {
  std::set<std::string> specs = {absl::StrCat("node:", kProvince)};
  for (const Region* c : Counties(regions, counties)) {
    specs.insert(absl::StrCat("node:", c->code));
    specs.insert(absl::StrCat("node:", c->parent));
    specs.insert(absl::StrCat("client:", c->code, ":loadgen"));
  }
  return {specs.begin(), specs.end()};
}

absl::Status MakeCertificates(const std::string& pki_dir,
                              const std::vector<std::string>& specs) {
  const std::string pki = absl::StrCat(KUAIBAO_SOURCE_DIR, "/certs/pki.sh");
  for (const std::string& command :
       {absl::StrCat(pki, " issue '", pki_dir, "' ", absl::StrJoin(specs, " "),
                     " >/dev/null"),
        absl::StrCat(pki, " crl '", pki_dir, "' >/dev/null")}) {
    if (std::system(command.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("failed: ", command));
    }
  }
  return absl::OkStatus();
}

void RaiseFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

absl::Status ProvinceTree::Start(const BenchContext& ctx,
                                 const std::string& dir, size_t counties,
                                 const Progress& progress) {
  const RegionTable& regions = ctx.regions;
  nodes_.clear();
  by_region_.clear();
  nodes_.push_back(TreeNode(regions.Find(kProvince)));
  std::vector<const Region*> chosen = Counties(regions, counties);
  for (const Region& r : regions.regions()) {
    if (r.level != Level::kCity) continue;
    for (const Region* c : chosen) {
      if (c->parent == r.code) {
        nodes_.push_back(TreeNode(&r));
        break;
      }
    }
  }
  first_county_ = nodes_.size();
  for (const Region* c : chosen) nodes_.push_back(TreeNode(c));

  // The province's two nodes must know each other's port before either
  // starts.
  int primary_port = 0, standby_port = 0;
  std::map<std::string, std::string> standbys;  // region → standby address
  if (province_standby_wanted_) {
    primary_port = testing::FreeLocalPort();
    standby_port = testing::FreeLocalPort();
    if (primary_port == 0 || standby_port == 0) {
      return absl::UnavailableError("no free port for the province's nodes");
    }
    standbys[kProvince] = absl::StrCat("127.0.0.1:", standby_port);
  }
  const size_t total = nodes_.size() + (province_standby_wanted_ ? 1 : 0);

  // Level by level: each level's nodes need their parents' ports.
  size_t serving = 0;
  const std::vector<std::pair<size_t, size_t>> levels = {
      {0, 1}, {1, first_county_}, {first_county_, nodes_.size()}};
  for (const auto& [from, to] : levels) {
    for (size_t i = from; i < to; ++i) {
      TreeNode& node = nodes_[i];
      node.process =
          MakeNode(ctx, dir + "/" + node.region->code, node.region->code);
      if (i >= first_county_) {
        SetAncestors(ctx, node.process.get(), {nodes_[0].process.get()},
                     standbys);
      }
      if (testing::NodeProcess* parent = Node(node.region->parent)) {
        node.process->SetParent(parent->region(), parent->port());
        auto standby = standbys.find(parent->region());
        if (standby != standbys.end()) {
          node.process->set_parent_standby(standby->second);
        }
      }
      if (i == 0 && province_standby_wanted_) {
        RETURN_IF_ERROR(
            LaunchProvinceStandby(ctx, dir, primary_port, standby_port));
      }
      RETURN_IF_ERROR(node.process->Launch());
    }
    if (from == 0 && province_standby_) {
      RETURN_IF_ERROR(province_standby_->WaitServing(absl::Seconds(120)));
      if (progress) progress(++serving, total);
    }
    for (size_t i = from; i < to; ++i) {
      RETURN_IF_ERROR(nodes_[i].process->WaitServing(absl::Seconds(120)));
      by_region_[nodes_[i].region->code] = nodes_[i].process.get();
      if (progress) progress(++serving, total);
    }
  }
  return absl::OkStatus();
}

absl::Status ProvinceTree::LaunchProvinceStandby(const BenchContext& ctx,
                                                 const std::string& dir,
                                                 int primary_port,
                                                 int standby_port) {
  testing::NodeProcess& primary = *nodes_[0].process;
  primary.set_port(primary_port);
  primary.AddExtraConfig(
      absl::StrCat("peer_address: \"127.0.0.1:", standby_port, "\"\n"));
  province_standby_ =
      MakeNode(ctx, absl::StrCat(dir, "/", kProvince, "-standby"), kProvince);
  province_standby_->set_cert_name(
      absl::StrCat("node-", kProvince, "-standby"));
  province_standby_->set_port(standby_port);
  province_standby_->AddExtraConfig(absl::StrCat(
      "standby: true\npeer_address: \"127.0.0.1:", primary_port, "\"\n"));
  return province_standby_->Launch();
}

testing::NodeProcess* ProvinceTree::Node(const std::string& region) const {
  auto it = by_region_.find(region);
  return it == by_region_.end() ? nullptr : it->second;
}

absl::StatusOr<std::vector<Township>> ProvinceTree::OpenTownshipStreams(
    const BenchContext& ctx, ReportGenerator& generator, size_t window,
    absl::Duration deadline, absl::Duration patience) const {
  std::vector<Township> townships;
  for (const Region& r : ctx.regions.regions()) {
    if (r.level != Level::kTownship || Node(r.parent) == nullptr) continue;
    townships.emplace_back(&r, ctx.regions.Find(r.parent));
  }
  for (Township& t : townships) {
    t.stream = std::make_unique<SubmitStream>(
        ClientChannel(ctx.pki_dir, LoadgenCert(t.county->code),
                      Node(t.county->code)->address(), true),
        window, deadline);
    // A test report timed now, and a final one that closes its event at
    // once: no deadline of the roll call stays open.
    const absl::Time now = absl::Now();
    IncidentReport roll_call = generator.Make(
        "rc-" + t.region->code, t.region->code, t.region->name, now);
    roll_call.set_status(REPORT_STATUS_TEST);
    roll_call.set_grade(GRADE_IV);
    for (auto* at :
         {roll_call.mutable_occurred_at(), roll_call.mutable_reportable_at(),
          roll_call.mutable_unit_informed_at()}) {
      *at = ToProto(now);
    }
    IncidentReport closing = roll_call;
    closing.set_report_id(roll_call.report_id() + "-end");
    closing.set_kind(REPORT_KIND_FINAL);
    closing.set_event_seq(1);
    closing.set_supersedes(roll_call.report_id());
    t.stream->Send(std::move(roll_call));
    t.stream->Send(std::move(closing));
  }
  for (Township& t : townships) {
    if (!t.stream->AwaitAnswers(2, patience)) {
      return absl::UnavailableError(absl::StrCat(
          "no receipt from ", t.county->code, " for ", t.region->code));
    }
  }
  return townships;
}

}  // namespace kuaibao::bench
