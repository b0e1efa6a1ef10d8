#!/usr/bin/env bash
# Makes the certificates the integration tests use (CTest fixture "test_pki").
#   make-test-pki.sh OUTDIR
# OUTDIR/main: the province's PKI (root, issuing CAs for the province and
# 太原市, CRLs in OUTDIR/main/crl) and every identity the tests need: nodes,
# clients, auditors, a revoked client and an expired one.
# OUTDIR/foreign: another PKI with a look-alike client, which must be refused.
# Made afresh each time (the revocation is not repeatable on an old PKI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pki="$here/../../certs/pki.sh"
out=$1
rm -rf "$out"
main=$out/main
"$pki" issue "$main" \
  node:140000000000 node:140100000000 node:140105000000 node:140105001000 \
  node:140106000000 node:140106001000 \
  node:140000000000:standby node:140105000000:standby \
  node:140000000000:yjglt node:140100000000:yjglt node:140105000000:yjglt \
  client:140105001000:duty-1 client:140105001000:duty-2 \
  client:140106001000:duty-1 \
  client:140000000000:duty-1 client:140105001000:revoked \
  auditor:140000000000:inspector-1 auditor:140105000000:inspector-1 \
  auditor:140106000000:inspector-1 >/dev/null
KUAIBAO_CERT_START=20200101000000Z KUAIBAO_CERT_END=20210101000000Z \
  "$pki" issue "$main" client:140105001000:expired >/dev/null
# A client of 大同市, and a look-alike that 太原市's CA issued outside its
# region (nodes must refuse it).
"$pki" issue "$main" client:140200000000:duty-1 >/dev/null
# The roll call test (event_test.cc): every city of Shanxi, a node and a
# duty officer each.
cities="140100000000 140200000000 140300000000 140400000000 140500000000
  140600000000 140700000000 140800000000 140900000000 141000000000
  141100000000"
specs=()
for c in $cities; do
  [[ $c == 140100000000 ]] || specs+=("node:$c")
  [[ $c == 140200000000 ]] || specs+=("client:$c:duty-1")
done
"$pki" issue "$main" "${specs[@]}" >/dev/null
KUAIBAO_ISSUER=140100000000 "$pki" issue "$main" client:140200000000:rogue >/dev/null
"$pki" crl "$main" >/dev/null
"$pki" revoke "$main" "$main/client-140105001000-revoked.pem" keyCompromise >/dev/null
"$pki" issue "$out/foreign" client:140105001000:duty-1 >/dev/null
"$pki" crl "$out/foreign" >/dev/null

# Copies of the main PKI with only some CRLs (variant NAME CA...): the city
# CA's missing, expired or about to expire must keep a node of 太原市 from
# starting (or make it warn); the province CA's missing must make it refuse
# the province's certificates.
variant() {
  cp -r "$main" "$out/$1"
  rm -rf "$out/$1/crl"
  "$pki" crl "$out/$1" "${@:2}" >/dev/null
}
variant no-city-crl root 140000000000
variant expired-crl root 140000000000
KUAIBAO_CRL_START=20200101000000Z KUAIBAO_CRL_END=20200201000000Z \
  "$pki" crl "$out/expired-crl" 140100000000 >/dev/null
variant expiring-crl root 140000000000
KUAIBAO_CRL_DAYS=2 "$pki" crl "$out/expiring-crl" 140100000000 >/dev/null
variant no-province-crl root 140100000000
