// kuaibao-bench-echo: the benchmarks' baseline server. It reads a node's
// configuration (listen_address, tls, port_file; nothing else is used),
// serves kuaibao.bench.Echo over the same mTLS as a node, with the same
// stream reactor a node uses, and answers every message at once. It stores
// nothing: the difference between it and a node is the relay's own cost.
// It runs until a signal ends it.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "node/ack_stream_reactor.h"
#include "node/node_config.h"
#include "relay/transport/tls_credentials.h"
#include "tests/bench/bench_echo.grpc.pb.h"

ABSL_FLAG(std::string, config, "", "node configuration file (text format)");

namespace kuaibao::bench {
namespace {

// As many answers ahead as a node allows on one stream.
constexpr size_t kMaxOutstanding = 256;
constexpr int kMaxMessageBytes = 4 << 20;

class EchoService final : public Echo::CallbackService {
 public:
  grpc::ServerBidiReactor<EchoRequest, EchoAck>* Stream(
      grpc::CallbackServerContext*) override {
    using Reactor = AckStreamReactor<EchoRequest, EchoAck>;
    return new Reactor(
        [](EchoRequest&& request, Reactor::Reply reply) {
          EchoAck ack;
          ack.set_seq(request.seq());
          ack.mutable_padding()->assign(request.ack_bytes(), 'a');
          reply(std::move(ack));
        },
        kMaxOutstanding);
  }
};

int Serve(const std::string& config_path) {
  absl::StatusOr<NodeConfig> config = LoadNodeConfig(config_path);
  if (!config.ok()) {
    std::cerr << "kuaibao-bench-echo: " << config.status() << "\n";
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
      MakeServerCredentials(TlsPaths{
          config->tls().cert_file(), config->tls().key_file(),
          config->tls().ca_file(), config->tls().crl_dir(), absl::Seconds(60)});
  if (!creds.ok()) {
    std::cerr << "kuaibao-bench-echo: " << creds.status() << "\n";
    return 2;
  }
  EchoService service;
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  int port = 0;
  builder.AddListeningPort(config->listen_address(), *creds, &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "kuaibao-bench-echo: cannot listen on "
              << config->listen_address() << "\n";
    return 1;
  }
  // Written whole, then renamed: the harness never reads half a number.
  const std::string tmp = absl::StrCat(config->port_file(), ".tmp");
  std::ofstream(tmp) << port << "\n";
  std::filesystem::rename(tmp, config->port_file());

  // Until killed: it keeps nothing that a clean stop would have to save.
  server->Wait();
  return 0;
}

}  // namespace
}  // namespace kuaibao::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return kuaibao::bench::Serve(absl::GetFlag(FLAGS_config));
}
