#ifndef KUAIBAO_NODE_ADDRESS_PLAN_H_
#define KUAIBAO_NODE_ADDRESS_PLAN_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "relay/region.h"

namespace kuaibao {

// Where each node of the province is reached: a small text file that maps a
// region code, a level or every node (`*`) to a host:port pattern, one rule a
// line (`#` starts a comment):
//
//   *             {code}.kuaibao.internal:7400
//   province      kuaibao.shanxi.example:7400
//   140105000000  10.14.105.1:7400
//
// `{code}` is the node's 12-digit code, `{prefix}` its significant digits
// ("140105"). The most specific rule wins: code, then level, then `*`.
// Immutable after parsing; thread-safe.
class AddressPlan {
 public:
  // The plan used when none is given: one DNS name per node.
  static constexpr char kDefaultPattern[] = "{code}.kuaibao.internal:7400";

  // INVALID_ARGUMENT naming the line for a malformed rule, a key that is
  // neither a well-formed code, a level nor `*`, a pattern without a port, or
  // a key given twice.
  static absl::StatusOr<AddressPlan> Parse(absl::string_view text);
  // A plan of the default pattern alone.
  static AddressPlan Default();

  // The address of `region`: its pattern with the placeholders filled in.
  std::string AddressOf(const Region& region) const;

 private:
  absl::flat_hash_map<std::string, std::string> by_key_;
};

// The host and the port of "host:port" ("[v6]:port" too). INVALID_ARGUMENT
// when there is no port or it is not 1-65535.
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    absl::string_view address);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_ADDRESS_PLAN_H_
