#include "node/node_config.h"

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "node/department_config.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"
#include "relay/region.h"
#include "relay/report_types.h"

namespace kuaibao {
namespace {

// Collects the parser's complaints instead of letting protobuf print them.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    errors_.push_back(
        absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message));
  }
  void AddWarning(int, int, const std::string&) override {}
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("config ", field, ": ", why));
}

absl::Status CheckRegion(absl::string_view field, const std::string& code) {
  if (code.empty()) return Invalid(field, "is required");
  absl::StatusOr<Level> level = LevelOf(code);
  if (!level.ok()) return Invalid(field, level.status().message());
  if (*level == Level::kVillage) {
    return Invalid(field, "a node serves a province, city, county or township");
  }
  return absl::OkStatus();
}

void Resolve(const std::filesystem::path& base, std::string* path) {
  if (path->empty() || std::filesystem::path(*path).is_absolute()) return;
  *path = (base / *path).lexically_normal().string();
}

absl::Status CheckClassification(absl::string_view field,
                                 Classification* level) {
  if (*level == CLASSIFICATION_UNSPECIFIED) *level = CLASSIFICATION_INTERNAL;
  if (!Classification_IsValid(*level)) {
    return Invalid(field, "is not a known classification");
  }
  return absl::OkStatus();
}

absl::Status FillRateLimit(absl::string_view field, v1::RateLimit* limit,
                           double per_second, uint32_t burst) {
  if (limit->reports_per_second() < 0) {
    return Invalid(field, "reports_per_second must not be negative");
  }
  if (limit->reports_per_second() == 0) {
    limit->set_reports_per_second(per_second);
  }
  if (limit->burst() == 0) limit->set_burst(burst);
  return absl::OkStatus();
}

// The defaults and checks of the security settings (TLS, classification,
// limits).
absl::Status FillSecurityDefaults(NodeConfig* config) {
  v1::TlsFiles* tls = config->mutable_tls();
  if (tls->require_crl() && tls->crl_dir().empty()) {
    return Invalid("tls.crl_dir",
                   "is required: require_crl is set (revocation checks must "
                   "be on)");
  }
  if (tls->refresh_interval_s() == 0) tls->set_refresh_interval_s(60);
  if (tls->crl_warn_hours() == 0) tls->set_crl_warn_hours(7 * 24);
  Classification level = config->max_classification();
  RETURN_IF_ERROR(CheckClassification("max_classification", &level));
  config->set_max_classification(level);
  if (config->has_parent()) {
    level = config->parent().max_classification();
    RETURN_IF_ERROR(CheckClassification("parent.max_classification", &level));
    config->mutable_parent()->set_max_classification(level);
  }
  for (int i = 0; i < config->ancestors_size(); ++i) {
    v1::Upstream* ancestor = config->mutable_ancestors(i);
    level = ancestor->max_classification();
    RETURN_IF_ERROR(CheckClassification(
        absl::StrCat("ancestors[", i, "].max_classification"), &level));
    ancestor->set_max_classification(level);
  }
  RETURN_IF_ERROR(FillRateLimit(
      "client_rate_limit", config->mutable_client_rate_limit(), 100, 2000));
  RETURN_IF_ERROR(FillRateLimit(
      "node_rate_limit", config->mutable_node_rate_limit(), 1000, 10000));
  if (config->max_message_bytes() == 0) config->set_max_message_bytes(1 << 20);
  if (config->max_message_bytes() < 64 * 1024) {
    return Invalid("max_message_bytes",
                   "must be at least 65536 (a report's text alone may need "
                   "that)");
  }
  return absl::OkStatus();
}

