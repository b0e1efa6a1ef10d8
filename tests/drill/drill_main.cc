// kuaibao-drill: the whole province on one machine. Brings up the province,
// its cities and counties as real kuaibao-node processes (mTLS, CRLs, the
// notice's deadlines on a drill's time scale), the townships as load
// generator streams, runs a scripted flood (brief reports, follow-ups, grade
// II direct reports, a city stopped and a county hung, an instruction down
// and feedback up) and prints the provincial view. deploy/drill/run-drill.sh
// builds and runs it; deploy/drill/README.md explains the output.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "client/text_table.h"
#include "google/protobuf/util/json_util.h"
#include "relay/base/status_macros.h"
#include "relay/deadlines.h"
#include "relay/proto_time.h"
#include "relay/region.h"
#include "tests/bench/node_chain.h"
#include "tests/bench/province_tree.h"
#include "tests/drill/drill_view.h"
#include "tests/drill/flood_script.h"
#include "tests/integration/test_client.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(int, counties, 117, "county nodes (in code order; 117 = all)");
ABSL_FLAG(int, flood_counties, 10, "counties the floods hit");
ABSL_FLAG(int, events_per_county, 3, "flood events per flooded county");
ABSL_FLAG(int, background_events, 300,
          "routine events elsewhere in the province");
ABSL_FLAG(double, hour_seconds, 6,
          "real seconds one hour of the notice takes (the nodes' "
          "deadlines { time_scale } is this / 3600)");
ABSL_FLAG(bool, faults, true,
          "stop a city and hang one of its flooded counties for longer than "
          "the per-hop budget");
ABSL_FLAG(bool, province_standby, true,
          "run a standby for the province; with --faults, kill the "
          "province's primary (SIGKILL) during the flood and restart it");
ABSL_FLAG(bool, exercise, false,
          "send every report as status EXERCISE (演练): labelled [DRILL] "
          "everywhere and never counted");
ABSL_FLAG(std::string, json, "", "write the results (DrillRun) here");
ABSL_FLAG(std::string, work_dir, "",
          "keep certificates, node configs, data and logs here (default: a "
          "temporary directory, removed afterwards)");
ABSL_FLAG(std::string, kuaibao, KUAIBAO_CLIENT_BINARY, "the kuaibao CLI");
ABSL_FLAG(int, patience_seconds, 180,
          "how long to wait for the province to have everything");
ABSL_FLAG(std::string, check_json, "",
          "only check that this results file is valid and its run passed");

namespace kuaibao::drill {
namespace {

using bench::kProvince;
using bench::ProvinceTree;
using bench::Submission;
using bench::Township;

constexpr char kSchema[] = "kuaibao-drill/1";
constexpr char kLeader[] = "client-140000000000-duty-officer";
constexpr char kInstructionId[] = "drill-instruction-1";
constexpr size_t kStreamWindow = 16;

std::string DutyOfficer(const std::string& county) {
  return absl::StrCat("client-", county, "-duty-officer");
}

double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : 0;
}

// Progress lines, stamped with the seconds since the drill began.
class Progress {
 public:
  void operator()(const std::string& line) const {
    std::cout << absl::StrFormat("[%6.1fs] ",
                                 absl::ToDoubleSeconds(absl::Now() - start_))
              << line << std::endl;
  }
  absl::Time start() const { return start_; }

 private:
  const absl::Time start_ = absl::Now();
};

std::string Clock(const google::protobuf::Timestamp& t) {
  return TimeOfDay(FromProto(t));
}

std::string Ms(double ms) { return absl::StrFormat("%.0f ms", ms); }

bool HasFeedback(const InstructionState& s, v1::FeedbackStatus status) {
  for (const Feedback& f : s.feedback()) {
    if (f.status() == status) return true;
  }
  return false;
}

// The reports of the disaster the province holds.
absl::StatusOr<std::vector<StoredReport>> DisasterAtProvince(
    testing::TestClient& province) {
  std::vector<StoredReport> out;
  RETURN_IF_ERROR(province.ForEachReport([&](const StoredReport& r) {
    const std::string& id = r.report().report_id();
    if (absl::StartsWith(id, "fl-") || absl::StartsWith(id, "bg-")) {
      out.push_back(r);
    }
  }));
  return out;
}

class Drill {
 public:
  Drill(bench::BenchContext* ctx, DrillRun* run, const Progress& say)
      : ctx_(*ctx), run_(*run), say_(say) {}

  absl::Status Run();

 private:
  absl::Status StartTree();
  absl::Status PlayScript();
  absl::Status InstructAndAnswer();
  // The province calls the roll of the cities (点名, 日报): the cities with
  // floods answer with a report, the others with a zero report, 吕梁市
  // stays silent and is named overdue.
  absl::Status RollCall();
  // The 应急管理 line beside the governments: 山西省应急管理厅, the city's
  // and the county's 应急管理局 as nodes (relay/node_id.h); a mine accident
  // filed at the county's reaches the province on both lines.
  absl::Status DepartmentLine();
  absl::Status AwaitProvince();
  void PrintView();
  // Runs the fault steps due by `at_h` notice hours.
  absl::Status Faults(double at_h, bool all);
  // The province's primary killed (SIGKILL) at `at_h`: its standby acts.
  absl::Status KillProvince(double at_h);
  // The primary started again at `at_h`: the standby hands it what it
  // took and stands by.
  absl::Status RestartProvince(double at_h);
  // Polls the standby's status until it is acting (or idle): true if it
  // was within a few seconds.
  bool StandbyActing(bool acting);
  // The province's node the duty officer works at: the standby while the
  // primary is down.
  const testing::NodeProcess& ProvinceNode() const {
    return province_down_ ? *tree_.province_standby()
                          : *tree_.nodes()[0].process;
  }
  // What the standby holds and took, and whether the grade I/II reports
  // reached a province node within their hour (ProvinceStandbyRun).
  void CountStandby();
  void PrintStandby() const;
  // The province's duty officer records, by fax, the submission to the
  // State Council (R5, 4 h) of each grade I/II report one notice hour after
  // it was sent, or as soon after as the province has it. With `all`, of
  // every one still pending, retrying until `give_up`.
  void NationalSubmissions(double at_h, bool all, absl::Time give_up);
  absl::Duration Hours(double h) const {
    return absl::Seconds(h * absl::GetFlag(FLAGS_hour_seconds));
  }

