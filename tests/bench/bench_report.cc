#include "tests/bench/bench_report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "relay/base/files.h"

namespace kuaibao::bench {
namespace {

constexpr char kSchema[] = "kuaibao-bench/1";

double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : 0;
}

bool Meets(double x, const std::string& op, double target) {
  if (op == "<=") return x <= target;
  if (op == ">=") return x >= target;
  if (op == "<") return x < target;
  if (op == ">") return x > target;
  return false;
}

// Three significant digits, without an exponent for everyday sizes.
std::string Num(double x) {
  if (x != 0 && (std::fabs(x) >= 1e7 || std::fabs(x) < 1e-3)) {
    return absl::StrFormat("%.3g", x);
  }
  if (std::fabs(x) >= 100) return absl::StrFormat("%.0f", x);
  if (std::fabs(x) >= 10) return absl::StrFormat("%.1f", x);
  return absl::StrFormat("%.3g", x);
}

}  // namespace

FigureSpec MakeFigure(const std::string& id, const std::string& scenario,
                      const std::string& description, const std::string& unit,
                      double value, const std::string& baseline_id) {
  FigureSpec f;
  f.id = id;
  f.scenario = scenario;
  f.description = description;
  f.unit = unit;
  f.value = value;
  f.baseline_id = baseline_id;
  return f;
}

BenchReport::BenchReport() : started_(absl::Now()) {
  run_.set_schema(kSchema);
  run_.set_started_at(
      absl::FormatTime(absl::RFC3339_sec, started_, absl::UTCTimeZone()));
  Host* host = run_.mutable_host();
  char name[256] = {0};
  gethostname(name, sizeof(name) - 1);
  host->set_hostname(name);
  host->set_cores(std::thread::hardware_concurrency());
  utsname uts;
  if (uname(&uts) == 0) host->set_kernel(uts.release);
  host->set_load_start(LoadAverage());
}

void BenchReport::SetSetting(const std::string& name,
                             const std::string& value) {
  (*run_.mutable_settings())[name] = value;
}

void BenchReport::AddBaseline(const std::string& id, const std::string& unit,
                              double value, const std::string& description) {
  Measurement* m = run_.add_baselines();
  m->set_id(id);
  m->set_unit(unit);
  m->set_value(value);
  m->set_description(description);
}

double BenchReport::Baseline(const std::string& id) const {
  for (const Measurement& m : run_.baselines()) {
    if (m.id() == id) return m.value();
  }
  return 0;
}

void BenchReport::AddFigure(const FigureSpec& spec) {
  Figure* f = run_.add_figures();
  f->set_id(spec.id);
  f->set_scenario(spec.scenario);
  f->set_description(spec.description);
  f->set_unit(spec.unit);
  f->set_value(spec.value);
  f->set_baseline_id(spec.baseline_id);
  f->set_baseline_factor(spec.baseline_factor);
  f->set_baseline(spec.baseline_factor * Baseline(spec.baseline_id));
  // A baseline too small to measure (an idle process's CPU) gives no ratio.
  f->set_ratio(f->baseline() > 0 ? spec.value / f->baseline() : 0);
  f->set_better(spec.lower_is_better ? "lower" : "higher");
  if (!spec.target_of.empty()) {
    f->set_target(
        absl::StrCat(spec.target_of, " ", spec.target_op, " ", spec.target));
    double x = spec.target_of == "ratio" ? f->ratio() : f->value();
    f->set_target_met((spec.target_of != "ratio" || f->baseline() > 0) &&
                      Meets(x, spec.target_op, spec.target));
  }
}

void BenchReport::AddPercentileBaselines(const std::string& id,
                                         const Samples& samples,
                                         const std::string& description) {
  AddBaseline(id + ".p50", "ms", samples.Percentile(0.5), description);
  AddBaseline(id + ".p99", "ms", samples.Percentile(0.99), description);
  AddBaseline(id + ".max", "ms", samples.Max(), description);
}

void BenchReport::AddPercentileFigures(const std::string& id,
                                       const std::string& scenario,
                                       const std::string& description,
                                       const Samples& samples,
                                       const std::string& baseline,
                                       double p50_target) {
  for (auto [name, q] : {std::pair<const char*, double>{"p50", 0.5},
                         {"p99", 0.99},
                         {"max", 1.0}}) {
    FigureSpec f =
        MakeFigure(absl::StrCat(id, ".", name), scenario,
                   absl::StrCat(description, " ", name), "ms",
                   samples.Percentile(q), absl::StrCat(baseline, ".", name));
    if (p50_target > 0 && q == 0.5) {
      f.target_of = "ratio";
      f.target_op = "<=";
      f.target = p50_target;
    }
    AddFigure(f);
  }
}

