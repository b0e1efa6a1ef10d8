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

# /usr/bin/python3: Debian's modules; another python3 may come first on PATH.
if ! /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
  [[ ! -x /usr/bin/grpc_python_plugin ]]; then
  echo "skipped: needs python3-grpcio, python3-protobuf, protobuf-compiler-grpc" >&2
  exit 77
fi
rm -rf "$work"
mkdir -p "$work/stubs"
protoc -I "$repo/protos" --python_out="$work/stubs" --grpc_out="$work/stubs" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \
  "$repo"/protos/kuaibao/v1/*.proto
exec /usr/bin/python3 "$repo/tests/interop/python_interop.py" "$node" "$pki" \
  "$repo" "$work/stubs" "$work/node"
