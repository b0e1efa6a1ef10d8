// kuaibao: the command-line client of a Kuaibao node. Flags and dispatch
// only; the commands live in submit_command and query_commands.

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/audit_commands.h"
#include "client/audit_evidence_commands.h"
#include "client/command_client.h"
#include "client/command_io.h"
#include "client/instruction_commands.h"
#include "client/national_command.h"
#include "client/query_commands.h"
#include "client/relay_client.h"
#include "client/status_commands.h"
#include "client/submit_command.h"
#include "relay/base/flag_help.h"
#include "relay/base/status_macros.h"

ABSL_FLAG(std::string, node, "",
          "host:port of the node; default $KUAIBAO_NODE, else 127.0.0.1:7400");
ABSL_FLAG(std::string, cert, "",
          "client certificate chain, PEM; default $KUAIBAO_CERT");
ABSL_FLAG(std::string, key, "",
          "client private key, PEM; default $KUAIBAO_KEY");
ABSL_FLAG(std::string, ca, "",
          "CA bundle the node's certificate must chain to; default "
          "$KUAIBAO_CA");
ABSL_FLAG(bool, json, false,
          "print each response message as one JSON line, nothing else");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30),
          "deadline of each call; for submit, of the whole stream");
ABSL_FLAG(std::string, event, "",
          "list, instructions: only this event; instruct: the event");
ABSL_FLAG(int32_t, limit, 0, "list: at most this many reports; 0 = all");
ABSL_FLAG(bool, all, false, "due: also the deadlines met on time");
ABSL_FLAG(bool, gaps, false, "origins: only origins with missing numbers");
ABSL_FLAG(std::string, text, "",
          "instruct, feedback: the text; national-submitted: a note");
ABSL_FLAG(std::string, channel, "",
          "national-submitted: how it went (fax, telephone, ...)");
ABSL_FLAG(std::string, at, "",
          "national-submitted: when it went, RFC 3339; default now");
ABSL_FLAG(std::string, target, "",
          "instruct: the node to reach; default the event's originating one");
ABSL_FLAG(absl::Duration, due, absl::ZeroDuration(),
          "instruct: feedback due this long after issue; default the node's");
ABSL_FLAG(std::string, by, "",
          "instruct: the leader's name and post; audit stats: region, "
          "category or grade");
ABSL_FLAG(std::string, report, "", "instruct: the report it answers");
ABSL_FLAG(std::string, status, "", "feedback: done|in_progress|cannot_comply");
ABSL_FLAG(std::string, out, "", "audit export: the file to write");
ABSL_FLAG(std::string, from, "", "audit: first day of the period (2026-11-01)");
ABSL_FLAG(std::string, to, "", "audit: day after the period (2026-12-01)");
ABSL_FLAG(std::string, month, "", "audit: the period is this month (2026-11)");
ABSL_FLAG(std::string, quarter, "", "audit: this quarter (2026Q4)");
ABSL_FLAG(std::string, year, "", "audit: this year (2026)");
ABSL_FLAG(std::string, region, "",
          "audit: only this region's subtree (within yours)");
ABSL_FLAG(bool, csv, false, "audit breaches, punctuality, stats: CSV");
ABSL_FLAG(std::string, id, "",
          "instruct, feedback: the id to use (default a new one; resending "
          "with the same id is harmless)");

