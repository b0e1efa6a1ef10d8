#!/usr/bin/env bash
# The Kuaibao PKI: an offline province root CA, one issuing CA per city (and
# one for the province's own certificates), node, client and auditor
# certificates, revocation lists and renewal.
#
#   certs/pki.sh COMMAND PKI_DIR [ARGS...]
#
# Commands (PKI_DIR holds everything; see certs/README.md for the layout):
#   issue PKI_DIR SPEC...         key + certificate for each SPEC, here (trials,
#                                 tests); makes the root and issuing CAs on first
#                                 use. An existing certificate is kept.
#   provision PKI_DIR REGIONS.csv [ROLE:NAME...]
#                                 the whole hierarchy: a node certificate for
#                                 every region of the table (the format of
#                                 deploy/regions/shanxi-2022.csv), plus a
#                                 client/auditor ROLE:NAME for every region
#                                 if given; then the CRLs. Parallel.
#   bundles PKI_DIR LIST [--csr-only | --sign-only]
#                                 for deploy/provision/provision.sh: LIST has
#                                 one "SPEC DIR SANS" a line (DIR relative to
#                                 LIST's folder); a key and CSR in each DIR
#                                 (an existing key is kept), then DIR/BASE.pem
#                                 with the extra SANS (kept if there), ca.pem
#                                 and crl/. --csr-only stops before signing;
#                                 --sign-only (on the CA host) signs the CSRs
#                                 found. Parallel per issuing CA.
#   request DIR SPEC              on the host that will use it: a key (kept
#                                 there, mode 0600) and DIR/BASE.csr to send
#                                 to the CA; reuses an existing key
#   sign PKI_DIR CSR SPEC [OUT]   on the CA host: the certificate for SPEC with
#                                 the CSR's key (the identity comes from SPEC,
#                                 never from the CSR) -> OUT (default
#                                 PKI_DIR/BASE.pem): leaf, then issuing CA
#   renew PKI_DIR SPEC [--new-key]
#                                 a new certificate for the same identity (same
#                                 key unless --new-key), replacing the files
#                                 atomically; the old one stays valid until it
#                                 expires or is revoked
#   revoke PKI_DIR CERT.pem [REASON]
#                                 revokes (REASON: unspecified, keyCompromise,
#                                 superseded, cessationOfOperation, ...) and
#                                 publishes the issuer's new CRL
#   crl PKI_DIR [CA...]           a new CRL from every CA whose key is here
#                                 (or only those named: root, or a region code),
#                                 published as the next PKI_DIR/crl/<hash>.rN
#
# SPEC is node:REGION, node:REGION:standby (a region's standby node: the
# same URI as its primary, its own key, files node-REGION-standby.*),
# node:REGION:DEPT (a department's node, DEPT a code of
# deploy/regions/shanxi-departments.csv), client:REGION:NAME or
# auditor:REGION:NAME; the certificate carries
# spiffe://kuaibao/<role>/<region>[/<name>] (a department's node:
# spiffe://kuaibao/node/<region>/dept/<DEPT>) as its URI SAN
# plus DNS:localhost and IP:127.0.0.1 (more node SANs: KUAIBAO_NODE_SANS, e.g.
# "DNS:county.example,IP:10.0.0.5").
#
# Environment: KUAIBAO_CERT_DAYS (leaf validity, default 90),
# KUAIBAO_CRL_DAYS (CRL validity, default 30), KUAIBAO_CERT_START and
# KUAIBAO_CERT_END (an explicit validity window, YYYYMMDDHHMMSSZ, for tests),
# KUAIBAO_CRL_START and KUAIBAO_CRL_END (the same for CRLs), KUAIBAO_ISSUER
# (sign with this issuing CA instead of the region's own: only to test that
# nodes refuse it), JOBS (parallel openssl processes for provision, default:
# cores).
#
# Keys are EC P-256, mode 0600, never printed. notBefore and the CRLs'
# lastUpdate are backdated one hour so that peers with a slow clock accept
# them.
set -euo pipefail

usage() {
  sed -n '2,64p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "pki: $*" >&2
  exit 2
}

umask 077
cert_days=${KUAIBAO_CERT_DAYS:-90}
crl_days=${KUAIBAO_CRL_DAYS:-30}
root_days=7300
issuing_days=3650

# --- identities --------------------------------------------------------------

