#!/usr/bin/env bash
# The interoperability test (ctest interop_python): Python stubs generated
# from protos/ alone by protoc and Debian's grpc_python_plugin, then
# python_interop.py against a real node over mTLS.
#
#   tests/interop/run-python-interop.sh NODE_BINARY PKI_DIR WORK_DIR
#
# Exit 77 (skipped) without python3-grpcio, python3-protobuf or the plugin
# (tests/run-tests.sh installs them).
set -euo pipefail
node=$1 pki=$2 work=$3
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rm -rf "$work"
"$repo/tests/interop/make-python-stubs.sh" "$work/stubs"
exec /usr/bin/python3 "$repo/tests/interop/python_interop.py" "$node" "$pki" \
  "$repo" "$work/stubs" "$work/node"
