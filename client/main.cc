// kuaibao: the command-line client of a Kuaibao node. Flags and dispatch
// only; the commands live in submit_command and query_commands.

#include <algorithm>
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
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/audit_commands.h"
#include "client/audit_evidence_commands.h"
#include "client/children_command.h"
#include "client/command_client.h"
#include "client/command_help.h"
#include "client/command_io.h"
#include "client/console/console_server.h"
#include "client/display.h"
#include "client/feed_client.h"
#include "client/format.h"
#include "client/handshake_probe.h"
#include "client/instruction_commands.h"
#include "client/national_command.h"
#include "client/query_commands.h"
#include "client/relay_client.h"
#include "client/report_command.h"
#include "client/rollcall_commands.h"
#include "client/status_commands.h"
#include "client/submit_command.h"
#include "client/watch_command.h"
#include "relay/base/files.h"
#include "relay/base/flag_help.h"
#include "relay/base/status_macros.h"
#include "relay/certificates.h"

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
ABSL_FLAG(std::vector<std::string>, department, {},
          "submit: the competent departments the unit reports to at the same "
          "time (codes, comma-separated, e.g. yjglt,nyj): the government node "
          "delivers each report across to their nodes");
ABSL_FLAG(std::string, by, "",
          "instruct: the leader's name and post; audit stats: region, "
          "category or grade");
ABSL_FLAG(std::string, report, "",
          "instruct: the report it answers; rollcall answer: the reports "
          "filed (ID,ID)");
ABSL_FLAG(std::string, period, "", "rollcall issue: the period it is about");
ABSL_FLAG(std::string, level, "",
          "rollcall issue: city, county or township (default the level "
          "below the node)");
ABSL_FLAG(absl::Duration, every, absl::ZeroDuration(),
          "rollcall issue: a new round this often (日报: 24h)");
ABSL_FLAG(bool, zero, false, "rollcall answer: 无情况零报告");
ABSL_FLAG(int32_t, round, 0, "rollcall status: the round (default latest)");
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
ABSL_FLAG(std::string, rule, "", "audit review: the breach's deadline rule");
ABSL_FLAG(std::string, responsible, "",
          "audit review: who answers for the breach (region code or identity)");
ABSL_FLAG(std::string, note, "", "audit review: the auditor's note");
ABSL_FLAG(std::string, kind, "", "report: brief|initial|follow_up|final|...");
ABSL_FLAG(std::string, category, "",
          "report: natural_disaster|major_accident|public_health|...");
ABSL_FLAG(std::string, grade, "",
          "report: I|II|III|IV|ungraded|unknown; watch: only reports of "
          "these grades (I,II)");
ABSL_FLAG(std::string, headline, "", "report: one line on what happened");
ABSL_FLAG(std::string, course, "", "report: what happened, in words");
ABSL_FLAG(std::string, unit, "", "report: the reporting unit's name");
ABSL_FLAG(std::string, occurred_at, "",
          "report: when it happened (Beijing time, e.g. '2026-11-28 09:05')");
ABSL_FLAG(std::string, follow_up, "",
          "report: the event this report continues (its next report)");
ABSL_FLAG(bool, drill, false, "report: an exercise (status EXERCISE)");
ABSL_FLAG(bool, utc, false,
          "show times in UTC (…Z) instead of Beijing time (…+08:00)");
ABSL_FLAG(std::string, lang, "",
          "zh or en: the language of names and words (default from $LANG)");
ABSL_FLAG(std::string, id, "",
          "instruct, feedback: the id to use (default a new one; resending "
          "with the same id is harmless)");

ABSL_FLAG(uint64_t, since, 0,
          "watch: resume after this cursor (the #N of the last item seen)");
ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "console: where the web console listens (HOST:PORT, loopback)");
ABSL_FLAG(std::string, port_file, "",
          "console: write the port it listens on to this file");

