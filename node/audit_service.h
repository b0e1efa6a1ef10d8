#ifndef KUAIBAO_NODE_AUDIT_SERVICE_H_
#define KUAIBAO_NODE_AUDIT_SERVICE_H_

#include "absl/time/time.h"
#include "kuaibao/v1/audit.grpc.pb.h"
#include "relay/clock_skew.h"
#include "relay/instruction_book.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// Audit: the auditors' views (relay/audit_timeline.h,
// breach_collector.h, punctuality.h, statistics.h, clock_skew.h), an adapter
// like the other services: it checks the caller, reads what the node holds
// and hands it to those pure functions. Its one write is an auditor's
// "reviewed" mark on a breach (ReviewBreach).
//
// Who may call: auditors whose region contains this node's or lies inside
// it, and clients of this node's subtree; each sees only its own region's
// subtree (as Query). Anyone else: PERMISSION_DENIED with the reason.
class AuditService final : public v1::Audit::CallbackService {
 public:
  struct Options {
    // How long an origin's gap may stay open before it counts as a breach.
    absl::Duration gap_overdue_after = absl::Hours(2);
  };

  // Borrowed: everything outlives the service.
  AuditService(Options options, RelayEngine* relay, InstructionBook* book,
               const ClockSkewTracker* skew, Clock* clock)
      : options_(options),
        relay_(relay),
        book_(book),
        skew_(skew),
        clock_(clock) {}

  grpc::ServerUnaryReactor* Timeline(grpc::CallbackServerContext* context,
                                     const v1::TimelineRequest* request,
                                     v1::TimelineResponse* response) override;
  grpc::ServerUnaryReactor* ListBreaches(
      grpc::CallbackServerContext* context,
      const v1::ListBreachesRequest* request,
      v1::ListBreachesResponse* response) override;
  grpc::ServerUnaryReactor* Punctuality(
      grpc::CallbackServerContext* context,
      const v1::PunctualityRequest* request,
      v1::PunctualityResponse* response) override;
  grpc::ServerUnaryReactor* Statistics(
      grpc::CallbackServerContext* context,
      const v1::StatisticsRequest* request,
      v1::StatisticsResponse* response) override;
  grpc::ServerUnaryReactor* ClockSkew(grpc::CallbackServerContext* context,
                                      const v1::ClockSkewRequest* request,
                                      v1::ClockSkewResponse* response) override;
  grpc::ServerUnaryReactor* ReviewBreach(grpc::CallbackServerContext* context,
                                         const v1::ReviewBreachRequest* request,
                                         v1::BreachReview* response) override;

 private:
  // The region the caller may read here, or PERMISSION_DENIED.
  absl::StatusOr<std::string> CallerRegion(
      grpc::CallbackServerContext* context) const;
  // The scope asked for, checked: a period, and a region inside the
  // caller's (the narrower of the caller's and this node's by default).
  absl::StatusOr<v1::AuditScope> CheckScope(
      grpc::CallbackServerContext* context, const v1::AuditScope& asked) const;
  // Every report of `region`'s subtree with this node's forwardings, to
  // `visit`, page by page.
  absl::Status ForEachReport(
      const std::string& region,
      const std::function<void(const StoredReport&)>& visit) const;
  // The same for the reports `filter` accepts.
  absl::Status ForEachReport(
      const std::function<bool(const StoredReport&)>& filter,
      const std::function<void(const StoredReport&)>& visit) const;
  absl::Status CollectBreaches(const v1::AuditScope& scope, absl::Time now,
                               v1::ListBreachesResponse* response) const;
  // Fills each entry's review from the rv/ marks.
  absl::Status AttachReviews(v1::ListBreachesResponse* response) const;

  const Options options_;
  RelayEngine* const relay_;
  InstructionBook* const book_;
  const ClockSkewTracker* const skew_;
  Clock* const clock_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_AUDIT_SERVICE_H_
