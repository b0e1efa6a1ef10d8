#include "relay/store/keys.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kuaibao {
namespace keys {

const char kReports[] = "r/";
const char kForwardings[] = "f/";
const char kConflicts[] = "x/";
const char kEvents[] = "e/";
const char kRecent[] = "d/";
const char kBreaches[] = "b/";
const char kReviews[] = "rv/";
const char kQueued[] = "o/";
const char kHeld[] = "h/";
const char kEventIndex[] = "i/";
const char kLedger[] = "g/";
const char kChainLinks[] = "c/";
const char kInstructions[] = "in/";
const char kChildNodes[] = "k/c/";
const char kRollCalls[] = "q/";
const char kFeedbacks[] = "fb/";
const char kPeerQueue[] = "p/";
const char kSignerChains[] = "s/";
const char kSeq[] = "m/seq";
const char kBacklog[] = "m/backlog";
const char kChainHead[] = "m/chain";
const char kFeed[] = "w/";
const char kFeedCursor[] = "m/feed";

namespace {
constexpr char kEventCounters[] = "k/n/";
constexpr char kEventLabels[] = "k/l/";
constexpr char kDownQueues[] = "n/";
constexpr char kUpQueues[] = "u/";
constexpr char kIdEnd[] = "\x01";
}  // namespace

std::string Hex16(uint64_t n) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, n);
  return buf;
}

std::string Report(absl::string_view report_id) {
  return absl::StrCat(kReports, report_id);
}

std::optional<std::string> ReportIdOfKey(absl::string_view key) {
  if (!absl::StartsWith(key, kReports)) return std::nullopt;
  return std::string(key.substr(sizeof(kReports) - 1));
}

std::string ForwardingPrefix(absl::string_view report_id) {
  return absl::StrCat(kForwardings, report_id, kIdEnd);
}

std::string Forwarding(absl::string_view report_id,
                       absl::string_view upstream) {
  return absl::StrCat(ForwardingPrefix(report_id), upstream);
}

std::optional<ForwardingKeyParts> ParseForwarding(absl::string_view key) {
  if (!absl::StartsWith(key, kForwardings)) return std::nullopt;
  key.remove_prefix(sizeof(kForwardings) - 1);
  const size_t end = key.find(kIdEnd[0]);
  if (end == absl::string_view::npos) return std::nullopt;
  return ForwardingKeyParts{std::string(key.substr(0, end)),
                            std::string(key.substr(end + 1))};
}

std::string ConflictPrefix(absl::string_view report_id) {
  return absl::StrCat(kConflicts, report_id, kIdEnd);
}

std::string Conflict(absl::string_view report_id, uint64_t seq) {
  return absl::StrCat(ConflictPrefix(report_id), Hex16(seq));
}

std::string Event(absl::string_view event_id) {
  return absl::StrCat(kEvents, event_id);
}

std::string Recent(absl::Time received, absl::string_view report_id) {
  return absl::StrCat(
      kRecent, Hex16(static_cast<uint64_t>(absl::ToUnixMicros(received))), "/",
      report_id);
}

std::optional<RecentEntry> ParseRecent(absl::string_view key) {
  const size_t prefix = sizeof(kRecent) - 1;
  if (key.size() < prefix + 17 || key.substr(0, prefix) != kRecent) {
    return std::nullopt;
  }
  uint64_t micros = 0;
  if (!absl::SimpleHexAtoi(key.substr(prefix, 16), &micros)) {
    return std::nullopt;
  }
  return RecentEntry{absl::FromUnixMicros(static_cast<int64_t>(micros)),
                     std::string(key.substr(prefix + 17))};
}

std::string Review(absl::string_view about, int rule,
                   absl::string_view responsible) {
  return absl::StrCat(kReviews, about, "/", rule, "/", responsible);
}

std::string Breach(absl::string_view report_or_event_id, int rule,
                   absl::string_view responsible) {
  return absl::StrCat(kBreaches, report_or_event_id, "/", rule, "/",
                      responsible);
}

std::string BreachSubjectId(absl::string_view breach_key) {
  absl::string_view rest = breach_key.substr(sizeof(kBreaches) - 1);
  return std::string(rest.substr(0, rest.find('/')));
}