  bench::BenchContext& ctx_;
  DrillRun& run_;
  const Progress& say_;
  ProvinceTree tree_;
  std::vector<const Region*> counties_;
  std::vector<Township> townships_;
  FloodScript script_;
  absl::Time disaster_start_;
  enum class Step {
    kCityDown,
    kHang,
    kResume,
    kCityUp,
    kProvinceDown,
    kProvinceUp
  };
  // The faults in time order, (notice hour, step); the next to run.
  std::vector<std::pair<double, Step>> fault_steps_;
  size_t fault_step_ = 0;
  bool province_down_ = false;
  std::vector<std::pair<double, std::string>> national_;  // (at_h, id)
  size_t national_done_ = 0;
  std::vector<Submission> sent_;
  std::vector<StoredReport> at_province_;
  std::vector<StoredReport> at_standby_;  // at the province's standby
  // The number the township's node gave the instructed event.
  std::string instruction_event_number_;
  // The county whose 应急管理局 runs a node, and the line's nodes.
  std::string department_county_;
  std::vector<std::unique_ptr<testing::NodeProcess>> department_nodes_;
};

// The department line of the drill (deploy/regions/shanxi-departments.csv).
constexpr char kDepartment[] = "yjglt";
// 霍州市 (the 2011 Huozhou mine accident), when the tree has it.
constexpr char kMineCounty[] = "141082000000";
std::string DepartmentOfficer(const std::string& county) {
  return absl::StrCat("client-", county, "-yjglt-duty");
}

constexpr char kRollCallId[] = "drill-rollcall-1";
// The city that never answers the roll call.
constexpr char kSilentCity[] = "141100000000";

absl::Status Drill::StartTree() {
  const size_t counties = static_cast<size_t>(absl::GetFlag(FLAGS_counties));
  counties_ = bench::Counties(ctx_.regions, counties);
  std::vector<std::string> specs =
      bench::TreeCertificateSpecs(ctx_.regions, counties);
  specs.push_back("client:140000000000:bench");
  if (absl::GetFlag(FLAGS_province_standby)) {
    specs.push_back(absl::StrCat("node:", kProvince, ":standby"));
  }
  specs.push_back("client:140000000000:duty-officer");
  for (const Region& r : ctx_.regions.regions()) {
    if (r.level == Level::kCity) {
      specs.push_back(absl::StrCat("client:", r.code, ":duty-officer"));
    }
  }
  for (const std::string& c : FloodCounties(
           counties_,
           static_cast<size_t>(absl::GetFlag(FLAGS_flood_counties)))) {
    specs.push_back(absl::StrCat("client:", c, ":duty-officer"));
  }
  {  // The 应急管理 line: 霍州市 if the tree has it, else the last county.
    department_county_ = counties_.back()->code;
    for (const Region* c : counties_) {
      if (c->code == kMineCounty) department_county_ = c->code;
    }
    const std::string city = ctx_.regions.Find(department_county_)->parent;
    for (const std::string& region :
         {std::string(kProvince), city, department_county_}) {
      specs.push_back(absl::StrCat("node:", region, ":", kDepartment));
    }
    specs.push_back(absl::StrCat("client:", department_county_, ":yjglt-duty"));
  }
  say_(absl::StrCat("making the PKI: root, issuing CAs, CRLs, ", specs.size(),
                    " certificates (certs/pki.sh)"));
  RETURN_IF_ERROR(bench::MakeCertificates(ctx_.pki_dir, specs));

  say_("starting the nodes, top-down, each level side by side");
  tree_.set_province_standby(absl::GetFlag(FLAGS_province_standby));
  size_t last_shown = 0;
  RETURN_IF_ERROR(
      tree_.Start(ctx_, "nodes", counties, [&](size_t serving, size_t total) {
        if (serving == total || serving == 1 || serving >= last_shown + 20) {
          last_shown = serving;
          say_(absl::StrCat("nodes serving ", serving, "/", total));
        }
      }));
  run_.set_nodes(tree_.nodes().size() +
                 (tree_.province_standby() != nullptr ? 1 : 0));
  say_("opening the township streams (one connection each) with a roll call");
  bench::ReportGenerator generator(2022);
  ASSIGN_OR_RETURN(townships_, tree_.OpenTownshipStreams(
                                   ctx_, generator, kStreamWindow,
                                   absl::Hours(2), absl::Seconds(120)));
  run_.set_township_streams(townships_.size());
  say_(absl::StrCat(townships_.size(),
                    " township streams connected, roll call answered"));

  FloodSettings settings;
  settings.flood_counties =
      static_cast<size_t>(absl::GetFlag(FLAGS_flood_counties));
  settings.events_per_county =
      static_cast<size_t>(absl::GetFlag(FLAGS_events_per_county));
  settings.background_events =
      static_cast<size_t>(absl::GetFlag(FLAGS_background_events));
  settings.faults = absl::GetFlag(FLAGS_faults);
  settings.exercise = absl::GetFlag(FLAGS_exercise);
  settings.province_standby = absl::GetFlag(FLAGS_province_standby);
  script_ = MakeFloodScript(townships_, counties_, settings, generator);
  std::string flooded;
  for (const std::string& c : script_.flood_counties) {
    absl::StrAppend(&flooded, flooded.empty() ? "" : " ", ctx_.PlaceName(c));
  }
  say_(absl::StrCat("the script: floods in ", flooded, "; ",
                    script_.sends.size(), " reports over ",
                    script_.sends.empty() ? 0 : script_.sends.back().at_h,
                    " notice hours"));
  const FaultPlan& f = script_.faults;
  if (!f.city.empty()) {
    say_(absl::StrFormat(
        "faults: %s down %.2fh-%.2fh; %s hung %.2fh-%.2fh (per-hop budget "
        "2h)",
        ctx_.PlaceName(f.city), f.city_down_h, f.city_up_h,
        ctx_.PlaceName(f.county), f.hang_h, f.resume_h));
    fault_steps_ = {{f.city_down_h, Step::kCityDown},
                    {f.hang_h, Step::kHang},
                    {f.resume_h, Step::kResume},
                    {f.city_up_h, Step::kCityUp}};
  }
  if (f.kill_province) {
    say_(absl::StrFormat(
        "faults: 山西省's primary killed (SIGKILL) %.2fh-%.2fh, its standby %s "
        "acting; %s's first flood grade I, begun at %.2fh",
        f.province_down_h, f.province_up_h, tree_.province_standby()->address(),
        ctx_.PlaceName(script_.flood_counties.size() > 1
                           ? script_.flood_counties[1]
                           : std::string()),
        f.province_down_h - 0.1));
    fault_steps_.emplace_back(f.province_down_h, Step::kProvinceDown);
    fault_steps_.emplace_back(f.province_up_h, Step::kProvinceUp);
  }
  std::stable_sort(
      fault_steps_.begin(), fault_steps_.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  return absl::OkStatus();
}

absl::Status Drill::Faults(double at_h, bool all) {
  const FaultPlan& f = script_.faults;
  testing::NodeProcess* city = tree_.Node(f.city);
  testing::NodeProcess* county = tree_.Node(f.county);
  while (fault_step_ < fault_steps_.size() &&
         (all || fault_steps_[fault_step_].first <= at_h)) {
    const auto [step_h, step] = fault_steps_[fault_step_];
    absl::SleepFor(disaster_start_ + Hours(step_h) - absl::Now());
    switch (step) {
      case Step::kCityDown:
        // A power cut: SIGKILL (SIGTERM would let open streams finish).
        city->Signal(SIGKILL);
        say_(absl::StrCat("FAULT: ", ctx_.PlaceName(f.city), " ", f.city,
                          " down (SIGKILL, a power cut)"));
        break;
      case Step::kHang:
        county->Signal(SIGSTOP);
        say_(absl::StrCat("FAULT: ", ctx_.PlaceName(f.county), " ", f.county,
                          " hung (SIGSTOP) holding reports for its city"));
        break;
      case Step::kResume:
        county->Signal(SIGCONT);
        say_(absl::StrCat(ctx_.PlaceName(f.county),
                          " resumed, its hand-off "
                          "budget spent"));
        break;
      case Step::kCityUp:
        city->Stop();
        RETURN_IF_ERROR(city->Start());
        say_(absl::StrCat(ctx_.PlaceName(f.city), " restarted"));
        break;
      case Step::kProvinceDown:
        RETURN_IF_ERROR(KillProvince(step_h));
        break;
      case Step::kProvinceUp:
        RETURN_IF_ERROR(RestartProvince(step_h));
        break;
    }
    ++fault_step_;
  }
  return absl::OkStatus();
}

bool Drill::StandbyActing(bool acting) {
  testing::TestClient reader = bench::Reader(ctx_, *tree_.province_standby());
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  for (;;) {
    absl::StatusOr<v1::GetStatusResponse> status = reader.Status();
    if (status.ok() && status->acting() == acting) return true;
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
}

absl::Status Drill::KillProvince(double at_h) {
  testing::NodeProcess& primary = *tree_.nodes()[0].process;
  const testing::NodeProcess& standby = *tree_.province_standby();
  ProvinceStandbyRun* out = run_.mutable_province_standby();
  out->set_address(standby.address());
  out->set_killed_at_h(at_h);
  // A power cut at the provincial duty room's machine.
  primary.Kill(SIGKILL);
  province_down_ = true;
  say_(absl::StrFormat(
      "FAULT: 演练第 %.2f 小时 省级主节点被停止（%s %s %s，SIGKILL，断电）",
      at_h, ctx_.PlaceName(kProvince), kProvince, primary.address()));
  out->set_acting_seen(StandbyActing(true));
  say_(out->acting_seen()
           ? absl::StrCat("备用节点在岗：", ctx_.PlaceName(kProvince),
                          "备用节点 ", standby.address(),
                          " 接替（kuaibao status: ACTING）；各市、县在交接到期"
                          "前转向备用节点，省值班员在备用节点上工作")
           : absl::StrCat("备用节点未在岗：", standby.address(),
                          " 没有报告 ACTING"));
  Cli cli(absl::GetFlag(FLAGS_kuaibao), ctx_.pki_dir);
  cli.Show(standby.address(), kLeader, {"status"});
  return absl::OkStatus();
}

absl::Status Drill::RestartProvince(double at_h) {
  testing::NodeProcess& primary = *tree_.nodes()[0].process;
  run_.mutable_province_standby()->set_restarted_at_h(at_h);
  RETURN_IF_ERROR(primary.Start());
  province_down_ = false;
  say_(absl::StrFormat(
      "主节点恢复：演练第 %.2f 小时 %s 省级主节点重启（%s），备用节点把代收的"
      "报告交还主节点",
      at_h, ctx_.PlaceName(kProvince), primary.address()));
  run_.mutable_province_standby()->set_idle_after(StandbyActing(false));
  say_(run_.province_standby().idle_after()
           ? "备用节点转为待命（kuaibao status: idle），主节点在岗"
           : "备用节点仍在岗：它与主节点的连接没有恢复");
  return absl::OkStatus();
}

void Drill::NationalSubmissions(double at_h, bool all, absl::Time give_up) {
  Cli cli(absl::GetFlag(FLAGS_kuaibao), ctx_.pki_dir);
  for (;;) {
    const std::string province = ProvinceNode().address();
    bool pending = false;
    for (auto it = national_.begin(); it != national_.end();) {
      if (!all && it->first > at_h) {
        ++it;
        continue;
      }
      std::string output;
      if (cli.Run(province, kLeader,
                  {"national-submitted", it->second, "--channel=fax",
                   "--text=省应急管理厅传真国务院应急管理部（演练）"},
                  &output) == 0) {
        ++national_done_;
        it = national_.erase(it);
      } else {
        // Not at the province yet (the hung county's): later.
        it->first = at_h + 0.25;
        pending = true;
        ++it;
      }
    }
    if (!all || !pending || absl::Now() > give_up) return;
    absl::SleepFor(absl::Seconds(1));
  }
}

absl::Status Drill::PlayScript() {
  const double scale = absl::GetFlag(FLAGS_hour_seconds) / 3600;
  say_("the flood begins");
  disaster_start_ = absl::Now();
  absl::Time next_progress = disaster_start_ + absl::Seconds(5);
  size_t n = 0;
  for (Send& send : script_.sends) {
    RETURN_IF_ERROR(Faults(send.at_h, false));
    absl::SleepFor(disaster_start_ + Hours(send.at_h) - absl::Now());
    NationalSubmissions(send.at_h, false, absl::InfinitePast());
    if (IsUrgent(send.report)) {
      national_.emplace_back(send.at_h + 1, send.report.report_id());
    }
    StampForSending(&send.report, absl::Now(), scale);
    townships_[send.township].stream->Send(std::move(send.report));
    if (absl::Now() >= next_progress) {
      next_progress += absl::Seconds(5);
      size_t answered = 0;
      for (const Township& t : townships_) answered += t.stream->answered();
      say_(absl::StrFormat("notice hour %.2f: %d/%d reports sent, %d answered",
                           send.at_h, n + 1, script_.sends.size(),
                           answered - townships_.size()));
    }
    ++n;
  }
  RETURN_IF_ERROR(Faults(0, true));
  const FaultPlan& f = script_.faults;
  if (!f.city.empty()) {
    std::vector<std::tuple<std::string, const char*, double, double>> faults = {
        {f.city, "down (SIGKILL)", f.city_down_h, f.city_up_h},
        {f.county, "hung (SIGSTOP)", f.hang_h, f.resume_h}};
    if (f.kill_province) {
      faults.emplace_back(kProvince, "primary down (SIGKILL), standby acting",
                          f.province_down_h, f.province_up_h);
    }
    for (const auto& [node, what, from, to] : faults) {
      Fault* fault = run_.add_faults();
      fault->set_node(node);
      fault->set_what(what);
      fault->set_from_s(absl::ToDoubleSeconds(Hours(from)));
      fault->set_to_s(absl::ToDoubleSeconds(Hours(to)));
    }
  }
  say_(absl::StrCat("all ", n, " reports sent; closing the township streams"));
  for (Township& t : townships_) t.stream->Close();
  for (Township& t : townships_) {
    absl::Status ended = t.stream->Wait();
    if (!ended.ok()) {
      say_(absl::StrCat("stream of ", t.region->code,
                        " ended: ", ended.ToString()));
    }
    for (const Submission& s : t.stream->submissions()) {
      if (!absl::StartsWith(s.report_id, "rc-")) sent_.push_back(s);
    }
  }
  size_t acked = 0;
  for (const Submission& s : sent_) acked += s.receipt ? 1 : 0;
  say_(absl::StrCat(acked, " of ", sent_.size(),
                    " reports acknowledged by their counties"));
  return absl::OkStatus();
}

absl::Status Drill::InstructAndAnswer() {
  InstructionRun* out = run_.mutable_instruction();
  if (script_.instruction_event.empty()) {
    run_.add_notes("no grade II flood in the script: no instruction issued");
    return absl::OkStatus();
  }
  const std::string& county = script_.instruction_county;
  testing::NodeProcess& province = *tree_.nodes()[0].process;
  testing::TestClient reader = bench::Reader(ctx_, province);
  const absl::Duration patience =
      absl::Seconds(absl::GetFlag(FLAGS_patience_seconds));
  // The event's number, as the node that took in its first report gave it.
  ASSIGN_OR_RETURN(v1::GetReportResponse first,
                   reader.WaitFor(script_.instruction_event + "-0", patience));
  instruction_event_number_ = first.report().report().event_id();
  out->set_instruction_id(kInstructionId);
  out->set_event_id(instruction_event_number_);
  out->set_target(county);
  Cli cli(absl::GetFlag(FLAGS_kuaibao), ctx_.pki_dir);
  say_(absl::StrCat("instruction down: the province instructs ",
                    ctx_.PlaceName(county), " about ",
                    instruction_event_number_, " (", script_.instruction_event,
                    ")"));
  int code = cli.Show(
      province.address(), kLeader,
      {"instruct", "--event=" + instruction_event_number_,
       "--text=立即组织转移受威胁群众，全力抢险排涝，每两小时报告一次进展",
       "--by=省防汛抗旱指挥部 总指挥", "--due=2h",
       std::string("--id=") + kInstructionId});
  if (code != 0) return absl::InternalError("kuaibao instruct failed");
  ASSIGN_OR_RETURN(InstructionState signed_for,
                   reader.WaitForInstruction(
                       kInstructionId,
                       [](const InstructionState& s) {
                         return HasFeedback(s, v1::FEEDBACK_STATUS_RECEIVED);
                       },
                       patience));
  out->set_issued_at(Clock(signed_for.instruction().issued_at()));
  for (const Feedback& f : signed_for.feedback()) {
    for (const InstructionHop& hop : f.instruction_hops()) {
      if (hop.node() == county) {
        out->set_received_at_target(Clock(hop.received_at()));
      }
    }
  }
  say_(absl::StrCat(ctx_.PlaceName(county),
                    " signed for the instruction; "
                    "feedback up"));
  testing::NodeProcess& target = *tree_.Node(county);
  cli.Show(target.address(), DutyOfficer(county),
           {"feedback", kInstructionId, "--status=in_progress",
            "--text=已转移群众1260人，抢险队伍正在加固堤防"});
  absl::SleepFor(Hours(0.5));
  cli.Show(target.address(), DutyOfficer(county),
           {"feedback", kInstructionId, "--status=done",
            "--text=受威胁群众已全部转移安置，决口已封堵，无人员伤亡"});
  ASSIGN_OR_RETURN(InstructionState done,
                   reader.WaitForInstruction(
                       kInstructionId,
                       [](const InstructionState& s) {
                         return HasFeedback(s, v1::FEEDBACK_STATUS_DONE);
                       },
                       patience));
  out->set_feedback_arrived(HasFeedback(done, v1::FEEDBACK_STATUS_DONE));
  for (const Feedback& f : done.feedback()) {
    out->set_feedback_status(v1::FeedbackStatus_Name(f.status()));
    if (!f.hops().empty()) {
      out->set_feedback_at_province(Clock(f.hops().rbegin()->received_at()));
    }
  }
  say_(out->feedback_arrived() ? "feedback DONE is at the province"
                               : "feedback DONE did not reach the province");
  return absl::OkStatus();
}

absl::Status Drill::RollCall() {
  testing::NodeProcess& province = *tree_.nodes()[0].process;
  Cli cli(absl::GetFlag(FLAGS_kuaibao), ctx_.pki_dir);
  say_(
      "roll call (点名): the province asks every city to report by 2 h, "
      "无情况零报告, every day (日报)");
  int code =
      cli.Show(province.address(), kLeader,
               {"rollcall", "issue", kRollCallId, "--period=汛期 日报",
                "--text=各市于 2 小时内报告汛情，无情况零报告", "--due=2h",
                "--every=24h", "--by=省防汛抗旱指挥部办公室"});
  if (code != 0) return absl::InternalError("kuaibao rollcall issue failed");
  size_t answering = 0;
  for (const Region& city : ctx_.regions.regions()) {
    if (city.level != Level::kCity || city.code == kSilentCity) continue;
    testing::NodeProcess* node = tree_.Node(city.code);
    if (node == nullptr) continue;
    std::vector<std::string> answer = {"rollcall", "answer", kRollCallId};
    auto flooded = std::find_if(
        script_.flood_counties.begin(), script_.flood_counties.end(),
        [&](const std::string& c) { return RegionContains(city.code, c); });
    if (flooded != script_.flood_counties.end()) {
      answer.push_back(
          absl::StrCat("--report=fl-", flooded->substr(0, 6), "-01-0"));
    } else {
      answer.push_back("--zero");
    }
    // The round reaches the city down its relay stream: retry until there
    // (a stopped city answers once it is back).
    const absl::Time give_up =
        absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_patience_seconds));
    std::string output;
    while (cli.Run(node->address(), DutyOfficer(city.code), answer, &output) !=
               0 &&
           absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(500));
    }
    ++answering;
  }
  say_(absl::StrCat(answering, " cities answered the roll call; ",
                    ctx_.PlaceName(kSilentCity), " stays silent"));
  return absl::OkStatus();
}

