#include "node/peer_guard.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/server_interceptor.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "node/cert_identity.h"
#include "node/prometheus_text.h"
#include "relay/base/log.h"
#include "relay/transport/peer_identity.h"

namespace kuaibao {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Connections remembered per peer identity, to cut them all at once (a
// client has one or two; the oldest is forgotten beyond this).
constexpr size_t kAddressesPerPeer = 64;

// gRPC's name of a socket's peer ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000").
std::string PeerName(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return absl::StrCat("ipv4:", host, ":", ntohs(in->sin_port));
  }
  if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    // gRPC listens on IPv6 sockets and names IPv4 peers as such.
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof(host));
      return absl::StrCat("ipv4:", host, ":", ntohs(in6->sin6_port));
    }
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    return absl::StrCat("ipv6:[", host, "]:", ntohs(in6->sin6_port));
  }
  return "";
}

// Shuts down (both ways) this process's sockets connected to any of
// `peers`, gRPC's peer strings; returns how many. gRPC then sees the
// connection end and drops it with every call on it: the one way to end a
// connection from above gRPC. The socket stays open (gRPC closes it), so its
// descriptor cannot be reused under gRPC's feet.
int ShutdownConnections(const std::vector<std::string>& peers) {
  absl::flat_hash_set<std::string> want;
  for (const std::string& peer : peers) {
    want.insert(absl::StrReplaceAll(
        peer, {{"%5B", "["}, {"%5D", "]"}, {"%5b", "["}, {"%5d", "]"}}));
  }
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int shut = 0;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&addr),
                    &len) != 0) {
      continue;  // not a connected socket
    }
    if (want.contains(PeerName(addr)) &&
        shutdown(static_cast<int>(fd), SHUT_RDWR) == 0) {
      ++shut;
    }
  }
  closedir(dir);
  return shut;
}

// Resident memory of this process, from /proc/self/statm (pages).
size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int read = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return read == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// Tells the guard of every call that ended by its peer's cancellation, and
// of the connection each stream came on.
class CancelCounter final : public grpc::experimental::Interceptor {
 public:
  // The peer's address is taken now: a cancelled call no longer has it.
  // Only streams are noted (as CallGate counts them).
  CancelCounter(grpc::experimental::ServerRpcInfo* info, PeerGuard* guard)
      : info_(info), guard_(guard), address_(info->server_context()->peer()) {
    if (info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY) {
      guard_->CallStarted(info_->server_context(), address_);
    }
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_CLOSE) &&
        info_->server_context()->IsCancelled()) {
      guard_->CallCancelled(info_->server_context(), address_);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  PeerGuard* const guard_;
  const std::string address_;
};

// True for the paths of unary methods ("/kuaibao.v1.Query/GetReport"), from
// the schema compiled in; anything else (streams, unknown paths) counts.
bool IsUnaryMethod(absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/")) return false;
  const size_t slash = path.find('/');
  if (slash == absl::string_view::npos) return false;
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          absl::StrCat(path.substr(0, slash), ".", path.substr(slash + 1)));
  return method != nullptr && !method->client_streaming() &&
         !method->server_streaming();
}

// Sees every call as gRPC creates it, before it is queued for the node's
// services (the server's auth filter runs it in the transport's own thread:
// not blocking): counts the streams a peer starts, and refuses the calls of
// a peer in its cool-down there, so that they never reach the queue. The
// interceptor sees a call only when a service takes it up, which under a
// rapid reset comes after tens of thousands of others (tests/hardening/
// README.md).
class CallGate final : public grpc::AuthMetadataProcessor {
 public:
  explicit CallGate(PeerGuard* guard) : guard_(guard) {}

  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* auth,
                       OutputMetadata* /*consumed*/,
                       OutputMetadata* /*response*/) override {
    auto path = metadata.find(":path");
    const bool stream = path == metadata.end() ||
                        !IsUnaryMethod(absl::string_view(path->second.data(),
                                                         path->second.size()));
    absl::Status status = guard_->CallBegun(*auth, stream);
    if (status.ok()) return grpc::Status::OK;
    return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                        std::string(status.message()));
  }

 private:
  PeerGuard* const guard_;
};

class CancelCounterFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CancelCounterFactory(PeerGuard* guard) : guard_(guard) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CancelCounter(info, guard_);
  }

 private:
  PeerGuard* const guard_;
};

}  // namespace

PeerGuard::PeerGuard(Options options, Clock* clock)
    : options_(options),
      clock_(clock),
      abuse_(options.abuse, clock),
      streams_(options.stalled_stream, clock),
      lines_(20, absl::Minutes(1), clock) {}

PeerGuard::~PeerGuard() { Shutdown(); }