namespace kuaibao {
namespace {

constexpr char kUsage[] = R"(usage: kuaibao [flags] COMMAND [args]

Commands:
  submit [FILE|-]     Send reports to the node and print a receipt or refusal
                      per report. FILE (default: standard input) holds one
                      kuaibao.v1.IncidentReport in protobuf JSON, or one per
                      line (NDJSON). Reports without report_id get a new one.
                      Exit 0 when every report got a receipt, 1 when any was
                      refused or not acknowledged, 2 for bad input.
  show REPORT_ID      Print a report, the timeline of the hops it took (and
                      of every other path it also arrived by: grade I/II
                      reports reach the province directly as well), the
                      deadline breaches recorded on the way and its deadlines
                      as the node sees them now.
  list [--event=ID] [--limit=N]
                      One line per report the node holds (within the caller's
                      subtree), fetched page by page, with its number of hops;
                      drill and test reports are marked [DRILL] / [TEST].
  due [--all]         The duty officer's view of the deadlines in the node's
                      subtree: OVERDUE (迟报 in the making), AT RISK, ON TIME
                      (due soon), MET LATE (recent breaches) and, with --all,
                      MET; drills listed apart, never counted. A summary line
                      (N overdue, N at risk, N late) goes to standard error.
                      Exit 0 whenever the node answered, even with deadlines
                      overdue: scripts should read --json (one
                      kuaibao.v1.ListDueResponse; each deadline's "state").
  status              Whether the node takes new reports (and why not), its
                      disk, and each upstream link: connected, in flight,
                      waiting, held, oldest waiting, last receipt, STALLED.
  origins [--gaps]    Per origin (client) within the caller's subtree: the
                      highest report number the node received, how many it
                      holds, and the numbers missing, each with how long it
                      has been missing; OVERDUE past the node's deadline
                      (lost, withheld or held up on the way).
  instruct --event=ID --text=TEXT [--target=REGION] [--due=24h] [--by=NAME]
                      Issue an instruction (批示) about an event at this node
                      (a leader of this level or above). It travels down the
                      relay streams to the event's originating locality (or
                      --target), every node recording its receipt; the target
                      signs for it automatically. Feedback is due --due after
                      issue (default: the node's, 24h).
  instructions [--event=ID]
                      Instructions of the caller's subtree: the path down
                      with each node's receipt time, the feedback, and the
                      relay and feedback deadlines (met, at risk, overdue).
  feedback INSTRUCTION_ID --status=done|in_progress|cannot_comply --text=TEXT
                      Report back on an instruction, at its target node; the
                      feedback travels up to the node that issued it.
  national-submitted REPORT_ID --channel=CHANNEL [--at=TIME] [--text=NOTE]
                      At the province: record that the report went to the
                      State Council by other means (fax, telephone, the
                      national system) at --at (RFC 3339, default now), so
                      the 4-hour deadline (R5) counts it as handed on.
  audit export REPORT_ID [--out=FILE]
                      The report's evidence (every hop record on every path,
                      the receipts each node signed, their certificates and
                      chain links) from the node, as one JSON file.
  audit verify FILE [--ca=CA.pem]
                      Check an evidence file offline against the CA: every
                      signature, certificate, report digest, chain link and
                      hand-off; a verdict per hop. Exit 1 on any failure.
  audit timeline REPORT_ID | audit timeline --event=EVENT_ID
                      For auditors: per hop and path the node, who handed it
                      over, received/stored/sent/acknowledged times, the dwell
                      (on that node's own clock), its budget and the late hop;
                      transits between nodes with the clocks' estimated offset.
  audit breaches --from=DATE --to=DATE [--region=CODE] [--csv]
                      Breaches due in the period, grouped by responsible node
                      and kind: late hand-offs, late unit reports, missed
                      follow-ups, late instructions and feedback, gaps in an
                      origin's numbers. Drills listed apart, never counted.
  audit punctuality --month=2026-11 [--region=CODE] [--csv]
                      Per node: hand-offs owed in the period, on time, late,
                      open, share on time, worst delay; then the reporting
                      units.
  audit stats --month=2026-11|--quarter=2026Q4|--year=2026 [--by=region|
              category|grade] [--region=CODE] [--csv]
                      Events that occurred in the period, each counted once
                      from its latest report: counts, deaths, missing,
                      injured, economic loss. Drills and retracted events
                      left out. Periods are Beijing time (UTC+8).
  audit skew          Each link's clock offset as this node estimates it;
                      links beyond the bound (max_clock_skew_ms) flagged.

Flags:
  --node=HOST:PORT    the node to talk to (default $KUAIBAO_NODE, else
                      127.0.0.1:7400)
  --cert=FILE         client certificate chain, PEM (default $KUAIBAO_CERT)
  --key=FILE          client private key, PEM (default $KUAIBAO_KEY)
  --ca=FILE           CA bundle for the node's certificate (default $KUAIBAO_CA)
  --json              print each response message as one line of protobuf
                      JSON, without decoration or summary
  --timeout=DURATION  deadline of each call, for submit of the whole stream
                      (default 30s; e.g. 500ms, 2m)
  --event=ID          list: only the reports of this event
  --limit=N           list: at most N reports (default 0 = all)
  --gaps              origins: only origins with missing numbers
  --all               due: also the deadlines met on time
  --text=TEXT         instruct, feedback: the text; national-submitted: a
                      note
  --channel=CHANNEL   national-submitted: how it went (fax, telephone, ...)
  --at=TIME           national-submitted: when it went, e.g.
                      2026-07-01T10:30:00+08:00 (default now)
  --target=REGION     instruct: the node to reach (default the event's
                      originating locality)
  --due=DURATION      instruct: feedback due this long after issue
  --by=NAME           instruct: the leader's name and post, e.g. "省长 张三"
  --report=ID         instruct: the report it answers
  --status=STATUS     feedback: done, in_progress or cannot_comply
  --id=ID             instruct, feedback: the id (default a new one)
  --from=DATE --to=DATE, --month=YYYY-MM, --quarter=YYYYQN, --year=YYYY
                      audit: the period (one of them)
  --region=CODE       audit: only this region's subtree
  --by=GROUPING       audit stats: region (default), category or grade
  --csv               audit breaches, punctuality, stats: CSV instead of a
                      table
)";

constexpr char kDefaultNode[] = "127.0.0.1:7400";

// The flag's value, else the environment variable's, else `fallback`.
std::string FlagOrEnv(const std::string& flag_value, const char* env,
                      const std::string& fallback = "") {
  if (!flag_value.empty()) return flag_value;
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

absl::StatusOr<TlsPaths> TlsPathsFromFlags() {
  struct Source {
    std::string TlsPaths::*field;
    std::string flag_value;
    const char* flag;
    const char* env;
    const char* what;
  };
  const Source sources[] = {
      {&TlsPaths::cert_file, absl::GetFlag(FLAGS_cert), "--cert",
       "KUAIBAO_CERT", "client certificate"},
      {&TlsPaths::key_file, absl::GetFlag(FLAGS_key), "--key", "KUAIBAO_KEY",
       "client private key"},
      {&TlsPaths::ca_file, absl::GetFlag(FLAGS_ca), "--ca", "KUAIBAO_CA",
       "CA bundle"},
  };
  TlsPaths paths;
  for (const Source& source : sources) {
    paths.*source.field = FlagOrEnv(source.flag_value, source.env);
    if ((paths.*source.field).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no ", source.what, ": pass ", source.flag,
                       "=FILE or set ", source.env));
    }
  }
  return paths;
}

// The whole usage text only when the command itself is wrong; for a wrong
// argument the one-line complaint is what the user needs to read.
int Usage(const std::string& problem, bool full = false) {
  std::cerr << "error: " << problem << "\n";
  if (full) {
    std::cerr << "\n" << kUsage;
  } else {
    std::cerr << "run 'kuaibao --help' for usage\n";
  }
  return kExitUsage;
}

absl::StatusOr<std::unique_ptr<RelayClient>> Connect(const std::string& node) {
  ASSIGN_OR_RETURN(TlsPaths tls, TlsPathsFromFlags());
  return ConnectToNode(node, tls, absl::GetFlag(FLAGS_timeout));
}

// A client of a service, connected with the TLS flags and --timeout; nullptr
// after saying why on standard error.
template <typename Client>
std::unique_ptr<Client> ConnectOrSay(
    absl::StatusOr<std::unique_ptr<Client>> (*connect)(const std::string&,
                                                       const TlsPaths&,
                                                       absl::Duration),
    const CommandIo& io) {
  absl::StatusOr<TlsPaths> tls = TlsPathsFromFlags();
  absl::StatusOr<std::unique_ptr<Client>> client =
      tls.ok() ? connect(io.node, *tls, absl::GetFlag(FLAGS_timeout))
               : absl::StatusOr<std::unique_ptr<Client>>(tls.status());
  if (!client.ok()) {
    std::cerr << "error: " << client.status().message() << "\n";
    return nullptr;
  }
  return *std::move(client);
}

// audit ...: the Audit service.
int RunAuditService(const std::vector<std::string>& operands,
                    const CommandIo& io) {
  if (operands.empty()) {
    return Usage(
        "audit needs a command: timeline, breaches, punctuality, "
        "stats, skew");
  }
  AuditArgs args;
  args.command = operands[0];
  args.event_id = absl::GetFlag(FLAGS_event);
  args.from = absl::GetFlag(FLAGS_from);
  args.to = absl::GetFlag(FLAGS_to);
  args.month = absl::GetFlag(FLAGS_month);
  args.quarter = absl::GetFlag(FLAGS_quarter);
  args.year = absl::GetFlag(FLAGS_year);
  args.region = absl::GetFlag(FLAGS_region);
  args.by = absl::GetFlag(FLAGS_by);
  args.csv = absl::GetFlag(FLAGS_csv);
  absl::Status checked = CheckAuditArgs(
      std::vector<std::string>(operands.begin() + 1, operands.end()), &args);
  if (!checked.ok()) return Usage(std::string(checked.message()));
  std::unique_ptr<AuditClient> client =
      ConnectOrSay<AuditClient>(ConnectAuditClient, io);
  if (client == nullptr) return kExitUsage;
  return RunAudit(*client, args, io);
}

// instruct, instructions, feedback, national-submitted: the Command service.
int RunCommandService(const std::string& command,
                      const std::vector<std::string>& operands,
                      const CommandIo& io) {
  v1::FeedbackStatus status = v1::FEEDBACK_STATUS_UNSPECIFIED;
  NationalArgs national;
  if (command == "instruct") {
    if (!operands.empty()) return Usage("instruct takes no arguments");
    if (absl::GetFlag(FLAGS_event).empty()) return Usage("instruct: --event");
    if (absl::GetFlag(FLAGS_text).empty()) return Usage("instruct: --text");
    if (absl::GetFlag(FLAGS_due) < absl::ZeroDuration()) {
      return Usage("--due must not be negative");
    }
  } else if (command == "instructions") {
    if (!operands.empty()) return Usage("instructions takes no arguments");
  } else if (command == "national-submitted") {
    if (operands.size() != 1) {
      return Usage("national-submitted takes one REPORT_ID");
    }
    if (absl::GetFlag(FLAGS_channel).empty()) {
      return Usage("national-submitted: --channel (fax, telephone, ...)");
    }
    if (!absl::GetFlag(FLAGS_at).empty()) {
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_at),
                           &national.at, &error)) {
        return Usage(absl::StrCat("--at: '", absl::GetFlag(FLAGS_at),
                                  "' is not an RFC 3339 time (", error, ")"));
      }
    }
    national.report_id = operands[0];
    national.channel = absl::GetFlag(FLAGS_channel);
    national.note = absl::GetFlag(FLAGS_text);
  } else {
    if (operands.size() != 1) return Usage("feedback takes one INSTRUCTION_ID");
    absl::StatusOr<v1::FeedbackStatus> parsed =
        ParseFeedbackStatus(absl::GetFlag(FLAGS_status));
    if (!parsed.ok()) return Usage(std::string(parsed.status().message()));
    status = *parsed;
    if (absl::GetFlag(FLAGS_text).empty()) return Usage("feedback: --text");
  }
  std::unique_ptr<CommandClient> client =
      ConnectOrSay<CommandClient>(ConnectCommandClient, io);
  if (client == nullptr) return kExitUsage;
  if (command == "national-submitted") {
    return RunNationalSubmitted(*client, national, io);
  }
  if (command == "instructions") {
    return RunInstructions(*client, absl::GetFlag(FLAGS_event), io);
  }
  if (command == "feedback") {
    return RunFeedback(*client, operands[0], status, absl::GetFlag(FLAGS_text),
                       absl::GetFlag(FLAGS_id), io);
  }
  InstructArgs args;
  args.instruction_id = absl::GetFlag(FLAGS_id);
  args.event_id = absl::GetFlag(FLAGS_event);
  args.report_id = absl::GetFlag(FLAGS_report);
  args.target = absl::GetFlag(FLAGS_target);
  args.text = absl::GetFlag(FLAGS_text);
  args.by = absl::GetFlag(FLAGS_by);
  args.due = absl::GetFlag(FLAGS_due);
  return RunInstruct(*client, args, io);
}

