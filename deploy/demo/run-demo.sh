#!/usr/bin/env bash
# The Kuaibao demo: four nodes (坞城街道 → 小店区 → 太原市 → 山西省) on this
# machine, sample reports submitted at the township, and their timelines as
# the province sees them.
#
#   deploy/demo/run-demo.sh
#
# Steps: install missing Debian packages (deploy/install-deps.sh), build
# kuaibao-node and kuaibao, make certificates, start the four nodes top-down on
# free loopback ports, submit deploy/demo/reports.ndjson at the township, wait
# until every report is at the province, print each report's timeline. The
# nodes are stopped on exit, whatever happens.
#
# Environment:
#   KEEP=1          keep the nodes and the web consoles running (Ctrl-C stops
#                   them) and the work directory (configs, certificates,
#                   logs, data)
#   CONSOLE_PORT=8080 CONSOLE_TOWNSHIP_PORT=8081   the consoles' ports (0: any;
#                   the default with KEEP=1, any free port without)
#   URLS_FILE=FILE  write the consoles' URLs and the work directory there
#   BUILD_DIR=DIR   build here instead of <repo>/build
#   SKIP_DEPS=1     do not check or install Debian packages
#   SKIP_BUILD=1    use the binaries already in BUILD_DIR
#   REPORTS=FILE    submit this file instead of deploy/demo/reports.ndjson
#   START_TIMEOUT=20  RELAY_TIMEOUT=30   seconds to wait for a node / the relay
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build}
reports_src=${REPORTS:-$here/reports.ndjson}
regions_file=$repo/deploy/regions/shanxi-2022.csv
departments_file=$repo/deploy/regions/shanxi-departments.csv
start_timeout=${START_TIMEOUT:-20}
relay_timeout=${RELAY_TIMEOUT:-30}

node_bin=$build/node/kuaibao-node
cli_bin=$build/client/kuaibao

# The chain, top-down: config name and region code.
names=(province city county township)
declare -A region_of=(
  [province]=140000000000
  [city]=140100000000
  [county]=140105000000
  [township]=140105001000
  # The 应急管理 line beside it (README "Departments"): node ids
  # <region>:<department>, certificates .../node/<region>/dept/yjglt.
  [province_dept]=140000000000:yjglt
  [city_dept]=140100000000:yjglt
  [county_dept]=140105000000:yjglt
)
# Each department node's government (its `across` link).
declare -A government_of=(
  [province_dept]=province
  [city_dept]=city
  [county_dept]=county
)

step="starting"
work=""
pids=()     # every node this script started
started=()  # their names, same order
declare -A port_of=()

say() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
failure=""   # what die() said
blame=()     # the nodes whose logs explain a failure (default: all)
die() {
  failure=$*
  exit 1
}

# True while the process runs (a zombie does not count).
alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

