#!/usr/bin/env bash
# The whole-province drill on one machine: the province, its 11 cities and
# 117 counties (deploy/regions/shanxi-2022.csv) as real kuaibao-node
# processes over mTLS, the 1,341 townships as load generator streams, a
# scripted flood with a city down, a hung county, an instruction down and
# feedback up, then the provincial view. About 10 minutes on 2 cores.
#
#   deploy/drill/run-drill.sh [KUAIBAO_DRILL_FLAGS...]
#
#   deploy/drill/run-drill.sh                       # the whole province
#   deploy/drill/run-drill.sh --counties=20         # a quicker run (≈2 cities)
#   deploy/drill/run-drill.sh --exercise            # reports marked EXERCISE
#
# Environment:
#   KEEP=1          keep the work directory (PKI, configs, node data, logs)
#   WORK_DIR=DIR    work there (kept; default: a new temporary directory)
#   OUT=FILE        the results as JSON (default <repo>/drill-results.json)
#   BUILD_DIR=DIR   build here instead of <repo>/build
#   JOBS=N          build jobs (default: all cores)
#   SKIP_DEPS=1     do not check or install Debian packages
#   SKIP_BUILD=1    use the binaries already in BUILD_DIR
# Flags pass through to kuaibao-drill (--help lists them). Every process the
# drill starts is stopped on exit, on failure and on Ctrl-C.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$repo/build}
jobs=${JOBS:-$(nproc)}
out=${OUT:-$repo/drill-results.json}
drill_pid=""
work=""

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  set +e
  # The drill runs in a process group of its own with every node it
  # started: stop the group (nodes shut down cleanly on SIGTERM), then make
  # sure of it.
  if [[ -n $drill_pid ]] && kill -0 -- "-$drill_pid" 2>/dev/null; then
    echo "==> stopping the drill and its nodes (process group $drill_pid)" >&2
    kill -TERM -- "-$drill_pid" 2>/dev/null
    kill -CONT -- "-$drill_pid" 2>/dev/null  # a hung (stopped) county too
    for ((i = 0; i < 100; i++)); do
      kill -0 -- "-$drill_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$drill_pid" 2>/dev/null
    wait "$drill_pid" 2>/dev/null
  fi
  if [[ -n $work && -d $work ]]; then
    if [[ ${KEEP:-0} == 1 || -n ${WORK_DIR:-} ]]; then
      echo "==> kept $work (pki/, nodes/<region>/{node.textproto,node.log,data})"
    else
      rm -rf -- "$work"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ ${SKIP_DEPS:-} == 1 ]] || "$repo/deploy/install-deps.sh"

if [[ ${SKIP_BUILD:-} != 1 ]]; then
  echo "==> configuring ($build)"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  echo "==> building kuaibao-node, kuaibao, kuaibao-drill"
  cmake --build "$build" -j "$jobs" --target kuaibao-node kuaibao kuaibao-drill
fi

work=${WORK_DIR:-$(mktemp -d -t kuaibao-drill.XXXXXX)}
mkdir -p "$work"
# 129 nodes and ~1,500 connections in the driver.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "==> the drill (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
started=$SECONDS
# The drill and its nodes in a session (and process group) of their own:
# setsid execs the drill, so its pid is the group's id.
setsid "$build/tests/drill/kuaibao-drill" --work_dir="$work" --json="$out" "$@" &
drill_pid=$!
rc=0
wait "$drill_pid" || rc=$?
drill_pid=""
echo "==> wall time $((SECONDS - started)) s; results in $out"
exit "$rc"
