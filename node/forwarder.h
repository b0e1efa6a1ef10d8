#ifndef KUAIBAO_NODE_FORWARDER_H_
#define KUAIBAO_NODE_FORWARDER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kuaibao/v1/service.pb.h"
#include "node/peer_record_link.h"
#include "node/upstream_instructions.h"
#include "relay/base/log_limiter.h"
#include "relay/link_health.h"
#include "relay/relay_engine.h"

namespace grpc {
template <class W, class R>
class ClientReaderWriterInterface;
class Channel;
class ChannelCredentials;
class ClientContext;
}  // namespace grpc

namespace kuaibao {

// Keeps one relay stream open to one upstream node and moves that upstream's
// outbox over it: sends up to `max_in_flight` reports ahead of their
// receipts, records each receipt durably (which deletes the outbox entry),
// and on any break reconnects with exponential backoff and resends whatever
// was not acknowledged (the upstream dedups by report id).
//
// The upstream must prove, by its certificate, to be the configured node.
//
// A report queued while the link is idle is sent by the thread whose write
// queued it (Offer), so that it leaves without waiting for the link's own
// thread to wake.
//
// Thread-safe. Owns one thread (plus a reader per open stream); Shutdown
// joins them and waits for receipt writes in progress.
class Forwarder {
 public:
  struct Options {
    std::string upstream;  // region code the upstream's certificate names
    std::string address;   // host:port
    size_t max_in_flight = 64;
    absl::Duration min_backoff = absl::Milliseconds(200);
    absl::Duration max_backoff = absl::Seconds(5);
    // Connect only while there is something to send, and close the stream
    // once nothing is in flight and nothing was sent for `idle_close` (links
    // past the parent: the province's direct route, escalations), so that an
    // idle node holds no such stream.
    bool on_demand = false;
    absl::Duration idle_close = absl::Seconds(2);
    // A link reads its outbox only when woken for it (Wake: a write queued
    // reports for this upstream; a receipt freed room) and, as a safety net
    // against a queueing path that does not wake it, this often; a dormant
    // on-demand link likewise before it connects.
    absl::Duration dormant_recheck = absl::Minutes(1);
    // For the parent's stream: instructions pushed down are stored here and
    // acknowledged; feedback queued here is sent up. Borrowed.
    InstructionBook* instructions = nullptr;
    // For the stream to the other node of this region: the records queued
    // for it are sent (node/peer_record_link.h). Borrowed.
    PeerRecords* peer_records = nullptr;
    // Each receipt with its report's send time and its arrival (this node's
    // clock), for the clock-skew estimate; may be empty.
    std::function<void(absl::Time sent, const Receipt&, absl::Time arrived)>
        on_receipt;
    // What this node tells the upstream about itself and its children
    // (SubtreeStatus), sent on connect and every `status_interval`; may be
    // empty.
    std::function<v1::SubtreeStatus()> subtree_status;
    absl::Duration status_interval = absl::Seconds(5);
    // This node is its region's standby: the stream says so (metadata
    // kStandbyStreamKey), so that the upstream keeps it beside the
    // primary's instead of in its place (node/child_streams.h).
    bool from_standby = false;
  };

  // Borrowed: `relay` and `clock` outlive the forwarder.
  Forwarder(Options options, RelayEngine* relay,
            std::shared_ptr<grpc::ChannelCredentials> credentials,
            Clock* clock);
  ~Forwarder();

  void Start();
  void Shutdown();
  // Something new to send: reports in the outbox, instructions' feedback,
  // peer records.
  void Wake();
  // A write queued reports for this upstream and they are in the outbox:
  // sent from the calling thread when the link is open and idle, else as
  // Wake. Called from the store's write completions; never blocks.
  void Offer();

  // The link as it is now: connected, in flight, receipts (for the node's
  // monitor and status).
  LinkSnapshot Snapshot() const;
  const Options& options() const { return options_; }