void BenchReport::AddDetail(const std::string& id, const std::string& unit,
                            double value, const std::string& description) {
  Measurement* m = run_.add_details();
  m->set_id(id);
  m->set_unit(unit);
  m->set_value(value);
  m->set_description(description);
}

void BenchReport::Finish() {
  run_.set_duration_s(absl::ToDoubleSeconds(absl::Now() - started_));
  run_.mutable_host()->set_load_end(LoadAverage());
}

std::string BenchReport::Table() const {
  std::string out;
  const Host& host = run_.host();
  absl::StrAppendFormat(
      &out,
      "kuaibao-bench on %s (%d cores, Linux %s), load %.2f → %.2f, %.0f s\n",
      host.hostname(), host.cores(), host.kernel(), host.load_start(),
      host.load_end(), run_.duration_s());
  absl::StrAppend(&out, "\nBaselines (physical limits, this run)\n");
  for (const Measurement& m : run_.baselines()) {
    absl::StrAppendFormat(&out, "  %-28s %10s %-9s %s\n", m.id(),
                          Num(m.value()), m.unit(), m.description());
  }
  std::string scenario;
  for (const Figure& f : run_.figures()) {
    if (f.scenario() != scenario) {
      scenario = f.scenario();
      absl::StrAppendFormat(&out, "\n%-44s %10s %-9s %10s  %-22s %7s  %s\n",
                            scenario, "value", "unit", "baseline",
                            "(baseline id)", "ratio", "target");
    }
    std::string baseline_id = f.baseline_id();
    if (f.baseline_factor() != 1) {
      baseline_id = absl::StrCat(baseline_id, "×", Num(f.baseline_factor()));
    }
    std::string target;
    if (!f.target().empty()) {
      target = absl::StrCat(f.target(), f.target_met() ? "  met" : "  NOT met");
    }
    absl::StrAppendFormat(&out, "  %-42s %10s %-9s %10s  %-22s %6s×  %s\n",
                          f.description(), Num(f.value()), f.unit(),
                          Num(f.baseline()), baseline_id, Num(f.ratio()),
                          target);
  }
  if (run_.details_size() > 0) absl::StrAppend(&out, "\nDetails\n");
  for (const Measurement& m : run_.details()) {
    absl::StrAppendFormat(&out, "  %-34s %10s %-9s %s\n", m.id(),
                          Num(m.value()), m.unit(), m.description());
  }
  if (run_.notes_size() > 0) absl::StrAppend(&out, "\nNotes\n");
  for (const std::string& note : run_.notes()) {
    absl::StrAppend(&out, "  - ", note, "\n");
  }
  return out;
}

absl::Status BenchReport::WriteJson(const std::string& path) const {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(run_, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("to JSON: ", status.ToString()));
  }
  std::ofstream out(path, std::ios::trunc);
  out << json << "\n";
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status BenchReport::CheckJson(const std::string& path) {
  absl::StatusOr<std::string> json = ReadFileToString(path, "results");
  if (!json.ok()) return json.status();
  BenchRun run;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed =
      google::protobuf::util::JsonStringToMessage(*json, &run, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " does not parse: ", parsed.ToString()));
  }
  if (run.schema() != kSchema) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": schema is '", run.schema(), "', not ", kSchema));
  }
  if (run.figures().empty() || run.baselines().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no figures or no baselines"));
  }
  for (const Figure& f : run.figures()) {
    bool has_baseline = false;
    for (const Measurement& m : run.baselines()) {
      has_baseline |= m.id() == f.baseline_id();
    }
    if (!has_baseline || !std::isfinite(f.value()) ||
        !std::isfinite(f.baseline()) ||
        (f.baseline() > 0 && std::fabs(f.ratio() - f.value() / f.baseline()) >
                                 1e-9 * std::max(1.0, std::fabs(f.ratio())))) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": figure ", f.id(), " lacks its baseline ", f.baseline_id(),
          " or its ratio is not value / baseline"));
    }
  }
  return absl::OkStatus();
}

}  // namespace kuaibao::bench
