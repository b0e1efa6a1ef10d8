#ifndef KUAIBAO_TESTS_BENCH_SUBMIT_STREAM_H_
#define KUAIBAO_TESTS_BENCH_SUBMIT_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/report_types.h"

namespace kuaibao::bench {

// One report as a load generator saw it.
struct Submission {
  std::string report_id;
  absl::Time sent;  // handed to gRPC
  absl::Time answered = absl::InfinitePast();
  bool receipt = false;  // answered with a receipt (not a refusal)
  std::string refusal;   // the refusal's message, if refused
};

// A channel to `address` over mTLS with the client certificate `cert_name`
// from `pki_dir`. `own_connection`: a TCP/TLS connection of its own, as a
// separate township's client would have (gRPC otherwise shares one
// connection among channels with equal settings).
std::shared_ptr<grpc::Channel> ClientChannel(const std::string& pki_dir,
                                             const std::string& cert_name,
                                             const std::string& address,
                                             bool own_connection);

// One Intake.Submit stream driven by gRPC's callback API, so that a load
// generator can keep thousands of them open without a thread each. Reports
// are sent as soon as fewer than `window` await their answers; the time
// each was sent and answered is recorded.
//
// Thread-safe. Call Close() and then Wait() before destroying it.
class SubmitStream final
    : public grpc::ClientBidiReactor<v1::SubmitRequest, v1::SubmitResponse> {
 public:
  // Starts the call at once. The stream gives up after `deadline`.
  SubmitStream(std::shared_ptr<grpc::Channel> channel, size_t window,
               absl::Duration deadline = absl::Hours(1));

  // Queues a report.
  void Send(IncidentReport report);
  // No more reports: the sending side closes once the queue is sent.
  void Close();
  // Waits until the call ended; its status.
  absl::Status Wait();
  // Waits until `n` reports were answered, the call ended or `timeout`
  // passed; whether `n` were answered.
  bool AwaitAnswers(size_t n, absl::Duration timeout);

  size_t answered() const;
  // Every report sent so far, in send order.
  std::vector<Submission> submissions() const;

  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // Starts the next write, or the half-close, if one is due.
  void Pump();

  // Constant after construction.
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Intake::Stub> stub_;
  grpc::ClientContext context_;
  const size_t window_;
  // Touched only by the one read (and the one write) in progress.
  v1::SubmitResponse response_;
  v1::SubmitRequest request_;

  mutable absl::Mutex mu_;
  std::deque<IncidentReport> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<Submission> submissions_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> index_ ABSL_GUARDED_BY(mu_);
  size_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  size_t answered_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool half_closed_ ABSL_GUARDED_BY(mu_) = false;
  // Reads or writes failed: nothing more will be sent.
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_SUBMIT_STREAM_H_