absl::Status Drill::DepartmentLine() {
  DepartmentRun* out = run_.mutable_department();
  const std::string county = department_county_;
  const std::string city = ctx_.regions.Find(county)->parent;
  out->set_county(county);
  say_(absl::StrCat("the 应急管理 line: 山西省应急管理厅, ",
                    ctx_.PlaceName(city), "应急管理局 and ",
                    ctx_.PlaceName(county),
                    "应急管理局 start, each delivering across to its "
                    "government (左右交错)"));
  // Top-down: each needs its parent's port and its government's.
  std::string parent;
  for (const std::string& region : {std::string(kProvince), city, county}) {
    const std::string id = absl::StrCat(region, ":", kDepartment);
    auto node = std::make_unique<testing::NodeProcess>(
        ctx_.Dir(absl::StrCat("departments/", region)), id, ctx_.pki_dir);
    node->SetExtraConfig(absl::StrCat("across { region: \"", region,
                                      "\" address: \"",
                                      tree_.Node(region)->address(), "\" }\n"));
    if (!parent.empty()) {
      node->SetParent(parent, department_nodes_.back()->port());
    }
    RETURN_IF_ERROR(node->Launch());
    RETURN_IF_ERROR(node->WaitServing(absl::Seconds(120)));
    parent = id;
    department_nodes_.push_back(std::move(node));
  }
  // The county's 应急管理局 files a mine accident as its duty officer
  // would, without JSON.
  Cli cli(absl::GetFlag(FLAGS_kuaibao), ctx_.pki_dir);
  const std::string unit = absl::StrCat(ctx_.PlaceName(county), "应急管理局");
  std::string output;
  int code = cli.Run(
      department_nodes_.back()->address(), DepartmentOfficer(county),
      {"--json", "report", "--kind=initial", "--category=major_accident",
       "--grade=III", "--region=" + county, "--unit=" + unit,
       "--headline=" + ctx_.PlaceName(county) + "某煤矿井下透水，5人被困",
       "--course=井下采掘工作面突水，5名矿工被困，救援队已下井（演练）"},
      &output);
  const size_t at = output.find("\"reportId\":\"");
  if (code != 0 || at == std::string::npos) {
    return absl::InternalError(absl::StrCat(
        "kuaibao report at the county 应急管理局 failed: ", output));
  }
  const size_t from = at + std::string("\"reportId\":\"").size();
  out->set_report_id(output.substr(from, output.find('"', from) - from));
  say_(absl::StrCat(unit, " filed ", out->report_id(),
                    " (a mine accident); waiting for both lines at the "
                    "province"));
  // Both lines at the province: one report, a path through the line's top
  // (山西省应急管理厅) and one through the government line.
  testing::TestClient reader = bench::Reader(ctx_, *tree_.nodes()[0].process);
  const std::string top = absl::StrCat(kProvince, ":", kDepartment);
  const absl::Time give_up =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_patience_seconds));
  for (;;) {
    absl::StatusOr<v1::GetReportResponse> got = reader.Get(out->report_id());
    if (got.ok()) {
      out->clear_paths();
      bool department = false;
      bool government = false;
      std::vector<const google::protobuf::RepeatedPtrField<HopRecord>*> paths =
          {&got->report().hops()};
      for (const v1::Path& p : got->report().other_paths()) {
        paths.push_back(&p.hops());
      }
      for (const auto* hops : paths) {
        std::string line;
        bool through_top = false;
        for (const HopRecord& h : *hops) {
          absl::StrAppend(&line, line.empty() ? "" : " → ", h.node());
          through_top = through_top || h.node() == top;
        }
        out->add_paths(line);
        (through_top ? department : government) = true;
      }
      out->set_both_lines(department && government);
    }
    if (out->both_lines() || absl::Now() > give_up) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  say_(out->both_lines() ? "the province holds it once, with both lines' paths"
                         : "the province does NOT hold it on both lines");
  return absl::OkStatus();
}

