#ifndef KUAIBAO_TESTS_BENCH_ECHO_CLIENT_H_
#define KUAIBAO_TESTS_BENCH_ECHO_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/bench/bench_echo.grpc.pb.h"

namespace kuaibao::bench {

// Talks to kuaibao-bench-echo over mTLS: messages of `payload_bytes`, each
// answered by an acknowledgement of `ack_bytes` (the sizes of a relayed
// report and of a receipt). Not thread-safe.
class EchoClient {
 public:
  EchoClient(std::shared_ptr<grpc::Channel> channel, size_t payload_bytes,
             size_t ack_bytes);
  ~EchoClient();

  // One message on the client's standing stream, and its acknowledgement;
  // the round trip.
  absl::StatusOr<absl::Duration> RoundTrip();

  // `messages` sent on a fresh stream with at most `window` unacknowledged;
  // how long until the last acknowledgement came.
  absl::StatusOr<absl::Duration> Stream(size_t messages, size_t window);

 private:
  EchoRequest Message(uint64_t seq) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Echo::Stub> stub_;
  const std::string payload_;
  const size_t ack_bytes_;
  uint64_t seq_ = 0;
  // The standing stream for RoundTrip, opened on first use.
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderWriter<EchoRequest, EchoAck>> stream_;
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_ECHO_CLIENT_H_
