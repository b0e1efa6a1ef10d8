#include "tests/bench/submit_stream.h"

#include "absl/time/clock.h"
#include "relay/transport/status_conversion.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao::bench {

std::shared_ptr<grpc::Channel> ClientChannel(const std::string& pki_dir,
                                             const std::string& cert_name,
                                             const std::string& address,
                                             bool own_connection) {
  const std::string base = pki_dir + "/" + cert_name;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      MakeChannelCredentials(TlsPaths{base + ".pem", base + ".key",
                                      pki_dir + "/ca.pem", "",
                                      absl::Seconds(60)});
  grpc::ChannelArguments args;
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // A missing certificate shows up as a failed call, like a wrong one.
  return grpc::CreateCustomChannel(
      address, creds.ok() ? *creds : grpc::InsecureChannelCredentials(), args);
}

SubmitStream::SubmitStream(std::shared_ptr<grpc::Channel> channel,
                           size_t window, absl::Duration deadline)
    : channel_(std::move(channel)),
      stub_(v1::Intake::NewStub(channel_)),
      window_(window) {
  context_.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  stub_->async()->Submit(&context_, this);
  StartRead(&response_);
  // Reports are sent from outside the reactions (Send, Close): the hold
  // keeps the call open until Close has issued the half-close.
  AddHold();
  StartCall();
}

void SubmitStream::Send(IncidentReport report) {
  {
    absl::MutexLock lock(&mu_);
    if (broken_ || closing_) return;
    queue_.push_back(std::move(report));
  }
  Pump();
}

void SubmitStream::Close() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
  }
  Pump();
}

void SubmitStream::Pump() {
  bool write = false;
  bool half_close = false;
  {
    absl::MutexLock lock(&mu_);
    if (writing_ || half_closed_) return;
    if (broken_) queue_.clear();
    if (!queue_.empty() && outstanding_ < window_) {
      *request_.mutable_report() = std::move(queue_.front());
      queue_.pop_front();
      const std::string& id = request_.report().report_id();
      index_[id] = submissions_.size();
      Submission sub;
      sub.report_id = id;
      sub.sent = absl::Now();
      submissions_.push_back(std::move(sub));
      ++outstanding_;
      writing_ = true;
      write = true;
    } else if (queue_.empty() && closing_) {
      half_closed_ = true;
      half_close = true;
    }
  }
  // Never start an operation holding our own mutex.
  if (write) StartWrite(&request_);
  if (half_close) {
    StartWritesDone();
    RemoveHold();
  }
}

void SubmitStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) broken_ = true;
  }
  Pump();
}

void SubmitStream::OnReadDone(bool ok) {
  if (!ok) {
    absl::MutexLock lock(&mu_);
    broken_ = true;  // the node ended the call
  } else {
    absl::Time now = absl::Now();
    {
      absl::MutexLock lock(&mu_);
      const bool receipt = response_.has_receipt();
      const std::string& id = receipt ? response_.receipt().report_id()
                                      : response_.rejection().report_id();
      auto it = index_.find(id);
      if (it != index_.end()) {
        Submission& s = submissions_[it->second];
        s.answered = now;
        s.receipt = receipt;
        if (!receipt) s.refusal = response_.rejection().message();
        index_.erase(it);
        --outstanding_;
        ++answered_;
      }
    }
    StartRead(&response_);
  }
  Pump();
}

void SubmitStream::OnDone(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  status_ = FromGrpcStatus(status);
  done_ = true;
}

absl::Status SubmitStream::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&done_));
  return status_;
}

bool SubmitStream::AwaitAnswers(size_t n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return done_ || answered_ >= n;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return answered_ >= n;
}

size_t SubmitStream::answered() const {
  absl::MutexLock lock(&mu_);
  return answered_;
}

std::vector<Submission> SubmitStream::submissions() const {
  absl::MutexLock lock(&mu_);
  return submissions_;
}

}  // namespace kuaibao::bench
