#include "relay/department_routing.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "relay/departments.h"
#include "relay/identity.h"
#include "relay/node_id.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

constexpr int kMaxDepartments = 8;
constexpr size_t kMaxSectorBytes = 32;

template <typename T>
bool ListedOrEmpty(const std::vector<T>& list, const T& value) {
  return list.empty() ||
         std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

std::vector<AcrossTarget> AcrossTargets(const std::string& here,
                                        bool has_parent,
                                        const std::vector<std::string>& across,
                                        const std::vector<RoutingRule>& routes,
                                        const StoredReport& stored) {
  std::vector<AcrossTarget> out;
  if (stored.hops().empty()) return out;
  const HopRecord& own = stored.hops(stored.hops_size() - 1);
  const bool from_client = stored.hops_size() == 1;
  // Never back to the node it came from.
  auto sender_is = [&](const std::string& node) {
    return own.received_from() == IdentityUri(Role::kNode, node);
  };
  if (!NodeDepartment(here).empty()) {
    if (!from_client && has_parent) return out;
    for (const std::string& government : across) {
      if (sender_is(government)) continue;
      out.push_back(
          {government,
           from_client
               ? "a department reports to its government at the same time as "
                 "up its own line"
               : "the top of the department line: to the government",
           true});
    }
    return out;
  }
  if (!from_client) return out;
  const IncidentReport& report = stored.report();
  std::vector<std::string> wanted;
  std::vector<std::string> why;
  auto want = [&](const std::string& code, const std::string& reason) {
    if (std::find(wanted.begin(), wanted.end(), code) != wanted.end()) return;
    wanted.push_back(code);
    why.push_back(reason);
  };
  for (const std::string& code : report.departments()) {
    want(code, "the unit reports to this department at the same time");
  }
  for (const RoutingRule& rule : routes) {
    if (!ListedOrEmpty(rule.categories, report.category()) ||
        !ListedOrEmpty(rule.sectors, report.sector())) {
      continue;
    }
    for (const std::string& code : rule.departments) {
      want(code,
           absl::StrCat("routing rule: ", Category_Name(report.category()),
                        report.sector().empty() ? "" : " / ", report.sector(),
                        " goes to this department"));
    }
  }
  for (size_t i = 0; i < wanted.size(); ++i) {
    std::string node = MakeNodeId(here, wanted[i]);
    if (std::find(across.begin(), across.end(), node) == across.end()) {
      out.push_back({node,
                     absl::StrCat("no node of department ", wanted[i],
                                  " is configured here (across)"),
                     false});
      continue;
    }
    out.push_back({node, why[i], true});
  }
  return out;
}

bool FirstGovernmentOnPath(const StoredReport& stored) {
  for (int i = 0; i + 1 < stored.hops_size(); ++i) {
    if (NodeDepartment(stored.hops(i).node()).empty()) return false;
  }
  return !stored.hops().empty() &&
         NodeDepartment(stored.hops(stored.hops_size() - 1).node()).empty();
}

absl::Status CheckReportDepartments(const IncidentReport& report,
                                    const DepartmentTable* table) {
  if (report.departments_size() > kMaxDepartments) {
    return FieldError(
        absl::StatusCode::kInvalidArgument, "departments",
        absl::StrCat("at most ", kMaxDepartments, " departments"));
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < report.departments_size(); ++i) {
    const std::string& code = report.departments(i);
    const std::string field = absl::StrCat("departments[", i, "]");
    if (!ValidDepartmentCode(code)) {
      return FieldError(absl::StatusCode::kInvalidArgument, field,
                        absl::StrCat("'", code,
                                     "' is not a department code (1-16 "
                                     "lowercase letters and digits)"));
    }
    if (table != nullptr && table->Find(code) == nullptr) {
      return FieldError(absl::StatusCode::kInvalidArgument, field,
                        absl::StrCat("department '", code,
                                     "' is not in the department table"));
    }
    if (!seen.insert(code).second) {
      return FieldError(absl::StatusCode::kInvalidArgument, field,
                        absl::StrCat("department '", code, "' named twice"));
    }
  }
  if (report.sector().size() > kMaxSectorBytes) {
    return FieldError(absl::StatusCode::kInvalidArgument, "sector",
                      absl::StrCat("at most ", kMaxSectorBytes, " bytes"));
  }
  for (char c : report.sector()) {
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') {
      return FieldError(absl::StatusCode::kInvalidArgument, "sector",
                        "lowercase letters, digits and '-' only");
    }
  }
  return absl::OkStatus();
}

}  // namespace kuaibao