void PeerGuard::Start() {
  {
    absl::MutexLock lock(&mu_);
    freed_after_return_ = mallinfo2().fordblks;
  }
  thread_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
      if (stopping_) break;
      mu_.Unlock();
      Check();
      mu_.Lock();
    }
  });
}

void PeerGuard::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void PeerGuard::Check() {
  streams_.Sweep();
  // Heap freed since the last return (a spike of calls, a burst of
  // reports): glibc keeps it in its arenas unless told.
  const size_t freed = mallinfo2().fordblks;
  size_t before = 0;
  {
    absl::MutexLock lock(&mu_);
    if (freed < freed_after_return_) freed_after_return_ = freed;
    if (freed - freed_after_return_ <= options_.max_freed_heap) return;
  }
  before = ResidentBytes();
  malloc_trim(0);
  const size_t after = ResidentBytes();
  {
    absl::MutexLock lock(&mu_);
    freed_after_return_ = mallinfo2().fordblks;
    ++memory_returns_;
  }
  Log(LogLevel::kInfo, "freed memory returned to the system",
      {{"freed_heap_mib", absl::StrCat(freed >> 20)},
       {"rss_before_mib", absl::StrCat(before >> 20)},
       {"rss_after_mib", absl::StrCat(after >> 20)}});
}

absl::Status PeerGuard::CheckHandshake(const std::string& leaf_pem) {
  absl::StatusOr<Identity> peer = IdentityOfCertificate(leaf_pem);
  if (!peer.ok()) return absl::OkStatus();  // the chain check refuses it
  std::optional<absl::Time> until = abuse_.RefusedUntil(peer->uri);
  if (!until.has_value()) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "peer ", peer->uri, " is refused until ",
      absl::FormatTime(absl::RFC3339_sec, *until, absl::UTCTimeZone()),
      ": it started or cancelled calls at an abusive rate (more than ",
      abuse_.limits().max_started, " started or ",
      abuse_.limits().max_cancelled, " cancelled within ",
      absl::FormatDuration(abuse_.limits().window), ")"));
}

void PeerGuard::LogRefusedHandshake(const absl::Status& status) {
  uint64_t suppressed = 0;
  if (!lines_.Allow(std::string(status.message()), &suppressed)) return;
  Log(LogLevel::kWarning, "peer refused in the handshake",
      {{"code", absl::StatusCodeToString(status.code())},
       {"reason", std::string(status.message())},
       {"suppressed", absl::StrCat(suppressed)}});
}

void PeerGuard::Install(grpc::ServerBuilder* builder) {
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      factories;
  factories.push_back(std::make_unique<CancelCounterFactory>(this));
  builder->experimental().SetInterceptorCreators(std::move(factories));
}

void PeerGuard::InstallGate(grpc::ServerCredentials* credentials) {
  credentials->SetAuthMetadataProcessor(std::make_shared<CallGate>(this));
}

absl::Status PeerGuard::CallBegun(const grpc::AuthContext& auth, bool stream) {
  absl::StatusOr<Identity> peer = PeerIdentity(auth);
  if (!peer.ok()) return absl::OkStatus();  // the services refuse it
  if (stream && abuse_.Started(peer->uri)) {
    LogCooldown(peer->uri, false, "");
    CutAll(peer->uri);
  }
  std::optional<absl::Time> until = abuse_.RefusedUntil(peer->uri);
  if (!until.has_value()) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "peer ", peer->uri, " is refused until ",
      absl::FormatTime(absl::RFC3339_sec, *until, absl::UTCTimeZone()),
      ": it started or cancelled calls at an abusive rate"));
}

void PeerGuard::CallStarted(grpc::ServerContextBase* context,
                            const std::string& address) {
  Counted(context, address, false);
}

void PeerGuard::CallCancelled(grpc::ServerContextBase* context,
                              const std::string& address) {
  Counted(context, address, true);
}

void PeerGuard::Counted(grpc::ServerContextBase* context,
                        const std::string& address, bool cancelled) {
  absl::StatusOr<Identity> peer = PeerIdentity(*context->auth_context());
  if (!peer.ok()) return;
  // Streams were counted by the gate as they began; here their connection
  // is noted.
  if (!cancelled) Remember(peer->uri, address);
  if (cancelled && abuse_.Cancelled(peer->uri)) {
    LogCooldown(peer->uri, true, address);
  } else if (!abuse_.RefusedUntil(peer->uri).has_value()) {
    return;
  }
  Cut(address, peer->uri);
}

