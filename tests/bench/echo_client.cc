#include "tests/bench/echo_client.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao::bench {

EchoClient::EchoClient(std::shared_ptr<grpc::Channel> channel,
                       size_t payload_bytes, size_t ack_bytes)
    : channel_(std::move(channel)),
      stub_(Echo::NewStub(channel_)),
      payload_(payload_bytes, 'p'),
      ack_bytes_(ack_bytes) {}

EchoClient::~EchoClient() {
  if (stream_ != nullptr) {
    stream_->WritesDone();
    stream_->Finish();
  }
}

EchoRequest EchoClient::Message(uint64_t seq) const {
  EchoRequest request;
  request.set_seq(seq);
  request.set_payload(payload_);
  request.set_ack_bytes(static_cast<uint32_t>(ack_bytes_));
  return request;
}

absl::StatusOr<absl::Duration> EchoClient::RoundTrip() {
  if (stream_ == nullptr) {
    context_ = std::make_unique<grpc::ClientContext>();
    stream_ = stub_->Stream(context_.get());
  }
  EchoRequest request = Message(++seq_);
  EchoAck ack;
  absl::Time start = absl::Now();
  if (!stream_->Write(request) || !stream_->Read(&ack)) {
    stream_->WritesDone();
    absl::Status s = FromGrpcStatus(stream_->Finish());
    stream_.reset();
    return s.ok() ? absl::UnavailableError("echo stream ended") : s;
  }
  return absl::Now() - start;
}

absl::StatusOr<absl::Duration> EchoClient::Stream(size_t messages,
                                                  size_t window) {
  grpc::ClientContext context;
  auto stream = stub_->Stream(&context);
  absl::Mutex mu;
  size_t acked = 0;
  bool ended = false;
  std::thread reader([&] {
    EchoAck ack;
    while (stream->Read(&ack)) {
      absl::MutexLock lock(&mu);
      if (++acked == messages) break;
    }
    absl::MutexLock lock(&mu);
    ended = true;
  });
  absl::Time start = absl::Now();
  bool write_failed = false;
  for (size_t i = 0; i < messages && !write_failed; ++i) {
    {
      absl::MutexLock lock(&mu);
      auto room = [&]() { return ended || i - acked < window; };
      mu.Await(absl::Condition(&room));
      if (ended) break;
    }
    write_failed = !stream->Write(Message(++seq_));
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&ended));
  }
  absl::Duration elapsed = absl::Now() - start;
  reader.join();
  stream->WritesDone();
  absl::Status status = FromGrpcStatus(stream->Finish());
  if (acked != messages) {
    return absl::UnavailableError(absl::StrCat("echo stream: ", acked, " of ",
                                               messages, " acknowledged; ",
                                               status.ToString()));
  }
  return elapsed;
}

}  // namespace kuaibao::bench
