#include "node/forwarder.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/base/log.h"
#include "relay/proto_time.h"
#include "relay/standby_links.h"
#include "relay/transport/peer_identity.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

// Refusals that say "not now" rather than "never": the report is resent.
bool Transient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kAborted ||
         code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kInternal ||
         code == absl::StatusCode::kDataLoss;
}

}  // namespace

Forwarder::Forwarder(Options options, RelayEngine* relay,
                     std::shared_ptr<grpc::ChannelCredentials> credentials,
                     Clock* clock)
    : options_(std::move(options)),
      relay_(relay),
      clock_(clock),
      report_lines_(20, absl::Minutes(1), clock) {
  // Idle until it is found to have something to send (AwaitWork).
  dormant_ = options_.on_demand;
  grpc::ChannelArguments args;
  args.SetInt(
      GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.min_backoff)));
  args.SetInt(
      GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.max_backoff)));
  // Notice a parent that vanished without closing (machine down, cable cut).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  channel_ = grpc::CreateCustomChannel(options_.address, credentials, args);
  if (options_.instructions != nullptr) {
    instructions_ =
        std::make_unique<UpstreamInstructions>(options_.instructions);
  }
  if (options_.peer_records != nullptr) {
    peer_records_ = std::make_unique<PeerRecordLink>(options_.peer_records);
  }
}

Forwarder::~Forwarder() { Shutdown(); }

void Forwarder::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Forwarder::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // Unblocks a connect, a read or a write stuck on a silent upstream.
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* pending) { return *pending == 0; }, &pending_writes_));
}

void Forwarder::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

bool Forwarder::StoppingOrBroken() const { return stopping_ || stream_broken_; }

size_t Forwarder::Awaiting() const { return in_flight_.size() - settling_; }

bool Forwarder::AwaitWork() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](Forwarder* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f->mu_) {
                return f->stopping_ || f->woken_;
              },
              this),
          options_.dormant_recheck);
      if (stopping_) return false;
      woken_ = false;
    }
    absl::StatusOr<std::vector<OutboundReport>> next = ReadOutbox(1, {});
    if (!next.ok()) continue;
    absl::MutexLock lock(&mu_);
    dormant_ = next->empty();
    if (!dormant_) {
      woken_ = true;
      return true;
    }
  }
}

absl::StatusOr<std::vector<OutboundReport>> Forwarder::ReadOutbox(
    size_t max, const absl::flat_hash_set<std::string>& skip) {
  {
    absl::MutexLock lock(&mu_);
    ++outbox_reads_;
  }
  return relay_->NextOutbound(options_.upstream, max, skip);
}

LinkSnapshot Forwarder::Snapshot() const {
  absl::MutexLock lock(&mu_);
  LinkSnapshot link;
  link.connected = connected_;
  link.dormant = dormant_;
  link.connected_since = connected_since_;
  link.in_flight = in_flight_.size();
  link.last_receipt_at = last_receipt_at_;
  link.sent = sent_;
  link.acknowledged = acknowledged_;
  link.refused = refused_;
  link.outbox_reads = outbox_reads_;
  link.sent_on_write = sent_on_write_;
  link.oldest_in_flight_sent_at = absl::InfiniteFuture();
  for (const auto& [id, sent] : in_flight_) {
    link.oldest_in_flight_sent_at =
        std::min(link.oldest_in_flight_sent_at, sent.sent_at);
  }
  return link;
}