stop_nodes() {
  ((${#pids[@]} > 0)) || return 0
  local i pid deadline
  echo "==> stopping the nodes"
  # Bottom-up, so no child spends its last seconds redialling a parent.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  deadline=$((SECONDS + 10))
  for pid in "${pids[@]}"; do
    while alive "$pid" && ((SECONDS < deadline)); do
      sleep 0.1
    done
  done
  for i in "${!pids[@]}"; do
    pid=${pids[i]}
    if alive "$pid"; then
      echo "    ${started[i]} (pid $pid) ignored SIGTERM for 10 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

on_exit() {
  local rc=$? name lines=8
  trap - EXIT
  set +e
  if ((rc != 0 && rc < 129)) && [[ -n $work ]]; then
    ((${#blame[@]} > 0)) && lines=20 || blame=("${started[@]}")
    for name in "${blame[@]}"; do
      if [[ -s $work/$name.log ]]; then
        echo "--- last $lines lines of $work/$name.log" >&2
        tail -n "$lines" "$work/$name.log" >&2
      fi
    done
  fi
  stop_nodes
  if [[ -n $work && -d $work ]]; then
    if [[ ${KEEP:-0} == 1 ]]; then
      echo "==> kept the work directory $work (configs, certificates, logs, data)"
    else
      rm -rf -- "$work"
    fi
  fi
  if ((rc >= 129)); then
    printf 'run-demo: interrupted during step "%s"\n' "$step" >&2
  elif ((rc != 0)); then
    printf 'run-demo: FAILED at step "%s": %s\n' "$step" "${failure:-exit status $rc}" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Text-format string literal.
quote() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

region_name() {
  local name
  name=$(awk -F, -v code="$1" '$1 == code { print $3; exit }' "$regions_file")
  printf '%s' "${name:-?}"
}

# The kuaibao CLI with one identity: cli CERT_BASE PORT ARGS...
cli() {
  local base=$1 port=$2
  shift 2
  "$cli_bin" "--node=127.0.0.1:$port" "--cert=$work/certs/$base.pem" \
    "--key=$work/certs/$base.key" "--ca=$work/certs/ca.pem" "$@"
}

# ---------------------------------------------------------------------------
step="install dependencies"
if [[ ${SKIP_DEPS:-0} != 1 ]]; then
  say "checking Debian packages"
  "$repo/deploy/install-deps.sh" || die "deploy/install-deps.sh failed"
fi

# ---------------------------------------------------------------------------
step="build"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  say "building kuaibao-node and kuaibao in $build (the first build takes a few minutes)"
  generator=(-G Ninja)
  if [[ -f $build/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build/CMakeCache.txt"; then
    info "$build was configured with another generator; keeping it"
    generator=()
  fi
  configure=(cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  info "${configure[*]}"
  "${configure[@]}" >"${TMPDIR:-/tmp}/kuaibao-demo-cmake.log" ||
    die "cmake could not configure $build (output: ${TMPDIR:-/tmp}/kuaibao-demo-cmake.log)"
  rm -f "${TMPDIR:-/tmp}/kuaibao-demo-cmake.log"
  cmake --build "$build" --target kuaibao-node kuaibao || die "the build failed"
fi
[[ -x $node_bin ]] || die "$node_bin is missing"
[[ -x $cli_bin ]] || die "$cli_bin is missing"

# ---------------------------------------------------------------------------
step="work directory"
work=$(mktemp -d "${TMPDIR:-/tmp}/kuaibao-demo.XXXXXX")
say "work directory $work"

step="certificates"
say "making a PKI (root, issuing CAs), certificates and revocation lists"
{
  "$repo/certs/pki.sh" issue "$work/certs" \
    node:140000000000 node:140100000000 node:140105000000 node:140105001000 \
    node:140000000000:yjglt node:140100000000:yjglt node:140105000000:yjglt \
    client:140105001000:duty-1 client:140000000000:duty-1 \
    client:140105000000:duty-1 \
    client:140105000000:yjglt-duty \
    auditor:140000000000:inspector-1 &&
    "$repo/certs/pki.sh" crl "$work/certs"
} | sed 's/^/    /' || die "certs/pki.sh failed"

# ---------------------------------------------------------------------------
# write_config NAME PARENT_NAME: the node's config in protobuf text format
# (kuaibao.v1.NodeConfig, protos/kuaibao/v1/config.proto).
write_config() {
  local name=$1 parent=${2:-} id=${region_of[$1]} region dept cert
  region=${id%%:*}
  dept=''
  [[ $id == *:* ]] && dept=${id#*:}
  cert=node-$region${dept:+-$dept}
  {
    echo "# $(region_name "$region")${dept:+ $dept} — written by deploy/demo/run-demo.sh"
    echo "region: $(quote "$region")"
    echo "listen_address: \"127.0.0.1:0\""
    echo "port_file: $(quote "$work/$name.port")"
    echo "data_dir: $(quote "$work/$name-data")"
    echo "regions_file: $(quote "$regions_file")"
    echo "tls {"
    echo "  cert_file: $(quote "$work/certs/$cert.pem")"
    echo "  key_file: $(quote "$work/certs/$cert.key")"
    echo "  ca_file: $(quote "$work/certs/ca.pem")"
    echo "  crl_dir: $(quote "$work/certs/crl")"
    echo "  require_crl: true"
    echo "}"
    if [[ -n $dept ]]; then
      # A department: up its own line (parent), and across to its
      # government at the same time.
      echo "department: $(quote "$dept")"
      echo "departments_file: $(quote "$departments_file")"
      echo "across {"
      echo "  region: $(quote "$region")"
      echo "  address: \"127.0.0.1:${port_of[${government_of[$name]}]}\""
      echo "}"
      if [[ -n $parent ]]; then
        echo "parent {"
        echo "  region: $(quote "${region_of[$parent]%%:*}")"
        echo "  department: $(quote "$dept")"
        echo "  address: \"127.0.0.1:${port_of[$parent]}\""
        echo "}"
      fi
    elif [[ -n $parent ]]; then
      echo "parent {"
      echo "  region: $(quote "${region_of[$parent]}")"
      echo "  address: \"127.0.0.1:${port_of[$parent]}\""
      echo "}"
      # The levels above the parent, nearest first: grade I/II and sensitive
      # reports also go straight to the province; a report whose hand-off is
      # at risk while the parent is down goes one level further up.
      local above
      for above in $(ancestors_of "$parent"); do
        echo "ancestors {"
        echo "  region: $(quote "${region_of[$above]}")"
        echo "  address: \"127.0.0.1:${port_of[$above]}\""
        echo "}"
      done
    fi
    echo "# Quick reconnects for the demo."
    echo "min_backoff_ms: 100"
    echo "max_backoff_ms: 1000"
  } >"$work/$name.textproto"
}

# ancestors_of NAME: the names above NAME in the chain, nearest first.
ancestors_of() {
  local i found=0
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do
    ((found)) && echo "${names[i]}"
    [[ ${names[i]} == "$1" ]] && found=1
  done
  return 0
}

# start_node NAME PARENT_NAME: start it, wait for its port file.
start_node() {
  local name=$1 parent=${2:-} pid port="" deadline rc
  step="start the $name node ($(region_name "${region_of[$name]%%:*}") ${region_of[$name]})"
  write_config "$name" "$parent"
  "$node_bin" --config "$work/$name.textproto" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  started+=("$name")
  deadline=$((SECONDS + start_timeout))
  while :; do
    if [[ -s $work/$name.port ]]; then
      port=$(tr -d '[:space:]' <"$work/$name.port")
      [[ $port =~ ^[0-9]+$ ]] && ((port > 0)) && break
    fi
    if ! alive "$pid"; then
      wait "$pid" && rc=0 || rc=$?
      blame=("$name")
      die "the $name node exited (status $rc) before serving"
    fi
    if ((SECONDS >= deadline)); then
      blame=("$name")
      die "the $name node wrote no port to $work/$name.port within $start_timeout s"
    fi
    sleep 0.1
  done
  port_of[$name]=$port
}

say "starting the nodes, top-down"
start_node province
start_node city province
start_node county city
start_node township county
start_node province_dept
start_node city_dept province_dept
start_node county_dept city_dept

step="start the nodes"
say "the chain, bottom-up (logs: $work/<name>.log)"
for ((i = ${#names[@]} - 1; i >= 0; i--)); do
  name=${names[i]}
  printf '    %-13s %-18s  127.0.0.1:%-5s  pid %-7s %s\n' "$name" "${region_of[$name]}" \
    "${port_of[$name]}" "${pids[i]}" "$(region_name "${region_of[$name]}")"
done
info "beside it, the 应急管理 line (each also linked across to its government):"
for ((i = ${#started[@]} - 1; i >= ${#names[@]}; i--)); do
  name=${started[i]}
  printf '    %-13s %-18s  127.0.0.1:%-5s  pid %-7s %s应急管理\n' "$name" "${region_of[$name]}" \
    "${port_of[$name]}" "${pids[i]}" "$(region_name "${region_of[$name]%%:*}")"
done

# ---------------------------------------------------------------------------
step="submit the reports at the township"
[[ -r $reports_src ]] || die "cannot read $reports_src"
reports=$work/reports.ndjson
"$here/render-reports.sh" "$reports_src" >"$reports" || die "could not fill in the time placeholders"
if grep -q '@NOW' "$reports"; then
  die "unfilled time placeholders remain in $reports"
fi

ids=()
headlines=()
while IFS= read -r line; do
  [[ -n ${line//[[:space:]]/} ]] || continue
  id=$(sed -n 's/.*"reportId": *"\([^"]*\)".*/\1/p' <<<"$line")
  [[ -n $id ]] || die "a line of $reports_src has no reportId"
  ids+=("$id")
  headlines+=("$(sed -n 's/.*"headline": *"\([^"]*\)".*/\1/p' <<<"$line")")
done <"$reports"
((${#ids[@]} > 0)) || die "$reports_src holds no reports"

say "submitting ${#ids[@]} reports at the township ${region_of[township]} $(region_name "${region_of[township]}") as client duty-1"
cli client-140105001000-duty-1 "${port_of[township]}" submit "$reports" ||
  die "kuaibao submit refused a report or failed (see above)"

step="submit a report at the county 应急管理局"
dept_reports=$work/department-reports.ndjson
"$here/render-reports.sh" "$here/department-reports.ndjson" >"$dept_reports" ||
  die "could not fill in the time placeholders"
dept_id=$(sed -n 's/.*"reportId": *"\([^"]*\)".*/\1/p' "$dept_reports" | head -n 1)
say "submitting $dept_id at the county 应急管理局 ${region_of[county_dept]} (小店区应急管理局) as client yjglt-duty:"
info "it goes up the 应急管理 line (太原市应急管理局 → 山西省应急管理厅 → 山西省人民政府) and, at the"
info "same time, across to 小店区人民政府, whose copy goes up the government line (左右交错)"
cli client-140105000000-yjglt-duty "${port_of[county_dept]}" submit "$dept_reports" ||
  die "kuaibao submit at the county 应急管理局 refused the report or failed (see above)"
ids+=("$dept_id")
headlines+=("$(sed -n 's/.*"headline": *"\([^"]*\)".*/\1/p' "$dept_reports" | head -n 1)")

# ---------------------------------------------------------------------------
step="wait for the reports at the province"
say "waiting (up to $relay_timeout s) for all ${#ids[@]} reports to reach the province ${region_of[province]}"

province_cli() { cli client-140000000000-duty-1 "${port_of[province]}" "$@"; }

# Prints how many of the submitted reports the province holds.
count_at_province() {
  local out id n=0
  if out=$(province_cli list --json 2>"$work/poll.err"); then
    local have
    have=$(grep -oE '"report(Id|_id)" *: *"[^"]*"' <<<"$out" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u)
    for id in "${ids[@]}"; do
      grep -qxF -- "$id" <<<"$have" && n=$((n + 1))
    done
  else
    # No list? Ask for each report.
    for id in "${ids[@]}"; do
      province_cli show "$id" --json >/dev/null 2>>"$work/poll.err" && n=$((n + 1))
    done
  fi
  echo "$n"
}

deadline=$((SECONDS + relay_timeout))
last=-1
while :; do
  have=$(count_at_province)
  if ((have != last)); then
    info "at the province: $have of ${#ids[@]}"
    last=$have
  fi
  ((have == ${#ids[@]})) && break
  if ((SECONDS >= deadline)); then
    [[ -s $work/poll.err ]] && { echo "--- last query error:" >&2; tail -n 3 "$work/poll.err" >&2; }
    die "only $have of ${#ids[@]} reports reached the province within $relay_timeout s"
  fi
  sleep 0.5
done

step="wait for the department line at the province"
deadline=$((SECONDS + relay_timeout))
until province_cli show "$dept_id" --json 2>/dev/null | grep -q '"otherPaths"'; do
  ((SECONDS < deadline)) ||
    die "$dept_id did not arrive by the department line within $relay_timeout s"
  sleep 0.5
done
info "$dept_id is at the province by both lines"

# ---------------------------------------------------------------------------
step="show the timelines at the province"
say "each report as the province sees it: the report and its path through all four levels"
info "(the last one, from the county 应急管理局, arrived twice: by the government line and by the"
info "department line; stored once, both paths shown)"
for i in "${!ids[@]}"; do
  echo
  printf '──── [%d/%d] %s  %s ────\n' "$((i + 1))" "${#ids[@]}" "${ids[i]}" "${headlines[i]}"
  province_cli show "${ids[i]}" || die "kuaibao show ${ids[i]} failed"
done

echo
step="record the State Council submission"
say "the province faxed the grade II gas explosion's first report to the State Council (R5, 4 h):"
info "its duty officer records that, so the deadline counts it as handed on"
province_cli national-submitted demo-gas-0001 --channel=fax --text="国务院总值班室" ||
  die "kuaibao national-submitted failed"

echo
step="deadlines at the province"
say "deadlines as the province sees them (the notice's budgets: 1 h unit → government, 2 h per level,"
info "3 h end to end, 1 h straight to the province for grade I/II, 4 h to the State Council)"
info "The flood's brief report reached the township 8 h after the unit's head learned of it:"
info "that breach (迟报) is on the reporting unit, and every level shows it."
echo
province_cli due || die "kuaibao due failed"

# ---------------------------------------------------------------------------
# The audit view (kuaibao audit, README "Auditing"): who had each report
# when, the breaches by responsible node, each node's punctuality, the
# statistics of real events and the clocks of the links.
step="audit view at the province"
audit() { province_cli audit "$@"; }
# Beijing dates around now: the period that holds every sample report.
audit_from=$(date -u -d '+8 hours -2 days' +%F)
audit_to=$(date -u -d '+8 hours +2 days' +%F)
echo
say "audit: the flood event hop by hop (dwell on each node's own clock, its budget, the late hop)"
# The township numbered the flood event when its first report came in;
# the file's free-text id is kept as the event's label.
flood_event=$(province_cli --json show demo-flood-0001 |
  grep -oE '"eventId":"[^"]*"' | head -n 1 | cut -d'"' -f4)
[[ -n $flood_event ]] || die "the flood report carries no event number"
info "the flood is event $flood_event (numbered by the township; the file called it 140105-20261128-001)"
audit timeline --event="$flood_event" || die "kuaibao audit timeline failed"
say "audit: breaches $audit_from – $audit_to by responsible node; the flood's brief report is the"
info "deliberate one: it reached the township 8 h after the unit's head learned of it (R1, 1 h);"
info "the landslide was learned from a news website 22 h after it happened, and R1 runs from then"
audit breaches --from="$audit_from" --to="$audit_to" || die "kuaibao audit breaches failed"
echo
say "audit: punctuality per node and per reporting unit"
audit punctuality --from="$audit_from" --to="$audit_to" || die "kuaibao audit punctuality failed"
echo
say "audit: statistics, each event once from its latest report, the drill left out"
audit stats --from="$audit_from" --to="$audit_to" --by=category || die "kuaibao audit stats failed"
echo
audit skew || die "kuaibao audit skew failed"

echo
step="roll call"
say "roll call (点名): 小店区 asks every township to report by the due time, 无情况零报告"
county_cli() { cli client-140105000000-duty-1 "${port_of[county]}" "$@"; }
county_cli rollcall issue demo-rollcall --period="汛期" \
  --text="各街道（乡镇）30 分钟内报告汛情，无情况零报告" --due=30m \
  --by="小店区值班领导" >/dev/null || die "kuaibao rollcall issue failed"
# The township's part travels down the relay stream; it answers once it is
# there.
deadline=$((SECONDS + relay_timeout))
until cli client-140105001000-duty-1 "${port_of[township]}" rollcall answer demo-rollcall --zero \
  2>"$work/rollcall.err"; do
  ((SECONDS < deadline)) || { cat "$work/rollcall.err" >&2; die "the roll call did not reach the township"; }
  sleep 0.5
done
info "坞城街道 answered with a zero report; the county's view (the other townships run no node"
info "in this demo: silent, and in breach once the 30 minutes are up):"
until county_cli rollcall status demo-rollcall 2>/dev/null | grep -q '零报告 zero'; do
  ((SECONDS < deadline)) || die "the zero report did not reach the county"
  sleep 0.5
done
county_cli rollcall status demo-rollcall || true  # exit 1 once someone is overdue

echo
step="evidence"
say "the evidence of ${ids[0]}: exported by the province's auditor, checked offline against the CA"
cli auditor-140000000000-inspector-1 "${port_of[province]}" audit export "${ids[0]}" \
  --out="$work/evidence-${ids[0]}.json" || die "kuaibao audit export failed"
"$cli_bin" audit verify "$work/evidence-${ids[0]}.json" --ca="$work/certs/ca.pem" ||
  die "the evidence of ${ids[0]} did not verify"

echo
step="web console"
# start_console NAME CERT_BASE NODE_NAME PORT: `kuaibao console` for one
# officer, talking to that node; waits for its port file.
start_console() {
  local name=$1 base=$2 node=$3 port=$4 pid deadline
  rm -f "$work/$name.port"
  # exec: $! must be the console itself, not a subshell running cli, or
  # stopping it at exit leaves the console running.
  (exec "$cli_bin" "--node=127.0.0.1:${port_of[$node]}" \
    "--cert=$work/certs/$base.pem" "--key=$work/certs/$base.key" \
    "--ca=$work/certs/ca.pem" console --listen="127.0.0.1:$port" \
    --port_file="$work/$name.port") >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  started+=("$name")
  deadline=$((SECONDS + start_timeout))
  until [[ -s $work/$name.port ]]; do
    alive "$pid" || { blame=("$name"); die "the $name exited before serving"; }
    ((SECONDS < deadline)) || { blame=("$name"); die "the $name did not serve within $start_timeout s"; }
    sleep 0.1
  done
  port_of[$name]=$(tr -d '[:space:]' <"$work/$name.port")
}
# Fixed ports when the demo keeps running for a person to open; any free
# port otherwise (a busy 8080 must not fail an unattended run).
[[ ${KEEP:-0} == 1 ]] && default_ports=(8080 8081) || default_ports=(0 0)
start_console console-province client-140000000000-duty-1 province "${CONSOLE_PORT:-${default_ports[0]}}"
start_console console-township client-140105001000-duty-1 township "${CONSOLE_TOWNSHIP_PORT:-${default_ports[1]}}"
say "web console (值班台): the province's duty officer  http://127.0.0.1:${port_of[console-province]}/"
info "the township's duty officer (报送)             http://127.0.0.1:${port_of[console-township]}/"
[[ -n ${URLS_FILE:-} ]] && {
  echo "province=http://127.0.0.1:${port_of[console-province]}/"
  echo "township=http://127.0.0.1:${port_of[console-township]}/"
  echo "work=$work"
} >"$URLS_FILE"

echo
step="stop the nodes"
say "done: ${#ids[@]} reports relayed 坞城街道 → 小店区 → 太原市 → 山西省"
if [[ ${KEEP:-0} == 1 ]]; then
  step="keep running"
  say "KEEP=1: the nodes and the consoles keep running; Ctrl-C stops them"
  while :; do sleep 1; done
else
  info "(KEEP=1 keeps them running, with the configs, certificates, logs and data)"
fi