// Checks the deadline fields and reports the first bad one.
absl::Status CheckDeadlines(const v1::DeadlinesConfig& d) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"unit_to_local", &d.unit_to_local()},
      {"per_hop", &d.per_hop()},
      {"end_to_end", &d.end_to_end()},
      {"direct_to_province", &d.direct_to_province()},
      {"province_to_national", &d.province_to_national()},
      {"brief_to_detailed", &d.brief_to_detailed()},
      {"follow_up_interval", &d.follow_up_interval()},
      {"instruction_relay", &d.instruction_relay()},
      {"feedback", &d.feedback()},
  };
  for (const auto& [name, text] : fields) {
    if (text->empty()) continue;
    absl::Duration parsed;
    if (!absl::ParseDuration(*text, &parsed) ||
        parsed <= absl::ZeroDuration()) {
      return Invalid(absl::StrCat("deadlines.", name),
                     absl::StrCat("'", *text,
                                  "' is not a positive duration like 2h, 40m"));
    }
  }
  if (d.at_risk_fraction() < 0 || d.at_risk_fraction() >= 1) {
    return Invalid("deadlines.at_risk_fraction", "must be in [0, 1)");
  }
  if (d.time_scale() < 0) {
    return Invalid("deadlines.time_scale", "must be positive");
  }
  return absl::OkStatus();
}

// metrics_address: "host:port", or a port alone (":9464", "9464") for
// loopback only: the listener has no TLS, so exposing it takes a host.
absl::Status NormalizeMetricsAddress(NodeConfig* config) {
  std::string address = config->metrics_address();
  if (address.empty()) return absl::OkStatus();
  const size_t colon = address.rfind(':');
  std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
  std::string port =
      colon == std::string::npos ? address : address.substr(colon + 1);
  int number = -1;
  if (!absl::SimpleAtoi(port, &number) || number < 0 || number > 65535) {
    return Invalid("metrics_address",
                   absl::StrCat("'", address,
                                "' is not host:port, :port or a port "
                                "number (0-65535)"));
  }
  if (host.empty()) host = "127.0.0.1";
  config->set_metrics_address(absl::StrCat(host, ":", number));
  return absl::OkStatus();
}

}  // namespace

DeadlinePolicy DeadlinesOf(const NodeConfig& config) {
  DeadlinePolicy policy;
  const v1::DeadlinesConfig& d = config.deadlines();
  const std::pair<const std::string*, absl::Duration*> fields[] = {
      {&d.unit_to_local(), &policy.unit_to_local},
      {&d.per_hop(), &policy.per_hop},
      {&d.end_to_end(), &policy.end_to_end},
      {&d.direct_to_province(), &policy.direct_to_province},
      {&d.province_to_national(), &policy.province_to_national},
      {&d.brief_to_detailed(), &policy.brief_to_detailed},
      {&d.follow_up_interval(), &policy.follow_up_interval},
      {&d.instruction_relay(), &policy.instruction_relay},
      {&d.feedback(), &policy.feedback},
  };
  for (const auto& [text, value] : fields) {
    if (!text->empty()) absl::ParseDuration(*text, value);
  }
  if (d.at_risk_fraction() > 0) policy.at_risk_fraction = d.at_risk_fraction();
  return d.time_scale() > 0 ? policy.Scaled(d.time_scale()) : policy;
}