void Forwarder::Run() {
  absl::Duration backoff = options_.min_backoff;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (options_.on_demand && !AwaitWork()) return;
    bool connected = RunStream();
    if (connected) backoff = options_.min_backoff;
    absl::MutexLock lock(&mu_);
    // Wait out the backoff, waking early only for shutdown.
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

bool Forwarder::RunStream() {
  auto stub = v1::Relay::NewStub(channel_);
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    current_ = &context;
  }
  if (options_.from_standby) context.AddMetadata(kStandbyStreamKey, "1");
  std::unique_ptr<grpc::ClientReaderWriter<v1::RelayUp, v1::RelayDown>> stream =
      stub->Escalate(&context);
  stream->WaitForInitialMetadata();
  // The server's certificate chains to our CA; it must also be the node we
  // mean to report to, not any node of the province.
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  absl::StatusOr<Identity> peer =
      auth ? PeerIdentity(*auth)
           : absl::StatusOr<Identity>(absl::UnavailableError("no connection"));
  if (!peer.ok() || peer->role != Role::kNode ||
      peer->NodeId() != RegionOfLink(options_.upstream)) {
    context.TryCancel();
    absl::Status s = FromGrpcStatus(stream->Finish());
    if (!s.ok() && !absl::IsCancelled(s)) {
      Log(LogLevel::kWarning, "upstream unreachable",
          {{"upstream", options_.upstream},
           {"address", options_.address},
           {"code", absl::StatusCodeToString(s.code())},
           {"reason", std::string(s.message())}});
    } else {
      Log(LogLevel::kError, "upstream is not the configured node; not sending",
          {{"upstream", options_.upstream},
           {"address", options_.address},
           {"peer",
            peer.ok() ? peer->uri : std::string(peer.status().message())}});
    }
    relay_->SetLinkUp(options_.upstream, false);
    absl::MutexLock lock(&mu_);
    current_ = nullptr;
    return false;
  }
  relay_->SetLinkUp(options_.upstream, true);
  Log(LogLevel::kInfo, "upstream connected",
      {{"upstream", options_.upstream}, {"address", options_.address}});
  {
    absl::MutexLock lock(&mu_);
    stream_broken_ = false;
    woken_ = true;
    connected_ = true;
    connected_since_ = clock_->TimeNow();
    last_sent_at_ = connected_since_;  // an on-demand link's grace
    stream_ = stream.get();
  }
  if (instructions_) instructions_->StreamStarted();
  if (peer_records_) peer_records_->StreamStarted();

  std::thread reader([this, &stream] {
    v1::RelayDown down;
    while (stream->Read(&down)) {
      if (instructions_ && instructions_->OnDown(down)) {
        Wake();  // an acknowledgement to write
      } else if (peer_records_ && peer_records_->OnDown(down)) {
        Wake();  // a window slot freed
      } else if (down.has_receipt()) {
        OnReceipt(std::move(*down.mutable_receipt()));
      } else if (down.has_rejection()) {
        OnRejection(down.rejection());
      }
    }
    absl::MutexLock lock(&mu_);
    stream_broken_ = true;
  });
  // One write at a time: this thread's and Offer's.
  auto write = [this, &stream](const v1::RelayUp& up) {
    absl::MutexLock lock(&write_mu_);
    return stream->Write(up);
  };

  bool idle = false;
  absl::Time status_sent = absl::InfinitePast();
  absl::Time last_read = clock_->TimeNow();
  for (;;) {
    absl::flat_hash_set<std::string> skip;
    size_t room;
    bool look;
    {
      absl::MutexLock lock(&mu_);
      // Wake up for new reports, a freed window slot, a break or shutdown;
      // at least once a second to retry reports refused for a passing
      // reason.
      // With reports awaiting receipts, refill the window a quarter at a
      // time: each outbox read costs seeks, whatever it returns.
      const size_t refill_at = std::max<size_t>(1, options_.max_in_flight / 4);
      // A report the upstream deferred is read again when its time comes,
      // not before: re-reading the outbox until then found nothing to send
      // (479,740 reads in 1.5 s while one report waited).
      absl::Time next_retry = absl::InfiniteFuture();
      for (const auto& [id, at] : retry_after_) {
        next_retry = std::min(next_retry, at);
      }
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        if (StoppingOrBroken()) return true;
        if (pumping_) return false;  // Offer is sending; then look again
        size_t room = Room();
        if (room > 0 && clock_->TimeNow() >= next_retry) return true;
        return woken_ && room > 0 && (room >= refill_at || Awaiting() == 0);
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready),
                           std::clamp(next_retry - clock_->TimeNow(),
                                      absl::ZeroDuration(), absl::Seconds(1)));
      if (StoppingOrBroken()) break;
      if (pumping_) continue;
      // Woken, a deferred report's time has come, or the safety re-check is
      // due: the outbox is read. The one-second round alone only keeps the
      // stream's own business going (status, idle close): no write queued
      // anything for this upstream.
      absl::Time now = clock_->TimeNow();
      look = woken_ || now >= next_retry ||
             now - last_read >= options_.dormant_recheck;
      woken_ = false;
      room = look ? Room() : 0;
      if (look && room == 0) {
        woken_ = true;  // read once a receipt frees room
        continue;
      }
      if (look) {
        skip = SkipNow(now);
        pumping_ = true;
      }
    }
    absl::StatusOr<size_t> sent = 0;
    if (look) {
      absl::MutexLock lock(&write_mu_);
      sent = Pump(stream.get(), room, skip, /*on_write=*/false);
    }
    if (look) last_read = clock_->TimeNow();
    if (!sent.ok()) {
      Log(LogLevel::kError, "cannot read outbox",
          {{"upstream", options_.upstream},
           {"reason", std::string(sent.status().message())}});
      break;
    }
    if (*sent == 0 && options_.on_demand) {
      absl::MutexLock lock(&mu_);
      // The grace runs from the last send or receipt, whichever is later.
      if (in_flight_.empty() &&
          clock_->TimeNow() - std::max(last_sent_at_, last_receipt_at_) >
              options_.idle_close) {
        idle = true;
        dormant_ = true;
        break;
      }
    }
    if (instructions_ && !instructions_->WriteUp(write)) break;
    if (peer_records_ && !peer_records_->WriteUp(write)) break;
    if (options_.subtree_status &&
        clock_->TimeNow() - status_sent >= options_.status_interval) {
      status_sent = clock_->TimeNow();
      v1::RelayUp up;
      *up.mutable_subtree_status() = options_.subtree_status();
      if (!write(up)) break;
    }
  }

  context.TryCancel();
  reader.join();
  {
    // No write after this: Offer writes only to stream_.
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](bool* pumping) { return !*pumping; }, &pumping_));
    stream_ = nullptr;
  }
  absl::Status status = FromGrpcStatus(stream->Finish());
  size_t unacked;
  bool stopping;
  {
    absl::MutexLock lock(&mu_);
    unacked = Awaiting();
    in_flight_.clear();  // resent on the next stream
    settling_ = 0;
    stream_broken_ = false;
    connected_ = false;
    current_ = nullptr;
    stopping = stopping_;
  }
  if (idle) {
    Log(LogLevel::kInfo, "closed idle on-demand link",
        {{"upstream", options_.upstream}});
  } else if (!stopping) {
    relay_->SetLinkUp(options_.upstream, false);
    Log(LogLevel::kWarning, "upstream stream ended",
        {{"upstream", options_.upstream},
         {"code", absl::StatusCodeToString(status.code())},
         {"reason", std::string(status.message())},
         {"unacknowledged", absl::StrCat(unacked)}});
  }
  return true;
}

