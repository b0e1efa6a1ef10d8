#ifndef KUAIBAO_NODE_NODE_SERVICES_H_
#define KUAIBAO_NODE_NODE_SERVICES_H_

#include "kuaibao/v1/service.grpc.pb.h"
#include "node/child_streams.h"
#include "node/stream_watch.h"
#include "relay/clock_skew.h"
#include "relay/feed_hub.h"
#include "relay/instruction_book.h"
#include "relay/peer_records.h"
#include "relay/rate_limiter.h"
#include "relay/relay_engine.h"
#include "relay/report_counters.h"

namespace kuaibao {

// The node's gRPC services: adapters only. Each checks who the caller is
// (from its certificate), converts, calls the relay and converts back.
// Borrowed: the relay, the rate limiters, the counters, the instruction book
// and the child streams outlive the services. Intake and Relay count each
// report they answer in `counters` (receipts by sender, refusals by code).

// Intake: clients of this node's subtree stream reports in, each client at
// most as fast as `limiter` allows.
// The stream takes raw messages and decodes each itself (see
// node/decoding_handler.h): one that does not decode gets a refusal.
class IntakeService final
    : public v1::Intake::WithRawCallbackMethod_Submit<v1::Intake::Service> {
 public:
  // `watch` (may be nullptr) ends the streams that stall.
  IntakeService(RelayEngine* relay, RateLimiter* limiter,
                ReportCounters* counters, StreamWatch* watch = nullptr)
      : relay_(relay), limiter_(limiter), counters_(counters), watch_(watch) {}
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Submit(
      grpc::CallbackServerContext* context) override;

 private:
  RelayEngine* const relay_;
  RateLimiter* const limiter_;
  ReportCounters* const counters_;
  StreamWatch* const watch_;
};

// Relay: child nodes inside this node's region stream reports (and feedback)
// up, each child's reports at most as fast as `limiter` allows; instructions
// go down the same streams. Raw messages, decoded one by one like Intake's.
class RelayService final
    : public v1::Relay::WithRawCallbackMethod_Escalate<v1::Relay::Service> {
 public:
  // `skew` (may be nullptr) learns each child's clock from its reports;
  // `watch` (may be nullptr) ends the streams that stall.
  RelayService(RelayEngine* relay, RateLimiter* limiter,
               ReportCounters* counters, InstructionBook* book,
               ChildStreams* children, Clock* clock,
               ClockSkewTracker* skew = nullptr, StreamWatch* watch = nullptr)
      : relay_(relay),
        limiter_(limiter),
        counters_(counters),
        book_(book),
        children_(children),
        clock_(clock),
        skew_(skew),
        watch_(watch) {}
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Escalate(
      grpc::CallbackServerContext* context) override;
  // Where records from the other node of this region are stored (a node
  // with a peer_address). Set before the node serves.
  void SetPeerRecords(PeerRecords* records) { peer_records_ = records; }

 private:
  RelayEngine* const relay_;
  RateLimiter* const limiter_;
  ReportCounters* const counters_;
  InstructionBook* const book_;
  ChildStreams* const children_;
  Clock* const clock_;
  ClockSkewTracker* const skew_;
  StreamWatch* const watch_;
  PeerRecords* peer_records_ = nullptr;
};

// The report with its timeline, for the caller of `context`: NOT_FOUND when
// absent or outside the caller's region (no API tells a caller what exists
// beyond it); the identity's error when the caller has none.
absl::StatusOr<StoredReport> VisibleTimeline(
    const RelayEngine& relay, grpc::CallbackServerContext* context,
    const std::string& report_id);

// Query: any authenticated caller reads what lies in its own subtree.
class QueryService final : public v1::Query::CallbackService {
 public:
  // Borrowed: everything outlives the service. Watch reads the feed's
  // history from `relay` and follows `feed` (relay/feed_hub.h).
  QueryService(RelayEngine* relay, InstructionBook* book, Clock* clock,
               FeedHub* feed)
      : relay_(relay), book_(book), clock_(clock), feed_(feed) {}
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const v1::GetReportRequest* request,
                                      v1::GetReportResponse* response) override;
  grpc::ServerUnaryReactor* ListReports(
      grpc::CallbackServerContext* context,
      const v1::ListReportsRequest* request,
      v1::ListReportsResponse* response) override;
  grpc::ServerUnaryReactor* ListDue(grpc::CallbackServerContext* context,
                                    const v1::ListDueRequest* request,
                                    v1::ListDueResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchResponse>* Watch(
      grpc::CallbackServerContext* context,
      const v1::WatchRequest* request) override;

 private:
  RelayEngine* const relay_;
  InstructionBook* const book_;
  Clock* const clock_;
  FeedHub* const feed_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_SERVICES_H_