absl::Status Drill::AwaitProvince() {
  size_t acked = 0;
  for (const Submission& s : sent_) acked += s.receipt ? 1 : 0;
  testing::TestClient reader = bench::Reader(ctx_, *tree_.nodes()[0].process);
  const testing::NodeProcess* standby = tree_.province_standby();
  const absl::Time give_up =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_patience_seconds));
  for (;;) {
    ASSIGN_OR_RETURN(at_province_, DisasterAtProvince(reader));
    const uint64_t there =
        Tally(sent_, at_province_, ctx_.regions).counts.at_province();
    uint64_t at_standby = acked;
    std::string line = absl::StrCat("at the province: ", there, "/", acked);
    if (standby != nullptr) {
      // Both of the province's nodes hold everything in the end.
      testing::TestClient standby_reader = bench::Reader(ctx_, *standby);
      ASSIGN_OR_RETURN(at_standby_, DisasterAtProvince(standby_reader));
      at_standby = Tally(sent_, at_standby_, ctx_.regions).counts.at_province();
      absl::StrAppend(&line, ", at its standby: ", at_standby, "/", acked);
    }
    say_(line);
    if ((there >= acked && at_standby >= acked) || absl::Now() > give_up) {
      break;
    }
    absl::SleepFor(absl::Seconds(2));
  }
  return absl::OkStatus();
}