# parse_spec SPEC: sets role, region, name, base, uri, eku, sans.
parse_spec() {
  local spec=$1 extra
  IFS=: read -r role region name extra <<<"$spec"
  [[ -z ${extra:-} ]] || die "bad spec '$spec'"
  [[ $region =~ ^[0-9]{12}$ ]] || die "region '$region' in '$spec' must be 12 digits"
  case $role in
    node)
      if [[ ${name:-} == standby ]]; then
        # A region's standby node has the same identity as its primary, with
        # a key and certificate of its own.
        base="node-$region-standby"
        uri="spiffe://kuaibao/node/$region"
      elif [[ -n ${name:-} ]]; then
        [[ $name =~ ^[a-z][a-z0-9]{0,15}$ ]] ||
          die "department '$name' in '$spec' must be 1-16 of a-z 0-9, starting with a letter"
        base="node-$region-$name"
        uri="spiffe://kuaibao/node/$region/dept/$name"
      else
        base="node-$region"
        uri="spiffe://kuaibao/node/$region"
      fi
      eku="serverAuth,clientAuth"
      sans="URI:$uri,DNS:localhost,IP:127.0.0.1${KUAIBAO_NODE_SANS:+,$KUAIBAO_NODE_SANS}"
      ;;
    client | auditor)
      [[ ${name:-} =~ ^[A-Za-z0-9._-]{1,64}$ ]] ||
        die "name '${name:-}' in '$spec' must be 1-64 of A-Z a-z 0-9 . _ -"
      base="$role-$region-$name"
      uri="spiffe://kuaibao/$role/$region/$name"
      eku="clientAuth"
      sans="URI:$uri,DNS:localhost,IP:127.0.0.1"
      ;;
    *) die "unknown role in '$spec' (node, client or auditor)" ;;
  esac
}

# issuer_of REGION: the code of the issuing CA for a region: its city, or the
# province for the province's own certificates.
issuer_of() {
  local region=$1
  if [[ ${region:2} == 0000000000 ]]; then
    echo "$region"
  else
    echo "${region:0:4}00000000"
  fi
}

# --- CAs ---------------------------------------------------------------------

# An hour ago: the notBefore of new certificates.
backdated=$(date -u -d '1 hour ago' +%Y%m%d%H%M%SZ)

# ca_run CA_DIR EKU SANS openssl-ca-args...: `openssl ca` with the shared
# configuration pointed at one CA.
ca_run() {
  local ca=$1 eku=$2 san=$3 output
  shift 3
  if ! output=$(KUAIBAO_CA_DIR=$ca KUAIBAO_EKU=$eku KUAIBAO_SAN=$san \
    openssl ca -batch -config "$pki/ca/openssl.cnf" "$@" 2>&1); then
    echo "$output" >&2
    die "openssl ca failed (CA $(basename "$ca"))"
  fi
}

write_ca_config() {
  [[ -f $pki/ca/openssl.cnf ]] && return
  mkdir -p "$pki/ca"
  cat >"$pki/ca/openssl.cnf" <<'EOF'
# Written by certs/pki.sh; used through it (it sets the KUAIBAO_* variables).
[ca]
default_ca = kuaibao_ca

[kuaibao_ca]
dir = $ENV::KUAIBAO_CA_DIR
database = $dir/index.txt
new_certs_dir = $dir/certs
certificate = $dir/ca.pem
private_key = $dir/ca.key
crlnumber = $dir/crlnumber
default_md = sha256
policy = kuaibao_policy
rand_serial = yes
unique_subject = no
email_in_dn = no
copy_extensions = none
default_days = 90
default_crl_days = 30
crl_extensions = crl_ext

[kuaibao_policy]
organizationName = supplied
commonName = supplied

[leaf]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = $ENV::KUAIBAO_EKU
subjectAltName = $ENV::KUAIBAO_SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[issuing_ca]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectAltName = $ENV::KUAIBAO_SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[crl_ext]
authorityKeyIdentifier = keyid
EOF
}

# new_ca_dir DIR: the openssl ca bookkeeping of one CA.
new_ca_dir() {
  mkdir -p "$1/certs"
  : >"$1/index.txt"
  echo "unique_subject = no" >"$1/index.txt.attr"
  echo 1000 >"$1/crlnumber"
}