size_t Forwarder::Room() const {
  // At most a window awaiting receipts, and another whose receipts are
  // being written.
  size_t cap = 2 * options_.max_in_flight;
  return std::min(
      options_.max_in_flight - std::min(options_.max_in_flight, Awaiting()),
      cap - std::min(cap, in_flight_.size()));
}

absl::flat_hash_set<std::string> Forwarder::SkipNow(absl::Time now) {
  absl::flat_hash_set<std::string> skip;
  for (const auto& [id, _] : in_flight_) skip.insert(id);
  for (auto it = retry_after_.begin(); it != retry_after_.end();) {
    if (it->second > now) {
      skip.insert(it->first);
      ++it;
    } else {
      retry_after_.erase(it++);
    }
  }
  return skip;
}

void Forwarder::Offer() {
  RelayStream* stream;
  size_t room;
  {
    absl::MutexLock lock(&mu_);
    // Only an idle open link writes from here: the report leaves on the
    // thread whose write queued it, without waking the link's thread
    // (≈ 150 µs a hop on an idle machine). With nothing in flight, all
    // that was sent before was read at the other end, so HTTP/2's window
    // is open and the write does not wait for it. A busy link's thread is
    // awake or already woken, and takes the report with the rest.
    if (stream_ == nullptr || StoppingOrBroken() || pumping_ || woken_ ||
        !in_flight_.empty() || !retry_after_.empty()) {
      woken_ = true;
      return;
    }
    // A few at most: the rest of a burst is the link's thread's, so that
    // the store's writer goes back to the next write.
    room = std::min<size_t>(Room(), 4);
    pumping_ = true;
    stream = stream_;
  }
  // The link's thread is writing (instructions, status): it takes this too.
  if (!write_mu_.TryLock()) {
    absl::MutexLock lock(&mu_);
    pumping_ = false;
    woken_ = true;
    return;
  }
  // A failed read is the link's thread's to retry and report (Pump wakes it).
  Pump(stream, room, {}, /*on_write=*/true).IgnoreError();
  write_mu_.Unlock();
}

absl::StatusOr<size_t> Forwarder::Pump(
    RelayStream* stream, size_t room,
    const absl::flat_hash_set<std::string>& skip, bool on_write) {
  absl::StatusOr<std::vector<OutboundReport>> batch = ReadOutbox(room, skip);
  size_t sent = 0;
  if (batch.ok()) {
    for (OutboundReport& out : *batch) {
      {
        absl::MutexLock lock(&mu_);
        InFlight& history = history_[out.entry.report_id];
        if (history.attempts == 0) history.first_sent = clock_->TimeNow();
        ++history.attempts;
        history.entry = out.entry;
        in_flight_[out.entry.report_id] = history;
        in_flight_[out.entry.report_id].sent_at = clock_->TimeNow();
        last_sent_at_ = clock_->TimeNow();
        ++sent_;
        if (on_write) ++sent_on_write_;
        HopRecord* own = out.payload.mutable_hops(out.payload.hops_size() - 1);
        own->mutable_forwarded(own->forwarded_size() - 1)
            ->set_attempts(history.attempts);
      }
      v1::RelayUp up;
      *up.mutable_report() = std::move(out.payload);
      // Fails only on a broken stream, which the link's thread then ends.
      if (!stream->Write(up)) break;
      ++sent;
    }
  }
  absl::MutexLock lock(&mu_);
  pumping_ = false;
  // There may be more; or the read failed, and the link's thread reads again.
  if (!batch.ok() || batch->size() == room) woken_ = true;
  if (!batch.ok()) return batch.status();
  return sent;
}