std::string QueuePrefix(absl::string_view upstream) {
  return absl::StrCat(kQueued, upstream, "/");
}

std::optional<std::string> UpstreamOfQueueKey(absl::string_view key) {
  if (!absl::StartsWith(key, kQueued)) return std::nullopt;
  key.remove_prefix(sizeof(kQueued) - 1);
  const size_t end = key.find('/');
  if (end == absl::string_view::npos) return std::nullopt;
  return std::string(key.substr(0, end));
}

std::string HeldPrefix(absl::string_view upstream) {
  return absl::StrCat(kHeld, upstream, "/");
}

std::string HeldFromQueued(absl::string_view queue_key) {
  return absl::StrCat(kHeld, queue_key.substr(sizeof(kQueued) - 1));
}

std::string EventIndexPrefix(absl::string_view upstream) {
  return absl::StrCat(kEventIndex, upstream, "/");
}

std::string EventIndexEventPrefix(absl::string_view upstream,
                                  absl::string_view event_id) {
  return absl::StrCat(EventIndexPrefix(upstream), event_id,
                      std::string(1, kEndOfSource));
}

std::string EventIndexEntry(absl::string_view upstream,
                            absl::string_view event_id, uint64_t seq) {
  return absl::StrCat(EventIndexEventPrefix(upstream, event_id), Hex16(seq));
}

uint64_t SeqOfQueueKey(absl::string_view key) {
  constexpr size_t kDigits = 16;
  uint64_t seq = 0;
  if (key.size() >= kDigits) {
    (void)absl::SimpleHexAtoi(key.substr(key.size() - kDigits), &seq);
  }
  return seq;
}

std::string LedgerHead(absl::string_view origin) {
  return absl::StrCat(kLedger, origin, std::string(1, kLedgerHeadMark));
}

std::string LedgerGap(absl::string_view origin, uint64_t first) {
  return absl::StrCat(kLedger, origin, std::string(1, kLedgerGapMark),
                      Hex16(first));
}

std::string ChainLink(uint64_t seq) {
  return absl::StrCat(kChainLinks, Hex16(seq));
}

std::string Instruction(absl::string_view instruction_id) {
  return absl::StrCat(kInstructions, instruction_id);
}

std::string FeedbackPrefix(absl::string_view instruction_id) {
  return absl::StrCat(kFeedbacks, instruction_id, "/");
}

std::string Feedback(absl::string_view instruction_id,
                     absl::string_view feedback_id) {
  return absl::StrCat(FeedbackPrefix(instruction_id), feedback_id);
}

std::string DownQueuePrefix(absl::string_view child) {
  return absl::StrCat(kDownQueues, child, "/");
}

std::string UpQueuePrefix(absl::string_view parent) {
  return absl::StrCat(kUpQueues, parent, "/");
}

std::string InstructionQueueKey(absl::string_view queue_prefix, uint64_t seq) {
  return absl::StrFormat("%s%020d", queue_prefix, seq);
}

std::string EventCounter(absl::string_view yyyymmdd) {
  return absl::StrCat(kEventCounters, yyyymmdd);
}

std::string EventLabel(absl::string_view label) {
  return absl::StrCat(kEventLabels, label);
}

std::string ChildNode(absl::string_view region) {
  return absl::StrCat(kChildNodes, region);
}

std::string SignerChain(absl::string_view digest_hex) {
  return absl::StrCat(kSignerChains, digest_hex);
}

std::string RollCall(absl::string_view roll_call_id) {
  return absl::StrCat(kRollCalls, roll_call_id);
}

std::string PeerQueueEntry(uint64_t seq) {
  return absl::StrCat(kPeerQueue, Hex16(seq));
}

std::string FeedItem(uint64_t cursor) {
  return absl::StrCat(kFeed, Hex16(cursor));
}

std::string FedDeadlineState(absl::string_view rule,
                             absl::string_view report_id,
                             absl::string_view event_id,
                             absl::string_view responsible) {
  return absl::StrCat("v/", rule, "/", report_id, "/", event_id, "/",
                      responsible);
}

}  // namespace keys
}  // namespace kuaibao