absl::StatusOr<NodeConfig> ParseNodeConfig(const std::string& text) {
  NodeConfig config;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config does not parse: ", errors.Joined()));
  }
  RETURN_IF_ERROR(CheckRegion("region", config.region()));
  if (config.listen_address().empty()) {
    return Invalid("listen_address", "is required (host:port)");
  }
  if (config.data_dir().empty()) return Invalid("data_dir", "is required");
  if (config.regions_file().empty()) {
    return Invalid("regions_file", "is required (the region table CSV)");
  }
  if (config.tls().cert_file().empty() || config.tls().key_file().empty() ||
      config.tls().ca_file().empty()) {
    return Invalid("tls", "cert_file, key_file and ca_file are all required");
  }
  if (config.has_parent()) {
    RETURN_IF_ERROR(CheckRegion("parent.region", config.parent().region()));
    if (config.parent().region() == config.region() ||
        !RegionContains(config.parent().region(), config.region())) {
      return Invalid("parent.region",
                     absl::StrCat(config.parent().region(),
                                  " does not lie above ", config.region()));
    }
    if (config.parent().address().empty()) {
      return Invalid("parent.address", "is required (host:port)");
    }
  }
  std::string below = config.has_parent() ? config.parent().region() : "";
  for (int i = 0; i < config.ancestors_size(); ++i) {
    const v1::Upstream& a = config.ancestors(i);
    std::string field = absl::StrCat("ancestors[", i, "]");
    RETURN_IF_ERROR(CheckRegion(absl::StrCat(field, ".region"), a.region()));
    if (below.empty()) return Invalid(field, "needs a parent below it");
    if (a.region() == below || !RegionContains(a.region(), below)) {
      return Invalid(absl::StrCat(field, ".region"),
                     absl::StrCat(a.region(), " does not lie above ", below,
                                  " (list the levels above the parent, "
                                  "nearest first)"));
    }
    if (a.address().empty()) {
      return Invalid(absl::StrCat(field, ".address"),
                     "is required (host:port)");
    }
    below = a.region();
  }
  if (config.standby() && config.peer_address().empty()) {
    return Invalid("peer_address",
                   "is required for a standby (its primary's host:port)");
  }
  if (config.has_parent() && !config.parent().standby_address().empty() &&
      config.parent().standby_address() == config.parent().address()) {
    return Invalid("parent.standby_address",
                   "must differ from parent.address (the standby runs on its "
                   "own machine)");
  }
  RETURN_IF_ERROR(CheckDepartmentConfig(&config));
  RETURN_IF_ERROR(CheckDeadlines(config.deadlines()));
  RETURN_IF_ERROR(FillSecurityDefaults(&config));
  if (config.max_in_flight() == 0) config.set_max_in_flight(64);
  if (config.min_backoff_ms() == 0) config.set_min_backoff_ms(200);
  if (config.max_backoff_ms() == 0) config.set_max_backoff_ms(5000);
  if (config.max_backoff_ms() < config.min_backoff_ms()) {
    return Invalid("max_backoff_ms", "must not be below min_backoff_ms");
  }
  if (config.min_free_disk_bytes() == 0) {
    config.set_min_free_disk_bytes(uint64_t{256} << 20);
  }
  if (config.stall_after_ms() == 0) config.set_stall_after_ms(60000);
  if (config.stalled_stream_ms() == 0) config.set_stalled_stream_ms(120000);
  if (config.max_cancelled_calls() == 0) config.set_max_cancelled_calls(200);
  if (config.abuse_cooldown_ms() == 0) config.set_abuse_cooldown_ms(300000);
  if (config.max_started_calls() == 0) config.set_max_started_calls(2000);
  if (config.gap_overdue_after_s() == 0) config.set_gap_overdue_after_s(7200);
  if (config.max_clock_skew_ms() == 0) config.set_max_clock_skew_ms(30000);
  RETURN_IF_ERROR(NormalizeMetricsAddress(&config));
  return config;
}

absl::StatusOr<NodeConfig> LoadNodeConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, "config"));
  absl::StatusOr<NodeConfig> config = ParseNodeConfig(text);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  Resolve(base, config->mutable_data_dir());
  Resolve(base, config->mutable_regions_file());
  Resolve(base, config->mutable_departments_file());
  Resolve(base, config->mutable_port_file());
  Resolve(base, config->mutable_metrics_port_file());
  Resolve(base, config->mutable_tls()->mutable_cert_file());
  Resolve(base, config->mutable_tls()->mutable_key_file());
  Resolve(base, config->mutable_tls()->mutable_ca_file());
  Resolve(base, config->mutable_tls()->mutable_crl_dir());
  return config;
}

TlsPaths NodeTlsPaths(const NodeConfig& config) {
  TlsPaths paths;
  paths.cert_file = config.tls().cert_file();
  paths.key_file = config.tls().key_file();
  paths.ca_file = config.tls().ca_file();
  paths.crl_dir = config.tls().crl_dir();
  paths.refresh_interval = absl::Seconds(config.tls().refresh_interval_s());
  return paths;
}

}  // namespace kuaibao
