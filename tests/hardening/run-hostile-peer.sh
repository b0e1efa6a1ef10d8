#!/usr/bin/env bash
# The hostile-peer scenario (tests/hardening/hostile_peer.py): Python stubs
# generated from protos/ alone, then the script against a real node.
#
#   tests/hardening/run-hostile-peer.sh check|bench NODE_BINARY PKI_DIR WORK_DIR [ARGS...]
#
# Exit 77 (skipped) without python3-grpcio, python3-h2 or the plugin
# (tests/run-tests.sh installs them).
set -euo pipefail
# The node runs in WORK_DIR: its binary and the PKI are named absolutely.
mode=$1 node=$(realpath "$2") pki=$(realpath "$3") work=$4
shift 4
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rm -rf "$work"
"$repo/tests/interop/make-python-stubs.sh" "$work/stubs" h2
exec /usr/bin/python3 "$repo/tests/hardening/hostile_peer.py" "$mode" "$node" \
  "$pki" "$repo" "$work/stubs" "$work/node" "$@"