void PeerGuard::LogCooldown(const std::string& peer, bool cancelled,
                            const std::string& address) {
  std::optional<absl::Time> until = abuse_.RefusedUntil(peer);
  Log(LogLevel::kError, "peer refused for a cool-down",
      {{"peer", peer},
       {"why",
        absl::StrCat("more than ",
                     cancelled ? abuse_.limits().max_cancelled
                               : abuse_.limits().max_started,
                     cancelled ? " calls cancelled" : " streams started",
                     " within ", absl::FormatDuration(abuse_.limits().window),
                     " (HTTP/2 rapid reset?)")},
       {"until", until.has_value() ? absl::FormatTime(absl::RFC3339_sec, *until,
                                                      absl::UTCTimeZone())
                                   : ""},
       {"address", address}});
}

void PeerGuard::Remember(const std::string& peer, const std::string& address) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string>& seen = addresses_[peer];
  if (std::find(seen.begin(), seen.end(), address) != seen.end()) return;
  if (seen.size() >= kAddressesPerPeer) seen.erase(seen.begin());
  seen.push_back(address);
}

void PeerGuard::Cut(const std::string& address, const std::string& peer) {
  {
    absl::MutexLock lock(&mu_);
    std::vector<std::string>& seen = addresses_[peer];
    if (std::find(seen.begin(), seen.end(), address) == seen.end()) {
      seen.push_back(address);
    }
  }
  CutAll(peer);
}

void PeerGuard::CutAll(const std::string& peer) {
  const absl::Time now = clock_->TimeNow();
  std::vector<std::string> cut;
  {
    absl::MutexLock lock(&mu_);
    if (cut_.size() > 1000) {
      absl::erase_if(cut_, [&](const auto& e) {
        return now - e.second > absl::Minutes(1);
      });
    }
    auto seen = addresses_.find(peer);
    if (seen == addresses_.end()) return;
    for (std::string& address : seen->second) {
      auto [it, fresh] = cut_.try_emplace(address, now);
      if (!fresh && now - it->second < absl::Minutes(1)) continue;
      it->second = now;
      cut.push_back(std::move(address));
    }
    addresses_.erase(seen);
  }
  if (cut.empty()) return;
  const int shut = ShutdownConnections(cut);
  {
    absl::MutexLock lock(&mu_);
    connections_cut_ += shut;
  }
  uint64_t suppressed = 0;
  if (lines_.Allow(peer, &suppressed)) {
    Log(LogLevel::kWarning, "connection of a refused peer shut down",
        {{"peer", peer},
         {"address", absl::StrJoin(cut, " ")},
         {"sockets", absl::StrCat(shut)},
         {"suppressed", absl::StrCat(suppressed)}});
  }
}

std::string PeerGuard::RenderMetrics() {
  using Type = PrometheusText::Type;
  PrometheusText out;
  const std::vector<PeerAbuseWatch::PeerState> peers = abuse_.Peers();
  out.Family("kuaibao_peer_cancelled_calls_total", Type::kCounter,
             "Calls ended by the peer's cancellation, per peer identity.");
  for (const auto& p : peers) {
    out.Sample({{"peer", p.peer}}, static_cast<double>(p.cancelled_total));
  }
  out.Family("kuaibao_peer_cooldown", Type::kGauge,
             "1 while the peer is refused for cancelling calls at an abusive "
             "rate (HTTP/2 rapid reset), 0 after.");
  for (const auto& p : peers) out.Sample({{"peer", p.peer}}, p.cooling ? 1 : 0);
  out.Family("kuaibao_peer_cooldowns_total", Type::kCounter,
             "Cool-downs the peer was put in.");
  for (const auto& p : peers) {
    out.Sample({{"peer", p.peer}}, static_cast<double>(p.cooldowns));
  }
  out.Family("kuaibao_log_lines_suppressed_total", Type::kCounter,
             "Log lines caused by outsiders held back by the per-peer limit "
             "(20 a minute per peer or reason).");
  out.Sample(static_cast<double>(LogLimiter::SuppressedTotal()));
  out.Family("kuaibao_streams_stalled_total", Type::kCounter,
             "Streams ended because no complete message came for "
             "stalled_stream_ms.");
  out.Sample(static_cast<double>(streams_.ended_total()));
  absl::MutexLock lock(&mu_);
  out.Family("kuaibao_connections_cut_total", Type::kCounter,
             "Connections of refused peers shut down.");
  out.Sample(static_cast<double>(connections_cut_));
  out.Family("kuaibao_memory_returns_total", Type::kCounter,
             "Times freed heap was returned to the system after a spike.");
  out.Sample(static_cast<double>(memory_returns_));
  out.Family("process_resident_memory_bytes", Type::kGauge,
             "Resident memory of the node's process.");
  out.Sample(static_cast<double>(ResidentBytes()));
  return out.Text();
}

}  // namespace kuaibao
