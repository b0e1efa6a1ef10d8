#include "node/department_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "relay/base/status_macros.h"
#include "relay/node_id.h"

namespace kuaibao {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("config ", field, ": ", why));
}

absl::Status CheckCode(absl::string_view field, const std::string& code) {
  if (ValidDepartmentCode(code)) return absl::OkStatus();
  return Invalid(field, absl::StrCat("'", code,
                                     "' is not a department code (1-16 "
                                     "lowercase letters and digits)"));
}

}  // namespace

std::string UpstreamNodeId(const v1::Upstream& upstream) {
  return MakeNodeId(upstream.region(), upstream.department());
}

absl::Status CheckDepartmentConfig(v1::NodeConfig* config) {
  const bool department = !config->department().empty();
  if (department)
    RETURN_IF_ERROR(CheckCode("department", config->department()));
  if (config->has_parent() &&
      config->parent().department() != config->department()) {
    return Invalid(
        "parent.department",
        department ? absl::StrCat("must be ", config->department(),
                                  ": a department reports up its own line")
                   : "must be empty: a government's parent is a government");
  }
  if (department && config->ancestors_size() > 0) {
    return Invalid("ancestors",
                   "a department's node has none: its urgent reports reach "
                   "the province through its government (across)");
  }
  if (department && config->across_size() != 1) {
    return Invalid("across",
                   "a department's node names exactly one: its region's "
                   "government");
  }
  for (int i = 0; i < config->across_size(); ++i) {
    v1::Upstream* a = config->mutable_across(i);
    const std::string field = absl::StrCat("across[", i, "]");
    if (a->region() != config->region()) {
      return Invalid(
          absl::StrCat(field, ".region"),
          absl::StrCat("must be this node's region ", config->region(),
                       " (across is within one region)"));
    }
    if (department != a->department().empty()) {
      return Invalid(absl::StrCat(field, ".department"),
                     department ? "must be empty: a department's across link "
                                  "is its government"
                                : "is required: a government's across links "
                                  "are its departments");
    }
    if (!department) {
      RETURN_IF_ERROR(
          CheckCode(absl::StrCat(field, ".department"), a->department()));
    }
    if (a->address().empty()) {
      return Invalid(absl::StrCat(field, ".address"),
                     "is required (host:port)");
    }
    if (a->max_classification() == CLASSIFICATION_UNSPECIFIED) {
      a->set_max_classification(CLASSIFICATION_INTERNAL);
    }
  }
  if (department && config->department_routes_size() > 0) {
    return Invalid("department_routes",
                   "only a government routes reports to departments");
  }
  for (int i = 0; i < config->department_routes_size(); ++i) {
    const v1::DepartmentRoute& rule = config->department_routes(i);
    const std::string field = absl::StrCat("department_routes[", i, "]");
    if (rule.departments().empty()) {
      return Invalid(absl::StrCat(field, ".departments"), "is required");
    }
    for (const std::string& code : rule.departments()) {
      RETURN_IF_ERROR(CheckCode(absl::StrCat(field, ".departments"), code));
      bool linked = std::any_of(
          config->across().begin(), config->across().end(),
          [&](const v1::Upstream& a) { return a.department() == code; });
      if (!linked) {
        return Invalid(
            absl::StrCat(field, ".departments"),
            absl::StrCat("department ", code, " has no node in `across`"));
      }
    }
  }
  const bool used =
      department || config->across_size() > 0 ||
      (config->has_parent() && !config->parent().department().empty());
  if (used && config->departments_file().empty()) {
    return Invalid("departments_file",
                   "is required with departments (the department table CSV, "
                   "e.g. deploy/regions/shanxi-departments.csv)");
  }
  return absl::OkStatus();
}

absl::Status ApplyDepartmentConfig(const v1::NodeConfig& config,
                                   const RegionTable& regions,
                                   const DepartmentTable& departments,
                                   RelayOptions* options) {
  auto office = [&](absl::string_view field, const std::string& code,
                    const std::string& region) -> absl::Status {
    const Region* r = regions.Find(region);
    if (r == nullptr) return absl::OkStatus();  // the region check says so
    absl::Status s = departments.CheckOffice(code, r->level);
    if (s.ok()) return s;
    return absl::FailedPreconditionError(
        absl::StrCat("config ", field, ": ", s.message()));
  };
  if (!config.department().empty()) {
    RETURN_IF_ERROR(office("department", config.department(), config.region()));
  }
  options->node = MakeNodeId(config.region(), config.department());
  for (int i = 0; i < config.across_size(); ++i) {
    const v1::Upstream& a = config.across(i);
    if (!a.department().empty()) {
      RETURN_IF_ERROR(office(absl::StrCat("across[", i, "].department"),
                             a.department(), a.region()));
    }
    options->across.push_back(UpstreamNodeId(a));
    options->link_clearance[UpstreamNodeId(a)] = a.max_classification();
  }
  for (const v1::DepartmentRoute& rule : config.department_routes()) {
    RoutingRule route;
    for (int c : rule.categories()) {
      route.categories.push_back(static_cast<Category>(c));
    }
    route.sectors.assign(rule.sectors().begin(), rule.sectors().end());
    route.departments.assign(rule.departments().begin(),
                             rule.departments().end());
    options->department_routes.push_back(std::move(route));
  }
  // Codes in reports are checked against the table when there is one.
  if (!config.departments_file().empty()) options->departments = &departments;
  return absl::OkStatus();
}

}  // namespace kuaibao
