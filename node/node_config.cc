#include "node/node_config.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "relay/base/files.h"
#include "relay/base/status_macros.h"
#include "relay/region.h"

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

}  // namespace

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
  if (config.gap_overdue_after_s() == 0) config.set_gap_overdue_after_s(7200);
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
  Resolve(base, config->mutable_port_file());
  Resolve(base, config->mutable_tls()->mutable_cert_file());
  Resolve(base, config->mutable_tls()->mutable_key_file());
  Resolve(base, config->mutable_tls()->mutable_ca_file());
  return config;
}

}  // namespace kuaibao