void Drill::CountStandby() {
  const testing::NodeProcess* standby = tree_.province_standby();
  if (standby == nullptr) return;
  ProvinceStandbyRun& out = *run_.mutable_province_standby();
  out.set_address(standby->address());
  const Counts held = Tally(sent_, at_standby_, ctx_.regions).counts;
  out.set_at_standby(held.at_province());
  out.set_lost_at_standby(held.lost());
  out.set_duplicated_at_standby(held.duplicated());
  // When each report first reached a province node, over both nodes'
  // copies and every path.
  absl::flat_hash_map<std::string, absl::Time> first;
  for (const std::vector<StoredReport>* node : {&at_province_, &at_standby_}) {
    for (const StoredReport& r : *node) {
      auto scan = [&](const auto& hops) {
        for (const HopRecord& hop : hops) {
          if (hop.node() != kProvince) continue;
          const absl::Time at = FromProto(hop.received_at());
          auto [it, fresh] = first.emplace(r.report().report_id(), at);
          if (!fresh && at < it->second) it->second = at;
        }
      };
      scan(r.hops());
      for (const v1::Path& p : r.other_paths()) scan(p.hops());
    }
  }
  absl::flat_hash_set<std::string> acked;
  for (const Submission& s : sent_) {
    if (s.receipt) acked.insert(s.report_id);
  }
  const std::string hung = script_.faults.county.substr(0, 6);
  double slowest_min = 0;
  for (const StoredReport& r : at_province_) {
    bool by_standby = false;
    auto scan = [&](const auto& hops) {
      for (const HopRecord& hop : hops) {
        by_standby |= hop.node() == kProvince && hop.standby();
      }
    };
    scan(r.hops());
    for (const v1::Path& p : r.other_paths()) scan(p.hops());
    out.set_by_standby(out.by_standby() + (by_standby ? 1 : 0));
    // R3: the first government (the county that took it from its
    // township) → a province node, within the hour.
    const std::string& id = r.report().report_id();
    if (!IsUrgent(r.report()) || !acked.contains(id) ||
        absl::StartsWith(r.report().location().region_code(), hung)) {
      continue;
    }
    out.set_urgent_checked(out.urgent_checked() + 1);
    const absl::Duration took =
        first.at(id) - FromProto(r.hops(0).received_at());
    const double minutes =
        absl::ToDoubleSeconds(took) / absl::GetFlag(FLAGS_hour_seconds) * 60;
    slowest_min = std::max(slowest_min, minutes);
    if (took > Hours(1)) {
      out.set_urgent_late(out.urgent_late() + 1);
      run_.add_notes(absl::StrFormat(
          "%s reached a province node %.0f notice minutes after its county "
          "took it",
          id, minutes));
    }
  }
  out.set_urgent_slowest_min(slowest_min);
}

