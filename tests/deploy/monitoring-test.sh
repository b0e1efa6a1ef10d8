#!/usr/bin/env bash
# deploy/monitoring/ against a real node: the alert rules parse and pass
# their unit tests (`promtool test rules`), the Grafana dashboard has the
# structure Grafana loads and its queries parse, and every metric and label
# the rules, their tests and the dashboard use is one a running node exports
# (a township whose parent and province are away, so that its link series
# exist). Skipped (77) without promtool (Debian package prometheus) or
# python3.
#
#   tests/deploy/monitoring-test.sh BUILD_DIR PKI_DIR
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
pki=$(cd "$2" && pwd)
monitoring=$repo/deploy/monitoring
for tool in promtool python3; do
  command -v "$tool" >/dev/null || {
    echo "SKIP: no $tool here (deploy/install-deps.sh prometheus python3)"
    exit 77
  }
done
work=$(mktemp -d /tmp/kuaibao-monitoring-test.XXXXXX)
node_pid=
cleanup() {
  [[ -z $node_pid ]] || kill "$node_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

promtool check rules "$monitoring/kuaibao-alerts.yml" || fail "promtool check rules"
(cd "$monitoring" && promtool test rules kuaibao-alerts.test.yml) || fail "promtool test rules"

# A township whose parent (and the province, its escalation link) refuse
# connections: port 1 on loopback.
region=140105001000
cat >"$work/node.textproto" <<EOF
region: "$region"
listen_address: "127.0.0.1:0"
data_dir: "$work/data"
port_file: "$work/port"
regions_file: "$repo/deploy/regions/shanxi-2022.csv"
tls {
  cert_file: "$pki/node-$region.pem" key_file: "$pki/node-$region.key"
  ca_file: "$pki/ca.pem" crl_dir: "$pki/crl" require_crl: true
}
parent { region: "140105000000" address: "127.0.0.1:1" }
ancestors { region: "140000000000" address: "127.0.0.1:1" }
metrics_address: "127.0.0.1:0"
metrics_port_file: "$work/metrics-port"
EOF
"$build/node/kuaibao-node" --config "$work/node.textproto" 2>"$work/node.log" &
node_pid=$!
for _ in $(seq 150); do
  [[ -s $work/metrics-port ]] && break
  kill -0 "$node_pid" 2>/dev/null || fail "the node did not start: $(tail -3 "$work/node.log")"
  sleep 0.2
done
[[ -s $work/metrics-port ]] || fail "no metrics port: $(tail -3 "$work/node.log")"
exec 3<>"/dev/tcp/127.0.0.1/$(cat "$work/metrics-port")"
printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&3
cat <&3 >"$work/scrape"
exec 3<&-
grep -q '^HTTP/1.1 200 OK' "$work/scrape" || fail "scrape: $(head -3 "$work/scrape")"

python3 "$repo/tests/deploy/check-monitoring.py" "$work/scrape" \
  "$monitoring/kuaibao-dashboard.json" "$work/dashboard-rules.yml" \
  "$monitoring/kuaibao-alerts.yml" "$monitoring/kuaibao-alerts.test.yml" \
  "$monitoring/prometheus.yml" || fail "see above"
promtool check rules "$work/dashboard-rules.yml" >/dev/null ||
  fail "a dashboard query does not parse: $(promtool check rules "$work/dashboard-rules.yml" 2>&1 | tail -3)"
echo "ok: the dashboard's queries parse"
echo "1 passed, 0 failed"