int Run(const std::vector<char*>& args) {
  if (args.size() < 2) return Usage("no command", /*full=*/true);
  const std::string command = args[1];
  const std::vector<std::string> operands(args.begin() + 2, args.end());
  if (absl::GetFlag(FLAGS_timeout) <= absl::ZeroDuration()) {
    return Usage("--timeout must be positive");
  }

  // The command line is the edge where the wall clock may be read: "time
  // left" in `show` is counted from here.
  const CommandIo io{
      &std::cout, &std::cerr, absl::GetFlag(FLAGS_json),
      FlagOrEnv(absl::GetFlag(FLAGS_node), "KUAIBAO_NODE", kDefaultNode),
      absl::Now()};

  // Each command checks its own arguments, and submit its input, before
  // connecting: nothing is sent when the command line is wrong.
  std::vector<v1::IncidentReport> reports;
  if (command == "submit") {
    if (operands.size() > 1) return Usage("submit takes at most one FILE");
    absl::StatusOr<std::vector<v1::IncidentReport>> loaded =
        LoadReports(operands.empty() ? "-" : operands[0], io);
    if (!loaded.ok()) {
      std::cerr << "error: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    reports = *std::move(loaded);
  } else if (command == "show") {
    if (operands.size() != 1) return Usage("show takes one REPORT_ID");
  } else if (command == "list") {
    if (!operands.empty()) return Usage("list takes no arguments");
    if (absl::GetFlag(FLAGS_limit) < 0) return Usage("--limit must be >= 0");
  } else if (command == "due") {
    if (!operands.empty()) return Usage("due takes no arguments");
  } else if (command == "instruct" || command == "instructions" ||
             command == "feedback" || command == "national-submitted") {
    return RunCommandService(command, operands, io);
  } else if (command == "audit" && IsEvidenceCommand(operands)) {
    return RunAuditEvidence(operands,
                            {absl::GetFlag(FLAGS_out),
                             FlagOrEnv(absl::GetFlag(FLAGS_ca), "KUAIBAO_CA"),
                             absl::GetFlag(FLAGS_timeout), TlsPathsFromFlags()},
                            io);
  } else if (command == "audit") {
    return RunAuditService(operands, io);
  } else if (command == "status" || command == "origins") {
    if (!operands.empty()) return Usage(command + " takes no arguments");
  } else {
    return Usage(absl::StrCat("unknown command '", command, "'"),
                 /*full=*/true);
  }

  absl::StatusOr<std::unique_ptr<RelayClient>> client = Connect(io.node);
  if (!client.ok()) {
    std::cerr << "error: " << client.status().message() << "\n";
    return kExitUsage;
  }
  if (command == "submit") return RunSubmit(**client, reports, io);
  if (command == "show") return RunShow(**client, operands[0], io);
  if (command == "status") return RunStatus(**client, io);
  if (command == "origins") {
    return RunOrigins(**client, absl::GetFlag(FLAGS_gaps), io);
  }
  if (command == "due") return RunDue(**client, absl::GetFlag(FLAGS_all), io);
  return RunList(**client, absl::GetFlag(FLAGS_event),
                 static_cast<uint32_t>(absl::GetFlag(FLAGS_limit)), io);
}

}  // namespace
}  // namespace kuaibao

int main(int argc, char** argv) {
  if (kuaibao::WantsHelp(argc, argv)) {
    std::cout << kuaibao::kUsage;
    return kuaibao::kExitOk;
  }
  absl::SetProgramUsageMessage(kuaibao::kUsage);
  return kuaibao::Run(absl::ParseCommandLine(argc, argv));
}
