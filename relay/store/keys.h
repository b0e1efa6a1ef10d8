#ifndef KUAIBAO_RELAY_STORE_KEYS_H_
#define KUAIBAO_RELAY_STORE_KEYS_H_

// The storage key layout: every key prefix a node's LevelDB holds is named
// here, and every key is built (and, where needed, parsed) here. No other
// file spells a prefix (tests/check-source-rules.sh fails when one does), so
// the layout can be read, changed and migrated in one place.
//
//   r/<report_id>                      StoredReport, as accepted here
//   f/<report_id>\x01<upstream>        Forwarding: the hand-off to upstream
//   x/<report_id>\x01<seq hex16>       ConflictRecord (refused look-alikes)
//   e/<event_id>                       EventRecord
//   d/<received micros hex16>/<id>     reports by arrival time (deadlines)
//   b/<report or event id>/<rule number>/<responsible>   Breach
//   rv/<about>/<rule number>/<responsible>  BreachReview (an auditor's mark)
//   o/<upstream>/<class>/<source>\x01<seq hex16>  outbox queue -> report id
//   h/<same as o/ after the prefix>    held outbox entries -> report id
//   i/<upstream>/<event_id>\x01<seq hex16>        outbox event index -> o/ key
//   g/<origin>\x01                     OriginRecord: per-origin ledger head
//   g/<origin>\x02<first hex16>        SequenceGap
//   c/<seq hex16>                      ChainLink (hop chain)
//   in/<instruction_id>                Instruction
//   fb/<instruction_id>/<feedback_id>  Feedback
//   n/<child>/<seq dec20>              instructions queued down to a child
//   u/<parent>/<seq dec20>             feedback queued up to the parent
//   m/seq, m/backlog, m/chain          counters and the hop chain's head
//   k/n/<yyyymmdd>                     the day's last event number (decimal)
//   k/l/<label>                        a client's event label -> event id
//   k/c/<region>                       a node below that relayed here
//   q/<roll_call_id>                   RollCall
//   p/<seq hex16>                      PeerRecord for the region's other node
//   w/<cursor hex16>                   FeedItem: the node's record (Watch)
//   m/feed                             the last feed cursor used
//   v/<rule>/<report>/<event>/<responsible>  a deadline's state last fed
//   s/<sha-256 hex>                    SignerChain: a receipt signer's
//                                      certificates, named by stored receipts
//
// '\x01' and '\x02' cannot occur in ids or identity URIs, so one id's keys
// never interleave with another id that shares its beginning.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kuaibao {
namespace keys {

// Prefixes, for scans of a whole kind.
extern const char kReports[];
extern const char kForwardings[];
extern const char kConflicts[];
extern const char kEvents[];
extern const char kRecent[];
extern const char kBreaches[];
extern const char kReviews[];
extern const char kQueued[];
extern const char kHeld[];
extern const char kEventIndex[];
extern const char kLedger[];
extern const char kChainLinks[];
extern const char kInstructions[];
extern const char kChildNodes[];
extern const char kRollCalls[];
extern const char kFeedbacks[];
extern const char kPeerQueue[];
extern const char kSignerChains[];
// Single keys.
extern const char kSeq[];
extern const char kBacklog[];
extern const char kChainHead[];

// Fixed-width hex, so that numbers sort as text.
std::string Hex16(uint64_t n);

std::string Report(absl::string_view report_id);
// The report id of a report key (Report); nullopt for any other key.
std::optional<std::string> ReportIdOfKey(absl::string_view key);
std::string Forwarding(absl::string_view report_id, absl::string_view upstream);
std::string ForwardingPrefix(absl::string_view report_id);
std::string Conflict(absl::string_view report_id, uint64_t seq);
// A forwarding key's report id and upstream.
struct ForwardingKeyParts {
  std::string report_id;
  std::string upstream;
};
std::optional<ForwardingKeyParts> ParseForwarding(absl::string_view key);
std::string ConflictPrefix(absl::string_view report_id);
std::string Event(absl::string_view event_id);
std::string Recent(absl::Time received, absl::string_view report_id);
// A recent-index key's arrival time and report id.
struct RecentEntry {
  absl::Time received;
  std::string report_id;
};
std::optional<RecentEntry> ParseRecent(absl::string_view key);
std::string Breach(absl::string_view report_or_event_id, int rule,
                   absl::string_view responsible);
// The report (or event) id a breach key is about.
std::string BreachSubjectId(absl::string_view breach_key);
// An auditor's "reviewed" mark on the breach of `rule` by `responsible`
// about `about` (its report, event or instruction id).
std::string Review(absl::string_view about, int rule,
                   absl::string_view responsible);

// Outbox.
std::string QueuePrefix(absl::string_view upstream);
// The upstream a queue key (QueuePrefix) is for; nullopt for any other key.
std::optional<std::string> UpstreamOfQueueKey(absl::string_view key);
std::string HeldPrefix(absl::string_view upstream);
// The held twin of a queue key (same suffix, the held prefix).
std::string HeldFromQueued(absl::string_view queue_key);
std::string EventIndexPrefix(absl::string_view upstream);
std::string EventIndexEventPrefix(absl::string_view upstream,
                                  absl::string_view event_id);
// The entry of the event index for the report queued with sequence `seq`.
std::string EventIndexEntry(absl::string_view upstream,
                            absl::string_view event_id, uint64_t seq);
// The sequence number that ends a queue, held or event index key; 0 when
// the key ends otherwise.
uint64_t SeqOfQueueKey(absl::string_view key);
// The separator between a queue key's source and its sequence number.
constexpr char kEndOfSource = '\x01';

// Origin ledger.
constexpr char kLedgerHeadMark = '\x01';
constexpr char kLedgerGapMark = '\x02';
std::string LedgerHead(absl::string_view origin);
std::string LedgerGap(absl::string_view origin, uint64_t first);

// Hop chain.
std::string ChainLink(uint64_t seq);

// Instructions and feedback.
std::string Instruction(absl::string_view instruction_id);
std::string FeedbackPrefix(absl::string_view instruction_id);
std::string Feedback(absl::string_view instruction_id,
                     absl::string_view feedback_id);
std::string DownQueuePrefix(absl::string_view child);
std::string UpQueuePrefix(absl::string_view parent);
std::string InstructionQueueKey(absl::string_view queue_prefix, uint64_t seq);

// Event identity (relay/event_identity.h).
std::string EventCounter(absl::string_view yyyymmdd);
std::string EventLabel(absl::string_view label);
std::string ChildNode(absl::string_view region);

// A signer's certificate chain by its digest (relay/signer_chains.h).
std::string SignerChain(absl::string_view digest_hex);

// Roll calls.
std::string RollCall(absl::string_view roll_call_id);
// The queue of records for the other node of this region
// (relay/peer_records.h).
std::string PeerQueueEntry(uint64_t seq);
// The feed (Query.Watch): items by cursor, the last cursor, and the state of
// each deadline as last recorded in it.
extern const char kFeed[];
extern const char kFeedCursor[];
std::string FeedItem(uint64_t cursor);
std::string FedDeadlineState(absl::string_view rule,
                             absl::string_view report_id,
                             absl::string_view event_id,
                             absl::string_view responsible);

}  // namespace keys
}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STORE_KEYS_H_
