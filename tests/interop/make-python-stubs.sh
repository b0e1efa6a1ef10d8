#!/usr/bin/env bash
# Python stubs generated from protos/ alone (protoc and Debian's
# grpc_python_plugin), for the Python tests against a real node:
#
#   tests/interop/make-python-stubs.sh STUBS_DIR [MODULE...]
#
# Exit 77 (the tests' "skipped") when /usr/bin/python3 lacks grpc,
# google.protobuf or one of the MODULEs, or the plugin is missing
# (tests/run-tests.sh installs them).
set -euo pipefail
stubs=$1
shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# /usr/bin/python3: Debian's modules; another python3 may come first on PATH.
for module in grpc google.protobuf "$@"; do
  if ! /usr/bin/python3 -c "import $module" 2>/dev/null; then
    echo "skipped: /usr/bin/python3 has no $module (tests/run-tests.sh installs it)" >&2
    exit 77
  fi
done
if [[ ! -x /usr/bin/grpc_python_plugin ]]; then
  echo "skipped: needs protobuf-compiler-grpc (grpc_python_plugin)" >&2
  exit 77
fi
rm -rf "$stubs"
mkdir -p "$stubs"
protoc -I "$repo/protos" --python_out="$stubs" --grpc_out="$stubs" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \
  "$repo"/protos/kuaibao/v1/*.proto
