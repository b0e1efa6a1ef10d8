#!/usr/bin/env bash
# Makes the certificates the integration tests use (CTest fixture "test_pki").
#   make-test-pki.sh OUTDIR
# OUTDIR/main: the province's CA and every identity the tests need.
# OUTDIR/foreign: another CA with a look-alike client, which must be refused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
make_certs="$here/../../certs/make-certs.sh"
out=$1
"$make_certs" "$out/main" \
  node:140000000000 node:140100000000 node:140105000000 node:140105001000 \
  node:140106000000 node:140106001000 \
  client:140105001000:duty-1 client:140106001000:duty-1 \
  client:140000000000:duty-1 auditor:140000000000:inspector-1 >/dev/null
"$make_certs" "$out/foreign" client:140105001000:duty-1 >/dev/null
