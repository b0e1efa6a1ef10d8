#!/usr/bin/env bash
# Makes a CA and certificates for Kuaibao nodes, clients and auditors.
#
#   certs/make-certs.sh OUTDIR SPEC...
#
# SPEC is one of
#   node:REGION            a node (server and client usage)
#   client:REGION:NAME     a duty officer or program submitting reports
#   auditor:REGION:NAME    an inspector reading its region's subtree
#
# Each certificate carries its identity as a URI SAN
# (spiffe://kuaibao/<role>/<region>[/<name>]) plus DNS:localhost and
# IP:127.0.0.1; more SANs for node certificates come from KUAIBAO_NODE_SANS
# (e.g. "DNS:county.example,IP:10.0.0.5"). Keys are EC P-256, mode 0600.
#
# Idempotent: an existing CA or certificate is kept, so running it again with
# more SPECs adds only what is missing. Files, in OUTDIR:
#   ca.pem ca.key                      the CA (keep ca.key offline)
#   node-REGION.pem / .key
#   client-REGION-NAME.pem / .key
#   auditor-REGION-NAME.pem / .key
set -euo pipefail

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[[ $# -ge 1 ]] || usage
out=$1
shift
days=${KUAIBAO_CERT_DAYS:-825}

umask 077
mkdir -p "$out"

if [[ ! -f "$out/ca.pem" ]]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 \
    -subj "/O=Kuaibao/CN=Kuaibao root CA" \
    -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem" 2>/dev/null
  chmod 0644 "$out/ca.pem"
  echo "made CA $out/ca.pem"
fi

valid_region() {
  [[ $1 =~ ^[0-9]{12}$ ]] || { echo "make-certs: region '$1' must be 12 digits" >&2; exit 2; }
}

valid_name() {
  [[ $1 =~ ^[A-Za-z0-9._-]{1,64}$ ]] || { echo "make-certs: name '$1' must be 1-64 of A-Z a-z 0-9 . _ -" >&2; exit 2; }
}

for spec in "$@"; do
  IFS=: read -r role region name extra <<<"$spec"
  [[ -z ${extra:-} ]] || { echo "make-certs: bad spec '$spec'" >&2; exit 2; }
  valid_region "$region"
  case $role in
    node)
      [[ -z ${name:-} ]] || { echo "make-certs: a node spec has no name: '$spec'" >&2; exit 2; }
      base="node-$region"
      uri="spiffe://kuaibao/node/$region"
      eku="serverAuth,clientAuth"
      sans="URI:$uri,DNS:localhost,IP:127.0.0.1${KUAIBAO_NODE_SANS:+,$KUAIBAO_NODE_SANS}"
      ;;
    client | auditor)
      valid_name "${name:-}"
      base="$role-$region-$name"
      uri="spiffe://kuaibao/$role/$region/$name"
      eku="clientAuth"
      sans="URI:$uri,DNS:localhost,IP:127.0.0.1"
      ;;
    *)
      echo "make-certs: unknown role in '$spec' (node, client or auditor)" >&2
      exit 2
      ;;
  esac
  [[ -f "$out/$base.pem" ]] && continue
  openssl ecparam -name prime256v1 -genkey -noout -out "$out/$base.key"
  openssl req -new -key "$out/$base.key" -subj "/O=Kuaibao/CN=$base" \
    -out "$out/$base.csr" 2>/dev/null
  ext=$(mktemp)
  printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$eku" "$sans" >"$ext"
  openssl x509 -req -in "$out/$base.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -CAcreateserial -sha256 -days "$days" -extfile "$ext" \
    -out "$out/$base.pem" 2>/dev/null
  rm -f "$ext" "$out/$base.csr"
  chmod 0644 "$out/$base.pem"
  echo "made $uri -> $out/$base.pem"
done
