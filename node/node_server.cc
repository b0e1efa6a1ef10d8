#include "node/node_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "node/admin_service.h"
#include "node/audit_service.h"
#include "node/cert_identity.h"
#include "node/child_streams.h"
#include "node/children_view.h"
#include "node/clock_watch.h"
#include "node/command_service.h"
#include "node/crl_monitor.h"
#include "node/deadline_loop.h"
#include "node/department_config.h"
#include "node/evidence_service.h"
#include "node/forwarder.h"
#include "node/metrics_server.h"
#include "node/monitor_service.h"
#include "node/node_metrics.h"
#include "node/node_monitor.h"
#include "node/node_services.h"
#include "node/peer_chain_check.h"
#include "node/peer_guard.h"
#include "node/server_limits.h"
#include "node/standby_forwarders.h"
#include "relay/base/files.h"
#include "relay/base/log.h"
#include "relay/base/status_macros.h"
#include "relay/feed_hub.h"
#include "relay/feed_items.h"
#include "relay/node_id.h"
#include "relay/proto_time.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {
namespace {

absl::Status WritePortFile(const std::string& path, int port) {
  // Write then rename, so a reader never sees a half-written file.
  std::string tmp = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.good()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write port file '", tmp, "'"));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write port file '", path, "': ", ec.message()));
  }
  return absl::OkStatus();
}

class NodeServerImpl final : public NodeServer {
 public:
  ~NodeServerImpl() override { Shutdown(absl::Seconds(5)); }

  int port() const override { return port_; }

