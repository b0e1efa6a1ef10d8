#!/usr/bin/env bash
# deploy/provision/provision.sh end to end: a province, a city, a county and
# a township with loopback addresses are provisioned, each node runs from its
# own bundle as installed, and a report submitted at the township reaches the
# province over the provisioned certificates (SANs, CRLs, parents). Then a
# township is added (--add: its bundle alone, the table updated), and broken
# tables and plans are refused with the line named.
#
#   tests/deploy/provision-test.sh BUILD_DIR
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
export KUAIBAO_PROVISION=$build/node/kuaibao-provision
work=$(mktemp -d /tmp/kuaibao-provision-test.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cat >"$work/regions.csv" <<'CSV'
code12,level,name,parent_code12
140000000000,province,山西省,
140100000000,city,太原市,140000000000
140105000000,county,小店区,140100000000
140105001000,township,坞城街道,140105000000
CSV
# Below the ephemeral range (32768-), where nodes on port 0 never land.
base=$((20000 + RANDOM % 12000))
cat >"$work/plan" <<PLAN
# every node on this machine, a port each
province      127.0.0.1:$base
city          127.0.0.2:$((base + 1))
county        127.0.0.3:$((base + 2))
township      127.0.0.4:$((base + 3))
140105002000  127.0.0.5:$((base + 4))
PLAN
root=$work/root

# The operator's entry points answer --help: the whole text on standard
# output, exit 0, nothing else, and the README they point to exists.
"$repo/deploy/provision/provision.sh" --help >"$work/help.out" 2>"$work/help.err" ||
  fail "provision.sh --help exits $?"
[[ ! -s $work/help.err ]] || fail "provision.sh --help on stderr: $(cat "$work/help.err")"
grep -q -- '--metrics PATTERN' "$work/help.out" || fail "provision.sh --help: $(cat "$work/help.out")"
! grep -q 'set -euo' "$work/help.out" || fail "provision.sh --help prints code"
grep -o 'deploy/[a-z/]*README.md' "$work/help.out" >"$work/help.docs" || fail "provision.sh --help names no README"
while read -r doc; do
  [[ -f $repo/$doc ]] || fail "provision.sh --help points to $doc, which does not exist"
done <"$work/help.docs"
for pair in kuaibao-node:main.cc kuaibao-provision:provision_main.cc; do
  program=${pair%:*} source=$repo/node/${pair#*:}
  "$build/node/$program" --help >"$work/help.out" 2>"$work/help.err" || fail "$program --help exits $?"
  [[ ! -s $work/help.err ]] || fail "$program --help on stderr: $(cat "$work/help.err")"
  ! grep -q 'No flags matched' "$work/help.out" || fail "$program --help lists no flags"
  flags=$(sed -n 's/^ABSL_FLAG([^,]*, *\([a-z_]*\),.*/\1/p' "$source")
  [[ -n $flags ]] || fail "no ABSL_FLAG in $source"
  for flag in $flags; do  # every flag its main defines
    grep -q -- "^  --$flag\$" "$work/help.out" || fail "$program --help misses --$flag"
  done
done
echo "ok: --help of provision.sh, kuaibao-node and kuaibao-provision"

# Metrics on by default, on each node's own address (a loopback address of
# its own here, one port for all, as on separate machines).
metrics_port=$((base + 5))
"$repo/deploy/provision/provision.sh" --regions "$work/regions.csv" \
  --plan "$work/plan" --out "$work/out" --prefix "$root" \
  --metrics "{host}:$metrics_port" >"$work/provision.out"
grep -q "^metrics_address: \"127.0.0.4:$metrics_port\"" \
  "$work/out/nodes/140105001000$root/etc/kuaibao/140105001000.textproto" ||
  fail "no metrics_address: $(cat "$work/out/nodes/140105001000$root/etc/kuaibao/140105001000.textproto")"
grep -q "wrote 4 node configuration" "$work/provision.out" || fail "not 4 nodes: $(cat "$work/provision.out")"
[[ $(wc -l <"$work/out/manifest.csv") == 5 ]] || fail "manifest: $(cat "$work/out/manifest.csv")"
grep -q '^140105001000,township,坞城街道,127.0.0.4:'"$((base + 3))"',140105000000,' "$work/out/manifest.csv" ||
  fail "manifest row of the township: $(cat "$work/out/manifest.csv")"

# Install each bundle as its machine would (an overlay of /, here of $root;
# the four share ca.pem and crl/ there), then run each node from its
# installed configuration.
for code in 140000000000 140100000000 140105000000 140105001000; do
  cp -a "$work/out/nodes/$code/." /
done
for code in 140000000000 140100000000 140105000000 140105001000; do
  [[ $(stat -c %a "$root/etc/kuaibao/tls/node-$code.key") == 600 ]] || fail "key mode of $code"
  [[ $(stat -c %a "$root/etc/kuaibao/tls") == 755 ]] || fail "the node's user cannot enter tls/ of $code"
  "$build/node/kuaibao-node" --config "$root/etc/kuaibao/$code.textproto" \
    2>"$work/$code.log" &
  pids+=($!)
done
for code in 140000000000 140100000000 140105000000 140105001000; do
  for _ in $(seq 100); do
    "$build/node/kuaibao-node" --probe --config "$root/etc/kuaibao/$code.textproto" \
      >/dev/null 2>&1 && continue 2
    sleep 0.2
  done
  fail "$code does not serve: $(tail -5 "$work/$code.log")"
done

"$repo/certs/pki.sh" issue "$work/out/pki" client:140105001000:duty-1 \
  client:140000000000:duty-1 >/dev/null
cli() {
  local region=$1 port=$2
  shift 2
  "$build/client/kuaibao" "--node=127.0.0.1:$port" \
    "--cert=$work/out/pki/client-$region-duty-1.pem" \
    "--key=$work/out/pki/client-$region-duty-1.key" \
    "--ca=$work/out/pki/ca.pem" "$@"
}
"$repo/deploy/demo/render-reports.sh" >"$work/reports.ndjson"
head -1 "$work/reports.ndjson" >"$work/report.json"
id=$(sed 's/.*"reportId": *"\([^"]*\)".*/\1/' "$work/report.json")
cli 140105001000 $((base + 3)) submit "$work/report.json" >"$work/submit.out" ||
  fail "submit: $(cat "$work/submit.out")"
for _ in $(seq 150); do
  cli 140000000000 "$base" show "$id" >/dev/null 2>&1 && break
  sleep 0.2
done
cli 140000000000 "$base" show "$id" >/dev/null || fail "$id never reached the province"
echo "ok: $id went township → county → city → province on provisioned nodes"
exec 3<>"/dev/tcp/127.0.0.4/$metrics_port"
printf 'GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n' >&3
cat <&3 >"$work/metrics.out"
exec 3<&-
grep -q '^kuaibao_node_info{region="140105001000"} 1$' "$work/metrics.out" ||
  fail "the township's metrics: $(head -5 "$work/metrics.out")"
echo "ok: the township serves its metrics on its own address"

# A township added later: its bundle alone, the table updated in place.
"$repo/deploy/provision/provision.sh" --regions "$work/regions.csv" \
  --plan "$work/plan" --out "$work/out" --prefix "$root" \
  --add 140105002000 --name 龙城街道 >"$work/add.out"
grep -q '^140105002000,township,龙城街道,140105000000$' "$work/regions.csv" || fail "table not updated"
grep -q "wrote 1 node configuration" "$work/add.out" || fail "add: $(cat "$work/add.out")"
grep -q "^140105000000,小店区$" "$work/add.out" || fail "add does not name the county: $(cat "$work/add.out")"
[[ -f $work/out/nodes/140105002000$root/etc/kuaibao/tls/node-140105002000.pem ]] || fail "no certificate for the new township"
echo "ok: --add made the new township's bundle alone"

# Refusals name the line.
expect_refusal() {
  local what=$1 want=$2
  shift 2
  if "$repo/deploy/provision/provision.sh" "$@" --out "$work/bad" >"$work/bad.out" 2>&1; then
    fail "$what was accepted"
  fi
  grep -q "$want" "$work/bad.out" || fail "$what: $(cat "$work/bad.out")"
  echo "ok: $what refused: $(tail -1 "$work/bad.out")"
}
printf 'code12,level,name,parent_code12\n140000000000,province,山西省,\n140100000000,city,太原市,140000000000\n140100000000,city,太原市,140000000000\n' >"$work/dup.csv"
expect_refusal "a duplicate code" "line 4: duplicate code 140100000000" --regions "$work/dup.csv"
printf 'code12,level,name,parent_code12\n140000000000,province,山西省,\n140105001000,township,坞城街道,140105000000\n' >"$work/orphan.csv"
expect_refusal "a missing parent" "line 3: parent 140105000000" --regions "$work/orphan.csv"
printf '* 127.0.0.1:7400\n' >"$work/same.plan"
expect_refusal "a shared address" "would both be at 127.0.0.1:7400" --regions "$work/regions.csv" --plan "$work/same.plan"
expect_refusal "adding a code twice" "already in" --regions "$work/regions.csv" --add 140105002000 --name x
echo "1 passed, 0 failed"
