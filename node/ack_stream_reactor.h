#ifndef KUAIBAO_NODE_ACK_STREAM_REACTOR_H_
#define KUAIBAO_NODE_ACK_STREAM_REACTOR_H_

#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "node/stream_watch.h"

namespace kuaibao {

// A server stream that answers every request with exactly one response, in
// the order the answers become ready (durable writes finish out of order
// across streams, in order within one). Used by intake and relay alike.
//
// Reads run ahead of the answers up to `max_outstanding` requests, so one
// stream keeps the group commit busy; beyond that it stops reading (flow
// control pushes back to the sender). The stream finishes OK once the peer
// closed its side and every request was answered; if the peer vanished,
// answers still due are dropped (the peer resends; ids make that harmless).
//
// A request may also need no answer (an acknowledgement from the peer): the
// handler replies std::nullopt. And the server may write unasked (Push), e.g.
// an instruction down a child's stream.
//
// With a StreamWatch, a stream that stalls (no complete message for the
// watch's limit while nothing is owed) is ended with DEADLINE_EXCEEDED.
//
// Created with new; deletes itself once OnDone ran and no sweep of the
// StreamWatch holds it.
template <typename Request, typename Response>
class AckStreamReactor final
    : public grpc::ServerBidiReactor<Request, Response>,
      public StreamWatch::Stream {
 public:
  // Answers one request (nullopt: nothing to write); may be called from any
  // thread, exactly once.
  using Reply = std::function<void(std::optional<Response>)>;
  // Called on a gRPC thread for each request; must not block.
  using Handler = std::function<void(Request&&, Reply)>;

  // `on_done`, if set, runs when the stream is over, before the reactor is
  // deleted (no Push after it returned). `watch`, if set, ends the stream
  // when it stalls; `peer` names the peer in its log line.
  AckStreamReactor(Handler handler, size_t max_outstanding,
                   std::function<void()> on_done = nullptr,
                   StreamWatch* watch = nullptr, const std::string& peer = "")
      : handler_(std::move(handler)),
        max_outstanding_(max_outstanding),
        on_done_(std::move(on_done)),
        watch_(watch) {
    if (watch_ != nullptr) {
      absl::MutexLock lock(&mu_);
      last_message_ = watch_->Now();
    }
    this->StartSendInitialMetadata();
    this->StartRead(&request_);
    if (watch_ != nullptr) watch_id_ = watch_->Add(this, peer);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      bool finish;
      {
        absl::MutexLock lock(&mu_);
        reads_done_ = true;
        finish = ShouldFinishLocked();
      }
      if (finish) this->Finish(grpc::Status::OK);
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      ++outstanding_;
      if (watch_ != nullptr) last_message_ = watch_->Now();
    }
    Request request = std::move(request_);
    request_.Clear();
    handler_(std::move(request),
             [this](std::optional<Response> r) { Answer(std::move(r)); });
    bool read_more;
    {
      absl::MutexLock lock(&mu_);
      read_more = outstanding_ < max_outstanding_;
      read_paused_ = !read_more;
    }
    if (read_more) this->StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    bool write = false;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      if (!ok) {
        broken_ = true;
        answers_.clear();
      }
      if (!answers_.empty()) {
        current_ = std::move(answers_.front());
        answers_.pop_front();
        write = true;
      } else {
        writing_ = false;
        finish = ShouldFinishLocked();
      }
    }
    // Never call Start*/Finish holding our own mutex.
    if (write) this->StartWrite(&current_);
    if (finish) this->Finish(grpc::Status::OK);
  }

  void OnDone() override {
    if (watch_ != nullptr) watch_->Remove(watch_id_);
    if (on_done_) on_done_();
    Unref();
  }

  bool EndIfStalled(absl::Time cutoff) override {
    {
      absl::MutexLock lock(&mu_);
      // A read is outstanding unless paused (the node owes answers) or
      // done; an answer owed or a write in flight is the node's delay.
      if (finished_ || reads_done_ || read_paused_ || outstanding_ > 0 ||
          writing_ || last_message_ >= cutoff) {
        return false;
      }
      finished_ = true;
      broken_ = true;
    }
    this->Finish(
        grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                     absl::StrCat("no complete message for ",
                                  absl::FormatDuration(watch_->limit()),
                                  ": the stream stalled and is ended")));
    return true;
  }

  void Ref() override { refs_.fetch_add(1); }
  void Unref() override {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  // Writes `response` unasked. False when the stream is broken or
  // finishing (it was not written).
  bool Push(Response response) {
    bool write = false;
    {
      absl::MutexLock lock(&mu_);
      if (broken_ || finished_) return false;
      write = EnqueueLocked(std::move(response));
    }
    if (write) this->StartWrite(&current_);
    return true;
  }

 private:
  // Queues a write; true when the caller must start it.
  bool EnqueueLocked(Response response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_) {
      answers_.push_back(std::move(response));
      return false;
    }
    writing_ = true;
    current_ = std::move(response);
    return true;
  }

  void Answer(std::optional<Response> response) {
    bool write = false;
    bool read = false;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      --outstanding_;
      if (!broken_ && response.has_value()) {
        write = EnqueueLocked(*std::move(response));
      }
      if (read_paused_ && outstanding_ < max_outstanding_) {
        read_paused_ = false;
        read = true;
      }
      finish = ShouldFinishLocked();
    }
    if (write) this->StartWrite(&current_);
    if (read) this->StartRead(&request_);
    if (finish) this->Finish(grpc::Status::OK);
  }

  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !reads_done_ || outstanding_ > 0 || writing_) return false;
    finished_ = true;
    return true;
  }

  const Handler handler_;
  const size_t max_outstanding_;
  const std::function<void()> on_done_;
  StreamWatch* const watch_;
  uint64_t watch_id_ = 0;  // set in the constructor, read in OnDone
  // gRPC's (until OnDone) and each sweep's in progress.
  std::atomic<int> refs_{1};
  // Touched only by the one outstanding read.
  Request request_;

  absl::Mutex mu_;
  Response current_ ABSL_GUARDED_BY(mu_);  // the one outstanding write
  std::deque<Response> answers_ ABSL_GUARDED_BY(mu_);
  size_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_message_ ABSL_GUARDED_BY(mu_);
};

// A stream refused before it began: finishes at once with `status`.
template <typename Request, typename Response>
class RefusedStreamReactor final
    : public grpc::ServerBidiReactor<Request, Response> {
 public:
  explicit RefusedStreamReactor(const grpc::Status& status) {
    this->Finish(status);
  }
  void OnDone() override { delete this; }
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_ACK_STREAM_REACTOR_H_