void Forwarder::OnReceipt(Receipt receipt) {
  InFlight sent;
  {
    absl::MutexLock lock(&mu_);
    auto it = in_flight_.find(receipt.report_id());
    // From an earlier attempt, or a second receipt for the same send.
    if (it == in_flight_.end() || it->second.settling) return;
    // Frees a window slot; the sending loop's condition sees it (woken_ is
    // still set if more waits), so there is no extra outbox read.
    it->second.settling = true;
    ++settling_;
    sent = it->second;
    ++pending_writes_;
  }
  if (options_.on_receipt) {
    options_.on_receipt(sent.sent_at, receipt, clock_->TimeNow());
  }
  std::string id = receipt.report_id();
  relay_->RecordReceipt(options_.upstream, sent.entry, std::move(receipt),
                        sent.first_sent, sent.attempts,
                        [this, id = std::move(id)](absl::Status status) {
                          Settled(id, status, /*receipt=*/true);
                        });
}

void Forwarder::Settled(const std::string& id, const absl::Status& status,
                        bool receipt) {
  if (!status.ok()) {
    // Left in flight: resent on the next stream, answered again.
    Log(LogLevel::kError,
        receipt ? "cannot record receipt" : "cannot record refusal",
        {{"report_id", id}, {"reason", std::string(status.message())}});
  }
  absl::MutexLock lock(&mu_);
  auto it = in_flight_.find(id);  // gone if the stream ended meanwhile
  if (it != in_flight_.end() && it->second.settling) {
    --settling_;
    it->second.settling = false;
  }
  if (status.ok()) {
    if (it != in_flight_.end()) in_flight_.erase(it);
    history_.erase(id);
    if (receipt) last_receipt_at_ = clock_->TimeNow();
    ++(receipt ? acknowledged_ : refused_);
  }
  --pending_writes_;
}

void Forwarder::OnRejection(const v1::Rejection& rejection) {
  absl::StatusCode code = static_cast<absl::StatusCode>(rejection.code());
  InFlight sent;
  {
    absl::MutexLock lock(&mu_);
    auto it = in_flight_.find(rejection.report_id());
    if (it == in_flight_.end()) return;
    sent = it->second;
    if (Transient(code)) {
      in_flight_.erase(it);
      // The parent's own delay when it gave one (its rate limit), else the
      // longest backoff.
      retry_after_[rejection.report_id()] =
          clock_->TimeNow() +
          (rejection.has_retry_after()
               ? std::min(FromDurationProto(rejection.retry_after()),
                          options_.max_backoff)
               : options_.max_backoff);
      woken_ = true;
      uint64_t suppressed = 0;
      if (report_lines_.Allow("deferred", &suppressed)) {
        Log(LogLevel::kWarning, "upstream deferred a report; will resend",
            {{"report_id", rejection.report_id()},
             {"upstream", options_.upstream},
             {"code", absl::StatusCodeToString(code)},
             {"reason", rejection.message()},
             {"suppressed", absl::StrCat(suppressed)}});
      }
      return;
    }
    ++pending_writes_;
  }
  // A permanent refusal: keep the report here, held, and say so loudly (the
  // held reports are listed on the node's status page, every one of them).
  uint64_t suppressed = 0;
  if (report_lines_.Allow("held", &suppressed)) {
    Log(LogLevel::kError, "upstream refused a report; held here",
        {{"report_id", rejection.report_id()},
         {"upstream", options_.upstream},
         {"code", absl::StatusCodeToString(code)},
         {"field", rejection.field()},
         {"reason", rejection.message()},
         {"suppressed", absl::StrCat(suppressed)}});
  }
  relay_->RecordRefusal(
      options_.upstream, sent.entry,
      absl::StrCat(absl::StatusCodeToString(code), ": ", rejection.message()),
      [this, id = rejection.report_id()](absl::Status status) {
        Settled(id, status, /*receipt=*/false);
      });
}

}  // namespace kuaibao
