#!/usr/bin/env bash
# Source rules the build cannot check by itself (run by ctest):
#  - relay/ never reads the clock or sleeps, except through relay/base/clock;
#  - gRPC headers stay out of relay/ except relay/transport/;
#  - LevelDB headers stay inside relay/store/;
#  - storage key prefixes are spelled only in relay/store/keys.{h,cc}, and
#    node/ and client/ use no storage key at all (they ask RelayEngine; the
#    backup asks ReportStore what an entry is), with no exception;
#  - every C++ file is clang-formatted (Google style, .clang-format);
#  - shell scripts are shellcheck-clean.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
fail=0
problem() {
  echo "source rule: $*"
  fail=1
}

hits=$(grep -rnE 'absl::Now\(\)|system_clock::now|steady_clock::now|sleep_for|usleep\(|SleepFor' \
  relay --include='*.cc' --include='*.h' | grep -v '^relay/base/clock.cc:')
[[ -z $hits ]] || problem "relay/ reads the clock or sleeps (inject a Clock):"$'\n'"$hits"

hits=$(grep -rn '#include <grpc' relay --include='*.cc' --include='*.h' | grep -v '^relay/transport/')
[[ -z $hits ]] || problem "gRPC headers outside relay/transport/:"$'\n'"$hits"

hits=$(grep -rn '#include "leveldb/' relay node client --include='*.cc' --include='*.h' |
  grep -v '^relay/store/')
[[ -z $hits ]] || problem "LevelDB headers outside relay/store/:"$'\n'"$hits"

# A string literal that starts with a key prefix ("r/", "in/", "m/seq", ...)
# in product code outside the key layout's file.
prefixes='r|f|x|e|d|b|o|h|i|g|c|m|in|fb|n|u|k|q|w|v|p|rv|s'
hits=$(grep -rnE "\"($prefixes)/" relay node client --include='*.cc' --include='*.h' |
  grep -v '#include' | grep -vE '^relay/store/keys\.(h|cc):')
[[ -z $hits ]] || problem "a storage key prefix spelled outside relay/store/keys.{h,cc} (use keys::):"$'\n'"$hits"

hits=$(grep -rnE 'relay/store/keys\.h|keys::' node client --include='*.cc' --include='*.h')
[[ -z $hits ]] || problem "node/ and client/ ask RelayEngine instead of naming storage keys:"$'\n'"$hits"

if command -v clang-format >/dev/null; then
  while IFS= read -r f; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || problem "not clang-formatted: $f"
  done < <(git ls-files '*.cc' '*.h' 2>/dev/null || find relay node client tests -name '*.cc' -o -name '*.h')
else
  problem "clang-format is not installed"
fi

if command -v shellcheck >/dev/null; then
  while IFS= read -r f; do
    shellcheck "$f" >/dev/null 2>&1 || problem "shellcheck complains about $f (run: shellcheck $f)"
  done < <(git ls-files '*.sh' .ci/run 2>/dev/null)
else
  problem "shellcheck is not installed"
fi

if ((fail)); then exit 1; fi
echo "source rules: ok"
