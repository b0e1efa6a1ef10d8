#include "node/address_plan.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kuaibao {

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    absl::string_view address) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 1 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address '", address, "' must be host:port with a port of 1-65535"));
  }
  std::string host(address.substr(0, colon));
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, port);
}

absl::StatusOr<AddressPlan> AddressPlan::Parse(absl::string_view text) {
  AddressPlan plan;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("address plan line ", line_no, ": ", why));
    };
    std::vector<absl::string_view> cols =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (cols.size() != 2) return fail("expected KEY ADDRESS");
    std::string key(cols[0]);
    bool is_level = key == "province" || key == "city" || key == "county" ||
                    key == "township";
    if (key != "*" && !is_level) {
      absl::StatusOr<Level> level = LevelOf(key);
      if (!level.ok()) {
        return fail(absl::StrCat("key '", key,
                                 "' is neither a 12-digit region code, a "
                                 "level (province, city, county, township) "
                                 "nor *"));
      }
    }
    absl::Status port = SplitHostPort(cols[1]).status();
    if (!port.ok()) return fail(port.message());
    if (!plan.by_key_.emplace(key, std::string(cols[1])).second) {
      return fail(absl::StrCat("key '", key, "' given twice"));
    }
  }
  if (!plan.by_key_.contains("*")) plan.by_key_["*"] = kDefaultPattern;
  return plan;
}

AddressPlan AddressPlan::Default() {
  AddressPlan plan;
  plan.by_key_["*"] = kDefaultPattern;
  return plan;
}

std::string AddressPlan::AddressOf(const Region& region) const {
  auto it = by_key_.find(region.code);
  if (it == by_key_.end()) it = by_key_.find(LevelName(region.level));
  if (it == by_key_.end()) it = by_key_.find("*");
  return absl::StrReplaceAll(
      it->second, {{"{code}", region.code},
                   {"{prefix}", std::string(SignificantPrefix(region.code))}});
}

}  // namespace kuaibao