 private:
  struct InFlight {
    OutboxEntry entry;
    absl::Time first_sent;
    uint32_t attempts = 0;
    absl::Time sent_at;  // on the current stream
    // The receipt came; its write is under way.
    bool settling = false;
  };
  // Reports in flight whose receipt has not come yet.
  size_t Awaiting() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // How many more reports may be sent now.
  size_t Room() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The reports not to read from the outbox now: in flight, or deferred by
  // the upstream until later (the deferrals that are due are dropped).
  absl::flat_hash_set<std::string> SkipNow(absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads up to `room` reports from the outbox (not those in `skip`) and
  // sends them on `stream`; the caller set pumping_, which this clears.
  // `on_write`: called by Offer (counted apart).
  // How many were sent, or why the outbox could not be read.
  using RelayStream =
      grpc::ClientReaderWriterInterface<v1::RelayUp, v1::RelayDown>;
  absl::StatusOr<size_t> Pump(RelayStream* stream, size_t room,
                              const absl::flat_hash_set<std::string>& skip,
                              bool on_write)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) ABSL_LOCKS_EXCLUDED(mu_);

  void Run();
  // Runs one stream until it breaks or shutdown; true if it was connected.
  bool RunStream();
  void OnReceipt(Receipt receipt);
  void OnRejection(const v1::Rejection& rejection);
  // The receipt's (or refusal's) write for `id` finished with `status`.
  void Settled(const std::string& id, const absl::Status& status, bool receipt);
  bool StoppingOrBroken() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // For on-demand links: waits until the outbox holds something (true) or
  // shutdown (false).
  bool AwaitWork();
  // RelayEngine::NextOutbound for this upstream, counted (Snapshot).
  absl::StatusOr<std::vector<OutboundReport>> ReadOutbox(
      size_t max, const absl::flat_hash_set<std::string>& skip);

  // Constant after construction.
  const Options options_;
  RelayEngine* const relay_;
  Clock* const clock_;
  std::shared_ptr<grpc::Channel> channel_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = true;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  // Sent on the current stream, receipt not yet recorded; by report id.
  absl::flat_hash_map<std::string, InFlight> in_flight_ ABSL_GUARDED_BY(mu_);
  // Send history across reconnects (first send, attempts); by report id.
  absl::flat_hash_map<std::string, InFlight> history_ ABSL_GUARDED_BY(mu_);
  // Refused for a passing reason: not before this time; by report id.
  absl::flat_hash_map<std::string, absl::Time> retry_after_
      ABSL_GUARDED_BY(mu_);
  // The stream being run, so Shutdown can cancel it.
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The open stream, once the upstream proved to be the configured node,
  // so that Offer can write on it.
  RelayStream* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Held for each write on the stream: gRPC allows one at a time, and
  // both the link's thread and Offer write.
  absl::Mutex write_mu_;
  // The outbox is being read and sent (Pump), by Offer or the link's thread:
  // one at a time, so that no report is read twice and sent twice.
  bool pumping_ ABSL_GUARDED_BY(mu_) = false;
  // For an on-demand link's idle close.
  absl::Time last_sent_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Receipt and refusal writes not yet completed.
  int pending_writes_ ABSL_GUARDED_BY(mu_) = 0;
  // Entries of in_flight_ that are settling. A receipt frees its window
  // slot when it comes, not when its write lands, so that the next reports
  // travel while the receipts are being written.
  size_t settling_ ABSL_GUARDED_BY(mu_) = 0;
  // For Snapshot.
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  // On-demand link closed with an empty outbox (LinkSnapshot::dormant).
  bool dormant_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time connected_since_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time last_receipt_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t sent_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t acknowledged_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t outbox_reads_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t sent_on_write_ ABSL_GUARDED_BY(mu_) = 0;

  // The per-report lines (deferred, refused): an upstream that defers a
  // burst would otherwise write one line per report per retry; at most 20
  // a minute per kind, the rest counted on the next line written.
  LogLimiter report_lines_;

  // Set when options_.instructions is.
  std::unique_ptr<UpstreamInstructions> instructions_;
  // Set when options_.peer_records is.
  std::unique_ptr<PeerRecordLink> peer_records_;

  std::thread thread_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_FORWARDER_H_