void Drill::PrintStandby() const {
  if (!run_.has_province_standby() ||
      run_.province_standby().killed_at_h() == 0) {
    return;
  }
  const ProvinceStandbyRun& s = run_.province_standby();
  std::cout << "\n=============== 省级备用节点（" << ctx_.PlaceName(kProvince)
            << " " << kProvince << "） ===============\n"
            << absl::StrFormat(
                   "省级主节点被停止：演练第 %.2f 小时（SIGKILL，断电）\n"
                   "备用节点在岗：%s（%s，kuaibao status: ACTING）\n"
                   "主节点恢复：演练第 %.2f 小时；之后备用节点待命：%s\n"
                   "经备用节点到达省级的报告：%d 份\n"
                   "备用节点保存：%d 份（应有 %d 份），丢失 %d，重复 %d\n"
                   "特别重大、重大（I、II 级）报告 1 小时内到达省级节点："
                   "%d/%d 份（最慢 %.0f 分钟；%s的报告除外：它被挂起，"
                   "按设计迟报）\n",
                   s.killed_at_h(), s.acting_seen() ? "是" : "否", s.address(),
                   s.restarted_at_h(), s.idle_after() ? "是" : "否",
                   s.by_standby(), s.at_standby(), run_.counts().acknowledged(),
                   s.lost_at_standby(), s.duplicated_at_standby(),
                   s.urgent_checked() - s.urgent_late(), s.urgent_checked(),
                   s.urgent_slowest_min(),
                   ctx_.PlaceName(script_.faults.county));
}

