#!/usr/bin/env bash
# Re-encodes the readable seeds (tests/fuzz/seeds/*.textproto, protobuf text
# format; the first line names the message) into tests/fuzz/corpus/. The
# corpus also holds a few hand-made broken inputs that have no seed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
protos=$here/../../protos
for seed in "$here"/seeds/*.textproto; do
  message=$(head -1 "$seed" | awk '{print $2}')
  out=$here/corpus/$(basename "$seed" .textproto)
  protoc --encode="$message" -I "$protos" "$protos/kuaibao/v1/service.proto" \
    <"$seed" >"$out"
done
