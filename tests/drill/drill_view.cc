#include "tests/drill/drill_view.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/text_table.h"
#include "google/protobuf/util/json_util.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/deadlines.h"
#include "relay/proto_time.h"
#include "tests/bench/samples.h"

namespace kuaibao::drill {
namespace {

std::string Quote(const std::string& s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "'\\''"}}), "'");
}

std::string NameOf(const RegionTable& regions, const std::string& code) {
  const Region* r = regions.Find(code);
  if (r != nullptr) return r->name;
  // A reporting unit (R1) is a client identity: name its region.
  for (absl::string_view part : absl::StrSplit(code, '/')) {
    if (const Region* in = regions.Find(std::string(part))) {
      return absl::StrCat(in->name, " (reporting unit)");
    }
  }
  return "";
}

}  // namespace

std::string TimeOfDay(absl::Time t) {
  return absl::FormatTime("%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

int Cli::Run(const std::string& address, const std::string& cert_name,
             const std::vector<std::string>& args, std::string* output) const {
  std::string command = absl::StrCat(
      Quote(binary_), " --node=", address,
      " --ca=", Quote(pki_dir_ + "/ca.pem"),
      " --cert=", Quote(absl::StrCat(pki_dir_, "/", cert_name, ".pem")),
      " --key=", Quote(absl::StrCat(pki_dir_, "/", cert_name, ".key")));
  for (const std::string& arg : args)
    absl::StrAppend(&command, " ", Quote(arg));
  absl::StrAppend(&command, " 2>&1");
  output->clear();
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *output = "could not run " + binary_;
    return 127;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    output->append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int Cli::Show(const std::string& address, const std::string& cert_name,
              const std::vector<std::string>& args) const {
  std::string output;
  int code = Run(address, cert_name, args, &output);
  std::cout << "\n$ kuaibao " << absl::StrJoin(args, " ") << "   # at "
            << address << " as " << cert_name << "\n"
            << output;
  if (code != 0) std::cout << "(exit code " << code << ")\n";
  std::cout.flush();
  return code;
}

ProvinceTally Tally(const std::vector<bench::Submission>& sent,
                    const std::vector<StoredReport>& at_province,
                    const RegionTable& regions) {
  ProvinceTally tally;
  Counts& c = tally.counts;
  absl::flat_hash_map<std::string, const bench::Submission*> acked;
  for (const bench::Submission& s : sent) {
    c.set_sent(c.sent() + 1);
    if (s.receipt) {
      c.set_acknowledged(c.acknowledged() + 1);
      acked[s.report_id] = &s;
    } else if (!s.refusal.empty()) {
      c.set_refused(c.refused() + 1);
    } else {
      c.set_unanswered(c.unanswered() + 1);
    }
  }
  absl::flat_hash_map<std::string, int> seen;
  std::map<std::string, bench::Samples> by_level;
  struct City {
    CityArrivals row;
    bench::Samples latency;
    absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
  };
  std::map<std::string, City> by_city;
  for (const StoredReport& r : at_province) {
    auto it = acked.find(r.report().report_id());
    if (it == acked.end()) continue;
    if (++seen[it->first] > 1) {
      c.set_duplicated(c.duplicated() + 1);
      continue;
    }
    if (r.other_paths_size() > 0) {
      c.set_second_arrivals(c.second_arrivals() + 1);
    }
    bool escalated = false;
    for (const HopRecord& hop : r.hops()) {
      for (const Forwarding& f : hop.forwarded()) {
        escalated = escalated || f.route() == ROUTE_ESCALATED;
      }
      const Region* node = regions.Find(hop.node());
      if (node != nullptr) {
        by_level[std::string(LevelName(node->level))].Add(
            FromProto(hop.stored_at()) - it->second->sent);
      }
    }
    if (escalated) c.set_escalated(c.escalated() + 1);
    const std::string region = r.report().location().region_code();
    City& city = by_city[region.substr(0, 4) + "00000000"];
    city.row.set_reports(city.row.reports() + 1);
    if (IsUrgent(r.report())) city.row.set_urgent(city.row.urgent() + 1);
    if (escalated) city.row.set_escalated(city.row.escalated() + 1);
    const absl::Time arrived = FromProto(r.hops().rbegin()->stored_at());
    city.first = std::min(city.first, arrived);
    city.last = std::max(city.last, arrived);
    city.latency.Add(arrived - it->second->sent);
  }
  for (auto& [code, city] : by_city) {
    city.row.set_city(code);
    city.row.set_name(NameOf(regions, code));
    city.row.set_first_at(TimeOfDay(city.first));
    city.row.set_last_at(TimeOfDay(city.last));
    city.row.set_p50_ms(city.latency.Percentile(0.5));
    city.row.set_max_ms(city.latency.Max());
    tally.arrivals.push_back(city.row);
  }
  c.set_at_province(seen.size());
  c.set_lost(c.acknowledged() - seen.size());
  for (const char* level : {"county", "city", "province"}) {
    const bench::Samples& s = by_level[level];
    Latency l;
    l.set_level(level);
    l.set_count(s.size());
    l.set_p50_ms(s.Percentile(0.5));
    l.set_p99_ms(s.Percentile(0.99));
    l.set_max_ms(s.Max());
    tally.latency.push_back(l);
  }
  return tally;
}

absl::StatusOr<std::vector<Responsible>> ByResponsible(
    const std::string& due_json, const RegionTable& regions) {
  std::map<std::string, Responsible> rows;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  for (absl::string_view line : absl::StrSplit(due_json, '\n')) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    v1::ListDueResponse due;
    auto parsed = google::protobuf::util::JsonStringToMessage(std::string(line),
                                                              &due, options);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("kuaibao --json due: ", parsed.ToString()));
    }
    for (const DeadlineStatus& s : due.deadlines()) {
      if (s.drill()) continue;
      Responsible& row = rows[s.responsible()];
      row.set_node(s.responsible());
      row.set_name(NameOf(regions, s.responsible()));
      switch (s.state()) {
        case DEADLINE_STATE_OVERDUE:
          row.set_overdue(row.overdue() + 1);
          break;
        case DEADLINE_STATE_AT_RISK:
          row.set_at_risk(row.at_risk() + 1);
          break;
        case DEADLINE_STATE_MET_LATE:
          row.set_met_late(row.met_late() + 1);
          break;
        default:
          break;
      }
    }
  }
  std::vector<Responsible> out;
  for (auto& [node, row] : rows) {
    if (row.overdue() + row.at_risk() + row.met_late() > 0) out.push_back(row);
  }
  std::sort(out.begin(), out.end(),
            [](const Responsible& a, const Responsible& b) {
              return a.overdue() + a.met_late() > b.overdue() + b.met_late();
            });
  return out;
}

std::string ArrivalsTable(const std::vector<CityArrivals>& rows) {
  TextTable table({"from", "name", "reports", "grade I/II", "escalated",
                   "first", "last", "p50", "max"});
  for (const CityArrivals& r : rows) {
    table.AddRow({r.city(), r.name(), absl::StrCat(r.reports()),
                  absl::StrCat(r.urgent()), absl::StrCat(r.escalated()),
                  r.first_at(), r.last_at(),
                  absl::StrFormat("%.0f ms", r.p50_ms()),
                  absl::StrFormat("%.0f ms", r.max_ms())});
  }
  return table.Render();
}

}  // namespace kuaibao::drill
