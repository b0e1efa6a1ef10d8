#include "node/node_metrics.h"

#include <functional>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "node/cert_identity.h"
#include "node/prometheus_text.h"
#include "node/standby_forwarders.h"

namespace kuaibao {
namespace {

using Type = PrometheusText::Type;

// "DEADLINE_RULE_PER_HOP" -> "per_hop"; "RESOURCE_EXHAUSTED" -> the same in
// lower case: label values read like the rest of Prometheus.
std::string EnumLabel(absl::string_view name, absl::string_view prefix) {
  return absl::AsciiStrToLower(absl::StripPrefix(name, prefix));
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

double UnixSeconds(absl::Time t) {
  return static_cast<double>(absl::ToUnixMicros(t)) / 1e6;
}

// Report rules first, then instruction rules; UNSPECIFIED left out.
std::vector<DeadlineRule> AllRules() {
  std::vector<DeadlineRule> rules;
  const google::protobuf::EnumDescriptor* d = DeadlineRule_descriptor();
  for (int i = 0; i < d->value_count(); ++i) {
    if (d->value(i)->number() != DEADLINE_RULE_UNSPECIFIED) {
      rules.push_back(static_cast<DeadlineRule>(d->value(i)->number()));
    }
  }
  return rules;
}

std::string RuleLabel(DeadlineRule rule) {
  return EnumLabel(DeadlineRule_Name(rule), "DEADLINE_RULE_");
}

// Seconds from `now` until each certificate in `path` expires, by
// `label(i)` of its place in the file; the soonest when labels repeat.
void CertificateExpiry(const std::string& path, absl::Time now,
                       const std::function<std::string(size_t)>& label,
                       std::map<std::string, double>* out, int* errors) {
  absl::StatusOr<std::vector<absl::Time>> expiries = CertificateExpiries(path);
  if (!expiries.ok()) {
    ++*errors;
    return;
  }
  for (size_t i = 0; i < expiries->size(); ++i) {
    double left = Seconds((*expiries)[i] - now);
    auto [it, fresh] = out->emplace(label(i), left);
    if (!fresh && left < it->second) it->second = left;
  }
}

}  // namespace

NodeMetrics::NodeMetrics(Options options, RelayEngine* relay,
                         InstructionBook* book,
                         const AdmissionControl* admission,
                         std::vector<const Forwarder*> links,
                         const ReportCounters* counters, Clock* clock)
    : options_(std::move(options)),
      relay_(relay),
      book_(book),
      admission_(admission),
      links_(std::move(links)),
      counters_(counters),
      clock_(clock),
      started_(clock->TimeNow()) {}

std::string NodeMetrics::Render() const {
  const absl::Time now = clock_->TimeNow();
  const std::string& here = relay_->options().region;
  PrometheusText out;
  int errors = 0;

  out.Family("kuaibao_node_info", Type::kGauge,
             "This node's region code (the value is always 1).");
  out.Sample({{"region", here}}, 1);
  out.Family("process_start_time_seconds", Type::kGauge,
             "When the node started, in seconds since the Unix epoch.");
  out.Sample(UnixSeconds(started_));
  out.Family("kuaibao_uptime_seconds", Type::kGauge,
             "Seconds since the node started.");
  out.Sample(Seconds(now - started_));

  // Intake and disk: the same decision `kuaibao status` shows.
  absl::Status refusal = relay_->IntakeRefusal();
  out.Family("kuaibao_accepting", Type::kGauge,
             "1 while the node takes new reports, 0 while it refuses them "
             "(disk quota, disk reserve, a failed store write).");
  out.Sample(refusal.ok() ? 1 : 0);
  const AdmissionControl::Usage usage = admission_->usage();
  const AdmissionControl::Limits& limits = admission_->limits();
  out.Family("kuaibao_store_bytes", Type::kGauge,
             "Size of the data directory, as last measured.");
  out.Sample(static_cast<double>(usage.store_bytes));
  out.Family("kuaibao_store_max_bytes", Type::kGauge,
             "The data directory's quota (max_store_bytes); 0 = none.");
  out.Sample(static_cast<double>(limits.max_store_bytes));
  out.Family("kuaibao_backlog_bytes", Type::kGauge,
             "Reports waiting for an upstream's receipt, as their encoded "
             "size (the tally the backlog quota is checked against).");
  out.Sample(static_cast<double>(relay_->backlog_bytes()));
  out.Family("kuaibao_outbox_next_total", Type::kCounter,
             "Reads of the outbox for reports to send: from=\"memory\" "
             "answered from what the node's writes left in memory, "
             "from=\"store\" read the store (after a restart, or past what "
             "memory holds).");
  out.Sample({{"from", "memory"}},
             static_cast<double>(relay_->outbox_next_from_memory()));
  out.Sample({{"from", "store"}},
             static_cast<double>(relay_->outbox_next_from_store()));
  out.Family("kuaibao_backlog_max_bytes", Type::kGauge,
             "The backlog quota (max_backlog_bytes); 0 = none.");
  out.Sample(static_cast<double>(limits.max_backlog_bytes));
  out.Family("kuaibao_disk_free_bytes", Type::kGauge,
             "Free space on the data directory's file system.");
  out.Sample(static_cast<double>(usage.free_bytes));
  out.Family("kuaibao_disk_min_free_bytes", Type::kGauge,
             "Free space the node keeps (min_free_disk_bytes); below it new "
             "reports are refused.");
  out.Sample(static_cast<double>(limits.min_free_bytes));

  // Standby nodes: which of a region's two nodes is acting.
  out.Family("kuaibao_standby", Type::kGauge,
             "1 on a region's standby node, 0 on its primary (or a node "
             "without a standby).");
  out.Sample(relay_->options().standby ? 1 : 0);
  out.Family("kuaibao_acting", Type::kGauge,
             "1 while this node acts for its region: a primary always, a "
             "standby while its primary is unreachable.");
  out.Sample(Acting(relay_->options(), links_) ? 1 : 0);

  // Reports in: receipts by sender, refusals by code.
  out.Family("kuaibao_reports_received_total", Type::kCounter,
             "Reports this node acknowledged (stored, or resent and "
             "acknowledged again), by the sender's region and role.");
  for (const auto& [key, n] : counters_->received()) {
    out.Sample({{"peer", key.first}, {"role", key.second}},
               static_cast<double>(n));
  }
  out.Family("kuaibao_reports_refused_total", Type::kCounter,
             "Reports this node refused, by the refusal's status code.");
  for (const auto& [code, n] : counters_->refused()) {
    out.Sample({{"reason", EnumLabel(absl::StatusCodeToString(code), "")}},
               static_cast<double>(n));
  }

  // Reports out, per upstream link.
  struct Link {
    std::string upstream;
    LinkSnapshot snapshot;
    LinkHealth health;
    Outbox::Summary outbox;
    bool outbox_read = false;
  };
  std::vector<Link> links;
  for (const Forwarder* forwarder : links_) {
    Link link;
    link.upstream = forwarder->options().upstream;
    link.snapshot = forwarder->Snapshot();
    link.health = AssessLink(link.snapshot, now, options_.stall_after).health;
    absl::StatusOr<Outbox::Summary> summary = relay_->Waiting(link.upstream);
    if (summary.ok()) {
      link.outbox = *summary;
      link.outbox_read = true;
    } else {
      ++errors;
    }
    links.push_back(std::move(link));
  }
  // One sample per link; for outbox figures, per link whose outbox was read.
  auto per_link = [&](const char* name, Type type, const char* help,
                      bool from_outbox,
                      const std::function<double(const Link&)>& value) {
    out.Family(name, type, help);
    for (const Link& link : links) {
      if (!from_outbox || link.outbox_read) {
        out.Sample({{"upstream", link.upstream}}, value(link));
      }
    }
  };
  per_link("kuaibao_reports_sent_total", Type::kCounter,
           "Reports sent to the upstream (resends included).", false,
           [](const Link& l) { return static_cast<double>(l.snapshot.sent); });
  per_link("kuaibao_reports_acknowledged_total", Type::kCounter,
           "Receipts from the upstream recorded here.", false,
           [](const Link& l) {
             return static_cast<double>(l.snapshot.acknowledged);
           });
  per_link("kuaibao_link_outbox_reads_total", Type::kCounter,
           "Reads of the upstream's outbox by its forwarder; a dormant "
           "on-demand link reads only when a write queued for it.",
           false, [](const Link& l) {
             return static_cast<double>(l.snapshot.outbox_reads);
           });
  per_link("kuaibao_link_sent_on_write_total", Type::kCounter,
           "Of the reports sent, those sent by the write that queued them, "
           "the link being idle (no wake-up of the link's thread).",
           false, [](const Link& l) {
             return static_cast<double>(l.snapshot.sent_on_write);
           });
  per_link(
      "kuaibao_reports_refused_upstream_total", Type::kCounter,
      "Reports the upstream refused for good (held here).", false,
      [](const Link& l) { return static_cast<double>(l.snapshot.refused); });
  out.Family("kuaibao_link_state", Type::kGauge,
             "1 for the upstream link's current state: down (not "
             "connected), idle (connected with nothing in flight, or an "
             "on-demand link with nothing to send), moving (receipts "
             "coming) or stalled (reports in flight, no receipt for "
             "stall_after).");
  for (const Link& link : links) {
    for (LinkHealth h : {LinkHealth::kDown, LinkHealth::kIdle,
                         LinkHealth::kMoving, LinkHealth::kStalled}) {
      out.Sample({{"upstream", link.upstream},
                  {"state", std::string(LinkHealthName(h))}},
                 link.health == h ? 1 : 0);
    }
  }
  per_link(
      "kuaibao_link_in_flight", Type::kGauge,
      "Reports sent to the upstream and not yet acknowledged.", false,
      [](const Link& l) { return static_cast<double>(l.snapshot.in_flight); });
  per_link("kuaibao_outbox_waiting", Type::kGauge,
           "Reports queued for the upstream (in flight included).", true,
           [](const Link& l) { return static_cast<double>(l.outbox.waiting); });
  per_link("kuaibao_outbox_held", Type::kGauge,
           "Reports held here for the upstream (refused, or above the "
           "link's classification).",
           true,
           [](const Link& l) { return static_cast<double>(l.outbox.held); });
  per_link("kuaibao_outbox_oldest_age_seconds", Type::kGauge,
           "How long the oldest report not yet acknowledged by the "
           "upstream has waited here; 0 when none waits.",
           true, [now](const Link& l) {
             const absl::Time oldest = l.outbox.oldest_stored_at;
             return oldest == absl::InfinitePast() ? 0.0
                                                   : Seconds(now - oldest);
           });

  // Deadlines open here, as `kuaibao due` lists them; drills never count.
  std::map<std::pair<DeadlineRule, DeadlineState>, int> open;
  absl::StatusOr<std::vector<DeadlineStatus>> due =
      relay_->ListDue(here, now, /*include_met=*/false);
  absl::StatusOr<std::vector<DeadlineStatus>> instructions =
      book_->Due(here, now, /*include_met=*/false);
  for (const auto* list : {&due, &instructions}) {
    if (!list->ok()) {
      ++errors;
      continue;
    }
    for (const DeadlineStatus& d : **list) {
      if (!d.drill()) ++open[{d.rule(), d.state()}];
    }
  }
  out.Family("kuaibao_deadlines_open", Type::kGauge,
             "Open deadlines of the node's subtree at risk (75% of the "
             "budget used) or overdue, by rule; drills not counted.");
  for (DeadlineRule rule : AllRules()) {
    for (auto [state, label] : {std::pair{DEADLINE_STATE_AT_RISK, "at_risk"},
                                std::pair{DEADLINE_STATE_OVERDUE, "overdue"}}) {
      out.Sample({{"rule", RuleLabel(rule)}, {"state", label}},
                 open[{rule, state}]);
    }
  }
  // Breach records are the engine's (RelayEngine::CheckDeadlines).
  std::map<DeadlineRule, int> breaches;
  absl::Status scanned =
      relay_->ForEachBreachRecord([&](const std::string&, const Breach& b) {
        if (!b.drill()) ++breaches[b.rule()];
        return true;
      });
  if (scanned.ok()) {
    out.Family("kuaibao_deadline_breaches_total", Type::kCounter,
               "Breaches (deadlines missed) this node has recorded, by "
               "rule; drills not counted.");
    for (DeadlineRule rule : AllRules()) {
      out.Sample({{"rule", RuleLabel(rule)}}, breaches[rule]);
    }
  } else {
    ++errors;
  }

  // Origin numbers missing here.
  uint64_t origins = 0, missing = 0, overdue = 0;
  bool ledger_read = true;
  for (std::string after;;) {
    constexpr size_t kPage = 1000;
    absl::StatusOr<std::vector<OriginRecord>> page = relay_->Origins(
        after, kPage, [](const OriginRecord&) { return true; }, now,
        options_.overdue_after);
    if (!page.ok()) {
      ledger_read = false;
      ++errors;
      break;
    }
    for (const OriginRecord& o : *page) {
      ++origins;
      for (const SequenceGap& g : o.gaps()) {
        const uint64_t n = g.last() - g.first() + 1;
        missing += n;
        if (g.overdue()) overdue += n;
      }
    }
    if (page->size() < kPage) break;
    after = page->back().origin();
  }
  if (ledger_read) {
    out.Family("kuaibao_origins", Type::kGauge,
               "Origins (client identities) whose numbered reports this "
               "node has received.");
    out.Sample(static_cast<double>(origins));
    out.Family("kuaibao_origin_gap_reports", Type::kGauge,
               "Origin numbers missing here (reports not received), and "
               "those missing longer than gap_overdue_after_s.");
    out.Sample({{"overdue", "false"}}, static_cast<double>(missing - overdue));
    out.Sample({{"overdue", "true"}}, static_cast<double>(overdue));
  }

  // Certificates: re-read, as the node re-reads them for renewal.
  std::map<std::string, double> expiry;
  CertificateExpiry(
      options_.cert_file, now,
      [](size_t i) { return i == 0 ? "node" : "issuing_ca"; }, &expiry,
      &errors);
  CertificateExpiry(
      options_.ca_file, now, [](size_t) { return "trust_bundle"; }, &expiry,
      &errors);
  out.Family("kuaibao_certificate_expiry_seconds", Type::kGauge,
             "Seconds until a certificate expires (negative: expired): the "
             "node's own, its issuing CA's, and the soonest in the trust "
             "bundle.");
  for (const auto& [label, seconds] : expiry) {
    out.Sample({{"certificate", label}}, seconds);
  }

  out.Family("kuaibao_metrics_errors", Type::kGauge,
             "Parts of this scrape that could not be read (a store read or "
             "a certificate file failed); their metrics are missing.");
  out.Sample(errors);
  return out.Text();
}

}  // namespace kuaibao