void Drill::PrintView() {
  ProvinceTally tally = Tally(sent_, at_province_, ctx_.regions);
  *run_.mutable_counts() = tally.counts;
  for (const Latency& l : tally.latency) *run_.add_latency() = l;
  for (const CityArrivals& a : tally.arrivals) *run_.add_arrivals() = a;
  testing::NodeProcess& province = *tree_.nodes()[0].process;
  Cli cli(absl::GetFlag(FLAGS_kuaibao), ctx_.pki_dir);
  std::cout << "\n=============== The provincial view (山西省 " << kProvince
            << ") ===============\n";
  cli.Show(province.address(), kLeader, {"status"});
  if (const testing::NodeProcess* standby = tree_.province_standby()) {
    // The province's other node: idle again, its primary acting.
    cli.Show(standby->address(), kLeader, {"status"});
  }
  cli.Show(province.address(), kLeader, {"due"});
  // Who answered the roll call, who reported, who is silent (overdue once
  // its 2 hours are up).
  cli.Show(province.address(), kLeader, {"rollcall", "status", kRollCallId});
  if (!script_.instruction_event.empty()) {
    cli.Show(province.address(), kLeader, {"instructions"});
    cli.Show(province.address(), kLeader,
             {"list", "--event=" + instruction_event_number_});
  }
  if (!script_.faults.county.empty()) {
    // The hung county's first flood report: its late hand-off, as the
    // province sees it, and the county's own view of its deadlines.
    const std::string late_id =
        absl::StrCat("fl-", script_.faults.county.substr(0, 6), "-01-0");
    cli.Show(province.address(), kLeader, {"show", late_id});
    cli.Show(tree_.Node(script_.faults.county)->address(),
             DutyOfficer(script_.faults.county), {"due"});
  }
  if (script_.faults.kill_province && script_.flood_counties.size() > 1) {
    // The grade I flood's detailed report, sent while the province's
    // primary was down: to the standby within its hour, then to the
    // primary.
    cli.Show(
        province.address(), kLeader,
        {"show",
         absl::StrCat("fl-", script_.flood_counties[1].substr(0, 6), "-01-1")});
  }
  if (!run_.department().report_id().empty()) {
    // The mine accident on both lines: one report, two paths.
    cli.Show(province.address(), kLeader,
             {"show", run_.department().report_id()});
  }
  std::string due_json;
  cli.Run(province.address(), kLeader, {"--json", "due"}, &due_json);
  absl::StatusOr<std::vector<Responsible>> rows =
      ByResponsible(due_json, ctx_.regions);
  if (rows.ok()) {
    for (const Responsible& r : *rows) *run_.add_responsible() = r;
  } else {
    run_.add_notes(rows.status().ToString());
  }
  std::cout << "\n=============== Punctuality ===============\n";
  // The drill's period: the Beijing days around now (the audit commands
  // take periods in Beijing time).
  const absl::TimeZone beijing = absl::FixedTimeZone(8 * 3600);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), beijing);
  const std::vector<std::string> period = {
      absl::StrCat("--from=", absl::FormatCivilTime(today - 1)),
      absl::StrCat("--to=", absl::FormatCivilTime(today + 2))};
  run_.set_punctuality_from_audit(true);
  std::vector<std::string> punctuality = {"audit", "punctuality"};
  std::vector<std::string> breaches = {"audit", "breaches"};
  punctuality.insert(punctuality.end(), period.begin(), period.end());
  breaches.insert(breaches.end(), period.begin(), period.end());
  if (cli.Show(province.address(), kLeader, punctuality) != 0 ||
      cli.Show(province.address(), kLeader, breaches) != 0) {
    run_.add_notes("kuaibao audit punctuality/breaches failed");
  }

  std::cout << "\n=============== Summary ===============\n";
  const Counts& c = run_.counts();
  TextTable counts({"reports", "count"});
  for (auto [what, n] : std::vector<std::pair<const char*, uint64_t>>{
           {"sent by the township streams", c.sent()},
           {"acknowledged by the counties", c.acknowledged()},
           {"refused", c.refused()},
           {"unanswered", c.unanswered()},
           {"at the province", c.at_province()},
           {"LOST (acknowledged, not at the province)", c.lost()},
           {"DUPLICATED at the province", c.duplicated()},
           {"arrived by a second path too (stored once)", c.second_arrivals()},
           {"escalated past an unreachable city", c.escalated()}}) {
    counts.AddRow({what, absl::StrCat(n)});
  }
  std::cout << counts.Render() << "\n";
  std::cout << "What arrived at the province, by city (first arrivals; "
               "sent → stored at the province):\n"
            << ArrivalsTable({run_.arrivals().begin(), run_.arrivals().end()})
            << "\n";
  TextTable latency({"sent → stored at", "reports", "p50", "p99", "max"});
  for (const Latency& l : run_.latency()) {
    latency.AddRow({l.level(), absl::StrCat(l.count()), Ms(l.p50_ms()),
                    Ms(l.p99_ms()), Ms(l.max_ms())});
  }
  std::cout << latency.Render();
  std::cout << "(one notice hour = " << absl::GetFlag(FLAGS_hour_seconds)
            << " s here: 2 h per hop = "
            << 2 * absl::GetFlag(FLAGS_hour_seconds) << " s)\n";
  const InstructionRun& in = run_.instruction();
  if (!in.instruction_id().empty()) {
    std::cout << "\ninstruction " << in.instruction_id() << " about "
              << in.event_id() << " → " << ctx_.PlaceName(in.target())
              << ": issued " << in.issued_at() << ", received there "
              << in.received_at_target() << ", last feedback "
              << in.feedback_status() << " at the province "
              << in.feedback_at_province() << "\n";
  }
}

absl::Status Drill::Run() {
  RETURN_IF_ERROR(StartTree());
  RETURN_IF_ERROR(PlayScript());
  RETURN_IF_ERROR(InstructAndAnswer());
  RETURN_IF_ERROR(RollCall());
  RETURN_IF_ERROR(DepartmentLine());
  RETURN_IF_ERROR(AwaitProvince());
  NationalSubmissions(
      0, true,
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_patience_seconds)));
  say_(absl::StrCat(national_done_,
                    " grade I/II reports submitted to the State Council by "
                    "fax (kuaibao national-submitted), ",
                    national_.size(), " could not be"));
  PrintView();
  CountStandby();
  PrintStandby();
  return absl::OkStatus();
}

// What the province's standby part of a run got wrong (nothing when the
// run had none): the verdict and --check_json both use it.
std::vector<std::string> StandbyProblems(const DrillRun& run) {
  std::vector<std::string> problems;
  if (!run.has_province_standby()) return problems;
  const ProvinceStandbyRun& s = run.province_standby();
  if (s.killed_at_h() > 0) {  // the primary was killed
    if (!s.acting_seen()) {
      problems.push_back("the province's standby never said it was acting");
    }
    if (s.by_standby() == 0) {
      problems.push_back("no report reached the province by its standby");
    }
  }
  if (s.at_standby() != run.counts().acknowledged() ||
      s.lost_at_standby() != 0) {
    problems.push_back(
        absl::StrCat(s.lost_at_standby(), " lost at the province's standby"));
  }
  if (s.duplicated_at_standby() != 0) {
    problems.push_back(absl::StrCat(s.duplicated_at_standby(),
                                    " duplicated at the province's standby"));
  }
  if (s.urgent_late() != 0) {
    problems.push_back(absl::StrCat(s.urgent_late(), " of ", s.urgent_checked(),
                                    " grade I/II reports reached a province "
                                    "node after their hour"));
  }
  return problems;
}

bool Verdict(DrillRun* run) {
  const Counts& c = run->counts();
  std::vector<std::string> failed;
  if (c.sent() == 0) failed.push_back("nothing was sent");
  if (c.acknowledged() != c.sent()) {
    failed.push_back(
        absl::StrCat(c.sent() - c.acknowledged(), " reports not acknowledged"));
  }
  if (c.lost() != 0) failed.push_back(absl::StrCat(c.lost(), " lost"));
  if (c.duplicated() != 0) {
    failed.push_back(absl::StrCat(c.duplicated(), " duplicated"));
  }
  if (!run->instruction().instruction_id().empty() &&
      !run->instruction().feedback_arrived()) {
    failed.push_back("the instruction's feedback did not reach the province");
  }
  if (!run->department().report_id().empty() &&
      !run->department().both_lines()) {
    failed.push_back(
        "the department's report did not reach the province on "
        "both lines");
  }
  for (std::string& p : StandbyProblems(*run)) failed.push_back(std::move(p));
  for (const std::string& f : failed) run->add_notes("FAILED: " + f);
  run->set_ok(failed.empty());
  return failed.empty();
}

