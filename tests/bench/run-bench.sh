#!/usr/bin/env bash
# The benchmark command: installs what is missing (Debian 12), builds
# kuaibao-node and the benchmark, and runs the standard set against real
# node processes over mTLS on 127.0.0.1. Prints a table; writes the JSON.
#
#   tests/bench/run-bench.sh [KUAIBAO_BENCH_FLAGS...]
#
#   tests/bench/run-bench.sh                      # the standard set (~5 min)
#   tests/bench/run-bench.sh --scenarios=backlog --backlog=1000000
#                                                 # the 1,000,000-report case
#
# Environment: BUILD_DIR (default <repo>/build), JOBS (default: all cores),
# OUT (default <repo>/bench-results.json), SKIP_DEPS=1 (do not check
# packages). Flags pass through to kuaibao-bench (--help lists them).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$repo/build}
jobs=${JOBS:-$(nproc)}
out=${OUT:-$repo/bench-results.json}

[[ ${SKIP_DEPS:-} == 1 ]] || "$repo/deploy/install-deps.sh"

echo "==> configuring ($build)"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
echo "==> building"
cmake --build "$build" -j "$jobs" --target kuaibao-node kuaibao-bench kuaibao-bench-echo
echo "==> benchmarking (takes a few minutes; progress on stderr)"
# The fan-in holds ~1,500 connections in one process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$build/tests/bench/kuaibao-bench" --out="$out" "$@"