  void Shutdown(absl::Duration grace) override {
    if (stopped_) return;
    stopped_ = true;
    // Order matters: no new calls, then no new sends, then the store.
    metrics_server_.reset();
    if (monitor_) monitor_->Shutdown();
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(grace));
    }
    if (guard_) guard_->Shutdown();
    if (deadline_loop_) deadline_loop_->Shutdown();
    for (auto& f : forwarders_) f->Shutdown();
    if (crl_monitor_) crl_monitor_->Shutdown();
    forwarders_.clear();
    monitor_.reset();
    deadline_loop_.reset();
    metrics_.reset();
    services_.clear();
    children_.reset();
    instructions_.reset();
    if (relay_ && server_) {
      // Once per run: how the forwarders' reads of the outbox were served
      // (kuaibao_outbox_next_total), for a run without a metrics scrape.
      Log(LogLevel::kInfo, "outbox reads",
          {{"from_memory", absl::StrCat(relay_->outbox_next_from_memory())},
           {"from_store", absl::StrCat(relay_->outbox_next_from_store())}});
    }
    relay_.reset();
    store_.reset();
    if (server_) Log(LogLevel::kInfo, "node stopped");
  }

  absl::Status Init(const NodeConfig& config, Clock* clock) {
    ASSIGN_OR_RETURN(regions_, RegionTable::Load(config.regions_file()));
    absl::Status known = regions_.CheckKnown(config.region());
    if (!known.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("config region: ", known.message()));
    }
    TlsPaths tls = NodeTlsPaths(config);
    ASSIGN_OR_RETURN(std::string cert_pem,
                     ReadFileToString(tls.cert_file, "certificate"));
    absl::StatusOr<Identity> identity = IdentityOfCertificate(cert_pem);
    if (!identity.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(tls.cert_file, ": ", identity.status().message()));
    }
    if (identity->role != Role::kNode || identity->region != config.region() ||
        identity->department != config.department()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "certificate ", tls.cert_file, " names ", identity->uri,
          " but this node's config says ",
          IdentityUri(Role::kNode,
                      MakeNodeId(config.region(), config.department())),
          "; a node needs a node certificate for its own region (and "
          "department)"));
    }

    if (!tls.crl_dir.empty()) {
      crl_monitor_ = std::make_unique<CrlMonitor>(
          CrlMonitor::Options{tls.crl_dir, tls.ca_file, tls.cert_file,
                              absl::Hours(config.tls().crl_warn_hours())},
          clock);
      RETURN_IF_ERROR(crl_monitor_->CheckNow());
      crl_monitor_->Start();
    }

    ASSIGN_OR_RETURN(store_, ReportStore::Open(config.data_dir(), {}));
    // Records made here (or received from elsewhere) are copied to the
    // other node of this region from the first write on.
    if (!config.peer_address().empty()) {
      peer_records_ = std::make_unique<PeerRecords>(store_.get());
      peer_records_->CopyWrites();
    }
    store_->SetFeedListener(
        [hub = &feed_](const std::vector<v1::FeedItem>& items) {
          hub->Publish(items);
        });
    RelayOptions relay_options;
    relay_options.region = config.region();
    relay_options.max_classification = config.max_classification();
    if (config.has_parent()) {
      relay_options.parent = UpstreamNodeId(config.parent());
      relay_options.link_clearance[relay_options.parent] =
          config.parent().max_classification();
    }
    for (const v1::Upstream& a : config.ancestors()) {
      relay_options.ancestors.push_back(a.region());
      relay_options.link_clearance[a.region()] = a.max_classification();
    }
    AddStandbyLinks(config, &relay_options);
    if (!config.departments_file().empty()) {
      ASSIGN_OR_RETURN(departments_,
                       DepartmentTable::Load(config.departments_file()));
    }
    RETURN_IF_ERROR(
        ApplyDepartmentConfig(config, regions_, departments_, &relay_options));
    relay_options.deadlines = DeadlinesOf(config);
    ASSIGN_OR_RETURN(relay_, RelayEngine::Open(relay_options, store_.get(),
                                               &regions_, clock));
    admission_ = std::make_unique<AdmissionControl>(
        config.region(), AdmissionControl::Limits{config.max_store_bytes(),
                                                  config.min_free_disk_bytes(),
                                                  config.max_backlog_bytes()});
    relay_->SetAdmissionControl(admission_.get());
    ASSIGN_OR_RETURN(signer_, ReceiptSigner::Load(tls.cert_file, tls.key_file));
    relay_->SetReceiptSigner(signer_.get());

    // Real time: a test's clock moved by days must not end every stream.
    guard_ = std::make_shared<PeerGuard>(
        PeerGuard::Options{PeerAbuseWatch::Limits{
                               static_cast<int>(config.max_cancelled_calls()),
                               absl::Seconds(10),
                               absl::Milliseconds(config.abuse_cooldown_ms()),
                               static_cast<int>(config.max_started_calls())},
                           absl::Milliseconds(config.stalled_stream_ms())},
        &RealClock::Get());
    auto peer_check =
        std::make_shared<PeerChainCheck>(tls.crl_dir, tls.ca_file, clock);
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> server_creds,
                     MakeServerCredentials(tls, [peer_check, guard = guard_](
                                                    const std::string& leaf,
                                                    const std::string& chain) {
                       absl::Status status = guard->CheckHandshake(leaf);
                       if (status.ok()) status = peer_check->Check(leaf, chain);
                       if (!status.ok()) guard->LogRefusedHandshake(status);
                       return status;
                     }));
    guard_->InstallGate(server_creds.get());
    client_limiter_ = std::make_unique<RateLimiter>(
        RateLimiter::Limit{
            config.client_rate_limit().reports_per_second(),
            static_cast<double>(config.client_rate_limit().burst())},
        clock);
    node_limiter_ = std::make_unique<RateLimiter>(
        RateLimiter::Limit{
            config.node_rate_limit().reports_per_second(),
            static_cast<double>(config.node_rate_limit().burst())},
        clock);
    skew_ = std::make_unique<ClockSkewTracker>(
        absl::Milliseconds(config.max_clock_skew_ms()));
    instructions_ = std::make_unique<InstructionBook>(
        InstructionBookOptions{config.region(), config.parent().region(),
                               relay_options.deadlines},
        store_.get(), clock);
    if (peer_records_) peer_records_->SetInstructionBook(instructions_.get());
    roll_calls_ = std::make_unique<RollCallBook>(instructions_.get(),
                                                 store_.get(), &regions_, clock,
                                                 relay_options.deadlines);
    children_ = std::make_unique<ChildStreams>(instructions_.get());
    children_->SetLinkListener(
        [this, clock](const std::string& child, bool connected) {
          relay_->RecordInFeed(LinkItem(
              v1::LINK_SIDE_CHILD, child,
              connected ? v1::LINK_STATE_CONNECTED : v1::LINK_STATE_DOWN,
              connected ? "relay stream opened" : "relay stream ended", child,
              clock->TimeNow()));
        });
    instructions_->SetListeners(
        [this](const std::string& child) { children_->Deliver(child); },
        [this] {
          if (!forwarders_.empty()) forwarders_.front()->Wake();  // parent
        });
    // The forwarders exist before the services that show them; they start
    // once the node serves.
    std::vector<const v1::Upstream*> upstreams;
    if (config.has_parent()) upstreams.push_back(&config.parent());
    for (const v1::Upstream& a : config.ancestors()) upstreams.push_back(&a);
    for (const v1::Upstream& a : config.across()) upstreams.push_back(&a);
    const bool department = !config.department().empty();
    if (!upstreams.empty()) {
      ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> channel_creds,
                       MakeChannelCredentials(tls));
      for (const v1::Upstream* upstream : upstreams) {
        Forwarder::Options options;
        options.upstream = UpstreamNodeId(*upstream);
        options.address = upstream->address();
        options.max_in_flight = config.max_in_flight();
        options.min_backoff = absl::Milliseconds(config.min_backoff_ms());
        options.max_backoff = absl::Milliseconds(config.max_backoff_ms());
        // The parent's stream stays open, and a department's to its
        // government (everything it takes goes there too); the levels above
        // and a government's departments are dialled only when something
        // must go straight to them. A standby's parent link too: it has
        // something to send only while it acts, and an idle stream of its
        // would stand in for its primary's at the parent (the way down for
        // instructions).
        const bool parent_link = upstream == &config.parent();
        options.from_standby = config.standby();
        options.on_demand =
            parent_link
                ? config.standby()
                : !(department && upstream->region() == config.region());
        // Instructions come down, and feedback goes up, the parent's stream.
        if (parent_link) options.instructions = instructions_.get();
        // And the state of this node and its children (Monitor.ListChildren
        // at the parent); a standby's while its stream is open, so that
        // the parent shows it acting.
        if (parent_link) {
          options.subtree_status =
              [this, clock,
               stall_after = absl::Milliseconds(config.stall_after_ms())] {
                return SubtreeStatusNow(clock->TimeNow(), stall_after);
              };
        }
        options.on_receipt = [this, upstream = options.upstream](
                                 absl::Time sent, const Receipt& receipt,
                                 absl::Time arrived) {
          WatchReceipt(skew_.get(), upstream, sent, receipt, arrived);
        };
        forwarders_.push_back(std::make_unique<Forwarder>(
            options, relay_.get(), channel_creds, clock));
      }
    }
    // After the parent's: forwarders_.front() is the parent's.
    RETURN_IF_ERROR(AddStandbyForwarders(
        config, tls, relay_.get(), peer_records_.get(), clock, &forwarders_));
    std::vector<const Forwarder*> links;
    for (auto& f : forwarders_) links.push_back(f.get());
    const absl::Duration stall_after =
        absl::Milliseconds(config.stall_after_ms());
    services_.push_back(std::make_unique<IntakeService>(
        relay_.get(), client_limiter_.get(), &counters_, guard_->streams()));
    auto relay_service = std::make_unique<RelayService>(
        relay_.get(), node_limiter_.get(), &counters_, instructions_.get(),
        children_.get(), clock, skew_.get(), guard_->streams());
    relay_service->SetPeerRecords(peer_records_.get());
    services_.push_back(std::move(relay_service));
    services_.push_back(std::make_unique<QueryService>(
        relay_.get(), instructions_.get(), clock, &feed_));
    services_.push_back(std::make_unique<CommandService>(
        instructions_.get(), roll_calls_.get(), relay_.get(), clock));
    services_.push_back(std::make_unique<EvidenceService>(relay_.get(), clock));
    services_.push_back(std::make_unique<AuditService>(
        AuditService::Options{absl::Seconds(config.gap_overdue_after_s())},
        relay_.get(), instructions_.get(), skew_.get(), clock));
    auto monitor_service = std::make_unique<MonitorService>(
        MonitorService::Options{stall_after,
                                absl::Seconds(config.gap_overdue_after_s()),
                                config.tls().cert_file()},
        relay_.get(), admission_.get(), links, clock);
    monitor_service->SetChildren(&regions_, children_.get(), skew_.get());
    services_.push_back(std::move(monitor_service));
    services_.push_back(std::make_unique<AdminService>(
        config.region(), config.data_dir(), store_.get(), clock));

    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    ApplyServerLimits(config, &builder);
    guard_->Install(&builder);
    builder.AddListeningPort(config.listen_address(), server_creds, &port_);
    for (auto& service : services_) builder.RegisterService(service.get());
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port_ == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", config.listen_address(),
                       " (address in use, or not an address of this host)"));
    }

    if (!forwarders_.empty()) {
      // Only the links a write queued reports for, and the one carrying
      // peer records (the write may have queued some for the other node of
      // the region): a write must not make every idle link read its outbox.
      relay_->SetOutboxListener(
          [this](const std::vector<std::string>& upstreams) {
            for (auto& f : forwarders_) {
              // The link carrying peer records has those to send too: its
              // thread sends both.
              if (f->options().peer_records != nullptr) {
                f->Wake();
              } else if (std::binary_search(upstreams.begin(), upstreams.end(),
                                            f->options().upstream)) {
                f->Offer();
              }
            }
          });
      for (auto& f : forwarders_) f->Start();
    }
    deadline_loop_ = std::make_unique<DeadlineLoop>(relay_.get(), clock,
                                                    relay_options.deadlines);
    // 日报: the next round of a repeating roll call, on the same clock.
    deadline_loop_->AlsoEachTick([this](absl::Time now) {
      absl::StatusOr<int> rounds = roll_calls_->Tick(now);
      if (!rounds.ok()) {
        Log(LogLevel::kError, "cannot issue the next roll call round",
            {{"reason", std::string(rounds.status().message())}});
      } else if (*rounds > 0) {
        Log(LogLevel::kInfo, "roll call rounds issued",
            {{"rounds", absl::StrCat(*rounds)}});
      }
    });
    deadline_loop_->Start();
    monitor_ = std::make_unique<NodeMonitor>(
        NodeMonitor::Options{config.data_dir(), absl::Seconds(1), stall_after},
        relay_.get(), admission_.get(), links, server_->GetHealthCheckService(),
        clock);
    monitor_->Start();
    guard_->Start();
    RETURN_IF_ERROR(StartMetrics(config, links, clock));
    if (!config.port_file().empty()) {
      RETURN_IF_ERROR(WritePortFile(config.port_file(), port_));
    }
    Log(LogLevel::kInfo, "node serving",
        {{"region", departments_.Describe(regions_, relay_->options().node)},
         {"port", absl::StrCat(port_)},
         {"parent", config.has_parent()
                        ? absl::StrCat(config.parent().region(), " at ",
                                       config.parent().address())
                        : std::string("none")}});
    return absl::OkStatus();
  }

 private:
  // What this node reports up its parent's stream about itself and its
  // children.
  v1::SubtreeStatus SubtreeStatusNow(absl::Time now,
                                     absl::Duration stall_after) {
    v1::SubtreeStatus status;
    status.set_node(relay_->options().region);
    *status.mutable_now() = ToProto(now);
    status.set_accepting(relay_->IntakeRefusal().ok());
    status.set_backlog_bytes(relay_->backlog_bytes());
    const std::string& parent = relay_->options().parent;
    absl::StatusOr<Outbox::Summary> summary = relay_->Waiting(parent);
    if (summary.ok()) {
      status.set_backlog_reports(summary->waiting);
      if (summary->oldest_stored_at != absl::InfinitePast() &&
          summary->oldest_stored_at != absl::InfiniteFuture()) {
        *status.mutable_oldest_waiting_since() =
            ToProto(summary->oldest_stored_at);
      }
    }
    if (!forwarders_.empty()) {
      status.set_stalled(
          AssessLink(forwarders_.front()->Snapshot(), now, stall_after)
              .health == LinkHealth::kStalled);
    }
    if (relay_->options().standby) {
      std::vector<const Forwarder*> links;
      for (const auto& f : forwarders_) links.push_back(f.get());
      status.set_standby_acting(Acting(relay_->options(), links));
    }
    for (v1::ChildLink& child :
         DirectChildren(regions_, relay_->options().region, *children_,
                        skew_.get(), now)) {
      *status.add_children() = std::move(child);
    }
    return status;
  }

  // Serves metrics_address, when set; the port file after it serves.
  absl::Status StartMetrics(const NodeConfig& config,
                            std::vector<const Forwarder*> links, Clock* clock) {
    if (config.metrics_address().empty()) return absl::OkStatus();
    metrics_ = std::make_unique<NodeMetrics>(
        NodeMetrics::Options{config.tls().cert_file(), config.tls().ca_file(),
                             absl::Milliseconds(config.stall_after_ms()),
                             absl::Seconds(config.gap_overdue_after_s())},
        relay_.get(), instructions_.get(), admission_.get(), std::move(links),
        &counters_, clock);
    ASSIGN_OR_RETURN(metrics_server_,
                     MetricsServer::Start({config.metrics_address()}, [this] {
                       return metrics_->Render() + guard_->RenderMetrics();
                     }));
    if (!config.metrics_port_file().empty()) {
      RETURN_IF_ERROR(
          WritePortFile(config.metrics_port_file(), metrics_server_->port()));
    }
    Log(LogLevel::kInfo, "metrics serving",
        {{"address", config.metrics_address()},
         {"port", absl::StrCat(metrics_server_->port())}});
    return absl::OkStatus();
  }

  bool stopped_ = false;
  ReportCounters counters_;
  // Shared with the server's credentials; outlives the server.
  std::shared_ptr<PeerGuard> guard_;
  RegionTable regions_;
  // Before the store: its writer publishes to the hub until it is closed.
  FeedHub feed_;
  DepartmentTable departments_;
  std::unique_ptr<ReportStore> store_;
  // With a peer_address: what is copied to the region's other node.
  std::unique_ptr<PeerRecords> peer_records_;
  std::unique_ptr<ReceiptSigner> signer_;
  std::unique_ptr<RelayEngine> relay_;
  std::unique_ptr<AdmissionControl> admission_;
  std::unique_ptr<RateLimiter> client_limiter_, node_limiter_;
  std::unique_ptr<InstructionBook> instructions_;
  std::unique_ptr<RollCallBook> roll_calls_;
  std::unique_ptr<ChildStreams> children_;
  std::unique_ptr<ClockSkewTracker> skew_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::unique_ptr<Forwarder>> forwarders_;
  std::unique_ptr<DeadlineLoop> deadline_loop_;
  std::unique_ptr<CrlMonitor> crl_monitor_;
  std::unique_ptr<NodeMonitor> monitor_;
  std::unique_ptr<NodeMetrics> metrics_;
  std::unique_ptr<MetricsServer> metrics_server_;
  int port_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<NodeServer>> NodeServer::Start(
    const NodeConfig& config, Clock* clock) {
  auto server = std::make_unique<NodeServerImpl>();
  absl::Status status = server->Init(config, clock);
  if (!status.ok()) return status;
  return std::unique_ptr<NodeServer>(std::move(server));
}

}  // namespace kuaibao
