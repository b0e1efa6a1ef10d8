#include "client/console/console_feed.h"

#include <openssl/x509.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "relay/base/files.h"
#include "relay/certificates.h"

namespace kuaibao {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string FailureKind(const absl::Status& status,
                        const std::string& cert_file, absl::Time now) {
  absl::StatusOr<std::string> pem = ReadFileToString(cert_file, "certificate");
  if (pem.ok()) {
    std::vector<X509Ptr> chain = ReadCertificates(*pem);
    if (!chain.empty()) {
      time_t t = absl::ToTimeT(now);
      if (X509_cmp_time(X509_get0_notAfter(chain[0].get()), &t) < 0) {
        return "expired";
      }
      if (X509_cmp_time(X509_get0_notBefore(chain[0].get()), &t) > 0) {
        return "not_yet_valid";
      }
    }
  }
  std::string message(status.message());
  if (absl::StrContains(message, "handshake") ||
      absl::StrContains(message, "SSL") || absl::StrContains(message, "TLS") ||
      absl::StrContains(message, "certificate")) {
    return "handshake";
  }
  if (status.code() == absl::StatusCode::kPermissionDenied ||
      status.code() == absl::StatusCode::kUnauthenticated) {
    return "refused";
  }
  return "down";
}

ConsoleFeed::ConsoleFeed(FeedClient* feed, RelayClient* status_client,
                         std::string cert_file)
    : feed_(feed),
      status_client_(status_client),
      cert_file_(std::move(cert_file)) {
  SetState(false, "connecting", "");
}

ConsoleFeed::~ConsoleFeed() { Stop(); }

void ConsoleFeed::Start() {
  follower_ = std::thread([this] { FollowLoop(); });
  poller_ = std::thread([this] { StatusLoop(); });
}

void ConsoleFeed::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  // The follower blocks in a Watch call; it notices at its next item or
  // break. The process is exiting when Stop is called.
  if (poller_.joinable()) poller_.join();
  if (follower_.joinable()) follower_.detach();
}

void ConsoleFeed::SetState(bool up, const std::string& kind,
                           const std::string& reason) {
  std::string state = absl::StrCat("{\"up\":", up ? "true" : "false",
                                   ",\"kind\":", JsonString(kind),
                                   ",\"reason\":", JsonString(reason), "}");
  absl::MutexLock lock(&mu_);
  if (state == state_) return;
  state_ = std::move(state);
  ++state_version_;
}

void ConsoleFeed::FollowLoop() {
  FollowOptions options;
  options.max_backoff = absl::Seconds(2);
  options.on_break = [this](const absl::Status&, uint64_t) {
    absl::MutexLock lock(&mu_);
    return !stopping_;
  };
  absl::Status followed =
      FollowFeed(*feed_, options, [this](const v1::WatchResponse& r) {
        std::string json;
        google::protobuf::util::JsonPrintOptions print;
        print.always_print_primitive_fields = true;
        if (!google::protobuf::util::MessageToJsonString(r.item(), &json, print)
                 .ok()) {
          json = "{}";
        }
        std::string frame = absl::StrCat("id: ", r.cursor(),
                                         "\nevent: item\ndata: ", json, "\n\n");
        absl::MutexLock lock(&mu_);
        ring_.emplace_back(r.cursor(), std::move(frame));
        if (ring_.size() > kRing) ring_.pop_front();
        return !stopping_;
      });
  followed.IgnoreError();  // stopping: the console is exiting
}

void ConsoleFeed::StatusLoop() {
  for (;;) {
    absl::StatusOr<v1::GetStatusResponse> status = status_client_->GetStatus();
    if (status.ok()) {
      SetState(true, status->accepting() ? "ok" : "not_accepting",
               status->refusal());
    } else {
      SetState(false, FailureKind(status.status(), cert_file_, absl::Now()),
               std::string(status.status().message()));
    }
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_;
    };
    // The wall clock paces the polling only.
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::Seconds(2))) {
      return;
    }
  }
}

ConsoleFeed::Snapshot ConsoleFeed::WaitFor(uint64_t after,
                                           uint64_t state_version,
                                           absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || state_version_ != state_version ||
           (!ring_.empty() && ring_.back().first > after);
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  Snapshot snapshot;
  snapshot.last = after;
  for (const auto& [cursor, frame] : ring_) {
    if (cursor <= after) continue;
    snapshot.items.push_back(frame);
    snapshot.last = cursor;
  }
  snapshot.node_state = state_;
  snapshot.state_version = state_version_;
  return snapshot;
}

}  // namespace kuaibao