ensure_root() {
  local root=$pki/ca/root
  [[ -f $root/ca.pem ]] && return
  write_ca_config
  new_ca_dir "$root"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
    -keyout "$root/ca.key" -sha256 -days "$root_days" \
    -subj "/O=Kuaibao/CN=Kuaibao province root CA" \
    -addext "basicConstraints=critical,CA:true,pathlen:1" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$root/ca.pem" 2>/dev/null
  chmod 0644 "$root/ca.pem"
  install -m 0644 "$root/ca.pem" "$pki/ca.pem"
  echo "made the root CA $pki/ca.pem (keep $root/ca.key offline)"
}

# ensure_issuing CODE: the issuing CA for a city (or the province).
ensure_issuing() {
  local code=$1 ca=$pki/ca/$1
  [[ -f $ca/ca.pem ]] && return
  ensure_root
  [[ -f $pki/ca/root/ca.key ]] ||
    die "no issuing CA for $code and the root key is not here (it is offline): make it on the root's machine"
  new_ca_dir "$ca"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
    -keyout "$ca/ca.key" -subj "/O=Kuaibao/CN=Kuaibao issuing CA $code" \
    -out "$ca/ca.csr" 2>/dev/null
  ca_run "$pki/ca/root" "" "URI:spiffe://kuaibao/ca/$code" \
    -extensions issuing_ca -days "$issuing_days" -startdate "$backdated" \
    -notext -in "$ca/ca.csr" -out "$ca/ca.pem"
  rm -f "$ca/ca.csr"
  chmod 0644 "$ca/ca.pem"
  echo "made the issuing CA for $code"
}

# --- certificates ------------------------------------------------------------

# make_csr DIR: a key (unless there is one) and DIR/$base.csr for the parsed
# spec.
make_csr() {
  local dir=$1
  mkdir -p "$dir"
  if [[ -f $dir/$base.key ]]; then
    openssl req -new -key "$dir/$base.key" -subj "/O=Kuaibao/CN=$base" \
      -out "$dir/$base.csr" 2>/dev/null
  else
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
      -keyout "$dir/$base.key.tmp" -subj "/O=Kuaibao/CN=$base" \
      -out "$dir/$base.csr" 2>/dev/null
    mv "$dir/$base.key.tmp" "$dir/$base.key"
  fi
}

# sign_csr CSR OUT: signs with the issuing CA of the parsed spec; OUT gets the
# chain (leaf, then the issuing CA), replaced atomically.
sign_csr() {
  local csr=$1 out=$2 issuer ca window
  issuer=${KUAIBAO_ISSUER:-$(issuer_of "$region")}
  ensure_issuing "$issuer"
  ca=$pki/ca/$issuer
  window=(-startdate "${KUAIBAO_CERT_START:-$backdated}")
  if [[ -n ${KUAIBAO_CERT_END:-} ]]; then
    window+=(-enddate "$KUAIBAO_CERT_END")
  else
    window+=(-days "$cert_days")
  fi
  ca_run "$ca" "$eku" "$sans" -extensions leaf "${window[@]}" -notext \
    -in "$csr" -out "$out.leaf"
  cat "$out.leaf" "$ca/ca.pem" >"$out.tmp"
  rm -f "$out.leaf"
  chmod 0644 "$out.tmp"
  mv "$out.tmp" "$out"
}

# issue_one SPEC [force]: key + certificate in $pki.
issue_one() {
  parse_spec "$1"
  if [[ -f $pki/$base.pem && ${2:-} != force ]]; then return; fi
  make_csr "$pki"
  sign_csr "$pki/$base.csr" "$pki/$base.pem"
  rm -f "$pki/$base.csr"
  echo "made $uri -> $pki/$base.pem"
}

# --- revocation --------------------------------------------------------------

# publish_crl CA_DIR: a new CRL from that CA, as the next free
# $pki/crl/<hash>.rN. Never overwrites a published file: gRPC does not notice
# a CRL replaced in place, but reads a new suffix at the next handshake.
publish_crl() {
  local ca=$1 tmp hash n=0 last=0 t window
  [[ -f $ca/ca.key ]] || {
    echo "pki: no key for $(basename "$ca") here (offline?): its CRL was not renewed" >&2
    return 0
  }
  [[ -d $pki/crl ]] || mkdir -m 0755 "$pki/crl"
  hash=$(openssl x509 -in "$ca/ca.pem" -noout -subject_hash)
  while [[ -e $pki/crl/$hash.r$n ]]; do
    t=$(date -u -d "$(openssl crl -in "$pki/crl/$hash.r$n" -noout -lastupdate | cut -d= -f2)" +%s)
    ((t > last)) && last=$t
    n=$((n + 1))
  done
  # OpenSSL uses the CRL with the latest lastUpdate and, on a tie, the one it
  # loaded first (the older): a new CRL must be strictly later.
  t=$(($(date -u +%s) - 3600))
  ((t > last)) || t=$((last + 1))
  window=(-crl_lastupdate "${KUAIBAO_CRL_START:-$(date -u -d "@$t" +%Y%m%d%H%M%SZ)}")
  if [[ -n ${KUAIBAO_CRL_END:-} ]]; then
    window+=(-crl_nextupdate "$KUAIBAO_CRL_END")
  else
    window+=(-crldays "$crl_days")
  fi
  tmp=$pki/crl/.new.crl
  ca_run "$ca" "" "" -gencrl "${window[@]}" -out "$tmp"
  chmod 0644 "$tmp"
  mv "$tmp" "$pki/crl/$hash.r$n"
  echo "published the CRL of $(basename "$ca") -> $pki/crl/$hash.r$n"
}

