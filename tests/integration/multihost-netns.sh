#!/usr/bin/env bash
# The multi-host test's network: each node on a "host" of its own, a network
# namespace with its own address and subnet, all joined by a router
# namespace whose nftables rules cut links, heal them and drop packets.
#
#   multihost-netns.sh run PKI_DIR TEST_BINARY [ARGS...]
#       builds the network, issues node certificates for its addresses (from
#       a copy of PKI_DIR), runs TEST_BINARY inside the office namespace with
#       KUAIBAO_MH_* in its environment, and always tears everything down
#       (trap). Exits with the test's status; 77 (skip) when not root or
#       without network namespaces; 1 when nft is missing (install nftables).
#   multihost-netns.sh cut A B | heal A B | loss A B PERCENT | heal-all
#       changes the router's rules between hosts A and B (town, county, city,
#       prov, office); for the test, with KUAIBAO_MH_PREFIX set.
#
# Hosts: office 10.77.1.2 (the test and its clients), town 10.77.2.2,
# county 10.77.3.2, city 10.77.4.2, prov 10.77.5.2; each a /24 of its own,
# the router at .1 on each. Nothing is attached to the machine's own
# network: the addresses exist only inside these namespaces.
set -euo pipefail

hosts=(office town county city prov)
declare -A subnet=([office]=1 [town]=2 [county]=3 [city]=4 [prov]=5)
declare -A region=([town]=140105001000 [county]=140105000000
                   [city]=140100000000 [prov]=140000000000)

ip_of() { echo "10.77.${subnet[$1]}.2"; }
ns_of() { echo "$prefix-$1"; }
in_router() { ip netns exec "$prefix-rt" "$@"; }
known_host() {
  [[ -n ${subnet[$1]:-} ]] || { echo "multihost: unknown host '$1'" >&2; exit 2; }
}

# Rules come in pairs (both directions), tagged with a comment so that heal
# finds them.
add_rules() { # TAG A B MATCH...
  local tag=$1 a=$2 b=$3
  shift 3
  for pair in "$a $b" "$b $a"; do
    read -r from to <<<"$pair"
    in_router nft add rule inet kb links ip saddr "$(ip_of "$from")" \
      ip daddr "$(ip_of "$to")" "$@" drop comment "\"$tag\""
  done
}

delete_rules() { # TAG
  local handle
  for handle in $(in_router nft -a list chain inet kb links |
    sed -n "s/.*comment \"$1\" # handle \([0-9]*\)$/\1/p"); do
    in_router nft delete rule inet kb links handle "$handle"
  done
}

# Namespaces of earlier runs whose script is gone (killed by a timeout).
remove_stale() {
  local ns owner
  for ns in $(ip netns list | awk '{print $1}' | grep '^kbmh[0-9]*-' || true); do
    owner=${ns%%-*}
    owner=${owner#kbmh}
    if ! kill -0 "$owner" 2>/dev/null; then
      remove_ns "$ns"
    fi
  done
}

# Kills what still runs in the namespace (the nodes this run started), then
# removes it; removing it also removes its veths and nft rules.
remove_ns() {
  local pids
  pids=$(ip netns pids "$1" 2>/dev/null || true)
  if [[ -n $pids ]]; then
    # shellcheck disable=SC2086  # one pid per word
    kill -9 $pids 2>/dev/null || true
  fi
  ip netns del "$1" 2>/dev/null || true
}

teardown() {
  local h
  for h in "${hosts[@]}" rt; do remove_ns "$prefix-$h"; done
  [[ -n ${work:-} ]] && rm -rf "$work"
}

build_network() {
  ip netns add "$prefix-rt"
  in_router ip link set lo up
  in_router sysctl -qw net.ipv4.ip_forward=1
  local h n
  for h in "${hosts[@]}"; do
    n=${subnet[$h]}
    ip netns add "$(ns_of "$h")"
    ip -n "$prefix-rt" link add "v-$h" type veth peer name eth0 \
      netns "$(ns_of "$h")"
    in_router ip addr add "10.77.$n.1/24" dev "v-$h"
    in_router ip link set "v-$h" up
    ip -n "$(ns_of "$h")" link set lo up
    ip -n "$(ns_of "$h")" addr add "10.77.$n.2/24" dev eth0
    ip -n "$(ns_of "$h")" link set eth0 up
    ip -n "$(ns_of "$h")" route add default via "10.77.$n.1"
  done
  in_router nft add table inet kb
  in_router nft add chain inet kb links \
    '{ type filter hook forward priority 0; policy accept; }'
}

# Node certificates that name the node's address, signed by the test PKI's
# CAs (a copy of it: the fixture's files stay as they are).
issue_certs() {
  local pki_src=$1 here h
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cp -r "$pki_src" "$work/pki"
  for h in town county city prov; do
    rm -f "$work/pki/node-${region[$h]}".{pem,key}
    KUAIBAO_NODE_SANS="IP:$(ip_of "$h")" \
      "$here/../../certs/pki.sh" issue "$work/pki" "node:${region[$h]}" >/dev/null
  done
}

run() {
  local pki_src=$1 h up
  shift
  if ((EUID != 0)); then
    echo "multihost: SKIPPED: needs root for network namespaces (CI runs as root)"
    exit 77
  fi
  if ! ip netns add "kbmh$$-probe" 2>/dev/null; then
    echo "multihost: SKIPPED: cannot create network namespaces here"
    exit 77
  fi
  ip netns del "kbmh$$-probe"
  if ! command -v nft >/dev/null; then
    echo "multihost: nft not found: install nftables (deploy/install-deps.sh nftables)" >&2
    exit 1
  fi
  prefix="kbmh$$"
  remove_stale
  trap teardown EXIT
  trap 'exit 130' INT TERM
  work=$(mktemp -d /tmp/kuaibao-multihost.XXXXXX)
  build_network
  issue_certs "$pki_src"
  export KUAIBAO_MH_PREFIX=$prefix KUAIBAO_MH_SCRIPT
  KUAIBAO_MH_SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "$0")
  export KUAIBAO_MH_PKI=$work/pki KUAIBAO_MH_WORK=$work
  for h in town county city prov; do
    up=${h^^}
    export "KUAIBAO_MH_${up}_NS=$(ns_of "$h")" "KUAIBAO_MH_${up}_IP=$(ip_of "$h")"
  done
  echo "multihost: network up ($prefix-*: office, town, county, city, prov via rt)"
  local status=0
  # Bounded: the test's own waits end well before this.
  timeout -s KILL 240 ip netns exec "$(ns_of office)" "$@" || status=$?
  exit "$status"
}

command=${1:-}
shift || true
case $command in
  run)
    (($# >= 2)) || { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
    run "$@"
    ;;
  cut | heal | loss | heal-all)
    prefix=${KUAIBAO_MH_PREFIX:?set by "multihost-netns.sh run"}
    case $command in
      cut) known_host "$1"; known_host "$2"; add_rules "cut-$1-$2" "$1" "$2" ;;
      loss)
        known_host "$1"; known_host "$2"
        add_rules "loss-$1-$2" "$1" "$2" numgen random mod 100 '<' "$3"
        ;;
      heal)
        known_host "$1"; known_host "$2"
        delete_rules "cut-$1-$2"
        delete_rules "loss-$1-$2"
        ;;
      heal-all) in_router nft flush chain inet kb links ;;
    esac
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