namespace kuaibao {
namespace {

constexpr char kUsage[] = R"(usage: kuaibao [flags] COMMAND [args]

Commands:
  help [COMMAND]      This text, or only COMMAND's (also: COMMAND --help).
  submit [FILE|-] [--department=CODE,...]
                      Send reports to the node and print a receipt or refusal
                      per report; --department names the departments the
                      government node delivers them to at the same time.
                      FILE (default: standard input) holds one
                      kuaibao.v1.IncidentReport in protobuf JSON, or one per
                      line (NDJSON). Reports without report_id get a new one.
                      Exit 0 when every report got a receipt, 1 when any was
                      refused or not acknowledged, 2 for bad input.
  report --category=C --headline=TEXT --region=CODE|NAME --unit=NAME
         [--kind=brief|initial] [--grade=I..IV|unknown] [--course=TEXT]
         [--occurred-at=TIME] [--drill]
  report --follow-up=EVENT_ID --headline=TEXT [--kind=follow_up|final]
         [--grade=...] [--course=TEXT]
                      File a report without writing JSON: a new event's
                      brief report, or the event's next report (numbered and
                      linked to its latest report here). TIME is Beijing time
                      ('2026-11-28 09:05') or RFC 3339. Then as submit.
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
  rollcall issue ID --text=TEXT --period=TEXT|--event=ID --due=2h
                    [--every=24h] [--level=county] [--by=NAME]
                      Call the roll (点名) of every node at --level below
                      this one: each must answer by --due, with reports or a
                      zero report (无情况零报告). --every repeats it (日报)
                      until closed. A leader of this level or above.
  rollcall status ID [--round=N]
                      At the issuer: who answered (reported / zero), who is
                      silent, who is overdue (exit 1 while anyone is).
  rollcall answer ID --zero | --report=ID[,ID...]
                      At the node called: answer the latest round.
  rollcall close ID   No further rounds.
  national-submitted REPORT_ID --channel=CHANNEL [--at=TIME] [--text=NOTE]
                      At the province: record that the report went to the
                      State Council by other means (fax, telephone, the
                      national system) at --at (RFC 3339, default now), so
                      the 4-hour deadline (R5) counts it as handed on.
  watch [--json] [--grade=I,II] [--since=CURSOR] [--limit=N]
                      The node's live feed, in the order the node recorded
                      it: report arrivals, deadline changes (at risk,
                      overdue, met late), instructions and feedback, link
                      changes of its children and its parent. Each line
                      starts with its cursor (#N); --since=N resumes after
                      it. Reconnects by itself after any break, nothing
                      missed or repeated. --limit stops after N items.
  children            The nodes below this one (the province: 11 cities and
                      their 121 county-level regions), worst first:
                      connected, DOWN or STALLED, last heard, backlog,
                      oldest waiting report, clock skew.
  console [--listen=127.0.0.1:8080]
                      The web console (值班台, 报送, 待办, 批示, 下级, 通报)
                      for the browser on this workstation, talking to the
                      node with this certificate. Open the printed URL.
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
  audit review ABOUT --rule=RULE --responsible=WHO [--note=TEXT]
                      For auditors: mark a breach reviewed (ABOUT, RULE and
                      WHO as audit breaches --csv lists them). Kept at the
                      node with who and when; until then the breach stays in
                      `kuaibao due`, however old.

Flags:
  --node=HOST:PORT    the node to talk to (default $KUAIBAO_NODE, else
                      127.0.0.1:7400)
  --cert=FILE         client certificate chain, PEM (default $KUAIBAO_CERT)
  --key=FILE          client private key, PEM (default $KUAIBAO_KEY)
  --ca=FILE           CA bundle for the node's certificate (default $KUAIBAO_CA)
  --utc               times in UTC (…Z); default Beijing time (…+08:00)
  --lang=zh|en        language of names and words (default from $LANG)
  --json              print each response message as one line of protobuf
                      JSON, without decoration or summary
  --timeout=DURATION  deadline of each call, for submit of the whole stream
                      (default 30s; e.g. 500ms, 2m)
  --department=CODE,...
                      submit: departments to deliver each report to as well
                      (deploy/regions/shanxi-departments.csv: yjglt, jyt ...)
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
  // The node would refuse a bad certificate in the handshake, which reaches
  // us only as UNAVAILABLE: say what is wrong with it before connecting.
  ASSIGN_OR_RETURN(std::string cert,
                   ReadFileToString(paths.cert_file, "certificate"));
  ASSIGN_OR_RETURN(std::string key,
                   ReadFileToString(paths.key_file, "private key"));
  ASSIGN_OR_RETURN(std::string ca, ReadFileToString(paths.ca_file, "CA"));
  absl::Status mine = CheckOwnCertificate(cert, key, ca, absl::Now());
  if (!mine.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("your ", mine.message(), " (--cert ", paths.cert_file,
                     ", --key ", paths.key_file, ", --ca ", paths.ca_file,
                     "); the node would refuse it"));
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
        "stats, skew, review");
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
  args.rule = absl::GetFlag(FLAGS_rule);
  args.responsible = absl::GetFlag(FLAGS_responsible);
  args.note = absl::GetFlag(FLAGS_note);
  absl::Status checked = CheckAuditArgs(
      std::vector<std::string>(operands.begin() + 1, operands.end()), &args);
  if (!checked.ok()) return Usage(std::string(checked.message()));
  std::unique_ptr<AuditClient> client =
      ConnectOrSay<AuditClient>(ConnectAuditClient, io);
  if (client == nullptr) return kExitUsage;
  return RunAudit(*client, args, io);
}