absl::Status WriteJson(const DrillRun& run, const std::string& path) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  auto printed =
      google::protobuf::util::MessageToJsonString(run, &json, options);
  if (!printed.ok()) return absl::InternalError(printed.ToString());
  std::ofstream out(path, std::ios::trunc);
  out << json;
  if (!out.good()) return absl::InternalError("cannot write " + path);
  return absl::OkStatus();
}

// Checks a results file: it parses, has the schema, and its run passed
// by its own numbers (recomputed here, not taken from `ok`).
int CheckJson(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  DrillRun run;
  auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &run);
  if (!in || !parsed.ok()) {
    std::cout << path << ": not a DrillRun: " << parsed.ToString() << "\n";
    return 1;
  }
  std::vector<std::string> problems;
  if (run.schema() != kSchema) problems.push_back("schema " + run.schema());
  const Counts& c = run.counts();
  if (c.sent() == 0) problems.push_back("nothing sent");
  if (c.acknowledged() != c.sent()) problems.push_back("not all acknowledged");
  if (c.at_province() != c.acknowledged() || c.lost() != 0) {
    problems.push_back(absl::StrCat("lost ", c.lost()));
  }
  if (c.duplicated() != 0) problems.push_back("duplicated");
  if (!run.instruction().feedback_arrived()) {
    problems.push_back("no feedback at the province");
  }
  if (!run.department().both_lines()) {
    problems.push_back("the department's report is not on both lines");
  }
  for (std::string& p : StandbyProblems(run)) problems.push_back(std::move(p));
  if (!run.ok()) problems.push_back("the run says it failed");
  for (const std::string& p : problems) std::cout << path << ": " << p << "\n";
  if (problems.empty()) std::cout << "valid, passed: " << path << "\n";
  return problems.empty() ? 0 : 1;
}

int Main() {
  bench::RaiseFileLimit();
  Progress say;
  DrillRun run;
  run.set_schema(kSchema);
  run.set_started_at(absl::FormatTime(absl::Now(), absl::UTCTimeZone()));
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  run.mutable_host()->set_hostname(host);
  run.mutable_host()->set_cores(
      static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  run.mutable_host()->set_load_start(LoadAverage());
  const double hour_seconds = absl::GetFlag(FLAGS_hour_seconds);
  if (hour_seconds <= 0) {
    std::cerr << "kuaibao-drill: --hour_seconds must be positive\n";
    return 2;
  }
  auto& settings = *run.mutable_settings();
  settings["counties"] = absl::StrCat(absl::GetFlag(FLAGS_counties));
  settings["flood_counties"] =
      absl::StrCat(absl::GetFlag(FLAGS_flood_counties));
  settings["events_per_county"] =
      absl::StrCat(absl::GetFlag(FLAGS_events_per_county));
  settings["background_events"] =
      absl::StrCat(absl::GetFlag(FLAGS_background_events));
  settings["hour_seconds"] = absl::StrCat(hour_seconds);
  settings["faults"] = absl::GetFlag(FLAGS_faults) ? "true" : "false";
  settings["exercise"] = absl::GetFlag(FLAGS_exercise) ? "true" : "false";
  settings["province_standby"] =
      absl::GetFlag(FLAGS_province_standby) ? "true" : "false";

  // A temporary directory only when none is given (run-drill.sh gives one
  // and removes it, also when the drill is killed).
  std::optional<testing::TempDir> temp;
  bench::BenchContext ctx;
  ctx.work_dir = absl::GetFlag(FLAGS_work_dir);
  if (ctx.work_dir.empty()) ctx.work_dir = temp.emplace().path();
  ctx.pki_dir = ctx.Dir("pki");
  // The nodes as deployed: default rate limits, the notice's deadlines on
  // the drill's clock.
  ctx.settings.default_rate_limits = true;
  ctx.settings.node_config =
      absl::StrCat("deadlines { time_scale: ", hour_seconds / 3600, " }\n");
  absl::StatusOr<RegionTable> regions = RegionTable::Load(
      absl::StrCat(KUAIBAO_SOURCE_DIR, "/deploy/regions/shanxi-2022.csv"));
  if (!regions.ok()) {
    std::cerr << "kuaibao-drill: " << regions.status() << "\n";
    return 1;
  }
  ctx.regions = *std::move(regions);
  say(absl::StrCat("kuaibao-drill: work directory ", ctx.work_dir,
                   "; one notice hour = ", hour_seconds, " s"));

  Drill drill(&ctx, &run, say);
  absl::Status status = drill.Run();
  if (!status.ok()) {
    std::cout << "kuaibao-drill: FAILED: " << status << "\n";
    run.add_notes("FAILED: " + status.ToString());
  }
  bool passed = status.ok() && Verdict(&run);
  run.set_ok(passed);
  run.set_duration_s(absl::ToDoubleSeconds(absl::Now() - say.start()));
  run.mutable_host()->set_load_end(LoadAverage());
  std::cout << absl::StrFormat(
      "\ndrill %s in %.0f s on %s (%d cores), load %.2f → %.2f\n",
      passed ? "PASSED" : "FAILED", run.duration_s(), run.host().hostname(),
      run.host().cores(), run.host().load_start(), run.host().load_end());
  for (const std::string& note : run.notes())
    std::cout << "note: " << note << "\n";
  const std::string json = absl::GetFlag(FLAGS_json);
  if (!json.empty()) {
    absl::Status written = WriteJson(run, json);
    if (!written.ok()) {
      std::cerr << "kuaibao-drill: " << written << "\n";
      return 1;
    }
    std::cout << "wrote " << json << "\n";
  }
  return passed ? 0 : 1;
}

}  // namespace
}  // namespace kuaibao::drill

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "kuaibao-drill [--counties=N] [--hour_seconds=S] [--json=FILE] ...\n"
      "The whole-province drill; see deploy/drill/README.md. "
      "deploy/drill/run-drill.sh builds and runs it.");
  absl::ParseCommandLine(argc, argv);
  const std::string check = absl::GetFlag(FLAGS_check_json);
  if (!check.empty()) return kuaibao::drill::CheckJson(check);
  return kuaibao::drill::Main();
}