all_cas() {
  local ca
  for ca in "$pki"/ca/*/; do
    [[ -f $ca/ca.pem ]] && echo "${ca%/}"
  done
}

# ca_of CERT: the directory of the CA that issued CERT.
ca_of() {
  local cert=$1 want ca
  want=$(openssl x509 -in "$cert" -noout -issuer_hash)
  for ca in $(all_cas); do
    if [[ $(openssl x509 -in "$ca/ca.pem" -noout -subject_hash) == "$want" ]] &&
      openssl verify -partial_chain -CAfile "$ca/ca.pem" "$cert" >/dev/null 2>&1; then
      echo "$ca"
      return
    fi
  done
  die "$cert was not issued by a CA in $pki"
}

# --- provisioning ------------------------------------------------------------

# provision_ca CODE SPEC...: all certificates of one issuing CA, in order
# (one openssl ca database must not be written by two processes at once).
provision_ca() {
  local spec
  for spec in "${@:2}"; do issue_one "$spec"; done
}

provision() {
  local table=$1 extra=("${@:2}") code issuer spec role_name jobs
  [[ -f $table ]] || die "no region table '$table'"
  ensure_root
  declare -A specs=()
  while IFS=, read -r code _; do
    [[ $code =~ ^[0-9]{12}$ ]] || continue
    issuer=$(issuer_of "$code")
    specs[$issuer]+=" node:$code"
    for role_name in "${extra[@]}"; do
      [[ $role_name =~ ^(client|auditor):[^:]+$ ]] ||
        die "extra identity '$role_name' must be client:NAME or auditor:NAME"
      specs[$issuer]+=" ${role_name%%:*}:$code:${role_name#*:}"
    done
  done <"$table"
  ((${#specs[@]} > 0)) || die "no region codes in '$table'"
  # Issuing CAs first (each is signed by the root: one database).
  for issuer in "${!specs[@]}"; do ensure_issuing "$issuer"; done
  jobs=${JOBS:-$(nproc)}
  for issuer in "${!specs[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
    # shellcheck disable=SC2086 # the list is space-separated specs
    provision_ca "$issuer" ${specs[$issuer]} >/dev/null &
  done
  while (($(jobs -rp | wc -l) > 0)); do wait -n; done
  for ca in $(all_cas); do publish_crl "$ca" >/dev/null; done
  echo "provisioned $(find "$pki" -maxdepth 1 -name '*.pem' ! -name ca.pem | wc -l) certificates, ${#specs[@]} issuing CAs and their CRLs in $pki"
}

# bundle_one SPEC DIR SANS: a key and CSR in DIR, signed there unless
# --csr-only; a certificate already there is kept.
bundle_one() {
  KUAIBAO_NODE_SANS=$3
  parse_spec "$1"
  local dir=$2
  [[ -f $dir/$base.pem ]] && return
  if [[ $bundle_mode == sign ]]; then
    [[ -f $dir/$base.csr ]] || die "no CSR $dir/$base.csr to sign"
  else
    make_csr "$dir"
    chmod 0644 "$dir/$base.csr"
  fi
  [[ $bundle_mode == csr ]] && return
  sign_csr "$dir/$base.csr" "$dir/$base.pem"
  install -m 0644 "$pki/ca.pem" "$dir/ca.pem"
  [[ -d $dir/crl ]] || mkdir -m 0755 "$dir/crl"
  cp -p "$pki"/crl/*.r* "$dir/crl/"
}

bundles() {
  local list=$1 spec dir extra issuer jobs home
  [[ -f $list ]] || die "no list '$list'"
  home=$(cd "$(dirname "$list")" && pwd)
  declare -A lines=()
  while read -r spec dir extra; do
    [[ -n $spec ]] || continue
    parse_spec "$spec"
    # issuer_of, without a subshell per line.
    if [[ ${region:2} == 0000000000 ]]; then
      issuer=$region
    else
      issuer=${region:0:4}00000000
    fi
    lines[$issuer]+="$spec $home/$dir $extra"$'\n'
  done <"$list"
  if [[ $bundle_mode != csr ]]; then
    ensure_root
    for issuer in "${!lines[@]}"; do ensure_issuing "$issuer"; done
    # The CRLs first: every bundle gets them.
    for ca in $(all_cas); do publish_crl "$ca" >/dev/null; done
  fi
  jobs=${JOBS:-$(nproc)}
  for issuer in "${!lines[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
    (while read -r spec dir extra; do
      [[ -z $spec ]] || bundle_one "$spec" "$dir" "$extra"
    done <<<"${lines[$issuer]}") &
  done
  while (($(jobs -rp | wc -l) > 0)); do wait -n; done
}

# --- main --------------------------------------------------------------------

[[ $# -ge 2 ]] || usage
cmd=$1
pki=$2
shift 2
case $cmd in
  issue)
    [[ $# -ge 1 ]] || usage
    mkdir -p "$pki"
    for spec in "$@"; do issue_one "$spec"; done
    ;;
  provision)
    [[ $# -ge 1 ]] || usage
    mkdir -p "$pki"
    provision "$@"
    ;;
  bundles)
    [[ $# -ge 1 && $# -le 2 ]] || usage
    case ${2:-} in
      --csr-only) bundle_mode=csr ;;
      --sign-only) bundle_mode=sign ;;
      '') bundle_mode=both ;;
      *) usage ;;
    esac
    mkdir -p "$pki"
    bundles "$1"
    ;;
  request)
    [[ $# -eq 1 ]] || usage
    parse_spec "$1"
    make_csr "$pki"
    echo "key $pki/$base.key (stays here); send $pki/$base.csr to the CA"
    ;;
  sign)
    [[ $# -ge 2 && $# -le 3 ]] || usage
    [[ -f $1 ]] || die "no CSR '$1'"
    parse_spec "$2"
    out=${3:-$pki/$base.pem}
    sign_csr "$1" "$out"
    echo "made $uri -> $out"
    ;;
  renew)
    [[ $# -ge 1 && $# -le 2 ]] || usage
    parse_spec "$1"
    [[ -f $pki/$base.pem ]] || die "nothing to renew: no $pki/$base.pem"
    if [[ ${2:-} == --new-key ]]; then
      # A new key, then a certificate for it; the key file is replaced by
      # rename just before the certificate, so a reader sees at worst a
      # mismatched pair for an instant. gRPC 1.51's file watcher compares key
      # and certificate (PrivateKeyAndCertificateMatch) and takes the pair at
      # its next refresh; that window is not covered by a test here.
      newdir=$(mktemp -d "$pki/.renew.XXXXXX")
      make_csr "$newdir"
      sign_csr "$newdir/$base.csr" "$newdir/$base.pem"
      mv "$newdir/$base.key" "$pki/$base.key"
      mv "$newdir/$base.pem" "$pki/$base.pem"
      rm -rf "$newdir"
    elif [[ -z ${2:-} ]]; then
      make_csr "$pki"
      sign_csr "$pki/$base.csr" "$pki/$base.pem"
      rm -f "$pki/$base.csr"
    else
      usage
    fi
    echo "renewed $uri -> $pki/$base.pem"
    ;;
  revoke)
    [[ $# -ge 1 && $# -le 2 ]] || usage
    [[ -f $1 ]] || die "no certificate '$1'"
    ca=$(ca_of "$1")
    ca_run "$ca" "" "" -revoke "$1" -crl_reason "${2:-unspecified}"
    echo "revoked $(openssl x509 -in "$1" -noout -serial) ($1)"
    publish_crl "$ca"
    ;;
  crl)
    if [[ $# -eq 0 ]]; then
      for ca in $(all_cas); do publish_crl "$ca"; done
    fi
    for code in "$@"; do
      [[ -f $pki/ca/$code/ca.pem ]] || die "no CA '$code' in $pki/ca"
      publish_crl "$pki/ca/$code"
    done
    ;;
  *) usage ;;
esac