// watch: the Query service's live feed.
int RunWatchCommand(const std::vector<std::string>& operands,
                    const CommandIo& io) {
  if (!operands.empty()) return Usage("watch takes no arguments");
  if (absl::GetFlag(FLAGS_limit) < 0) return Usage("--limit must be >= 0");
  absl::StatusOr<std::vector<v1::Grade>> grades =
      ParseGrades(absl::GetFlag(FLAGS_grade));
  if (!grades.ok()) return Usage(std::string(grades.status().message()));
  std::unique_ptr<FeedClient> client =
      ConnectOrSay<FeedClient>(ConnectFeedClient, io);
  if (client == nullptr) return kExitUsage;
  WatchArgs args;
  args.since = absl::GetFlag(FLAGS_since);
  args.grades = *std::move(grades);
  args.limit = static_cast<uint64_t>(absl::GetFlag(FLAGS_limit));
  return RunWatch(*client, args, io);
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

// rollcall issue|status|answer|close ID.
int RunRollCallCommand(const std::vector<std::string>& operands,
                       const CommandIo& io) {
  if (operands.size() != 2) {
    return Usage("rollcall takes issue|status|answer|close and an ID");
  }
  RollCallArgs args;
  args.action = operands[0];
  args.roll_call_id = operands[1];
  args.text = absl::GetFlag(FLAGS_text);
  args.period = absl::GetFlag(FLAGS_period);
  args.event_id = absl::GetFlag(FLAGS_event);
  args.level = absl::GetFlag(FLAGS_level);
  args.by = absl::GetFlag(FLAGS_by);
  args.due = absl::GetFlag(FLAGS_due);
  args.every = absl::GetFlag(FLAGS_every);
  args.round = static_cast<uint32_t>(std::max(0, absl::GetFlag(FLAGS_round)));
  args.zero = absl::GetFlag(FLAGS_zero);
  args.answer_id = absl::GetFlag(FLAGS_id);
  for (absl::string_view id :
       absl::StrSplit(absl::GetFlag(FLAGS_report), ',', absl::SkipEmpty())) {
    args.report_ids.emplace_back(id);
  }
  std::string wrong = CheckRollCallArgs(args);
  if (!wrong.empty()) return Usage(wrong);
  std::unique_ptr<CommandClient> client =
      ConnectOrSay<CommandClient>(ConnectCommandClient, io);
  if (client == nullptr) return kExitUsage;
  return RunRollCall(*client, args, io);
}

int Run(const std::vector<char*>& args) {
  if (args.size() < 2) return Usage("no command", /*full=*/true);
  const std::string command = args[1];
  const std::vector<std::string> operands(args.begin() + 2, args.end());
  if (absl::GetFlag(FLAGS_timeout) <= absl::ZeroDuration()) {
    return Usage("--timeout must be positive");
  }
  Display display{LangFromEnv(std::getenv("LANG")),
                  absl::GetFlag(FLAGS_utc) ? TimeZoneChoice::kUtc
                                           : TimeZoneChoice::kBeijing};
  if (!absl::GetFlag(FLAGS_lang).empty()) {
    absl::StatusOr<Lang> lang = ParseLang(absl::GetFlag(FLAGS_lang));
    if (!lang.ok()) return Usage(std::string(lang.status().message()));
    display.lang = *lang;
  }
  SetDisplay(display);
  if (command == "help") {
    const std::string topic = absl::StrJoin(operands, " ");
    const std::string help = CommandHelp(kUsage, topic);
    if (topic.empty()) {
      std::cout << kUsage;
    } else if (help.empty()) {
      return Usage(absl::StrCat("no command '", topic, "'"), /*full=*/true);
    } else {
      std::cout << help;
    }
    return kExitOk;
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
    // 左右交错: one report, one id, to the government and, from there,
    // across to the departments named (README "Departments").
    for (v1::IncidentReport& r : reports) {
      for (const std::string& code : absl::GetFlag(FLAGS_department)) {
        if (std::find(r.departments().begin(), r.departments().end(), code) ==
            r.departments().end()) {
          r.add_departments(code);
        }
      }
    }
  } else if (command == "report") {
    if (!operands.empty()) return Usage("report takes flags, no arguments");
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
  } else if (command == "rollcall") {
    return RunRollCallCommand(operands, io);
  } else if (command == "audit" && IsEvidenceCommand(operands)) {
    return RunAuditEvidence(operands,
                            {absl::GetFlag(FLAGS_out),
                             FlagOrEnv(absl::GetFlag(FLAGS_ca), "KUAIBAO_CA"),
                             absl::GetFlag(FLAGS_timeout), TlsPathsFromFlags()},
                            io);
  } else if (command == "audit") {
    return RunAuditService(operands, io);
  } else if (command == "watch") {
    return RunWatchCommand(operands, io);
  } else if (command == "children") {
    if (!operands.empty()) return Usage("children takes no arguments");
    std::unique_ptr<FeedClient> feed =
        ConnectOrSay<FeedClient>(ConnectFeedClient, io);
    if (feed == nullptr) return kExitUsage;
    return RunChildren(*feed, io);
  } else if (command == "console") {
    if (!operands.empty()) return Usage("console takes no arguments");
    absl::StatusOr<TlsPaths> tls = TlsPathsFromFlags();
    if (!tls.ok()) return Usage(std::string(tls.status().message()));
    ConsoleOptions options;
    options.listen = absl::GetFlag(FLAGS_listen);
    options.node = io.node;
    options.tls = *tls;
    options.timeout = absl::GetFlag(FLAGS_timeout);
    options.port_file = absl::GetFlag(FLAGS_port_file);
    absl::Status served = RunConsole(options);
    if (!served.ok()) {
      std::cerr << "error: " << served.message() << "\n";
      return kExitUsage;
    }
    return kExitOk;
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
  if (command == "report") {
    ReportArgs args;
    args.kind = absl::GetFlag(FLAGS_kind);
    args.category = absl::GetFlag(FLAGS_category);
    args.grade = absl::GetFlag(FLAGS_grade);
    args.headline = absl::GetFlag(FLAGS_headline);
    args.course = absl::GetFlag(FLAGS_course);
    args.region = absl::GetFlag(FLAGS_region);
    args.unit = absl::GetFlag(FLAGS_unit);
    args.occurred_at = absl::GetFlag(FLAGS_occurred_at);
    args.follow_up = absl::GetFlag(FLAGS_follow_up);
    args.drill = absl::GetFlag(FLAGS_drill);
    return RunReport(**client, args, io);
  }
  if (command == "show") return RunShow(**client, operands[0], io);
  if (command == "status") return RunStatus(**client, io);
  if (command == "origins") {
    return RunOrigins(**client, absl::GetFlag(FLAGS_gaps), io);
  }
  if (command == "due") {
    std::unique_ptr<AuditClient> audit =
        ConnectOrSay<AuditClient>(ConnectAuditClient, io);
    return RunDue(**client, audit.get(), absl::GetFlag(FLAGS_all), io);
  }
  return RunList(**client, absl::GetFlag(FLAGS_event),
                 static_cast<uint32_t>(absl::GetFlag(FLAGS_limit)), io);
}

// Abseil's --help lists only flags defined in <program>.cc; ours describes
// the commands too. With a command (`kuaibao submit --help`), only its help
// goes into `*help`; the full usage otherwise.
bool CommandHelpWanted(int argc, char** argv, std::string* help) {
  bool wanted = false;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) break;
    if (std::strcmp(argv[i], "--help") == 0 ||
        std::strcmp(argv[i], "-help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      wanted = true;
    } else if (argv[i][0] != '-' && words.size() < 2) {
      words.push_back(argv[i]);
    }
  }
  if (!wanted) return false;
  // "audit review --help": the subcommand's entry when there is one.
  *help =
      words.size() == 2 ? CommandHelp(kUsage, absl::StrJoin(words, " ")) : "";
  if (help->empty() && !words.empty()) *help = CommandHelp(kUsage, words[0]);
  if (help->empty()) *help = kUsage;
  return true;
}

}  // namespace
}  // namespace kuaibao

