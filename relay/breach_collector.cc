#include "relay/breach_collector.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

// Which of two views of one breach to keep.
constexpr int kRecordedOpen = 0;
constexpr int kRecordedMet = 1;
constexpr int kEvaluated = 2;

BreachEntry EntryFor(const BreachSubject& s) {
  BreachEntry e;
  e.set_report_id(s.report_id);
  e.set_event_id(s.event_id);
  e.set_instruction_id(s.instruction_id);
  e.set_region_code(s.region_code);
  e.set_headline(s.headline);
  return e;
}

std::string KeyOf(const BreachSubject& s, const Breach& b) {
  const std::string& id = !s.instruction_id.empty() ? s.instruction_id
                          : !s.report_id.empty()    ? s.report_id
                                                    : s.event_id;
  return absl::StrCat(id, "/", b.rule(), "/", b.responsible());
}

}  // namespace

BreachKind KindOf(DeadlineRule rule) {
  switch (rule) {
    case DEADLINE_RULE_UNIT_TO_LOCAL:
      return BREACH_KIND_LATE_UNIT_REPORT;
    case DEADLINE_RULE_PER_HOP:
      return BREACH_KIND_LATE_HAND_OFF;
    case DEADLINE_RULE_END_TO_END:
      return BREACH_KIND_LATE_TO_PROVINCE;
    case DEADLINE_RULE_DIRECT_TO_PROVINCE:
      return BREACH_KIND_LATE_DIRECT_TO_PROVINCE;
    case DEADLINE_RULE_NEXT_LEVEL_SAME_TIME:
      return BREACH_KIND_NEXT_LEVEL_LAGGED;
    case DEADLINE_RULE_PROVINCE_TO_NATIONAL:
      return BREACH_KIND_LATE_TO_NATIONAL;
    case DEADLINE_RULE_BRIEF_TO_DETAILED:
    case DEADLINE_RULE_FOLLOW_UP:
      return BREACH_KIND_MISSED_FOLLOW_UP;
    case DEADLINE_RULE_INSTRUCTION_RELAY:
      return BREACH_KIND_LATE_INSTRUCTION;
    case DEADLINE_RULE_FEEDBACK:
      return BREACH_KIND_OVERDUE_FEEDBACK;
    default:
      return BREACH_KIND_UNSPECIFIED;
  }
}

std::string AboutOf(const BreachEntry& e) {
  return !e.instruction_id().empty() ? e.instruction_id()
         : !e.report_id().empty()    ? e.report_id()
         : !e.event_id().empty()     ? e.event_id()
                                     : e.origin();
}

void BreachCollector::Put(const std::string& key, int rank, BreachEntry e) {
  auto [it, fresh] = entries_.try_emplace(key, Ranked{rank, e});
  if (!fresh && rank > it->second.rank) it->second = Ranked{rank, std::move(e)};
}

void BreachCollector::AddRecord(const BreachSubject& subject,
                                const Breach& breach) {
  absl::Time due = FromProto(breach.due());
  if (due < from_ || due >= to_) return;
  BreachEntry e = EntryFor(subject);
  e.set_kind(KindOf(breach.rule()));
  e.set_responsible(breach.responsible());
  *e.mutable_breach() = breach;
  bool met = IsSet(breach.met_at());
  e.set_outstanding(!met);
  *e.mutable_late_by() =
      ToDurationProto((met ? FromProto(breach.met_at()) : now_) - due);
  std::string key = KeyOf(subject, breach);
  Put(key, met ? kRecordedMet : kRecordedOpen, std::move(e));
}

void BreachCollector::AddDeadline(const BreachSubject& subject,
                                  const DeadlineStatus& d) {
  if (d.state() != DEADLINE_STATE_MET_LATE &&
      d.state() != DEADLINE_STATE_OVERDUE) {
    return;
  }
  Breach b;
  b.set_rule(d.rule());
  b.set_responsible(d.responsible());
  *b.mutable_start() = d.start();
  *b.mutable_due() = d.due();
  *b.mutable_met_at() = d.met_at();
  b.set_drill(d.drill());
  b.set_detail(d.detail());
  absl::Time due = FromProto(d.due());
  if (due < from_ || due >= to_) return;
  BreachEntry e = EntryFor(subject);
  e.set_kind(KindOf(d.rule()));
  e.set_responsible(d.responsible());
  bool met = d.state() == DEADLINE_STATE_MET_LATE;
  e.set_outstanding(!met);
  *e.mutable_late_by() =
      ToDurationProto((met ? FromProto(d.met_at()) : now_) - due);
  std::string key = KeyOf(subject, b);
  *e.mutable_breach() = std::move(b);
  Put(key, kEvaluated, std::move(e));
}

void BreachCollector::AddGap(const std::string& origin,
                             const std::string& region,
                             const SequenceGap& gap) {
  absl::Time seen = FromProto(gap.first_seen_at());
  if (!gap.overdue() || seen < from_ || seen >= to_) return;
  BreachEntry e;
  e.set_kind(BREACH_KIND_SEQUENCE_GAP);
  e.set_responsible(origin);
  e.set_origin(origin);
  e.set_region_code(region);
  *e.mutable_gap() = gap;
  e.set_outstanding(true);
  *e.mutable_late_by() = ToDurationProto(now_ - seen);
  e.set_headline(gap.first() == gap.last()
                     ? absl::StrCat("report #", gap.first(), " never arrived")
                     : absl::StrCat("reports #", gap.first(), "–#", gap.last(),
                                    " never arrived"));
  std::string key = absl::StrCat(origin, "/gap/", gap.first());
  Put(key, kEvaluated, std::move(e));
}

ListBreachesResponse BreachCollector::Build() const {
  ListBreachesResponse out;
  std::map<std::pair<std::string, int>, BreachGroup> groups;
  std::vector<BreachEntry> drills;
  for (const auto& [key, ranked] : entries_) {
    const BreachEntry& e = ranked.entry;
    if (e.breach().drill()) {
      drills.push_back(e);
      continue;
    }
    BreachGroup& g = groups[{e.responsible(), e.kind()}];
    g.set_responsible(e.responsible());
    g.set_kind(e.kind());
    *g.add_entries() = e;
    if (FromDurationProto(e.late_by()) > FromDurationProto(g.worst())) {
      *g.mutable_worst() = e.late_by();
    }
  }
  auto by_due = [](const BreachEntry& a, const BreachEntry& b) {
    absl::Time ta = IsSet(a.breach().due())
                        ? FromProto(a.breach().due())
                        : FromProto(a.gap().first_seen_at());
    absl::Time tb = IsSet(b.breach().due())
                        ? FromProto(b.breach().due())
                        : FromProto(b.gap().first_seen_at());
    if (ta != tb) return ta < tb;
    return a.report_id() < b.report_id();
  };
  for (auto& [key, g] : groups) {
    std::sort(g.mutable_entries()->begin(), g.mutable_entries()->end(), by_due);
    *out.add_groups() = std::move(g);
  }
  std::sort(drills.begin(), drills.end(), by_due);
  for (BreachEntry& e : drills) *out.add_drills() = std::move(e);
  return out;
}

}  // namespace kuaibao