int main(int argc, char** argv) {
  // A channel whose call failed fast (the node was down) reconnects only
  // through gRPC's backup poller, one step of the TCP and TLS handshake per
  // poll; at its default of 5 s a reconnect to a restarted node outlasted
  // the node's handshake timeout and never completed (the console and
  // `kuaibao watch` stayed "node down" for good while a new process
  // connected at once). Read once when gRPC starts; the environment wins.
  setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "100", 0);
  std::string help;
  if (kuaibao::CommandHelpWanted(argc, argv, &help)) {
    std::cout << help;
    return kuaibao::kExitOk;
  }
  absl::SetProgramUsageMessage(kuaibao::kUsage);
  // --follow-up and --occurred-at as the help writes them: Abseil's flag
  // names cannot hold '-'.
  std::vector<std::string> spelled(argv, argv + argc);
  std::vector<char*> args;
  for (std::string& arg : spelled) {
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      for (size_t i = 2; i < arg.size() && arg[i] != '='; ++i) {
        if (arg[i] == '-') arg[i] = '_';
      }
    }
    args.push_back(arg.data());
  }
  // A refused certificate reaches gRPC as UNAVAILABLE, like a node that is
  // down: look at the handshake to tell the user which.
  kuaibao::SetUnavailableHint([](const std::string& node) {
    absl::StatusOr<kuaibao::TlsPaths> tls = kuaibao::TlsPathsFromFlags();
    if (!tls.ok()) return std::string();
    return kuaibao::HandshakeHint(
        kuaibao::ProbeHandshake(node, tls->cert_file, tls->key_file,
                                absl::Seconds(5)),
        node);
  });
  return kuaibao::Run(
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data()));
}
